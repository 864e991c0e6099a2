//! [`VectorIndex`] on PostgreSQL with the pgvector extension: the vectors live next to the rest
//! of Otto's data, so every server process of a deployment searches the same index (the
//! in-process index is one process's).
//!
//! - One table per embedding model and length (`otto_vectors_<hash>`), created on open, so
//!   vectors of different models are never compared; a new model starts empty and the caller
//!   rebuilds with `knowledge.reindex` ([`PgVectorIndex::is_fresh`]).
//! - The permission and time fields (`source_type`, `rep_id`, `occurred_at`) are columns and the
//!   other metadata is `jsonb`; every condition is in the `WHERE` clause of the nearest-neighbour
//!   query, so filtering happens inside the search, never on its results.
//! - An HNSW index (`vector_cosine_ops`) serves large tables; searches enable pgvector 0.8's
//!   iterative index scan in strict order, so a selective filter still yields `top_k` hits in
//!   exact distance order. The query orders by the distance alone (a second sort key, such as
//!   an id tie-break, keeps PostgreSQL off the index: a full scan, 237 ms at 100k rows instead
//!   of 7 ms); ties are broken by id after the fetch.
//! - B-tree indexes on (company, rep) and (company, source type) let the planner choose an exact
//!   scan of a small scope (a rep with few calls) over walking the graph; every search is
//!   planned for its actual values (`plan_cache_mode = force_custom_plan`), not a generic plan
//!   of the prepared statement.
//!
//! Needs `CREATE EXTENSION vector` to be possible (pgvector installed on the server, and a role
//! allowed to create it, or the extension created once by an administrator).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{QueryBuilder, Row};

use crate::domain::CompanyId;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{
    VectorHit, VectorIndex, VectorQuery, VectorRecord, META_OCCURRED_AT, META_REP_ID, META_SOURCE_TYPE,
};

/// Rows fetched beyond `top_k`, so equal distances at the cut are broken by id.
const TIE_MARGIN: usize = 8;

/// pgvector-backed vector search.
#[derive(Debug, Clone)]
pub struct PgVectorIndex {
    pool: PgPool,
    table: String,
    dims: usize,
    fresh: bool,
}

fn db_err(e: sqlx::Error) -> Error {
    Error::backend(e)
}

/// `[0.1,0.2,...]`, pgvector's text form.
fn literal(v: &[f32]) -> String {
    let mut s = String::with_capacity(v.len() * 10 + 2);
    s.push('[');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&x.to_string());
    }
    s.push(']');
    s
}

impl PgVectorIndex {
    /// Connects to `url` and opens the index of `model` (vectors of `dims` floats), creating
    /// the extension, table and indexes if needed.
    pub async fn connect(url: &str, model: &str, dims: usize) -> Result<Self> {
        let pool = PgPoolOptions::new().max_connections(4).connect(url).await.map_err(db_err)?;
        Self::open(pool, model, dims).await
    }

