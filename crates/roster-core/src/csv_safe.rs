//! CSV cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
//! return) get a leading `'`, as OWASP advises; a leading quote is quoted too, so [`value`]
//! gives every cell back exactly (the evidence's row hashes are over the original values).

const FORMULA_START: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// The cell to write for `v`.
pub fn cell(v: &str) -> String {
    if v.starts_with(FORMULA_START) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

/// The value a cell written by [`cell`] holds.
pub fn value(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest.to_string(),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_read_back_whole() {
        for v in ["=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "'quoted", "''=x", "plain", ""] {
            let c = cell(v);
            assert!(!c.starts_with(['=', '+', '-', '@']), "{c}");
            assert_eq!(value(&c), v);
        }
    }
}
