//! # otto-sdk
//!
//! The single API that Otto's language bindings (Python, Node, Swift/Kotlin) wrap, so each
//! binding is only a thin translation layer. An [`Otto`] is either
//!
//! - **embedded**: [`otto_core::Otto`] on a data directory (SQLite, local files, offline
//!   engines) with pipeline workers running in the background, acting as one user; or
//! - **remote**: an [`otto_client::OttoClient`] talking to an Otto server with a token.
//!
//! Both offer the same operations with the same result types (the API's wire types), so an
//! app can develop embedded and deploy against a server without changing code.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use otto_sdk::{Otto, EmbeddedOptions};
//! let dir = tempfile::tempdir().unwrap();
//! let otto = Otto::open(EmbeddedOptions::new(dir.path(), "acme", "mgr_1", "manager")).await.unwrap();
//! let call = otto.submit_call(serde_json::json!({
//!     "rep_id": "rep_1",
//!     "segments": [
//!         {"speaker": "rep", "text": "Thanks for calling Acme Roofing, this is Sam.", "start_time": 0.0, "end_time": 3.0},
//!         {"speaker": "customer", "text": "Hi, I need a quote but honestly it sounds too expensive.", "start_time": 3.0, "end_time": 7.0}
//!     ]
//! })).await.unwrap();
//! let done = otto.wait_for_call(&call.call_id, std::time::Duration::from_secs(30)).await.unwrap();
//! assert_eq!(done.status.as_str(), "completed");
//! otto.close().await;
//! # });
//! ```

mod embedded;
mod error;
mod remote;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc;

pub use error::SdkError;
pub use otto_core::api::{CallAnalysisResponse, DocumentIngestion, ObjectionsResponse};
pub use otto_core::domain::{
    Call, Document, LeadAnalytics, ObjectionAnalytics, PerformanceMetrics, RepPerformanceList,
};
pub use otto_core::rag::Citation;
pub use otto_core::ErrorKind;

/// Result of an SDK operation.
pub type Result<T> = std::result::Result<T, SdkError>;

/// How to open an embedded Otto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedOptions {
    /// Where the SQLite database and blobs live (created if missing).
    pub data_dir: PathBuf,
    /// The tenant this instance acts in.
    pub company_id: String,
    /// The user the instance acts as.
    pub user_id: String,
    /// `admin`, `manager`, `csr` or `sales_rep`: the same permissions as on the server.
    pub role: String,
    /// Pipeline workers to run in the background (default 1).
    pub workers: usize,
}

impl EmbeddedOptions {
    /// Options with one worker.
    pub fn new(
        data_dir: impl Into<PathBuf>,
        company_id: impl Into<String>,
        user_id: impl Into<String>,
        role: impl Into<String>,
    ) -> Self {
        Self {
            data_dir: data_dir.into(),
            company_id: company_id.into(),
            user_id: user_id.into(),
            role: role.into(),
            workers: 1,
        }
    }
}

/// How to connect to an Otto server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteOptions {
    /// e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// A bearer token (JWT) for `company_id`.
    pub token: String,
    /// The tenant (sent as `X-Company-ID`).
    pub company_id: String,
    /// Per-request timeout (default 60 s).
    pub timeout: Duration,
}

impl RemoteOptions {
    /// Options with the default timeout.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>, company_id: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: token.into(),
            company_id: company_id.into(),
            timeout: Duration::from_secs(60),
        }
    }
}

/// A finished Ask Otto answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskAnswer {
    /// Id of the stored query (pass it to a follow-up).
    pub query_id: String,
    /// The session it was asked in.
    pub session_id: String,
    /// The answer text.
    pub answer: String,
    /// The sources, best first.
    pub citations: Vec<Citation>,
    /// Overall confidence 0..=1.
    pub confidence: f32,
    /// Questions worth asking next.
    pub suggested_follow_ups: Vec<String>,
    /// `aggregate`, `search` (lexical), `hybrid` (lexical + vectors), or `none` when nothing matched.
    pub mode: String,
}

