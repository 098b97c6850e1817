//! Evidence for auditors: one row per item in `items.csv` and `items.jsonl` (the same rows),
//! each row carrying the SHA-256 of its content chained to the previous row's; a PDF summary;
//! and `manifest.json` with the counts, the completeness check, the sign-offs, the chain's
//! head and every file's SHA-256, itself hashed. `verify` re-reads a directory and names the
//! first file and row that no longer match.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use roster_store::{ReviewCampaign, ReviewItem, Store};
use serde_json::{json, Map, Value};

use super::{items_in_scope, load, spec_of, Counts, ReviewError};

/// The columns of a row, in order; `row_hash` follows them. Format 2 added what the reviewer
/// was shown beside each decision: the recommendation and its reason (as of the decision, or
/// of the export for an undecided item), and the context launch froze for it.
pub const COLUMNS: [&str; 37] = [
    "seq",
    "campaign_id",
    "campaign",
    "period_start",
    "period_end",
    "snapshot_sync_id",
    "snapshot_at",
    "user_id",
    "user_email",
    "user_name",
    "user_status",
    "user_role",
    "user_custom_role",
    "user_last_activity",
    "entitlement",
    "resource_type",
    "resource_id",
    "resource_name",
    "resource_kind",
    "slug",
    "source",
    "left_team",
    "sod_rules",
    "reviewer",
    "original_reviewer",
    "recommendation",
    "recommendation_reason",
    "decision",
    "decided_by",
    "decided_at",
    "justification",
    "self_review",
    "remediation_action",
    "remediation_status",
    "remediation_note",
    "remediation_applied_at",
    "verified_absent_at",
];

/// The columns format 2 added; format 1's are the others, in the same order.
const ADDED_IN_2: [&str; 6] =
    ["user_custom_role", "resource_kind", "left_team", "sod_rules", "recommendation", "recommendation_reason"];

const FORMAT: &str = "roster-review-evidence/2";

/// The columns of an export in `format`, for the formats this version reads.
fn columns_of(format: &str) -> Option<Vec<&'static str>> {
    match format {
        FORMAT => Some(COLUMNS.to_vec()),
        "roster-review-evidence/1" => Some(COLUMNS.into_iter().filter(|c| !ADDED_IN_2.contains(c)).collect()),
        _ => None,
    }
}
/// The items as CSV.
pub const CSV: &str = "items.csv";
/// The items as JSON lines.
pub const JSONL: &str = "items.jsonl";
/// The summary for auditors.
pub const PDF: &str = "summary.pdf";
/// The hashes of the other files, and the counts.
pub const MANIFEST: &str = "manifest.json";

/// An RFC 3339 time (UTC, milliseconds), or empty.
pub(crate) fn time(ms: Option<i64>) -> String {
    ms.and_then(|m| Utc.timestamp_millis_opt(m).single())
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

use crate::digest::sha256_hex as sha256;

/// The hash of a row: its values (as a JSON array, so no two rows print alike) after the
/// previous row's hash.
fn chain(prev: &str, values: &[String]) -> String {
    let body = serde_json::to_string(values).unwrap_or_default();
    sha256(format!("{prev}\n{body}").as_bytes())
}

fn genesis(c: &ReviewCampaign) -> String {
    sha256(format!("{FORMAT}\ncampaign {} {}\n{}", c.id, c.account, c.name).as_bytes())
}

fn row(c: &ReviewCampaign, it: &ReviewItem, now: DateTime<Utc>) -> Vec<String> {
    let mut parts = it.entitlement.splitn(3, ':');
    let (rtype, rid, slug) = (parts.next(), parts.next(), parts.next());
    let s = |v: Option<&str>| v.unwrap_or_default().to_string();
    let advice = super::recommend::recommend(it, it.decided_ms.unwrap_or(now.timestamp_millis()));
    vec![
        it.seq.to_string(),
        c.id.to_string(),
        c.name.clone(),
        time(c.launched_ms),
        time(Some(c.due_ms)),
        c.sync_id.map(|v| v.to_string()).unwrap_or_default(),
        time(c.snapshot_ms),
        it.user_id.clone(),
        it.user_email.clone(),
        it.user_name.clone(),
        it.user_status.clone(),
        it.user_role.clone(),
        s(it.user_custom_role.as_deref()),
        time(it.user_last_activity_ms),
        it.entitlement.clone(),
        s(rtype),
        s(rid),
        it.resource_name.clone(),
        s(it.resource_kind.as_deref()),
        s(slug),
        it.source.clone(),
        s(it.left_team.as_deref()),
        s(it.sod_rules.as_deref()),
        it.reviewer.clone(),
        it.original_reviewer.clone(),
        s(advice.as_ref().map(|a| a.decision.as_str())),
        s(advice.as_ref().map(|a| a.reason.as_str())),
        s(it.decision.map(Decision::as_str)),
        s(it.decided_by.as_deref()),
        time(it.decided_ms),
        s(it.justification.as_deref()),
        it.self_review.to_string(),
        s(it.remediation_action.as_deref()),
        s(it.remediation_status.map(RemediationStatus::as_str)),
        s(it.remediation_note.as_deref()),
        time(it.applied_ms),
        time(it.verified_absent_ms),
    ]
}

use roster_core::csv_safe::{cell as csv_cell, value as csv_value};
use roster_core::review::{Decision, RemediationStatus};

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportSummary {
    /// The folder written.
    pub dir: String,
    /// Item rows written.
    pub rows: usize,
    /// The hash chain's last link over the rows.
    pub chain_head: String,
    /// The campaign's counts.
    pub counts: Counts,
    /// Every item was decided and every reviewer signed off.
    pub complete: bool,
    /// Also recorded in the audit log (`review_exported`).
    pub manifest_sha256: String,
}

fn io(file: &str) -> impl Fn(std::io::Error) -> ReviewError + '_ {
    move |e| ReviewError::Invalid(format!("cannot write {file}: {e}"))
}

