//! Services: the operations of [`crate::Otto`], one module per API concept. Each method checks
//! the principal's permission and tenant first, validates input, then talks to the ports.

mod analyses;
mod analytics;
mod audit;
mod calls;
mod crm;
mod processing;
mod rag;
mod sop;
mod summaries;

pub use rag::{AskInput, AskOutcome};
