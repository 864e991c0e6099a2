//! Typed exceptions: one subclass of `otto.OttoError` per error kind, carrying `code`,
//! `status` (HTTP, remote mode) and `retry_after` (rate limits).

use otto_sdk::{ErrorKind, SdkError};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

pyo3::create_exception!(otto, OttoError, PyException, "Base class of every Otto error.");
pyo3::create_exception!(otto, NotFoundError, OttoError, "The object does not exist or is not visible to you.");
pyo3::create_exception!(otto, InvalidInputError, OttoError, "The input is invalid; the message names the field.");
pyo3::create_exception!(otto, ForbiddenError, OttoError, "Your role lacks the permission.");
pyo3::create_exception!(otto, UnauthorizedError, OttoError, "Missing, expired or forged credentials.");
pyo3::create_exception!(otto, ConflictError, OttoError, "The request conflicts with the current state.");
pyo3::create_exception!(otto, RateLimitedError, OttoError, "Too many requests; see `retry_after`.");
pyo3::create_exception!(otto, UnavailableError, OttoError, "Temporarily unavailable (or still processing); retry.");
pyo3::create_exception!(otto, BackendError, OttoError, "A storage or provider backend failed.");
pyo3::create_exception!(otto, InternalError, OttoError, "A bug in Otto.");

/// The exception for an SDK error.
pub fn to_py(e: SdkError) -> PyErr {
    let msg = e.to_string();
    let err = match e.kind {
        ErrorKind::NotFound => NotFoundError::new_err(msg),
        ErrorKind::InvalidInput => InvalidInputError::new_err(msg),
        ErrorKind::Forbidden => ForbiddenError::new_err(msg),
        ErrorKind::Unauthorized => UnauthorizedError::new_err(msg),
        ErrorKind::Conflict => ConflictError::new_err(msg),
        ErrorKind::RateLimited => RateLimitedError::new_err(msg),
        ErrorKind::Unavailable => UnavailableError::new_err(msg),
        ErrorKind::Backend => BackendError::new_err(msg),
        _ => InternalError::new_err(msg),
    };
    Python::attach(|py| {
        let value = err.value(py);
        let _ = value.setattr("code", e.code());
        let _ = value.setattr("status", e.status);
        let _ = value.setattr("retry_after", e.retry_after);
    });
    err
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("OttoError", py.get_type::<OttoError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("InvalidInputError", py.get_type::<InvalidInputError>())?;
    m.add("ForbiddenError", py.get_type::<ForbiddenError>())?;
    m.add("UnauthorizedError", py.get_type::<UnauthorizedError>())?;
    m.add("ConflictError", py.get_type::<ConflictError>())?;
    m.add("RateLimitedError", py.get_type::<RateLimitedError>())?;
    m.add("UnavailableError", py.get_type::<UnavailableError>())?;
    m.add("BackendError", py.get_type::<BackendError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}
