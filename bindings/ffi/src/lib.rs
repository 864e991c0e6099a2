//! Swift and Kotlin (and any uniffi language) bindings of Otto.
//!
//! A thin shell over [`otto_sdk`]: an [`OttoBuilder`] configures embedded or remote mode and
//! builds an [`Otto`]; every operation is an `async` function (Swift `async`, Kotlin
//! `suspend`) that throws a typed [`OttoError`]. The main results are records with the fields
//! an app shows; each also carries `json`, the complete API document, for everything else.
//!
//! Futures run on a process-wide tokio runtime owned by this library, so the foreign side's
//! executor (Swift tasks, Kotlin coroutines) only awaits them.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use otto_sdk::{AnalyticsQuery, AskEvent, EmbeddedOptions, ErrorKind, RemoteOptions, SdkError};

uniffi::setup_scaffolding!();

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("otto-ffi")
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// Runs `fut` on Otto's runtime and awaits it from whatever executor the caller uses.
async fn on_runtime<T: Send + 'static>(
    fut: impl std::future::Future<Output = Result<T, OttoError>> + Send + 'static,
) -> Result<T, OttoError> {
    runtime().spawn(fut).await.map_err(|e| OttoError::Internal { details: format!("task failed: {e}") })?
}

/// What went wrong. Every case carries `details` naming the field or the reason (not `message`,
/// which Kotlin exceptions already have).
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum OttoError {
    /// The object does not exist or is not visible to the caller.
    #[error("not found: {details}")]
    NotFound { details: String },
    /// The input is invalid; the message names the field.
    #[error("invalid input: {details}")]
    InvalidInput { details: String },
    /// The caller's role lacks the permission.
    #[error("forbidden: {details}")]
    Forbidden { details: String },
    /// Missing, expired or forged credentials.
    #[error("unauthorized: {details}")]
    Unauthorized { details: String },
    /// The request conflicts with the current state.
    #[error("conflict: {details}")]
    Conflict { details: String },
    /// Too many requests; retry after `retry_after_secs`.
    #[error("rate limited: {details}")]
    RateLimited { details: String, retry_after_secs: Option<u64> },
    /// Temporarily unavailable (or still processing); retrying may succeed.
    #[error("unavailable: {details}")]
    Unavailable { details: String },
    /// Anything else (storage, provider or internal failure).
    #[error("internal: {details}")]
    Internal { details: String },
}

impl From<SdkError> for OttoError {
    fn from(e: SdkError) -> Self {
        let message = e.message;
        match e.kind {
            ErrorKind::NotFound => OttoError::NotFound { details: message },
            ErrorKind::InvalidInput => OttoError::InvalidInput { details: message },
            ErrorKind::Forbidden => OttoError::Forbidden { details: message },
            ErrorKind::Unauthorized => OttoError::Unauthorized { details: message },
            ErrorKind::Conflict => OttoError::Conflict { details: message },
            ErrorKind::RateLimited => OttoError::RateLimited { details: message, retry_after_secs: e.retry_after },
            ErrorKind::Unavailable => OttoError::Unavailable { details: message },
            _ => OttoError::Internal { details: message },
        }
    }
}

fn json<T: serde::Serialize>(t: &T) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

/// One turn of a transcript.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Segment {
    /// `rep` or `customer` (or a diarization label such as `speaker_1`).
    pub speaker: String,
    /// What was said.
    pub text: String,
    /// Seconds from the start of the call.
    pub start_time: Option<f64>,
    /// Seconds from the start of the call.
    pub end_time: Option<f64>,
}

/// A call and its processing status.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Call {
    pub call_id: String,
    /// `pending`, `processing`, `completed` or `failed`.
    pub status: String,
    pub rep_id: Option<String>,
    /// Why processing failed.
    pub failure_reason: Option<String>,
    /// Processing progress, 0..=100.
    pub progress: u32,
    /// The complete call document.
    pub json: String,
}

impl From<otto_sdk::Call> for Call {
    fn from(c: otto_sdk::Call) -> Self {
        Call {
            call_id: c.call_id.clone(),
            status: c.status.as_str().to_string(),
            rep_id: c.rep_id.clone(),
            failure_reason: c.failure_reason.clone(),
            progress: u32::from(c.progress),
            json: json(&c),
        }
    }
}

