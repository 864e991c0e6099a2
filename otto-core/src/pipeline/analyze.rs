//! The `call.analyze` stage: store the transcript, analyse it, save the analyses.

use std::time::Instant;

use async_trait::async_trait;
use serde_json::Value;

use super::{diarization_key, stages, transcript_key, AnalyzePayload};
use crate::analysis::{AnalysisInput, CallAnalysis, Segment, Speaker, StageSpec};
use crate::domain::{
    AnalysisRecord, Call, CallFacts, CallStatus, Job, ObjectionFact, PageRequest, SopStageFilter, SpeakerRole,
    StageFact, StageState, Transcript,
};
use crate::error::{Error, ErrorKind, Result};
use crate::jobs::{JobContext, JobHandler};
use crate::Otto;

/// Handler of `call.analyze` jobs.
pub struct AnalyzeCall {
    otto: Otto,
}

impl AnalyzeCall {
    /// A handler working on `otto`'s ports.
    pub fn new(otto: Otto) -> Self {
        Self { otto }
    }

    async fn load_transcript(&self, call: &Call, payload: &AnalyzePayload) -> Result<Transcript> {
        let blobs = self.otto.blobs();
        let key = transcript_key(&call.company_id, &call.call_id);
        if let Some(segments) = &payload.segments {
            let language = call.language.clone().unwrap_or_else(|| "en-US".into());
            let transcript = super::build_transcript(&call.call_id, &language, segments);
            let json = serde_json::to_vec_pretty(&transcript).map_err(|e| Error::internal(e.to_string()))?;
            blobs.put(&key, json).await?;
            let diarization =
                serde_json::to_vec_pretty(&transcript.segments).map_err(|e| Error::internal(e.to_string()))?;
            blobs.put(&diarization_key(&call.company_id, &call.call_id), diarization).await?;
            return Ok(transcript);
        }
        let bytes = blobs.get(&key).await.map_err(|e| match e.kind() {
            ErrorKind::NotFound => {
                Error::invalid("transcript", format!("call {} has no transcript to analyse", call.call_id))
            }
            _ => e,
        })?;
        serde_json::from_slice(&bytes).map_err(|e| Error::internal(format!("stored transcript is unreadable: {e}")))
    }

    async fn sop_stages(&self, call: &Call) -> Result<Vec<StageSpec>> {
        let filter =
            SopStageFilter { is_active: Some(true), page: PageRequest { limit: 100, offset: 0 }, ..Default::default() };
        let page = self.otto.store().list_sop_stages(&call.company_id, &filter).await?;
        Ok(page
            .items
            .into_iter()
            .map(|s| StageSpec {
                name: s.stage_name,
                description: s.stage_description.unwrap_or_default(),
                order: u32::try_from(s.stage_order).unwrap_or(0),
            })
            .collect())
    }
}

/// The analysis input for a stored transcript.
pub fn analysis_input(call: &Call, transcript: &Transcript, sop_stages: Vec<StageSpec>) -> AnalysisInput {
    AnalysisInput {
        call_type: call.call_type,
        // Spoken dates ("Thursday at 4") resolve against when the call happened; a transcript
        // submitted without `started_at` is taken to be from when it was created, so its
        // appointment is still found (in the call's time zone when known).
        started_at: call.local_started_at().or_else(|| {
            let created = Call { started_at: Some(call.created_at), ..call.clone() };
            created.local_started_at()
        }),
        segments: transcript
            .segments
            .iter()
            .map(|s| Segment {
                speaker: match s.role {
                    SpeakerRole::Rep => Speaker::Rep,
                    SpeakerRole::Customer => Speaker::Customer,
                    SpeakerRole::Unknown => Speaker::Other(s.speaker_id.clone()),
                },
                text: s.text.clone(),
                start_time: Some(s.start_time),
                end_time: Some(s.end_time),
            })
            .collect(),
        sop_stages,
    }
}

/// Analysis types as stored (one row each), with the field of [`CallAnalysis`] they hold.
pub const ANALYSIS_TYPES: &[(&str, &str)] = &[
    ("lead_classification", "lead"),
    ("objection_detection", "objections"),
    ("sop_compliance", "sop"),
    ("appointment", "appointment"),
    ("outcome", "outcome"),
    ("rehash_scoring", "rehash"),
    ("coaching_feedback", "coaching"),
    ("meeting_segmentation", "phases"),
    ("conversation_metrics", "metrics"),
    ("summary", "summary"),
    ("property_facts", "property"),
];

/// Splits an analysis into stored records (one per type).
pub fn records(
    analysis: &CallAnalysis,
    processing_ms: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<AnalysisRecord>> {
    let doc = serde_json::to_value(analysis).map_err(|e| Error::internal(e.to_string()))?;
    Ok(ANALYSIS_TYPES
        .iter()
        .map(|(ty, field)| {
            let result = doc.get(*field).cloned().unwrap_or(Value::Null);
            AnalysisRecord {
                analysis_type: (*ty).to_string(),
                confidence: confidence_of(&result),
                result,
                engine: analysis.engine.clone(),
                engine_version: analysis.engine_version.clone(),
                processing_ms,
                created_at: now,
            }
        })
        .collect())
}

/// The typed analytics facts of an analysis.
pub fn facts(analysis: &CallAnalysis) -> CallFacts {
    CallFacts {
        lead_status: analysis.lead.lead_status.as_str().to_string(),
        lead_score: analysis.lead.lead_score,
        qualified: analysis.lead.qualified,
        outcome: analysis.outcome.outcome.as_str().to_string(),
        rehash_score: analysis.rehash.rehash_score,
        appointment_booked: analysis.appointment.as_ref().is_some_and(|a| a.booked),
        appointment_at: analysis
            .appointment
            .as_ref()
            .and_then(|a| a.scheduled_at.as_deref())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc)),
        compliance_score: (!analysis.sop.stages.is_empty()).then_some(analysis.sop.compliance_score),
        talk_ratio: (analysis.metrics.rep_words + analysis.metrics.customer_words > 0)
            .then_some(analysis.metrics.rep_talk_ratio),
        objections: analysis
            .objections
            .iter()
            .map(|o| ObjectionFact {
                objection_type: o.objection_type.as_str().to_string(),
                handled: o.handled,
                severity: wire(&o.severity),
            })
            .collect(),
        stages: analysis
            .sop
            .stages
            .iter()
            .map(|s| StageFact { stage_name: s.stage_name.clone(), stage_order: s.stage_order, performed: s.performed })
            .collect(),
    }
}

