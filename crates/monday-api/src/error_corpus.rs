//! The error parser over a corpus of monday.com error bodies, one per shape and code that
//! `monday-api.md` records.

use std::time::Duration;

use super::error::{parse_response, Error};

fn parse(status: u16, retry_after: Option<&str>, body: &str) -> Error {
    parse_response(status, retry_after, None, body.as_bytes(), "2026-10").expect_err("an error")
}

#[test]
fn application_error_with_http_200_and_partial_data() {
    let e = parse(
        200,
        None,
        r#"{"data":{"me":null},"errors":[{"message":"User unauthorized to perform action","locations":[{"line":1,"column":2}],"path":["me"],"extensions":{"code":"USER_UNAUTHORIZED","status_code":403,"error_data":{}}}],"extensions":{"request_id":"abc-1"}}"#,
    );
    assert!(matches!(&e, Error::Forbidden { code, .. } if code == "USER_UNAUTHORIZED"), "{e:?}");
    assert_eq!(e.request_id(), Some("abc-1"));
    assert!(!e.is_retryable());
}

#[test]
fn complexity_budget_429_with_retry_hint() {
    let e = parse(
        429,
        Some("22"),
        r#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":22}}],"extensions":{"request_id":"0eb719eb"}}"#,
    );
    assert!(matches!(&e, Error::RateLimited { retry_after, .. } if *retry_after == Duration::from_secs(22)), "{e:?}");
    assert!(e.is_retryable());
}

