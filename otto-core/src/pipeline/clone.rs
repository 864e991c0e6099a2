//! The `clone.train` job: measure a rep's style profile from their stored samples.

use async_trait::async_trait;

use crate::domain::{CompanyId, Job};
use crate::error::{Error, ErrorKind, Result};
use crate::jobs::{JobContext, JobHandler};
use crate::Otto;

/// Job kind of a clone training.
pub const TRAIN_CLONE: &str = "clone.train";

fn field<'a>(job: &'a Job, name: &str) -> Result<&'a str> {
    job.payload
        .get(name)
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::invalid("payload", format!("job {} has no `{name}`", job.job_id)))
}

/// Trains one clone (`clone.train`): payload `{company_id, rep_id, training_id}`.
pub struct TrainClone {
    otto: Otto,
}

impl TrainClone {
    /// A handler on `otto`'s ports.
    pub fn new(otto: Otto) -> Self {
        Self { otto }
    }
}

#[async_trait]
impl JobHandler for TrainClone {
    async fn run(&self, job: &Job, _ctx: &JobContext) -> Result<()> {
        let company = CompanyId::parse(field(job, "company_id")?)?;
        let rep_id = field(job, "rep_id")?;
        let training_id = field(job, "training_id")?;
        match self.otto.run_clone_training(&company, rep_id, training_id).await {
            Ok(()) => Ok(()),
            // Only a failure that won't be retried is final for the status readers see.
            Err(e) if e.kind() == ErrorKind::InvalidInput || job.attempts >= job.max_attempts => {
                self.otto.fail_clone_training(&company, rep_id, training_id, e.message()).await?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}
