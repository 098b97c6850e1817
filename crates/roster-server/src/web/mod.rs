//! The web UI, served by `roster serve` under `/ui`: server-rendered HTML (minijinja, every
//! template auto-escaped), no JavaScript at all, so every form works in any browser; sessions
//! from an API key, a CSRF token in every form, and headers that forbid scripts, framing and
//! sniffing. Pages read through the same store and engine calls as the HTTP API.

mod actions;
mod events;
mod governance;
mod pages;
mod plans;
pub mod session;

use std::sync::{Arc, OnceLock};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::Environment;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;
use session::Session;

pub use governance::ITEMS_PAGE as INBOX_PAGE;
pub use session::Sessions;

/// The templates, compiled once. Names end in `.html`, so minijinja escapes every value.
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = Environment::new();
        for (name, text) in [
            ("base.html", include_str!("templates/base.html")),
            ("login.html", include_str!("templates/login.html")),
            ("error.html", include_str!("templates/error.html")),
            ("dashboard.html", include_str!("templates/dashboard.html")),
            ("users.html", include_str!("templates/users.html")),
            ("user.html", include_str!("templates/user.html")),
            ("resources.html", include_str!("templates/resources.html")),
            ("who.html", include_str!("templates/who.html")),
            ("events.html", include_str!("templates/events.html")),
            ("report.html", include_str!("templates/report.html")),
            ("plan.html", include_str!("templates/plan.html")),
            ("reviews.html", include_str!("templates/reviews.html")),
            ("review.html", include_str!("templates/review.html")),
            ("jit.html", include_str!("templates/jit.html")),
            ("plans.html", include_str!("templates/plans.html")),
        ] {
            // The templates are part of the binary and tested: a broken one fails the tests.
            if let Err(err) = e.add_template(name, text) {
                tracing::error!("web template {name}: {err}");
            }
        }
        e
    })
}

/// Renders `name` with `ctx` and the caller (for the navigation).
pub(crate) fn render(name: &str, who: Option<&Session>, ctx: minijinja::Value) -> Result<Response, WebError> {
    let me = who.map(|s| {
        minijinja::context! { name => s.name.clone(), role => s.role.as_str(), csrf => s.csrf.clone(), admin => s.is_admin(), reads => s.reads() }
    });
    let full = minijinja::context! { me => me, ..ctx };
    let t = env().get_template(name).map_err(|e| WebError::internal(format!("template {name}: {e}")))?;
    let html = t.render(full).map_err(|e| WebError::internal(format!("template {name}: {e}")))?;
    Ok(Html(html).into_response())
}

/// Any serializable value as a template value.
pub(crate) fn ser<T: Serialize>(v: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}

/// A page that could not be shown: an HTML page with the status and what to do.
#[derive(Debug)]
pub struct WebError {
    status: StatusCode,
    message: String,
}

impl WebError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError { status, message: message.into() }
    }
    pub(crate) fn internal(message: impl Into<String>) -> WebError {
        let message = message.into();
        tracing::error!("web: {message}");
        WebError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    pub(crate) fn forbidden(message: impl Into<String>) -> WebError {
        WebError::new(StatusCode::FORBIDDEN, message)
    }
    pub(crate) fn bad(message: impl Into<String>) -> WebError {
        WebError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError::new(e.status().0, e.to_string())
    }
}

/// The engine's errors, as the API maps them, shown as a page.
macro_rules! web_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for WebError {
            fn from(e: $t) -> Self {
                WebError::from(ApiError::from(e))
            }
        }
    )*};
}
web_error_from!(
    roster_engine::review::ReviewError,
    roster_engine::jit::JitError,
    roster_engine::approval::ApprovalError
);

impl From<roster_store::StoreError> for WebError {
    fn from(e: roster_store::StoreError) -> Self {
        WebError::internal(e.to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let ctx = minijinja::context! { status => self.status.as_u16(), message => self.message };
        let body = env()
            .get_template("error.html")
            .and_then(|t| t.render(ctx))
            .unwrap_or_else(|_| "<!doctype html><title>Error</title><p>Something went wrong.</p>".into());
        (self.status, Html(body)).into_response()
    }
}

/// A form body as name/value pairs (checkbox lists repeat a name, which serde's form
/// decoding cannot hold).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(crate) fn parse(body: &axum::body::Bytes) -> Fields {
        Fields(url::form_urlencoded::parse(body).into_owned().collect())
    }
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).map(str::trim).filter(|v| !v.is_empty())
    }
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
    pub(crate) fn csrf(&self, me: &Session) -> Result<(), WebError> {
        check_csrf(me, self.one("csrf").unwrap_or_default())
    }
}

