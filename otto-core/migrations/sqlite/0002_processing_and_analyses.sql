-- Per-stage processing state on calls, and one row per call per analysis type.
-- Kept in step with ../postgres/0002_processing_and_analyses.sql.

ALTER TABLE calls ADD COLUMN processing_stages TEXT NOT NULL DEFAULT '{}';
ALTER TABLE calls ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN language TEXT;
ALTER TABLE calls ADD COLUMN utc_offset_minutes INTEGER;

CREATE TABLE call_analyses (
    company_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    analysis_type TEXT NOT NULL,
    result TEXT NOT NULL,
    confidence REAL NOT NULL,
    engine TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    processing_ms INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, call_id, analysis_type)
);

-- Typed facts derived from each call's analyses, so analytics are SQL aggregates over indexed
-- columns instead of JSON parsing. Rewritten whenever the call is (re)analysed.
CREATE TABLE call_facts (
    company_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    rep_id TEXT,
    call_type TEXT,
    occurred_at TEXT NOT NULL,
    lead_status TEXT NOT NULL,
    lead_score REAL NOT NULL,
    qualified BOOLEAN NOT NULL,
    outcome TEXT NOT NULL,
    rehash_score INTEGER NOT NULL,
    appointment_booked BOOLEAN NOT NULL,
    appointment_at TEXT,
    compliance_score REAL,
    talk_ratio REAL,
    objection_count INTEGER NOT NULL,
    analysed_at TEXT NOT NULL,
    PRIMARY KEY (company_id, call_id)
);
CREATE INDEX call_facts_company_time ON call_facts (company_id, occurred_at);
CREATE INDEX call_facts_company_rep_time ON call_facts (company_id, rep_id, occurred_at);

CREATE TABLE call_objection_facts (
    company_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    rep_id TEXT,
    occurred_at TEXT NOT NULL,
    objection_type TEXT NOT NULL,
    handled BOOLEAN NOT NULL,
    severity TEXT NOT NULL,
    PRIMARY KEY (company_id, call_id, seq)
);
CREATE INDEX call_objection_facts_company_time ON call_objection_facts (company_id, occurred_at);

CREATE TABLE call_stage_facts (
    company_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    stage_name TEXT NOT NULL,
    stage_order INTEGER NOT NULL,
    rep_id TEXT,
    occurred_at TEXT NOT NULL,
    performed BOOLEAN NOT NULL,
    PRIMARY KEY (company_id, call_id, stage_name)
);
CREATE INDEX call_stage_facts_company_time ON call_stage_facts (company_id, occurred_at);

CREATE TABLE summaries (
    company_id TEXT NOT NULL,
    summary_id TEXT NOT NULL,
    summary_type TEXT NOT NULL,
    rep_id TEXT,
    call_id TEXT,
    summary_date TEXT NOT NULL,
    content TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, summary_id)
);
CREATE INDEX summaries_company_rep_time ON summaries (company_id, rep_id, created_at);
CREATE INDEX summaries_company_call ON summaries (company_id, call_id);
