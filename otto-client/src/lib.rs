//! # otto-client
//!
//! A typed async client for the Otto API, over the same wire types the server uses
//! ([`otto_core::api`], [`otto_core::domain`]). Retries 429 (and 503 for idempotent requests)
//! honouring `retry_after`; failures come back as [`ClientError`] with the server's error body.
//!
//! ```no_run
//! # async fn demo() -> Result<(), otto_client::ClientError> {
//! use otto_client::OttoClient;
//! use otto_core::NewCall;
//!
//! let otto = OttoClient::builder("http://127.0.0.1:8080", "<jwt>", "acme").build()?;
//! let call = otto.create_call(&NewCall { call_id: Some("call_1".into()), ..Default::default() }).await?;
//! let same = otto.get_call(&call.call_id).await?;
//! assert_eq!(call, same);
//! # Ok(()) }
//! ```

mod ask;
mod error;

use std::time::Duration;

use chrono::{DateTime, Utc};
use otto_core::api::{
    AppointmentSummaryRequest, CallAnalysisResponse, CallList, CallProcessingStatus, CallSummaryResponse,
    CoachingResponse, ComplianceAnalytics, ComplianceRequest, ComplianceResult, DailySummaryRequest,
    DailySummaryResponse, DiarizationResponse, EntityIngestionResult, ErrorBody, EventIngestionResult, Health,
    LeadClassificationResponse, MeetingSegmentsResponse, ObjectionsResponse, PrepSummaryRequest, PrepSummaryResponse,
    RehashScoreResponse, SopAnalysisResponse, SopStageList, SopStagesCreated, SummaryHistory, TranscriptResponse,
};
use otto_core::domain::{
    Call, CallSort, CallStatus, CallType, CallUpdate, EntityIngestion, EventIngestion, NewCall, NewSopStages, SopStage,
    SopStageSort, SopStageUpdate, SortOrder, SummarySort, SummaryType,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use ask::{AskSession, StreamedAnswer};
pub use error::ClientError;

/// Filters for [`OttoClient::list_calls`]; `None` fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CallListQuery {
    /// Page size 1..=100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Rows to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Sort key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<CallSort>,
    /// Direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    /// Status filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CallStatus>,
    /// Rep filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rep_id: Option<String>,
    /// Type filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_type: Option<CallType>,
    /// CallRail id filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callrail_id: Option<String>,
    /// Created at or after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_after: Option<DateTime<Utc>>,
    /// Created before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_before: Option<DateTime<Utc>>,
    /// Customer phone filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_phone: Option<String>,
    /// Started at or after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_after: Option<DateTime<Utc>>,
    /// Started before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_before: Option<DateTime<Utc>>,
}

/// Filters for [`OttoClient::summary_history`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SummaryHistoryQuery {
    /// Page size 1..=100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Rows to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Kind filter.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub summary_type: Option<SummaryType>,
    /// Sort key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<SummarySort>,
    /// Direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
}

/// Filters for [`OttoClient::list_sop_stages`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SopStageQuery {
    /// Page size 1..=100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Rows to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Sort key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<SopStageSort>,
    /// Direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    /// Active filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
}

/// Builds an [`OttoClient`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: String,
    company_id: String,
    timeout: Duration,
    max_retries: u32,
    max_retry_wait: Duration,
}

impl ClientBuilder {
    /// Per-request timeout (default 60 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }
    /// Retries on 429/503 (default 3; 0 disables).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    /// Longest wait the client accepts from `retry_after` before giving up (default 60 s).
    pub fn max_retry_wait(mut self, d: Duration) -> Self {
        self.max_retry_wait = d;
        self
    }
    /// Builds the client.
    pub fn build(self) -> Result<OttoClient, ClientError> {
        let base = url::Url::parse(self.base_url.trim_end_matches('/'))
            .map_err(|e| ClientError::InvalidConfig(format!("base URL `{}`: {e}", self.base_url)))?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| ClientError::InvalidConfig(e.to_string()))?;
        Ok(OttoClient {
            http,
            base: base.as_str().trim_end_matches('/').to_string(),
            token: self.token,
            company_id: self.company_id,
            max_retries: self.max_retries,
            max_retry_wait: self.max_retry_wait,
        })
    }
}

