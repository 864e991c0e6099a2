//! The worker side of the durable job queue: lease, heartbeat, run, complete or retry.
//!
//! A [`Worker`] polls the [`JobQueue`] for the kinds it has handlers for. While a handler runs,
//! the worker extends the lease; if the process dies, the lease expires and another worker (or
//! the same one after a restart) takes the job over. Failures retry with exponential backoff
//! until the job's attempt budget is spent, then the job is dead-lettered with its last error.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::domain::{Job, JobStatus, LeaseRequest};
use crate::error::{ErrorKind, Result};
use crate::ports::{Clock, JobQueue};

/// Runs one kind of job.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Does the work. Return an error of kind `InvalidInput` for failures that retrying can't
    /// fix (the job is dead-lettered at once); any other error is retried with backoff.
    async fn run(&self, job: &Job, ctx: &JobContext) -> Result<()>;
}

/// What a running handler can tell the queue.
pub struct JobContext {
    queue: Arc<dyn JobQueue>,
    clock: Arc<dyn Clock>,
    job_id: String,
    worker_id: String,
    lease_for: Duration,
}

impl JobContext {
    /// Reports progress (0..=100) and extends the lease. False if the lease was lost, in which
    /// case the handler should stop: another worker owns the job now.
    pub async fn progress(&self, percent: u8) -> Result<bool> {
        self.queue.heartbeat(&self.job_id, &self.worker_id, self.lease_for, percent, self.clock.now()).await
    }
}

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Identifies this worker in leases (unique per process).
    pub worker_id: String,
    /// Lease length; heartbeats happen every third of it.
    pub lease_for: Duration,
    /// Sleep between polls when the queue is empty.
    pub poll_interval: Duration,
    /// First retry delay; doubles per attempt.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            worker_id: crate::domain::new_id("worker"),
            lease_for: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(300),
        }
    }
}

/// Polls the queue and runs handlers.
pub struct Worker {
    queue: Arc<dyn JobQueue>,
    clock: Arc<dyn Clock>,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    config: WorkerConfig,
}

impl Worker {
    /// A worker with no handlers yet.
    pub fn new(queue: Arc<dyn JobQueue>, clock: Arc<dyn Clock>, config: WorkerConfig) -> Self {
        Self { queue, clock, handlers: HashMap::new(), config }
    }

    /// Registers the handler for `kind`.
    pub fn handle(mut self, kind: impl Into<String>, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(kind.into(), handler);
        self
    }

    /// The delay before retry number `attempt` (1-based): base * 2^(attempt-1), capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.config.backoff_base.saturating_mul(factor).min(self.config.backoff_max)
    }

    /// Leases and runs at most one job. Returns the job's status afterwards, or None when
    /// nothing was runnable.
    pub async fn run_once(&self) -> Result<Option<JobStatus>> {
        let req = LeaseRequest {
            worker_id: self.config.worker_id.clone(),
            kinds: self.handlers.keys().cloned().collect(),
            lease_for: self.config.lease_for,
            now: self.clock.now(),
        };
        let Some(job) = self.queue.lease(&req).await? else {
            return Ok(None);
        };
        let handler = Arc::clone(&self.handlers[&job.kind]);
        let ctx = JobContext {
            queue: Arc::clone(&self.queue),
            clock: Arc::clone(&self.clock),
            job_id: job.job_id.clone(),
            worker_id: self.config.worker_id.clone(),
            lease_for: self.config.lease_for,
        };
        let heartbeat = self.spawn_heartbeat(&job);
        let outcome = handler.run(&job, &ctx).await;
        heartbeat.abort();
        let now = self.clock.now();
        let worker = &self.config.worker_id;
        let status = match outcome {
            Ok(()) => {
                self.queue.complete(&job.job_id, worker, now).await?;
                tracing::info!(job_id = %job.job_id, kind = %job.kind, "job succeeded");
                Some(JobStatus::Succeeded)
            }
            Err(e) => {
                let retry_at = (e.kind() != ErrorKind::InvalidInput).then(|| {
                    now + chrono::Duration::from_std(self.backoff(job.attempts))
                        .unwrap_or_else(|_| chrono::Duration::zero())
                });
                let status = self.queue.fail(&job.job_id, worker, e.message(), retry_at, now).await?;
                tracing::warn!(job_id = %job.job_id, kind = %job.kind, attempt = job.attempts, ?status, error = %e, "job failed");
                status
            }
        };
        Ok(status)
    }

    fn spawn_heartbeat(&self, job: &Job) -> tokio::task::JoinHandle<()> {
        let (queue, clock) = (Arc::clone(&self.queue), Arc::clone(&self.clock));
        let (job_id, worker, lease_for) = (job.job_id.clone(), self.config.worker_id.clone(), self.config.lease_for);
        let progress = job.progress;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(lease_for / 3);
            tick.tick().await;
            loop {
                tick.tick().await;
                // Progress is owned by the handler; the heartbeat only extends the lease.
                let current = queue.get_job(&job_id).await.ok().flatten().map_or(progress, |j| j.progress);
                match queue.heartbeat(&job_id, &worker, lease_for, current, clock.now()).await {
                    Ok(true) => {}
                    _ => break,
                }
            }
        })
    }

    /// Runs until `shutdown` turns true, finishing the job in hand first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let idle = match self.run_once().await {
                Ok(Some(_)) => false,
                Ok(None) => true,
                Err(e) => {
                    tracing::error!(error = %e, "job queue unavailable");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll_interval) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}
