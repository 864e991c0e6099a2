//! The one error type of otto-core.
//!
//! Every port and service returns [`Error`]. Adapters convert their own errors (sqlx, io, http)
//! into [`ErrorKind::Backend`] with an opaque message so infrastructure types never cross the
//! port boundary. Only `otto-server` maps [`ErrorKind`] to HTTP statuses.

use std::fmt;

/// What went wrong, in terms a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The object does not exist, or exists in a scope the caller may not see.
    NotFound,
    /// The request is malformed or violates a rule; the message names the field.
    InvalidInput,
    /// The caller is authenticated but lacks the permission.
    Forbidden,
    /// The caller is not authenticated (missing, expired or forged credentials).
    Unauthorized,
    /// The request conflicts with the current state (duplicate id, bad transition).
    Conflict,
    /// Too many requests; retry after the given number of seconds.
    RateLimited,
    /// A dependency is temporarily unavailable; retrying later may succeed.
    Unavailable,
    /// A storage or provider backend failed.
    Backend,
    /// A bug or an invariant violation.
    Internal,
}

impl ErrorKind {
    /// Stable snake_case code, used in logs and in the HTTP error body.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidInput => "bad_request",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limit_exceeded",
            ErrorKind::Unavailable => "service_unavailable",
            ErrorKind::Backend | ErrorKind::Internal => "internal_server_error",
        }
    }
}

/// An otto-core error: a kind plus a human-readable message.
#[derive(Debug, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    retry_after_secs: Option<u64>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

/// Result alias used throughout otto-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), retry_after_secs: None, source: None }
    }
    /// [`ErrorKind::NotFound`] for `what` (e.g. `"call call_1"`).
    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::new(ErrorKind::NotFound, format!("{what} not found"))
    }
    /// [`ErrorKind::InvalidInput`] naming the offending `field`.
    pub fn invalid(field: &str, problem: impl fmt::Display) -> Self {
        Self::new(ErrorKind::InvalidInput, format!("{field}: {problem}"))
    }
    /// [`ErrorKind::Forbidden`].
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
    /// [`ErrorKind::Unauthorized`].
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }
    /// [`ErrorKind::Conflict`].
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    /// [`ErrorKind::RateLimited`] with the seconds after which a retry may succeed.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e =
            Self::new(ErrorKind::RateLimited, format!("Rate limit exceeded. Retry after {retry_after_secs} seconds."));
        e.retry_after_secs = Some(retry_after_secs);
        e
    }
    /// [`ErrorKind::Backend`] wrapping an adapter's error. The message is for logs only.
    pub fn backend(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            kind: ErrorKind::Backend,
            message: source.to_string(),
            retry_after_secs: None,
            source: Some(Box::new(source)),
        }
    }
    /// [`ErrorKind::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// For [`ErrorKind::RateLimited`]: seconds until a retry may succeed.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after_secs
    }
}
