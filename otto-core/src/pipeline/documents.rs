//! Document ingestion and reindexing jobs.

use async_trait::async_trait;

use crate::domain::{CallFilter, CallStatus, CompanyId, Document, DocumentStatus, Job, PageRequest, SourceType};
use crate::error::{Error, ErrorKind, Result};
use crate::jobs::{JobContext, JobHandler};
use crate::pipeline::assemble;
use crate::Otto;

fn field<'a>(job: &'a Job, name: &str) -> Result<&'a str> {
    job.payload
        .get(name)
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::invalid("payload", format!("job {} has no `{name}`", job.job_id)))
}

/// Extracts, chunks and indexes one document (`document.ingest`).
pub struct IngestDocument {
    otto: Otto,
}

impl IngestDocument {
    /// A handler on `otto`'s ports.
    pub fn new(otto: Otto) -> Self {
        Self { otto }
    }
}

/// Re-extracts and re-chunks a stored document; the caller stores the result.
pub(crate) async fn index_document(otto: &Otto, doc: &mut Document) -> Result<()> {
    let bytes = otto.blobs().get(&doc.blob_key).await?;
    let kind = doc.content_type.clone();
    let extracted = tokio::task::spawn_blocking(move || crate::knowledge::documents::extract(&kind, &bytes))
        .await
        .map_err(|e| Error::internal(format!("extraction panicked: {e}")))??;
    let now = otto.clock().now();
    // A title given since (by the upload's completion callback, or a previous extraction) stays:
    // a reindex must not undo what an external processor reported.
    if doc.title == doc.file_name {
        if let Some(title) = extracted.title.clone().filter(|t| !t.is_empty()) {
            doc.title = title;
        }
    }
    let chunks = crate::knowledge::documents::chunk_document(doc, &extracted, now)?;
    otto.replace_chunks(&doc.company_id, SourceType::Document, &doc.document_id, &chunks).await?;
    doc.pages = extracted.paged.then_some(extracted.pages.len() as u32);
    doc.chunks_created = chunks.len() as u32;
    doc.status = DocumentStatus::Indexed;
    doc.failure_reason = None;
    doc.updated_at = now;
    Ok(())
}

#[async_trait]
impl JobHandler for IngestDocument {
    async fn run(&self, job: &Job, _ctx: &JobContext) -> Result<()> {
        let company = CompanyId::parse(field(job, "company_id")?)?;
        let id = field(job, "document_id")?;
        let store = self.otto.store();
        let Some(mut doc) = store.get_document(&company, id).await? else {
            return Ok(()); // deleted meanwhile
        };
        match index_document(&self.otto, &mut doc).await {
            Ok(()) => store.update_document(&doc).await,
            Err(e) if e.kind() == ErrorKind::InvalidInput || job.attempts >= job.max_attempts => {
                doc.status = DocumentStatus::Failed;
                doc.failure_reason = Some(e.message().to_string());
                doc.updated_at = self.otto.clock().now();
                store.update_document(&doc).await?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

/// Rebuilds the chunks of a namespace's documents and (for the company namespace) its analysed
/// calls (`knowledge.reindex`), reporting progress.
pub struct Reindex {
    otto: Otto,
}

impl Reindex {
    /// A handler on `otto`'s ports.
    pub fn new(otto: Otto) -> Self {
        Self { otto }
    }
}

#[async_trait]
impl JobHandler for Reindex {
    async fn run(&self, job: &Job, ctx: &JobContext) -> Result<()> {
        let company = CompanyId::parse(field(job, "company_id")?)?;
        let namespace = job.payload.get("namespace").and_then(|v| v.as_str());
        let store = self.otto.store();
        let docs = store.document_ids(&company, namespace).await?;
        let mut calls = Vec::new();
        if namespace.is_none_or(|ns| ns == company.as_str()) {
            let mut filter = CallFilter {
                status: Some(CallStatus::Completed),
                page: PageRequest { limit: 100, offset: 0 },
                ..Default::default()
            };
            loop {
                let page = store.list_calls(&company, &filter).await?;
                let n = page.items.len() as u64;
                let more = page.has_more();
                calls.extend(page.items);
                if !more || n == 0 {
                    break;
                }
                filter.page.offset += n;
            }
        }
        let total = (docs.len() + calls.len()).max(1);
        let mut done = 0usize;
        for id in &docs {
            if let Some(mut doc) = store.get_document(&company, id).await? {
                if index_document(&self.otto, &mut doc).await.is_ok() {
                    store.update_document(&doc).await?;
                }
            }
            done += 1;
            ctx.progress((done * 100 / total) as u8).await?;
        }
        for call in &calls {
            let records = store.list_analyses(&company, &call.call_id).await?;
            if let (Some(analysis), Ok(transcript)) = (assemble(&records)?, self.otto.stored_transcript(call).await) {
                let chunks = crate::knowledge::chunk_call(call, &transcript, &analysis, self.otto.clock().now());
                self.otto.replace_chunks(&company, SourceType::Call, &call.call_id, &chunks).await?;
            }
            done += 1;
            ctx.progress((done * 100 / total) as u8).await?;
        }
        Ok(())
    }
}

/// Fetches a document from its URL and ingests it (`document.fetch`, the UWC upload). The
/// fetch follows the same rules as recordings (private addresses and `file://` only when
/// allowed), with the 50 MB document limit.
pub struct FetchDocument {
    otto: Otto,
}

impl FetchDocument {
    /// A handler on `otto`'s ports.
    pub fn new(otto: Otto) -> Self {
        Self { otto }
    }
}

#[async_trait]
impl JobHandler for FetchDocument {
    async fn run(&self, job: &Job, _ctx: &JobContext) -> Result<()> {
        use crate::pipeline::speech::{AudioFetcher, DefaultFetcher, SpeechConfig};
        let company = CompanyId::parse(field(job, "company_id")?)?;
        let role = crate::auth::Role::parse(field(job, "role")?)?;
        let principal = crate::auth::Principal::new(field(job, "user_id")?, company.clone(), role);
        let url = field(job, "url")?;
        let mut policy = SpeechConfig::from_env().fetch;
        policy.max_bytes = crate::domain::MAX_DOCUMENT_BYTES;
        let fetched = DefaultFetcher::new(policy).fetch(url).await.map_err(|e| {
            // The fetcher speaks of recordings; say "document" here.
            Error::new(e.kind(), e.message().replace("recording", "document").replace("audio_url", "url"))
        })?;
        let document_type = crate::domain::DocumentType::parse(field(job, "document_type")?)
            .ok_or_else(|| Error::invalid("document_type", "unknown"))?;
        let up = crate::services::DocumentUpload {
            file_name: field(job, "document_name")?.to_string(),
            bytes: fetched.bytes,
            document_type,
            audience_role: None,
            namespace: job.payload.get("namespace").and_then(|v| v.as_str()).map(str::to_string),
            metadata: job.payload.get("metadata").and_then(|v| v.as_object()).cloned().unwrap_or_default(),
        };
        let doc = self.otto.ingest_document(&principal, up).await?;
        // Remember which document this upload produced (the job row is the upload's record).
        let mut payload = job.payload.clone();
        if let Some(o) = payload.as_object_mut() {
            o.insert("document_id".into(), serde_json::Value::String(doc.document_id));
        }
        self.otto.store().set_job_payload(&job.job_id, &payload).await
    }
}
