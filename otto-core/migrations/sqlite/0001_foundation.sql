-- Foundation schema (SQLite). Kept in step with ../postgres/0001_foundation.sql: same tables,
-- columns and indexes; only the types differ (timestamps as RFC 3339 text, JSON as text).

CREATE TABLE calls (
    company_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    rep_id TEXT,
    status TEXT NOT NULL,
    processing_status TEXT NOT NULL,
    audio_url TEXT,
    caller_phone TEXT,
    rep_phone TEXT,
    duration INTEGER,
    callrail_id TEXT,
    call_type TEXT,
    started_at TEXT,
    timezone TEXT,
    rep_channel INTEGER,
    audio_file_path TEXT,
    transcript_file_path TEXT,
    speaker_diarization_file_path TEXT,
    failure_reason TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, call_id)
);
CREATE INDEX calls_company_created ON calls (company_id, created_at);
CREATE INDEX calls_company_rep_created ON calls (company_id, rep_id, created_at);
CREATE UNIQUE INDEX calls_company_callrail ON calls (company_id, callrail_id) WHERE callrail_id IS NOT NULL;

CREATE TABLE crm_entities (
    company_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    attributes TEXT NOT NULL,
    ts TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, entity_id)
);

CREATE TABLE crm_events (
    company_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    ts TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, event_id)
);
CREATE INDEX crm_events_entity ON crm_events (company_id, entity_id, ts);

CREATE TABLE sops (
    company_id TEXT NOT NULL PRIMARY KEY,
    sop_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE sop_stages (
    company_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    sop_id TEXT NOT NULL,
    stage_name TEXT NOT NULL,
    stage_name_key TEXT NOT NULL,
    stage_order INTEGER NOT NULL,
    stage_description TEXT,
    is_active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, stage_id),
    UNIQUE (company_id, stage_name_key)
);

CREATE TABLE jobs (
    job_id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    company_id TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at TEXT NOT NULL,
    leased_by TEXT,
    lease_expires_at TEXT,
    last_error TEXT,
    progress INTEGER NOT NULL DEFAULT 0,
    dedupe_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_runnable ON jobs (status, run_at);
