use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ids::CompanyId;

/// Where a job is in the durable queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `run_at`.
    Queued,
    /// Leased by a worker until `lease_expires_at`; an expired lease is taken over.
    Running,
    /// Done.
    Succeeded,
    /// Gave up after `max_attempts`; kept for inspection (dead letter).
    Dead,
}

impl JobStatus {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Dead => "dead",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "dead" => JobStatus::Dead,
            _ => return None,
        })
    }
}

/// A unit of background work to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Handler name, e.g. `call.process`.
    pub kind: String,
    /// Tenant the work belongs to, if any.
    pub company_id: Option<CompanyId>,
    /// Handler input.
    pub payload: Value,
    /// At most one job per key is ever created: enqueueing again returns the first job.
    pub dedupe_key: Option<String>,
    /// Attempts before the job goes to the dead letter state.
    pub max_attempts: u32,
    /// Not before.
    pub run_at: DateTime<Utc>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
}

impl NewJob {
    /// A job of `kind` with `payload`, runnable now, 5 attempts.
    pub fn new(kind: impl Into<String>, payload: Value, now: DateTime<Utc>) -> Self {
        Self {
            kind: kind.into(),
            company_id: None,
            payload,
            dedupe_key: None,
            max_attempts: 5,
            run_at: now,
            created_at: now,
        }
    }
    /// Sets the tenant.
    pub fn company(mut self, company_id: CompanyId) -> Self {
        self.company_id = Some(company_id);
        self
    }
    /// Sets the dedupe key.
    pub fn dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
    /// Sets the attempt budget.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Job id.
    pub job_id: String,
    /// Handler name.
    pub kind: String,
    /// Tenant.
    pub company_id: Option<CompanyId>,
    /// Handler input.
    pub payload: Value,
    /// Status.
    pub status: JobStatus,
    /// Attempts started so far (including the current one while running).
    pub attempts: u32,
    /// Attempt budget.
    pub max_attempts: u32,
    /// Not before.
    pub run_at: DateTime<Utc>,
    /// Worker holding the lease.
    pub leased_by: Option<String>,
    /// Lease end; after it another worker may take the job over.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Last failure.
    pub last_error: Option<String>,
    /// Progress 0..=100 reported by the handler.
    pub progress: u8,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A worker asking for the next runnable job.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseRequest {
    /// Who asks; only this worker may complete or fail the leased job.
    pub worker_id: String,
    /// Job kinds the worker handles.
    pub kinds: Vec<String>,
    /// Lease length; the worker must heartbeat before it ends.
    pub lease_for: Duration,
    /// Current time (from the clock port).
    pub now: DateTime<Utc>,
}
