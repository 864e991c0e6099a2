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
    /// Ask Otto retrieval: `lexical` (full-text only) or `hybrid` (full-text fused with
    /// vector search).
    #[serde(default)]
    pub retrieval: String,
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

/// `GET /api/v1/calls/{call_id}/status`: where processing is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CallProcessingStatus {
    /// The call.
    pub call_id: String,
    /// Processing status (`pending`, `processing`, `completed`, `failed`).
    pub status: crate::domain::CallStatus,
    /// 0 to 100.
    pub progress: u8,
    /// State of each stage (`fetch`, `transcription`, `diarization`, `analysis`).
    pub stages: std::collections::BTreeMap<String, crate::domain::StageState>,
    /// Why processing failed, when it did.
    pub failure_reason: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// `GET /api/v1/calls/{call_id}/transcript`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranscriptResponse {
    /// The call.
    pub call_id: String,
    /// The whole text, one line per segment.
    pub transcript: String,
    /// Mean recognition confidence.
    pub confidence: f32,
    /// Language (BCP 47).
    pub language: String,
    /// `submitted` or the ASR engine.
    pub source: String,
    /// Times were estimated from word counts.
    pub timing_estimated: bool,
    /// Attributed, timed segments.
    pub segments: Vec<crate::domain::TranscriptSegment>,
}

/// Seconds one speaker talked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SpeakerTalkTime {
    /// Speaker label.
    pub speaker_id: String,
    /// Rep or customer.
    pub role: crate::domain::SpeakerRole,
    /// Seconds of speech.
    pub seconds: f64,
    /// Share of all speech, 0..=1.
    pub share: f64,
}

/// `GET /api/v1/calls/{call_id}/diarization` and `/speakers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiarizationResponse {
    /// The call.
    pub call_id: String,
    /// Speaker segments in time order, each with its role.
    pub speakers: Vec<crate::domain::TranscriptSegment>,
    /// Talk time per speaker.
    pub talk_time: Vec<SpeakerTalkTime>,
}

use crate::analysis::{
    Appointment, BantScores, CallAnalysis, CoachingItem, ExecutionQuality, LeadStatus, MeetingPhase, Objection,
    OutcomeAnalysis, Reason, StageGap,
};

/// `GET /api/v1/calls/{call_id}/analysis`: every analysis of the call in one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CallAnalysisResponse {
    /// The call.
    pub call_id: String,
    /// The analyses.
    #[serde(flatten)]
    pub analysis: CallAnalysis,
}

/// `GET /api/v1/calls/{call_id}/lead-classification`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeadClassificationResponse {
    /// The call.
    pub call_id: String,
    /// 0.0 (dead) to 1.0 (closing).
    pub lead_score: f32,
    /// Hot, warm or cold.
    pub lead_status: LeadStatus,
    /// Meets basic qualification criteria.
    pub qualified: bool,
    /// Budget, authority, need, timeline sub-scores.
    pub bant: BantScores,
    /// The reasons as sentences.
    pub qualification_reasons: Vec<String>,
    /// Confidence in the status.
    pub confidence_score: f32,
    /// The reasons with their evidence.
    pub reasons: Vec<Reason>,
    /// Engine that produced it.
    pub engine: String,
}

/// `GET /api/v1/calls/{call_id}/objections`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ObjectionsResponse {
    /// The call.
    pub call_id: String,
    /// Objections in the order raised; empty when there were none.
    pub objections: Vec<Objection>,
}

/// One SOP stage found on a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SopStageDetected {
    /// Stage name.
    pub stage_name: String,
    /// Stage order.
    pub stage_order: u32,
    /// When in the call it was first performed (absolute time, when the start time is known).
    pub detected_at: Option<DateTime<Utc>>,
    /// Seconds into the call.
    pub seconds_into_call: Option<f64>,
    /// Confidence that it was performed.
    pub confidence_score: f32,
    /// How well it was executed.
    pub quality: Option<ExecutionQuality>,
    /// Where it happened.
    pub evidence: Vec<crate::analysis::Evidence>,
}

/// `GET /api/v1/calls/{call_id}/sop-analysis`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SopAnalysisResponse {
    /// The call.
    pub call_id: String,
    /// Stages the rep performed, in SOP order.
    pub stages_detected: Vec<SopStageDetected>,
    /// What was missing, as sentences.
    pub gaps: Vec<String>,
    /// Missing stages with recommendations.
    pub gap_details: Vec<StageGap>,
    /// Share of configured stages performed.
    pub compliance_score: f32,
}

