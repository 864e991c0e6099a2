use crate::auth::{Action, Principal};
use crate::domain::{new_id, validate_id, NewSopStages, Page, SopStage, SopStageFilter, SopStageUpdate};
use crate::error::{Error, Result};
use crate::Otto;

impl Otto {
    /// Adds stages to the company's SOP (created on first use). Returns the SOP id and the
    /// stored stages. Managers and admins only.
    pub async fn create_sop_stages(&self, p: &Principal, req: NewSopStages) -> Result<(String, Vec<SopStage>)> {
        p.require("sop", Action::Write)?;
        req.validate()?;
        let now = self.clock.now();
        let sop_id = self.store.ensure_sop(p.company_id(), now).await?;
        let stages: Vec<SopStage> = req
            .stages
            .into_iter()
            .map(|s| SopStage {
                stage_id: new_id("stage"),
                sop_id: sop_id.clone(),
                company_id: p.company_id().clone(),
                stage_name: s.stage_name.trim().to_string(),
                stage_order: s.stage_order,
                stage_description: s.stage_description,
                is_active: s.is_active,
                created_at: now,
                updated_at: now,
            })
            .collect();
        self.store.insert_sop_stages(&stages).await?;
        for s in &stages {
            self.audit(
                p,
                "sop_stage.create",
                "sop_stage",
                &s.stage_id,
                serde_json::json!({"stage_name": s.stage_name}),
            )
            .await;
        }
        Ok((sop_id, stages))
    }

    /// The company's SOP id, creating it on first use.
    pub async fn sop_id(&self, p: &Principal) -> Result<String> {
        p.require("sop", Action::Read)?;
        self.store.ensure_sop(p.company_id(), self.clock.now()).await
    }

    /// A page of the company's SOP stages. Every role may read company knowledge.
    pub async fn list_sop_stages(&self, p: &Principal, filter: SopStageFilter) -> Result<Page<SopStage>> {
        p.require("sop", Action::Read)?;
        self.store.list_sop_stages(p.company_id(), &filter).await
    }

    /// Changes a stage.
    pub async fn update_sop_stage(&self, p: &Principal, stage_id: &str, upd: SopStageUpdate) -> Result<SopStage> {
        p.require("sop", Action::Write)?;
        validate_id("stage_id", stage_id)?;
        upd.validate()?;
        let mut stage = self
            .store
            .get_sop_stage(p.company_id(), stage_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("SOP stage {stage_id}")))?;
        upd.apply(&mut stage, self.clock.now());
        self.store.update_sop_stage(&stage).await?;
        self.audit(p, "sop_stage.update", "sop_stage", stage_id, serde_json::to_value(&upd).unwrap_or_default()).await;
        Ok(stage)
    }

    /// Deletes a stage.
    pub async fn delete_sop_stage(&self, p: &Principal, stage_id: &str) -> Result<()> {
        p.require("sop", Action::Write)?;
        validate_id("stage_id", stage_id)?;
        if self.store.delete_sop_stage(p.company_id(), stage_id).await? {
            self.audit(p, "sop_stage.delete", "sop_stage", stage_id, serde_json::Value::Null).await;
            Ok(())
        } else {
            Err(Error::not_found(format!("SOP stage {stage_id}")))
        }
    }
}
