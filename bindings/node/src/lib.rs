//! Node.js bindings of Otto: the `@otto/node` package (napi-rs).
//!
//! A thin shell over [`otto_sdk`]: every operation runs in Rust on napi's tokio runtime and
//! returns a Promise. Results are plain JS objects: the API's JSON with camelCase keys
//! (`keys`), typed by the interfaces in `types.d.ts` (prepended to the generated
//! `index.d.ts`). Failures reject with an `Error` carrying `code`, `status` and `retryAfter`
//! (`errors`). Streamed answers are async iterators ([`AskStream`]).

mod errors;
mod keys;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{AsyncGenerator, PromiseRaw, ToNapiValue};
use napi::{Env, Result};
use napi_derive::napi;
use otto_sdk::{AnalyticsQuery, EmbeddedOptions, RemoteOptions, SdkError};
use serde_json::Value;
use tokio::sync::Mutex;

type Sdk = Arc<otto_sdk::Otto>;
type Outcome<T> = std::result::Result<T, SdkError>;

/// Runs `fut` on napi's tokio runtime; the Promise resolves with `done(value)` or rejects with
/// the typed error (built on the JS thread, where error objects can be made).
fn promise<'env, T, V, F>(env: &'env Env, fut: F, done: impl FnOnce(T) -> V + 'static) -> Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = Outcome<T>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, move |env, outcome| match outcome {
        Ok(v) => Ok(done(v)),
        Err(e) => Err(errors::to_js(env, &e)?),
    })
}

/// A result as the API's JSON with camelCase keys; the conversion runs off the JS thread.
fn json<'env, T, F>(env: &'env Env, fut: F) -> Result<PromiseRaw<'env, Value>>
where
    T: serde::Serialize + Send + 'static,
    F: Future<Output = Outcome<T>> + Send + 'static,
{
    let fut = async move {
        let value = fut.await?;
        let value = serde_json::to_value(value)
            .map_err(|e| SdkError::new(otto_sdk::ErrorKind::Internal, format!("result: {e}")))?;
        Ok(keys::to_camel(value))
    };
    promise(env, fut, |v| v)
}

fn invalid(message: String) -> SdkError {
    SdkError::new(otto_sdk::ErrorKind::InvalidInput, message)
}

fn millis(timeout_ms: Option<f64>, default_ms: f64, name: &str) -> Outcome<Duration> {
    let ms = timeout_ms.unwrap_or(default_ms);
    Duration::try_from_secs_f64(ms / 1000.0)
        .map_err(|_| invalid(format!("{name}: must be a positive number of milliseconds")))
}

/// Options of [`Otto::open`].
#[napi(object)]
pub struct OpenOptions {
    /// Where the SQLite database and files live (created if missing).
    pub data_dir: String,
    /// The tenant this instance acts in.
    pub company_id: String,
    /// The user this instance acts as.
    pub user_id: String,
    /// The user's role (default `manager`): the same permissions as on the server.
    #[napi(ts_type = "Role")]
    pub role: Option<String>,
    /// Pipeline workers to run in the background (default 1).
    pub workers: Option<u32>,
}

/// Options of [`Otto::connect`].
#[napi(object)]
pub struct ConnectOptions {
    /// The server, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// A bearer token (JWT) for `companyId`.
    pub token: String,
    /// The tenant (sent as `X-Company-ID`).
    pub company_id: String,
    /// Per-request timeout in milliseconds (default 60000).
    pub timeout_ms: Option<f64>,
}

/// Filters of the analytics methods.
#[napi(object)]
pub struct AnalyticsOptions {
    /// `YYYY-MM-DD..YYYY-MM-DD` (either end may be empty) or one day.
    pub date_range: Option<String>,
    /// Page size (default 20).
    pub limit: Option<u32>,
    /// Page start (default 0).
    pub offset: Option<u32>,
}

fn query(o: Option<AnalyticsOptions>) -> AnalyticsQuery {
    let o = o.unwrap_or(AnalyticsOptions { date_range: None, limit: None, offset: None });
    AnalyticsQuery { date_range: o.date_range, limit: o.limit, offset: o.offset.map(u64::from) }
}

/// Otto, embedded (`Otto.open`) or against a server (`Otto.connect`), with one API. Every
/// method returns a Promise; failures reject with an {@link OttoError}.
#[napi]
pub struct Otto {
    sdk: Sdk,
}

