//! Lists as an aligned table (default), JSON or CSV, in a stable order.

use std::io::Write;

use anyhow::Result;
use clap::ValueEnum;
use comfy_table::{presets, Table};
use serde_json::{Map, Value};

/// How a list is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Aligned columns.
    #[default]
    Table,
    /// A JSON array of objects.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Rows under named columns.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Listing {
    /// An empty listing with these columns.
    pub fn new(columns: &[&'static str]) -> Listing {
        Listing { columns: columns.to_vec(), rows: vec![] }
    }

    /// Adds a row (as many cells as columns).
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }

    /// Prints to `out`.
    pub fn print(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        match format {
            Format::Table => {
                let mut t = Table::new();
                t.load_preset(presets::NOTHING);
                t.set_header(self.columns.iter().map(|c| c.to_uppercase()));
                for r in &self.rows {
                    t.add_row(r.clone());
                }
                writeln!(out, "{}", t.to_string().lines().map(str::trim_end).collect::<Vec<_>>().join("\n"))?;
                if self.rows.is_empty() {
                    writeln!(out, "(none)")?;
                }
            }
            Format::Json => {
                let list: Vec<Value> = self
                    .rows
                    .iter()
                    .map(|r| {
                        let o: Map<String, Value> = self
                            .columns
                            .iter()
                            .zip(r)
                            .map(|(c, v)| {
                                (c.to_string(), if v.is_empty() { Value::Null } else { Value::String(v.clone()) })
                            })
                            .collect();
                        Value::Object(o)
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &list)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&self.columns)?;
                // Cells a spreadsheet would run as formulas are defused (names and titles come
                // from monday.com, where anyone can write them).
                for r in &self.rows {
                    w.write_record(r.iter().map(|c| roster_core::csv_safe::cell(c)))?;
                }
                w.flush()?;
            }
        }
        Ok(())
    }
}

/// A time as `YYYY-MM-DD HH:MM`, or empty.
pub fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Listing {
        let mut l = Listing::new(&["id", "name"]);
        l.row(vec!["1".into(), "Zoë, \"Z\"".into()]);
        l.row(vec!["2".into(), "".into()]);
        l
    }

    fn render(f: Format) -> String {
        let mut out = Vec::new();
        sample().print(f, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn three_formats() {
        let t = render(Format::Table);
        assert!(t.lines().next().unwrap().contains("ID") && t.contains("Zoë"));
        assert_eq!(render(Format::Csv), "id,name\n1,\"Zoë, \"\"Z\"\"\"\n2,\n");
        let mut l = Listing::new(&["name"]);
        l.row(vec!["=HYPERLINK(\"http://x\")".into()]);
        let mut out = Vec::new();
        l.print(Format::Csv, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("'=HYPERLINK"), "a formula is not run by a spreadsheet");
        let j: Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(j[0]["name"], "Zoë, \"Z\"");
        assert_eq!(j[1]["name"], Value::Null);
    }
}