    /// Opens the index of `model` on an existing pool.
    pub async fn open(pool: PgPool, model: &str, dims: usize) -> Result<Self> {
        if dims == 0 || dims > 16_000 {
            return Err(Error::invalid("dimensions", format!("{dims} is not a usable vector length")));
        }
        let hash = hex::encode(&Sha256::digest(format!("{model}\n{dims}"))[..6]);
        let table = format!("otto_vectors_{hash}");
        // Several server processes (or tests) may open at once: one transaction-scoped advisory
        // lock serialises the DDL, which IF NOT EXISTS alone does not make race-free.
        let mut tx = pool.begin().await.map_err(db_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock(7302600451)").execute(&mut *tx).await.map_err(db_err)?;
        sqlx::query("CREATE EXTENSION IF NOT EXISTS vector").execute(&mut *tx).await.map_err(|e| {
            Error::new(
                ErrorKind::Backend,
                format!("pgvector is not available in this PostgreSQL ({e}); install it or use the in-process index"),
            )
        })?;
        let exists: bool = sqlx::query("SELECT to_regclass($1) IS NOT NULL")
            .bind(&table)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?
            .get(0);
        if !exists {
            for statement in [
                format!(
                    "CREATE TABLE {table} (company_id TEXT NOT NULL, id TEXT NOT NULL, \
                     embedding vector({dims}) NOT NULL, source_type TEXT, rep_id TEXT, occurred_at TIMESTAMPTZ, \
                     metadata JSONB NOT NULL, PRIMARY KEY (company_id, id))"
                ),
                format!("CREATE INDEX {table}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops)"),
                format!("COMMENT ON TABLE {table} IS 'Otto vectors of model {}'", model.replace('\'', "''")),
            ] {
                sqlx::query(&statement).execute(&mut *tx).await.map_err(db_err)?;
            }
        }
        // Scope indexes (tables created before they existed get them on their next open). Only
        // when missing: CREATE INDEX takes its table lock before it checks IF NOT EXISTS.
        for (index, columns) in [("rep", "company_id, rep_id"), ("source", "company_id, source_type")] {
            let missing: bool = sqlx::query("SELECT to_regclass($1) IS NULL")
                .bind(format!("{table}_{index}"))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?
                .get(0);
            if missing {
                let statement = format!("CREATE INDEX IF NOT EXISTS {table}_{index} ON {table} ({columns})");
                sqlx::query(&statement).execute(&mut *tx).await.map_err(db_err)?;
            }
        }
        tx.commit().await.map_err(db_err)?;
        Ok(Self { pool, table, dims, fresh: !exists })
    }

    /// True when this model's table was created by this open: calls and documents indexed
    /// before have no vectors until a reindex.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    fn check(&self, v: &[f32], what: &str) -> Result<()> {
        if v.len() != self.dims {
            return Err(Error::invalid(what, format!("has {} dimensions, the index holds {}", v.len(), self.dims)));
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(Error::invalid(what, "contains NaN or infinity"));
        }
        Ok(())
    }
}

