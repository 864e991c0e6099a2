use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::domain::{
    AnalysisRecord, AuditEvent, AuditFilter, Call, CallFacts, CallFilter, Chunk, ChunkQuery, CompanyId,
    CompanySettings, CrmEntity, CrmEvent, DateRange, Document, FactFilter, FactOrder, Job, JobStatus, LeaseRequest,
    NewCrmEntity, NewCrmEvent, NewJob, Page, RagQueryFilter, RagQueryRecord, RagSession, SopStage, SopStageFilter,
    SourceType, Summary, SummaryFilter, SummaryType,
};
use crate::error::Result;

/// Calls of every company. Every method is scoped by company: no method can reach another
/// tenant's row.
#[async_trait]
pub trait CallStore: Send + Sync {
    /// Inserts `call` and enqueues `jobs` in one transaction, so a crash never leaves a call
    /// without its processing job (or a job without its call). `Conflict` if the id exists.
    async fn insert_call(&self, call: &Call, jobs: &[NewJob]) -> Result<()>;
    /// The call, if it exists in `company`.
    async fn get_call(&self, company: &CompanyId, call_id: &str) -> Result<Option<Call>>;
    /// The call of `company` with this CallRail id, if any.
    async fn find_call_by_callrail_id(&self, company: &CompanyId, callrail_id: &str) -> Result<Option<Call>>;
    /// Replaces the stored call (matched by company and id); `NotFound` if it is gone.
    async fn update_call(&self, call: &Call) -> Result<()>;
    /// A filtered, sorted page of `company`'s calls.
    async fn list_calls(&self, company: &CompanyId, filter: &CallFilter) -> Result<Page<Call>>;
}

/// Outcome of an entity upsert batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntityUpsert {
    /// New entities.
    pub created: u64,
    /// Existing entities changed by a newer timestamp.
    pub updated: u64,
    /// Entities whose stored version was as new or newer (replays, out-of-order deliveries).
    pub unchanged: u64,
}

/// CRM entities and their event history.
#[async_trait]
pub trait CrmStore: Send + Sync {
    /// Creates or updates entities in one transaction. An entity is only overwritten by a
    /// version with a newer or equal `timestamp`.
    async fn upsert_entities(
        &self,
        company: &CompanyId,
        entities: &[NewCrmEntity],
        now: DateTime<Utc>,
    ) -> Result<EntityUpsert>;
    /// Stores events not seen before (by `event_id`) in one transaction; returns how many were new.
    async fn insert_events(&self, company: &CompanyId, events: &[NewCrmEvent], now: DateTime<Utc>) -> Result<u64>;
    /// One entity.
    async fn get_entity(&self, company: &CompanyId, entity_id: &str) -> Result<Option<CrmEntity>>;
    /// An entity's events, newest first.
    async fn list_entity_events(&self, company: &CompanyId, entity_id: &str, limit: u32) -> Result<Vec<CrmEvent>>;
}

/// SOP stages.
#[async_trait]
pub trait SopStore: Send + Sync {
    /// The company's SOP id, created on first use.
    async fn ensure_sop(&self, company: &CompanyId, now: DateTime<Utc>) -> Result<String>;
    /// Inserts stages in one transaction; `Conflict` if a name is taken (case-insensitive).
    async fn insert_sop_stages(&self, stages: &[SopStage]) -> Result<()>;
    /// One stage.
    async fn get_sop_stage(&self, company: &CompanyId, stage_id: &str) -> Result<Option<SopStage>>;
    /// Replaces a stage; `Conflict` if the new name is taken, `NotFound` if it is gone.
    async fn update_sop_stage(&self, stage: &SopStage) -> Result<()>;
    /// Deletes a stage; false if there was none.
    async fn delete_sop_stage(&self, company: &CompanyId, stage_id: &str) -> Result<bool>;
    /// A filtered, sorted page of stages.
    async fn list_sop_stages(&self, company: &CompanyId, filter: &SopStageFilter) -> Result<Page<SopStage>>;
}