/// An objection the customer raised.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Objection {
    /// `price`, `timing`, `spouse`, `competitor`, `trust`...
    pub objection_type: String,
    /// The customer's words.
    pub objection_text: String,
    /// Whether the rep resolved it.
    pub handled: bool,
    /// `low`, `medium` or `high`.
    pub severity: String,
    pub confidence: f32,
    /// The complete objection document (evidence, suggestions).
    pub json: String,
}

/// A source an answer rests on.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Citation {
    /// The call id or the document's title.
    pub source: String,
    /// `call` or `document`.
    pub source_type: String,
    pub source_id: String,
    pub excerpt: String,
    pub confidence: f32,
}

/// An Ask Otto answer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Answer {
    pub query_id: String,
    pub session_id: String,
    pub answer: String,
    pub citations: Vec<Citation>,
    pub suggested_follow_ups: Vec<String>,
    /// `aggregate`, `search` (lexical), `hybrid` (lexical + vectors) or `none`.
    pub mode: String,
    pub confidence: f32,
}

impl From<otto_sdk::AskAnswer> for Answer {
    fn from(a: otto_sdk::AskAnswer) -> Self {
        Answer {
            citations: a
                .citations
                .into_iter()
                .map(|c| Citation {
                    source: c.source,
                    source_type: c.source_type,
                    source_id: c.source_id,
                    excerpt: c.excerpt,
                    confidence: c.confidence,
                })
                .collect(),
            query_id: a.query_id,
            session_id: a.session_id,
            answer: a.answer,
            suggested_follow_ups: a.suggested_follow_ups,
            mode: a.mode,
            confidence: a.confidence,
        }
    }
}

/// An uploaded document.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Document {
    pub document_id: String,
    /// `processing`, `indexed` or `failed`.
    pub status: String,
    pub chunks_created: u32,
    pub failure_reason: Option<String>,
}

impl From<otto_sdk::Document> for Document {
    fn from(d: otto_sdk::Document) -> Self {
        Document {
            document_id: d.document_id,
            status: d.status.as_str().to_string(),
            chunks_created: d.chunks_created,
            failure_reason: d.failure_reason,
        }
    }
}

/// Headline performance metrics.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Performance {
    /// `company` or `own`.
    pub scope: String,
    pub total_calls: u64,
    pub conversion_rate: f32,
    pub objection_rate: f32,
    pub appointments_set: u64,
    /// The complete metrics document.
    pub json: String,
}

/// Receives a streamed answer's text as it arrives.
#[uniffi::export(with_foreign)]
pub trait AnswerListener: Send + Sync {
    /// One piece of the answer, in order.
    fn on_chunk(&self, chunk: String);
}

#[derive(Debug, Default)]
struct Config {
    embedded: Option<String>,
    remote: Option<(String, String)>,
    company_id: Option<String>,
    user_id: Option<String>,
    role: Option<String>,
    timeout_secs: Option<f64>,
}

/// Configures an [`Otto`]: `embedded(dataDir)` or `remote(baseUrl, token)`, then `company`,
/// and for embedded mode `user` and `role`; `build()` opens it.
#[derive(Debug, Default, uniffi::Object)]
pub struct OttoBuilder {
    config: Mutex<Config>,
}

impl OttoBuilder {
    fn set(self: Arc<Self>, f: impl FnOnce(&mut Config)) -> Arc<Self> {
        if let Ok(mut c) = self.config.lock() {
            f(&mut c);
        }
        self
    }
}

#[uniffi::export]
impl OttoBuilder {
    /// An empty builder.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Embedded mode on a data directory (SQLite, local files, offline engines).
    pub fn embedded(self: Arc<Self>, data_dir: String) -> Arc<Self> {
        self.set(|c| c.embedded = Some(data_dir))
    }

    /// Remote mode: an Otto server and a bearer token.
    pub fn remote(self: Arc<Self>, base_url: String, token: String) -> Arc<Self> {
        self.set(|c| c.remote = Some((base_url, token)))
    }

    /// The tenant.
    pub fn company(self: Arc<Self>, company_id: String) -> Arc<Self> {
        self.set(|c| c.company_id = Some(company_id))
    }

    /// Embedded mode: the user this instance acts as.
    pub fn user(self: Arc<Self>, user_id: String) -> Arc<Self> {
        self.set(|c| c.user_id = Some(user_id))
    }

