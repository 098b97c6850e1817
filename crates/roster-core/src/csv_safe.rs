//! CSV cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
//! return) get a leading `'`, as OWASP advises; a leading quote is quoted too, so [`value`]
//! gives every cell back exactly (the evidence's row hashes are over the original values).

const FORMULA_START: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];
/// The full-width forms spreadsheets also read as formula signs.
const WIDE_START: [char; 4] = ['\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}'];

/// Whether a spreadsheet could run `v`: a formula sign first, also after leading spaces, or
/// its full-width form.
fn dangerous(v: &str) -> bool {
    v.starts_with(FORMULA_START) || v.trim_start().starts_with(FORMULA_START) || v.trim_start().starts_with(WIDE_START)
}

/// The cell to write for `v`.
pub fn cell(v: &str) -> String {
    if dangerous(v) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

/// The value a cell written by [`cell`] holds.
pub fn value(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if dangerous(rest) => rest.to_string(),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_read_back_whole() {
        for v in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-1",
            "@SUM(A1)",
            "'quoted",
            "''=x",
            "plain",
            "",
            "  =1+1",
            "\u{FF1D}1+1",
            " \u{FF20}SUM(A1)",
            "a=b",
        ] {
            let c = cell(v);
            assert!(!c.trim_start().starts_with(['=', '+', '-', '@']) && !c.starts_with(WIDE_START), "{c}");
            assert_eq!(value(&c), v);
        }
        assert_eq!(cell("  =1"), "'  =1");
        assert_eq!(cell("a=b"), "a=b");
    }
}
