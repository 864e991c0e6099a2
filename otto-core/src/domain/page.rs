use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default page size when a request names none.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest page size a request may ask for.
pub const MAX_LIMIT: u32 = 100;

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending.
    #[default]
    Asc,
    /// Descending.
    Desc,
}

impl SortOrder {
    /// SQL keyword.
    pub fn sql(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        }
    }
}

/// Offset pagination, validated: `limit` in 1..=100 (default 20), `offset` >= 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Page size.
    pub limit: u32,
    /// Rows to skip.
    pub offset: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, offset: 0 }
    }
}

impl PageRequest {
    /// Validates optional `limit`/`offset` query values.
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> Result<Self> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(l) if (1..=i64::from(MAX_LIMIT)).contains(&l) => l as u32,
            Some(l) => return Err(Error::invalid("limit", format!("must be between 1 and {MAX_LIMIT}, got {l}"))),
        };
        let offset = match offset {
            None => 0,
            Some(o) if o >= 0 => o as u64,
            Some(o) => return Err(Error::invalid("offset", format!("must be >= 0, got {o}"))),
        };
        Ok(Self { limit, offset })
    }
}

/// One page of results plus the total number of matching rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows matching the filter, across all pages.
    pub total: u64,
    /// The page size used.
    pub limit: u32,
    /// The offset used.
    pub offset: u64,
}

impl<T> Page<T> {
    /// Whether rows remain after this page.
    pub fn has_more(&self) -> bool {
        self.offset + (self.items.len() as u64) < self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_page_request_bounds() {
        assert_eq!(PageRequest::new(None, None).unwrap(), PageRequest { limit: 20, offset: 0 });
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(101), None).is_err());
        assert!(PageRequest::new(None, Some(-1)).is_err());
        assert_eq!(PageRequest::new(Some(100), Some(5)).unwrap().limit, 100);
    }
}
