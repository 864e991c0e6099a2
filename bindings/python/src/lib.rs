//! Python bindings of Otto: the `otto` package (`otto._otto` is this extension).
//!
//! A thin shell over [`otto_sdk`]: every operation runs in Rust on a shared tokio runtime.
//! [`Otto`] blocks (releasing the GIL while Rust runs, so other Python threads go on);
//! [`AsyncOtto`] returns asyncio awaitables. Results are typed, read-only objects backed by
//! the API's JSON (`records`), with `.to_dict()` and, for tables, `.to_dataframe()`.

mod convert;
mod errors;
mod records;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use otto_sdk::{AnalyticsQuery, EmbeddedOptions, RemoteOptions};
use pyo3::exceptions::{PyStopAsyncIteration, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use records::{
    rec, Analysis, Answer, Call, Citation, Document, LeadAnalytics, Objection, ObjectionAnalytics, Objections,
    Performance, Record, RepPerformance,
};
use tokio::sync::Mutex;

type Sdk = Arc<otto_sdk::Otto>;
type Fut<T> = Pin<Box<dyn Future<Output = otto_sdk::Result<T>> + Send>>;

fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// Runs `fut` to completion with the GIL released.
fn block<T: Send>(py: Python<'_>, fut: impl Future<Output = otto_sdk::Result<T>> + Send) -> PyResult<T> {
    py.detach(|| runtime().block_on(fut)).map_err(errors::to_py)
}

/// `fut` as an asyncio awaitable.
fn awaitable<'py, T>(py: Python<'py>, fut: Fut<T>) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move { fut.await.map_err(errors::to_py) })
}

fn secs(timeout: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(timeout)
        .map_err(|_| PyValueError::new_err("timeout: must be a positive number of seconds"))
}

fn query(date_range: Option<String>, limit: Option<u32>, offset: Option<u64>) -> AnalyticsQuery {
    AnalyticsQuery { date_range, limit, offset }
}

/// The operations, written once and exposed by both [`Otto`] (blocking) and [`AsyncOtto`].
mod ops {
    use super::*;

    pub fn open(o: EmbeddedOptions) -> Fut<Sdk> {
        Box::pin(async move { Ok(Arc::new(otto_sdk::Otto::open(o).await?)) })
    }
    pub fn connect(o: RemoteOptions) -> Fut<Sdk> {
        Box::pin(async move { Ok(Arc::new(otto_sdk::Otto::connect(o).await?)) })
    }
    pub fn submit_call(o: Sdk, body: serde_json::Value) -> Fut<Call> {
        Box::pin(async move { Ok(rec(o.submit_call(body).await?)) })
    }
    pub fn call(o: Sdk, id: String) -> Fut<Call> {
        Box::pin(async move { Ok(rec(o.call(&id).await?)) })
    }
    pub fn wait_for_call(o: Sdk, id: String, t: Duration) -> Fut<Call> {
        Box::pin(async move { Ok(rec(o.wait_for_call(&id, t).await?)) })
    }
    pub fn analysis(o: Sdk, id: String) -> Fut<Analysis> {
        Box::pin(async move { Ok(rec(o.analysis(&id).await?)) })
    }
    pub fn objections(o: Sdk, id: String) -> Fut<Objections> {
        Box::pin(async move { Ok(rec(o.objections(&id).await?)) })
    }
    pub fn ingest_document(o: Sdk, name: String, data: Option<Vec<u8>>, kind: String) -> Fut<Document> {
        Box::pin(async move {
            let (name, bytes) = match data {
                Some(b) => (name, b),
                None => {
                    let path = std::path::PathBuf::from(&name);
                    let bytes = tokio::fs::read(&path).await.map_err(|e| {
                        otto_sdk::SdkError::new(otto_sdk::ErrorKind::InvalidInput, format!("file {name}: {e}"))
                    })?;
                    let file = path.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
                    (file, bytes)
                }
            };
            Ok(rec(o.ingest_document(&name, bytes, &kind).await?))
        })
    }
    pub fn document(o: Sdk, id: String) -> Fut<Document> {
        Box::pin(async move { Ok(rec(o.document(&id).await?)) })
    }
    pub fn wait_for_document(o: Sdk, id: String, t: Duration) -> Fut<Document> {
        Box::pin(async move { Ok(rec(o.wait_for_document(&id, t).await?)) })
    }
    pub fn ask(o: Sdk, q: String, follow_up: bool) -> Fut<Answer> {
        Box::pin(async move { Ok(rec(o.ask(&q, follow_up).await?)) })
    }
    pub fn ask_stream(o: Sdk, q: String, follow_up: bool) -> Fut<AskStream> {
        Box::pin(async move { Ok(AskStream::new(o.ask_stream(&q, follow_up).await?)) })
    }
    pub fn performance(o: Sdk, q: AnalyticsQuery) -> Fut<Performance> {
        Box::pin(async move { Ok(rec(o.performance(&q).await?)) })
    }
    pub fn rep_performance(o: Sdk, q: AnalyticsQuery) -> Fut<RepPerformance> {
        Box::pin(async move { Ok(rec(o.rep_performance(&q).await?)) })
    }
    pub fn objection_analytics(o: Sdk, q: AnalyticsQuery) -> Fut<ObjectionAnalytics> {
        Box::pin(async move { Ok(rec(o.objection_analytics(&q).await?)) })
    }
    pub fn lead_analytics(o: Sdk, q: AnalyticsQuery) -> Fut<LeadAnalytics> {
        Box::pin(async move { Ok(rec(o.lead_analytics(&q).await?)) })
    }
    pub fn close(o: Sdk) -> Fut<()> {
        Box::pin(async move {
            o.close().await;
            Ok(())
        })
    }
}

