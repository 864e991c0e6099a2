//! Storage of follow-ups and the performance aggregates (API 10.x and 12.x).

use async_trait::async_trait;

use crate::domain::{
    CompanyId, DateRange, DraftFilter, DraftStatus, FollowupDraft, FollowupTask, LeadAggregates, LeadQuery,
    ObjectionAggregate, ObjectionQuery, Page, PerformanceTotals, RepAggregate, RepQuery,
};
use crate::error::Result;

/// Follow-up drafts and tasks. Every method is scoped by company.
#[async_trait]
pub trait FollowupStore: Send + Sync {
    /// Stores a new draft; `Conflict` if the id exists.
    async fn insert_draft(&self, draft: &FollowupDraft) -> Result<()>;
    /// One draft.
    async fn get_draft(&self, company: &CompanyId, draft_id: &str) -> Result<Option<FollowupDraft>>;
    /// Replaces status, content and `updated_at` only if the stored status is still `expected`
    /// (compare-and-set, so two concurrent transitions can't both win); false if it was not.
    async fn update_draft(&self, draft: &FollowupDraft, expected: DraftStatus) -> Result<bool>;
    /// A filtered, sorted page of drafts.
    async fn list_drafts(&self, company: &CompanyId, filter: &DraftFilter) -> Result<Page<FollowupDraft>>;
    /// Stores a task; `Conflict` if the id exists.
    async fn insert_task(&self, task: &FollowupTask) -> Result<()>;
    /// Stores tasks derived from an analysis in one transaction, skipping those whose
    /// `source_key` the call already has (re-analysis never duplicates); returns how many
    /// were new.
    async fn insert_derived_tasks(&self, company: &CompanyId, tasks: &[FollowupTask]) -> Result<u64>;
    /// A call's tasks, by due date (undated last), then creation.
    async fn list_tasks(&self, company: &CompanyId, call_id: &str) -> Result<Vec<FollowupTask>>;
}

/// Performance aggregates over the analytics facts, in SQL. Scoped to a company and, when
/// `rep` is given, to that rep; `range` filters on when the call happened.
#[async_trait]
pub trait PerformanceStore: Send + Sync {
    /// Totals over analysed calls.
    async fn performance_totals(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
    ) -> Result<PerformanceTotals>;
    /// A sorted, filtered page of per-rep aggregates (calls without a rep are left out), with
    /// the open objections and stage rates of the reps on the page.
    async fn rep_performance(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
        query: &RepQuery,
    ) -> Result<Page<RepAggregate>>;
    /// A sorted, filtered page of per-type objection aggregates, plus every type passing the
    /// filter (unpaged, at most one row per objection type).
    async fn objection_stats(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
        query: &ObjectionQuery,
    ) -> Result<(Page<ObjectionAggregate>, Vec<ObjectionAggregate>)>;
    /// Lead distributions and a sorted page of leads.
    async fn lead_stats(
        &self,
        company: &CompanyId,
        rep: Option<&str>,
        range: &DateRange,
        query: &LeadQuery,
    ) -> Result<LeadAggregates>;
}
