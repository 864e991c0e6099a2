use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::call::validate_timezone;
use super::ids::CompanyId;
use crate::error::{Error, Result};

/// A company's settings (admins change them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanySettings {
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// In the company's stereo recordings, the channel carrying the rep (0 = left, 1 = right).
    /// A call's own `rep_channel` wins; without either, roles are inferred from the words.
    pub rep_channel: Option<u8>,
    /// The company's IANA time zone, for calls submitted without one.
    pub timezone: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Body of `PUT /api/v1/company/settings`: fields to set (`null` clears one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanySettingsUpdate {
    /// 0 (left) or 1 (right).
    #[schema(minimum = 0, maximum = 1)]
    pub rep_channel: Option<u8>,
    /// IANA time zone, e.g. `America/Chicago`.
    pub timezone: Option<String>,
}

impl CompanySettingsUpdate {
    /// Checks the fields.
    pub fn validate(&self) -> Result<()> {
        if let Some(ch) = self.rep_channel {
            if ch > 1 {
                return Err(Error::invalid("rep_channel", format!("must be 0 (left) or 1 (right), got {ch}")));
            }
        }
        if let Some(tz) = &self.timezone {
            validate_timezone(tz)?;
        }
        Ok(())
    }
}
