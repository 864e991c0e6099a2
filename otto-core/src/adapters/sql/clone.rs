//! SQL for personal AI clones (profiles, samples, drafts), shared by SQLite and PostgreSQL the
//! same way as `impl_followup_store!`: one body, instantiated per backend by
//! `impl_clone_store!` from `sqlite.rs` and `postgres.rs`.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;

use crate::domain::{
    CloneDraft, CloneSample, CompanyId, DraftStatus, FollowupChannel, PersonalClone, SampleType, StyleProfile,
    TrainingStatus,
};
use crate::error::{Error, Result};

/// Columns of `clone_profiles` read back, with the rep's sample count.
pub(crate) const CLONE_SELECT: &str = "SELECT p.company_id, p.rep_id, p.clone_id, p.training_status, p.model_version, \
    p.training_id, p.profile, p.failure_reason, p.last_trained, p.created_at, p.updated_at, \
    (SELECT COUNT(*) FROM clone_samples s WHERE s.company_id = p.company_id AND s.rep_id = p.rep_id) AS samples \
    FROM clone_profiles p WHERE p.company_id = $1 AND p.rep_id = $2";
pub(crate) const SAMPLE_COLUMNS: &str =
    "company_id, sample_id, rep_id, sample_type, content, content_hash, training_id, created_at";
pub(crate) const CLONE_DRAFT_COLUMNS: &str = "company_id, draft_id, rep_id, content_type, content, status, prompt, \
    context, confidence, engine, model_version, call_id, approved_at, created_at, updated_at";

fn unknown(what: &str, v: &str) -> Error {
    Error::internal(format!("stored {what} `{v}` is unknown"))
}

fn company(s: String) -> Result<CompanyId> {
    CompanyId::parse(s).map_err(|e| Error::internal(e.to_string()))
}

#[derive(sqlx::FromRow)]
pub(crate) struct CloneRow {
    company_id: String,
    rep_id: String,
    clone_id: String,
    training_status: String,
    model_version: i64,
    training_id: String,
    profile: Option<Json<StyleProfile>>,
    failure_reason: Option<String>,
    last_trained: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    samples: i64,
}

