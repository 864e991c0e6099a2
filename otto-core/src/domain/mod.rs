//! Domain types: what Otto knows about, free of any storage or transport type.
//!
//! Request types (`NewCall`, `CallUpdate`, ...) validate themselves so every entry point (HTTP,
//! bindings, an embedding app) rejects the same bad input with the same message.

mod call;
mod crm;
mod ids;
mod job;
mod page;
mod sop;

pub use call::{Call, CallFilter, CallSort, CallStatus, CallType, CallUpdate, NewCall};
pub use crm::{CrmEntity, CrmEvent, EntityIngestion, EventIngestion, NewCrmEntity, NewCrmEvent};
pub(crate) use ids::validate_id;
pub use ids::{new_id, CompanyId};
pub use job::{Job, JobStatus, LeaseRequest, NewJob};
pub use page::{Page, PageRequest, SortOrder};
pub use sop::{NewSopStage, NewSopStages, SopStage, SopStageFilter, SopStageSort, SopStageUpdate};