/// `GET /api/v1/calls/{call_id}/coaching`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoachingResponse {
    /// The call.
    pub call_id: String,
    /// Improvements first (by priority), then strengths.
    pub feedback: Vec<CoachingItem>,
}

/// `GET /api/v1/calls/{call_id}/meeting-segments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeetingSegmentsResponse {
    /// The call.
    pub call_id: String,
    /// Phases in order.
    pub segments: Vec<MeetingPhase>,
}

/// `GET /api/v1/calls/{call_id}/rehash-score`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RehashScoreResponse {
    /// The call.
    pub call_id: String,
    /// 1 (do not pursue) to 5 (closing).
    pub rehash_score: u8,
    /// Confidence in the score.
    pub confidence: f32,
    /// The reasons as sentences.
    pub reasons: Vec<String>,
    /// The reasons with their evidence.
    pub reason_details: Vec<Reason>,
    /// How the call ended.
    pub outcome: OutcomeAnalysis,
}

/// Body of `POST /api/v1/sop/compliance/analyze`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComplianceRequest {
    /// The call to check.
    pub call_id: String,
    /// The company's SOP id (optional; must match when given).
    pub sop_id: Option<String>,
}

/// `POST /api/v1/sop/compliance/analyze` result: the call checked against the current SOP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComplianceResult {
    /// The call.
    pub call_id: String,
    /// The SOP checked against.
    pub sop_id: String,
    /// Share of active stages performed.
    pub compliance_score: f32,
    /// Performed stages, in SOP order.
    pub stages_completed: Vec<String>,
    /// Skipped stages, in SOP order.
    pub stages_missing: Vec<String>,
    /// What to do differently.
    pub recommendations: Vec<String>,
    /// Per-stage detail.
    pub stages: Vec<SopStageDetected>,
}

/// A call's appointment summary (`POST /summary/appointment`, `GET /summary/call/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CallSummaryResponse {
    /// The call.
    pub call_id: String,
    /// The rep.
    pub rep_id: Option<String>,
    /// `appointment`.
    pub summary_type: String,
    /// The summary text.
    pub content: String,
    /// Fact-carrying points.
    pub key_points: Vec<String>,
    /// Agreed actions.
    pub next_steps: Vec<String>,
    /// The booked appointment, if any.
    pub appointment: Option<Appointment>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Compliance of one rep (11.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RepCompliance {
    /// The rep (null for calls without a rep).
    pub rep_id: Option<String>,
    /// Analysed calls with an SOP check.
    pub calls_analyzed: u64,
    /// Mean compliance score.
    pub compliance_score: Option<f32>,
    /// The stages this rep performs least (under half the time), weakest first.
    pub improvement_areas: Vec<String>,
}

/// `GET /api/v1/sop/compliance/{company_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComplianceAnalytics {
    /// The company.
    pub company_id: String,
    /// The range applied, as given.
    pub date_range: Option<String>,
    /// `company` for managers and admins, `own` for CSRs and sales reps.
    pub scope: String,
    /// Calls counted.
    pub calls_analyzed: u64,
    /// Mean compliance over those calls (null when none).
    pub overall_compliance: Option<f32>,
    /// Share of calls in which each stage was performed.
    pub stage_compliance: std::collections::BTreeMap<String, f32>,
    /// Per rep.
    pub rep_performance: Vec<RepCompliance>,
}

/// Body of `POST /api/v1/summary/appointment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AppointmentSummaryRequest {
    /// The call to summarise.
    pub call_id: String,
    /// `brief` or `detailed` (default).
    pub summary_type: Option<SummaryDetail>,
}

/// How much a summary says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SummaryDetail {
    /// A few lines.
    Brief,
    /// Everything relevant (default).
    #[default]
    Detailed,
}

/// Body of `POST /api/v1/summary/daily`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DailySummaryRequest {
    /// The day (YYYY-MM-DD), in the calls' local time.
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    /// The rep (CSRs and sales reps: themselves).
    pub rep_id: String,
    /// `brief` or `detailed` (default).
    pub summary_type: Option<SummaryDetail>,
}

/// Day metrics of a daily summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DailyMetrics {
    /// Analysed calls that day.
    pub calls_completed: u64,
    /// Of which qualified.
    pub qualified_leads: u64,
    /// Of which hot.
    pub hot_leads: u64,
    /// Appointments booked.
    pub appointments_scheduled: u64,
    /// Sales closed on the call.
    pub sales_closed: u64,
    /// Objections raised.
    pub objections_raised: u64,
    /// Of which handled.
    pub objections_handled: u64,
    /// Mean SOP compliance (null without an SOP).
    pub avg_compliance: Option<f32>,
}

