use crate::api::{EntityIngestionResult, EventIngestionResult};
use crate::auth::{Action, Principal};
use crate::domain::{new_id, validate_id, CrmEntity, CrmEvent, EntityIngestion, EventIngestion};
use crate::error::{Error, Result};
use crate::Otto;

impl Otto {
    /// Creates or updates CRM entities. Idempotent: replaying a batch changes nothing, and an
    /// older version never overwrites a newer one.
    pub async fn ingest_entities(&self, p: &Principal, req: EntityIngestion) -> Result<EntityIngestionResult> {
        p.require("crm", Action::Write)?;
        if let Some(c) = &req.company_id {
            p.require_company(c)?;
        }
        req.validate()?;
        let outcome = self.store.upsert_entities(p.company_id(), &req.entities, self.clock.now()).await?;
        let ingestion_id = new_id("ingest");
        let details =
            serde_json::json!({"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged});
        self.audit(p, "crm.entities.ingest", "crm_ingestion", &ingestion_id, details).await;
        Ok(EntityIngestionResult {
            ingestion_id,
            status: "completed".into(),
            entities_processed: req.entities.len() as u64,
            entities_created: outcome.created,
            entities_updated: outcome.updated,
            entities_unchanged: outcome.unchanged,
        })
    }

    /// Stores CRM events once each (by `event_id`); replays are counted, not stored again.
    pub async fn ingest_events(&self, p: &Principal, req: EventIngestion) -> Result<EventIngestionResult> {
        p.require("crm", Action::Write)?;
        if let Some(c) = &req.company_id {
            p.require_company(c)?;
        }
        req.validate()?;
        let created = self.store.insert_events(p.company_id(), &req.events, self.clock.now()).await?;
        let processed = req.events.len() as u64;
        let ingestion_id = new_id("ingest");
        let details = serde_json::json!({"created": created, "duplicate": processed - created});
        self.audit(p, "crm.events.ingest", "crm_ingestion", &ingestion_id, details).await;
        Ok(EventIngestionResult {
            ingestion_id,
            status: "completed".into(),
            events_processed: processed,
            events_created: created,
            events_duplicate: processed - created,
        })
    }

    /// One CRM entity of the caller's company.
    pub async fn get_entity(&self, p: &Principal, entity_id: &str) -> Result<CrmEntity> {
        p.require("crm", Action::Read)?;
        validate_id("entity_id", entity_id)?;
        self.store
            .get_entity(p.company_id(), entity_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("entity {entity_id}")))
    }

    /// An entity's most recent events, newest first.
    pub async fn entity_events(&self, p: &Principal, entity_id: &str, limit: u32) -> Result<Vec<CrmEvent>> {
        p.require("crm", Action::Read)?;
        validate_id("entity_id", entity_id)?;
        self.store.list_entity_events(p.company_id(), entity_id, limit.clamp(1, 1000)).await
    }
}
