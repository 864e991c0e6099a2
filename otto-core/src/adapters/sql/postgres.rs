//! PostgreSQL store.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use tokio::sync::MutexGuard;

/// [`crate::ports::Store`] on PostgreSQL. Several Otto processes may share one database: the
/// job queue leases with `FOR UPDATE SKIP LOCKED`.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://...`) and runs pending migrations.
    pub async fn open(url: &str) -> crate::Result<Self> {
        let opts = PgConnectOptions::from_str(url).map_err(super::db_err)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(super::db_err)?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await.map_err(crate::Error::backend)?;
        Ok(Self { pool })
    }

    /// PostgreSQL handles concurrent writers itself.
    async fn writer(&self) -> Option<MutexGuard<'_, ()>> {
        None
    }

    /// Full-text search on the generated tsvector: any term may match (OR), ranked by cover
    /// density (title weighted A), normalised by document length.
    async fn fts_search(
        &self,
        company: &crate::domain::CompanyId,
        q: &crate::domain::ChunkQuery,
        terms: &[String],
    ) -> crate::Result<Vec<super::ChunkHitRow>> {
        let query = terms.join(" | ");
        let mut qb = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
            "SELECT {}, ts_rank_cd(c.tsv, q, 1)::float8 AS score FROM chunks c, to_tsquery('english', ",
            CHUNK_COLUMNS
        ));
        qb.push_bind(query);
        qb.push(") q WHERE c.tsv @@ q");
        push_chunk_filters(&mut qb, company, q);
        qb.push(" ORDER BY score DESC LIMIT ").push_bind(i64::from(q.limit.max(1)));
        qb.build_query_as::<super::ChunkHitRow>().fetch_all(&self.pool).await.map_err(super::db_err)
    }
}

super::impl_sql_store!(
    PostgresStore,
    sqlx::Postgres,
    "FOR UPDATE SKIP LOCKED",
    "postgres",
    "CAST({} AT TIME ZONE 'UTC' AS DATE)"
);
super::followups::impl_followup_store!(PostgresStore, sqlx::Postgres);
super::clone::impl_clone_store!(PostgresStore, sqlx::Postgres);
