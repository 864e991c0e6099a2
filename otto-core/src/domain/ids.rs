use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest id Otto accepts for companies, calls, entities, events and stages.
pub const MAX_ID_LEN: usize = 128;

/// Checks a client-supplied identifier: 1..=128 characters of `A-Z a-z 0-9 _ - . :`.
/// Ids end up in paths, logs and blob keys, so anything else is refused up front.
pub(crate) fn validate_id(field: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if id.len() > MAX_ID_LEN {
        return Err(Error::invalid(field, format!("longer than {MAX_ID_LEN} characters")));
    }
    if let Some(c) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))) {
        return Err(Error::invalid(field, format!("contains `{c}`; ids use letters, digits, `_`, `-`, `.` and `:`")));
    }
    if id.starts_with('.') {
        return Err(Error::invalid(field, "must not start with `.`"));
    }
    Ok(())
}

/// A fresh id with a readable prefix, e.g. `call_3f2a...`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// A tenant. Every stored row carries one and every query is filtered by it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CompanyId(String);

impl CompanyId {
    /// Validates and wraps a company id (usually a UUID).
    pub fn parse(s: impl Into<String>) -> Result<Self> {
        let s = s.into();
        validate_id("company_id", &s)?;
        Ok(Self(s))
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for CompanyId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        String::schema()
    }
}
impl utoipa::ToSchema for CompanyId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ids_reject_path_tricks_and_accept_uuids() {
        assert!(validate_id("call_id", "550e8400-e29b-41d4-a716-446655440000").is_ok());
        assert!(validate_id("call_id", "cr:123.x_y").is_ok());
        for bad in ["", "../etc", "a/b", ".hidden", "sp ace", &"x".repeat(129)] {
            assert!(validate_id("call_id", bad).is_err(), "{bad}");
        }
    }
}
