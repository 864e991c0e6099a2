-- Performance analytics (12.x) and follow-ups (10.x).
-- Kept in step with ../postgres/0007_analytics_followups.sql.

-- Facts the analytics need beyond 0002: call length and where the lead came from, captured
-- with the other facts when the call is analysed.
ALTER TABLE call_facts ADD COLUMN duration_seconds INTEGER;
ALTER TABLE call_facts ADD COLUMN lead_source TEXT NOT NULL DEFAULT 'unknown';

-- Lead analytics filter by quality or source and sort by score inside a company.
CREATE INDEX call_facts_company_quality ON call_facts (company_id, lead_status, lead_score);
CREATE INDEX call_facts_company_source ON call_facts (company_id, lead_source, occurred_at);
-- Objection analytics group by type; rep scope and rep performance group by rep.
CREATE INDEX call_objection_facts_company_type ON call_objection_facts (company_id, objection_type, occurred_at);
CREATE INDEX call_objection_facts_company_rep ON call_objection_facts (company_id, rep_id, occurred_at);
CREATE INDEX call_stage_facts_company_rep ON call_stage_facts (company_id, rep_id, occurred_at);

CREATE TABLE followup_drafts (
    company_id TEXT NOT NULL,
    draft_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    rep_id TEXT NOT NULL,
    followup_type TEXT NOT NULL,
    channel TEXT NOT NULL,
    tone TEXT NOT NULL,
    subject TEXT,
    content TEXT NOT NULL,
    strategy TEXT NOT NULL,
    approach TEXT,
    status TEXT NOT NULL,
    suggested_send_time TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, draft_id)
);
CREATE INDEX followup_drafts_company_rep_time ON followup_drafts (company_id, rep_id, created_at);
CREATE INDEX followup_drafts_company_call ON followup_drafts (company_id, call_id);

CREATE TABLE followup_tasks (
    company_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    rep_id TEXT,
    task_type TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    due_date TEXT,
    source TEXT NOT NULL,
    source_key TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, task_id)
);
CREATE INDEX followup_tasks_company_call ON followup_tasks (company_id, call_id, due_date);
-- Tasks derived from an analysis are keyed by their finding, so re-analysis never duplicates.
CREATE UNIQUE INDEX followup_tasks_source ON followup_tasks (company_id, call_id, source_key);