/// `POST /api/v1/summary/daily` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DailySummaryResponse {
    /// Summary id (see the history).
    pub summary_id: String,
    /// The day.
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    /// The rep.
    pub rep_id: String,
    /// The recap text.
    pub content: String,
    /// The day's numbers.
    pub metrics: DailyMetrics,
    /// The calls counted.
    pub call_ids: Vec<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// What the rep already knows about the customer (`customer_context` of 5.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomerContext {
    /// Customer name.
    pub name: Option<String>,
    /// Customer's company.
    pub company: Option<String>,
    /// Customer phone; earlier calls from it are looked up.
    pub phone: Option<String>,
    /// Number of earlier interactions known to the caller.
    pub previous_interactions: Option<u32>,
    /// Last objection known to the caller, e.g. `price_concern`.
    pub last_objection: Option<String>,
}

/// Body of `POST /api/v1/summary/prep`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrepSummaryRequest {
    /// The upcoming (or a related earlier) call; its customer's history is used.
    pub call_id: Option<String>,
    /// The rep preparing.
    pub rep_id: String,
    /// CRM entity of the customer, whose events are included.
    pub entity_id: Option<String>,
    /// Known context.
    pub customer_context: Option<CustomerContext>,
}

/// One earlier call in a prep brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PriorCall {
    /// The call.
    pub call_id: String,
    /// When.
    pub date: DateTime<Utc>,
    /// How it ended.
    pub outcome: Option<String>,
    /// Objections left open.
    pub open_objections: Vec<String>,
}

/// `POST /api/v1/summary/prep` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrepSummaryResponse {
    /// Summary id.
    pub summary_id: String,
    /// The call.
    pub call_id: Option<String>,
    /// The rep.
    pub rep_id: String,
    /// The brief.
    pub content: String,
    /// What matters about this customer.
    pub key_insights: Vec<String>,
    /// How to run the call.
    pub suggested_approach: String,
    /// Earlier calls used.
    pub history: Vec<PriorCall>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// `GET /api/v1/summary/{rep_id}/history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SummaryHistory {
    /// The rep.
    pub rep_id: String,
    /// This page.
    pub summaries: Vec<crate::domain::Summary>,
    /// Matching summaries.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// Whether another page follows.
    pub has_more: bool,
}

/// `GET /api/v1/audit`: the audit trail, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditList {
    /// This page.
    pub events: Vec<crate::domain::AuditEvent>,
    /// Matching events.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// Whether another page follows.
    pub has_more: bool,
}

