//! Domain types: what Otto knows about, free of any storage or transport type.
//!
//! Request types (`NewCall`, `CallUpdate`, ...) validate themselves so every entry point (HTTP,
//! bindings, an embedding app) rejects the same bad input with the same message.

mod analysis_record;
mod audit;
mod call;
mod clone;
mod company;
mod crm;
mod document;
mod facts;
mod followup;
mod ids;
mod job;
mod knowledge;
mod page;
mod performance;
mod rag;
mod sop;
mod summary;
mod transcript;

pub use analysis_record::AnalysisRecord;
pub use audit::{AuditEvent, AuditFilter};
pub use call::{Call, CallFilter, CallSort, CallStatus, CallType, CallUpdate, NewCall, StageState};
pub use clone::{
    normalize_sample, CloneCharacteristics, CloneDraft, CloneDraftFilter, CloneDraftList, CloneDraftSort,
    ClonePerformance, CloneProfileResponse, CloneProfileView, CloneSample, CloneStatus, CommunicationSample,
    GenerateContext, GenerateRequest, GeneratedContent, Habit, LengthStats, PersonalClone, SampleType, SignaturePhrase,
    StyleProfile, TrainCloneRequest, TrainingStarted, TrainingStatus, MAX_SAMPLES_PER_TRAINING,
};
pub use company::{CompanySettings, CompanySettingsUpdate};
pub use crm::{CrmEntity, CrmEvent, EntityIngestion, EventIngestion, NewCrmEntity, NewCrmEvent};
pub use document::{Document, DocumentStatus, DocumentType, MAX_DOCUMENT_BYTES};
pub use facts::{CallFacts, DateRange, FactFilter, FactOrder, ObjectionFact, StageFact};
pub use followup::{
    CustomerInfo, DraftFilter, DraftList, DraftSort, DraftStatus, DraftUpdate, FollowupChannel, FollowupDraft,
    FollowupKind, FollowupRequest, FollowupTask, FollowupTone, NewFollowupTask, TaskList, TaskPriority, TaskStatus,
    TaskType,
};
pub(crate) use ids::validate_id;
pub use ids::{new_id, CompanyId};
pub use job::{Job, JobStatus, LeaseRequest, NewJob};
pub use knowledge::{Chunk, ChunkQuery, SourceType};
pub use page::{Page, PageRequest, SortOrder};
pub use performance::lead_source_of;
pub use performance::{
    LeadAggregates, LeadAnalytics, LeadQuality, LeadQuery, LeadRecord, LeadSort, ObjectionAggregate,
    ObjectionAnalytics, ObjectionQuery, ObjectionSort, ObjectionStat, PerformanceMetrics, PerformanceTotals,
    RepAggregate, RepPerformance, RepPerformanceList, RepQuery, RepSort,
};
pub use rag::{RagQueryFilter, RagQueryRecord, RagQuerySort, RagSession};
pub use sop::{NewSopStage, NewSopStages, SopStage, SopStageFilter, SopStageSort, SopStageUpdate};
pub use summary::{Summary, SummaryFilter, SummarySort, SummaryType};
pub use transcript::{validate_segments, SegmentInput, SpeakerRole, Transcript, TranscriptSegment, MAX_SEGMENTS};