/// A connection to one Otto server as one user of one company.
#[derive(Debug, Clone)]
pub struct OttoClient {
    http: reqwest::Client,
    base: String,
    token: String,
    company_id: String,
    max_retries: u32,
    max_retry_wait: Duration,
}

impl OttoClient {
    /// A builder for the server at `base_url`, authenticating with the bearer `token` for
    /// `company_id` (sent as `X-Company-ID`).
    pub fn builder(
        base_url: impl Into<String>,
        token: impl Into<String>,
        company_id: impl Into<String>,
    ) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: token.into(),
            company_id: company_id.into(),
            timeout: Duration::from_secs(60),
            max_retries: 3,
            max_retry_wait: Duration::from_secs(60),
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("X-Company-ID", &self.company_id)
            .header("X-Request-ID", uuid::Uuid::new_v4().to_string())
    }

    /// Sends with retries and decodes the JSON answer (or `()` for 204).
    async fn send<T: DeserializeOwned>(
        &self,
        build: impl Fn() -> RequestBuilder,
        idempotent: bool,
    ) -> Result<T, ClientError> {
        let mut attempt = 0;
        loop {
            let res = build().send().await.map_err(|e| ClientError::Transport(e.to_string()))?;
            let status = res.status();
            if status.is_success() {
                let bytes = res.bytes().await.map_err(|e| ClientError::Transport(e.to_string()))?;
                let bytes =
                    if status == StatusCode::NO_CONTENT || bytes.is_empty() { &b"null"[..] } else { &bytes[..] };
                return serde_json::from_slice(bytes).map_err(|e| ClientError::Decode(e.to_string()));
            }
            let header_wait = res
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let text = res.text().await.unwrap_or_default();
            let body: ErrorBody = serde_json::from_str(&text).unwrap_or_else(|_| ErrorBody {
                error: "unexpected_response".into(),
                message: text.chars().take(500).collect(),
                timestamp: Utc::now(),
                request_id: None,
                retry_after: None,
            });
            let retryable =
                status == StatusCode::TOO_MANY_REQUESTS || (idempotent && status == StatusCode::SERVICE_UNAVAILABLE);
            let wait = Duration::from_secs(body.retry_after.or(header_wait).unwrap_or(1));
            if retryable && attempt < self.max_retries && wait <= self.max_retry_wait {
                attempt += 1;
                tracing::debug!(status = status.as_u16(), ?wait, attempt, "retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(ClientError::Api { status: status.as_u16(), body });
        }
    }

    /// `GET /health`.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.send(|| self.http.get(format!("{}/health", self.base)), true).await
    }

    /// `POST /api/v1/calls`.
    pub async fn create_call(&self, call: &NewCall) -> Result<Call, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/calls").json(call), false).await
    }

    /// `GET /api/v1/calls/{call_id}`.
    pub async fn get_call(&self, call_id: &str) -> Result<Call, ClientError> {
        let path = format!("/api/v1/calls/{}", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `PUT /api/v1/calls/{call_id}`.
    pub async fn update_call(&self, call_id: &str, update: &CallUpdate) -> Result<Call, ClientError> {
        let path = format!("/api/v1/calls/{}", encode(call_id));
        self.send(|| self.request(Method::PUT, &path).json(update), true).await
    }

    /// `GET /api/v1/calls`.
    pub async fn list_calls(&self, query: &CallListQuery) -> Result<CallList, ClientError> {
        self.send(|| self.request(Method::GET, "/api/v1/calls").query(query), true).await
    }

    /// `POST /api/v1/ingestion/entities`.
    pub async fn ingest_entities(&self, req: &EntityIngestion) -> Result<EntityIngestionResult, ClientError> {
        // Idempotent by design (latest timestamp wins), so safe to retry.
        self.send(|| self.request(Method::POST, "/api/v1/ingestion/entities").json(req), true).await
    }

    /// `POST /api/v1/ingestion/events`.
    pub async fn ingest_events(&self, req: &EventIngestion) -> Result<EventIngestionResult, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/ingestion/events").json(req), true).await
    }

    /// `POST /api/v1/sop/stages`.
    pub async fn create_sop_stages(&self, req: &NewSopStages) -> Result<SopStagesCreated, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/sop/stages").json(req), false).await
    }

    /// `GET /api/v1/sop/stages`.
    pub async fn list_sop_stages(&self, query: &SopStageQuery) -> Result<SopStageList, ClientError> {
        self.send(|| self.request(Method::GET, "/api/v1/sop/stages").query(query), true).await
    }

    /// `PUT /api/v1/sop/stages/{stage_id}`.
    pub async fn update_sop_stage(&self, stage_id: &str, update: &SopStageUpdate) -> Result<SopStage, ClientError> {
        let path = format!("/api/v1/sop/stages/{}", encode(stage_id));
        self.send(|| self.request(Method::PUT, &path).json(update), true).await
    }

    /// `DELETE /api/v1/sop/stages/{stage_id}`.
    pub async fn delete_sop_stage(&self, stage_id: &str) -> Result<(), ClientError> {
        let path = format!("/api/v1/sop/stages/{}", encode(stage_id));
        self.send(|| self.request(Method::DELETE, &path), true).await
    }
}