fn call_body(call: Option<&Bound<'_, PyAny>>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<serde_json::Value> {
    let mut body = match call {
        Some(c) => convert::from_py(c)?,
        None => serde_json::Value::Object(Default::default()),
    };
    let serde_json::Value::Object(map) = &mut body else {
        return Err(PyValueError::new_err("call: expected a dict of call fields"));
    };
    if let Some(f) = fields {
        if let serde_json::Value::Object(extra) = convert::from_py(f.as_any())? {
            map.extend(extra);
        }
    }
    Ok(body)
}

fn embedded(
    data_dir: std::path::PathBuf,
    company_id: String,
    user_id: String,
    role: String,
    workers: usize,
) -> EmbeddedOptions {
    EmbeddedOptions { workers, ..EmbeddedOptions::new(data_dir, company_id, user_id, role) }
}

fn remote(base_url: String, token: String, company_id: String, timeout: f64) -> PyResult<RemoteOptions> {
    Ok(RemoteOptions { timeout: secs(timeout)?, ..RemoteOptions::new(base_url, token, company_id) })
}

/// Otto, blocking API. Open one with `Otto.open(...)` (embedded) or `Otto.connect(...)`
/// (remote); use it as a context manager or call `close()`.
#[pyclass(frozen, module = "otto")]
pub struct Otto {
    sdk: Sdk,
}

#[pymethods]
impl Otto {
    /// Embedded Otto on `data_dir` (SQLite, local files, offline engines), acting as
    /// `user_id` with `role` in `company_id`. Pipeline workers run in the background.
    #[staticmethod]
    #[pyo3(signature = (data_dir, *, company_id, user_id, role = "manager".to_string(), workers = 1))]
    fn open(
        py: Python<'_>,
        data_dir: std::path::PathBuf,
        company_id: String,
        user_id: String,
        role: String,
        workers: usize,
    ) -> PyResult<Self> {
        Ok(Self { sdk: block(py, ops::open(embedded(data_dir, company_id, user_id, role, workers)))? })
    }

    /// Otto server at `base_url`, with a bearer `token` for `company_id`.
    #[staticmethod]
    #[pyo3(signature = (base_url, *, token, company_id, timeout = 60.0))]
    fn connect(py: Python<'_>, base_url: String, token: String, company_id: String, timeout: f64) -> PyResult<Self> {
        Ok(Self { sdk: block(py, ops::connect(remote(base_url, token, company_id, timeout)?))? })
    }

