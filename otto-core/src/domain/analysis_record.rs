use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One stored analysis of a call (one row per call per analysis type, as the platform keeps
/// them): the result document plus who produced it, how confident it is and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRecord {
    /// `lead_classification`, `objection_detection`, `sop_compliance`, ...
    pub analysis_type: String,
    /// The analysis, as JSON.
    pub result: Value,
    /// Overall confidence 0..=1.
    pub confidence: f32,
    /// Engine that produced it (`otto-offline`, `openai:gpt-4o-mini`...).
    pub engine: String,
    /// Engine or prompt version.
    pub engine_version: String,
    /// Time spent producing it.
    pub processing_ms: u64,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}