/// One event of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum AskEvent {
    /// A piece of the answer text, in order.
    Chunk(String),
    /// The whole answer with its citations; the stream ends after it.
    Complete(AskAnswer),
    /// The question failed; the stream ends after it.
    Failed(SdkError),
}

/// A streamed answer: call [`AskStream::next`] until it returns `None`.
#[derive(Debug)]
pub struct AskStream {
    rx: mpsc::Receiver<AskEvent>,
}

impl AskStream {
    fn channel() -> (mpsc::Sender<AskEvent>, Self) {
        let (tx, rx) = mpsc::channel(64);
        (tx, Self { rx })
    }

    /// The next event, or `None` after the final one.
    pub async fn next(&mut self) -> Option<AskEvent> {
        self.rx.recv().await
    }

    /// Drains the stream, returning the complete answer (or the failure).
    pub async fn collect(mut self) -> Result<AskAnswer> {
        while let Some(e) = self.next().await {
            match e {
                AskEvent::Chunk(_) => {}
                AskEvent::Complete(a) => return Ok(a),
                AskEvent::Failed(e) => return Err(e),
            }
        }
        Err(SdkError::new(ErrorKind::Internal, "the answer stream ended without an answer"))
    }
}

/// Filters of the analytics calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsQuery {
    /// `YYYY-MM-DD..YYYY-MM-DD` (either end may be empty) or one day.
    pub date_range: Option<String>,
    /// Page size (default 20).
    pub limit: Option<u32>,
    /// Page start (default 0).
    pub offset: Option<u64>,
}

impl AnalyticsQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(d) = &self.date_range {
            out.push(("date_range", d.clone()));
        }
        if let Some(l) = self.limit {
            out.push(("limit", l.to_string()));
        }
        if let Some(o) = self.offset {
            out.push(("offset", o.to_string()));
        }
        out
    }
}

/// An Otto instance: embedded or remote, with one API.
#[derive(Debug)]
pub struct Otto {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Embedded(embedded::Embedded),
    Remote(remote::Remote),
}

/// Calls the same method on whichever backend this is.
macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.inner {
            Inner::Embedded(e) => e.$method($($arg),*).await,
            Inner::Remote(r) => r.$method($($arg),*).await,
        }
    };
}

impl Otto {
    /// Opens an embedded Otto on a data directory and starts its pipeline workers.
    pub async fn open(options: EmbeddedOptions) -> Result<Self> {
        Ok(Self { inner: Inner::Embedded(embedded::Embedded::open(options).await?) })
    }

    /// Connects to an Otto server (checks it answers `/health`).
    pub async fn connect(options: RemoteOptions) -> Result<Self> {
        Ok(Self { inner: Inner::Remote(remote::Remote::connect(options).await?) })
    }

