//! Errors as HTTP responses: the only place core's [`ErrorKind`] meets a status code.
//!
//! Handlers and extractors return [`ApiError`]. Its response carries the error in an extension
//! and no body yet; [`render_errors`] (the outermost layer) writes the spec's body
//! `{error, message, timestamp, request_id, retry_after}` so every error, including those of
//! rejections and fallbacks, has the same shape and the request's id.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use otto_core::api::ErrorBody;
use otto_core::{Error, ErrorKind};

use crate::request_id::RequestId;

/// An API error: status, code and message.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with an explicit status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }
    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// 429 with the seconds to wait.
    pub fn rate_limited(retry_after: u64) -> Self {
        Self::from(Error::rate_limited(retry_after))
    }
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let (status, message) = match e.kind() {
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, e.message().to_string()),
            ErrorKind::InvalidInput => (StatusCode::BAD_REQUEST, e.message().to_string()),
            ErrorKind::Forbidden => (StatusCode::FORBIDDEN, e.message().to_string()),
            ErrorKind::Unauthorized => (StatusCode::UNAUTHORIZED, e.message().to_string()),
            ErrorKind::Conflict => (StatusCode::CONFLICT, e.message().to_string()),
            ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, e.message().to_string()),
            ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, e.message().to_string()),
            // Internals stay in the log (with the request id); the client gets a generic text.
            ErrorKind::Backend | ErrorKind::Internal => {
                tracing::error!(error = %e, source = ?std::error::Error::source(&e), "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "An unexpected error occurred".to_string())
            }
            _ => {
                tracing::error!(error = %e, "unmapped error kind");
                (StatusCode::INTERNAL_SERVER_ERROR, "An unexpected error occurred".to_string())
            }
        };
        Self { status, code: e.kind().code(), message, retry_after: e.retry_after_secs() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res.extensions_mut().insert(self);
        res
    }
}

/// Outermost middleware: turns every error response into the spec's JSON body. Responses that
/// carry an [`ApiError`] use it; bare error statuses from the framework (unknown route, method
/// not allowed, a panic caught lower down) get a generic message for their status.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let mut res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let err = match res.extensions_mut().remove::<ApiError>() {
        Some(e) => e,
        None if is_json(&res) => return res,
        None => generic(status),
    };
    let body = ErrorBody {
        error: err.code.to_string(),
        message: err.message,
        timestamp: Utc::now(),
        request_id,
        retry_after: err.retry_after,
    };
    let mut out = (status, axum::Json(body)).into_response();
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = res.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

fn generic(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found("No such route. See /docs for the API."),
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::new(status, "method_not_allowed", "This route does not support the method. See /docs.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(status, "payload_too_large", "The request body is too large"),
        StatusCode::REQUEST_TIMEOUT => ApiError::new(status, "request_timeout", "The request took too long"),
        s if s.is_server_error() => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", "An unexpected error occurred")
        }
        s => ApiError::new(s, "bad_request", s.canonical_reason().unwrap_or("Bad request")),
    }
}
