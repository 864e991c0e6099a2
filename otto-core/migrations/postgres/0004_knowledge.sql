-- Knowledge chunks (call transcripts, call analysis summaries, documents) with full-text search.
-- Kept in step with ../sqlite/0004_knowledge.sql; the full-text machinery differs (a generated
-- tsvector with a GIN index here, FTS5 there).
CREATE TABLE chunks (
    company_id TEXT NOT NULL,
    chunk_id TEXT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT NOT NULL,
    rep_id TEXT,
    title TEXT NOT NULL,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    segment_start BIGINT,
    segment_end BIGINT,
    start_time DOUBLE PRECISION,
    page BIGINT,
    metadata JSONB NOT NULL,
    occurred_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', text), 'B')
    ) STORED,
    PRIMARY KEY (company_id, chunk_id)
);
CREATE INDEX chunks_source ON chunks (company_id, source_type, source_id);
CREATE INDEX chunks_tsv ON chunks USING GIN (tsv);
