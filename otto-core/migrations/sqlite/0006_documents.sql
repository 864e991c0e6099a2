-- Uploaded company documents (SOP, training, reference, policy). Their text lives in chunks.
-- Kept in step with the other backend's 0006_documents.sql.
CREATE TABLE documents (
    company_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    document_type TEXT NOT NULL,
    audience_role TEXT,
    namespace TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    pages INTEGER,
    chunks_created INTEGER NOT NULL,
    blob_key TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, document_id)
);
CREATE UNIQUE INDEX documents_company_name ON documents (company_id, document_type, file_name);
