//! Services: the operations of [`crate::Otto`], one module per API concept. Each method checks
//! the principal's permission and tenant first, validates input, then talks to the ports.

mod analyses;
mod analytics;
mod audit;
mod calls;
mod clone;
mod crm;
#[cfg(feature = "documents")]
mod documents;
mod followups;
mod performance;
mod processing;
mod rag;
mod settings;
mod sop;
mod summaries;

#[cfg(feature = "documents")]
pub use documents::{DocumentUpload, ReindexStarted, UrlUpload};
pub use rag::{AskInput, AskOutcome};