    /// `"embedded"` or `"remote"`.
    #[getter]
    fn mode(&self) -> &'static str {
        self.sdk.mode()
    }

    /// Submits a call: a dict and/or keyword fields of `POST /api/v1/calls` (`segments` for a
    /// ready transcript, or `audio_url`).
    #[pyo3(signature = (call = None, **fields))]
    fn submit_call(
        &self,
        py: Python<'_>,
        call: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Call> {
        block(py, ops::submit_call(self.sdk.clone(), call_body(call, fields)?))
    }

    /// A call and its processing status.
    fn call(&self, py: Python<'_>, call_id: String) -> PyResult<Call> {
        block(py, ops::call(self.sdk.clone(), call_id))
    }

    /// Waits until the call is processed; raises if it failed or `timeout` seconds pass.
    #[pyo3(signature = (call_id, timeout = 120.0))]
    fn wait_for_call(&self, py: Python<'_>, call_id: String, timeout: f64) -> PyResult<Call> {
        block(py, ops::wait_for_call(self.sdk.clone(), call_id, secs(timeout)?))
    }

    /// The call's full analysis.
    fn analysis(&self, py: Python<'_>, call_id: String) -> PyResult<Analysis> {
        block(py, ops::analysis(self.sdk.clone(), call_id))
    }

    /// The objections raised on the call.
    fn objections(&self, py: Python<'_>, call_id: String) -> PyResult<Objections> {
        block(py, ops::objections(self.sdk.clone(), call_id))
    }

    /// Uploads a document: a path, or a file name with `data` bytes. `document_type` is `sop`,
    /// `training`, `reference` or `policy`.
    #[pyo3(signature = (path_or_name, data = None, document_type = "reference".to_string()))]
    fn ingest_document(
        &self,
        py: Python<'_>,
        path_or_name: String,
        data: Option<Vec<u8>>,
        document_type: String,
    ) -> PyResult<Document> {
        block(py, ops::ingest_document(self.sdk.clone(), path_or_name, data, document_type))
    }

    /// A document and its ingestion status.
    fn document(&self, py: Python<'_>, document_id: String) -> PyResult<Document> {
        block(py, ops::document(self.sdk.clone(), document_id))
    }

    /// Waits until the document is indexed.
    #[pyo3(signature = (document_id, timeout = 120.0))]
    fn wait_for_document(&self, py: Python<'_>, document_id: String, timeout: f64) -> PyResult<Document> {
        block(py, ops::wait_for_document(self.sdk.clone(), document_id, secs(timeout)?))
    }

    /// Asks Otto and returns the whole answer with citations.
    #[pyo3(signature = (question, follow_up = false))]
    fn ask(&self, py: Python<'_>, question: String, follow_up: bool) -> PyResult<Answer> {
        block(py, ops::ask(self.sdk.clone(), question, follow_up))
    }

    /// Asks Otto and iterates over the answer's text as it streams; the finished answer is
    /// then on the stream's `answer`.
    #[pyo3(signature = (question, follow_up = false))]
    fn ask_stream(&self, py: Python<'_>, question: String, follow_up: bool) -> PyResult<AskStream> {
        block(py, ops::ask_stream(self.sdk.clone(), question, follow_up))
    }

    /// Performance metrics (the company, or your own for CSRs and reps).
    #[pyo3(signature = (date_range = None))]
    fn performance(&self, py: Python<'_>, date_range: Option<String>) -> PyResult<Performance> {
        block(py, ops::performance(self.sdk.clone(), query(date_range, None, None)))
    }

    /// Per-rep performance.
    #[pyo3(signature = (date_range = None, limit = None, offset = None))]
    fn rep_performance(
        &self,
        py: Python<'_>,
        date_range: Option<String>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> PyResult<RepPerformance> {
        block(py, ops::rep_performance(self.sdk.clone(), query(date_range, limit, offset)))
    }

    /// Objection frequency and impact.
    #[pyo3(signature = (date_range = None, limit = None, offset = None))]
    fn objection_analytics(
        &self,
        py: Python<'_>,
        date_range: Option<String>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> PyResult<ObjectionAnalytics> {
        block(py, ops::objection_analytics(self.sdk.clone(), query(date_range, limit, offset)))
    }

    /// Lead quality, sources and a page of leads.
    #[pyo3(signature = (date_range = None, limit = None, offset = None))]
    fn lead_analytics(
        &self,
        py: Python<'_>,
        date_range: Option<String>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> PyResult<LeadAnalytics> {
        block(py, ops::lead_analytics(self.sdk.clone(), query(date_range, limit, offset)))
    }

    /// Stops background work (embedded) or closes the Ask Otto connection (remote).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        block(py, ops::close(self.sdk.clone()))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("<otto.Otto {}>", self.sdk.mode())
    }
}

/// Otto, asyncio API: the same methods as [`Otto`], returning awaitables.
#[pyclass(frozen, module = "otto")]
pub struct AsyncOtto {
    sdk: Sdk,
}

#[pymethods]
impl AsyncOtto {
    /// Embedded Otto (awaitable).
    #[staticmethod]
    #[pyo3(signature = (data_dir, *, company_id, user_id, role = "manager".to_string(), workers = 1))]
    fn open(
        py: Python<'_>,
        data_dir: std::path::PathBuf,
        company_id: String,
        user_id: String,
        role: String,
        workers: usize,
    ) -> PyResult<Bound<'_, PyAny>> {
        let fut = ops::open(embedded(data_dir, company_id, user_id, role, workers));
        awaitable(py, Box::pin(async move { Ok(AsyncOtto { sdk: fut.await? }) }))
    }

    /// Remote Otto (awaitable).
    #[staticmethod]
    #[pyo3(signature = (base_url, *, token, company_id, timeout = 60.0))]
    fn connect(
        py: Python<'_>,
        base_url: String,
        token: String,
        company_id: String,
        timeout: f64,
    ) -> PyResult<Bound<'_, PyAny>> {
        let fut = ops::connect(remote(base_url, token, company_id, timeout)?);
        awaitable(py, Box::pin(async move { Ok(AsyncOtto { sdk: fut.await? }) }))
    }

    /// `"embedded"` or `"remote"`.
    #[getter]
    fn mode(&self) -> &'static str {
        self.sdk.mode()
    }

    #[pyo3(signature = (call = None, **fields))]
    fn submit_call<'py>(
        &self,
        py: Python<'py>,
        call: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::submit_call(self.sdk.clone(), call_body(call, fields)?))
    }

    fn call<'py>(&self, py: Python<'py>, call_id: String) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::call(self.sdk.clone(), call_id))
    }

    #[pyo3(signature = (call_id, timeout = 120.0))]
    fn wait_for_call<'py>(&self, py: Python<'py>, call_id: String, timeout: f64) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::wait_for_call(self.sdk.clone(), call_id, secs(timeout)?))
    }

    fn analysis<'py>(&self, py: Python<'py>, call_id: String) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::analysis(self.sdk.clone(), call_id))
    }

    fn objections<'py>(&self, py: Python<'py>, call_id: String) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::objections(self.sdk.clone(), call_id))
    }

    #[pyo3(signature = (path_or_name, data = None, document_type = "reference".to_string()))]
    fn ingest_document<'py>(
        &self,
        py: Python<'py>,
        path_or_name: String,
        data: Option<Vec<u8>>,
        document_type: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::ingest_document(self.sdk.clone(), path_or_name, data, document_type))
    }

    fn document<'py>(&self, py: Python<'py>, document_id: String) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::document(self.sdk.clone(), document_id))
    }

    #[pyo3(signature = (document_id, timeout = 120.0))]
    fn wait_for_document<'py>(
        &self,
        py: Python<'py>,
        document_id: String,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::wait_for_document(self.sdk.clone(), document_id, secs(timeout)?))
    }

    #[pyo3(signature = (question, follow_up = false))]
    fn ask<'py>(&self, py: Python<'py>, question: String, follow_up: bool) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::ask(self.sdk.clone(), question, follow_up))
    }

    /// Awaitable of an [`AskStream`] to `async for` over.
    #[pyo3(signature = (question, follow_up = false))]
    fn ask_stream<'py>(&self, py: Python<'py>, question: String, follow_up: bool) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::ask_stream(self.sdk.clone(), question, follow_up))
    }

    #[pyo3(signature = (date_range = None))]
    fn performance<'py>(&self, py: Python<'py>, date_range: Option<String>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::performance(self.sdk.clone(), query(date_range, None, None)))
    }

    #[pyo3(signature = (date_range = None, limit = None, offset = None))]
    fn rep_performance<'py>(
        &self,
        py: Python<'py>,
        date_range: Option<String>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::rep_performance(self.sdk.clone(), query(date_range, limit, offset)))
    }

    #[pyo3(signature = (date_range = None, limit = None, offset = None))]
    fn objection_analytics<'py>(
        &self,
        py: Python<'py>,
        date_range: Option<String>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::objection_analytics(self.sdk.clone(), query(date_range, limit, offset)))
    }

    #[pyo3(signature = (date_range = None, limit = None, offset = None))]
    fn lead_analytics<'py>(
        &self,
        py: Python<'py>,
        date_range: Option<String>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::lead_analytics(self.sdk.clone(), query(date_range, limit, offset)))
    }

    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, ops::close(self.sdk.clone()))
    }

    fn __aenter__<'py>(slf: Py<Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, Box::pin(async move { Ok(slf) }))
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, pyo3::types::PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let close = ops::close(self.sdk.clone());
        awaitable(
            py,
            Box::pin(async move {
                close.await?;
                Ok(false)
            }),
        )
    }

    fn __repr__(&self) -> String {
        format!("<otto.AsyncOtto {}>", self.sdk.mode())
    }
}

