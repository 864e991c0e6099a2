//! Adapters: implementations of the ports, each behind a cargo feature.
//!
//! `fs_blob` needs nothing beyond tokio and is always built; `sql` needs `sqlite` or `postgres`.

pub mod fs_blob;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod sql;
