-- Ask Otto sessions and query history. Kept in step with the other backend's 0005_rag.sql.
CREATE TABLE rag_sessions (
    company_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_active_at TEXT NOT NULL,
    PRIMARY KEY (company_id, session_id)
);

CREATE TABLE rag_queries (
    company_id TEXT NOT NULL,
    query_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    query_text TEXT NOT NULL,
    response_text TEXT NOT NULL,
    citations TEXT NOT NULL,
    suggested_follow_ups TEXT NOT NULL,
    mode TEXT NOT NULL,
    confidence REAL NOT NULL,
    processing_ms INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, query_id)
);
CREATE INDEX rag_queries_company_time ON rag_queries (company_id, created_at);
CREATE INDEX rag_queries_session ON rag_queries (company_id, session_id);
