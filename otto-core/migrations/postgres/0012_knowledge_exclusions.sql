-- Sources removed from Ask Otto with DELETE /maintenance/vectors/{id}: their chunks and vectors
-- are gone, and a reindex or re-analysis must not bring them back. Kept in step with the other
-- backend's 0012_knowledge_exclusions.sql.
CREATE TABLE knowledge_exclusions (
    company_id TEXT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT NOT NULL,
    excluded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, source_type, source_id)
);
