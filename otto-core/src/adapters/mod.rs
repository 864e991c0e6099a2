//! Adapters: implementations of the ports, each behind a cargo feature.
//!
//! `fs_blob`, `hashing_embed` and `vector_mem` (the in-process vector index) need nothing beyond
//! tokio and are always built; `sql` needs `sqlite` or `postgres`.

pub mod asr;
#[cfg(feature = "embed-minilm")]
pub mod embed;
pub mod fs_blob;
pub mod hashing_embed;
#[cfg(feature = "llm-http")]
pub mod llm;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod sql;
#[cfg(test)]
pub(crate) mod vector_conformance;
pub mod vector_mem;
