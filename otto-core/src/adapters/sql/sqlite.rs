//! SQLite store: the embedded default, one file in the data directory.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::{Mutex, MutexGuard};

/// [`crate::ports::Store`] on SQLite (WAL mode). Readers run concurrently; writers are
/// serialised in-process, because SQLite has one writer and a deferred transaction that
/// upgrades to a write lock fails instead of waiting. One process per database file.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    write_lock: Mutex<()>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path` and runs pending migrations.
    pub async fn open(path: impl AsRef<Path>) -> crate::Result<Self> {
        let opts = SqliteConnectOptions::new()
            .filename(path.as_ref())
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(10))
            .foreign_keys(true);
        Self::connect(opts, 8).await
    }

    /// Opens a database from a `sqlite:` URL (e.g. `sqlite::memory:`).
    pub async fn open_url(url: &str) -> crate::Result<Self> {
        let opts = SqliteConnectOptions::from_str(url).map_err(super::db_err)?.create_if_missing(true);
        // An in-memory database exists per connection: keep exactly one.
        let max = if url.contains(":memory:") { 1 } else { 8 };
        Self::connect(opts, max).await
    }

    async fn connect(opts: SqliteConnectOptions, max: u32) -> crate::Result<Self> {
        let pool = SqlitePoolOptions::new().max_connections(max).connect_with(opts).await.map_err(super::db_err)?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await.map_err(crate::Error::backend)?;
        Ok(Self { pool, write_lock: Mutex::new(()) })
    }

    async fn writer(&self) -> Option<MutexGuard<'_, ()>> {
        Some(self.write_lock.lock().await)
    }

    /// FTS5 search: any term may match (OR), ranked by BM25 with the title weighted double.
    async fn fts_search(
        &self,
        company: &crate::domain::CompanyId,
        q: &crate::domain::ChunkQuery,
        terms: &[String],
    ) -> crate::Result<Vec<super::ChunkHitRow>> {
        let matcher = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR ");
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
            "SELECT {}, -bm25(chunks_fts, 2.0, 1.0) AS score FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid \
             WHERE chunks_fts MATCH ",
            CHUNK_COLUMNS
        ));
        qb.push_bind(matcher);
        push_chunk_filters(&mut qb, company, q);
        qb.push(" ORDER BY score DESC LIMIT ").push_bind(i64::from(q.limit.max(1)));
        qb.build_query_as::<super::ChunkHitRow>().fetch_all(&self.pool).await.map_err(super::db_err)
    }
}

super::impl_sql_store!(SqliteStore, sqlx::Sqlite, "", "sqlite", "date({})");
super::followups::impl_followup_store!(SqliteStore, sqlx::Sqlite);
super::clone::impl_clone_store!(SqliteStore, sqlx::Sqlite);
