-- Foundation schema (PostgreSQL). Kept in step with ../sqlite/0001_foundation.sql: same tables,
-- columns and indexes; only the types differ.

CREATE TABLE calls (
    company_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    rep_id TEXT,
    status TEXT NOT NULL,
    processing_status TEXT NOT NULL,
    audio_url TEXT,
    caller_phone TEXT,
    rep_phone TEXT,
    duration BIGINT,
    callrail_id TEXT,
    call_type TEXT,
    started_at TIMESTAMPTZ,
    timezone TEXT,
    rep_channel BIGINT,
    audio_file_path TEXT,
    transcript_file_path TEXT,
    speaker_diarization_file_path TEXT,
    failure_reason TEXT,
    metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, call_id)
);
CREATE INDEX calls_company_created ON calls (company_id, created_at);
CREATE INDEX calls_company_rep_created ON calls (company_id, rep_id, created_at);
CREATE UNIQUE INDEX calls_company_callrail ON calls (company_id, callrail_id) WHERE callrail_id IS NOT NULL;

CREATE TABLE crm_entities (
    company_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    attributes JSONB NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, entity_id)
);

CREATE TABLE crm_events (
    company_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    data JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, event_id)
);
CREATE INDEX crm_events_entity ON crm_events (company_id, entity_id, ts);

CREATE TABLE sops (
    company_id TEXT NOT NULL PRIMARY KEY,
    sop_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sop_stages (
    company_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    sop_id TEXT NOT NULL,
    stage_name TEXT NOT NULL,
    stage_name_key TEXT NOT NULL,
    stage_order BIGINT NOT NULL,
    stage_description TEXT,
    is_active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, stage_id),
    UNIQUE (company_id, stage_name_key)
);

CREATE TABLE jobs (
    job_id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    company_id TEXT,
    payload JSONB NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    leased_by TEXT,
    lease_expires_at TIMESTAMPTZ,
    last_error TEXT,
    progress BIGINT NOT NULL DEFAULT 0,
    dedupe_key TEXT UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_runnable ON jobs (status, run_at);
