//! Ports: the async traits otto-core needs from the outside world.
//!
//! Each is held as `Arc<dyn Port>` and injected through [`crate::OttoBuilder`]. Adapters live in
//! [`crate::adapters`] behind cargo features; core never names an adapter type.

mod ai;
mod analyzer;
mod blob;
mod clock;
mod clone;
mod followup;
mod store;

pub use ai::{
    AsrEngine, ChatMessage, ChatRole, Completion, CompletionRequest, Embedder, LlmEngine, TextStream,
    TranscribeRequest, Transcription, TranscriptionSegment, VectorHit, VectorIndex, VectorQuery, VectorRecord,
    META_OCCURRED_AT, META_REP_ID, META_SOURCE_TYPE,
};
pub use analyzer::CallAnalyzer;
pub use blob::BlobStore;
pub use clock::{Clock, SystemClock};
pub use clone::{CloneStore, TrainingRequest};
pub use followup::{FollowupStore, PerformanceStore};
pub use store::{
    AnalysisStore, AnalyticsStore, AuditLog, CallStore, ComplianceAggregates, CrmStore, DocumentStore, EntityUpsert,
    JobQueue, KnowledgeStore, RagStore, SettingsStore, SopStore, Store, SummaryStore,
};
