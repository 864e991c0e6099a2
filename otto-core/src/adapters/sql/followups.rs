//! SQL for follow-ups (drafts, tasks) and the performance aggregates, shared by SQLite and
//! PostgreSQL the same way as `impl_sql_store!`: one body, instantiated per backend by
//! `impl_followup_store!` from `sqlite.rs` and `postgres.rs`.
//!
//! Analytics are aggregates computed by the database (`COUNT`, `SUM`, `AVG`, `GROUP BY`,
//! `HAVING`, `ORDER BY ... LIMIT`) over the typed facts tables; only result rows (one per rep,
//! objection type or lead page row) come back.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;

use crate::domain::{
    CompanyId, DraftStatus, FollowupChannel, FollowupDraft, FollowupKind, FollowupTask, FollowupTone, TaskPriority,
    TaskStatus, TaskType,
};
use crate::error::{Error, Result};

pub(crate) const DRAFT_COLUMNS: &str = "company_id, draft_id, call_id, rep_id, followup_type, channel, tone, subject, \
    content, strategy, approach, status, suggested_send_time, details, created_at, updated_at";
pub(crate) const TASK_COLUMNS: &str =
    "company_id, task_id, call_id, rep_id, task_type, description, priority, status, \
    due_date, source, source_key, created_by, created_at, updated_at";

