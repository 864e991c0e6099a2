use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::ids::CompanyId;
use super::page::PageRequest;

/// One entry of the audit trail: who did what to which object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// Id.
    pub event_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// User who acted.
    pub actor_id: String,
    /// Their role at the time.
    pub actor_role: String,
    /// `call.create`, `call.update`, `sop_stage.delete`, `crm.entities.ingest`...
    pub action: String,
    /// `call`, `sop_stage`, `crm_entity`...
    pub resource_type: String,
    /// The object's id (or a batch id).
    pub resource_id: String,
    /// What changed, briefly.
    #[schema(value_type = Object)]
    pub details: Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Filters for reading the audit trail (newest first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor_id: Option<String>,
    /// Only this resource type.
    pub resource_type: Option<String>,
    /// Only this object.
    pub resource_id: Option<String>,
    /// Page.
    pub page: PageRequest,
}