/// The Ask Otto WebSocket protocol (`/api/v1/rag/query`), shared by server and client.
pub mod ws {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Serialize};
    use utoipa::ToSchema;

    use crate::rag::Citation;

    /// Dates a question is limited to.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
    pub struct DateRangeBody {
        /// First day (inclusive).
        #[schema(value_type = Option<String>, format = Date)]
        pub start: Option<NaiveDate>,
        /// Last day (inclusive).
        #[schema(value_type = Option<String>, format = Date)]
        pub end: Option<NaiveDate>,
    }

    /// Optional context of a question.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
    pub struct QueryContext {
        /// Only calls in this range.
        pub date_range: Option<DateRangeBody>,
    }

    /// Messages from the client.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum ClientMessage {
        /// Opens (or resumes) a session. Browsers that can't set headers authenticate here.
        Connect {
            /// Session to resume; a new one is opened when absent.
            #[serde(default)]
            session_id: Option<String>,
            /// Bearer token, when not given on the upgrade request.
            #[serde(default)]
            token: Option<String>,
            /// Company, when not given on the upgrade request.
            #[serde(default)]
            company_id: Option<String>,
        },
        /// A question.
        Query {
            /// The question.
            message: String,
            /// Optional context.
            #[serde(default)]
            context: Option<QueryContext>,
            /// The session (defaults to the connection's).
            #[serde(default)]
            session_id: Option<String>,
        },
        /// A question continuing an earlier one.
        FollowUp {
            /// The question.
            message: String,
            /// The query it follows (defaults to the session's last).
            #[serde(default)]
            previous_query_id: Option<String>,
            /// Optional context.
            #[serde(default)]
            context: Option<QueryContext>,
            /// The session (defaults to the connection's).
            #[serde(default)]
            session_id: Option<String>,
        },
        /// Keep-alive.
        Ping,
        /// Ends the session's connection.
        Disconnect {
            /// The session.
            #[serde(default)]
            session_id: Option<String>,
        },
    }

    /// Messages from the server.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum ServerMessage {
        /// The session is open.
        Connected {
            /// Session id.
            session_id: String,
            /// `ready`.
            status: String,
            /// Server time.
            timestamp: DateTime<Utc>,
        },
        /// A question is being answered.
        Processing {
            /// Query id.
            query_id: String,
            /// `searching`.
            status: String,
            /// Server time.
            timestamp: DateTime<Utc>,
        },
        /// A piece of the answer.
        ResponseChunk {
            /// Query id.
            query_id: String,
            /// The text.
            chunk: String,
            /// 0-based.
            chunk_index: usize,
            /// Pieces in all.
            total_chunks: usize,
            /// Server time.
            timestamp: DateTime<Utc>,
        },
        /// The whole answer with its sources.
        ResponseComplete {
            /// Query id.
            query_id: String,
            /// Session id.
            session_id: String,
            /// The answer.
            answer: String,
            /// Sources, best first.
            citations: Vec<Citation>,
            /// 0..=1.
            confidence: f32,
            /// Questions worth asking next.
            suggested_follow_ups: Vec<String>,
            /// `aggregate`, `search` or `none`.
            mode: String,
            /// Server time.
            timestamp: DateTime<Utc>,
        },
        /// Something went wrong with a message or a question.
        Error {
            /// The query, when the error is about one.
            query_id: Option<String>,
            /// Code: `unauthorized`, `invalid_message`, `bad_request`, `not_found`,
            /// `rate_limit_exceeded`, `insufficient_data`, `timeout`, `internal_error`.
            error: String,
            /// What went wrong.
            message: String,
            /// What to do about it.
            suggestion: String,
            /// For `rate_limit_exceeded`: seconds to wait.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            retry_after: Option<u64>,
            /// Server time.
            timestamp: DateTime<Utc>,
        },
        /// The session is about to expire for inactivity.
        Timeout {
            /// Session id.
            session_id: String,
            /// Explanation.
            message: String,
            /// Server time.
            timestamp: DateTime<Utc>,
        },
        /// Answer to `ping`.
        Pong {
            /// Server time.
            timestamp: DateTime<Utc>,
        },
    }
}

/// `GET /api/v1/rag/queries`: query history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RagQueryList {
    /// This page.
    pub queries: Vec<crate::domain::RagQueryRecord>,
    /// Matching queries.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// Whether another page follows.
    pub has_more: bool,
}

/// Result of a document upload (3.1, 3.4, 3.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentIngestion {
    /// Id of this ingestion.
    pub ingestion_id: String,
    /// `processing`: extraction and indexing run in the background.
    pub status: String,
    /// The document (the same id when a file of the same name and type is replaced).
    pub document_id: String,
    /// Chunks indexed so far (0 until processing finishes; see the document's status).
    pub chunks_created: u32,
    /// Rough time to index.
    pub estimated_processing_time: String,
    /// Where to follow progress.
    pub processing_notes: String,
}

/// `DELETE /api/v1/maintenance/vectors/{entity_id}` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VectorsDeleted {
    /// The entity (document or call id).
    pub entity_id: String,
    /// Index entries removed.
    pub vectors_deleted: u64,
    /// `completed`.
    pub status: String,
    /// When.
    pub timestamp: DateTime<Utc>,
}

/// Body of `POST /api/v1/maintenance/vectors/reindex`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReindexRequest {
    /// Namespace to rebuild (default: the whole company, calls included).
    pub namespace: Option<String>,
    /// Rebuild even unchanged entries (every entry is rebuilt today; accepted for compatibility).
    #[serde(default)]
    pub force_reindex: bool,
    /// Accepted for compatibility; the worker sizes its own batches.
    pub batch_size: Option<u32>,
}

/// A reindex job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReindexStatus {
    /// Job id.
    pub reindex_id: String,
    /// `started`, `running`, `completed` or `failed`.
    pub status: String,
    /// Calls and documents to rebuild (when started).
    pub total_entities: Option<u64>,
    /// 0 to 100.
    pub progress: u8,
    /// Last error, if it failed.
    pub error: Option<String>,
}

