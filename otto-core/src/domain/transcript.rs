use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// Who a speaker is in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerRole {
    /// The company's rep (CSR or sales rep).
    Rep,
    /// The customer or prospect.
    Customer,
    /// Could not be told apart.
    Unknown,
}

/// One turn of a transcript submitted with a call (from a VOIP or CRM system that transcribes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SegmentInput {
    /// `rep`, `customer`, or a diarization label such as `speaker_1` (roles are then inferred).
    #[schema(min_length = 1, max_length = 64)]
    pub speaker: String,
    /// What was said.
    #[schema(min_length = 1)]
    pub text: String,
    /// Start, seconds from the beginning of the call.
    #[schema(minimum = 0)]
    pub start_time: Option<f64>,
    /// End, seconds.
    #[schema(minimum = 0)]
    pub end_time: Option<f64>,
}

/// Most segments a submitted transcript may have.
pub const MAX_SEGMENTS: usize = 5000;

/// Checks submitted segments; errors name the index.
pub fn validate_segments(segments: &[SegmentInput]) -> Result<()> {
    if segments.is_empty() {
        return Err(Error::invalid("segments", "must contain at least one segment"));
    }
    if segments.len() > MAX_SEGMENTS {
        return Err(Error::invalid("segments", format!("at most {MAX_SEGMENTS} segments")));
    }
    for (i, s) in segments.iter().enumerate() {
        let sp = s.speaker.trim();
        if sp.is_empty() || sp.len() > 64 {
            return Err(Error::invalid(&format!("segments[{i}].speaker"), "must be 1 to 64 characters"));
        }
        if s.text.trim().is_empty() {
            return Err(Error::invalid(&format!("segments[{i}].text"), "must not be empty"));
        }
        for (name, v) in [("start_time", s.start_time), ("end_time", s.end_time)] {
            if let Some(t) = v {
                if !t.is_finite() || t < 0.0 {
                    return Err(Error::invalid(&format!("segments[{i}].{name}"), "must be a number of seconds >= 0"));
                }
            }
        }
        if let (Some(a), Some(b)) = (s.start_time, s.end_time) {
            if b < a {
                return Err(Error::invalid(&format!("segments[{i}].end_time"), "must not be before start_time"));
            }
        }
    }
    Ok(())
}

/// One attributed, timed segment of a stored transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranscriptSegment {
    /// Speaker label (`rep`, `customer`, `speaker_1`, `channel_0`...).
    pub speaker_id: String,
    /// Who the speaker is.
    pub role: SpeakerRole,
    /// Confidence of `role`, 0..=1 (1 when submitted explicitly or from a dedicated channel).
    pub role_confidence: f32,
    /// Start, seconds.
    pub start_time: f64,
    /// End, seconds.
    pub end_time: f64,
    /// Text.
    pub text: String,
    /// Recognition confidence, 0..=1 (1 for submitted text).
    pub confidence: f32,
}

/// A call's transcript as stored in the blob store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Transcript {
    /// The call.
    pub call_id: String,
    /// BCP 47 language, e.g. `en-US`.
    pub language: String,
    /// `submitted` or the ASR engine that produced it.
    pub source: String,
    /// True when times were estimated from word counts (no times were submitted).
    pub timing_estimated: bool,
    /// Segments in time order.
    pub segments: Vec<TranscriptSegment>,
}

impl Transcript {
    /// The whole text, one line per segment.
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.text.trim()).collect::<Vec<_>>().join("\n")
    }

    /// Mean recognition confidence weighted by text length.
    pub fn confidence(&self) -> f32 {
        let (sum, n) = self.segments.iter().fold((0.0f64, 0usize), |(s, n), seg| {
            let w = seg.text.len().max(1);
            (s + f64::from(seg.confidence) * w as f64, n + w)
        });
        if n == 0 {
            0.0
        } else {
            (sum / n as f64) as f32
        }
    }

    /// Seconds each speaker talked.
    pub fn talk_time(&self) -> Vec<(String, SpeakerRole, f64)> {
        let mut out: Vec<(String, SpeakerRole, f64)> = Vec::new();
        for s in &self.segments {
            let d = (s.end_time - s.start_time).max(0.0);
            match out.iter_mut().find(|(id, _, _)| *id == s.speaker_id) {
                Some(e) => e.2 += d,
                None => out.push((s.speaker_id.clone(), s.role, d)),
            }
        }
        out
    }
}