#[test]
fn rate_limit_inside_http_200() {
    // The Airbyte lesson: a budget error may arrive with HTTP 200.
    let e = parse(
        200,
        None,
        r#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":7}}]}"#,
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
}

#[test]
fn each_rate_limit_code() {
    for code in [
        "MINUTE_RATE_LIMIT_EXCEEDED",
        "MAX_CONCURRENCY_EXCEEDED",
        "DAILY_LIMIT_EXCEEDED",
        "IP_RATE_LIMIT_EXCEEDED",
        "maxConcurrencyExceeded",
    ] {
        let body = format!(r#"{{"errors":[{{"message":"x","extensions":{{"code":"{code}","retry_in_seconds":3}}}}]}}"#);
        let e = parse(429, None, &body);
        assert!(
            matches!(&e, Error::RateLimited { code: c, retry_after, .. } if c == code && *retry_after == Duration::from_secs(3)),
            "{code}: {e:?}"
        );
    }
    // Retry-After header alone.
    let e = parse(429, Some("41"), r#"{"errors":[{"message":"Rate Limit Exceeded"}]}"#);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(41)));
}

#[test]
fn legacy_shapes() {
    // Up to 2024-07: top-level fields only.
    let e = parse(
        200,
        None,
        r#"{"error_message":"User unauthorized to perform action","error_code":"UserUnauthorizedException","error_data":{},"status_code":403,"account_id":123456}"#,
    );
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
    // The old complexity error with the wait only in the message.
    let e = parse(
        200,
        None,
        r#"{"error_code":"ComplexityException","error_message":"Complexity budget exhausted, query cost 30001 budget remaining 5000 out of 1000000 reset in 13 seconds","status_code":429}"#,
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(13)));
    // FIELD_LIMIT_EXCEEDED with the wait in error_data.
    let e = parse(
        200,
        None,
        r#"{"error_message":"Concurrency limit exceeded for the field","error_code":"FIELD_LIMIT_EXCEEDED","error_data":{"retry_in_seconds":15,"entity":"boards"},"status_code":429,"account_id":1}"#,
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(15)));
    // 2024-10 sent both; the errors[] entry is read.
    let e = parse(
        200,
        None,
        r#"{"errors":[{"message":"User unauthorized to perform action","extensions":{"code":"UserUnauthorizedException","error_data":{},"status_code":403}}],"error_message":"User unauthorized to perform action","error_code":"UserUnauthorizedException","status_code":403}"#,
    );
    assert!(matches!(e, Error::Forbidden { .. }));
    let e = parse(
        400,
        None,
        r#"{"error_message":"Syntax error in JSON input","error_code":"JsonParseException","error_data":{"json":"{\"columnId..."},"status_code":400}"#,
    );
    assert!(matches!(&e, Error::InvalidArgument { code, .. } if code == "JsonParseException"), "{e:?}");
}

#[test]
fn authentication_errors() {
    assert!(matches!(parse(401, None, r#"{"errors":["Not Authenticated"]}"#), Error::Unauthorized { .. }));
    assert!(matches!(parse(401, None, "Not Authenticated"), Error::Unauthorized { .. }));
    assert!(matches!(
        parse(401, None, r#"{"errors":[{"message":"Not Authenticated","extensions":{"code":"UNAUTHENTICATED"}}]}"#),
        Error::Unauthorized { .. }
    ));
    let e = parse(
        403,
        None,
        r#"{"errors":[{"message":"User may not use the API","extensions":{"code":"USER_ACCESS_DENIED","status_code":403}}]}"#,
    );
    assert!(matches!(e, Error::Forbidden { .. }));
    assert!(e.to_string().contains("admin"), "says what to do: {e}");
}

#[test]
fn validation_and_parse_errors_name_the_version() {
    let e = parse(
        200,
        None,
        r#"{"errors":[{"message":"Field 'nmae' doesn't exist on type 'User'","locations":[{"line":1,"column":9}],"path":["query","users","nmae"],"extensions":{"code":"undefinedField","typeName":"User","fieldName":"nmae"}}]}"#,
    );
    assert!(matches!(&e, Error::InvalidQuery { code, .. } if code == "undefinedField"));
    assert!(e.to_string().contains("2026-10"));
    let e = parse(
        200,
        None,
        r#"{"errors":[{"message":"Parse error on \"}\" (RCURLY) at [1, 10]","locations":[{"line":1,"column":10}]}]}"#,
    );
    assert!(matches!(e, Error::InvalidQuery { .. }));
}

#[test]
fn per_query_cap_is_not_a_rate_limit() {
    let e = parse(
        200,
        None,
        r#"{"errors":[{"message":"Query has complexity of 5200000, which exceeds max complexity of 5000000","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","complexity":5200000,"complexity_budget_left":9000000,"complexity_budget_limit":10000000}}]}"#,
    );
    assert!(matches!(e, Error::QueryTooComplex { complexity: Some(5_200_000), .. }), "{e:?}");
    assert!(!e.is_retryable());
}

#[test]
fn argument_errors() {
    for code in [
        "InvalidArgumentException",
        "InvalidUserIdException",
        "InvalidBoardIdException",
        "ResourceNotFoundException",
        "InvalidVersionException",
    ] {
        let body = format!(
            r#"{{"data":{{"users":null}},"errors":[{{"message":"bad","extensions":{{"code":"{code}","status_code":400}}}}]}}"#
        );
        assert!(matches!(parse(200, None, &body), Error::InvalidArgument { .. }), "{code}");
    }
    assert!(matches!(
        parse(422, None, r#"{"errors":[{"message":"too many","extensions":{"code":"RecordInvalidException"}}]}"#),
        Error::InvalidArgument { .. }
    ));
}

#[test]
fn server_errors_and_garbage() {
    let e = parse(502, None, "<html><body>Bad Gateway</body></html>");
    assert!(matches!(e, Error::Server { status: 502, .. }) && e.is_retryable());
    let e = parse(
        500,
        None,
        r#"{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR","status_code":500}}]}"#,
    );
    assert!(matches!(e, Error::Server { status: 500, .. }));
    assert!(matches!(
        parse(423, None, r#"{"errors":[{"message":"Resource is currently locked, please try again later"}]}"#),
        Error::Server { status: 423, .. }
    ));
    assert!(matches!(parse(200, None, "not json"), Error::MalformedResponse { .. }));
    assert!(matches!(parse(200, None, r#"{"data": 3}"#), Error::MalformedResponse { .. }));
    assert!(matches!(parse(200, None, r#"[]"#), Error::MalformedResponse { .. }));
}

#[test]
fn success_returns_data() {
    let data =
        parse_response(200, None, None, br#"{"data":{"me":{"id":"1"}},"extensions":{"request_id":"r"}}"#, "2026-10")
            .unwrap();
    assert_eq!(data["me"]["id"], "1");
}

#[test]
fn which_failures_prove_nothing_happened() {
    let rate =
        parse(429, Some("3"), r#"{"errors":[{"message":"x","extensions":{"code":"MINUTE_RATE_LIMIT_EXCEEDED"}}]}"#);
    assert!(rate.not_processed());
    let server = parse(503, None, "Service Unavailable");
    assert!(server.is_retryable() && !server.not_processed(), "a 5xx may come after the change was made");
    let refused = Error::Transport { url: "u".into(), detail: "refused".into(), timeout: false, connect: true };
    let dropped = Error::Transport { url: "u".into(), detail: "reset".into(), timeout: false, connect: false };
    assert!(refused.not_processed() && !dropped.not_processed());
}

/// Numbers from the network are bounded: absurd retry hints are cut to a day, never a panic.
#[test]
fn absurd_retry_hints_are_bounded() {
    let day = Duration::from_secs(86_400);
    for body in [
        r#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":1e300}}]}"#,
        r#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":18446744073709551615}}]}"#,
        r#"{"errors":[{"message":"Complexity budget exhausted, reset in 18446744073709551615 seconds","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED"}}]}"#,
    ] {
        let e = parse(429, None, body);
        assert!(matches!(&e, Error::RateLimited { retry_after, .. } if *retry_after == day), "{e:?}");
    }
    let e = parse(429, Some("18446744073709551615"), "not json");
    assert!(matches!(&e, Error::RateLimited { retry_after, .. } if *retry_after == day), "{e:?}");
}
