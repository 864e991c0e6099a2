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
}

super::impl_sql_store!(PostgresStore, sqlx::Postgres, "FOR UPDATE SKIP LOCKED", "postgres");
