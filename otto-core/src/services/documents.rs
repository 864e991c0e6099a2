use serde_json::{json, Map, Value};

use crate::auth::{Action, Principal};
use crate::domain::{
    new_id, validate_id, Document, DocumentStatus, DocumentType, Job, NewJob, SourceType, MAX_DOCUMENT_BYTES,
};
use crate::error::{Error, Result};
use crate::pipeline::{FETCH_DOCUMENT, INGEST_DOCUMENT, REINDEX};
use crate::Otto;

/// An uploaded file to ingest.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentUpload {
    /// The file name as uploaded.
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// SOP, training, reference or policy.
    pub document_type: DocumentType,
    /// The role it is written for.
    pub audience_role: Option<String>,
    /// Namespace for maintenance (default: the company id).
    pub namespace: Option<String>,
    /// Caller's metadata.
    pub metadata: Map<String, Value>,
}

/// A document to fetch from a URL (UWC upload, 3.2).
#[derive(Debug, Clone, PartialEq)]
pub struct UrlUpload {
    /// File name to store it under (also decides which earlier upload it replaces).
    pub document_name: String,
    /// http(s) URL (private addresses refused unless allowed; `file://` when allowed).
    pub url: String,
    /// SOP, training, reference or policy.
    pub document_type: DocumentType,
    /// Namespace for maintenance.
    pub namespace: Option<String>,
    /// Caller's metadata.
    pub metadata: Map<String, Value>,
}

/// Result of starting a reindex.
#[derive(Debug, Clone, PartialEq)]
pub struct ReindexStarted {
    /// Job id (poll it for progress).
    pub reindex_id: String,
    /// Calls and documents to reindex.
    pub total_entities: u64,
}

