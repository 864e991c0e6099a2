//! Domain types: what Otto knows about, free of any storage or transport type.
//!
//! Request types (`NewCall`, `CallUpdate`, ...) validate themselves so every entry point (HTTP,
//! bindings, an embedding app) rejects the same bad input with the same message.

mod analysis_record;
mod audit;
mod call;
mod crm;
mod facts;
mod ids;
mod job;
mod knowledge;
mod page;
mod rag;
mod sop;
mod summary;
mod transcript;

pub use analysis_record::AnalysisRecord;
pub use audit::{AuditEvent, AuditFilter};
pub use call::{Call, CallFilter, CallSort, CallStatus, CallType, CallUpdate, NewCall, StageState};
pub use crm::{CrmEntity, CrmEvent, EntityIngestion, EventIngestion, NewCrmEntity, NewCrmEvent};
pub use facts::{CallFacts, DateRange, FactFilter, FactOrder, ObjectionFact, StageFact};
pub(crate) use ids::validate_id;
pub use ids::{new_id, CompanyId};
pub use job::{Job, JobStatus, LeaseRequest, NewJob};
pub use knowledge::{Chunk, ChunkQuery, SourceType};
pub use page::{Page, PageRequest, SortOrder};
pub use rag::{RagQueryFilter, RagQueryRecord, RagQuerySort, RagSession};
pub use sop::{NewSopStage, NewSopStages, SopStage, SopStageFilter, SopStageSort, SopStageUpdate};
pub use summary::{Summary, SummaryFilter, SummarySort, SummaryType};
pub use transcript::{validate_segments, SegmentInput, SpeakerRole, Transcript, TranscriptSegment, MAX_SEGMENTS};
