use otto_core::api::ErrorBody;
use otto_core::ErrorKind;

/// What went wrong talking to Otto.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with an error status and the API's error body.
    #[error("{status} {}: {}", body.error, body.message)]
    Api {
        /// HTTP status.
        status: u16,
        /// The server's error body.
        body: ErrorBody,
    },
    /// The request could not be sent or the response not read.
    #[error("transport error: {0}")]
    Transport(String),
    /// The server's answer did not match the expected type.
    #[error("could not decode the response: {0}")]
    Decode(String),
    /// The client was configured wrongly (bad base URL...).
    #[error("invalid client configuration: {0}")]
    InvalidConfig(String),
    /// Ask Otto answered a question with an error message.
    #[error("Ask Otto error {code}: {message}")]
    Ask {
        /// The protocol's error code (`rate_limit_exceeded`, `not_found`...).
        code: String,
        /// What went wrong.
        message: String,
    },
}

impl ClientError {
    /// The core error kind this maps to, for matching without looking at HTTP statuses.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::Api { status, .. } => match status {
                400 | 413 | 415 => ErrorKind::InvalidInput,
                401 => ErrorKind::Unauthorized,
                403 => ErrorKind::Forbidden,
                404 => ErrorKind::NotFound,
                409 => ErrorKind::Conflict,
                429 => ErrorKind::RateLimited,
                503 => ErrorKind::Unavailable,
                _ => ErrorKind::Internal,
            },
            ClientError::Transport(_) => ErrorKind::Unavailable,
            ClientError::Ask { code, .. } => match code.as_str() {
                "not_found" => ErrorKind::NotFound,
                "unauthorized" => ErrorKind::Unauthorized,
                "forbidden" => ErrorKind::Forbidden,
                "rate_limit_exceeded" => ErrorKind::RateLimited,
                "bad_request" | "invalid_message" => ErrorKind::InvalidInput,
                _ => ErrorKind::Unavailable,
            },
            ClientError::Decode(_) | ClientError::InvalidConfig(_) => ErrorKind::Internal,
        }
    }

    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's error body, for API errors.
    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            ClientError::Api { body, .. } => Some(body),
            _ => None,
        }
    }
}
