use async_trait::async_trait;

use crate::analysis::{AnalysisInput, CallAnalysis};
use crate::error::Result;

/// Call analysis engine: the offline rules engine by default, an LLM-backed engine when
/// configured (which falls back to the offline engine when the model fails).
#[async_trait]
pub trait CallAnalyzer: Send + Sync {
    /// Engine name recorded with every analysis.
    fn name(&self) -> String;
    /// Analyses one call.
    async fn analyze(&self, input: &AnalysisInput) -> Result<CallAnalysis>;
}
