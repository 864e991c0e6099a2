//! Typed errors: an SDK error becomes a JS `Error` whose `code` is the SDK code (`not_found`,
//! `bad_request`...), whose `name` is the matching class name of the Python binding
//! (`NotFoundError`...), and which carries `status` (HTTP, remote mode) and `retryAfter`
//! (seconds, rate limits) when known. `types.d.ts` declares it as `OttoError`.

use napi::bindgen_prelude::{ToNapiValue, Unknown};
use napi::{sys, Env, JsValue, Result, Status, ValueType};
use otto_sdk::{ErrorKind, SdkError};

/// Every `code` an Otto error can have.
const CODES: [&str; 8] = [
    "not_found",
    "bad_request",
    "forbidden",
    "unauthorized",
    "conflict",
    "rate_limit_exceeded",
    "service_unavailable",
    "internal_server_error",
];

fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::InvalidInput => "InvalidInputError",
        ErrorKind::Forbidden => "ForbiddenError",
        ErrorKind::Unauthorized => "UnauthorizedError",
        ErrorKind::Conflict => "ConflictError",
        ErrorKind::RateLimited => "RateLimitedError",
        ErrorKind::Unavailable => "UnavailableError",
        ErrorKind::Backend => "BackendError",
        _ => "InternalError",
    }
}

/// The JS error object for `e`, as a napi error that rejects (or throws) with exactly it.
pub fn to_js(env: &Env, e: &SdkError) -> Result<napi::Error> {
    let mut err = env.create_error(napi::Error::new(Status::GenericFailure, e.message.clone()))?;
    err.set("code", e.code())?;
    err.set("name", class_name(e.kind))?;
    if let Some(status) = e.status {
        err.set("status", u32::from(status))?;
    }
    if let Some(secs) = e.retry_after {
        err.set("retryAfter", secs as f64)?;
    }
    Ok(napi::Error::from(err.to_unknown()))
}

/// Whether `value` is an object whose `code` is one of Otto's error codes.
pub fn is_otto_error(value: Unknown<'_>) -> bool {
    if value.get_type().ok() != Some(ValueType::Object) {
        return false;
    }
    let Ok(obj) = value.coerce_to_object() else { return false };
    matches!(obj.get::<String>("code"), Ok(Some(code)) if CODES.contains(&code.as_str()))
}

/// What one step of an answer stream yields: a piece of text, or the failure that ends the
/// stream. napi's async iterator converts the yielded value on the JS thread; converting
/// `Failed` returns the typed error, so `next()` rejects with it (an `Error` that references a
/// JS object is rejected with that very object).
pub enum AnswerChunk {
    /// A piece of the answer text.
    Text(String),
    /// The question failed.
    Failed(SdkError),
}

impl ToNapiValue for AnswerChunk {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        match val {
            // SAFETY: `env` is the live environment napi passed in.
            AnswerChunk::Text(text) => unsafe { String::to_napi_value(env, text) },
            AnswerChunk::Failed(e) => Err(to_js(&Env::from_raw(env), &e)?),
        }
    }
}
