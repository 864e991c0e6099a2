//! Wire types that only exist on the API (envelopes, results, the error body), shared by
//! `otto-server` and `otto-client` so both sides agree by construction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Call, Page, SopStage};

/// The error body of every failed request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"error": "bad_request", "message": "caller_phone: `abc` is not a phone number",
    "timestamp": "2025-01-15T10:30:00Z", "request_id": "3f1c0b7e-1a2b-4c3d-9e8f-0a1b2c3d4e5f"}))]
pub struct ErrorBody {
    /// Machine-readable code: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `payload_too_large`, `unsupported_media_type`, `rate_limit_exceeded`,
    /// `internal_server_error`, `service_unavailable`.
    pub error: String,
    /// What went wrong, naming the field for validation errors.
    pub message: String,
    /// When the error happened.
    pub timestamp: DateTime<Utc>,
    /// The request's `X-Request-ID`, for support and log search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For 429: seconds to wait before retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `healthy` or `degraded`.
    pub status: String,
    /// Always `otto-api`.
    pub service: String,
    /// Server version.
    pub version: String,
    /// Server time.
    pub timestamp: DateTime<Utc>,
    /// Storage backend in use (`sqlite`, `postgres`).
    pub storage: String,
}

/// `GET /api/v1/calls`: one page of calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CallList {
    /// The calls of this page.
    pub calls: Vec<Call>,
    /// Calls matching the filters.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// Whether another page follows.
    pub has_more: bool,
}

impl From<Page<Call>> for CallList {
    fn from(p: Page<Call>) -> Self {
        let has_more = p.has_more();
        Self { calls: p.items, total: p.total, limit: p.limit, offset: p.offset, has_more }
    }
}

/// `POST /api/v1/sop/stages` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SopStagesCreated {
    /// The company's SOP.
    pub sop_id: String,
    /// The stages created.
    pub stages: Vec<SopStage>,
}

/// `GET /api/v1/sop/stages` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SopStageList {
    /// The company.
    pub company_id: String,
    /// The company's SOP, once one exists.
    pub sop_id: Option<String>,
    /// This page of stages.
    pub stages: Vec<SopStage>,
    /// Stages matching the filters.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// Whether another page follows.
    pub has_more: bool,
}

/// `POST /api/v1/ingestion/entities` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EntityIngestionResult {
    /// Id of this ingestion, for logs and support.
    pub ingestion_id: String,
    /// `completed`: entities are stored when the response is sent.
    pub status: String,
    /// Entities in the request.
    pub entities_processed: u64,
    /// New entities.
    pub entities_created: u64,
    /// Entities changed by a newer version.
    pub entities_updated: u64,
    /// Entities already stored in this or a newer version (replays).
    pub entities_unchanged: u64,
}

/// `POST /api/v1/ingestion/events` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventIngestionResult {
    /// Id of this ingestion.
    pub ingestion_id: String,
    /// `completed`.
    pub status: String,
    /// Events in the request.
    pub events_processed: u64,
    /// Events stored for the first time.
    pub events_created: u64,
    /// Events already stored (replays), ignored.
    pub events_duplicate: u64,
}
