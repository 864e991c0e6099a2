-- Knowledge chunks (call transcripts, call analysis summaries, documents) with full-text search.
-- Kept in step with ../postgres/0004_knowledge.sql; the full-text machinery differs (FTS5 here,
-- a generated tsvector there).
CREATE TABLE chunks (
    company_id TEXT NOT NULL,
    chunk_id TEXT NOT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT NOT NULL,
    rep_id TEXT,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    segment_start INTEGER,
    segment_end INTEGER,
    start_time REAL,
    page INTEGER,
    metadata TEXT NOT NULL,
    occurred_at TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, chunk_id)
);
CREATE INDEX chunks_source ON chunks (company_id, source_type, source_id);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
    title, text, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER chunks_au AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO chunks_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