impl OttoClient {
    /// Opens an Ask Otto session over the WebSocket (resuming `session_id` when given).
    pub async fn ask_session(&self, session_id: Option<&str>) -> Result<AskSession, ClientError> {
        AskSession::connect(&self.base, &self.token, &self.company_id, session_id).await
    }

    /// `GET /api/v1/rag/queries`.
    pub async fn rag_queries(&self, query: &[(&str, &str)]) -> Result<otto_core::api::RagQueryList, ClientError> {
        self.send(|| self.request(Method::GET, "/api/v1/rag/queries").query(query), true).await
    }

    /// `GET /api/v1/calls/{call_id}/status`: processing status (2.4).
    pub async fn call_status(&self, call_id: &str) -> Result<CallProcessingStatus, ClientError> {
        let path = format!("/api/v1/calls/{}/status", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/transcript`: transcript (2.6).
    pub async fn transcript(&self, call_id: &str) -> Result<TranscriptResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/transcript", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/diarization`: speaker diarization (2.7).
    pub async fn diarization(&self, call_id: &str) -> Result<DiarizationResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/diarization", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/speakers`: speaker segments (7.2).
    pub async fn speakers(&self, call_id: &str) -> Result<DiarizationResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/speakers", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/analysis`: every analysis in one document.
    pub async fn analysis(&self, call_id: &str) -> Result<CallAnalysisResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/analysis", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/lead-classification`: lead classification (7.3).
    pub async fn lead_classification(&self, call_id: &str) -> Result<LeadClassificationResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/lead-classification", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/objections`: objections (7.4).
    pub async fn objections(&self, call_id: &str) -> Result<ObjectionsResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/objections", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/sop-analysis`: SOP analysis (7.5).
    pub async fn sop_analysis(&self, call_id: &str) -> Result<SopAnalysisResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/sop-analysis", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/coaching`: coaching feedback (7.6).
    pub async fn coaching(&self, call_id: &str) -> Result<CoachingResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/coaching", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/meeting-segments`: meeting segmentation (7.7).
    pub async fn meeting_segments(&self, call_id: &str) -> Result<MeetingSegmentsResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/meeting-segments", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/calls/{call_id}/rehash-score`: rehash score (7.8).
    pub async fn rehash_score(&self, call_id: &str) -> Result<RehashScoreResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/rehash-score", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `POST /api/v1/sop/compliance/analyze`.
    pub async fn analyze_compliance(&self, req: &ComplianceRequest) -> Result<ComplianceResult, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/sop/compliance/analyze").json(req), true).await
    }

    /// `GET /api/v1/sop/compliance/{company_id}` (date_range: `YYYY-MM-DD..YYYY-MM-DD`).
    pub async fn compliance_analytics(&self, date_range: Option<&str>) -> Result<ComplianceAnalytics, ClientError> {
        let path = format!("/api/v1/sop/compliance/{}", encode(&self.company_id));
        let query: Vec<(&str, &str)> = date_range.map(|d| ("date_range", d)).into_iter().collect();
        self.send(|| self.request(Method::GET, &path).query(&query), true).await
    }

    /// `POST /api/v1/summary/daily`.
    pub async fn daily_summary(&self, req: &DailySummaryRequest) -> Result<DailySummaryResponse, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/summary/daily").json(req), false).await
    }