fn unknown(what: &str, v: &str) -> Error {
    Error::internal(format!("stored {what} `{v}` is unknown"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct DraftRow {
    company_id: String,
    draft_id: String,
    call_id: String,
    rep_id: String,
    followup_type: String,
    channel: String,
    tone: String,
    subject: Option<String>,
    content: String,
    strategy: String,
    approach: Option<String>,
    status: String,
    suggested_send_time: DateTime<Utc>,
    details: Json<Value>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl DraftRow {
    pub(crate) fn into_domain(self) -> Result<FollowupDraft> {
        let channel = FollowupChannel::parse(&self.channel).ok_or_else(|| unknown("channel", &self.channel))?;
        Ok(FollowupDraft {
            company_id: Some(CompanyId::parse(self.company_id).map_err(|e| Error::internal(e.to_string()))?),
            followup_type: FollowupKind::parse(&self.followup_type)
                .ok_or_else(|| unknown("followup type", &self.followup_type))?,
            tone: FollowupTone::parse(&self.tone).ok_or_else(|| unknown("tone", &self.tone))?,
            status: DraftStatus::parse(&self.status).ok_or_else(|| unknown("draft status", &self.status))?,
            draft_id: self.draft_id,
            call_id: self.call_id,
            rep_id: self.rep_id,
            channel,
            content_type: channel,
            subject: self.subject,
            content: self.content,
            strategy: self.strategy,
            approach: self.approach,
            suggested_send_time: self.suggested_send_time,
            details: self.details.0,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    company_id: String,
    task_id: String,
    call_id: String,
    rep_id: Option<String>,
    task_type: String,
    description: String,
    priority: String,
    status: String,
    due_date: Option<DateTime<Utc>>,
    source: String,
    source_key: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TaskRow {
    pub(crate) fn into_domain(self) -> Result<FollowupTask> {
        Ok(FollowupTask {
            company_id: Some(CompanyId::parse(self.company_id).map_err(|e| Error::internal(e.to_string()))?),
            task_type: TaskType::parse(&self.task_type).ok_or_else(|| unknown("task type", &self.task_type))?,
            priority: TaskPriority::parse(&self.priority).ok_or_else(|| unknown("priority", &self.priority))?,
            status: TaskStatus::parse(&self.status).ok_or_else(|| unknown("task status", &self.status))?,
            task_id: self.task_id,
            call_id: self.call_id,
            rep_id: self.rep_id,
            description: self.description,
            due_date: self.due_date,
            source: self.source,
            source_key: self.source_key,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A converted call, for `CASE WHEN`: outcome appointment_set or sold. `{p}` is the table alias.
pub(crate) fn converted(p: &str) -> String {
    format!("{p}outcome IN ('appointment_set', 'sold')")
}

/// Implements [`crate::ports::FollowupStore`] and [`crate::ports::PerformanceStore`] for
/// `$store` (an ident in the invoking module, with `pool` and `writer()` as for
/// `impl_sql_store!`) on database `$db`.
macro_rules! impl_followup_store {
    ($store:ident, $db:ty) => {
        mod followup_sql {
            use std::collections::BTreeMap;

            use async_trait::async_trait;
            use sqlx::types::Json;
            use sqlx::{QueryBuilder, Row};

            use super::{push_rollup_scope, $store};
            use $crate::adapters::sql::followups::{DraftRow, TaskRow, DRAFT_COLUMNS, TASK_COLUMNS};
            use $crate::adapters::sql::{db_err, db_err_or_conflict};
            use $crate::domain::{
                CompanyId, DateRange, DraftFilter, DraftSort, DraftStatus, FollowupDraft, FollowupTask, LeadAggregates,
                LeadQuery, LeadRecord, LeadSort, ObjectionAggregate, ObjectionQuery, ObjectionSort, Page,
                PerformanceTotals, RepAggregate, RepQuery, RepSort,
            };
            use $crate::error::{Error, Result};
            use $crate::ports::{FollowupStore, PerformanceStore};

            fn n(v: i64) -> u64 {
                u64::try_from(v).unwrap_or(0)
            }

            /// `WHERE {p}company_id = .. [AND {p}rep_id = ..] [AND {p}occurred_at >= .. AND < ..]`.
            fn scope(
                qb: &mut QueryBuilder<'_, $db>,
                p: &str,
                company: &CompanyId,
                rep: Option<&str>,
                range: &DateRange,
            ) {
                qb.push(format!(" WHERE {p}company_id = ")).push_bind(company.as_str().to_string());
                if let Some(r) = rep {
                    qb.push(format!(" AND {p}rep_id = ")).push_bind(r.to_string());
                }
                if let Some(t) = range.start() {
                    qb.push(format!(" AND {p}occurred_at >= ")).push_bind(t);
                }
                if let Some(t) = range.end() {
                    qb.push(format!(" AND {p}occurred_at < ")).push_bind(t);
                }
            }

            fn page_clause(qb: &mut QueryBuilder<'_, $db>, page: &$crate::domain::PageRequest) {
                qb.push(" LIMIT ").push_bind(i64::from(page.limit));
                qb.push(" OFFSET ").push_bind(i64::try_from(page.offset).unwrap_or(i64::MAX));
            }

            async fn insert_task_on(
                conn: &mut <$db as sqlx::Database>::Connection,
                t: &FollowupTask,
                company: &CompanyId,
                ignore_dupes: bool,
            ) -> Result<u64> {
                let sql = format!(
                    "INSERT INTO followup_tasks ({TASK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                     $12, $13, $14){}",
                    if ignore_dupes { " ON CONFLICT (company_id, call_id, source_key) DO NOTHING" } else { "" }
                );
                Ok(sqlx::query(&sql)
                    .bind(company.as_str())
                    .bind(&t.task_id)
                    .bind(&t.call_id)
                    .bind(t.rep_id.as_deref())
                    .bind(t.task_type.as_str())
                    .bind(&t.description)
                    .bind(t.priority.as_str())
                    .bind(t.status.as_str())
                    .bind(t.due_date)
                    .bind(&t.source)
                    .bind(t.source_key.as_deref())
                    .bind(&t.created_by)
                    .bind(t.created_at)
                    .bind(t.updated_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| db_err_or_conflict(e, || format!("task {} already exists", t.task_id)))?
                    .rows_affected())
            }

            fn company_of(c: &Option<CompanyId>) -> Result<&CompanyId> {
                c.as_ref().ok_or_else(|| Error::internal("a follow-up needs its company"))
            }

            #[async_trait]
            impl FollowupStore for $store {
                async fn insert_draft(&self, d: &FollowupDraft) -> Result<()> {
                    let company = company_of(&d.company_id)?;
                    let _w = self.writer().await;
                    sqlx::query(&format!(
                        "INSERT INTO followup_drafts ({DRAFT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                         $10, \
                         $11, $12, $13, $14, $15, $16)"
                    ))
                    .bind(company.as_str())
                    .bind(&d.draft_id)
                    .bind(&d.call_id)
                    .bind(&d.rep_id)
                    .bind(d.followup_type.as_str())
                    .bind(d.channel.as_str())
                    .bind(d.tone.as_str())
                    .bind(d.subject.as_deref())
                    .bind(&d.content)
                    .bind(&d.strategy)
                    .bind(d.approach.as_deref())
                    .bind(d.status.as_str())
                    .bind(d.suggested_send_time)
                    .bind(Json(&d.details))
                    .bind(d.created_at)
                    .bind(d.updated_at)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| db_err_or_conflict(e, || format!("draft {} already exists", d.draft_id)))?;
                    Ok(())
                }

                async fn get_draft(&self, company: &CompanyId, draft_id: &str) -> Result<Option<FollowupDraft>> {
                    sqlx::query_as::<_, DraftRow>(&format!(
                        "SELECT {DRAFT_COLUMNS} FROM followup_drafts WHERE company_id = $1 AND draft_id = $2"
                    ))
                    .bind(company.as_str())
                    .bind(draft_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?
                    .map(DraftRow::into_domain)
                    .transpose()
                }

                async fn update_draft(&self, d: &FollowupDraft, expected: DraftStatus) -> Result<bool> {
                    let company = company_of(&d.company_id)?;
                    let _w = self.writer().await;
                    let n = sqlx::query(
                        "UPDATE followup_drafts SET status = $3, content = $4, subject = $5, updated_at = $6 \
                         WHERE company_id = $1 AND draft_id = $2 AND status = $7",
                    )
                    .bind(company.as_str())
                    .bind(&d.draft_id)
                    .bind(d.status.as_str())
                    .bind(&d.content)
                    .bind(d.subject.as_deref())
                    .bind(d.updated_at)
                    .bind(expected.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                    Ok(n == 1)
                }

                async fn list_drafts(&self, company: &CompanyId, f: &DraftFilter) -> Result<Page<FollowupDraft>> {
                    fn filter(qb: &mut QueryBuilder<'_, $db>, company: &CompanyId, f: &DraftFilter) {
                        qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
                        if let Some(r) = &f.rep_id {
                            qb.push(" AND rep_id = ").push_bind(r.clone());
                        }
                        if let Some(c) = &f.call_id {
                            qb.push(" AND call_id = ").push_bind(c.clone());
                        }
                        if let Some(c) = f.content_type {
                            qb.push(" AND channel = ").push_bind(c.as_str());
                        }
                        if let Some(s) = f.status {
                            qb.push(" AND status = ").push_bind(s.as_str());
                        }
                    }
                    let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM followup_drafts");
                    filter(&mut count, company, f);
                    let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);
                    let mut q = QueryBuilder::<$db>::new(format!("SELECT {DRAFT_COLUMNS} FROM followup_drafts"));
                    filter(&mut q, company, f);
                    let col = match f.sort {
                        DraftSort::CreatedAt => "created_at",
                        DraftSort::CallId => "call_id",
                        DraftSort::ContentType => "channel",
                    };
                    let dir = f.order.sql();
                    q.push(format!(" ORDER BY {col} {dir}, draft_id {dir}"));
                    page_clause(&mut q, &f.page);
                    let rows = q.build_query_as::<DraftRow>().fetch_all(&self.pool).await.map_err(db_err)?;
                    Ok(Page {
                        items: rows.into_iter().map(DraftRow::into_domain).collect::<Result<_>>()?,
                        total: n(total),
                        limit: f.page.limit,
                        offset: f.page.offset,
                    })
                }

                async fn insert_task(&self, t: &FollowupTask) -> Result<()> {
                    let company = company_of(&t.company_id)?;
                    let _w = self.writer().await;
                    let mut conn = self.pool.acquire().await.map_err(db_err)?;
                    insert_task_on(&mut *conn, t, company, false).await?;
                    Ok(())
                }

                async fn insert_derived_tasks(&self, company: &CompanyId, tasks: &[FollowupTask]) -> Result<u64> {
                    let _w = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let mut added = 0;
                    for t in tasks {
                        added += insert_task_on(&mut *tx, t, company, true).await?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(added)
                }

                async fn list_tasks(&self, company: &CompanyId, call_id: &str) -> Result<Vec<FollowupTask>> {
                    sqlx::query_as::<_, TaskRow>(&format!(
                        "SELECT {TASK_COLUMNS} FROM followup_tasks WHERE company_id = $1 AND call_id = $2 \
                         ORDER BY (due_date IS NULL), due_date, created_at, task_id"
                    ))
                    .bind(company.as_str())
                    .bind(call_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .into_iter()
                    .map(TaskRow::into_domain)
                    .collect()
                }
            }

            #[async_trait]
            impl PerformanceStore for $store {
                async fn performance_totals(
                    &self,
                    company: &CompanyId,
                    rep: Option<&str>,
                    range: &DateRange,
                ) -> Result<PerformanceTotals> {
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT CAST(COALESCE(SUM(calls), 0) AS BIGINT), CAST(SUM(appointments_set) AS BIGINT), \
                         CAST(SUM(sold) AS BIGINT), CAST(SUM(qualified) AS BIGINT), \
                         CAST(SUM(with_objections) AS BIGINT), \
                         CAST(SUM(duration_sum) AS DOUBLE PRECISION) \
                         / CAST(NULLIF(SUM(duration_n), 0) AS DOUBLE PRECISION), \
                         SUM(lead_score_sum) / CAST(NULLIF(SUM(calls), 0) AS DOUBLE PRECISION), \
                         SUM(compliance_sum) / CAST(NULLIF(SUM(compliance_n), 0) AS DOUBLE PRECISION) \
                         FROM analytics_daily",
                    );
                    push_rollup_scope(&mut q, company, rep, range);
                    let r = q.build().fetch_one(&self.pool).await.map_err(db_err)?;
                    let s = |i: usize| n(r.get::<Option<i64>, _>(i).unwrap_or(0));
                    Ok(PerformanceTotals {
                        calls: n(r.get::<i64, _>(0)),
                        appointments_set: s(1),
                        sold: s(2),
                        qualified: s(3),
                        calls_with_objections: s(4),
                        avg_duration_seconds: r.get(5),
                        avg_lead_score: r.get(6),
                        avg_compliance: r.get(7),
                    })
                }

                async fn rep_performance(
                    &self,
                    company: &CompanyId,
                    rep: Option<&str>,
                    range: &DateRange,
                    query: &RepQuery,
                ) -> Result<Page<RepAggregate>> {
                    // One statement: per-rep call and objection aggregates, the derived rates and
                    // score, then the filter, sort and page on the score the database computed.
                    let body = |qb: &mut QueryBuilder<'_, $db>| {
                        qb.push(
                            "WITH r AS (SELECT rep_key AS rep_id, CAST(SUM(calls) AS BIGINT) AS calls, \
                             CAST(SUM(converted) AS BIGINT) AS converted, \
                             SUM(compliance_sum) / CAST(NULLIF(SUM(compliance_n), 0) AS DOUBLE PRECISION) AS compliance, \
                             SUM(lead_score_sum) / CAST(SUM(calls) AS DOUBLE PRECISION) AS lead_score, \
                             CAST(SUM(objections_raised) AS BIGINT) AS raised, \
                             CAST(SUM(objections_handled) AS BIGINT) AS handled FROM analytics_daily",
                        );
                        push_rollup_scope(qb, company, rep, range);
                        qb.push(
                            " AND rep_key <> '' GROUP BY rep_key), \
                             s AS (SELECT rep_id, calls, converted, compliance, lead_score, raised, handled, \
                             CAST(converted AS DOUBLE PRECISION) / calls AS conversion_rate, \
                             CASE WHEN raised = 0 THEN CAST(1 AS DOUBLE PRECISION) \
                             ELSE CAST(handled AS DOUBLE PRECISION) / raised END AS handling_rate \
                             FROM r), \
                             p AS (SELECT s.*, CASE WHEN compliance IS NULL \
                             THEN CAST(0.75 AS DOUBLE PRECISION) * conversion_rate \
                             + CAST(0.25 AS DOUBLE PRECISION) * handling_rate \
                             ELSE CAST(0.5 AS DOUBLE PRECISION) * conversion_rate \
                             + CAST(0.25 AS DOUBLE PRECISION) * handling_rate \
                             + CAST(0.25 AS DOUBLE PRECISION) * compliance END AS performance_score FROM s)",
                        );
                    };
                    let min = |qb: &mut QueryBuilder<'_, $db>| {
                        if let Some(m) = query.min_performance_score {
                            qb.push(" WHERE performance_score >= ").push_bind(m);
                        }
                    };
                    let mut count = QueryBuilder::<$db>::new("");
                    body(&mut count);
                    count.push(" SELECT COUNT(*) FROM p");
                    min(&mut count);
                    let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);

                    let mut q = QueryBuilder::<$db>::new("");
                    body(&mut q);
                    q.push(
                        " SELECT rep_id, calls, converted, compliance, lead_score, raised, handled, conversion_rate, \
                         handling_rate, performance_score FROM p",
                    );
                    min(&mut q);
                    let col = match query.sort {
                        RepSort::PerformanceScore => "performance_score",
                        RepSort::CallsHandled => "calls",
                        RepSort::ConversionRate => "conversion_rate",
                    };
                    q.push(format!(" ORDER BY {col} {}, rep_id ASC", query.order.sql()));
                    page_clause(&mut q, &query.page);
                    let mut reps: Vec<RepAggregate> = q
                        .build()
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?
                        .iter()
                        .map(|r| RepAggregate {
                            rep_id: r.get(0),
                            calls: n(r.get(1)),
                            converted: n(r.get(2)),
                            compliance: r.get(3),
                            avg_lead_score: r.get(4),
                            objections_raised: n(r.get(5)),
                            objections_handled: n(r.get(6)),
                            conversion_rate: r.get(7),
                            handling_rate: r.get(8),
                            performance_score: r.get(9),
                            open_objections: Vec::new(),
                            stage_rates: Vec::new(),
                        })
                        .collect();

                    if !reps.is_empty() {
                        let ids = |qb: &mut QueryBuilder<'_, $db>| {
                            qb.push(" AND rep_key IN (");
                            let mut sep = qb.separated(", ");
                            for r in &reps {
                                sep.push_bind(r.rep_id.clone());
                            }
                            qb.push(")");
                        };
                        let mut q = QueryBuilder::<$db>::new(
                            "SELECT rep_key, objection_type, CAST(SUM(rows_raised - rows_handled) AS BIGINT) \
                             FROM objection_daily",
                        );
                        push_rollup_scope(&mut q, company, rep, range);
                        ids(&mut q);
                        q.push(
                            " GROUP BY rep_key, objection_type HAVING SUM(rows_raised - rows_handled) > 0 \
                             ORDER BY SUM(rows_raised - rows_handled) DESC, objection_type",
                        );
                        let open = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
                        let mut q = QueryBuilder::<$db>::new(
                            "SELECT rep_key, stage_name, \
                             CAST(SUM(performed) AS DOUBLE PRECISION) / CAST(SUM(calls) AS DOUBLE PRECISION) \
                             FROM stage_daily",
                        );
                        push_rollup_scope(&mut q, company, rep, range);
                        ids(&mut q);
                        q.push(" GROUP BY rep_key, stage_name ORDER BY 3, stage_name");
                        let stages = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
                        for r in &mut reps {
                            r.open_objections = open
                                .iter()
                                .filter(|o| o.get::<String, _>(0) == r.rep_id)
                                .map(|o| (o.get::<String, _>(1), n(o.get::<i64, _>(2))))
                                .collect();
                            r.stage_rates = stages
                                .iter()
                                .filter(|s| s.get::<String, _>(0) == r.rep_id)
                                .map(|s| (s.get::<String, _>(1), s.get::<f64, _>(2)))
                                .collect();
                        }
                    }
                    Ok(Page { items: reps, total: n(total), limit: query.page.limit, offset: query.page.offset })
                }

                async fn objection_stats(
                    &self,
                    company: &CompanyId,
                    rep: Option<&str>,
                    range: &DateRange,
                    query: &ObjectionQuery,
                ) -> Result<(Page<ObjectionAggregate>, Vec<ObjectionAggregate>)> {
                    let min = i64::try_from(query.min_frequency.unwrap_or(0)).unwrap_or(i64::MAX);
                    let grouped = |qb: &mut QueryBuilder<'_, $db>| {
                        // Distinct calls per type add up over days: a call has one day and one rep.
                        qb.push(
                            "SELECT objection_type, CAST(SUM(calls) AS BIGINT) AS frequency, \
                             CAST(SUM(calls_handled) AS BIGINT) AS handled, \
                             CAST(SUM(calls_converted) AS BIGINT) AS converted, \
                             CAST(1 AS DOUBLE PRECISION) - CAST(SUM(calls_converted) AS DOUBLE PRECISION) \
                             / CAST(SUM(calls) AS DOUBLE PRECISION) AS impact_score FROM objection_daily",
                        );
                        push_rollup_scope(qb, company, rep, range);
                        qb.push(" GROUP BY objection_type HAVING SUM(calls) >= ").push_bind(min);
                    };
                    let decode = |r: &<$db as sqlx::Database>::Row| ObjectionAggregate {
                        objection_type: r.get(0),
                        frequency: n(r.get(1)),
                        handled: n(r.get(2)),
                        converted: n(r.get(3)),
                        impact_score: r.get(4),
                    };
                    let mut q = QueryBuilder::<$db>::new("");
                    grouped(&mut q);
                    q.push(" ORDER BY objection_type");
                    let all: Vec<ObjectionAggregate> =
                        q.build().fetch_all(&self.pool).await.map_err(db_err)?.iter().map(decode).collect();

                    let mut q = QueryBuilder::<$db>::new("");
                    grouped(&mut q);
                    let col = match query.sort {
                        ObjectionSort::Frequency => "frequency",
                        ObjectionSort::ImpactScore => "impact_score",
                        ObjectionSort::ObjectionType => "objection_type",
                    };
                    q.push(format!(" ORDER BY {col} {}, objection_type ASC", query.order.sql()));
                    page_clause(&mut q, &query.page);
                    let items = q.build().fetch_all(&self.pool).await.map_err(db_err)?.iter().map(decode).collect();
                    let page = Page {
                        items,
                        total: all.len() as u64,
                        limit: query.page.limit,
                        offset: query.page.offset,
                    };
                    Ok((page, all))
                }

                async fn lead_stats(
                    &self,
                    company: &CompanyId,
                    rep: Option<&str>,
                    range: &DateRange,
                    query: &LeadQuery,
                ) -> Result<LeadAggregates> {
                    let filter = |qb: &mut QueryBuilder<'_, $db>| {
                        scope(qb, "", company, rep, range);
                        if let Some(q) = query.quality {
                            qb.push(" AND lead_status = ").push_bind(q.as_str());
                        }
                        if let Some(s) = &query.source {
                            qb.push(" AND lead_source = ").push_bind(s.trim().to_lowercase());
                        }
                    };
                    // Totals and distributions from the rollup: one row per (quality, source), a few
                    // dozen at most, folded here.
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT lead_status, lead_source, CAST(SUM(calls) AS BIGINT), SUM(lead_score_sum) \
                         FROM lead_daily",
                    );
                    push_rollup_scope(&mut q, company, rep, range);
                    if let Some(q2) = query.quality {
                        q.push(" AND lead_status = ").push_bind(q2.as_str());
                    }
                    if let Some(s) = &query.source {
                        q.push(" AND lead_source = ").push_bind(s.trim().to_lowercase());
                    }
                    q.push(" GROUP BY lead_status, lead_source");
                    let (mut total, mut score_sum) = (0u64, 0f64);
                    let mut by_quality: BTreeMap<String, u64> = BTreeMap::new();
                    let mut by_source: BTreeMap<String, u64> = BTreeMap::new();
                    for r in q.build().fetch_all(&self.pool).await.map_err(db_err)?.iter() {
                        let calls = n(r.get::<i64, _>(2));
                        total += calls;
                        score_sum += r.get::<f64, _>(3);
                        *by_quality.entry(r.get::<String, _>(0)).or_default() += calls;
                        *by_source.entry(r.get::<String, _>(1)).or_default() += calls;
                    }
                    let avg_score = (total > 0).then(|| score_sum / total as f64);
                    let by_quality = by_quality.into_iter().collect();
                    let by_source = by_source.into_iter().collect();
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT call_id, rep_id, lead_status, lead_score, lead_source, qualified, outcome, occurred_at \
                         FROM call_facts",
                    );
                    filter(&mut q);
                    let col = match query.sort {
                        LeadSort::QualityScore => "lead_score",
                        LeadSort::Source => "lead_source",
                        LeadSort::CreatedAt => "occurred_at",
                    };
                    q.push(format!(" ORDER BY {col} {}, call_id ASC", query.order.sql()));
                    page_clause(&mut q, &query.page);
                    let leads = q
                        .build()
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?
                        .iter()
                        .map(|r| LeadRecord {
                            call_id: r.get(0),
                            rep_id: r.get(1),
                            lead_quality: r.get(2),
                            quality_score: r.get::<f64, _>(3) as f32,
                            source: r.get(4),
                            qualified: r.get(5),
                            outcome: r.get(6),
                            created_at: r.get(7),
                        })
                        .collect();
                    Ok(LeadAggregates { total, avg_score, by_quality, by_source, leads })
                }
            }
        }
    };
}
pub(crate) use impl_followup_store;
