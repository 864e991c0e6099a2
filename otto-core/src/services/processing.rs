use crate::api::{CallProcessingStatus, DiarizationResponse, SpeakerTalkTime, TranscriptResponse};
use crate::auth::{Action, Principal};
use crate::domain::{Call, Transcript};
use crate::error::{Error, ErrorKind, Result};
use crate::pipeline::transcript_key;
use crate::Otto;

impl Otto {
    /// Processing status of a call the principal can see.
    pub async fn call_status(&self, p: &Principal, call_id: &str) -> Result<CallProcessingStatus> {
        let call = self.get_call(p, call_id).await?;
        Ok(CallProcessingStatus {
            call_id: call.call_id,
            status: call.processing_status,
            progress: call.progress,
            stages: call.processing_stages,
            failure_reason: call.failure_reason,
            created_at: call.created_at,
            updated_at: call.updated_at,
        })
    }

    /// The stored transcript of a call, or `NotFound` saying why there is none yet.
    pub async fn transcript(&self, p: &Principal, call_id: &str) -> Result<Transcript> {
        let call = self.get_call(p, call_id).await?;
        self.stored_transcript(&call).await
    }

    pub(crate) async fn stored_transcript(&self, call: &Call) -> Result<Transcript> {
        match self.blobs.get(&transcript_key(&call.company_id, &call.call_id)).await {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::internal(format!("stored transcript is unreadable: {e}"))),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(Error::not_found(format!(
                "transcript of call {} (the call is {}; submit `segments` or an `audio_url` to get one)",
                call.call_id,
                call.processing_status.as_str()
            ))),
            Err(e) => Err(e),
        }
    }

    /// `GET /calls/{id}/transcript`.
    pub async fn transcript_response(&self, p: &Principal, call_id: &str) -> Result<TranscriptResponse> {
        let t = self.transcript(p, call_id).await?;
        Ok(TranscriptResponse {
            call_id: t.call_id.clone(),
            transcript: t.text(),
            confidence: t.confidence(),
            language: t.language.clone(),
            source: t.source.clone(),
            timing_estimated: t.timing_estimated,
            segments: t.segments,
        })
    }

    /// Speaker segments with roles and talk time per speaker.
    pub async fn diarization(&self, p: &Principal, call_id: &str) -> Result<DiarizationResponse> {
        p.require("calls", Action::Read)?;
        let t = self.transcript(p, call_id).await?;
        let talk = t.talk_time();
        let total: f64 = talk.iter().map(|(_, _, s)| s).sum();
        Ok(DiarizationResponse {
            call_id: t.call_id.clone(),
            talk_time: talk
                .into_iter()
                .map(|(speaker_id, role, seconds)| SpeakerTalkTime {
                    speaker_id,
                    role,
                    seconds: (seconds * 1000.0).round() / 1000.0,
                    share: if total > 0.0 { ((seconds / total) * 1000.0).round() / 1000.0 } else { 0.0 },
                })
                .collect(),
            speakers: t.segments,
        })
    }
}
