//! OCSF events as Parquet files for AWS Security Lake: one OCSF class per file (a custom
//! source takes one class), laid out by day, `DIR/<class>/eventDay=YYYYMMDD/<name>.parquet`,
//! the `eventDay` partition Security Lake's own sources use.
//!
//! The columns are the events' own nested objects (structs, lists), their types inferred from
//! the events in the file (arrow-json), written by the `parquet` crate with zstd. Empty
//! objects and nulls are left out before inferring: Parquet has no empty struct, and neither
//! says anything an absent field does not. Empty lists stay: OCSF sometimes needs one (a Group
//! Management event is valid with `privileges: []` and no `user`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_json::reader::{infer_json_schema_from_iterator, ReaderBuilder};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde_json::Value;

/// Why a Parquet file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// The events could not be laid out as columns.
    #[error("the OCSF events of class {class} could not be laid out as Parquet columns: {detail}")]
    Columns {
        /// The class.
        class: u32,
        /// What arrow said.
        detail: String,
    },
    /// The file system failed.
    #[error("writing {}: {detail}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What it said.
        detail: String,
    },
}

/// A class's folder name: its uid and name, `3001-account-change`.
pub fn class_dir(class_uid: u32) -> String {
    format!("{class_uid}-{}", super::class_name(class_uid).to_lowercase().replace(['&', ' '], "-").replace("--", "-"))
}

/// The UTC day (`YYYYMMDD`) of an OCSF event's `time` (ms since the epoch).
pub fn event_day(e: &Value) -> String {
    let ms = e["time"].as_i64().unwrap_or(0);
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y%m%d").to_string()
}

/// Events grouped by class and day, each group in the order given.
pub fn partition(events: &[Value]) -> BTreeMap<(u32, String), Vec<Value>> {
    let mut groups: BTreeMap<(u32, String), Vec<Value>> = BTreeMap::new();
    for e in events {
        let class = e["class_uid"].as_u64().and_then(|c| u32::try_from(c).ok()).unwrap_or(0);
        groups.entry((class, event_day(e))).or_default().push(e.clone());
    }
    groups
}

/// The value with every empty object and null taken out, at every depth (`None` when nothing
/// is left of it).
pub fn without_empties(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Object(m) => {
            let kept: serde_json::Map<String, Value> =
                m.iter().filter_map(|(k, v)| without_empties(v).map(|v| (k.clone(), v))).collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(a) => Some(Value::Array(a.iter().filter_map(without_empties).collect())),
        other => Some(other.clone()),
    }
}

/// Writes `events`, all of class `class`, to `path` as one Parquet file: first to `path` with
/// `.tmp` added, renamed once complete, so a reader never sees half a file. Its size in bytes.
pub fn write_file(path: &Path, class: u32, events: &[Value]) -> Result<u64, ParquetError> {
    let columns = |e: arrow_schema::ArrowError| ParquetError::Columns { class, detail: e.to_string() };
    let io = |p: &Path, e: std::io::Error| ParquetError::Io { path: p.to_path_buf(), detail: e.to_string() };
    let rows: Vec<Value> = events.iter().filter_map(without_empties).collect();
    let schema = Arc::new(infer_json_schema_from_iterator(rows.iter().map(|r| Ok(r.clone()))).map_err(columns)?);
    // A field that is a number in one event and text in another is inferred as text: the
    // numbers are written as their text rather than refused.
    let mut decoder = ReaderBuilder::new(schema.clone())
        .with_coerce_primitive(true)
        .with_batch_size(rows.len().max(1))
        .build_decoder()
        .map_err(columns)?;
    decoder.serialize(&rows).map_err(columns)?;
    let batch = decoder.flush().map_err(columns)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let file = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
    let zstd = ZstdLevel::try_new(3).map_err(|e| ParquetError::Columns { class, detail: e.to_string() })?;
    let props = WriterProperties::builder().set_compression(Compression::ZSTD(zstd)).build();
    let parquet = |e: parquet::errors::ParquetError| ParquetError::Columns { class, detail: e.to_string() };
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(parquet)?;
    if let Some(batch) = batch {
        writer.write(&batch).map_err(parquet)?;
    }
    let file = writer.into_inner().map_err(parquet)?;
    file.sync_all().map_err(|e| io(&tmp, e))?;
    let bytes = file.metadata().map_err(|e| io(&tmp, e))?.len();
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    Ok(bytes)
}

