-- Audit trail: who changed what, when. Kept in step with the other backend's 0003_audit.sql.
CREATE TABLE audit_events (
    company_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, event_id)
);
CREATE INDEX audit_events_company_time ON audit_events (company_id, created_at);
