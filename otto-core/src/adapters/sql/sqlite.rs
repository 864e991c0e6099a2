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
    ///
    /// BM25 is computed for every row the expression matches, so a term found in most chunks
    /// ("roof" at a roofing company) would make one question score tens of thousands of rows.
    /// The expression is therefore planned from each term's (bounded) row count within the
    /// caller's scope; see [`plan_match`]. The scope itself is part of the expression (the
    /// `fts_scope` tokens of migration 0013), so only the tenant's rows, or a rep's own calls
    /// and the documents, are ever visited; the SQL filters of the same statement still decide.
    async fn fts_search(
        &self,
        company: &crate::domain::CompanyId,
        q: &crate::domain::ChunkQuery,
        terms: &[String],
    ) -> crate::Result<Vec<super::ChunkHitRow>> {
        let scope = scope_expression(company.as_str(), q.rep_scope.as_deref());
        let mut counts = Vec::with_capacity(terms.len());
        for t in terms {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH $1 LIMIT $2)",
            )
            .bind(format!("{scope} AND {{title text}} : \"{t}\""))
            .bind(i64::try_from(SCORED_ROWS).unwrap_or(i64::MAX) + 1)
            .fetch_one(&self.pool)
            .await
            .map_err(super::db_err)?;
            counts.push(u64::try_from(n).unwrap_or(0));
        }
        let plan = plan_match(terms, &counts, SCORED_ROWS);
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
            "SELECT * FROM (SELECT {}, -bm25(chunks_fts, 2.0, 1.0, 0.0) AS score FROM chunks_fts \
             JOIN chunks c ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ",
            CHUNK_COLUMNS
        ));
        qb.push_bind(format!("{scope} AND {{title text}} : ({})", plan.expression));
        push_chunk_filters(&mut qb, company, q);
        if plan.capped {
            // The most recently indexed matches (rowids grow as chunks are written).
            qb.push(" ORDER BY chunks_fts.rowid DESC LIMIT ").push_bind(i64::try_from(SCORED_ROWS).unwrap_or(i64::MAX));
        }
        qb.push(") ORDER BY score DESC LIMIT ").push_bind(i64::from(q.limit.max(1)));
        qb.build_query_as::<super::ChunkHitRow>().fetch_all(&self.pool).await.map_err(super::db_err)
    }
}

/// The `fts_scope` tokens (migration 0013) a search may visit: the company's chunks, or for a
/// rep scope the company's documents and the rep's own calls. The same hex encoding as SQLite's
/// `hex()` (FTS5 folds case).
fn scope_expression(company: &str, rep: Option<&str>) -> String {
    let co = hex::encode_upper(company);
    match rep {
        None => format!("fts_scope : \"t{co}\""),
        Some(rep) => format!("fts_scope : (\"d{co}\" OR \"r{co}x{}\")", hex::encode_upper(rep)),
    }
}

/// How many rows one lexical search scores at most once its terms are common.
const SCORED_ROWS: u64 = 2000;

/// An FTS5 match expression and whether the rows it matches must be capped.
#[derive(Debug, PartialEq)]
struct MatchPlan {
    expression: String,
    capped: bool,
}

/// Plans the match for `terms` given how many rows each matches (`counts`, bounded just above
/// `budget`):
///
/// - together they match at most `budget` rows: any term may match, every row is scored;
/// - otherwise the rarest terms whose counts fit the budget drive the search: a row must hold
///   one of them, and all terms still score it (`(rare) AND (all)`). A row with only common
///   terms scores low anyway (BM25's IDF is near zero for a term in half the rows), so this
///   keeps the ranking while bounding the work;
/// - no term is that rare: the rarest one drives, and only the `budget` most recently indexed
///   matches are scored (a question made only of everyday words gets recent evidence).
fn plan_match(terms: &[String], counts: &[u64], budget: u64) -> MatchPlan {
    let quote = |ts: &[&String]| ts.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR ");
    let all: Vec<&String> = terms.iter().collect();
    if counts.iter().sum::<u64>() <= budget {
        return MatchPlan { expression: quote(&all), capped: false };
    }
    let mut by_count: Vec<(u64, &String)> = counts.iter().copied().zip(terms).collect();
    by_count.sort();
    let mut driving: Vec<&String> = Vec::new();
    let mut total = 0;
    for (n, t) in &by_count {
        if total + n > budget {
            break;
        }
        total += n;
        driving.push(t);
    }
    let capped = driving.is_empty();
    if capped {
        driving.push(by_count[0].1);
    }
    let expression = if all.len() == 1 { quote(&all) } else { format!("({}) AND ({})", quote(&driving), quote(&all)) };
    MatchPlan { expression, capped }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(ts: &[&str]) -> Vec<String> {
        ts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn scope_tokens_match_sqlite_hex() {
        assert_eq!(scope_expression("co", None), "fts_scope : \"t636F\"");
        assert_eq!(scope_expression("co", Some("r_1")), "fts_scope : (\"d636F\" OR \"r636Fx725F31\")");
    }

    #[test]
    fn rare_terms_together_are_searched_plainly() {
        let plan = plan_match(&terms(&["whitfield", "roof"]), &[3, 40], 100);
        assert_eq!(plan, MatchPlan { expression: "\"whitfield\" OR \"roof\"".into(), capped: false });
    }

    #[test]
    fn rare_terms_drive_when_common_ones_would_flood() {
        let plan = plan_match(&terms(&["roof", "whitfield", "elm", "price"]), &[101, 3, 20, 101], 100);
        assert_eq!(
            plan.expression,
            "(\"whitfield\" OR \"elm\") AND (\"roof\" OR \"whitfield\" OR \"elm\" OR \"price\")"
        );
        assert!(!plan.capped);
    }

    #[test]
    fn only_common_terms_cap_the_rows_scored() {
        let plan = plan_match(&terms(&["roof", "price"]), &[101, 101], 100);
        assert_eq!(plan.expression, "(\"price\") AND (\"roof\" OR \"price\")");
        assert!(plan.capped);
        let single = plan_match(&terms(&["roof"]), &[101], 100);
        assert_eq!(single, MatchPlan { expression: "\"roof\"".into(), capped: true });
    }
}

super::impl_sql_store!(SqliteStore, sqlx::Sqlite, "", "sqlite", "date({})");
super::followups::impl_followup_store!(SqliteStore, sqlx::Sqlite);
super::clone::impl_clone_store!(SqliteStore, sqlx::Sqlite);
