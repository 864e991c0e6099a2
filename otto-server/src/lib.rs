//! # otto-server
//!
//! Otto's HTTP API over [`otto_core`]: axum routes per API category, JWT auth, per-category
//! rate limits, the spec's error body, OpenAPI generated from the routes (served at `/docs`),
//! and Prometheus metrics at `/metrics`. The `otto` binary (`src/main.rs`) wraps it in a CLI.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod ratelimit;
pub mod request_id;
pub mod routes;
pub mod signing;
pub mod speech;
pub mod state;

use std::sync::Arc;

pub use app::{openapi, router};
pub use config::Config;
pub use state::AppState;

use otto_core::adapters::fs_blob::FsBlobStore;
use otto_core::adapters::sql::{PostgresStore, SqliteStore};
use otto_core::ports::Store;
use otto_core::{Error, Otto};

/// Opens the engine the config describes: PostgreSQL when `database_url` is a `postgres://`
/// URL, else SQLite in the data directory; blobs in the data directory.
pub async fn open_otto(config: &Config) -> Result<Otto, Error> {
    std::fs::create_dir_all(&config.data_dir).map_err(Error::backend)?;
    let store: Arc<dyn Store> = match config.database_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Arc::new(PostgresStore::open(url).await?)
        }
        Some(url) if url.starts_with("sqlite:") => Arc::new(SqliteStore::open_url(url).await?),
        Some(other) => {
            return Err(Error::invalid("database_url", format!("`{other}` is neither postgres:// nor sqlite:")))
        }
        None => Arc::new(SqliteStore::open(config.data_dir.join("otto.db")).await?),
    };
    let blobs = Arc::new(FsBlobStore::open(config.data_dir.join("blobs"))?);
    let mut builder = Otto::builder().store(store).blobs(blobs);
    let llm = config.llm.as_ref().map(llm_engine).transpose()?;
    if let Some(llm) = &llm {
        builder = builder.llm(Arc::clone(llm));
    }
    match (config.analysis_engine.as_str(), llm) {
        ("offline", _) => {}
        ("llm", Some(llm)) => builder = builder.analyzer(Arc::new(otto_core::analyzers::LlmAnalyzer::new(llm))),
        ("llm", None) => {
            return Err(Error::invalid("analysis_engine", "`llm` needs an [llm] section (provider, model)"))
        }
        (other, _) => return Err(Error::invalid("analysis_engine", format!("`{other}` is neither offline nor llm"))),
    }
    if let Some(asr) = speech::asr_engine(config).await? {
        builder = builder.asr(asr);
    }
    if let Some((embedder, vectors)) = dense_retrieval(config).await? {
        builder = builder.embedder(embedder).vectors(vectors);
    }
    builder.build()
}

/// An embedder and the vector index it fills.
type DenseRetrieval = (Arc<dyn otto_core::ports::Embedder>, Arc<dyn otto_core::ports::VectorIndex>);

/// Why Ask Otto retrieval is lexical only with this config, build and data dir, or None when an
/// embedder (an `[embeddings]` endpoint, or MiniLM installed in the data dir) and the in-process
/// vector index make it hybrid.
pub fn lexical_reason(config: &Config) -> Option<String> {
    if config.embeddings.is_some() {
        return None;
    }
    if !cfg!(feature = "embed-minilm") {
        return Some("no [embeddings] endpoint, and built without the `embed-minilm` feature".into());
    }
    match otto_core::models::minilm_installed(&otto_core::models::minilm_dir(&config.data_dir)) {
        Ok(true) => None,
        Ok(false) => Some("MiniLM is not installed; run `otto models install minilm`".into()),
        Err(e) => Some(format!("the MiniLM install is unusable: {e}")),
    }
}

/// The embedder and vector index for hybrid retrieval: the `[embeddings]` endpoint, else
/// all-MiniLM-L6-v2 from `<data_dir>/models/minilm` (feature `embed-minilm`); vectors go to the
/// `vector_index`: the in-process index persisted in `<data_dir>/vectors`, or pgvector. None
/// (lexical) when there is no embedder.
async fn dense_retrieval(config: &Config) -> Result<Option<DenseRetrieval>, Error> {
    if let Some(why) = lexical_reason(config) {
        tracing::info!("Ask Otto retrieval: lexical ({why})");
        return Ok(None);
    }
    let embedder = match &config.embeddings {
        Some(e) => remote_embedder(e)?,
        None => local_embedder(config)?,
    };
    let (name, dims) = (embedder.name(), embedder.dimensions());
    let (index, fresh, count): (Arc<dyn otto_core::ports::VectorIndex>, bool, Option<usize>) =
        match config.vector_index.as_str() {
            "memory" => {
                let dir = config.data_dir.join("vectors");
                let index = otto_core::adapters::vector_mem::MemoryVectorIndex::open(&dir, &name, dims)?;
                let (fresh, len) = (index.is_fresh(), index.len());
                (Arc::new(index), fresh, Some(len))
            }
            "pgvector" => {
                let url = config
                    .database_url
                    .as_deref()
                    .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
                    .ok_or_else(|| Error::invalid("vector_index", "`pgvector` needs a postgres:// database_url"))?;
                let index = otto_core::adapters::sql::PgVectorIndex::connect(url, &name, dims).await?;
                let fresh = index.is_fresh();
                (Arc::new(index), fresh, None)
            }
            other => return Err(Error::invalid("vector_index", format!("`{other}` is neither memory nor pgvector"))),
        };
    if fresh {
        tracing::warn!(
            "the vector index is new: calls and documents indexed before now have no vectors until \
             POST /api/v1/maintenance/vectors/reindex rebuilds them"
        );
    }
    tracing::info!(vectors = ?count, embedder = %name, index = index.name(), "Ask Otto retrieval: hybrid");
    Ok(Some((embedder, index)))
}