impl CloneRow {
    pub(crate) fn into_domain(self) -> Result<PersonalClone> {
        Ok(PersonalClone {
            company_id: company(self.company_id)?,
            training_status: TrainingStatus::parse(&self.training_status)
                .ok_or_else(|| unknown("training status", &self.training_status))?,
            model_version: u32::try_from(self.model_version).unwrap_or(0),
            samples: u32::try_from(self.samples).unwrap_or(u32::MAX),
            clone_id: self.clone_id,
            rep_id: self.rep_id,
            training_id: self.training_id,
            profile: self.profile.map(|p| p.0),
            failure_reason: self.failure_reason,
            last_trained: self.last_trained,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SampleRow {
    company_id: String,
    sample_id: String,
    rep_id: String,
    sample_type: String,
    content: String,
    content_hash: String,
    training_id: String,
    created_at: DateTime<Utc>,
}

impl SampleRow {
    pub(crate) fn into_domain(self) -> Result<CloneSample> {
        Ok(CloneSample {
            company_id: company(self.company_id)?,
            sample_type: SampleType::parse(&self.sample_type)
                .ok_or_else(|| unknown("sample type", &self.sample_type))?,
            sample_id: self.sample_id,
            rep_id: self.rep_id,
            content: self.content,
            content_hash: self.content_hash,
            training_id: self.training_id,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CloneDraftRow {
    company_id: String,
    draft_id: String,
    rep_id: String,
    content_type: String,
    content: String,
    status: String,
    prompt: String,
    context: Json<Value>,
    confidence: f64,
    engine: String,
    model_version: String,
    call_id: Option<String>,
    approved_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl CloneDraftRow {
    pub(crate) fn into_domain(self) -> Result<CloneDraft> {
        Ok(CloneDraft {
            company_id: Some(company(self.company_id)?),
            content_type: FollowupChannel::parse(&self.content_type)
                .ok_or_else(|| unknown("content type", &self.content_type))?,
            status: DraftStatus::parse(&self.status).ok_or_else(|| unknown("draft status", &self.status))?,
            draft_id: self.draft_id,
            rep_id: self.rep_id,
            content: self.content,
            prompt: self.prompt,
            context: self.context.0,
            confidence: self.confidence as f32,
            engine: self.engine,
            model_version: self.model_version,
            call_id: self.call_id,
            approved_at: self.approved_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Implements [`crate::ports::CloneStore`] for `$store` (an ident in the invoking module, with
/// `pool`, `writer()` and the `enqueue_on` helper that `impl_sql_store!` defines there) on
/// database `$db`.
macro_rules! impl_clone_store {
    ($store:ident, $db:ty) => {
        mod clone_sql {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use sqlx::types::Json;
            use sqlx::{QueryBuilder, Row};

            use super::$store;
            use $crate::adapters::sql::clone::{
                CloneDraftRow, CloneRow, SampleRow, CLONE_DRAFT_COLUMNS, CLONE_SELECT, SAMPLE_COLUMNS,
            };
            use $crate::adapters::sql::{db_err, db_err_or_conflict};
            use $crate::domain::{
                CloneDraft, CloneDraftFilter, CloneDraftSort, CloneSample, CompanyId, DraftStatus, Page,
                PersonalClone, StyleProfile, TrainingStatus,
            };
            use $crate::error::{Error, Result};
            use $crate::ports::{CloneStore, TrainingRequest};

            fn n(v: i64) -> u64 {
                u64::try_from(v).unwrap_or(0)
            }

            impl $store {
                async fn fetch_clone(&self, company: &CompanyId, rep_id: &str) -> Result<Option<PersonalClone>> {
                    sqlx::query_as::<_, CloneRow>(CLONE_SELECT)
                        .bind(company.as_str())
                        .bind(rep_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?
                        .map(CloneRow::into_domain)
                        .transpose()
                }
            }

            #[async_trait]
            impl CloneStore for $store {
                async fn begin_clone_training(&self, req: TrainingRequest<'_>) -> Result<(PersonalClone, u64)> {
                    let company = req.company_id;
                    let added = {
                        let _w = self.writer().await;
                        let mut tx = self.pool.begin().await.map_err(db_err)?;
                        // A retraining keeps the clone id, version and profile; it only points the
                        // clone at the new training and clears the previous failure.
                        sqlx::query(
                            "INSERT INTO clone_profiles (company_id, rep_id, clone_id, training_status, \
                             model_version, training_id, profile, failure_reason, last_trained, created_at, \
                             updated_at) VALUES ($1, $2, $3, 'queued', 0, $4, NULL, NULL, NULL, $5, $5) \
                             ON CONFLICT (company_id, rep_id) DO UPDATE SET training_status = 'queued', \
                             training_id = excluded.training_id, failure_reason = NULL, \
                             updated_at = excluded.updated_at",
                        )
                        .bind(company.as_str())
                        .bind(req.rep_id)
                        .bind(req.new_clone_id)
                        .bind(req.training_id)
                        .bind(req.now)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                        let mut added = 0;
                        for s in req.samples {
                            added += sqlx::query(&format!(
                                "INSERT INTO clone_samples ({SAMPLE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                                 ON CONFLICT (company_id, rep_id, content_hash) DO NOTHING"
                            ))
                            .bind(company.as_str())
                            .bind(&s.sample_id)
                            .bind(req.rep_id)
                            .bind(s.sample_type.as_str())
                            .bind(&s.content)
                            .bind(&s.content_hash)
                            .bind(req.training_id)
                            .bind(s.created_at)
                            .execute(&mut *tx)
                            .await
                            .map_err(|e| db_err_or_conflict(e, || format!("sample {} already exists", s.sample_id)))?
                            .rows_affected();
                        }
                        super::enqueue_on(&mut *tx, req.job).await?;
                        tx.commit().await.map_err(db_err)?;
                        added
                    };
                    let clone = self
                        .fetch_clone(company, req.rep_id)
                        .await?
                        .ok_or_else(|| Error::internal("the clone vanished after training was queued"))?;
                    Ok((clone, added))
                }

                async fn get_clone(&self, company: &CompanyId, rep_id: &str) -> Result<Option<PersonalClone>> {
                    self.fetch_clone(company, rep_id).await
                }

                async fn list_clone_samples(&self, company: &CompanyId, rep_id: &str) -> Result<Vec<CloneSample>> {
                    sqlx::query_as::<_, SampleRow>(&format!(
                        "SELECT {SAMPLE_COLUMNS} FROM clone_samples WHERE company_id = $1 AND rep_id = $2 \
                         ORDER BY created_at, sample_id"
                    ))
                    .bind(company.as_str())
                    .bind(rep_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?
                    .into_iter()
                    .map(SampleRow::into_domain)
                    .collect()
                }

                async fn set_clone_training_status(
                    &self,
                    company: &CompanyId,
                    rep_id: &str,
                    training_id: &str,
                    status: TrainingStatus,
                    failure_reason: Option<&str>,
                    now: DateTime<Utc>,
                ) -> Result<bool> {
                    let _w = self.writer().await;
                    let n = sqlx::query(
                        "UPDATE clone_profiles SET training_status = $4, failure_reason = $5, updated_at = $6 \
                         WHERE company_id = $1 AND rep_id = $2 AND training_id = $3",
                    )
                    .bind(company.as_str())
                    .bind(rep_id)
                    .bind(training_id)
                    .bind(status.as_str())
                    .bind(failure_reason)
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                    Ok(n == 1)
                }

                async fn finish_clone_training(
                    &self,
                    company: &CompanyId,
                    rep_id: &str,
                    training_id: &str,
                    profile: &StyleProfile,
                    now: DateTime<Utc>,
                ) -> Result<PersonalClone> {
                    {
                        let _w = self.writer().await;
                        let n = sqlx::query(
                            "UPDATE clone_profiles SET profile = $4, model_version = model_version + 1, \
                             last_trained = $5, updated_at = $5, \
                             training_status = CASE WHEN training_id = $3 THEN 'completed' ELSE training_status END, \
                             failure_reason = CASE WHEN training_id = $3 THEN NULL ELSE failure_reason END \
                             WHERE company_id = $1 AND rep_id = $2",
                        )
                        .bind(company.as_str())
                        .bind(rep_id)
                        .bind(training_id)
                        .bind(Json(profile))
                        .bind(now)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?
                        .rows_affected();
                        if n == 0 {
                            return Err(Error::not_found(format!("clone of rep {rep_id}")));
                        }
                    }
                    self.fetch_clone(company, rep_id)
                        .await?
                        .ok_or_else(|| Error::not_found(format!("clone of rep {rep_id}")))
                }

                async fn insert_clone_draft(&self, d: &CloneDraft) -> Result<()> {
                    let company = d.company_id.as_ref().ok_or_else(|| Error::internal("a draft needs its company"))?;
                    let _w = self.writer().await;
                    sqlx::query(&format!(
                        "INSERT INTO clone_drafts ({CLONE_DRAFT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                         $9, $10, $11, $12, $13, $14, $15)"
                    ))
                    .bind(company.as_str())
                    .bind(&d.draft_id)
                    .bind(&d.rep_id)
                    .bind(d.content_type.as_str())
                    .bind(&d.content)
                    .bind(d.status.as_str())
                    .bind(&d.prompt)
                    .bind(Json(&d.context))
                    .bind(f64::from(d.confidence))
                    .bind(&d.engine)
                    .bind(&d.model_version)
                    .bind(d.call_id.as_deref())
                    .bind(d.approved_at)
                    .bind(d.created_at)
                    .bind(d.updated_at)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| db_err_or_conflict(e, || format!("draft {} already exists", d.draft_id)))?;
                    Ok(())
                }

                async fn get_clone_draft(&self, company: &CompanyId, draft_id: &str) -> Result<Option<CloneDraft>> {
                    sqlx::query_as::<_, CloneDraftRow>(&format!(
                        "SELECT {CLONE_DRAFT_COLUMNS} FROM clone_drafts WHERE company_id = $1 AND draft_id = $2"
                    ))
                    .bind(company.as_str())
                    .bind(draft_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?
                    .map(CloneDraftRow::into_domain)
                    .transpose()
                }

                async fn update_clone_draft(&self, d: &CloneDraft, expected: DraftStatus) -> Result<bool> {
                    let company = d.company_id.as_ref().ok_or_else(|| Error::internal("a draft needs its company"))?;
                    let _w = self.writer().await;
                    let n = sqlx::query(
                        "UPDATE clone_drafts SET status = $3, content = $4, approved_at = $5, updated_at = $6 \
                         WHERE company_id = $1 AND draft_id = $2 AND status = $7",
                    )
                    .bind(company.as_str())
                    .bind(&d.draft_id)
                    .bind(d.status.as_str())
                    .bind(&d.content)
                    .bind(d.approved_at)
                    .bind(d.updated_at)
                    .bind(expected.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                    Ok(n == 1)
                }

                async fn list_clone_drafts(
                    &self,
                    company: &CompanyId,
                    f: &CloneDraftFilter,
                ) -> Result<Page<CloneDraft>> {
                    fn filter(qb: &mut QueryBuilder<'_, $db>, company: &CompanyId, f: &CloneDraftFilter) {
                        qb.push(" WHERE company_id = ").push_bind(company.as_str().to_string());
                        if let Some(r) = &f.rep_id {
                            qb.push(" AND rep_id = ").push_bind(r.clone());
                        }
                        if let Some(c) = f.content_type {
                            qb.push(" AND content_type = ").push_bind(c.as_str());
                        }
                        if let Some(s) = f.status {
                            qb.push(" AND status = ").push_bind(s.as_str());
                        }
                    }
                    let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM clone_drafts");
                    filter(&mut count, company, f);
                    let total: i64 = count.build().fetch_one(&self.pool).await.map_err(db_err)?.get(0);
                    let mut q = QueryBuilder::<$db>::new(format!("SELECT {CLONE_DRAFT_COLUMNS} FROM clone_drafts"));
                    filter(&mut q, company, f);
                    let dir = f.order.sql();
                    // Within one content type, newest first reads best whatever the direction.
                    match f.sort {
                        CloneDraftSort::CreatedAt => q.push(format!(" ORDER BY created_at {dir}, draft_id {dir}")),
                        CloneDraftSort::ContentType => {
                            q.push(format!(" ORDER BY content_type {dir}, created_at DESC, draft_id DESC"))
                        }
                    };
                    q.push(" LIMIT ").push_bind(i64::from(f.page.limit));
                    q.push(" OFFSET ").push_bind(i64::try_from(f.page.offset).unwrap_or(i64::MAX));
                    let rows = q.build_query_as::<CloneDraftRow>().fetch_all(&self.pool).await.map_err(db_err)?;
                    Ok(Page {
                        items: rows.into_iter().map(CloneDraftRow::into_domain).collect::<Result<_>>()?,
                        total: n(total),
                        limit: f.page.limit,
                        offset: f.page.offset,
                    })
                }

                async fn clone_draft_counts(&self, company: &CompanyId, rep_id: &str) -> Result<(u64, u64)> {
                    let r = sqlx::query(
                        "SELECT COUNT(*), COUNT(approved_at) FROM clone_drafts WHERE company_id = $1 AND rep_id = $2",
                    )
                    .bind(company.as_str())
                    .bind(rep_id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok((n(r.get::<i64, _>(0)), n(r.get::<i64, _>(1))))
                }
            }
        }
    };
}
pub(crate) use impl_clone_store;
