use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::ids::{validate_id, CompanyId};
use crate::error::{Error, Result};

/// Most entities or events one ingestion request may carry.
pub const MAX_BATCH: usize = 1000;

/// A CRM record (customer, lead, job...) mirrored from an external CRM. The latest
/// `timestamp` wins, so replays and out-of-order deliveries converge to the same state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CrmEntity {
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// The CRM's id.
    pub entity_id: String,
    /// `customer`, `lead`, `job`...
    pub entity_type: String,
    /// The CRM's fields.
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    /// When the CRM last changed the record.
    pub timestamp: DateTime<Utc>,
    /// First seen.
    pub created_at: DateTime<Utc>,
    /// Last stored change.
    pub updated_at: DateTime<Utc>,
}

/// An event in an entity's history (a call, an appointment, a sale...). Stored once per
/// `event_id`: replaying the same event is a no-op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CrmEvent {
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// The CRM's event id.
    pub event_id: String,
    /// The entity it belongs to.
    pub entity_id: String,
    /// `call`, `appointment`, `quote`, `sale`...
    pub event_type: String,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// Event payload.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
    /// When Otto stored it.
    pub created_at: DateTime<Utc>,
}

/// One entity in an ingestion request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewCrmEntity {
    /// The CRM's id.
    pub entity_id: String,
    /// `customer`, `lead`, `job`...
    pub entity_type: String,
    /// The CRM's fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    /// When the CRM last changed the record (RFC 3339).
    pub timestamp: DateTime<Utc>,
}

/// One event in an ingestion request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewCrmEvent {
    /// The CRM's event id.
    pub event_id: String,
    /// The entity it belongs to.
    pub entity_id: String,
    /// `call`, `appointment`, `quote`, `sale`...
    pub event_type: String,
    /// When it happened (RFC 3339).
    pub timestamp: DateTime<Utc>,
    /// Event payload.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

/// Body of `POST /api/v1/ingestion/entities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "company_id": "550e8400-e29b-41d4-a716-446655440000",
    "entities": [{"entity_id": "entity_12345", "entity_type": "customer",
                  "attributes": {"name": "John Smith", "phone": "+15551234567"},
                  "timestamp": "2025-01-15T10:30:00Z"}]
}))]
pub struct EntityIngestion {
    /// Must equal the caller's company when given.
    pub company_id: Option<String>,
    /// 1 to 1000 entities.
    pub entities: Vec<NewCrmEntity>,
}

/// Body of `POST /api/v1/ingestion/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "company_id": "550e8400-e29b-41d4-a716-446655440000",
    "events": [{"event_id": "event_12345", "entity_id": "entity_12345", "event_type": "call",
                "timestamp": "2025-01-15T10:30:00Z",
                "data": {"call_id": "call_12345", "duration": 300, "outcome": "qualified"}}]
}))]
pub struct EventIngestion {
    /// Must equal the caller's company when given.
    pub company_id: Option<String>,
    /// 1 to 1000 events.
    pub events: Vec<NewCrmEvent>,
}

fn validate_type(field: &str, t: &str) -> Result<()> {
    let ok = !t.is_empty() && t.len() <= 64 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("`{t}` must be 1 to 64 letters, digits, `_` or `-`")))
    }
}

fn validate_batch(field: &str, len: usize) -> Result<()> {
    match len {
        0 => Err(Error::invalid(field, "must contain at least one item")),
        n if n > MAX_BATCH => Err(Error::invalid(field, format!("at most {MAX_BATCH} items per request, got {n}"))),
        _ => Ok(()),
    }
}

impl EntityIngestion {
    /// Checks every entity; the error names the first bad one by index.
    pub fn validate(&self) -> Result<()> {
        validate_batch("entities", self.entities.len())?;
        for (i, e) in self.entities.iter().enumerate() {
            validate_id(&format!("entities[{i}].entity_id"), &e.entity_id)?;
            validate_type(&format!("entities[{i}].entity_type"), &e.entity_type)?;
        }
        Ok(())
    }
}

impl EventIngestion {
    /// Checks every event; the error names the first bad one by index.
    pub fn validate(&self) -> Result<()> {
        validate_batch("events", self.events.len())?;
        for (i, e) in self.events.iter().enumerate() {
            validate_id(&format!("events[{i}].event_id"), &e.event_id)?;
            validate_id(&format!("events[{i}].entity_id"), &e.entity_id)?;
            validate_type(&format!("events[{i}].event_type"), &e.event_type)?;
        }
        Ok(())
    }
}
