//! Adapters: implementations of the ports, each behind a cargo feature.
//!
//! `fs_blob` needs nothing beyond tokio and is always built; `sql` needs `sqlite` or `postgres`.

pub mod asr;
#[cfg(feature = "embed-minilm")]
pub mod embed;
pub mod fs_blob;
pub mod hashing_embed;
#[cfg(feature = "llm-http")]
pub mod llm;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod sql;