/// Writes `events` into `dir`: one file per class and day, named `stem` in its day's
/// folder. The files written, with their class, day, event count and size.
pub fn write_partitioned(dir: &Path, stem: &str, events: &[Value]) -> Result<Vec<Written>, ParquetError> {
    partition(events)
        .into_iter()
        .map(|((class, day), group)| {
            let path = dir.join(class_dir(class)).join(format!("eventDay={day}")).join(format!("{stem}.parquet"));
            let bytes = write_file(&path, class, &group)?;
            Ok(Written { path, class, day, events: group.len(), bytes })
        })
        .collect()
}

/// One Parquet file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Where.
    pub path: PathBuf,
    /// The OCSF class of its events.
    pub class: u32,
    /// Their day, `YYYYMMDD`.
    pub day: String,
    /// How many.
    pub events: usize,
    /// Its size.
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::RecordBatch;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use serde_json::json;

    fn read_back(path: &Path) -> Vec<Value> {
        let Ok(file) = std::fs::File::open(path) else { return vec![] };
        let Ok(reader) = ParquetRecordBatchReaderBuilder::try_new(file).and_then(|b| b.build()) else { return vec![] };
        let batches: Vec<RecordBatch> = reader.filter_map(Result::ok).collect();
        let mut w = arrow_json::LineDelimitedWriter::new(Vec::new());
        for b in &batches {
            w.write(b).unwrap_or_default();
        }
        w.finish().unwrap_or_default();
        String::from_utf8(w.into_inner())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    #[test]
    fn classes_and_days_go_to_files_of_their_own_and_read_back_as_written() {
        let dir = std::env::temp_dir().join(format!("roster-parquet-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let day1 = 1_764_806_400_000i64; // 2025-12-04 00:00 UTC
        let events = vec![
            json!({"class_uid": 3001, "activity_id": 1, "time": day1 + 5, "user": {"uid": "1", "name": "Ana"}, "unmapped": {}}),
            json!({"class_uid": 3001, "activity_id": 3, "time": day1 + 86_400_000, "user": {"uid": "2"}, "metadata": {"uid": "7", "labels": []}}),
            json!({"class_uid": 3002, "activity_id": 1, "time": day1 + 9, "src_endpoint": {"ip": "10.0.0.1"}, "user": null}),
            json!({"class_uid": 3001, "activity_id": 2, "time": day1 + 60, "user": {"uid": "3", "name": "Bo"}, "count": "x"}),
            json!({"class_uid": 3001, "activity_id": 2, "time": day1 + 61, "user": {"uid": "4"}, "count": 7}),
        ];
        let written = write_partitioned(&dir, "roster-test", &events).unwrap_or_default();
        let mut summary: Vec<(u32, String, usize)> =
            written.iter().map(|w| (w.class, w.day.clone(), w.events)).collect();
        summary.sort();
        assert_eq!(
            summary,
            vec![(3001, "20251204".into(), 3), (3001, "20251205".into(), 1), (3002, "20251204".into(), 1)]
        );
        let first = dir.join("3001-account-change/eventDay=20251204/roster-test.parquet");
        assert!(first.exists(), "{first:?}");
        let back = read_back(&first);
        let expected: Vec<Value> = [0, 3, 4].iter().filter_map(|&i| without_empties(&events[i])).collect();
        // A number where the class also has text is kept as its text.
        let mut expected = expected;
        expected[2]["count"] = json!("7");
        assert_eq!(back, expected);
        assert_eq!(
            read_back(&dir.join("3002-authentication/eventDay=20251204/roster-test.parquet")),
            vec![json!({"class_uid": 3002, "activity_id": 1, "time": day1 + 9, "src_endpoint": {"ip": "10.0.0.1"}})]
        );
        assert_eq!(
            read_back(&dir.join("3001-account-change/eventDay=20251205/roster-test.parquet")),
            vec![events[1].clone()],
            "an empty list stays (a list of nothing but nulls, in its own file)"
        );
        assert!(!dir.join("3001-account-change/eventDay=20251204/roster-test.parquet.tmp").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn class_folders_are_named_for_the_class() {
        assert_eq!(class_dir(3005), "3005-user-access-management");
        assert_eq!(class_dir(3004), "3004-entity-management");
    }
}
