//! Implementations of the [`crate::ports::CallAnalyzer`] port: the offline rules engine (the
//! default) and an LLM-backed engine that validates the model's answer against the analysis
//! schema and falls back to the offline engine when the model fails.

mod llm;
mod offline;

pub use llm::{analysis_json_schema, LlmAnalyzer, PROMPT_VERSION};
pub use offline::OfflineAnalyzer;
