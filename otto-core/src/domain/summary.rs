use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::ids::CompanyId;
use super::page::{PageRequest, SortOrder};

/// Kinds of stored summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SummaryType {
    /// A rep's day.
    Daily,
    /// One call (appointment) summary.
    Appointment,
    /// A pre-call brief.
    Prep,
}

impl SummaryType {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SummaryType::Daily => "daily",
            SummaryType::Appointment => "appointment",
            SummaryType::Prep => "prep",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "daily" => SummaryType::Daily,
            "appointment" => SummaryType::Appointment,
            "prep" => SummaryType::Prep,
            _ => return None,
        })
    }
}

/// A generated summary, kept for the rep's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    /// Id.
    pub summary_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// Kind.
    #[serde(rename = "type")]
    pub summary_type: SummaryType,
    /// The rep it is about or for.
    pub rep_id: Option<String>,
    /// The call, for appointment and prep summaries.
    pub call_id: Option<String>,
    /// The day it covers (or was made).
    pub date: NaiveDate,
    /// The text.
    pub content: String,
    /// Structured parts (key points, next steps, metrics, insights), by kind.
    #[schema(value_type = Object)]
    pub details: Value,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// How to sort summary history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SummarySort {
    /// Creation time (default).
    #[default]
    CreatedAt,
    /// The day covered.
    Date,
}

/// Filters for summary history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryFilter {
    /// Only this rep's.
    pub rep_id: Option<String>,
    /// Only this kind.
    pub summary_type: Option<SummaryType>,
    /// Only this call's.
    pub call_id: Option<String>,
    /// Sort key.
    pub sort: SummarySort,
    /// Direction (API default `desc`).
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}