    /// Embedded mode: `admin`, `manager` (default), `csr` or `sales_rep`.
    pub fn role(self: Arc<Self>, role: String) -> Arc<Self> {
        self.set(|c| c.role = Some(role))
    }

    /// Remote mode: per-request timeout in seconds (default 60).
    pub fn timeout_secs(self: Arc<Self>, secs: f64) -> Arc<Self> {
        self.set(|c| c.timeout_secs = Some(secs))
    }

    /// Opens Otto as configured.
    pub async fn build(&self) -> Result<Arc<Otto>, OttoError> {
        let invalid = |m: &str| OttoError::InvalidInput { details: m.to_string() };
        let (embedded, remote, company, user, role, timeout) = {
            let c = self.config.lock().map_err(|_| invalid("builder poisoned"))?;
            (
                c.embedded.clone(),
                c.remote.clone(),
                c.company_id.clone().ok_or_else(|| invalid("company: required"))?,
                c.user_id.clone(),
                c.role.clone().unwrap_or_else(|| "manager".into()),
                c.timeout_secs,
            )
        };
        let sdk = match (embedded, remote) {
            (Some(dir), None) => {
                let user = user.ok_or_else(|| invalid("user: required in embedded mode"))?;
                on_runtime(
                    async move { Ok(otto_sdk::Otto::open(EmbeddedOptions::new(dir, company, user, role)).await?) },
                )
                .await?
            }
            (None, Some((base_url, token))) => {
                let mut o = RemoteOptions::new(base_url, token, company);
                if let Some(t) = timeout {
                    o.timeout =
                        Duration::try_from_secs_f64(t).map_err(|_| invalid("timeout_secs: must be positive"))?;
                }
                on_runtime(async move { Ok(otto_sdk::Otto::connect(o).await?) }).await?
            }
            _ => return Err(invalid("choose exactly one of embedded(dataDir) and remote(baseUrl, token)")),
        };
        Ok(Arc::new(Otto { sdk: Arc::new(sdk) }))
    }
}

/// An open Otto, embedded or remote.
#[derive(Debug, uniffi::Object)]
pub struct Otto {
    sdk: Arc<otto_sdk::Otto>,
}

fn secs(s: f64) -> Result<Duration, OttoError> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| OttoError::InvalidInput { details: "timeout_secs: must be positive".into() })
}

#[uniffi::export]
impl Otto {
    /// `embedded` or `remote`.
    pub fn mode(&self) -> String {
        self.sdk.mode().to_string()
    }

    /// Submits a call with a ready transcript; `started_at` (RFC 3339) anchors spoken dates.
    pub async fn submit_transcript(
        &self,
        rep_id: Option<String>,
        started_at: Option<String>,
        segments: Vec<Segment>,
    ) -> Result<Call, OttoError> {
        let segments: Vec<serde_json::Value> = segments
            .into_iter()
            .map(|s| {
                serde_json::json!({"speaker": s.speaker, "text": s.text, "start_time": s.start_time, "end_time": s.end_time})
            })
            .collect();
        let mut body = serde_json::json!({ "segments": segments });
        if let Some(r) = rep_id {
            body["rep_id"] = r.into();
        }
        if let Some(t) = started_at {
            body["started_at"] = t.into();
        }
        self.submit_call_json(body.to_string()).await
    }