/// Forms carry the session's CSRF token; a missing or wrong one is refused before anything.
pub(crate) fn check_csrf(s: &Session, sent: &str) -> Result<(), WebError> {
    let ok = s.csrf.len() == sent.len() && s.csrf.bytes().zip(sent.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0;
    if ok {
        Ok(())
    } else {
        Err(WebError::forbidden(
            "the form is out of date or did not come from this site: reload the page and try again",
        ))
    }
}

/// Headers on every UI response: no scripts at all, styles from this site only, no framing,
/// no sniffing, no referrer, nothing cached.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    r
}

/// A state-changing request that a browser marks as coming from another site
/// (`Sec-Fetch-Site`), or whose `Origin` is another host, is refused before anything, beside the CSRF token: a page
/// elsewhere cannot make a signed-in admin's browser post here.
async fn same_origin(req: Request, next: Next) -> Response {
    if req.method() != axum::http::Method::GET && req.method() != axum::http::Method::HEAD {
        let h = req.headers();
        let named = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_ascii_lowercase());
        // Behind a proxy that rewrites Host, the name the browser used is X-Forwarded-Host.
        let hosts: Vec<String> = [named("host"), named("x-forwarded-host")].into_iter().flatten().collect();
        let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        // Browsers say where a request comes from in Sec-Fetch-Site; only this origin (or the
        // user's own navigation) may change anything. Without it, a named Origin must be this
        // host. "null" says nothing: this site's no-referrer policy makes Chromium send it on
        // its own forms, so it is judged by Sec-Fetch-Site alone.
        let fetch_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
        let foreign = match (fetch_site.as_deref(), origin.map(str::to_ascii_lowercase)) {
            (Some(site), _) => site != "same-origin" && site != "none",
            (None, Some(o)) if o != "null" => {
                let authority = o.split_once("://").map_or("", |(_, a)| a).trim_end_matches('/');
                !hosts.iter().any(|h| h == authority)
            }
            (None, _) => false,
        };
        if foreign {
            return WebError::forbidden("this request came from another site (its Origin is not this server): refused")
                .into_response();
        }
    }
    next.run(req).await
}

/// A file compiled into the binary, cacheable for an hour.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// A page of a list: where it starts, and the links before and after.
#[derive(Debug, Serialize)]
pub(crate) struct Pager {
    pub offset: u64,
    pub limit: u64,
    pub total: u64,
    pub prev: Option<u64>,
    pub next: Option<u64>,
}

impl Pager {
    pub(crate) fn new(offset: u64, limit: u64, total: u64) -> Pager {
        Pager {
            offset,
            limit,
            total,
            prev: (offset > 0).then(|| offset.saturating_sub(limit)),
            next: (offset + limit < total).then_some(offset + limit),
        }
    }
}

/// The `/ui` routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/ui", get(|| async { axum::response::Redirect::to("/ui/") }))
        .route("/ui/", get(pages::dashboard))
        .route("/ui/login", get(pages::login_form).post(pages::login))
        .route("/ui/logout", post(pages::logout))
        .route("/ui/static/app.css", get(|| async { asset("text/css; charset=utf-8", include_str!("static/app.css")) }))
        .route("/ui/static/favicon.svg", get(|| async { asset("image/svg+xml", include_str!("static/favicon.svg")) }))
        .route("/ui/a/{account}/users", get(pages::users))
        .route("/ui/a/{account}/users/{id}", get(pages::user))
        .route("/ui/a/{account}/resources/{rtype}", get(pages::resources))
        .route("/ui/a/{account}/who/{rtype}/{id}", get(pages::who))
        .route("/ui/a/{account}/events", get(events::events))
        .route("/ui/a/{account}/reports/{name}", get(pages::report))
        .route("/ui/a/{account}/plan", post(actions::plan))
        .route("/ui/a/{account}/plan/apply", post(actions::apply))
        .route("/ui/a/{account}/plans", get(plans::plans))
        .route("/ui/a/{account}/plans/{id}/decide", post(plans::decide))
        .route("/ui/a/{account}/reviews", get(governance::reviews))
        .route("/ui/a/{account}/reviews/{id}", get(governance::review))
        .route("/ui/a/{account}/reviews/{id}/decide", post(governance::decide))
        .route("/ui/a/{account}/reviews/{id}/signoff", post(governance::signoff))
        .route("/ui/a/{account}/reviews/{id}/evidence", get(governance::evidence))
        .route("/ui/a/{account}/jit", get(governance::jit).post(governance::jit_request))
        .route("/ui/a/{account}/jit/{id}/decide", post(governance::jit_decide))
        .layer(axum::middleware::from_fn(same_origin))
        .layer(axum::middleware::from_fn(security_headers))
}