/// The serde spelling of a unit enum variant (`"high"`), for fact columns.
fn wire<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Reassembles the full analysis from stored records; None if the call has none yet.
pub fn assemble(records: &[AnalysisRecord]) -> Result<Option<CallAnalysis>> {
    let Some(first) = records.first() else { return Ok(None) };
    let mut doc = serde_json::Map::new();
    doc.insert("engine".into(), Value::String(first.engine.clone()));
    doc.insert("engine_version".into(), Value::String(first.engine_version.clone()));
    for (ty, field) in ANALYSIS_TYPES {
        let v = records.iter().find(|r| r.analysis_type == *ty).map_or(Value::Null, |r| r.result.clone());
        doc.insert((*field).to_string(), v);
    }
    serde_json::from_value(Value::Object(doc))
        .map(Some)
        .map_err(|e| Error::internal(format!("stored analyses are unreadable: {e}")))
}

/// A record's confidence: its own `confidence`, or the mean over a list's items (1.0 for an
/// empty list: nothing was found, with certainty about the words analysed).
fn confidence_of(v: &Value) -> f32 {
    match v {
        Value::Object(o) => o.get("confidence").and_then(Value::as_f64).unwrap_or(1.0) as f32,
        Value::Array(items) if !items.is_empty() => {
            let sum: f64 = items.iter().map(|i| i.get("confidence").and_then(Value::as_f64).unwrap_or(1.0)).sum();
            (sum / items.len() as f64) as f32
        }
        _ => 1.0,
    }
}

#[async_trait]
impl JobHandler for AnalyzeCall {
    async fn run(&self, job: &Job, ctx: &JobContext) -> Result<()> {
        let payload: AnalyzePayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| Error::invalid("payload", format!("bad call.analyze payload: {e}")))?;
        let store = self.otto.store();
        let Some(mut call) = store.get_call(&payload.company_id, &payload.call_id).await? else {
            tracing::warn!(call_id = %payload.call_id, "call vanished before analysis");
            return Ok(());
        };
        let result = self.analyze(&mut call, &payload, ctx).await;
        if let Err(e) = &result {
            // A permanent failure (or the last attempt) is recorded on the call; transient ones
            // are retried by the queue and the call stays `processing`.
            if e.kind() == ErrorKind::InvalidInput || job.attempts >= job.max_attempts {
                call.status = CallStatus::Failed;
                call.processing_status = CallStatus::Failed;
                call.processing_stages.insert(stages::ANALYSIS.into(), StageState::Failed);
                call.failure_reason = Some(format!("analysis failed: {}", e.message()));
                call.updated_at = self.otto.clock().now();
                store.update_call(&call).await?;
            }
        }
        result
    }
}

impl AnalyzeCall {
    async fn analyze(&self, call: &mut Call, payload: &AnalyzePayload, ctx: &JobContext) -> Result<()> {
        let store = self.otto.store();
        let started = Instant::now();
        call.status = CallStatus::Processing;
        call.processing_status = CallStatus::Processing;
        call.processing_stages.insert(stages::ANALYSIS.into(), StageState::Processing);
        call.progress = call.progress.max(10);
        call.updated_at = self.otto.clock().now();
        store.update_call(call).await?;

        let transcript = self.load_transcript(call, payload).await?;
        ctx.progress(40).await?;
        let input = analysis_input(call, &transcript, self.sop_stages(call).await?);
        let analysis = self.otto.analyzer().analyze(&input).await?;
        ctx.progress(90).await?;

        let now = self.otto.clock().now();
        let records = records(&analysis, started.elapsed().as_millis() as u64, now)?;
        let blobs = self.otto.blobs();
        call.transcript_file_path = Some(blobs.uri(&transcript_key(&call.company_id, &call.call_id)));
        call.speaker_diarization_file_path = Some(blobs.uri(&diarization_key(&call.company_id, &call.call_id)));
        call.status = CallStatus::Completed;
        call.processing_status = CallStatus::Completed;
        call.processing_stages.insert(stages::ANALYSIS.into(), StageState::Completed);
        call.progress = 100;
        call.failure_reason = None;
        call.updated_at = now;
        store.save_analyses(call, &records, Some(&facts(&analysis))).await?;
        // Follow-up tasks from the analysed next steps (idempotent, so a retried job adds none).
        self.otto.derive_follow_up_tasks(call, &analysis).await?;
        // Make the call findable by Ask Otto. Re-running the job replaces the chunks.
        let chunks = crate::knowledge::chunk_call(call, &transcript, &analysis, now);
        self.otto.replace_chunks(&call.company_id, crate::domain::SourceType::Call, &call.call_id, &chunks).await?;
        tracing::info!(company = %call.company_id, call_id = %call.call_id, engine = %analysis.engine, "call analysed");
        Ok(())
    }
}