/// A durable job queue: jobs survive restarts, a crashed worker's lease expires and another
/// worker takes the job over, failures retry with backoff and end in a dead-letter state.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Enqueues a job. With a `dedupe_key` already used, returns the existing job's id and
    /// `false` instead of creating another.
    async fn enqueue(&self, job: &NewJob) -> Result<(String, bool)>;
    /// Leases the next runnable job of the given kinds (queued and due, or running with an
    /// expired lease), counting an attempt. Jobs whose expired lease used the last attempt are
    /// moved to `Dead` instead. Concurrent workers never lease the same job.
    async fn lease(&self, req: &LeaseRequest) -> Result<Option<Job>>;
    /// Extends the lease (and records progress); false if the worker no longer holds it.
    async fn heartbeat(
        &self,
        job_id: &str,
        worker_id: &str,
        lease_for: Duration,
        progress: u8,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Marks the job succeeded; false if the worker no longer holds the lease.
    async fn complete(&self, job_id: &str, worker_id: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Records a failure. With `retry_at` and attempts left the job is queued again for then;
    /// otherwise it goes `Dead`. Returns the new status, or None if the lease was lost.
    async fn fail(
        &self,
        job_id: &str,
        worker_id: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<JobStatus>>;
    /// One job.
    async fn get_job(&self, job_id: &str) -> Result<Option<Job>>;
    /// Replaces a job's payload (a handler recording what it produced, e.g. the document an
    /// upload became).
    async fn set_job_payload(&self, job_id: &str, payload: &serde_json::Value) -> Result<()>;
    /// The job created with this dedupe key, if any.
    async fn find_job_by_dedupe_key(&self, dedupe_key: &str) -> Result<Option<Job>>;
}

/// Stored analyses of calls.
#[async_trait]
pub trait AnalysisStore: Send + Sync {
    /// Replaces the call's analyses of the given types and stores the call's new state (status,
    /// stages, transcript path) in one transaction, so readers never see a completed call
    /// without its analyses. With `facts`, the call's analytics facts are replaced too.
    async fn save_analyses(&self, call: &Call, records: &[AnalysisRecord], facts: Option<&CallFacts>) -> Result<()>;
    /// All analyses of a call.
    async fn list_analyses(&self, company: &CompanyId, call_id: &str) -> Result<Vec<AnalysisRecord>>;
}

/// Raw SOP compliance aggregates over analysed calls (rates are 0..=1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComplianceAggregates {
    /// Calls with a compliance score.
    pub calls: u64,
    /// Mean compliance score.
    pub overall: Option<f64>,
    /// (stage, order, share of calls where it was performed).
    pub stages: Vec<(String, i64, f64)>,
    /// (rep, calls, mean compliance).
    pub reps: Vec<(Option<String>, u64, Option<f64>)>,
    /// (rep, stage, share performed).
    pub rep_stages: Vec<(Option<String>, String, f64)>,
}

/// Aggregates over the analytics facts. Every method is scoped to a company and, when `rep` is
/// given, to that rep (how CSRs and sales reps see only their own data).
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// SOP compliance over calls that occurred in `range`.
    async fn compliance_aggregates(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
    ) -> Result<ComplianceAggregates>;
    /// Per objection type: (type, calls raising it, calls where it was handled), most frequent first.
    async fn objection_counts(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
    ) -> Result<Vec<(String, u64, u64)>>;
    /// Per rep: (rep, calls, appointments booked, qualified leads), most appointments first.
    async fn rep_activity(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
    ) -> Result<Vec<(Option<String>, u64, u64, u64)>>;
    /// Ids of analysed calls matching `filter`, in `order`, at most `limit`; and how many match.
    async fn matching_calls(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
        filter: &FactFilter,
        order: FactOrder,
        limit: u32,
    ) -> Result<(Vec<String>, u64)>;
}

/// Generated summaries.
#[async_trait]
pub trait SummaryStore: Send + Sync {
    /// Stores a summary.
    async fn insert_summary(&self, summary: &Summary) -> Result<()>;
    /// A filtered page of summaries.
    async fn list_summaries(&self, company: &CompanyId, filter: &SummaryFilter) -> Result<Page<Summary>>;
    /// The newest summary of `kind` for a call.
    async fn latest_call_summary(
        &self,
        company: &CompanyId,
        call_id: &str,
        kind: SummaryType,
    ) -> Result<Option<Summary>>;
}

/// The audit trail.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an event.
    async fn record_audit(&self, event: &AuditEvent) -> Result<()>;
    /// A page of the company's events, newest first.
    async fn list_audit(&self, company: &CompanyId, filter: &AuditFilter) -> Result<Page<AuditEvent>>;
}