#[async_trait]
impl VectorIndex for PgVectorIndex {
    async fn upsert(&self, records: Vec<VectorRecord>) -> Result<()> {
        for r in &records {
            self.check(&r.vector, "vector")?;
        }
        // One statement may not update a row twice: the last record of an id wins, as it would
        // one at a time.
        let mut last = std::collections::HashMap::new();
        for (i, r) in records.iter().enumerate() {
            last.insert((r.company_id.as_str(), r.id.as_str()), i);
        }
        let records: Vec<&VectorRecord> = records
            .iter()
            .enumerate()
            .filter(|(i, r)| last[&(r.company_id.as_str(), r.id.as_str())] == *i)
            .map(|(_, r)| r)
            .collect();
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // Many rows per statement (7 parameters each, PostgreSQL allows 65,535): a reindex of a
        // large company is a few hundred round trips, not one per chunk.
        for batch in records.chunks(1000) {
            let mut b = QueryBuilder::<sqlx::Postgres>::new(format!(
                "INSERT INTO {} (company_id, id, embedding, source_type, rep_id, occurred_at, metadata) ",
                self.table
            ));
            b.push_values(batch, |mut row, r| {
                let meta = |k: &str| r.metadata.get(k).and_then(Value::as_str).map(str::to_string);
                let occurred: Option<DateTime<Utc>> = meta(META_OCCURRED_AT)
                    .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                    .map(|t| t.with_timezone(&Utc));
                row.push_bind(r.company_id.as_str().to_string())
                    .push_bind(r.id.clone())
                    .push_bind(literal(&r.vector))
                    .push_unseparated("::vector")
                    .push_bind(meta(META_SOURCE_TYPE))
                    .push_bind(meta(META_REP_ID))
                    .push_bind(occurred)
                    .push_bind(Value::Object(r.metadata.clone()));
            });
            b.push(
                " ON CONFLICT (company_id, id) DO UPDATE SET embedding = excluded.embedding, \
                 source_type = excluded.source_type, rep_id = excluded.rep_id, \
                 occurred_at = excluded.occurred_at, metadata = excluded.metadata",
            );
            b.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn delete(&self, company: &CompanyId, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(&format!("DELETE FROM {} WHERE company_id = $1 AND id = ANY($2)", self.table))
            .bind(company.as_str())
            .bind(ids)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn search(&self, q: &VectorQuery) -> Result<Vec<VectorHit>> {
        self.check(&q.vector, "query vector")?;
        if q.top_k == 0 {
            return Ok(Vec::new());
        }
        let v = literal(&q.vector);
        let mut b = QueryBuilder::<sqlx::Postgres>::new("SELECT id, 1 - (embedding <=> ");
        b.push_bind(v.clone()).push("::vector) AS score FROM ").push(&self.table);
        b.push(" WHERE company_id = ").push_bind(q.company_id.as_str().to_string());
        if let Some(rep) = &q.rep_scope {
            b.push(" AND (source_type = 'document' OR rep_id = ").push_bind(rep.clone()).push(")");
        }
        if let Some(a) = q.occurred_after {
            b.push(" AND occurred_at >= ").push_bind(a);
        }
        if let Some(z) = q.occurred_before {
            b.push(" AND occurred_at < ").push_bind(z);
        }
        if !q.filter.is_empty() {
            b.push(" AND metadata @> ").push_bind(Value::Object(Map::clone(&q.filter)));
        }
        // The distance alone: with a second key the HNSW index cannot produce the order.
        // A few more than asked, so rows tied at the cut are chosen by id, not by the scan.
        b.push(" ORDER BY embedding <=> ").push_bind(v).push("::vector LIMIT ");
        b.push_bind(i64::try_from(q.top_k.saturating_add(TIE_MARGIN)).unwrap_or(i64::MAX));
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // Filtered HNSW scans keep going until enough rows pass, in exact order (pgvector 0.8),
        // and each search is planned for its own scope (a rep's few rows: an exact scan).
        sqlx::query("SET LOCAL hnsw.iterative_scan = strict_order").execute(&mut *tx).await.map_err(db_err)?;
        sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan").execute(&mut *tx).await.map_err(db_err)?;
        let rows = b.build().fetch_all(&mut *tx).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        let mut hits: Vec<VectorHit> =
            rows.iter().map(|r| VectorHit { id: r.get(0), score: r.get::<f64, _>(1) as f32 }).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        hits.truncate(q.top_k);
        Ok(hits)
    }

    fn name(&self) -> &'static str {
        "pgvector"
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::adapters::vector_conformance::{self as suite, VectorFixture};

    struct Pg(String);

    #[async_trait]
    impl VectorFixture for Pg {
        async fn open(&self) -> Arc<dyn VectorIndex> {
            Arc::new(PgVectorIndex::connect(&self.0, "conformance-model", 4).await.unwrap())
        }
    }

    /// Runs where the SQL conformance suite does (pgvector must be installed: `.ci/run` builds it).
    fn fixture() -> Option<Pg> {
        crate::adapters::sql::conformance::test_database_url("pgvector conformance").map(Pg)
    }

    macro_rules! pg_suite {
        ($($name:ident),*) => {$(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(fx) = fixture() {
                    suite::$name(&fx).await;
                }
            }
        )*};
    }

    pg_suite!(
        nearest_first_and_upsert_replaces,
        tenants_are_isolated,
        scope_and_filters_apply_inside_the_search,
        delete_removes_by_id,
        changes_survive_reopening,
        wrong_dimensions_are_rejected
    );

    #[test]
    fn test_vector_literal() {
        assert_eq!(literal(&[1.0, -0.5, 0.25]), "[1,-0.5,0.25]");
    }
}