/// The manifest's own hash: over its JSON without the `manifest_sha256` field.
fn manifest_hash(m: &Map<String, Value>) -> String {
    let mut m = m.clone();
    m.remove("manifest_sha256");
    sha256(serde_json::to_string(&Value::Object(m)).unwrap_or_default().as_bytes())
}

/// Writes campaign `id`'s evidence into `dir` (created; refused if it already holds files).
pub async fn export(
    store: &dyn Store,
    account: &str,
    id: i64,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<ExportSummary, ReviewError> {
    let c = load(store, account, id).await?;
    let Some(sync_id) = c.sync_id else {
        return Err(ReviewError::WrongState { id, status: c.status, what: "launch it first: a draft has no items" });
    };
    if dir.exists() && std::fs::read_dir(dir).map_err(io("the directory"))?.next().is_some() {
        return Err(ReviewError::Invalid(format!(
            "{} already holds files: export into a new or empty directory (evidence is never overwritten)",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(io("the directory"))?;
    let spec = spec_of(&c)?;
    let items = store.review_items(id, None).await?;
    let signoffs = store.signoffs(id).await?;
    let counts = Counts::of(&items);
    let in_scope = items_in_scope(store, sync_id, &spec).await?.len();

    let mut csv_out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = COLUMNS.to_vec();
    header.push("row_hash");
    let bad_csv = |e: csv::Error| ReviewError::Invalid(format!("cannot write {CSV}: {e}"));
    csv_out.write_record(&header).map_err(bad_csv)?;
    let mut jsonl = String::new();
    let start = genesis(&c);
    let mut prev = start.clone();
    for it in &items {
        let values = row(&c, it, now);
        prev = chain(&prev, &values);
        let mut with_hash = values.clone();
        with_hash.push(prev.clone());
        csv_out.write_record(with_hash.iter().map(|v| csv_cell(v))).map_err(bad_csv)?;
        let fields: Vec<String> = header
            .iter()
            .zip(&with_hash)
            .map(|(k, v)| format!("{}:{}", Value::from(*k), Value::from(v.as_str())))
            .collect();
        jsonl.push('{');
        jsonl.push_str(&fields.join(","));
        jsonl.push_str("}\n");
    }
    let csv_bytes = csv_out.into_inner().map_err(|e| ReviewError::Invalid(format!("cannot write {CSV}: {e}")))?;
    let decided = counts.certified + counts.revoked;
    // Complete: every item in scope is in the evidence, every one decided, every reviewer
    // signed off. A campaign closed with force says which of these it is not.
    let mut incomplete = super::unfinished(store, id).await?;
    if !(in_scope == decided + counts.undecided && counts.items == in_scope) {
        incomplete.push(format!("{} row(s) for {in_scope} item(s) in scope in the snapshot", counts.items));
    }
    let complete = incomplete.is_empty();
    let signed: Vec<Value> = signoffs.iter().map(|(r, t)| json!({ "reviewer": r, "at": time(Some(*t)) })).collect();
    let pdf_bytes = super::pdf::summary(&c, &spec, &counts, in_scope, complete, &signoffs, &items, &prev, now);

    std::fs::write(dir.join(CSV), &csv_bytes).map_err(io(CSV))?;
    std::fs::write(dir.join(JSONL), jsonl.as_bytes()).map_err(io(JSONL))?;
    std::fs::write(dir.join(PDF), &pdf_bytes).map_err(io(PDF))?;
    let file = |name: &str, bytes: &[u8]| json!({ "name": name, "bytes": bytes.len(), "sha256": sha256(bytes) });
    let manifest = json!({
        "format": FORMAT,
        "generated_at": time(Some(now.timestamp_millis())),
        "campaign": {
            "id": c.id, "account": c.account, "name": c.name, "status": c.status, "created_by": c.created_by,
            "created_at": time(Some(c.created_ms)), "launched_at": time(c.launched_ms), "due": time(Some(c.due_ms)),
            "closed_at": time(c.closed_ms), "remediation_plan": c.plan_id, "definition": spec,
        },
        "snapshot": { "sync_id": sync_id, "completed_at": time(c.snapshot_ms) },
        "counts": counts,
        "completeness": {
            "in_scope": in_scope, "decided": decided, "undecided": counts.undecided,
            "rows": items.len(), "complete": complete, "incomplete_because": incomplete,
        },
        "signoffs": signed,
        "chain": { "algorithm": "sha256(previous_hash + \"\\n\" + json(values))", "genesis": start, "head": prev, "rows": items.len() },
        "files": [file(CSV, &csv_bytes), file(JSONL, jsonl.as_bytes()), file(PDF, &pdf_bytes)],
    });
    let mut m = match manifest {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let own = manifest_hash(&m);
    m.insert("manifest_sha256".into(), Value::from(own.clone()));
    let text = serde_json::to_string_pretty(&Value::Object(m)).map_err(|e| ReviewError::Invalid(e.to_string()))?;
    std::fs::write(dir.join(MANIFEST), text + "\n").map_err(io(MANIFEST))?;
    let detail = json!({ "campaign": id, "manifest_sha256": own, "chain_head": prev, "rows": items.len() });
    super::record(store, account, roster_core::EventKind::ReviewExported, format!("review:{id}"), detail, now).await?;
    Ok(ExportSummary {
        dir: dir.display().to_string(),
        rows: items.len(),
        chain_head: prev,
        counts,
        complete,
        manifest_sha256: own,
    })
}

/// Where an export stopped matching.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {problem}", .row.map(|r| format!(" row {r}")).unwrap_or_default())]
pub struct Tampered {
    /// The file that differs.
    pub file: String,
    /// The data row (1 = first after the header; 0 = the CSV header).
    pub row: Option<usize>,
    /// What differs.
    pub problem: String,
}

fn tampered(file: &str, row: Option<usize>, problem: impl Into<String>) -> Tampered {
    Tampered { file: file.into(), row, problem: problem.into() }
}

/// What a verified export holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verified {
    /// The campaign, as the manifest names it.
    pub campaign: String,
    /// The manifest's own hash: match it against the `review_exported` event.
    pub manifest_sha256: String,
    /// Item rows.
    pub rows: usize,
    /// The hash chain's last link over the rows.
    pub chain_head: String,
    /// The files checked.
    pub files: Vec<String>,
}

/// A data row's number and its values (or why it could not be read).
type ParsedRow = (usize, Result<Vec<String>, String>);

/// Checks the rows of one file against the chain: returns the head and the row count.
fn check_rows(
    file: &str,
    rows: Vec<(usize, Result<Vec<String>, String>)>,
    genesis: &str,
    columns: &[&str],
) -> Result<(String, usize), Tampered> {
    let mut prev = genesis.to_string();
    let mut n = 0;
    for (i, r) in rows {
        let mut values = r.map_err(|p| tampered(file, Some(i), p))?;
        if values.len() != columns.len() + 1 {
            return Err(tampered(
                file,
                Some(i),
                format!("has {} fields, the format has {}", values.len(), columns.len() + 1),
            ));
        }
        let stored = values.pop().unwrap_or_default();
        let h = chain(&prev, &values);
        if h != stored {
            return Err(tampered(
                file,
                Some(i),
                "the row's content does not match its hash (altered, added or removed rows)",
            ));
        }
        prev = h;
        n += 1;
    }
    Ok((prev, n))
}

fn csv_rows(bytes: &[u8], columns: &[&str]) -> Result<Vec<ParsedRow>, Tampered> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(bytes);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| tampered(CSV, Some(0), format!("unreadable header: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    let mut want: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    want.push("row_hash".into());
    if header != want {
        return Err(tampered(CSV, Some(0), "the header is not the evidence format's columns"));
    }
    Ok(r.records()
        .enumerate()
        .map(|(i, rec)| {
            (i + 1, rec.map(|rec| rec.iter().map(csv_value).collect()).map_err(|e| format!("unreadable: {e}")))
        })
        .collect())
}

fn jsonl_rows(bytes: &[u8], columns: &[&str]) -> Result<Vec<ParsedRow>, Tampered> {
    let text = std::str::from_utf8(bytes).map_err(|e| tampered(JSONL, None, format!("not UTF-8: {e}")))?;
    let mut want: Vec<&str> = columns.to_vec();
    want.push("row_hash");
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() {
        return Ok(vec![]);
    }
    Ok(body
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let parsed =
                serde_json::from_str::<Map<String, Value>>(line).map_err(|e| format!("not a JSON object: {e}"));
            let values = parsed.and_then(|m| {
                if m.len() != want.len() {
                    return Err(format!("has {} fields, the format has {}", m.len(), want.len()));
                }
                want.iter()
                    .map(|k| match m.get(*k) {
                        Some(Value::String(s)) => Ok(s.clone()),
                        _ => Err(format!("field {k:?} is missing or not a string")),
                    })
                    .collect()
            });
            (i + 1, values)
        })
        .collect())
}

/// Checks the export in `dir`: the manifest's own hash, each file's rows against the chain
/// (naming the first row that differs), the chain's head and row count, and each file's SHA-256.
pub fn verify(dir: &Path) -> Result<Verified, Tampered> {
    let read =
        |name: &str| std::fs::read(dir.join(name)).map_err(|e| tampered(name, None, format!("cannot read: {e}")));
    let text = read(MANIFEST)?;
    let m: Map<String, Value> =
        serde_json::from_slice(&text).map_err(|e| tampered(MANIFEST, None, format!("not valid JSON: {e}")))?;
    let own = m.get("manifest_sha256").and_then(Value::as_str).unwrap_or_default();
    if manifest_hash(&m) != own {
        return Err(tampered(MANIFEST, None, "its content does not match its own SHA-256 (altered)"));
    }
    let field = |path: &[&str]| -> Option<&Value> {
        let mut v = m.get(path[0])?;
        for p in &path[1..] {
            v = v.get(p)?;
        }
        Some(v)
    };
    let bad = |what: &str| tampered(MANIFEST, None, format!("{what} is missing"));
    let format = field(&["format"]).and_then(Value::as_str).ok_or_else(|| bad("format"))?;
    let columns = columns_of(format).ok_or_else(|| {
        tampered(MANIFEST, None, format!("format {format:?} is not one this version of roster reads (upgrade it)"))
    })?;
    let genesis = field(&["chain", "genesis"]).and_then(Value::as_str).ok_or_else(|| bad("chain.genesis"))?;
    let head = field(&["chain", "head"]).and_then(Value::as_str).ok_or_else(|| bad("chain.head"))?;
    let rows = field(&["chain", "rows"]).and_then(Value::as_u64).ok_or_else(|| bad("chain.rows"))? as usize;
    let files = field(&["files"]).and_then(Value::as_array).ok_or_else(|| bad("files"))?;
    let mut names = Vec::new();
    for f in files {
        let name = f.get("name").and_then(Value::as_str).ok_or_else(|| bad("a file's name"))?;
        let sum = f.get("sha256").and_then(Value::as_str).ok_or_else(|| bad("a file's sha256"))?;
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(tampered(MANIFEST, None, format!("file name {name:?} is not a plain name")));
        }
        let bytes = read(name)?;
        let parsed = match name {
            CSV => Some(csv_rows(&bytes, &columns)?),
            JSONL => Some(jsonl_rows(&bytes, &columns)?),
            _ => None,
        };
        if let Some(parsed) = parsed {
            let (h, n) = check_rows(name, parsed, genesis, &columns)?;
            if n != rows {
                return Err(tampered(name, None, format!("has {n} rows, the manifest says {rows}")));
            }
            if h != head {
                return Err(tampered(name, None, "the last row's hash is not the manifest's chain head"));
            }
        }
        if sha256(&bytes) != sum {
            return Err(tampered(
                name,
                None,
                "its SHA-256 differs from the manifest's (bytes outside the rows changed)",
            ));
        }
        names.push(name.to_string());
    }
    for must in [CSV, JSONL, PDF] {
        if !names.iter().any(|n| n == must) {
            return Err(tampered(MANIFEST, None, format!("{must} is not listed")));
        }
    }
    let campaign = field(&["campaign", "name"]).and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(Verified { campaign, manifest_sha256: own.to_string(), rows, chain_head: head.to_string(), files: names })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_chain_and_a_changed_value_breaks_the_chain_at_that_row() {
        let g = "g".to_string();
        let a: Vec<String> = (0..COLUMNS.len()).map(|i| format!("a{i}")).collect();
        let b: Vec<String> = (0..COLUMNS.len()).map(|i| format!("b{i}")).collect();
        let ha = chain(&g, &a);
        let hb = chain(&ha, &b);
        let with = |mut v: Vec<String>, h: &str| {
            v.push(h.to_string());
            Ok(v)
        };
        let good = vec![(1, with(a.clone(), &ha)), (2, with(b.clone(), &hb))];
        assert_eq!(check_rows(CSV, good, &g, &COLUMNS).unwrap(), (hb.clone(), 2));
        let mut b2 = b.clone();
        b2[8] = "b8!".into();
        let bad = vec![(1, with(a.clone(), &ha)), (2, with(b2, &hb))];
        assert_eq!(check_rows(CSV, bad, &g, &COLUMNS).unwrap_err().row, Some(2));
        let swapped = vec![(1, with(b, &hb)), (2, with(a, &ha))];
        assert_eq!(check_rows(CSV, swapped, &g, &COLUMNS).unwrap_err().row, Some(1), "order is part of the chain");
    }

    /// Writes a one-row export of `format` with `columns` into `dir`, as that format wrote it.
    fn write_export(dir: &Path, format: &str, columns: &[&str]) {
        let values: Vec<String> = (0..columns.len()).map(|i| format!("v{i}")).collect();
        let head = chain("g", &values);
        let mut csv_out = csv::Writer::from_writer(Vec::new());
        csv_out.write_record(columns.iter().copied().chain(["row_hash"])).unwrap();
        csv_out.write_record(values.iter().map(String::as_str).chain([head.as_str()])).unwrap();
        let csv_bytes = csv_out.into_inner().unwrap();
        let mut line: Map<String, Value> =
            columns.iter().zip(&values).map(|(k, v)| (k.to_string(), Value::from(v.as_str()))).collect();
        line.insert("row_hash".into(), Value::from(head.as_str()));
        let jsonl = format!("{}\n", Value::Object(line));
        let file = |name: &str, bytes: &[u8]| json!({ "name": name, "bytes": bytes.len(), "sha256": sha256(bytes) });
        let Value::Object(mut m) = json!({
            "format": format,
            "campaign": { "name": "Q3" },
            "chain": { "genesis": "g", "head": head, "rows": 1 },
            "files": [file(CSV, &csv_bytes), file(JSONL, jsonl.as_bytes()), file(PDF, b"%PDF")],
        }) else {
            unreachable!()
        };
        m.insert("manifest_sha256".into(), Value::from(manifest_hash(&m)));
        std::fs::write(dir.join(CSV), &csv_bytes).unwrap();
        std::fs::write(dir.join(JSONL), jsonl).unwrap();
        std::fs::write(dir.join(PDF), b"%PDF").unwrap();
        std::fs::write(dir.join(MANIFEST), Value::Object(m).to_string()).unwrap();
    }

    #[test]
    fn exports_of_the_first_format_still_verify_and_unknown_formats_are_named() {
        let dir = std::env::temp_dir().join(format!("roster-evidence-formats-{}", std::process::id()));
        let first = columns_of("roster-review-evidence/1").unwrap();
        assert_eq!(first.len(), 31, "format 1 had 31 columns");
        assert_eq!((first[11], first[12], first[21]), ("user_role", "user_last_activity", "decision"));
        for (format, columns, ok) in [
            ("roster-review-evidence/1", &first[..], true),
            (FORMAT, &COLUMNS[..], true),
            // Format 2's columns under format 1's name: the header is refused.
            ("roster-review-evidence/1", &COLUMNS[..], false),
        ] {
            std::fs::create_dir_all(&dir).unwrap();
            write_export(&dir, format, columns);
            assert_eq!(verify(&dir).is_ok(), ok, "{format} with {} columns: {:?}", columns.len(), verify(&dir));
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        write_export(&dir, "roster-review-evidence/9", &COLUMNS);
        let e = verify(&dir).unwrap_err();
        assert!(e.problem.contains("roster-review-evidence/9") && e.file == MANIFEST, "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn values_that_print_alike_hash_apart() {
        let mut x: Vec<String> = vec![String::new(); COLUMNS.len()];
        let mut y = x.clone();
        x[0] = "a,b".into();
        y[0] = "a".into();
        y[1] = "b".into();
        assert_ne!(chain("g", &x), chain("g", &y));
    }
}
