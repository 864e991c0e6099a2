use serde_json::Value;

use crate::auth::{Action, Principal};
use crate::domain::{new_id, AuditEvent, AuditFilter, Page};
use crate::error::Result;
use crate::Otto;

impl Otto {
    /// Appends to the audit trail after a change committed. A failure here is logged, not
    /// returned: the change itself stands, and the caller must not retry it.
    pub(crate) async fn audit(
        &self,
        p: &Principal,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        details: Value,
    ) {
        let event = AuditEvent {
            event_id: new_id("audit"),
            company_id: p.company_id().clone(),
            actor_id: p.user_id().to_string(),
            actor_role: p.role().as_str().to_string(),
            action: action.to_string(),
            resource_type: resource_type.to_string(),
            resource_id: resource_id.to_string(),
            details,
            created_at: self.clock.now(),
        };
        if let Err(e) = self.store.record_audit(&event).await {
            tracing::error!(error = %e, action, resource_id, "could not record audit event");
        }
    }

    /// The company's audit trail, newest first. Admins only (`audit:read`).
    pub async fn audit_events(&self, p: &Principal, filter: AuditFilter) -> Result<Page<AuditEvent>> {
        p.require("audit", Action::Read)?;
        self.store.list_audit(p.company_id(), &filter).await
    }
}