#[napi]
impl Otto {
    /// Embedded Otto on `dataDir` (SQLite, local files, offline engines), acting as `userId`
    /// with `role` in `companyId`. Pipeline workers run in the background until `close()`.
    #[napi(ts_return_type = "Promise<Otto>")]
    pub fn open(env: &Env, options: OpenOptions) -> Result<PromiseRaw<'_, Otto>> {
        let mut o = EmbeddedOptions::new(
            options.data_dir,
            options.company_id,
            options.user_id,
            options.role.unwrap_or_else(|| "manager".into()),
        );
        o.workers = options.workers.map_or(1, |w| w as usize);
        promise(env, otto_sdk::Otto::open(o), |sdk| Otto { sdk: Arc::new(sdk) })
    }

    /// Otto server at `baseUrl`, with a bearer `token` for `companyId`.
    #[napi(ts_return_type = "Promise<Otto>")]
    pub fn connect(env: &Env, options: ConnectOptions) -> Result<PromiseRaw<'_, Otto>> {
        let fut = async move {
            let timeout = millis(options.timeout_ms, 60_000.0, "timeoutMs")?;
            let o =
                RemoteOptions { timeout, ..RemoteOptions::new(options.base_url, options.token, options.company_id) };
            otto_sdk::Otto::connect(o).await
        };
        promise(env, fut, |sdk| Otto { sdk: Arc::new(sdk) })
    }

    /// `"embedded"` or `"remote"`.
    #[napi(getter, ts_return_type = "'embedded' | 'remote'")]
    pub fn mode(&self) -> &'static str {
        self.sdk.mode()
    }

    /// Submits a call: the fields of `POST /api/v1/calls` (camelCase or snake_case), e.g.
    /// `segments` for a ready transcript (analysed right away) or `audioUrl`.
    #[napi(ts_args_type = "call: NewCall", ts_return_type = "Promise<Call>")]
    pub fn submit_call<'env>(&self, env: &'env Env, call: Value) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move {
            if !call.is_object() {
                return Err(invalid("call: expected an object of call fields".into()));
            }
            sdk.submit_call(keys::to_snake(call)).await
        })
    }

    /// A call and its processing status.
    #[napi(ts_return_type = "Promise<Call>")]
    pub fn call<'env>(&self, env: &'env Env, call_id: String) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move { sdk.call(&call_id).await })
    }

    /// Waits until the call is processed (default at most 120000 ms); rejects if it failed.
    #[napi(ts_return_type = "Promise<Call>")]
    pub fn wait_for_call<'env>(
        &self,
        env: &'env Env,
        call_id: String,
        timeout_ms: Option<f64>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move { sdk.wait_for_call(&call_id, millis(timeout_ms, 120_000.0, "timeoutMs")?).await })
    }

    /// The call's full analysis (lead, objections, SOP, coaching, appointment...).
    #[napi(ts_return_type = "Promise<Analysis>")]
    pub fn analysis<'env>(&self, env: &'env Env, call_id: String) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move { sdk.analysis(&call_id).await })
    }

    /// The objections raised on the call, with how they were handled.
    #[napi(ts_return_type = "Promise<Objections>")]
    pub fn objections<'env>(&self, env: &'env Env, call_id: String) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move { sdk.objections(&call_id).await })
    }

    /// Uploads a document for indexing: a file path, or a file name with `data` (a Buffer,
    /// Uint8Array or string). `documentType` defaults to `reference`.
    #[napi(
        ts_args_type = "pathOrName: string, data?: Uint8Array | string | null, documentType?: DocumentType",
        ts_return_type = "Promise<Document>"
    )]
    pub fn ingest_document<'env>(
        &self,
        env: &'env Env,
        path_or_name: String,
        data: Option<napi::Either<napi::bindgen_prelude::Uint8Array, String>>,
        document_type: Option<String>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        let data: Option<Vec<u8>> = data.map(|d| match d {
            napi::Either::A(bytes) => bytes.to_vec(),
            napi::Either::B(text) => text.into_bytes(),
        });
        let kind = document_type.unwrap_or_else(|| "reference".into());
        json(env, async move {
            let (name, bytes) = match data {
                Some(b) => (path_or_name, b),
                None => {
                    let path = std::path::PathBuf::from(&path_or_name);
                    let bytes =
                        tokio::fs::read(&path).await.map_err(|e| invalid(format!("file {path_or_name}: {e}")))?;
                    let file = path.file_name().map_or(path_or_name.clone(), |f| f.to_string_lossy().into_owned());
                    (file, bytes)
                }
            };
            sdk.ingest_document(&name, bytes, &kind).await
        })
    }

    /// A document and its ingestion status.
    #[napi(ts_return_type = "Promise<Document>")]
    pub fn document<'env>(&self, env: &'env Env, document_id: String) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move { sdk.document(&document_id).await })
    }

    /// Waits until the document is indexed (default at most 120000 ms).
    #[napi(ts_return_type = "Promise<Document>")]
    pub fn wait_for_document<'env>(
        &self,
        env: &'env Env,
        document_id: String,
        timeout_ms: Option<f64>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move { sdk.wait_for_document(&document_id, millis(timeout_ms, 120_000.0, "timeoutMs")?).await })
    }

    /// Asks Otto and resolves with the whole answer and its citations. `followUp` continues
    /// the previous question of this instance's session.
    #[napi(ts_return_type = "Promise<Answer>")]
    pub fn ask<'env>(
        &self,
        env: &'env Env,
        question: String,
        follow_up: Option<bool>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let sdk = self.sdk.clone();
        json(env, async move { sdk.ask(&question, follow_up.unwrap_or(false)).await })
    }

    /// Asks Otto, streaming the answer: `for await (const text of await otto.askStream(q))`;
    /// afterwards `stream.answer` holds the complete {@link Answer}.
    #[napi(ts_return_type = "Promise<AskStream>")]
    pub fn ask_stream<'env>(
        &self,
        env: &'env Env,
        question: String,
        follow_up: Option<bool>,
    ) -> Result<PromiseRaw<'env, AskStream>> {
        let sdk = self.sdk.clone();
        let fut = async move { sdk.ask_stream(&question, follow_up.unwrap_or(false)).await };
        promise(env, fut, AskStream::new)
    }

    /// Performance metrics (the company's, or your own for CSRs and reps).
    #[napi(ts_return_type = "Promise<Performance>")]
    pub fn performance<'env>(
        &self,
        env: &'env Env,
        options: Option<AnalyticsOptions>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let (sdk, q) = (self.sdk.clone(), query(options));
        json(env, async move { sdk.performance(&q).await })
    }

    /// Per-rep performance, best first.
    #[napi(ts_return_type = "Promise<RepPerformance>")]
    pub fn rep_performance<'env>(
        &self,
        env: &'env Env,
        options: Option<AnalyticsOptions>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let (sdk, q) = (self.sdk.clone(), query(options));
        json(env, async move { sdk.rep_performance(&q).await })
    }

    /// Objection frequency and impact.
    #[napi(ts_return_type = "Promise<ObjectionAnalytics>")]
    pub fn objection_analytics<'env>(
        &self,
        env: &'env Env,
        options: Option<AnalyticsOptions>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let (sdk, q) = (self.sdk.clone(), query(options));
        json(env, async move { sdk.objection_analytics(&q).await })
    }

    /// Lead quality and sources, with a page of leads.
    #[napi(ts_return_type = "Promise<LeadAnalytics>")]
    pub fn lead_analytics<'env>(
        &self,
        env: &'env Env,
        options: Option<AnalyticsOptions>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let (sdk, q) = (self.sdk.clone(), query(options));
        json(env, async move { sdk.lead_analytics(&q).await })
    }

    /// Stops the background workers (embedded) or closes the Ask Otto connection (remote).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ()>> {
        let sdk = self.sdk.clone();
        promise(
            env,
            async move {
                sdk.close().await;
                Ok(())
            },
            |()| (),
        )
    }
}

