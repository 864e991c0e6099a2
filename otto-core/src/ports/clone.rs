//! Storage of personal AI clones (API 9.x): samples, the measured profile, drafts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    CloneDraft, CloneDraftFilter, CloneSample, CompanyId, DraftStatus, NewJob, Page, PersonalClone, StyleProfile,
    TrainingStatus,
};
use crate::error::Result;

/// What a training request stores.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRequest<'a> {
    /// Tenant.
    pub company_id: &'a CompanyId,
    /// The rep.
    pub rep_id: &'a str,
    /// The new training's id.
    pub training_id: &'a str,
    /// The clone id to use if the rep has none yet.
    pub new_clone_id: &'a str,
    /// Samples to add (those the rep already has, by `content_hash`, are skipped).
    pub samples: &'a [CloneSample],
    /// The `clone.train` job.
    pub job: &'a NewJob,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Clones, their samples and drafts. Every method is scoped by company.
#[async_trait]
pub trait CloneStore: Send + Sync {
    /// In one transaction: creates the rep's clone if needed, adds the new samples, marks the
    /// clone `queued` under `training_id` and enqueues the job. Returns the clone and how many
    /// samples were new.
    async fn begin_clone_training(&self, req: TrainingRequest<'_>) -> Result<(PersonalClone, u64)>;
    /// The rep's clone.
    async fn get_clone(&self, company: &CompanyId, rep_id: &str) -> Result<Option<PersonalClone>>;
    /// Every stored sample of the rep, oldest first.
    async fn list_clone_samples(&self, company: &CompanyId, rep_id: &str) -> Result<Vec<CloneSample>>;
    /// Sets the training state (and failure reason) if `training_id` is still the latest
    /// training; false otherwise.
    async fn set_clone_training_status(
        &self,
        company: &CompanyId,
        rep_id: &str,
        training_id: &str,
        status: TrainingStatus,
        failure_reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Stores a newly measured profile, increments `model_version` and sets `last_trained`;
    /// the state becomes `completed` only if `training_id` is still the latest training (a
    /// newer request stays queued). Returns the clone after the change.
    async fn finish_clone_training(
        &self,
        company: &CompanyId,
        rep_id: &str,
        training_id: &str,
        profile: &StyleProfile,
        now: DateTime<Utc>,
    ) -> Result<PersonalClone>;
    /// Stores a draft; `Conflict` if the id exists.
    async fn insert_clone_draft(&self, draft: &CloneDraft) -> Result<()>;
    /// One draft.
    async fn get_clone_draft(&self, company: &CompanyId, draft_id: &str) -> Result<Option<CloneDraft>>;
    /// Replaces status, content and `updated_at` only if the stored status is still
    /// `expected` (compare-and-set); false if it was not.
    async fn update_clone_draft(&self, draft: &CloneDraft, expected: DraftStatus) -> Result<bool>;
    /// A filtered, sorted page of drafts.
    async fn list_clone_drafts(&self, company: &CompanyId, filter: &CloneDraftFilter) -> Result<Page<CloneDraft>>;
    /// (drafts generated, drafts that reached ready or sent) for the rep, counted in SQL.
    async fn clone_draft_counts(&self, company: &CompanyId, rep_id: &str) -> Result<(u64, u64)>;
}