    /// `POST /api/v1/summary/appointment`.
    pub async fn appointment_summary(
        &self,
        req: &AppointmentSummaryRequest,
    ) -> Result<CallSummaryResponse, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/summary/appointment").json(req), false).await
    }

    /// `POST /api/v1/summary/prep`.
    pub async fn prep_summary(&self, req: &PrepSummaryRequest) -> Result<PrepSummaryResponse, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/summary/prep").json(req), false).await
    }

    /// `GET /api/v1/summary/call/{call_id}`.
    pub async fn call_summary(&self, call_id: &str) -> Result<CallSummaryResponse, ClientError> {
        let path = format!("/api/v1/summary/call/{}", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/summary/{rep_id}/history`.
    pub async fn summary_history(
        &self,
        rep_id: &str,
        query: &SummaryHistoryQuery,
    ) -> Result<SummaryHistory, ClientError> {
        let path = format!("/api/v1/summary/{}/history", encode(rep_id));
        self.send(|| self.request(Method::GET, &path).query(query), true).await
    }
}

/// Percent-encodes a path segment (ids are validated server-side; this keeps odd input from
/// changing the route).
fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}

/// Follow-ups (10.x) and performance analytics (12.x).
impl OttoClient {
    /// `POST /api/v1/ai/followup/draft`.
    pub async fn followup_draft(
        &self,
        req: &otto_core::domain::FollowupRequest,
    ) -> Result<otto_core::domain::FollowupDraft, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/ai/followup/draft").json(req), false).await
    }

    /// `POST /api/v1/ai/followup/nurture`.
    pub async fn nurture_followup(
        &self,
        req: &otto_core::domain::FollowupRequest,
    ) -> Result<otto_core::domain::FollowupDraft, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/ai/followup/nurture").json(req), false).await
    }

    /// `POST /api/v1/ai/followup/rehash`.
    pub async fn rehash_followup(
        &self,
        req: &otto_core::domain::FollowupRequest,
    ) -> Result<otto_core::domain::FollowupDraft, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/ai/followup/rehash").json(req), false).await
    }

    /// `GET /api/v1/followup/drafts/{draft_id}`.
    pub async fn followup_draft_by_id(&self, draft_id: &str) -> Result<otto_core::domain::FollowupDraft, ClientError> {
        let path = format!("/api/v1/followup/drafts/{}", encode(draft_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `PATCH /api/v1/followup/drafts/{draft_id}`: a lifecycle step and/or new content.
    pub async fn update_followup_draft(
        &self,
        draft_id: &str,
        update: &otto_core::domain::DraftUpdate,
    ) -> Result<otto_core::domain::FollowupDraft, ClientError> {
        let path = format!("/api/v1/followup/drafts/{}", encode(draft_id));
        self.send(|| self.request(Method::PATCH, &path).json(update), false).await
    }

    /// `GET /api/v1/followup/{rep_id}/drafts` with `limit`, `offset`, `sort`, `order`,
    /// `content_type`, `status`, `call_id`.
    pub async fn followup_drafts(
        &self,
        rep_id: &str,
        query: &[(&str, &str)],
    ) -> Result<otto_core::domain::DraftList, ClientError> {
        let path = format!("/api/v1/followup/{}/drafts", encode(rep_id));
        self.send(|| self.request(Method::GET, &path).query(query), true).await
    }

    /// `GET /api/v1/calls/{call_id}/follow-up-tasks`.
    pub async fn follow_up_tasks(&self, call_id: &str) -> Result<otto_core::domain::TaskList, ClientError> {
        let path = format!("/api/v1/calls/{}/follow-up-tasks", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `POST /api/v1/calls/{call_id}/follow-up-tasks`.
    pub async fn create_follow_up_task(
        &self,
        call_id: &str,
        task: &otto_core::domain::NewFollowupTask,
    ) -> Result<otto_core::domain::FollowupTask, ClientError> {
        let path = format!("/api/v1/calls/{}/follow-up-tasks", encode(call_id));
        self.send(|| self.request(Method::POST, &path).json(task), false).await
    }

    /// `GET /api/v1/analytics/performance/{company_id}` with optional `date_range`.
    pub async fn performance_metrics(
        &self,
        query: &[(&str, &str)],
    ) -> Result<otto_core::domain::PerformanceMetrics, ClientError> {
        let path = format!("/api/v1/analytics/performance/{}", encode(&self.company_id));
        self.send(|| self.request(Method::GET, &path).query(query), true).await
    }

    /// `GET /api/v1/analytics/reps/{company_id}` with `limit`, `offset`, `sort`, `order`,
    /// `min_performance_score`, `date_range`.
    pub async fn rep_performance(
        &self,
        query: &[(&str, &str)],
    ) -> Result<otto_core::domain::RepPerformanceList, ClientError> {
        let path = format!("/api/v1/analytics/reps/{}", encode(&self.company_id));
        self.send(|| self.request(Method::GET, &path).query(query), true).await
    }

    /// `GET /api/v1/analytics/objections/{company_id}` with `limit`, `offset`, `sort`, `order`,
    /// `min_frequency`, `date_range`.
    pub async fn objection_analytics(
        &self,
        query: &[(&str, &str)],
    ) -> Result<otto_core::domain::ObjectionAnalytics, ClientError> {
        let path = format!("/api/v1/analytics/objections/{}", encode(&self.company_id));
        self.send(|| self.request(Method::GET, &path).query(query), true).await
    }

    /// `GET /api/v1/analytics/leads/{company_id}` with `limit`, `offset`, `sort`, `order`,
    /// `quality_filter`, `source_filter`, `date_range`.
    pub async fn lead_analytics(
        &self,
        query: &[(&str, &str)],
    ) -> Result<otto_core::domain::LeadAnalytics, ClientError> {
        let path = format!("/api/v1/analytics/leads/{}", encode(&self.company_id));
        self.send(|| self.request(Method::GET, &path).query(query), true).await
    }
}

impl OttoClient {
    /// `POST /api/v1/asr/transcribe`: transcribes a recording URL on the server's engine (7.1).
    /// Not retried on 503: that answer usually means no engine is configured.
    pub async fn transcribe_audio(
        &self,
        req: &otto_core::api::TranscribeAudioRequest,
    ) -> Result<otto_core::api::TranscribeAudioResponse, ClientError> {
        self.send(|| self.request(Method::POST, "/api/v1/asr/transcribe").json(req), false).await
    }

    /// `GET /api/v1/calls/{call_id}/audio`: a signed, expiring playback URL of the stored
    /// recording (2.5).
    pub async fn audio_url(&self, call_id: &str) -> Result<otto_core::api::AudioUrlResponse, ClientError> {
        let path = format!("/api/v1/calls/{}/audio", encode(call_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// Downloads a recording from a signed URL returned by [`Self::audio_url`]. The link is
    /// the credential, so no token is sent (it may point at another host, e.g. a CDN).
    pub async fn download_audio(&self, signed_url: &str) -> Result<Vec<u8>, ClientError> {
        let res = self.http.get(signed_url).send().await.map_err(|e| ClientError::Transport(e.to_string()))?;
        let status = res.status();
        let bytes = res.bytes().await.map_err(|e| ClientError::Transport(e.to_string()))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|_| ErrorBody {
            error: "unexpected_response".into(),
            message: String::from_utf8_lossy(&bytes).chars().take(500).collect(),
            timestamp: Utc::now(),
            request_id: None,
            retry_after: None,
        });
        Err(ClientError::Api { status: status.as_u16(), body })
    }
}

/// Knowledge documents (3.1-3.5).
impl OttoClient {
    /// `POST /api/v1/ingestion/{sop,training,reference}-documents`: uploads a document for
    /// background extraction and indexing (policies go to the reference endpoint). Re-uploading
    /// a file name replaces the earlier version. Not retried: the upload is not idempotent.
    pub async fn upload_document(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
        document_type: otto_core::domain::DocumentType,
    ) -> Result<otto_core::api::DocumentIngestion, ClientError> {
        use otto_core::domain::DocumentType;
        let endpoint = match document_type {
            DocumentType::Sop => "sop-documents",
            DocumentType::Training => "training-documents",
            DocumentType::Reference | DocumentType::Policy => "reference-documents",
        };
        let path = format!("/api/v1/ingestion/{endpoint}");
        self.send(
            || {
                let file = reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.to_string());
                let form = reqwest::multipart::Form::new()
                    .part("file", file)
                    .text("document_type", document_type.as_str().to_string());
                self.request(Method::POST, &path).multipart(form)
            },
            false,
        )
        .await
    }

    /// `GET /api/v1/ingestion/documents/{document_id}`: the document and its ingestion status.
    pub async fn document(&self, document_id: &str) -> Result<otto_core::domain::Document, ClientError> {
        let path = format!("/api/v1/ingestion/documents/{}", encode(document_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }
}

/// Personal AI clone (9.1-9.5).
impl OttoClient {
    /// `POST /api/v1/clone/{rep_id}/train`: stores the samples and queues a training.
    pub async fn train_clone(
        &self,
        rep_id: &str,
        req: &otto_core::domain::TrainCloneRequest,
    ) -> Result<otto_core::domain::TrainingStarted, ClientError> {
        let path = format!("/api/v1/clone/{}/train", encode(rep_id));
        self.send(|| self.request(Method::POST, &path).json(req), false).await
    }

    /// `GET /api/v1/clone/{rep_id}/status`.
    pub async fn clone_status(&self, rep_id: &str) -> Result<otto_core::domain::CloneStatus, ClientError> {
        let path = format!("/api/v1/clone/{}/status", encode(rep_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `GET /api/v1/clone/{rep_id}/profile`.
    pub async fn clone_profile(&self, rep_id: &str) -> Result<otto_core::domain::CloneProfileResponse, ClientError> {
        let path = format!("/api/v1/clone/{}/profile", encode(rep_id));
        self.send(|| self.request(Method::GET, &path), true).await
    }

    /// `POST /api/v1/clone/{rep_id}/generate`: content in the rep's style, stored as a draft.
    pub async fn generate_with_clone(
        &self,
        rep_id: &str,
        req: &otto_core::domain::GenerateRequest,
    ) -> Result<otto_core::domain::GeneratedContent, ClientError> {
        let path = format!("/api/v1/clone/{}/generate", encode(rep_id));
        self.send(|| self.request(Method::POST, &path).json(req), false).await
    }

    /// `GET /api/v1/clone/{rep_id}/drafts` with `limit`, `offset`, `sort`, `order`,
    /// `content_type`, `status`.
    pub async fn clone_drafts(
        &self,
        rep_id: &str,
        query: &[(&str, &str)],
    ) -> Result<otto_core::domain::CloneDraftList, ClientError> {
        let path = format!("/api/v1/clone/{}/drafts", encode(rep_id));
        self.send(|| self.request(Method::GET, &path).query(query), true).await
    }

    /// `PATCH /api/v1/clone/{rep_id}/drafts/{draft_id}`: a lifecycle step and/or edited content.
    pub async fn update_clone_draft(
        &self,
        rep_id: &str,
        draft_id: &str,
        update: &otto_core::domain::DraftUpdate,
    ) -> Result<otto_core::domain::CloneDraft, ClientError> {
        let path = format!("/api/v1/clone/{}/drafts/{}", encode(rep_id), encode(draft_id));
        self.send(|| self.request(Method::PATCH, &path).json(update), false).await
    }
}

impl OttoClient {
    /// `GET /api/v1/company/settings`.
    pub async fn company_settings(&self) -> Result<otto_core::CompanySettings, ClientError> {
        self.send(|| self.request(Method::GET, "/api/v1/company/settings"), true).await
    }

    /// `PUT /api/v1/company/settings` (admins).
    pub async fn update_company_settings(
        &self,
        update: &otto_core::CompanySettingsUpdate,
    ) -> Result<otto_core::CompanySettings, ClientError> {
        self.send(|| self.request(Method::PUT, "/api/v1/company/settings").json(update), true).await
    }
}
