//! SQL storage adapters: SQLite (the embedded default) and PostgreSQL.
//!
//! Both run the same statements: `$N` placeholders work in both dialects, and
//! `ON CONFLICT`/`RETURNING` too. The shared body lives in `impl_sql_store!`, instantiated once
//! per backend, so the two can't drift apart. What differs (pool setup, migrations, row locking
//! for the job queue, SQLite's single writer) stays in `sqlite.rs` and `postgres.rs`.

mod clone;
#[cfg(test)]
mod conformance;
mod followups;
#[cfg(feature = "postgres")]
mod pgvector;
#[cfg(feature = "postgres")]
mod postgres;
mod rollups;
mod rows;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
pub use pgvector::PgVectorIndex;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use crate::error::Error;

/// Maps a sqlx error to the port's error: unique violations become `Conflict` with `conflict`
/// as the message; everything else is an opaque `Backend` error.
pub(crate) fn db_err_or_conflict(e: sqlx::Error, conflict: impl FnOnce() -> String) -> Error {
    if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
        return Error::conflict(conflict());
    }
    Error::backend(e)
}

/// Maps a sqlx error to an opaque `Backend` error.
pub(crate) fn db_err(e: sqlx::Error) -> Error {
    Error::backend(e)
}

/// Implements every storage port for `$store`, a struct with a `pool: sqlx::Pool<$db>` field
/// and an `async fn writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>>` that serialises
/// writers where the database needs it. `$lock` is appended to the job-lease subquery
/// (`FOR UPDATE SKIP LOCKED` on PostgreSQL, empty on SQLite whose writers are serialised).
/// `$day` formats the UTC calendar day of a timestamp column (`{}`) in the database's own type
/// for the daily rollups' `day` key (`DATE` on PostgreSQL, `YYYY-MM-DD` text on SQLite, which is
/// how each binds a `NaiveDate`).
macro_rules! impl_sql_store {
    ($store:ty, $db:ty, $lock:literal, $name:literal, $day:literal) => {
        use std::time::Duration as StdDuration;

        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use serde_json::{Map, Value};
        use sqlx::types::Json;
        use sqlx::{QueryBuilder, Row};

        use $crate::adapters::sql::rows::{DocumentRow, RagQueryRow, AnalysisRow, AuditRow, ChunkRow, CallRow, SummaryRow, EntityRow, EventRow, JobRow, StageRow};
        use $crate::adapters::sql::{db_err, db_err_or_conflict};
        use $crate::domain::{
            CompanySettings,
            Document,
            RagQueryFilter, RagQueryRecord, RagSession,
            new_id, AnalysisRecord, AuditEvent, AuditFilter, Chunk, ChunkQuery, FactFilter, FactOrder, SourceType, Call, CallFacts, DateRange, Summary, SummaryFilter, SummaryType, CallFilter, CompanyId, CrmEntity, CrmEvent, Job, JobStatus, LeaseRequest, NewCrmEntity,
            NewCrmEvent, NewJob, Page, SopStage, SopStageFilter,
        };
        use $crate::error::{Error, Result};
        use $crate::ports::{
            SettingsStore,
            DocumentStore,
            RagStore,
            AnalysisStore, AnalyticsStore, AuditLog, KnowledgeStore, CallStore, ComplianceAggregates, SummaryStore, CrmStore, EntityUpsert, JobQueue, SopStore, Store};

        const CALL_COLUMNS: &str = "company_id, call_id, rep_id, status, processing_status, audio_url, \
            caller_phone, rep_phone, duration, callrail_id, call_type, started_at, timezone, rep_channel, \
            audio_file_path, transcript_file_path, speaker_diarization_file_path, failure_reason, metadata, \
            created_at, updated_at, language, processing_stages, progress, utc_offset_minutes";
        const STAGE_COLUMNS: &str = "company_id, stage_id, sop_id, stage_name, stage_order, stage_description, \
            is_active, created_at, updated_at";
        const JOB_COLUMNS: &str = "job_id, kind, company_id, payload, status, attempts, max_attempts, run_at, \
            leased_by, lease_expires_at, last_error, progress, created_at, updated_at";

        fn lease_deadline(now: DateTime<Utc>, lease_for: StdDuration) -> DateTime<Utc> {
            now + chrono::Duration::from_std(lease_for).unwrap_or_else(|_| chrono::Duration::seconds(60))
        }

        async fn enqueue_on(
            conn: &mut <$db as sqlx::Database>::Connection,
            job: &NewJob,
        ) -> Result<(String, bool)> {
            let job_id = new_id("job");
            let inserted = sqlx::query(
                "INSERT INTO jobs (job_id, kind, company_id, payload, status, attempts, max_attempts, run_at, \
                 progress, dedupe_key, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, 0, $7, $8, $8) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(&job_id)
            .bind(&job.kind)
            .bind(job.company_id.as_ref().map(CompanyId::as_str))
            .bind(Json(&job.payload))
            .bind(i64::from(job.max_attempts))
            .bind(job.run_at)
            .bind(job.dedupe_key.as_deref())
            .bind(job.created_at)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?
            .rows_affected();
            if inserted == 1 {
                return Ok((job_id, true));
            }
            let existing: String = sqlx::query_scalar("SELECT job_id FROM jobs WHERE dedupe_key = $1")
                .bind(job.dedupe_key.as_deref())
                .fetch_one(&mut *conn)
                .await
                .map_err(db_err)?;
            Ok((existing, false))
        }

        async fn update_call_on(conn: &mut <$db as sqlx::Database>::Connection, call: &Call) -> Result<()> {
            let n = sqlx::query(
                "UPDATE calls SET rep_id = $3, status = $4, processing_status = $5, audio_url = $6, \
                 caller_phone = $7, rep_phone = $8, duration = $9, callrail_id = $10, call_type = $11, \
                 started_at = $12, timezone = $13, rep_channel = $14, audio_file_path = $15, \
                 transcript_file_path = $16, speaker_diarization_file_path = $17, failure_reason = $18, \
                 metadata = $19, updated_at = $20, language = $21, processing_stages = $22, progress = $23, \
                 utc_offset_minutes = $24 WHERE company_id = $1 AND call_id = $2",
            )
            .bind(call.company_id.as_str())
            .bind(&call.call_id)
            .bind(call.rep_id.as_deref())
            .bind(call.status.as_str())
            .bind(call.processing_status.as_str())
            .bind(call.audio_url.as_deref())
            .bind(call.caller_phone.as_deref())
            .bind(call.rep_phone.as_deref())
            .bind(call.duration)
            .bind(call.callrail_id.as_deref())
            .bind(call.call_type.map(|t| t.as_str()))
            .bind(call.started_at)
            .bind(call.timezone.as_deref())
            .bind(call.rep_channel.map(i64::from))
            .bind(call.audio_file_path.as_deref())
            .bind(call.transcript_file_path.as_deref())
            .bind(call.speaker_diarization_file_path.as_deref())
            .bind(call.failure_reason.as_deref())
            .bind(Json(&call.metadata))
            .bind(call.updated_at)
            .bind(call.language.as_deref())
            .bind(Json(&call.processing_stages))
            .bind(i64::from(call.progress))
            .bind(call.utc_offset_minutes.map(i64::from))
            .execute(&mut *conn)
            .await
            .map_err(|e| db_err_or_conflict(e, || "another call already has this callrail_id".to_string()))?
            .rows_affected();
            if n == 0 {
                return Err(Error::not_found(format!("call {}", call.call_id)));
            }
            Ok(())
        }

        async fn replace_facts_on(
            conn: &mut <$db as sqlx::Database>::Connection,
            call: &Call,
            f: &CallFacts,
        ) -> Result<()> {
            let (company, id) = (call.company_id.as_str(), call.call_id.as_str());
            let occurred = call.started_at.unwrap_or(call.created_at);
            // The rollups lose the old facts' contribution before the facts go.
            apply_rollups_on(&mut *conn, company, id, -1).await?;
            for sql in $crate::adapters::sql::rollups::prune_statements(utc_day) {
                sqlx::query(&sql).bind(company).bind(id).execute(&mut *conn).await.map_err(db_err)?;
            }
            for table in ["call_facts", "call_objection_facts", "call_stage_facts"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE company_id = $1 AND call_id = $2"))
                    .bind(company)
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
            }
            sqlx::query(
                "INSERT INTO call_facts (company_id, call_id, rep_id, call_type, occurred_at, lead_status, lead_score, \
                 qualified, outcome, rehash_score, appointment_booked, appointment_at, compliance_score, talk_ratio, \
                 objection_count, analysed_at, duration_seconds, lead_source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                 $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            )
            .bind(company)
            .bind(id)
            .bind(call.rep_id.as_deref())
            .bind(call.call_type.map(|t| t.as_str()))
            .bind(occurred)
            .bind(&f.lead_status)
            .bind(f64::from(f.lead_score))
            .bind(f.qualified)
            .bind(&f.outcome)
            .bind(i64::from(f.rehash_score))
            .bind(f.appointment_booked)
            .bind(f.appointment_at)
            .bind(f.compliance_score.map(f64::from))
            .bind(f.talk_ratio.map(f64::from))
            .bind(f.objections.len() as i64)
            .bind(call.updated_at)
            .bind(call.duration)
            .bind($crate::domain::lead_source_of(call))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            for (seq, o) in f.objections.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO call_objection_facts (company_id, call_id, seq, rep_id, occurred_at, objection_type, \
                     handled, severity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(company)
                .bind(id)
                .bind(seq as i64)
                .bind(call.rep_id.as_deref())
                .bind(occurred)
                .bind(&o.objection_type)
                .bind(o.handled)
                .bind(&o.severity)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            }
            for st in &f.stages {
                sqlx::query(
                    "INSERT INTO call_stage_facts (company_id, call_id, stage_name, stage_order, rep_id, occurred_at, \
                     performed) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, call_id, stage_name) DO NOTHING",
                )
                .bind(company)
                .bind(id)
                .bind(&st.stage_name)
                .bind(i64::from(st.stage_order))
                .bind(call.rep_id.as_deref())
                .bind(occurred)
                .bind(st.performed)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            }
            apply_rollups_on(&mut *conn, company, id, 1).await
        }

        /// `format!($day, col)`: the UTC calendar day of timestamp column `col`.
        fn utc_day(col: &str) -> String {
            format!($day, col)
        }

        /// Adds (`sign` 1) or removes (-1) the call's current facts to or from the daily rollups.
        async fn apply_rollups_on(
            conn: &mut <$db as sqlx::Database>::Connection,
            company: &str,
            call_id: &str,
            sign: i64,
        ) -> Result<()> {
            for sql in $crate::adapters::sql::rollups::apply_statements(utc_day) {
                sqlx::query(&sql).bind(company).bind(call_id).bind(sign).execute(&mut *conn).await.map_err(db_err)?;
            }
            Ok(())
        }

        /// `WHERE company_id = .. AND calls > 0 [AND rep_key = ..] [AND day >= ..] [AND day <= ..]`
        /// over a daily rollup table (both ends of a `DateRange` are inclusive days).
        fn push_rollup_scope<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, rep: Option<&str>, range: &DateRange) {
            qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
            qb.push(" AND calls > 0");
            if let Some(r) = rep {
                qb.push(" AND rep_key = ").push_bind(r.to_string());
            }
            if let Some(d) = range.from {
                qb.push(" AND day >= ").push_bind(d);
            }
            if let Some(d) = range.to {
                qb.push(" AND day <= ").push_bind(d);
            }
        }

        /// `WHERE company_id = .. [AND rep_id = ..] [AND occurred_at >= ..] [AND occurred_at < ..]`.
        fn push_fact_scope<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, rep: Option<&str>, range: &DateRange) {
            qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
            if let Some(r) = rep {
                qb.push(" AND rep_id = ").push_bind(r.to_string());
            }
            if let Some(t) = range.start() {
                qb.push(" AND occurred_at >= ").push_bind(t);
            }
            if let Some(t) = range.end() {
                qb.push(" AND occurred_at < ").push_bind(t);
            }
        }

        /// Share of checked calls where the stage was performed, over `stage_daily` rows.
        const STAGE_RATE: &str = "CAST(SUM(performed) AS DOUBLE PRECISION) / CAST(SUM(calls) AS DOUBLE PRECISION)";

        fn push_call_filter<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, f: &CallFilter) {
            qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
            if let Some(rep) = &f.rep_id {
                qb.push(" AND rep_id = ").push_bind(rep.clone());
            }
            if let Some(s) = f.status {
                qb.push(" AND status = ").push_bind(s.as_str());
            }
            if let Some(t) = f.call_type {
                qb.push(" AND call_type = ").push_bind(t.as_str());
            }
            if let Some(id) = &f.callrail_id {
                qb.push(" AND callrail_id = ").push_bind(id.clone());
            }
            if let Some(phone) = &f.caller_phone {
                qb.push(" AND caller_phone = ").push_bind(phone.clone());
            }
            if let Some(t) = f.created_after {
                qb.push(" AND created_at >= ").push_bind(t);
            }
            if let Some(t) = f.created_before {
                qb.push(" AND created_at < ").push_bind(t);
            }
            if let Some(t) = f.started_after {
                qb.push(" AND COALESCE(started_at, created_at) >= ").push_bind(t);
            }
            if let Some(t) = f.started_before {
                qb.push(" AND COALESCE(started_at, created_at) < ").push_bind(t);
            }
        }

        #[async_trait]
        impl CallStore for $store {
            async fn insert_call(&self, call: &Call, jobs: &[NewJob]) -> Result<()> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                sqlx::query(&format!(
                    "INSERT INTO calls ({CALL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                     $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
                ))
                .bind(call.company_id.as_str())
                .bind(&call.call_id)
                .bind(call.rep_id.as_deref())
                .bind(call.status.as_str())
                .bind(call.processing_status.as_str())
                .bind(call.audio_url.as_deref())
                .bind(call.caller_phone.as_deref())
                .bind(call.rep_phone.as_deref())
                .bind(call.duration)
                .bind(call.callrail_id.as_deref())
                .bind(call.call_type.map(|t| t.as_str()))
                .bind(call.started_at)
                .bind(call.timezone.as_deref())
                .bind(call.rep_channel.map(i64::from))
                .bind(call.audio_file_path.as_deref())
                .bind(call.transcript_file_path.as_deref())
                .bind(call.speaker_diarization_file_path.as_deref())
                .bind(call.failure_reason.as_deref())
                .bind(Json(&call.metadata))
                .bind(call.created_at)
                .bind(call.updated_at)
                .bind(call.language.as_deref())
                .bind(Json(&call.processing_stages))
                .bind(i64::from(call.progress))
                .bind(call.utc_offset_minutes.map(i64::from))
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    db_err_or_conflict(e, || match &call.callrail_id {
                        Some(cr) => format!("a call with call_id `{}` or callrail_id `{cr}` already exists", call.call_id),
                        None => format!("a call with call_id `{}` already exists", call.call_id),
                    })
                })?;
                for job in jobs {
                    enqueue_on(&mut *tx, job).await?;
                }
                tx.commit().await.map_err(db_err)
            }

            async fn get_call(&self, company: &CompanyId, call_id: &str) -> Result<Option<Call>> {
                sqlx::query_as::<_, CallRow>(&format!(
                    "SELECT {CALL_COLUMNS} FROM calls WHERE company_id = $1 AND call_id = $2"
                ))
                .bind(company.as_str())
                .bind(call_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(CallRow::into_domain)
                .transpose()
            }

            async fn find_call_by_callrail_id(&self, company: &CompanyId, callrail_id: &str) -> Result<Option<Call>> {
                sqlx::query_as::<_, CallRow>(&format!(
                    "SELECT {CALL_COLUMNS} FROM calls WHERE company_id = $1 AND callrail_id = $2"
                ))
                .bind(company.as_str())
                .bind(callrail_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(CallRow::into_domain)
                .transpose()
            }

            async fn update_call(&self, call: &Call) -> Result<()> {
                let _w = self.writer().await;
                let mut conn = self.pool.acquire().await.map_err(db_err)?;
                update_call_on(&mut conn, call).await
            }

            async fn list_calls(&self, company: &CompanyId, f: &CallFilter) -> Result<Page<Call>> {
                let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM calls");
                push_call_filter(&mut count, company, f);
                let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);

                let mut q = QueryBuilder::<$db>::new(format!("SELECT {CALL_COLUMNS} FROM calls"));
                push_call_filter(&mut q, company, f);
                let (col, dir) = (f.sort.column(), f.order.sql());
                // NULLs last on both backends (they disagree by default), then a unique tiebreak
                // so pages never overlap.
                q.push(format!(" ORDER BY ({col} IS NULL), {col} {dir}, call_id {dir} LIMIT "));
                q.push_bind(i64::from(f.page.limit));
                q.push(" OFFSET ");
                q.push_bind(i64::try_from(f.page.offset).unwrap_or(i64::MAX));
                let rows = q.build_query_as::<CallRow>().fetch_all(&self.pool).await.map_err(db_err)?;
                Ok(Page {
                    items: rows.into_iter().map(CallRow::into_domain).collect::<Result<_>>()?,
                    total: u64::try_from(total).unwrap_or(0),
                    limit: f.page.limit,
                    offset: f.page.offset,
                })
            }
        }

        #[async_trait]
        impl CrmStore for $store {
            async fn upsert_entities(
                &self,
                company: &CompanyId,
                entities: &[NewCrmEntity],
                now: DateTime<Utc>,
            ) -> Result<EntityUpsert> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let mut out = EntityUpsert::default();
                for e in entities {
                    let stored: Option<(DateTime<Utc>, Json<Map<String, Value>>, String)> = sqlx::query_as(
                        "SELECT ts, attributes, entity_type FROM crm_entities WHERE company_id = $1 AND entity_id = $2",
                    )
                    .bind(company.as_str())
                    .bind(&e.entity_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    match stored {
                        None => out.created += 1,
                        Some((ts, attrs, ty))
                            if e.timestamp > ts || (e.timestamp == ts && (attrs.0 != e.attributes || ty != e.entity_type)) =>
                        {
                            out.updated += 1
                        }
                        Some(_) => {
                            out.unchanged += 1;
                            continue;
                        }
                    }
                    sqlx::query(
                        "INSERT INTO crm_entities (company_id, entity_id, entity_type, attributes, ts, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6) \
                         ON CONFLICT (company_id, entity_id) DO UPDATE SET entity_type = excluded.entity_type, \
                         attributes = excluded.attributes, ts = excluded.ts, updated_at = excluded.updated_at \
                         WHERE crm_entities.ts <= excluded.ts",
                    )
                    .bind(company.as_str())
                    .bind(&e.entity_id)
                    .bind(&e.entity_type)
                    .bind(Json(&e.attributes))
                    .bind(e.timestamp)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(out)
            }

            async fn insert_events(&self, company: &CompanyId, events: &[NewCrmEvent], now: DateTime<Utc>) -> Result<u64> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let mut created = 0;
                for e in events {
                    created += sqlx::query(
                        "INSERT INTO crm_events (company_id, event_id, entity_id, event_type, ts, data, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, event_id) DO NOTHING",
                    )
                    .bind(company.as_str())
                    .bind(&e.event_id)
                    .bind(&e.entity_id)
                    .bind(&e.event_type)
                    .bind(e.timestamp)
                    .bind(Json(&e.data))
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                }
                tx.commit().await.map_err(db_err)?;
                Ok(created)
            }

            async fn get_entity(&self, company: &CompanyId, entity_id: &str) -> Result<Option<CrmEntity>> {
                sqlx::query_as::<_, EntityRow>(
                    "SELECT company_id, entity_id, entity_type, attributes, ts, created_at, updated_at \
                     FROM crm_entities WHERE company_id = $1 AND entity_id = $2",
                )
                .bind(company.as_str())
                .bind(entity_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(EntityRow::into_domain)
                .transpose()
            }

            async fn list_entity_events(&self, company: &CompanyId, entity_id: &str, limit: u32) -> Result<Vec<CrmEvent>> {
                sqlx::query_as::<_, EventRow>(
                    "SELECT company_id, event_id, entity_id, event_type, ts, data, created_at FROM crm_events \
                     WHERE company_id = $1 AND entity_id = $2 ORDER BY ts DESC, event_id DESC LIMIT $3",
                )
                .bind(company.as_str())
                .bind(entity_id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?
                .into_iter()
                .map(EventRow::into_domain)
                .collect()
            }
        }

        #[async_trait]
        impl SopStore for $store {
            async fn ensure_sop(&self, company: &CompanyId, now: DateTime<Utc>) -> Result<String> {
                let _w = self.writer().await;
                sqlx::query("INSERT INTO sops (company_id, sop_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (company_id) DO NOTHING")
                    .bind(company.as_str())
                    .bind(new_id("sop"))
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                sqlx::query_scalar("SELECT sop_id FROM sops WHERE company_id = $1")
                    .bind(company.as_str())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)
            }

            async fn insert_sop_stages(&self, stages: &[SopStage]) -> Result<()> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                for (i, s) in stages.iter().enumerate() {
                    sqlx::query(&format!(
                        "INSERT INTO sop_stages ({STAGE_COLUMNS}, stage_name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    ))
                    .bind(s.company_id.as_str())
                    .bind(&s.stage_id)
                    .bind(&s.sop_id)
                    .bind(&s.stage_name)
                    .bind(i64::from(s.stage_order))
                    .bind(s.stage_description.as_deref())
                    .bind(s.is_active)
                    .bind(s.created_at)
                    .bind(s.updated_at)
                    .bind(s.stage_name.to_lowercase())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| {
                        db_err_or_conflict(e, || format!("stages[{i}].stage_name: a stage named `{}` already exists", s.stage_name))
                    })?;
                }
                tx.commit().await.map_err(db_err)
            }

            async fn get_sop_stage(&self, company: &CompanyId, stage_id: &str) -> Result<Option<SopStage>> {
                sqlx::query_as::<_, StageRow>(&format!(
                    "SELECT {STAGE_COLUMNS} FROM sop_stages WHERE company_id = $1 AND stage_id = $2"
                ))
                .bind(company.as_str())
                .bind(stage_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(StageRow::into_domain)
                .transpose()
            }

            async fn update_sop_stage(&self, s: &SopStage) -> Result<()> {
                let _w = self.writer().await;
                let n = sqlx::query(
                    "UPDATE sop_stages SET stage_name = $3, stage_name_key = $4, stage_order = $5, \
                     stage_description = $6, is_active = $7, updated_at = $8 WHERE company_id = $1 AND stage_id = $2",
                )
                .bind(s.company_id.as_str())
                .bind(&s.stage_id)
                .bind(&s.stage_name)
                .bind(s.stage_name.to_lowercase())
                .bind(i64::from(s.stage_order))
                .bind(s.stage_description.as_deref())
                .bind(s.is_active)
                .bind(s.updated_at)
                .execute(&self.pool)
                .await
                .map_err(|e| db_err_or_conflict(e, || format!("stage_name: a stage named `{}` already exists", s.stage_name)))?
                .rows_affected();
                if n == 0 {
                    return Err(Error::not_found(format!("SOP stage {}", s.stage_id)));
                }
                Ok(())
            }

            async fn delete_sop_stage(&self, company: &CompanyId, stage_id: &str) -> Result<bool> {
                let _w = self.writer().await;
                let n = sqlx::query("DELETE FROM sop_stages WHERE company_id = $1 AND stage_id = $2")
                    .bind(company.as_str())
                    .bind(stage_id)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                Ok(n > 0)
            }

            async fn list_sop_stages(&self, company: &CompanyId, f: &SopStageFilter) -> Result<Page<SopStage>> {
                fn filter<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, f: &SopStageFilter) {
                    qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
                    if let Some(a) = f.is_active {
                        qb.push(" AND is_active = ").push_bind(a);
                    }
                }
                let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM sop_stages");
                filter(&mut count, company, f);
                let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);
                let mut q = QueryBuilder::<$db>::new(format!("SELECT {STAGE_COLUMNS} FROM sop_stages"));
                filter(&mut q, company, f);
                let col = match f.sort {
                    $crate::domain::SopStageSort::StageName => "stage_name_key",
                    other => other.column(),
                };
                let dir = f.order.sql();
                q.push(format!(" ORDER BY {col} {dir}, stage_id {dir} LIMIT "));
                q.push_bind(i64::from(f.page.limit));
                q.push(" OFFSET ");
                q.push_bind(i64::try_from(f.page.offset).unwrap_or(i64::MAX));
                let rows = q.build_query_as::<StageRow>().fetch_all(&self.pool).await.map_err(db_err)?;
                Ok(Page {
                    items: rows.into_iter().map(StageRow::into_domain).collect::<Result<_>>()?,
                    total: u64::try_from(total).unwrap_or(0),
                    limit: f.page.limit,
                    offset: f.page.offset,
                })
            }
        }

        #[async_trait]
        impl JobQueue for $store {
            async fn enqueue(&self, job: &NewJob) -> Result<(String, bool)> {
                let _w = self.writer().await;
                let mut conn = self.pool.acquire().await.map_err(db_err)?;
                enqueue_on(&mut conn, job).await
            }

            async fn lease(&self, req: &LeaseRequest) -> Result<Option<Job>> {
                if req.kinds.is_empty() {
                    return Ok(None);
                }
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let mut dead = QueryBuilder::<$db>::new(
                    "UPDATE jobs SET status = 'dead', leased_by = NULL, lease_expires_at = NULL, \
                     last_error = COALESCE(last_error, 'worker lost its lease on the last attempt'), updated_at = ",
                );
                dead.push_bind(req.now);
                dead.push(" WHERE status = 'running' AND attempts >= max_attempts AND lease_expires_at < ");
                dead.push_bind(req.now);
                dead.push(" AND kind IN (");
                let mut sep = dead.separated(", ");
                for k in &req.kinds {
                    sep.push_bind(k.clone());
                }
                dead.push(")");
                dead.build().execute(&mut *tx).await.map_err(db_err)?;

                let mut q = QueryBuilder::<$db>::new("UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_by = ");
                q.push_bind(req.worker_id.clone());
                q.push(", lease_expires_at = ");
                q.push_bind(lease_deadline(req.now, req.lease_for));
                q.push(", updated_at = ");
                q.push_bind(req.now);
                q.push(" WHERE job_id = (SELECT job_id FROM jobs WHERE kind IN (");
                let mut sep = q.separated(", ");
                for k in &req.kinds {
                    sep.push_bind(k.clone());
                }
                q.push(") AND ((status = 'queued' AND run_at <= ");
                q.push_bind(req.now);
                q.push(") OR (status = 'running' AND lease_expires_at < ");
                q.push_bind(req.now);
                q.push(format!(")) ORDER BY run_at, created_at, job_id LIMIT 1 {}) RETURNING {JOB_COLUMNS}", $lock));
                let row = q.build_query_as::<JobRow>().fetch_optional(&mut *tx).await.map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                row.map(JobRow::into_domain).transpose()
            }

            async fn heartbeat(
                &self,
                job_id: &str,
                worker_id: &str,
                lease_for: StdDuration,
                progress: u8,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                let _w = self.writer().await;
                let n = sqlx::query(
                    "UPDATE jobs SET lease_expires_at = $3, progress = $4, updated_at = $5 \
                     WHERE job_id = $1 AND leased_by = $2 AND status = 'running'",
                )
                .bind(job_id)
                .bind(worker_id)
                .bind(lease_deadline(now, lease_for))
                .bind(i64::from(progress.min(100)))
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(db_err)?
                .rows_affected();
                Ok(n > 0)
            }

            async fn complete(&self, job_id: &str, worker_id: &str, now: DateTime<Utc>) -> Result<bool> {
                let _w = self.writer().await;
                let n = sqlx::query(
                    "UPDATE jobs SET status = 'succeeded', leased_by = NULL, lease_expires_at = NULL, progress = 100, \
                     updated_at = $3 WHERE job_id = $1 AND leased_by = $2 AND status = 'running'",
                )
                .bind(job_id)
                .bind(worker_id)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(db_err)?
                .rows_affected();
                Ok(n > 0)
            }

            async fn fail(
                &self,
                job_id: &str,
                worker_id: &str,
                error: &str,
                retry_at: Option<DateTime<Utc>>,
                now: DateTime<Utc>,
            ) -> Result<Option<JobStatus>> {
                let _w = self.writer().await;
                let status: Option<String> = sqlx::query_scalar(
                    "UPDATE jobs SET status = CASE WHEN $3 AND attempts < max_attempts THEN 'queued' ELSE 'dead' END, \
                     run_at = COALESCE($4, run_at), last_error = $5, leased_by = NULL, lease_expires_at = NULL, \
                     updated_at = $6 WHERE job_id = $1 AND leased_by = $2 AND status = 'running' RETURNING status",
                )
                .bind(job_id)
                .bind(worker_id)
                .bind(retry_at.is_some())
                .bind(retry_at)
                .bind(error)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(status.as_deref().and_then(JobStatus::parse))
            }

            async fn get_job(&self, job_id: &str) -> Result<Option<Job>> {
                sqlx::query_as::<_, JobRow>(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE job_id = $1"))
                    .bind(job_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?
                    .map(JobRow::into_domain)
                    .transpose()
            }

            async fn set_job_payload(&self, job_id: &str, payload: &serde_json::Value) -> Result<()> {
                let _w = self.writer().await;
                sqlx::query("UPDATE jobs SET payload = $2 WHERE job_id = $1")
                    .bind(job_id)
                    .bind(Json(payload))
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            async fn find_job_by_dedupe_key(&self, dedupe_key: &str) -> Result<Option<Job>> {
                sqlx::query_as::<_, JobRow>(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE dedupe_key = $1"))
                    .bind(dedupe_key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?
                    .map(JobRow::into_domain)
                    .transpose()
            }
        }

        #[async_trait]
        impl AnalysisStore for $store {
            async fn save_analyses(
                &self,
                call: &Call,
                records: &[AnalysisRecord],
                facts: Option<&CallFacts>,
            ) -> Result<()> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                update_call_on(&mut tx, call).await?;
                if let Some(f) = facts {
                    replace_facts_on(&mut tx, call, f).await?;
                }
                for r in records {
                    sqlx::query(
                        "INSERT INTO call_analyses (company_id, call_id, analysis_type, result, confidence, engine, \
                         engine_version, processing_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                         ON CONFLICT (company_id, call_id, analysis_type) DO UPDATE SET result = excluded.result, \
                         confidence = excluded.confidence, engine = excluded.engine, \
                         engine_version = excluded.engine_version, processing_ms = excluded.processing_ms, \
                         created_at = excluded.created_at",
                    )
                    .bind(call.company_id.as_str())
                    .bind(&call.call_id)
                    .bind(&r.analysis_type)
                    .bind(Json(&r.result))
                    .bind(f64::from(r.confidence))
                    .bind(&r.engine)
                    .bind(&r.engine_version)
                    .bind(i64::try_from(r.processing_ms).unwrap_or(i64::MAX))
                    .bind(r.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                tx.commit().await.map_err(db_err)
            }

            async fn list_analyses(&self, company: &CompanyId, call_id: &str) -> Result<Vec<AnalysisRecord>> {
                Ok(sqlx::query_as::<_, AnalysisRow>(
                    "SELECT analysis_type, result, confidence, engine, engine_version, processing_ms, created_at \
                     FROM call_analyses WHERE company_id = $1 AND call_id = $2 ORDER BY analysis_type",
                )
                .bind(company.as_str())
                .bind(call_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?
                .into_iter()
                .map(AnalysisRow::into_domain)
                .collect())
            }
        }

        #[async_trait]
        impl AnalyticsStore for $store {
            async fn compliance_aggregates(
                &self,
                company: &CompanyId,
                rep: Option<&str>,
                range: &DateRange,
            ) -> Result<ComplianceAggregates> {
                // From the daily rollups: the counts and sums of the calls in range, divided here.
                let mut q = QueryBuilder::<$db>::new(
                    "SELECT CAST(COALESCE(SUM(compliance_n), 0) AS BIGINT), \
                     SUM(compliance_sum) / CAST(NULLIF(SUM(compliance_n), 0) AS DOUBLE PRECISION) FROM analytics_daily",
                );
                push_rollup_scope(&mut q, company, rep, range);
                let row = q.build().fetch_one(&self.pool).await.map_err(db_err)?;
                let calls: i64 = row.get(0);
                let overall: Option<f64> = row.get(1);

                let mut q = QueryBuilder::<$db>::new(format!(
                    "SELECT stage_name, MIN(stage_order), {STAGE_RATE} FROM stage_daily"
                ));
                push_rollup_scope(&mut q, company, rep, range);
                q.push(" GROUP BY stage_name ORDER BY MIN(stage_order), stage_name");
                let stages = q
                    .build()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .iter()
                    .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1), r.get::<f64, _>(2)))
                    .collect();

                // `NULLIF(rep_key, '')` gives calls without a rep back their NULL rep, grouped and
                // ordered as the database orders NULL.
                let mut q = QueryBuilder::<$db>::new(
                    "SELECT NULLIF(rep_key, ''), CAST(SUM(compliance_n) AS BIGINT), \
                     SUM(compliance_sum) / CAST(SUM(compliance_n) AS DOUBLE PRECISION) FROM analytics_daily",
                );
                push_rollup_scope(&mut q, company, rep, range);
                q.push(" GROUP BY rep_key HAVING SUM(compliance_n) > 0 ORDER BY NULLIF(rep_key, '')");
                let reps = q
                    .build()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .iter()
                    .map(|r| (r.get::<Option<String>, _>(0), u64::try_from(r.get::<i64, _>(1)).unwrap_or(0), r.get::<Option<f64>, _>(2)))
                    .collect();

                let mut q = QueryBuilder::<$db>::new(format!("SELECT NULLIF(rep_key, ''), stage_name, {STAGE_RATE} FROM stage_daily"));
                push_rollup_scope(&mut q, company, rep, range);
                q.push(" GROUP BY rep_key, stage_name ORDER BY NULLIF(rep_key, ''), stage_name");
                let rep_stages = q
                    .build()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .iter()
                    .map(|r| (r.get::<Option<String>, _>(0), r.get::<String, _>(1), r.get::<f64, _>(2)))
                    .collect();
                Ok(ComplianceAggregates { calls: u64::try_from(calls).unwrap_or(0), overall, stages, reps, rep_stages })
            }

            async fn objection_counts(
                &self,
                company: &CompanyId,
                rep: Option<&str>,
                range: &DateRange,
            ) -> Result<Vec<(String, u64, u64)>> {
                let mut q = QueryBuilder::<$db>::new(
                    "SELECT objection_type, CAST(SUM(calls) AS BIGINT), CAST(SUM(calls_handled) AS BIGINT) \
                     FROM objection_daily",
                );
                push_rollup_scope(&mut q, company, rep, range);
                q.push(" GROUP BY objection_type ORDER BY SUM(calls) DESC, objection_type");
                Ok(q.build()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .iter()
                    .map(|r| {
                        let n = |i: usize| u64::try_from(r.get::<i64, _>(i)).unwrap_or(0);
                        (r.get::<String, _>(0), n(1), n(2))
                    })
                    .collect())
            }

            async fn rep_activity(
                &self,
                company: &CompanyId,
                rep: Option<&str>,
                range: &DateRange,
            ) -> Result<Vec<(Option<String>, u64, u64, u64)>> {
                let mut q = QueryBuilder::<$db>::new(
                    "SELECT rep_id, COUNT(*), SUM(CASE WHEN appointment_booked THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN qualified THEN 1 ELSE 0 END) FROM call_facts",
                );
                push_fact_scope(&mut q, company, rep, range);
                q.push(" GROUP BY rep_id ORDER BY SUM(CASE WHEN appointment_booked THEN 1 ELSE 0 END) DESC, rep_id");
                Ok(q.build()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .iter()
                    .map(|r| {
                        let n = |i: usize| u64::try_from(r.get::<i64, _>(i)).unwrap_or(0);
                        (r.get::<Option<String>, _>(0), n(1), n(2), n(3))
                    })
                    .collect())
            }

            async fn matching_calls(
                &self,
                company: &CompanyId,
                rep: Option<&str>,
                range: &DateRange,
                f: &FactFilter,
                order: FactOrder,
                limit: u32,
            ) -> Result<(Vec<String>, u64)> {
                fn filter<'a>(
                    q: &mut QueryBuilder<'a, $db>,
                    company: &CompanyId,
                    rep: Option<&str>,
                    range: &DateRange,
                    f: &FactFilter,
                ) {
                    push_fact_scope(q, company, rep, range);
                    if let Some(t) = &f.objection_type {
                        q.push(" AND call_id IN (SELECT call_id FROM call_objection_facts WHERE company_id = ")
                            .push_bind(company.as_str().to_string())
                            .push(" AND objection_type = ")
                            .push_bind(t.clone())
                            .push(")");
                    }
                    if let Some(o) = &f.outcome {
                        q.push(" AND outcome = ").push_bind(o.clone());
                    }
                    if let Some(o) = &f.exclude_outcome {
                        q.push(" AND outcome <> ").push_bind(o.clone());
                    }
                    if let Some(b) = f.qualified {
                        q.push(" AND qualified = ").push_bind(b);
                    }
                    if let Some(b) = f.appointment_booked {
                        q.push(" AND appointment_booked = ").push_bind(b);
                    }
                    if let Some(t) = &f.call_type {
                        q.push(" AND call_type = ").push_bind(t.clone());
                    }
                    if let Some(s) = &f.lead_status {
                        q.push(" AND lead_status = ").push_bind(s.clone());
                    }
                }
                let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM call_facts");
                filter(&mut count, company, rep, range, f);
                let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);
                let mut q = QueryBuilder::<$db>::new("SELECT call_id FROM call_facts");
                filter(&mut q, company, rep, range, f);
                q.push(match order {
                    FactOrder::Recent => " ORDER BY occurred_at DESC, call_id",
                    FactOrder::ComplianceAsc => {
                        " ORDER BY (compliance_score IS NULL), compliance_score ASC, occurred_at DESC, call_id"
                    }
                    FactOrder::RehashDesc => " ORDER BY rehash_score DESC, occurred_at DESC, call_id",
                });
                q.push(" LIMIT ").push_bind(i64::from(limit.max(1)));
                let ids =
                    q.build().fetch_all(&self.pool).await.map_err(db_err)?.iter().map(|r| r.get::<String, _>(0)).collect();
                Ok((ids, u64::try_from(total).unwrap_or(0)))
            }
        }

        const SUMMARY_COLUMNS: &str =
            "company_id, summary_id, summary_type, rep_id, call_id, summary_date, content, details, created_at";

        #[async_trait]
        impl SummaryStore for $store {
            async fn insert_summary(&self, s: &Summary) -> Result<()> {
                let _w = self.writer().await;
                sqlx::query(&format!(
                    "INSERT INTO summaries ({SUMMARY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ))
                .bind(s.company_id.as_str())
                .bind(&s.summary_id)
                .bind(s.summary_type.as_str())
                .bind(s.rep_id.as_deref())
                .bind(s.call_id.as_deref())
                .bind(s.date.format("%Y-%m-%d").to_string())
                .bind(&s.content)
                .bind(Json(&s.details))
                .bind(s.created_at)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            async fn list_summaries(&self, company: &CompanyId, f: &SummaryFilter) -> Result<Page<Summary>> {
                fn filter<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, f: &SummaryFilter) {
                    qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
                    if let Some(r) = &f.rep_id {
                        qb.push(" AND rep_id = ").push_bind(r.clone());
                    }
                    if let Some(t) = f.summary_type {
                        qb.push(" AND summary_type = ").push_bind(t.as_str());
                    }
                    if let Some(c) = &f.call_id {
                        qb.push(" AND call_id = ").push_bind(c.clone());
                    }
                }
                let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM summaries");
                filter(&mut count, company, f);
                let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);
                let mut q = QueryBuilder::<$db>::new(format!("SELECT {SUMMARY_COLUMNS} FROM summaries"));
                filter(&mut q, company, f);
                let col = match f.sort {
                    $crate::domain::SummarySort::CreatedAt => "created_at",
                    $crate::domain::SummarySort::Date => "summary_date",
                };
                let dir = f.order.sql();
                q.push(format!(" ORDER BY {col} {dir}, summary_id {dir} LIMIT "));
                q.push_bind(i64::from(f.page.limit));
                q.push(" OFFSET ");
                q.push_bind(i64::try_from(f.page.offset).unwrap_or(i64::MAX));
                let rows = q.build_query_as::<SummaryRow>().fetch_all(&self.pool).await.map_err(db_err)?;
                Ok(Page {
                    items: rows.into_iter().map(SummaryRow::into_domain).collect::<Result<_>>()?,
                    total: u64::try_from(total).unwrap_or(0),
                    limit: f.page.limit,
                    offset: f.page.offset,
                })
            }

            async fn latest_call_summary(
                &self,
                company: &CompanyId,
                call_id: &str,
                kind: SummaryType,
            ) -> Result<Option<Summary>> {
                sqlx::query_as::<_, SummaryRow>(&format!(
                    "SELECT {SUMMARY_COLUMNS} FROM summaries WHERE company_id = $1 AND call_id = $2 \
                     AND summary_type = $3 ORDER BY created_at DESC, summary_id DESC LIMIT 1"
                ))
                .bind(company.as_str())
                .bind(call_id)
                .bind(kind.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(SummaryRow::into_domain)
                .transpose()
            }
        }

        const AUDIT_COLUMNS: &str =
            "company_id, event_id, actor_id, actor_role, action, resource_type, resource_id, details, created_at";

        #[async_trait]
        impl AuditLog for $store {
            async fn record_audit(&self, e: &AuditEvent) -> Result<()> {
                let _w = self.writer().await;
                sqlx::query(&format!("INSERT INTO audit_events ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
                    .bind(e.company_id.as_str())
                    .bind(&e.event_id)
                    .bind(&e.actor_id)
                    .bind(&e.actor_role)
                    .bind(&e.action)
                    .bind(&e.resource_type)
                    .bind(&e.resource_id)
                    .bind(Json(&e.details))
                    .bind(e.created_at)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            async fn list_audit(&self, company: &CompanyId, f: &AuditFilter) -> Result<Page<AuditEvent>> {
                fn filter<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, f: &AuditFilter) {
                    qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
                    if let Some(a) = &f.actor_id {
                        qb.push(" AND actor_id = ").push_bind(a.clone());
                    }
                    if let Some(t) = &f.resource_type {
                        qb.push(" AND resource_type = ").push_bind(t.clone());
                    }
                    if let Some(r) = &f.resource_id {
                        qb.push(" AND resource_id = ").push_bind(r.clone());
                    }
                }
                let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM audit_events");
                filter(&mut count, company, f);
                let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);
                let mut q = QueryBuilder::<$db>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_events"));
                filter(&mut q, company, f);
                q.push(" ORDER BY created_at DESC, event_id DESC LIMIT ");
                q.push_bind(i64::from(f.page.limit));
                q.push(" OFFSET ");
                q.push_bind(i64::try_from(f.page.offset).unwrap_or(i64::MAX));
                let rows = q.build_query_as::<AuditRow>().fetch_all(&self.pool).await.map_err(db_err)?;
                Ok(Page {
                    items: rows.into_iter().map(AuditRow::into_domain).collect::<Result<_>>()?,
                    total: u64::try_from(total).unwrap_or(0),
                    limit: f.page.limit,
                    offset: f.page.offset,
                })
            }
        }

        /// Columns of `chunks`, qualified with `c.` so the FTS join can use them too.
        const CHUNK_COLUMNS: &str = "c.company_id, c.chunk_id, c.source_type, c.source_id, c.rep_id, c.title, \
            c.position, c.text, c.segment_start, c.segment_end, c.start_time, c.page, c.metadata, c.occurred_at, \
            c.created_at";

        /// The filters every chunk search shares (after the backend's own match condition).
        fn push_chunk_filters<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, q: &ChunkQuery) {
            qb.push(" AND c.company_id = ").push_bind(company.as_str().to_string());
            if let Some(rep) = &q.rep_scope {
                qb.push(" AND (c.source_type = 'document' OR c.rep_id = ").push_bind(rep.clone()).push(")");
            }
            if let Some(t) = q.source_type {
                qb.push(" AND c.source_type = ").push_bind(t.as_str());
            }
            if !q.source_ids.is_empty() {
                qb.push(" AND c.source_id IN (");
                let mut sep = qb.separated(", ");
                for id in &q.source_ids {
                    sep.push_bind(id.clone());
                }
                qb.push(")");
            }
            if let Some(t) = q.occurred_after {
                qb.push(" AND c.occurred_at >= ").push_bind(t);
            }
            if let Some(t) = q.occurred_before {
                qb.push(" AND c.occurred_at < ").push_bind(t);
            }
        }

        #[async_trait]
        impl KnowledgeStore for $store {
            async fn replace_chunks(
                &self,
                company: &CompanyId,
                source_type: SourceType,
                source_id: &str,
                chunks: &[Chunk],
            ) -> Result<()> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                sqlx::query("DELETE FROM chunks WHERE company_id = $1 AND source_type = $2 AND source_id = $3")
                    .bind(company.as_str())
                    .bind(source_type.as_str())
                    .bind(source_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                for c in chunks {
                    sqlx::query(
                        "INSERT INTO chunks (company_id, chunk_id, source_type, source_id, rep_id, title, position, text, \
                         segment_start, segment_end, start_time, page, metadata, occurred_at, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    )
                    .bind(company.as_str())
                    .bind(&c.chunk_id)
                    .bind(source_type.as_str())
                    .bind(source_id)
                    .bind(c.rep_id.as_deref())
                    .bind(&c.title)
                    .bind(i64::from(c.position))
                    .bind(&c.text)
                    .bind(c.segment_start.map(i64::from))
                    .bind(c.segment_end.map(i64::from))
                    .bind(c.start_time)
                    .bind(c.page.map(i64::from))
                    .bind(Json(&c.metadata))
                    .bind(c.occurred_at)
                    .bind(c.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| db_err_or_conflict(e, || format!("chunk {} appears twice", c.chunk_id)))?;
                }
                tx.commit().await.map_err(db_err)
            }

            async fn exclude_source(
                &self,
                company: &CompanyId,
                source_type: SourceType,
                source_id: &str,
                at: DateTime<Utc>,
            ) -> Result<()> {
                let _w = self.writer().await;
                sqlx::query(
                    "INSERT INTO knowledge_exclusions (company_id, source_type, source_id, excluded_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, source_type, source_id) DO NOTHING",
                )
                .bind(company.as_str())
                .bind(source_type.as_str())
                .bind(source_id)
                .bind(at)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            async fn is_excluded(&self, company: &CompanyId, source_type: SourceType, source_id: &str) -> Result<bool> {
                let row = sqlx::query(
                    "SELECT 1 FROM knowledge_exclusions WHERE company_id = $1 AND source_type = $2 AND source_id = $3",
                )
                .bind(company.as_str())
                .bind(source_type.as_str())
                .bind(source_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(row.is_some())
            }

            async fn delete_chunks(&self, company: &CompanyId, source_type: SourceType, source_id: &str) -> Result<u64> {
                let _w = self.writer().await;
                Ok(sqlx::query("DELETE FROM chunks WHERE company_id = $1 AND source_type = $2 AND source_id = $3")
                    .bind(company.as_str())
                    .bind(source_type.as_str())
                    .bind(source_id)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?
                    .rows_affected())
            }

            async fn search_chunks(&self, company: &CompanyId, q: &ChunkQuery) -> Result<Vec<(Chunk, f32)>> {
                let terms: Vec<String> = q
                    .terms
                    .iter()
                    .map(|t| t.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect();
                if terms.is_empty() {
                    return Ok(Vec::new());
                }
                let rows = self.fts_search(company, q, &terms).await?;
                rows.into_iter().map(|r| Ok((r.chunk.into_domain()?, r.score as f32))).collect()
            }

            async fn chunks_by_id(&self, company: &CompanyId, ids: &[String]) -> Result<Vec<Chunk>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {CHUNK_COLUMNS} FROM chunks c WHERE c.company_id = "));
                qb.push_bind(company.as_str().to_string()).push(" AND c.chunk_id IN (");
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(id.clone());
                }
                qb.push(")");
                qb.build_query_as::<ChunkRow>()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .into_iter()
                    .map(ChunkRow::into_domain)
                    .collect()
            }

            async fn source_chunks(&self, company: &CompanyId, source_type: SourceType, source_id: &str) -> Result<Vec<Chunk>> {
                sqlx::query_as::<_, ChunkRow>(&format!(
                    "SELECT {CHUNK_COLUMNS} FROM chunks c WHERE c.company_id = $1 AND c.source_type = $2 \
                     AND c.source_id = $3 ORDER BY c.position"
                ))
                .bind(company.as_str())
                .bind(source_type.as_str())
                .bind(source_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?
                .into_iter()
                .map(ChunkRow::into_domain)
                .collect()
            }
        }

        const QUERY_COLUMNS: &str = "company_id, query_id, session_id, user_id, query_text, response_text, \
            citations, suggested_follow_ups, mode, confidence, processing_ms, created_at";

        #[async_trait]
        impl RagStore for $store {
            async fn insert_session(&self, s: &RagSession) -> Result<()> {
                let _w = self.writer().await;
                sqlx::query(
                    "INSERT INTO rag_sessions (company_id, session_id, user_id, created_at, last_active_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(s.company_id.as_str())
                .bind(&s.session_id)
                .bind(&s.user_id)
                .bind(s.created_at)
                .bind(s.last_active_at)
                .execute(&self.pool)
                .await
                .map_err(|e| db_err_or_conflict(e, || format!("session {} already exists", s.session_id)))?;
                Ok(())
            }

            async fn get_session(&self, company: &CompanyId, session_id: &str) -> Result<Option<RagSession>> {
                let row: Option<(String, String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT session_id, user_id, created_at, last_active_at FROM rag_sessions \
                     WHERE company_id = $1 AND session_id = $2",
                )
                .bind(company.as_str())
                .bind(session_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(row.map(|(session_id, user_id, created_at, last_active_at)| RagSession {
                    session_id,
                    company_id: company.clone(),
                    user_id,
                    created_at,
                    last_active_at,
                }))
            }

            async fn insert_query(&self, q: &RagQueryRecord) -> Result<()> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                sqlx::query(&format!(
                    "INSERT INTO rag_queries ({QUERY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                ))
                .bind(q.company_id.as_str())
                .bind(&q.query_id)
                .bind(&q.session_id)
                .bind(&q.user_id)
                .bind(&q.query_text)
                .bind(&q.response_text)
                .bind(Json(&q.citations))
                .bind(Json(&q.suggested_follow_ups))
                .bind(&q.mode)
                .bind(f64::from(q.confidence))
                .bind(i64::try_from(q.processing_ms).unwrap_or(i64::MAX))
                .bind(q.created_at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query("UPDATE rag_sessions SET last_active_at = $3 WHERE company_id = $1 AND session_id = $2")
                    .bind(q.company_id.as_str())
                    .bind(&q.session_id)
                    .bind(q.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn get_query(&self, company: &CompanyId, query_id: &str) -> Result<Option<RagQueryRecord>> {
                sqlx::query_as::<_, RagQueryRow>(&format!(
                    "SELECT {QUERY_COLUMNS} FROM rag_queries WHERE company_id = $1 AND query_id = $2"
                ))
                .bind(company.as_str())
                .bind(query_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(RagQueryRow::into_domain)
                .transpose()
            }

            async fn list_queries(&self, company: &CompanyId, f: &RagQueryFilter) -> Result<Page<RagQueryRecord>> {
                fn filter<'a>(qb: &mut QueryBuilder<'a, $db>, company: &CompanyId, f: &RagQueryFilter) {
                    qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
                    if let Some(u) = &f.user_id {
                        qb.push(" AND user_id = ").push_bind(u.clone());
                    }
                    if let Some(s) = &f.session_id {
                        qb.push(" AND session_id = ").push_bind(s.clone());
                    }
                    if let Some(s) = &f.search {
                        // LIKE wildcards in the search text are literal.
                        let escaped = s.to_lowercase().replace('!', "!!").replace('%', "!%").replace('_', "!_");
                        qb.push(" AND LOWER(query_text) LIKE ").push_bind(format!("%{escaped}%")).push(" ESCAPE '!'");
                    }
                }
                let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM rag_queries");
                filter(&mut count, company, f);
                let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);
                let mut q = QueryBuilder::<$db>::new(format!("SELECT {QUERY_COLUMNS} FROM rag_queries"));
                filter(&mut q, company, f);
                let col = match f.sort {
                    $crate::domain::RagQuerySort::CreatedAt => "created_at",
                    $crate::domain::RagQuerySort::QueryText => "LOWER(query_text)",
                };
                let dir = f.order.sql();
                q.push(format!(" ORDER BY {col} {dir}, query_id {dir} LIMIT "));
                q.push_bind(i64::from(f.page.limit));
                q.push(" OFFSET ");
                q.push_bind(i64::try_from(f.page.offset).unwrap_or(i64::MAX));
                let rows = q.build_query_as::<RagQueryRow>().fetch_all(&self.pool).await.map_err(db_err)?;
                Ok(Page {
                    items: rows.into_iter().map(RagQueryRow::into_domain).collect::<Result<_>>()?,
                    total: u64::try_from(total).unwrap_or(0),
                    limit: f.page.limit,
                    offset: f.page.offset,
                })
            }
        }

        const DOCUMENT_COLUMNS: &str = "company_id, document_id, title, file_name, document_type, audience_role, \
            namespace, content_type, size_bytes, sha256, status, failure_reason, pages, chunks_created, blob_key, \
            metadata, created_at, updated_at";

        #[async_trait]
        impl DocumentStore for $store {
            async fn upsert_document(&self, d: &Document, jobs: &[NewJob]) -> Result<Document> {
                let _w = self.writer().await;
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                // Re-uploading the same file (type and name) keeps the document id, so citations
                // and links stay valid; its chunks are replaced when the new version is indexed.
                let existing: Option<(String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT document_id, created_at FROM documents WHERE company_id = $1 AND document_type = $2 \
                     AND file_name = $3",
                )
                .bind(d.company_id.as_str())
                .bind(d.document_type.as_str())
                .bind(&d.file_name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                let mut doc = d.clone();
                if let Some((id, created)) = existing {
                    doc.document_id = id;
                    doc.created_at = created;
                    sqlx::query("DELETE FROM documents WHERE company_id = $1 AND document_id = $2")
                        .bind(doc.company_id.as_str())
                        .bind(&doc.document_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                sqlx::query(&format!(
                    "INSERT INTO documents ({DOCUMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                     $12, $13, $14, $15, $16, $17, $18)"
                ))
                .bind(doc.company_id.as_str())
                .bind(&doc.document_id)
                .bind(&doc.title)
                .bind(&doc.file_name)
                .bind(doc.document_type.as_str())
                .bind(doc.audience_role.as_deref())
                .bind(&doc.namespace)
                .bind(&doc.content_type)
                .bind(i64::try_from(doc.size_bytes).unwrap_or(i64::MAX))
                .bind(&doc.sha256)
                .bind(doc.status.as_str())
                .bind(doc.failure_reason.as_deref())
                .bind(doc.pages.map(i64::from))
                .bind(i64::from(doc.chunks_created))
                .bind(&doc.blob_key)
                .bind(Json(&doc.metadata))
                .bind(doc.created_at)
                .bind(doc.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                for job in jobs {
                    let mut job = job.clone();
                    if let Some(obj) = job.payload.as_object_mut() {
                        obj.insert("document_id".into(), serde_json::Value::String(doc.document_id.clone()));
                    }
                    enqueue_on(&mut tx, &job).await?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(doc)
            }

            async fn get_document(&self, company: &CompanyId, document_id: &str) -> Result<Option<Document>> {
                sqlx::query_as::<_, DocumentRow>(&format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE company_id = $1 AND document_id = $2"
                ))
                .bind(company.as_str())
                .bind(document_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?
                .map(DocumentRow::into_domain)
                .transpose()
            }

            async fn update_document(&self, d: &Document) -> Result<()> {
                let _w = self.writer().await;
                let n = sqlx::query(
                    "UPDATE documents SET title = CASE WHEN title = file_name THEN $3 ELSE title END, status = $4, \
                     failure_reason = $5, pages = $6, chunks_created = $7, updated_at = $8 \
                     WHERE company_id = $1 AND document_id = $2",
                )
                .bind(d.company_id.as_str())
                .bind(&d.document_id)
                .bind(&d.title)
                .bind(d.status.as_str())
                .bind(d.failure_reason.as_deref())
                .bind(d.pages.map(i64::from))
                .bind(i64::from(d.chunks_created))
                .bind(d.updated_at)
                .execute(&self.pool)
                .await
                .map_err(db_err)?
                .rows_affected();
                if n == 0 {
                    return Err(Error::not_found(format!("document {}", d.document_id)));
                }
                Ok(())
            }

            async fn report_document(
                &self,
                company: &CompanyId,
                document_id: &str,
                title: Option<&str>,
                pages: Option<u32>,
                at: DateTime<Utc>,
            ) -> Result<bool> {
                let _w = self.writer().await;
                let n = sqlx::query(
                    "UPDATE documents SET title = COALESCE($3, title), pages = COALESCE($4, pages), updated_at = $5 \
                     WHERE company_id = $1 AND document_id = $2 AND status <> 'processing'",
                )
                .bind(company.as_str())
                .bind(document_id)
                .bind(title)
                .bind(pages.map(i64::from))
                .bind(at)
                .execute(&self.pool)
                .await
                .map_err(db_err)?
                .rows_affected();
                Ok(n > 0)
            }

            async fn document_ids(&self, company: &CompanyId, namespace: Option<&str>) -> Result<Vec<String>> {
                let mut q = QueryBuilder::<$db>::new("SELECT document_id FROM documents WHERE company_id = ");
                q.push_bind(company.as_str().to_string());
                if let Some(ns) = namespace {
                    q.push(" AND namespace = ").push_bind(ns.to_string());
                }
                q.push(" ORDER BY document_id");
                Ok(q.build().fetch_all(&self.pool).await.map_err(db_err)?.iter().map(|r| r.get::<String, _>(0)).collect())
            }

            async fn delete_document(&self, company: &CompanyId, document_id: &str) -> Result<bool> {
                let _w = self.writer().await;
                let n = sqlx::query("DELETE FROM documents WHERE company_id = $1 AND document_id = $2")
                    .bind(company.as_str())
                    .bind(document_id)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                Ok(n > 0)
            }
        }

        #[async_trait]
        impl SettingsStore for $store {
            async fn get_settings(&self, company: &CompanyId) -> Result<Option<CompanySettings>> {
                let row: Option<(Option<i64>, Option<String>, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT rep_channel, timezone, updated_at FROM company_settings WHERE company_id = $1",
                )
                .bind(company.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(row.map(|(rep_channel, timezone, updated_at)| CompanySettings {
                    company_id: company.clone(),
                    rep_channel: rep_channel.and_then(|c| u8::try_from(c).ok()),
                    timezone,
                    updated_at,
                }))
            }

            async fn put_settings(&self, s: &CompanySettings) -> Result<()> {
                let _w = self.writer().await;
                sqlx::query(
                    "INSERT INTO company_settings (company_id, rep_channel, timezone, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (company_id) DO UPDATE SET rep_channel = excluded.rep_channel, \
                     timezone = excluded.timezone, updated_at = excluded.updated_at",
                )
                .bind(s.company_id.as_str())
                .bind(s.rep_channel.map(i64::from))
                .bind(s.timezone.as_deref())
                .bind(s.updated_at)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(())
            }
        }

        impl Store for $store {
            fn backend_name(&self) -> &'static str {
                $name
            }
        }
    };
}
pub(crate) use impl_sql_store;
pub(crate) use rows::ChunkHitRow;
