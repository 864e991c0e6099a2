//! Row shapes shared by the SQLite and PostgreSQL adapters, and their conversion into domain
//! types. These types never leave the adapter.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::types::Json;

use crate::domain::{
    AnalysisRecord, AuditEvent, Call, CallStatus, CallType, Chunk, CompanyId, CrmEntity, CrmEvent, Document,
    DocumentStatus, DocumentType, Job, JobStatus, RagQueryRecord, SopStage, SourceType, StageState, Summary,
    SummaryType,
};
use crate::error::{Error, Result};

#[derive(sqlx::FromRow)]
pub(crate) struct CallRow {
    company_id: String,
    call_id: String,
    rep_id: Option<String>,
    status: String,
    processing_status: String,
    audio_url: Option<String>,
    caller_phone: Option<String>,
    rep_phone: Option<String>,
    duration: Option<i64>,
    callrail_id: Option<String>,
    call_type: Option<String>,
    started_at: Option<DateTime<Utc>>,
    timezone: Option<String>,
    rep_channel: Option<i64>,
    audio_file_path: Option<String>,
    transcript_file_path: Option<String>,
    speaker_diarization_file_path: Option<String>,
    failure_reason: Option<String>,
    language: Option<String>,
    utc_offset_minutes: Option<i64>,
    processing_stages: Json<BTreeMap<String, StageState>>,
    progress: i64,
    metadata: Json<Map<String, Value>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn corrupt(what: &str, e: Error) -> Error {
    Error::internal(format!("stored {what} is unreadable: {}", e.message()))
}

impl CallRow {
    pub(crate) fn into_domain(self) -> Result<Call> {
        Ok(Call {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("call", e))?,
            call_id: self.call_id,
            rep_id: self.rep_id,
            status: CallStatus::parse(&self.status).map_err(|e| corrupt("call", e))?,
            processing_status: CallStatus::parse(&self.processing_status).map_err(|e| corrupt("call", e))?,
            audio_url: self.audio_url,
            caller_phone: self.caller_phone,
            rep_phone: self.rep_phone,
            duration: self.duration,
            callrail_id: self.callrail_id,
            call_type: self.call_type.as_deref().map(CallType::parse).transpose().map_err(|e| corrupt("call", e))?,
            started_at: self.started_at,
            timezone: self.timezone,
            rep_channel: self.rep_channel.and_then(|c| u8::try_from(c).ok()),
            audio_file_path: self.audio_file_path,
            transcript_file_path: self.transcript_file_path,
            speaker_diarization_file_path: self.speaker_diarization_file_path,
            failure_reason: self.failure_reason,
            language: self.language,
            utc_offset_minutes: self.utc_offset_minutes.and_then(|m| i32::try_from(m).ok()),
            processing_stages: self.processing_stages.0,
            progress: u8::try_from(self.progress.clamp(0, 100)).unwrap_or(0),
            metadata: self.metadata.0,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntityRow {
    company_id: String,
    entity_id: String,
    entity_type: String,
    attributes: Json<Map<String, Value>>,
    ts: DateTime<Utc>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl EntityRow {
    pub(crate) fn into_domain(self) -> Result<CrmEntity> {
        Ok(CrmEntity {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("entity", e))?,
            entity_id: self.entity_id,
            entity_type: self.entity_type,
            attributes: self.attributes.0,
            timestamp: self.ts,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    company_id: String,
    event_id: String,
    entity_id: String,
    event_type: String,
    ts: DateTime<Utc>,
    data: Json<Map<String, Value>>,
    created_at: DateTime<Utc>,
}

impl EventRow {
    pub(crate) fn into_domain(self) -> Result<CrmEvent> {
        Ok(CrmEvent {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("event", e))?,
            event_id: self.event_id,
            entity_id: self.entity_id,
            event_type: self.event_type,
            timestamp: self.ts,
            data: self.data.0,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StageRow {
    company_id: String,
    stage_id: String,
    sop_id: String,
    stage_name: String,
    stage_order: i64,
    stage_description: Option<String>,
    is_active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl StageRow {
    pub(crate) fn into_domain(self) -> Result<SopStage> {
        Ok(SopStage {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("SOP stage", e))?,
            stage_id: self.stage_id,
            sop_id: self.sop_id,
            stage_name: self.stage_name,
            stage_order: i32::try_from(self.stage_order).unwrap_or(i32::MAX),
            stage_description: self.stage_description,
            is_active: self.is_active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    job_id: String,
    kind: String,
    company_id: Option<String>,
    payload: Json<Value>,
    status: String,
    attempts: i64,
    max_attempts: i64,
    run_at: DateTime<Utc>,
    leased_by: Option<String>,
    lease_expires_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    progress: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl JobRow {
    pub(crate) fn into_domain(self) -> Result<Job> {
        Ok(Job {
            company_id: self.company_id.map(CompanyId::parse).transpose().map_err(|e| corrupt("job", e))?,
            status: JobStatus::parse(&self.status)
                .ok_or_else(|| Error::internal(format!("stored job has unknown status `{}`", self.status)))?,
            job_id: self.job_id,
            kind: self.kind,
            payload: self.payload.0,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            max_attempts: u32::try_from(self.max_attempts).unwrap_or(1),
            run_at: self.run_at,
            leased_by: self.leased_by,
            lease_expires_at: self.lease_expires_at,
            last_error: self.last_error,
            progress: u8::try_from(self.progress.clamp(0, 100)).unwrap_or(0),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    company_id: String,
    summary_id: String,
    summary_type: String,
    rep_id: Option<String>,
    call_id: Option<String>,
    summary_date: String,
    content: String,
    details: Json<Value>,
    created_at: DateTime<Utc>,
}

impl SummaryRow {
    pub(crate) fn into_domain(self) -> Result<Summary> {
        Ok(Summary {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("summary", e))?,
            summary_type: SummaryType::parse(&self.summary_type)
                .ok_or_else(|| Error::internal(format!("stored summary has unknown type `{}`", self.summary_type)))?,
            date: chrono::NaiveDate::parse_from_str(&self.summary_date, "%Y-%m-%d")
                .map_err(|e| Error::internal(format!("stored summary date is unreadable: {e}")))?,
            summary_id: self.summary_id,
            rep_id: self.rep_id,
            call_id: self.call_id,
            content: self.content,
            details: self.details.0,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ChunkRow {
    company_id: String,
    chunk_id: String,
    source_type: String,
    source_id: String,
    rep_id: Option<String>,
    title: String,
    position: i64,
    text: String,
    segment_start: Option<i64>,
    segment_end: Option<i64>,
    start_time: Option<f64>,
    page: Option<i64>,
    metadata: Json<Map<String, Value>>,
    occurred_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// A chunk with its search score.
#[derive(sqlx::FromRow)]
pub(crate) struct ChunkHitRow {
    #[sqlx(flatten)]
    pub(crate) chunk: ChunkRow,
    pub(crate) score: f64,
}

impl ChunkRow {
    pub(crate) fn into_domain(self) -> Result<Chunk> {
        let small = |v: Option<i64>| v.and_then(|x| u32::try_from(x).ok());
        Ok(Chunk {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("chunk", e))?,
            source_type: SourceType::parse(&self.source_type)
                .ok_or_else(|| Error::internal(format!("stored chunk has unknown source `{}`", self.source_type)))?,
            chunk_id: self.chunk_id,
            source_id: self.source_id,
            rep_id: self.rep_id,
            title: self.title,
            position: u32::try_from(self.position).unwrap_or(0),
            text: self.text,
            segment_start: small(self.segment_start),
            segment_end: small(self.segment_end),
            start_time: self.start_time,
            page: small(self.page),
            metadata: self.metadata.0,
            occurred_at: self.occurred_at,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RagQueryRow {
    company_id: String,
    query_id: String,
    session_id: String,
    user_id: String,
    query_text: String,
    response_text: String,
    citations: Json<Vec<crate::rag::Citation>>,
    suggested_follow_ups: Json<Vec<String>>,
    mode: String,
    confidence: f64,
    processing_ms: i64,
    created_at: DateTime<Utc>,
}

impl RagQueryRow {
    pub(crate) fn into_domain(self) -> Result<RagQueryRecord> {
        Ok(RagQueryRecord {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("query", e))?,
            query_id: self.query_id,
            session_id: self.session_id,
            user_id: self.user_id,
            query_text: self.query_text,
            response_text: self.response_text,
            citations: self.citations.0,
            suggested_follow_ups: self.suggested_follow_ups.0,
            mode: self.mode,
            confidence: self.confidence as f32,
            processing_ms: u64::try_from(self.processing_ms).unwrap_or(0),
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DocumentRow {
    company_id: String,
    document_id: String,
    title: String,
    file_name: String,
    document_type: String,
    audience_role: Option<String>,
    namespace: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    status: String,
    failure_reason: Option<String>,
    pages: Option<i64>,
    chunks_created: i64,
    blob_key: String,
    metadata: Json<Map<String, Value>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl DocumentRow {
    pub(crate) fn into_domain(self) -> Result<Document> {
        Ok(Document {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("document", e))?,
            document_type: DocumentType::parse(&self.document_type)
                .ok_or_else(|| Error::internal(format!("stored document has unknown type `{}`", self.document_type)))?,
            status: DocumentStatus::parse(&self.status)
                .ok_or_else(|| Error::internal(format!("stored document has unknown status `{}`", self.status)))?,
            document_id: self.document_id,
            title: self.title,
            file_name: self.file_name,
            audience_role: self.audience_role,
            namespace: self.namespace,
            content_type: self.content_type,
            size_bytes: u64::try_from(self.size_bytes).unwrap_or(0),
            sha256: self.sha256,
            failure_reason: self.failure_reason,
            pages: self.pages.and_then(|p| u32::try_from(p).ok()),
            chunks_created: u32::try_from(self.chunks_created).unwrap_or(0),
            blob_key: self.blob_key,
            metadata: self.metadata.0,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    company_id: String,
    event_id: String,
    actor_id: String,
    actor_role: String,
    action: String,
    resource_type: String,
    resource_id: String,
    details: Json<Value>,
    created_at: DateTime<Utc>,
}

impl AuditRow {
    pub(crate) fn into_domain(self) -> Result<AuditEvent> {
        Ok(AuditEvent {
            company_id: CompanyId::parse(self.company_id).map_err(|e| corrupt("audit event", e))?,
            event_id: self.event_id,
            actor_id: self.actor_id,
            actor_role: self.actor_role,
            action: self.action,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            details: self.details.0,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AnalysisRow {
    analysis_type: String,
    result: Json<Value>,
    confidence: f64,
    engine: String,
    engine_version: String,
    processing_ms: i64,
    created_at: DateTime<Utc>,
}

impl AnalysisRow {
    pub(crate) fn into_domain(self) -> AnalysisRecord {
        AnalysisRecord {
            analysis_type: self.analysis_type,
            result: self.result.0,
            confidence: self.confidence as f32,
            engine: self.engine,
            engine_version: self.engine_version,
            processing_ms: u64::try_from(self.processing_ms).unwrap_or(0),
            created_at: self.created_at,
        }
    }
}
