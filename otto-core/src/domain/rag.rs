use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ids::CompanyId;
use super::page::{PageRequest, SortOrder};

/// An Ask Otto conversation of one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RagSession {
    /// Id.
    pub session_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// Owner; nobody else may use the session.
    pub user_id: String,
    /// Opened.
    pub created_at: DateTime<Utc>,
    /// Last question.
    pub last_active_at: DateTime<Utc>,
}

/// A stored question and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RagQueryRecord {
    /// Id.
    pub query_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// Session.
    pub session_id: String,
    /// Who asked.
    pub user_id: String,
    /// The question.
    pub query_text: String,
    /// The answer.
    pub response_text: String,
    /// Citations of the answer.
    pub citations: Vec<crate::rag::Citation>,
    /// Suggested next questions.
    pub suggested_follow_ups: Vec<String>,
    /// `aggregate`, `search` or `none`.
    pub mode: String,
    /// Confidence.
    pub confidence: f32,
    /// Time to answer.
    pub processing_ms: u64,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Sort key of query history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RagQuerySort {
    /// When asked (default).
    #[default]
    CreatedAt,
    /// Alphabetical by question.
    QueryText,
}

/// Filters of query history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RagQueryFilter {
    /// Only this user's (CSRs and sales reps: always themselves).
    pub user_id: Option<String>,
    /// Only this session's.
    pub session_id: Option<String>,
    /// Case-insensitive substring of the question.
    pub search: Option<String>,
    /// Sort key.
    pub sort: RagQuerySort,
    /// Direction (API default `desc`).
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}