impl Otto {
    /// Stores an uploaded document and queues its text extraction and indexing. Re-uploading the
    /// same file name and type replaces the earlier version (same id, no stale chunks).
    pub async fn ingest_document(&self, p: &Principal, up: DocumentUpload) -> Result<Document> {
        p.require("documents", Action::Write)?;
        let name = up.file_name.trim();
        if name.is_empty() || name.len() > 255 || name.contains(['/', '\\']) {
            return Err(Error::invalid("file", "needs a file name of 1 to 255 characters without slashes"));
        }
        if up.bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::invalid(
                "file",
                format!("larger than the {} MB limit", MAX_DOCUMENT_BYTES / 1024 / 1024),
            ));
        }
        if let Some(role) = &up.audience_role {
            crate::auth::Role::parse(role).map_err(|e| Error::invalid("role", e.message()))?;
        }
        if let Some(ns) = &up.namespace {
            validate_id("namespace", ns)?;
        }
        // Refuse what can't be read now, with the reason, rather than failing later in a job.
        let kind = crate::knowledge::documents::detect(name, &up.bytes)?;
        let now = self.clock.now();
        let document_id = new_id("doc");
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&up.bytes));
        let blob_key = format!("documents/{}/{document_id}/{sha}", p.company_id());
        self.blobs.put(&blob_key, up.bytes.clone()).await?;
        let doc = Document {
            document_id,
            company_id: p.company_id().clone(),
            title: name.to_string(),
            file_name: name.to_string(),
            document_type: up.document_type,
            audience_role: up.audience_role,
            namespace: up.namespace.unwrap_or_else(|| p.company_id().to_string()),
            content_type: kind.to_string(),
            size_bytes: up.bytes.len() as u64,
            sha256: sha,
            status: DocumentStatus::Processing,
            failure_reason: None,
            pages: None,
            chunks_created: 0,
            blob_key,
            metadata: up.metadata,
            created_at: now,
            updated_at: now,
        };
        let job = NewJob::new(INGEST_DOCUMENT, json!({ "company_id": p.company_id() }), now)
            .company(p.company_id().clone())
            .max_attempts(3);
        let stored = self.store.upsert_document(&doc, &[job]).await?;
        self.audit(p, "document.ingest", "document", &stored.document_id, json!({"file_name": name, "type": kind}))
            .await;
        Ok(stored)
    }

    /// Queues fetching a document from a URL and ingesting it (3.2). Returns the upload id (the
    /// job's id): follow it with [`Otto::url_upload`].
    pub async fn upload_document_from_url(&self, p: &Principal, up: UrlUpload) -> Result<String> {
        p.require("documents", Action::Write)?;
        let name = up.document_name.trim();
        if name.is_empty() || name.len() > 255 || name.contains(['/', '\\']) {
            return Err(Error::invalid("document_name", "1 to 255 characters without slashes"));
        }
        let url = up.url.trim();
        let scheme_ok = ["http://", "https://", "file://"].iter().any(|s| url.starts_with(s));
        if !scheme_ok || url.len() > 2048 || url.chars().any(char::is_whitespace) {
            return Err(Error::invalid("url", "must be an http(s) (or, when allowed, file) URL without spaces"));
        }
        if let Some(ns) = &up.namespace {
            validate_id("namespace", ns)?;
        }
        let payload = json!({
            "company_id": p.company_id(),
            "user_id": p.user_id(),
            "role": p.role().as_str(),
            "document_name": name,
            "url": url,
            "document_type": up.document_type.as_str(),
            "namespace": up.namespace,
            "metadata": up.metadata,
        });
        let job =
            NewJob::new(FETCH_DOCUMENT, payload, self.clock.now()).company(p.company_id().clone()).max_attempts(3);
        let (id, _) = self.store.enqueue(&job).await?;
        self.audit(p, "document.upload_url", "document_upload", &id, json!({"url": url})).await;
        Ok(id)
    }

    /// A URL upload of the caller's company, and the document it produced once fetched.
    pub async fn url_upload(&self, p: &Principal, upload_id: &str) -> Result<(Job, Option<Document>)> {
        p.require("documents", Action::Read)?;
        validate_id("upload_id", upload_id)?;
        let job = self
            .store
            .get_job(upload_id)
            .await?
            .filter(|j| j.kind == FETCH_DOCUMENT && j.company_id.as_ref() == Some(p.company_id()))
            .ok_or_else(|| Error::not_found(format!("upload {upload_id}")))?;
        let doc = match job.payload.get("document_id").and_then(Value::as_str) {
            Some(id) => self.store.get_document(p.company_id(), id).await?,
            None => None,
        };
        Ok((job, doc))
    }

    /// Records an external processor's completion report for an upload (3.3): the title and
    /// page count it extracted replace ours when given (a later reindex keeps the title and
    /// counts the pages again). Conflict until the upload has been fetched and indexed.
    /// Returns the document.
    pub async fn complete_url_upload(
        &self,
        p: &Principal,
        upload_id: &str,
        title: Option<String>,
        pages: Option<u32>,
    ) -> Result<Document> {
        p.require("documents", Action::Write)?;
        let (_, doc) = self.url_upload(p, upload_id).await?;
        let doc = doc.ok_or_else(|| {
            Error::conflict(format!("upload {upload_id} has not been fetched yet; report completion after it is"))
        })?;
        // Our own indexing writes the document when it finishes; the report waits (409, retry)
        // until the document is indexed or failed, and is written in one statement so no job's
        // write can undo it.
        let title: Option<String> =
            title.map(|t| t.trim().chars().take(200).collect()).filter(|t: &String| !t.is_empty());
        let recorded = self
            .store
            .report_document(p.company_id(), &doc.document_id, title.as_deref(), pages, self.clock.now())
            .await?;
        if !recorded {
            return Err(Error::conflict(format!(
                "upload {upload_id} is still being indexed; report completion after it is"
            )));
        }
        self.store
            .get_document(p.company_id(), &doc.document_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("document {}", doc.document_id)))
    }

    /// A document of the caller's company (everyone may read company knowledge).
    pub async fn document(&self, p: &Principal, document_id: &str) -> Result<Document> {
        p.require("documents", Action::Read)?;
        validate_id("document_id", document_id)?;
        self.store
            .get_document(p.company_id(), document_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("document {document_id}")))
    }

    /// Removes an entity (a document or a call) from every answer path: its chunks, their
    /// full-text entries and their vectors, and for documents the document itself. Returns the chunks removed.
    pub async fn delete_entity_vectors(&self, p: &Principal, entity_id: &str) -> Result<u64> {
        p.require("documents", Action::Write)?;
        validate_id("entity_id", entity_id)?;
        let is_call = self.store.get_call(p.company_id(), entity_id).await?.is_some();
        if is_call {
            // The call and its analyses stay; its words leave Ask Otto for good: excluded first,
            // so neither a reindex nor a re-analysis running meanwhile can restore them.
            self.store.exclude_source(p.company_id(), SourceType::Call, entity_id, self.clock.now()).await?;
        }
        let mut removed = self.delete_source_chunks(p.company_id(), SourceType::Document, entity_id).await?;
        removed += self.delete_source_chunks(p.company_id(), SourceType::Call, entity_id).await?;
        let doc_removed = self.store.delete_document(p.company_id(), entity_id).await?;
        if removed == 0 && !doc_removed && !is_call {
            return Err(Error::not_found(format!("entity {entity_id}")));
        }
        self.audit(p, "vectors.delete", "entity", entity_id, json!({"chunks_removed": removed})).await;
        Ok(removed)
    }

    /// Starts rebuilding the chunks of every analysed call and document of a namespace (the
    /// company's, by default) in the background.
    pub async fn reindex(&self, p: &Principal, namespace: Option<&str>) -> Result<ReindexStarted> {
        p.require("documents", Action::Write)?;
        if let Some(ns) = namespace {
            validate_id("namespace", ns)?;
        }
        let docs = self.store.document_ids(p.company_id(), namespace).await?;
        let calls = if namespace.is_none_or(|ns| ns == p.company_id().as_str()) {
            let range = crate::domain::DateRange::default();
            self.store.matching_calls(p.company_id(), None, &range, &Default::default(), Default::default(), 1).await?.1
        } else {
            0
        };
        let now = self.clock.now();
        let job = NewJob::new(REINDEX, json!({ "company_id": p.company_id(), "namespace": namespace }), now)
            .company(p.company_id().clone())
            .max_attempts(3);
        let (reindex_id, _) = self.store.enqueue(&job).await?;
        self.audit(p, "vectors.reindex", "namespace", namespace.unwrap_or(p.company_id().as_str()), Value::Null).await;
        Ok(ReindexStarted { reindex_id, total_entities: docs.len() as u64 + calls })
    }

    /// A reindex job of the caller's company.
    pub async fn reindex_status(&self, p: &Principal, reindex_id: &str) -> Result<Job> {
        p.require("documents", Action::Read)?;
        validate_id("reindex_id", reindex_id)?;
        self.store
            .get_job(reindex_id)
            .await?
            .filter(|j| j.kind == REINDEX && j.company_id.as_ref() == Some(p.company_id()))
            .ok_or_else(|| Error::not_found(format!("reindex {reindex_id}")))
    }
}
