use async_trait::async_trait;

use crate::analysis::{AnalysisInput, CallAnalysis};
use crate::error::Result;
use crate::ports::CallAnalyzer;

/// The built-in deterministic engine ([`crate::analysis::analyze`]): no network, no model.
#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineAnalyzer;

#[async_trait]
impl CallAnalyzer for OfflineAnalyzer {
    fn name(&self) -> String {
        crate::analysis::ENGINE.to_string()
    }

    async fn analyze(&self, input: &AnalysisInput) -> Result<CallAnalysis> {
        // Pure CPU work: keep it off the async executor's threads.
        let input = input.clone();
        tokio::task::spawn_blocking(move || crate::analysis::analyze(&input))
            .await
            .map_err(|e| crate::Error::internal(format!("analysis panicked: {e}")))
    }
}
