//! One error type for both modes: the core [`ErrorKind`] plus a message that names the field or
//! the reason, and the HTTP status when a server answered.

use otto_core::ErrorKind;

/// What went wrong, whichever backend was used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.code())]
pub struct SdkError {
    /// What kind of failure (bindings map it to their typed exceptions).
    pub kind: ErrorKind,
    /// Human-readable detail (names the field for invalid input).
    pub message: String,
    /// The HTTP status, when a server answered with an error.
    pub status: Option<u16>,
    /// Seconds to wait before retrying, for rate limits.
    pub retry_after: Option<u64>,
}

impl SdkError {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), status: None, retry_after: None }
    }

    /// The stable snake_case code of the kind (`not_found`, `bad_request`...).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl From<otto_core::Error> for SdkError {
    fn from(e: otto_core::Error) -> Self {
        Self { kind: e.kind(), message: e.message().to_string(), status: None, retry_after: e.retry_after_secs() }
    }
}

impl From<otto_client::ClientError> for SdkError {
    fn from(e: otto_client::ClientError) -> Self {
        let kind = e.kind();
        match &e {
            otto_client::ClientError::Api { status, body } => {
                Self { kind, message: body.message.clone(), status: Some(*status), retry_after: body.retry_after }
            }
            other => Self::new(kind, other.to_string()),
        }
    }
}
