//! # otto-core
//!
//! The embeddable engine behind Otto, the sales-call intelligence platform: domain types,
//! ports (storage, blobs, job queue, ASR, LLM, embeddings, vectors), the services that enforce
//! tenant and role rules, and adapters behind cargo features (`sqlite`, `postgres`).
//!
//! A Rust app links this crate directly and gets the same behaviour and protection as the
//! HTTP server:
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use otto_core::{CompanyId, NewCall, Otto, Principal, Role};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let otto = Otto::open_embedded(dir.path()).await.unwrap();
//! let me = Principal::new("rep_1", CompanyId::parse("acme").unwrap(), Role::SalesRep);
//! let call = otto.create_call(&me, NewCall { caller_phone: Some("+15551234567".into()), ..Default::default() })
//!     .await
//!     .unwrap();
//! assert_eq!(call.rep_id.as_deref(), Some("rep_1"));
//! assert_eq!(otto.get_call(&me, &call.call_id).await.unwrap(), call);
//! # });
//! ```

pub mod adapters;
pub mod analysis;
pub mod analyzers;
pub mod api;
pub mod auth;
pub mod clone;
pub mod domain;
mod error;
pub mod followup;
pub mod jobs;
pub mod knowledge;
pub mod models;
mod otto;
pub mod pipeline;
pub mod ports;
pub mod rag;
mod services;
pub mod speech;

pub use auth::{Action, DataScope, Permission, Principal, Role};
pub use domain::*;
pub use error::{Error, ErrorKind, Result};
pub use otto::{Otto, OttoBuilder};
pub use services::{AskInput, AskOutcome};
#[cfg(feature = "documents")]
pub use services::{DocumentUpload, ReindexStarted, UrlUpload};