/// A streamed Ask Otto answer: iterate with `for await` over the text as it is written; after
/// the last piece, `answer` holds the complete {@link Answer} with citations.
#[napi(async_iterator)]
pub struct AskStream {
    events: Arc<Mutex<otto_sdk::AskStream>>,
    answer: Arc<std::sync::Mutex<Option<Value>>>,
}

impl AskStream {
    fn new(s: otto_sdk::AskStream) -> Self {
        Self { events: Arc::new(Mutex::new(s)), answer: Arc::default() }
    }
}

#[napi]
impl AskStream {
    /// The complete answer, once the stream has been read to the end (`null` before).
    #[napi(getter, ts_return_type = "Answer | null")]
    pub fn answer(&self) -> Option<Value> {
        self.answer.lock().ok().and_then(|a| a.clone())
    }
}

#[napi]
impl AsyncGenerator for AskStream {
    type Yield = errors::AnswerChunk;
    type Next = ();
    type Return = ();

    fn next(&mut self, _value: Option<()>) -> impl Future<Output = Result<Option<Self::Yield>>> + Send + 'static {
        let (events, answer) = (Arc::clone(&self.events), Arc::clone(&self.answer));
        async move {
            Ok(match events.lock().await.next().await {
                Some(otto_sdk::AskEvent::Chunk(c)) => Some(errors::AnswerChunk::Text(c)),
                Some(otto_sdk::AskEvent::Complete(a)) => {
                    let value = serde_json::to_value(a).map(keys::to_camel).unwrap_or(Value::Null);
                    if let Ok(mut slot) = answer.lock() {
                        *slot = Some(value);
                    }
                    None
                }
                // Rejects `next()` with the typed error (see `AnswerChunk`).
                Some(otto_sdk::AskEvent::Failed(e)) => Some(errors::AnswerChunk::Failed(e)),
                None => None,
            })
        }
    }
}

/// Whether `error` is an Otto error (has one of Otto's error `code`s): narrows `unknown` in a
/// `catch` to {@link OttoError}.
#[napi(ts_args_type = "error: unknown", ts_return_type = "error is OttoError")]
pub fn is_otto_error(error: napi::bindgen_prelude::Unknown<'_>) -> bool {
    errors::is_otto_error(error)
}

/// The version of the native addon (the Otto workspace version).
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
