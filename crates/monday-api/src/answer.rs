//! A successful answer read without building it twice. monday.com's answer to a sync's large
//! queries runs to megabytes (all 2,000 teams with their 100,000 members in one answer at
//! 100k users); read into a `serde_json::Value` tree, then copied out of it, then typed, it
//! held three times its size at once and was a sync's peak memory. Here the envelope is
//! scanned without building anything, and `data` is handed on as the bytes it came in, typed
//! once by the caller. Any answer the scan cannot vouch for (an error, an odd shape) is read
//! the long way, by [`parse_response`], which says what is wrong with it.

use bytes::Bytes;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::client::ComplexityReport;
use crate::error::{parse_response, Error};

/// Whether a field was there at all, `null` included.
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Present, D::Error> {
        IgnoredAny::deserialize(d)?;
        Ok(Present(true))
    }
}

/// The envelope's fields that decide success; `data` left as text.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(borrow)]
    errors: Option<&'a RawValue>,
    #[serde(default)]
    error_code: Present,
    #[serde(default)]
    error_message: Present,
}

/// The `data` object of an answer that succeeded, as its bytes (a slice of `body`, not a
/// copy), or the error the answer carries. Same arguments and verdicts as [`parse_response`].
pub fn parse_answer(
    status: u16,
    retry_after: Option<&str>,
    header_request_id: Option<&str>,
    body: &Bytes,
    version: &str,
) -> Result<Bytes, Error> {
    if let Some(data) = plain_success(status, body) {
        return Ok(data);
    }
    let data = parse_response(status, retry_after, header_request_id, body, version)?;
    serde_json::to_vec(&Value::Object(data)).map(Bytes::from).map_err(|e| Error::MalformedResponse {
        status,
        detail: format!("cannot hold the answer's data: {e}"),
        request_id: header_request_id.map(str::to_string),
    })
}

/// `data` when the answer is plainly a success: a 2xx/3xx status, one JSON object with an
/// object `data`, no `errors` (or an empty list) and none of the older top-level error
/// fields. Anything else (duplicate keys included) is left to [`parse_response`].
fn plain_success(status: u16, body: &Bytes) -> Option<Bytes> {
    if !(200..400).contains(&status) {
        return None;
    }
    let e: Envelope = serde_json::from_slice(body).ok()?;
    if e.error_code.0 || e.error_message.0 || e.errors.is_some_and(|r| r.get().trim() != "[]") {
        return None;
    }
    let text = e.data?.get();
    if !text.starts_with('{') {
        return None;
    }
    // The raw text is a slice of `body`: its place there, found from the two addresses.
    let start = (text.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    (start + text.len() <= body.len()).then(|| body.slice(start..start + text.len()))
}

/// What `data.complexity` says the query cost and left, when asked for.
pub fn complexity_of(data: &[u8]) -> Option<ComplexityReport> {
    #[derive(Deserialize)]
    struct Complexity {
        complexity: Option<Value>,
    }
    let c = serde_json::from_slice::<Complexity>(data).ok()?.complexity?;
    let n = |k: &str| c.get(k).and_then(Value::as_u64);
    Some(ComplexityReport {
        before: n("before")?,
        query: n("query")?,
        after: n("after")?,
        reset_in_x_seconds: n("reset_in_x_seconds")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn both(status: u16, body: &str) -> (Result<Bytes, Error>, Result<serde_json::Map<String, Value>, Error>) {
        let bytes = Bytes::copy_from_slice(body.as_bytes());
        (
            parse_answer(status, None, None, &bytes, "2026-10"),
            parse_response(status, None, None, body.as_bytes(), "2026-10"),
        )
    }

    /// The scan's verdict is the long way's: the same data on success, the same error else.
    fn agree(status: u16, body: &str) {
        match both(status, body) {
            (Ok(fast), Ok(slow)) => {
                let fast: Value = serde_json::from_slice(&fast).expect("data is JSON");
                assert_eq!(fast, Value::Object(slow), "{body}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{body}"),
            (a, b) => panic!("{status} {body}: {a:?} against {b:?}"),
        }
    }

    #[test]
    fn successes_and_errors_read_as_the_long_way_reads_them() {
        for (status, body) in [
            (200, r#"{"data":{"me":{"id":"1"}},"extensions":{"request_id":"r"}}"#),
            (200, r#"{"data":{"complexity":{"before":10,"query":2,"after":8,"reset_in_x_seconds":30}},"errors":[]}"#),
            (200, r#"{"data":{"a":"\u00e9\"}"},"errors":null}"#),
            (200, r#"{"data":{"a":1},"errors":[{"message":"boom","extensions":{"code":"X"}}]}"#),
            (200, r#"{"data":{"a":1},"errors":"not a list"}"#),
            (200, r#"{"data":{"a":1},"error_code":null}"#),
            (200, r#"{"data":{"a":1},"data":{"b":2}}"#),
            (200, r#"{"error_message":"old shape","error_code":"E","status_code":500}"#),
            (200, r#"{"data":null}"#),
            (200, r#"{"data":[1]}"#),
            (200, r#"{}"#),
            (200, r#"[]"#),
            (200, "not json"),
            (500, r#"{"data":{"a":1}}"#),
            (
                429,
                r#"{"errors":[{"message":"rate","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":5}}]}"#,
            ),
            (302, r#"{"data":{"a":1}}"#),
        ] {
            agree(status, body);
        }
    }

    #[test]
    fn the_data_handed_on_is_a_slice_of_the_answer() {
        let body = Bytes::from_static(br#"{"data":{"me":{"id":"1"}}}"#);
        let data = parse_answer(200, None, None, &body, "2026-10").unwrap();
        assert_eq!(&data[..], br#"{"me":{"id":"1"}}"#);
        assert_eq!(data.as_ptr(), body[8..].as_ptr(), "no copy");
        assert_eq!(complexity_of(&data), None);
        let c = complexity_of(br#"{"x":[1,2],"complexity":{"before":10,"query":2,"after":8,"reset_in_x_seconds":30}}"#);
        assert_eq!(c.map(|c| (c.before, c.query, c.after, c.reset_in_x_seconds)), Some((10, 2, 8, 30)));
    }

    proptest! {
        /// Whatever JSON comes back, under any status, the two readings agree.
        #[test]
        fn any_answer_reads_as_the_long_way_reads_it(
            status in prop_oneof![Just(200u16), Just(400), Just(429), Just(500), 100u16..600],
            data in proptest::option::of(prop_oneof![Just("{\"a\":[1,{\"b\":null}]}"), Just("null"), Just("[]"), Just("\"s\"")]),
            errors in proptest::option::of(prop_oneof![Just("[]"), Just("null"), Just("[{\"message\":\"m\"}]"), Just("\"e\"")]),
            old in proptest::option::of(prop_oneof![Just("\"error_code\":\"C\""), Just("\"error_message\":null")]),
        ) {
            let mut fields = vec![];
            if let Some(d) = data { fields.push(format!("\"data\":{d}")); }
            if let Some(e) = errors { fields.push(format!("\"errors\":{e}")); }
            if let Some(o) = old { fields.push(o.to_string()); }
            agree(status, &format!("{{{}}}", fields.join(",")));
        }
    }
}
