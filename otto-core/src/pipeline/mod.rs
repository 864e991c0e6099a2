//! The call-processing pipeline: durable jobs that turn a call into a transcript and analyses.
//!
//! Creating a call enqueues its first job in the same transaction as the call row (see
//! [`crate::ports::CallStore::insert_call`]), so a crash can't lose the work. Workers built by
//! [`worker`] lease jobs, report progress on the call, and retry with backoff.
//!
//! Stages and their job kinds:
//! - `call.analyze`: a submitted transcript (or one produced by speech recognition) is stored in
//!   the blob store and analysed; analyses and the call's final state commit together.
//! - `clone.train`: a rep's personal AI clone is measured from their stored samples.

mod analyze;
mod clone;
#[cfg(feature = "documents")]
mod documents;
pub mod speech;
mod transcript;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Call, CompanyId, NewJob, SegmentInput};
use crate::jobs::{Worker, WorkerConfig};
use crate::Otto;

pub use analyze::{analysis_input, assemble, facts, records, AnalyzeCall, ANALYSIS_TYPES};
pub use clone::{TrainClone, TRAIN_CLONE};
pub use transcript::{build_transcript, infer_roles};

/// Job kind of the analysis stage.
pub const ANALYZE_CALL: &str = "call.analyze";
/// Job kind of the speech stage: fetch, transcribe and attribute a recording (see [`speech`]).
pub const PROCESS_AUDIO: &str = "call.process_audio";
/// Job kind of document ingestion.
pub const INGEST_DOCUMENT: &str = "document.ingest";
/// Job kind of fetching a document from a URL.
pub const FETCH_DOCUMENT: &str = "document.fetch";
/// Job kind of a knowledge reindex.
pub const REINDEX: &str = "knowledge.reindex";

/// Stage names reported in a call's `processing_stages`.
pub mod stages {
    /// Fetching the recording.
    pub const FETCH: &str = "fetch";
    /// Speech recognition.
    pub const TRANSCRIPTION: &str = "transcription";
    /// Speaker attribution.
    pub const DIARIZATION: &str = "diarization";
    /// Call analysis.
    pub const ANALYSIS: &str = "analysis";
}

/// Payload of a `call.analyze` job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzePayload {
    /// Tenant.
    pub company_id: CompanyId,
    /// The call.
    pub call_id: String,
    /// A submitted transcript to store first; absent when the transcript is already stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<SegmentInput>>,
}

/// The `call.analyze` job for `call`, deduplicated per call so a retried request can't queue the
/// work twice.
pub fn analyze_job(call: &Call, segments: Option<Vec<SegmentInput>>, now: DateTime<Utc>) -> NewJob {
    let payload = AnalyzePayload { company_id: call.company_id.clone(), call_id: call.call_id.clone(), segments };
    NewJob::new(ANALYZE_CALL, serde_json::to_value(payload).unwrap_or_default(), now)
        .company(call.company_id.clone())
        .dedupe_key(format!("{ANALYZE_CALL}:{}:{}", call.company_id, call.call_id))
}

/// Blob key of a call's transcript.
pub fn transcript_key(company: &CompanyId, call_id: &str) -> String {
    format!("transcripts/{company}/{call_id}.json")
}

/// Blob key of a call's speaker diarization.
pub fn diarization_key(company: &CompanyId, call_id: &str) -> String {
    format!("diarization/{company}/{call_id}.json")
}

/// A worker with every pipeline stage registered.
pub fn worker(otto: &Otto, config: WorkerConfig) -> Worker {
    let worker = Worker::new(otto.store().clone(), otto.clock().clone(), config)
        .handle(ANALYZE_CALL, Arc::new(AnalyzeCall::new(otto.clone())))
        .handle(TRAIN_CLONE, Arc::new(TrainClone::new(otto.clone())));
    #[cfg(feature = "documents")]
    let worker = worker
        .handle(INGEST_DOCUMENT, Arc::new(documents::IngestDocument::new(otto.clone())))
        .handle(REINDEX, Arc::new(documents::Reindex::new(otto.clone())))
        .handle(FETCH_DOCUMENT, Arc::new(documents::FetchDocument::new(otto.clone())));
    speech::register(worker, otto, speech::SpeechConfig::from_env())
}