/// Body of `POST /api/v1/asr/transcribe`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"audio_url": "https://recordings.example.com/call_12345.wav", "language": "en-US"}))]
pub struct TranscribeAudioRequest {
    /// Recording to transcribe (http or https; `file://` only when the server allows it).
    /// Fetched with the same rules as call recordings: 100 MB, 60 minutes, no private addresses.
    #[schema(max_length = 2048)]
    pub audio_url: String,
    /// Spoken language (BCP 47, e.g. `en-US`); default `en-US`.
    #[schema(max_length = 35)]
    pub language: Option<String>,
    /// Model the caller would like. Informational: the server transcribes with its configured
    /// engine, named in the response's `engine`.
    pub model: Option<String>,
}

/// One timed stretch of a standalone transcription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranscribedSegment {
    /// Start, seconds from the beginning of the recording.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Recognised text.
    pub text: String,
    /// Engine confidence 0..=1.
    pub confidence: f32,
    /// Provider speaker label, when the engine diarizes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

/// `POST /api/v1/asr/transcribe`: the recording's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranscribeAudioResponse {
    /// The whole text.
    pub transcript: String,
    /// Duration-weighted mean of the segment confidences (0..=1).
    pub confidence: f32,
    /// The requested language (or the one the engine detected).
    pub language: String,
    /// Length of the recording in seconds.
    pub duration: f64,
    /// Timed segments.
    pub segments: Vec<TranscribedSegment>,
    /// Engine and model that transcribed, e.g. `whisper.cpp/whisper-tiny`.
    pub engine: String,
}

/// `GET /api/v1/calls/{call_id}/audio`: a signed, expiring playback link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AudioUrlResponse {
    /// Download URL of the stored recording; works without a token until `expires_at`.
    pub audio_url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Answer to a CallRail webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookAck {
    /// `processed` (acted on, or a replay of an event already acted on) or `ignored`.
    pub status: String,
    /// The Otto call the event maps to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    /// The audio-processing job, when the event queued one (the same id on replays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_id: Option<String>,
    /// Whether this delivery changed anything (false for replays).
    pub created: bool,
}

/// Body of `POST /api/v1/ingestion/documents/upload` (UWC): a document to fetch from a URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UrlUploadRequest {
    /// Must be the caller's company when given.
    pub company_id: Option<String>,
    /// File name to store it under, e.g. `policy.pdf`.
    #[schema(min_length = 1, max_length = 255)]
    pub document_name: String,
    /// File format hint (`pdf`, `docx`, `html`, `md`, `txt`); the format is detected from the bytes.
    pub document_type: Option<String>,
    /// Where to fetch it (http or https).
    #[schema(max_length = 2048, pattern = r"^(https?|file)://\S+$")]
    pub url: String,
    /// Namespace for maintenance (default: the company).
    pub namespace: Option<String>,
    /// `sop`, `training`, `reference` or `policy` (default `reference`).
    pub category: Option<crate::domain::DocumentType>,
    /// Caller's metadata.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /api/v1/ingestion/documents/upload` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UrlUploadAccepted {
    /// Id of the upload (report completion against it).
    pub upload_id: String,
    /// `uploaded`: fetching and indexing run in the background.
    pub status: String,
    /// The job doing the work (same as the upload id).
    pub processing_job_id: String,
    /// Rough completion time.
    pub estimated_completion: DateTime<Utc>,
}

/// Body of `POST /api/v1/ingestion/documents/complete` (UWC callback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UploadCompleteRequest {
    /// The upload.
    pub upload_id: String,
    /// Must match the upload's job id when given.
    pub processing_job_id: Option<String>,
    /// The processor's status (`completed` or `failed`).
    pub status: String,
    /// Chunks the processor created (informational).
    pub chunks_created: Option<u32>,
    /// Embeddings the processor created (informational).
    pub vector_embeddings: Option<u32>,
    /// What the processor extracted.
    pub metadata_extracted: Option<ExtractedMetadata>,
}

/// Metadata an external processor extracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ExtractedMetadata {
    /// Title.
    pub title: Option<String>,
    /// Pages.
    pub pages: Option<u32>,
    /// Language.
    pub language: Option<String>,
}

/// `POST /api/v1/ingestion/documents/complete` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UploadCompleteAck {
    /// `acknowledged`.
    pub status: String,
    /// The document the upload produced.
    pub document_id: String,
    /// Otto's own indexing status of it (`processing`, `indexed`, `failed`).
    pub indexing_status: String,
}