    /// Submits a call: any `POST /api/v1/calls` body as JSON.
    pub async fn submit_call_json(&self, body: String) -> Result<Call, OttoError> {
        let value: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| OttoError::InvalidInput { details: format!("call: not JSON: {e}") })?;
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move { Ok(sdk.submit_call(value).await?.into()) }).await
    }

    /// A call and its status.
    pub async fn call(&self, call_id: String) -> Result<Call, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move { Ok(sdk.call(&call_id).await?.into()) }).await
    }

    /// Waits until the call is processed (throws if it failed or the time ran out).
    pub async fn wait_for_call(&self, call_id: String, timeout_secs: f64) -> Result<Call, OttoError> {
        let (sdk, t) = (Arc::clone(&self.sdk), secs(timeout_secs)?);
        on_runtime(async move { Ok(sdk.wait_for_call(&call_id, t).await?.into()) }).await
    }

    /// The objections raised on a call.
    pub async fn objections(&self, call_id: String) -> Result<Vec<Objection>, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move {
            let list = sdk.objections(&call_id).await?;
            Ok(list
                .objections
                .iter()
                .map(|o| {
                    let v = serde_json::to_value(o).unwrap_or_default();
                    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
                    Objection {
                        objection_type: s("objection_type"),
                        objection_text: s("objection_text"),
                        handled: v.get("handled").and_then(|x| x.as_bool()).unwrap_or(false),
                        severity: s("severity"),
                        confidence: v.get("confidence").and_then(|x| x.as_f64()).unwrap_or(0.0) as f32,
                        json: v.to_string(),
                    }
                })
                .collect())
        })
        .await
    }

    /// The call's full analysis as JSON (lead, objections, SOP, coaching, appointment...).
    pub async fn analysis_json(&self, call_id: String) -> Result<String, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move { Ok(json(&sdk.analysis(&call_id).await?)) }).await
    }

    /// Uploads a document (`sop`, `training`, `reference` or `policy`).
    pub async fn ingest_document(
        &self,
        file_name: String,
        bytes: Vec<u8>,
        document_type: String,
    ) -> Result<Document, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move { Ok(sdk.ingest_document(&file_name, bytes, &document_type).await?.into()) }).await
    }

    /// Waits until a document is indexed.
    pub async fn wait_for_document(&self, document_id: String, timeout_secs: f64) -> Result<Document, OttoError> {
        let (sdk, t) = (Arc::clone(&self.sdk), secs(timeout_secs)?);
        on_runtime(async move { Ok(sdk.wait_for_document(&document_id, t).await?.into()) }).await
    }

    /// Asks Otto; `follow_up` continues the previous question.
    pub async fn ask(&self, question: String, follow_up: bool) -> Result<Answer, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move { Ok(sdk.ask(&question, follow_up).await?.into()) }).await
    }

    /// Asks Otto, handing each piece of the answer to `listener` as it streams, and returns
    /// the complete answer.
    pub async fn ask_streaming(
        &self,
        question: String,
        follow_up: bool,
        listener: Arc<dyn AnswerListener>,
    ) -> Result<Answer, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move {
            let mut stream = sdk.ask_stream(&question, follow_up).await?;
            while let Some(event) = stream.next().await {
                match event {
                    AskEvent::Chunk(c) => listener.on_chunk(c),
                    AskEvent::Complete(a) => return Ok(a.into()),
                    AskEvent::Failed(e) => return Err(e.into()),
                }
            }
            Err(OttoError::Internal { details: "the answer stream ended early".into() })
        })
        .await
    }

    /// Headline performance metrics (the company, or your own for CSRs and reps).
    pub async fn performance(&self, date_range: Option<String>) -> Result<Performance, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move {
            let p = sdk.performance(&AnalyticsQuery { date_range, ..Default::default() }).await?;
            Ok(Performance {
                scope: p.scope.clone(),
                total_calls: p.total_calls,
                conversion_rate: p.conversion_rate,
                objection_rate: p.objection_rate,
                appointments_set: p.appointments_set,
                json: json(&p),
            })
        })
        .await
    }

    /// Analytics as JSON: `kind` is `reps`, `objections` or `leads`.
    pub async fn analytics_json(&self, kind: String, date_range: Option<String>) -> Result<String, OttoError> {
        let sdk = Arc::clone(&self.sdk);
        on_runtime(async move {
            let q = AnalyticsQuery { date_range, ..Default::default() };
            Ok(match kind.as_str() {
                "reps" => json(&sdk.rep_performance(&q).await?),
                "objections" => json(&sdk.objection_analytics(&q).await?),
                "leads" => json(&sdk.lead_analytics(&q).await?),
                other => {
                    return Err(OttoError::InvalidInput {
                        details: format!("kind: `{other}` is not one of reps, objections, leads"),
                    })
                }
            })
        })
        .await
    }

    /// Stops background work (embedded) or closes the Ask Otto connection (remote). (Not
    /// `close`: Kotlin objects already have `close()`, which frees the native handle.)
    pub async fn shutdown(&self) {
        let sdk = Arc::clone(&self.sdk);
        let _ = on_runtime(async move {
            sdk.close().await;
            Ok(())
        })
        .await;
    }
}
