-- Personal AI clones (9.x): a rep's samples, the style profile measured from them, and the
-- drafts generated in that style. Kept in step with ../sqlite/0009_clone.sql.

CREATE TABLE clone_profiles (
    company_id TEXT NOT NULL,
    rep_id TEXT NOT NULL,
    clone_id TEXT NOT NULL,
    training_status TEXT NOT NULL,
    -- Trainings completed; 0 until the first one finishes.
    model_version BIGINT NOT NULL,
    -- The latest training request: only its job may mark the clone completed.
    training_id TEXT NOT NULL,
    profile JSONB,
    failure_reason TEXT,
    last_trained TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, rep_id)
);

CREATE TABLE clone_samples (
    company_id TEXT NOT NULL,
    sample_id TEXT NOT NULL,
    rep_id TEXT NOT NULL,
    sample_type TEXT NOT NULL,
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    training_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, sample_id)
);
-- Retraining with a sample the rep already gave stores it once.
CREATE UNIQUE INDEX clone_samples_rep_hash ON clone_samples (company_id, rep_id, content_hash);

CREATE TABLE clone_drafts (
    company_id TEXT NOT NULL,
    draft_id TEXT NOT NULL,
    rep_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    prompt TEXT NOT NULL,
    context JSONB NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    engine TEXT NOT NULL,
    model_version TEXT NOT NULL,
    call_id TEXT,
    -- First time the draft reached ready or sent: the clone's approval rate counts these.
    approved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, draft_id)
);
CREATE INDEX clone_drafts_company_rep_time ON clone_drafts (company_id, rep_id, created_at);
CREATE INDEX clone_drafts_company_rep_type ON clone_drafts (company_id, rep_id, content_type, created_at);
