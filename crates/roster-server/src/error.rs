//! API errors, converted to JSON once: `{"error": {"code", "message"}}` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Internal(String),
}

impl From<roster_store::StoreError> for ApiError {
    fn from(e: roster_store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// The engine's errors, each mapped to its status once (handlers use `?`).
impl From<roster_engine::ProvisionError> for ApiError {
    fn from(e: roster_engine::ProvisionError) -> Self {
        use roster_engine::ProvisionError as P;
        match e {
            P::Invalid(_) => ApiError::BadRequest(e.to_string()),
            P::NoSnapshot(_) => ApiError::NotFound(e.to_string()),
            P::MassChange(_) | P::Stale { .. } => ApiError::Conflict(e.to_string()),
            P::Store(e) => e.into(),
        }
    }
}

impl From<roster_engine::review::ReviewError> for ApiError {
    fn from(e: roster_engine::review::ReviewError) -> Self {
        use roster_engine::review::ReviewError as R;
        match e {
            R::Invalid(m) => ApiError::BadRequest(m),
            e @ (R::NotFound(..) | R::NoItem(..)) => ApiError::NotFound(e.to_string()),
            e @ R::NotReviewer { .. } => ApiError::Forbidden(e.to_string()),
            e @ (R::WrongState { .. } | R::StaleSnapshot { .. } | R::SignedOff(_) | R::Unfinished { .. }) => {
                ApiError::Conflict(e.to_string())
            }
            // A close whose remediation plan cannot go out: the campaign's content is the cause.
            R::Provision(roster_engine::ProvisionError::Store(s)) => s.into(),
            R::Provision(p) => ApiError::Unprocessable(p.to_string()),
            R::Store(s) => s.into(),
        }
    }
}

impl From<roster_engine::jit::JitError> for ApiError {
    fn from(e: roster_engine::jit::JitError) -> Self {
        use roster_engine::jit::JitError as J;
        match e {
            J::Invalid(m) => ApiError::BadRequest(m),
            e @ J::NotFound(..) => ApiError::NotFound(e.to_string()),
            e @ (J::WrongState { .. } | J::SelfApproval(_)) => ApiError::Conflict(e.to_string()),
            e @ J::NotApprover { .. } => ApiError::Forbidden(e.to_string()),
            e => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<roster_engine::approval::ApprovalError> for ApiError {
    fn from(e: roster_engine::approval::ApprovalError) -> Self {
        use roster_core::Refusal;
        use roster_engine::approval::ApprovalError as A;
        match e {
            A::NotFound { .. } => ApiError::NotFound(e.to_string()),
            A::Refused(Refusal::OwnPlan { .. } | Refusal::NotAnApprover { .. }) => ApiError::Forbidden(e.to_string()),
            A::Refused(_) | A::NoScim(_) | A::Unreadable { .. } => ApiError::Conflict(e.to_string()),
            A::Provision(p) => p.into(),
            A::Store(s) => s.into(),
            A::Review(_) | A::Scim(_) => ApiError::Conflict(e.to_string()),
        }
    }
}

/// Every `code` an error body can carry (the OpenAPI document's `ErrorBody` lists them).
pub const CODES: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not_found",
    "bad_request",
    "conflict",
    "invalid_body",
    "too_many_requests",
    "too_large",
    "unsupported_media_type",
    "internal",
];

impl ApiError {
    /// The HTTP status and the error code of the JSON body.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        let mut r = (status, Json(json!({ "error": { "code": code, "message": self.to_string() } }))).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_is_documented() {
        for e in [
            ApiError::Unauthorized(String::new()),
            ApiError::Forbidden(String::new()),
            ApiError::NotFound(String::new()),
            ApiError::BadRequest(String::new()),
            ApiError::Conflict(String::new()),
            ApiError::Unprocessable(String::new()),
            ApiError::TooManyRequests(String::new()),
            ApiError::TooLarge(String::new()),
            ApiError::UnsupportedMediaType(String::new()),
            ApiError::Internal(String::new()),
        ] {
            assert!(CODES.contains(&e.status().1), "{e:?}");
        }
    }
}