/// A streamed Ask Otto answer: iterate (`for` or `async for`) over the text pieces; after the
/// last one, `answer` holds the complete `Answer` with citations.
#[pyclass(frozen, module = "otto")]
pub struct AskStream {
    events: Arc<Mutex<otto_sdk::AskStream>>,
    answer: Arc<std::sync::Mutex<Option<Answer>>>,
}

/// What one step of the stream produced.
enum Step {
    Chunk(String),
    End,
}

impl AskStream {
    fn new(s: otto_sdk::AskStream) -> Self {
        Self { events: Arc::new(Mutex::new(s)), answer: Arc::default() }
    }

    fn step(&self) -> Fut<Step> {
        let (events, answer) = (Arc::clone(&self.events), Arc::clone(&self.answer));
        Box::pin(async move {
            match events.lock().await.next().await {
                Some(otto_sdk::AskEvent::Chunk(c)) => Ok(Step::Chunk(c)),
                Some(otto_sdk::AskEvent::Complete(a)) => {
                    if let Ok(mut slot) = answer.lock() {
                        *slot = Some(rec(a));
                    }
                    Ok(Step::End)
                }
                Some(otto_sdk::AskEvent::Failed(e)) => Err(e),
                None => Ok(Step::End),
            }
        })
    }
}

#[pymethods]
impl AskStream {
    /// The complete answer, once the stream has been read to the end.
    #[getter]
    fn answer(&self) -> Option<Answer> {
        self.answer.lock().ok().and_then(|a| a.clone())
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        Ok(match block(py, self.step())? {
            Step::Chunk(c) => Some(c),
            Step::End => None,
        })
    }

    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let step = self.step();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            match step.await.map_err(errors::to_py)? {
                Step::Chunk(c) => Ok(c),
                Step::End => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }
}

#[pymodule]
fn _otto(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Otto>()?;
    m.add_class::<AsyncOtto>()?;
    m.add_class::<AskStream>()?;
    m.add_class::<Record>()?;
    m.add_class::<Call>()?;
    m.add_class::<Analysis>()?;
    m.add_class::<Objections>()?;
    m.add_class::<Objection>()?;
    m.add_class::<Document>()?;
    m.add_class::<Answer>()?;
    m.add_class::<Citation>()?;
    m.add_class::<Performance>()?;
    m.add_class::<RepPerformance>()?;
    m.add_class::<ObjectionAnalytics>()?;
    m.add_class::<LeadAnalytics>()?;
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