/// Knowledge chunks and their full-text index (SQLite FTS5, PostgreSQL tsvector).
#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    /// Replaces every chunk of a source in one transaction: readers see the old set or the new
    /// one, never a mix, and no stale chunk survives a re-index.
    async fn replace_chunks(
        &self,
        company: &CompanyId,
        source_type: SourceType,
        source_id: &str,
        chunks: &[Chunk],
    ) -> Result<()>;
    /// Deletes a source's chunks; returns how many.
    async fn delete_chunks(&self, company: &CompanyId, source_type: SourceType, source_id: &str) -> Result<u64>;
    /// Full-text search, best first, with the backend's relevance score. Tenant, rep scope and
    /// filters are part of the query.
    async fn search_chunks(&self, company: &CompanyId, query: &ChunkQuery) -> Result<Vec<(Chunk, f32)>>;
    /// The chunks with these ids (those that still exist), in no particular order. Dense
    /// retrieval reads the chunks its vector hits name through this.
    async fn chunks_by_id(&self, company: &CompanyId, ids: &[String]) -> Result<Vec<Chunk>>;
    /// All chunks of a source, in order.
    async fn source_chunks(&self, company: &CompanyId, source_type: SourceType, source_id: &str) -> Result<Vec<Chunk>>;
    /// Keeps a source out of the knowledge base from now on (its chunks are deleted
    /// separately); idempotent.
    async fn exclude_source(
        &self,
        company: &CompanyId,
        source_type: SourceType,
        source_id: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Whether a source was excluded with [`KnowledgeStore::exclude_source`].
    async fn is_excluded(&self, company: &CompanyId, source_type: SourceType, source_id: &str) -> Result<bool>;
}

/// Ask Otto sessions and query history.
#[async_trait]
pub trait RagStore: Send + Sync {
    /// Stores a new session.
    async fn insert_session(&self, session: &RagSession) -> Result<()>;
    /// A session of the company.
    async fn get_session(&self, company: &CompanyId, session_id: &str) -> Result<Option<RagSession>>;
    /// Stores a query and marks its session active, in one transaction.
    async fn insert_query(&self, query: &RagQueryRecord) -> Result<()>;
    /// A query of the company.
    async fn get_query(&self, company: &CompanyId, query_id: &str) -> Result<Option<RagQueryRecord>>;
    /// A filtered page of the company's queries.
    async fn list_queries(&self, company: &CompanyId, filter: &RagQueryFilter) -> Result<Page<RagQueryRecord>>;
}

/// Uploaded documents.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Inserts a document, or replaces the one with the same type and file name (keeping its
    /// id), and enqueues `jobs` (their payload gets the `document_id`), in one transaction.
    /// Returns the stored document.
    async fn upsert_document(&self, doc: &Document, jobs: &[NewJob]) -> Result<Document>;
    /// A document of the company.
    async fn get_document(&self, company: &CompanyId, document_id: &str) -> Result<Option<Document>>;
    /// Replaces a document's row (status, pages, chunks). The title changes only while it is
    /// still the file name: one reported by an external processor
    /// ([`DocumentStore::report_document`]) survives re-extraction.
    async fn update_document(&self, doc: &Document) -> Result<()>;
    /// Records the title and page count an external processor reported for a document that is
    /// indexed or failed, in one statement (no read-modify-write against the indexing jobs).
    /// False when the document is absent or still processing.
    async fn report_document(
        &self,
        company: &CompanyId,
        document_id: &str,
        title: Option<&str>,
        pages: Option<u32>,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Ids of the company's documents (optionally one namespace), for reindexing.
    async fn document_ids(&self, company: &CompanyId, namespace: Option<&str>) -> Result<Vec<String>>;
    /// Deletes a document row; false if there was none.
    async fn delete_document(&self, company: &CompanyId, document_id: &str) -> Result<bool>;
}

/// Per-company settings.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The company's settings, if any were saved.
    async fn get_settings(&self, company: &CompanyId) -> Result<Option<CompanySettings>>;
    /// Saves the company's settings (insert or replace).
    async fn put_settings(&self, settings: &CompanySettings) -> Result<()>;
}

/// Everything Otto persists. One adapter (SQLite, PostgreSQL) implements all of it so that
/// multi-entity writes can share a transaction.
pub trait Store:
    CallStore
    + CrmStore
    + SopStore
    + JobQueue
    + AnalysisStore
    + AnalyticsStore
    + SummaryStore
    + AuditLog
    + KnowledgeStore
    + RagStore
    + DocumentStore
    + SettingsStore
    + super::FollowupStore
    + super::PerformanceStore
    + super::CloneStore
{
    /// Adapter name for logs and `/health` (`sqlite`, `postgres`).
    fn backend_name(&self) -> &'static str;
}