/// The `[embeddings]` endpoint.
fn remote_embedder(e: &config::EmbeddingsConfig) -> Result<Arc<dyn otto_core::ports::Embedder>, Error> {
    use otto_core::adapters::llm::{OpenAiConfig, OpenAiEmbedder};
    let mut cfg = OpenAiConfig::new(&e.model).timeout(std::time::Duration::from_secs(e.timeout_secs.unwrap_or(60)));
    if let Some(u) = &e.base_url {
        cfg = cfg.base_url(u);
    }
    if let Some(k) = &e.api_key {
        cfg = cfg.api_key(k);
    }
    Ok(Arc::new(OpenAiEmbedder::new(cfg, e.dimensions)?))
}

#[cfg(feature = "embed-minilm")]
fn local_embedder(config: &Config) -> Result<Arc<dyn otto_core::ports::Embedder>, Error> {
    let dir = otto_core::models::minilm_dir(&config.data_dir);
    Ok(Arc::new(otto_core::adapters::embed::MiniLmEmbedder::load(&dir)?))
}

#[cfg(not(feature = "embed-minilm"))]
fn local_embedder(_config: &Config) -> Result<Arc<dyn otto_core::ports::Embedder>, Error> {
    Err(Error::internal("MiniLM is not built in (feature `embed-minilm`)"))
}

/// The language model an `[llm]` section describes.
fn llm_engine(c: &config::LlmConfig) -> Result<Arc<dyn otto_core::ports::LlmEngine>, Error> {
    use otto_core::adapters::llm::{AnthropicConfig, AnthropicEngine, OpenAiConfig, OpenAiEngine};
    let timeout = std::time::Duration::from_secs(c.timeout_secs.unwrap_or(60));
    Ok(match c.provider.as_str() {
        "openai" => {
            let mut cfg = OpenAiConfig::new(&c.model).timeout(timeout);
            if let Some(u) = &c.base_url {
                cfg = cfg.base_url(u);
            }
            if let Some(k) = &c.api_key {
                cfg = cfg.api_key(k);
            }
            Arc::new(OpenAiEngine::new(cfg)?)
        }
        "anthropic" => {
            let mut cfg = AnthropicConfig::new(&c.model).timeout(timeout);
            if let Some(u) = &c.base_url {
                cfg = cfg.base_url(u);
            }
            if let Some(k) = &c.api_key {
                cfg = cfg.api_key(k);
            }
            Arc::new(AnthropicEngine::new(cfg)?)
        }
        other => return Err(Error::invalid("llm.provider", format!("`{other}` is neither openai nor anthropic"))),
    })
}

/// Builds the HTTP state from a config (opening the store, resolving the JWT secret).
pub async fn build_state(config: &Config) -> Result<(AppState, Option<config::SecretSource>), Error> {
    let otto = open_otto(config).await?;
    let secret = config.hs256_secret()?;
    let auth = auth::Authenticator::new(secret.as_ref().map(|(s, _)| s.as_slice()), config.jwks_url.as_deref());
    let state = AppState {
        otto,
        auth: Arc::new(auth),
        limiter: Arc::new(ratelimit::RateLimiter::new(&config.rate_limits)),
        ws_timings: routes::rag::WsTimings {
            idle: std::time::Duration::from_secs(config.rag_session_idle_secs.max(60)),
            ..Default::default()
        },
        speech: Arc::new(speech::SpeechState::new(config, secret.as_ref().map(|(s, _)| s.as_slice()))?),
    };
    Ok((state, secret.map(|(_, src)| src)))
}

/// Starts `config.workers` pipeline workers on the engine; they stop (after the job in hand)
/// when `shutdown` turns true.
pub fn spawn_workers(
    otto: &Otto,
    config: &Config,
    shutdown: &tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..config.workers)
        .map(|_| tokio::spawn(worker(otto, config, otto_core::jobs::WorkerConfig::default()).run(shutdown.clone())))
        .collect()
}

/// A pipeline worker with every stage, the speech stage following the config's fetch rules
/// (`allow_private_urls`, `allow_file_urls`) rather than only the environment.
pub fn worker(otto: &Otto, config: &Config, worker_config: otto_core::jobs::WorkerConfig) -> otto_core::jobs::Worker {
    // Registering `call.process_audio` again replaces the environment-configured handler.
    otto_core::pipeline::speech::register(
        otto_core::pipeline::worker(otto, worker_config),
        otto,
        speech::speech_config(config),
    )
}

/// Serves `state` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// The OpenAPI document as YAML, exactly as committed in `openapi.yaml`.
pub fn openapi_yaml() -> String {
    openapi().to_yaml().unwrap_or_else(|e| format!("# could not render: {e}\n"))
}