    /// `embedded` or `remote`.
    pub fn mode(&self) -> &'static str {
        match self.inner {
            Inner::Embedded(_) => "embedded",
            Inner::Remote(_) => "remote",
        }
    }

    /// Submits a call: any `POST /api/v1/calls` body as JSON, e.g. `segments` (a ready
    /// transcript: analysed right away) or `audio_url` (transcribed first; embedded mode also
    /// accepts `file://` URLs and needs a speech engine).
    pub async fn submit_call(&self, call: Value) -> Result<Call> {
        let call: otto_core::NewCall =
            serde_json::from_value(call).map_err(|e| SdkError::new(ErrorKind::InvalidInput, format!("call: {e}")))?;
        dispatch!(self.submit_call(call))
    }

    /// A call with its status.
    pub async fn call(&self, call_id: &str) -> Result<Call> {
        dispatch!(self.call(call_id))
    }

    /// Waits until a call's processing completes (or fails, which is an error naming the
    /// reason), polling every 100 ms for at most `timeout`.
    pub async fn wait_for_call(&self, call_id: &str, timeout: Duration) -> Result<Call> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let call = self.call(call_id).await?;
            match call.status.as_str() {
                "completed" => return Ok(call),
                "failed" => {
                    let why = call.failure_reason.clone().unwrap_or_else(|| "no reason recorded".into());
                    return Err(SdkError::new(ErrorKind::Unavailable, format!("call {call_id} failed: {why}")));
                }
                _ if tokio::time::Instant::now() >= deadline => {
                    return Err(SdkError::new(
                        ErrorKind::Unavailable,
                        format!("call {call_id} still {} after {:?}", call.status.as_str(), timeout),
                    ));
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// The call's full analysis (lead, objections, SOP, coaching, appointment...).
    pub async fn analysis(&self, call_id: &str) -> Result<CallAnalysisResponse> {
        dispatch!(self.analysis(call_id))
    }

    /// The objections raised on a call, with how they were handled.
    pub async fn objections(&self, call_id: &str) -> Result<ObjectionsResponse> {
        dispatch!(self.objections(call_id))
    }

    /// Uploads a document (`sop`, `training`, `reference` or `policy`) for indexing.
    pub async fn ingest_document(&self, file_name: &str, bytes: Vec<u8>, document_type: &str) -> Result<Document> {
        let t = otto_core::domain::DocumentType::parse(document_type).ok_or_else(|| {
            SdkError::new(
                ErrorKind::InvalidInput,
                format!("document_type: `{document_type}` is not one of sop, training, reference, policy"),
            )
        })?;
        dispatch!(self.ingest_document(file_name, bytes, t))
    }

    /// A document with its ingestion status.
    pub async fn document(&self, document_id: &str) -> Result<Document> {
        dispatch!(self.document(document_id))
    }

    /// Waits until a document is indexed (or failed, an error with the reason).
    pub async fn wait_for_document(&self, document_id: &str, timeout: Duration) -> Result<Document> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let doc = self.document(document_id).await?;
            match doc.status.as_str() {
                "indexed" => return Ok(doc),
                "failed" => {
                    let why = doc.failure_reason.clone().unwrap_or_default();
                    return Err(SdkError::new(ErrorKind::InvalidInput, format!("document {document_id}: {why}")));
                }
                _ if tokio::time::Instant::now() >= deadline => {
                    return Err(SdkError::new(
                        ErrorKind::Unavailable,
                        format!("document {document_id} not indexed yet"),
                    ))
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Asks Otto a question, streaming the answer. `follow_up` continues the previous question
    /// of this instance's session.
    pub async fn ask_stream(&self, question: &str, follow_up: bool) -> Result<AskStream> {
        if question.trim().is_empty() {
            return Err(SdkError::new(ErrorKind::InvalidInput, "question: must not be empty"));
        }
        dispatch!(self.ask_stream(question, follow_up))
    }

    /// Asks Otto a question and waits for the whole answer.
    pub async fn ask(&self, question: &str, follow_up: bool) -> Result<AskAnswer> {
        self.ask_stream(question, follow_up).await?.collect().await
    }

    /// Company (or, for CSRs and reps, own) performance metrics.
    pub async fn performance(&self, q: &AnalyticsQuery) -> Result<PerformanceMetrics> {
        dispatch!(self.performance(q))
    }

    /// Per-rep performance, best first.
    pub async fn rep_performance(&self, q: &AnalyticsQuery) -> Result<RepPerformanceList> {
        dispatch!(self.rep_performance(q))
    }

    /// Objection frequency and impact.
    pub async fn objection_analytics(&self, q: &AnalyticsQuery) -> Result<ObjectionAnalytics> {
        dispatch!(self.objection_analytics(q))
    }

    /// Lead quality and sources, with a page of leads.
    pub async fn lead_analytics(&self, q: &AnalyticsQuery) -> Result<LeadAnalytics> {
        dispatch!(self.lead_analytics(q))
    }

    /// Stops the background workers (embedded; the job in hand finishes or resumes on the next
    /// open) or closes the Ask Otto connection (remote).
    pub async fn close(&self) {
        match &self.inner {
            Inner::Embedded(e) => e.close().await,
            Inner::Remote(r) => r.close().await,
        }
    }
}
