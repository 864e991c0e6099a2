//! Server configuration: defaults, then a TOML file, then `OTTO_*` environment variables
//! (nested keys with `__`, e.g. `OTTO_RATE_LIMITS__CALLS=500`).

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use otto_core::Error;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::ratelimit::RateLimits;

/// Everything `otto serve` can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Listen address.
    pub addr: String,
    /// Data directory: SQLite database, blobs, generated secret, models.
    pub data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL; empty for SQLite in the data directory.
    pub database_url: Option<String>,
    /// HS256 signing secret. When neither this nor `jwks_url` is set, a secret is generated
    /// into `<data_dir>/jwt_secret` on first start.
    pub jwt_secret: Option<String>,
    /// JWKS URL of an identity provider issuing RS256 tokens.
    pub jwks_url: Option<String>,
    /// Requests per minute per caller, per API category.
    pub rate_limits: RateLimits,
    /// `text` or `json` logs.
    pub log_format: String,
    /// Background workers processing calls (0: this process only serves the API).
    pub workers: usize,
    /// `offline` (default: the built-in rules engine) or `llm` (the `[llm]` model, falling back
    /// to the offline engine when the model fails).
    pub analysis_engine: String,
    /// A language model, for `analysis_engine = "llm"`.
    pub llm: Option<LlmConfig>,
    /// `[embeddings]`: an OpenAI-compatible embeddings endpoint for hybrid Ask Otto retrieval
    /// (instead of the local MiniLM model).
    pub embeddings: Option<EmbeddingsConfig>,
    /// Where hybrid retrieval keeps its vectors: `memory` (default: the in-process index under
    /// `<data_dir>/vectors`) or `pgvector` (the PostgreSQL database, shared by every server
    /// process; needs `database_url` and the pgvector extension).
    pub vector_index: String,
    /// Ask Otto WebSocket sessions close after this many idle seconds (a `timeout` warning
    /// comes 5 minutes before).
    pub rag_session_idle_secs: u64,
    /// `[asr]`: the speech recognition engine (see [`crate::speech::AsrConfig`]).
    pub asr: crate::speech::AsrConfig,
    /// Let recordings be fetched from private, loopback or link-local addresses
    /// (`OTTO_ALLOW_PRIVATE_URLS=true`; off so a URL in a request can't reach internal services).
    pub allow_private_urls: bool,
    /// Let recordings be read from `file://` URLs (`OTTO_ALLOW_FILE_URLS=true`).
    pub allow_file_urls: bool,
    /// `[webhooks]`: CallRail signature secret and company mapping.
    pub webhooks: crate::speech::WebhooksConfig,
    /// `[media]`: playback links of stored recordings.
    pub media: crate::speech::MediaConfig,
}

/// An embeddings provider: any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM,
/// llama.cpp, LM Studio, text-embeddings-inference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingsConfig {
    /// Model name, e.g. `text-embedding-3-small`.
    pub model: String,
    /// Vector length the model returns (e.g. 1536 for `text-embedding-3-small`).
    pub dimensions: usize,
    /// API base URL (default `https://api.openai.com/v1`).
    pub base_url: Option<String>,
    /// API key (`OTTO_EMBEDDINGS__API_KEY`); local servers need none.
    pub api_key: Option<String>,
    /// Request timeout in seconds (default 60).
    pub timeout_secs: Option<u64>,
}

/// A language model provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmConfig {
    /// `openai` (any OpenAI-compatible server: OpenAI, Ollama, vLLM, llama.cpp, LM Studio) or
    /// `anthropic`.
    pub provider: String,
    /// Model name.
    pub model: String,
    /// API base URL (default: the provider's).
    pub base_url: Option<String>,
    /// API key (`OTTO_LLM__API_KEY`); local servers need none.
    pub api_key: Option<String>,
    /// Request timeout in seconds (default 60).
    pub timeout_secs: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("otto-data"),
            database_url: None,
            jwt_secret: None,
            jwks_url: None,
            rate_limits: RateLimits::default(),
            log_format: "text".into(),
            workers: 2,
            analysis_engine: "offline".into(),
            llm: None,
            embeddings: None,
            vector_index: "memory".into(),
            rag_session_idle_secs: 1800,
            asr: crate::speech::AsrConfig::default(),
            allow_private_urls: false,
            allow_file_urls: false,
            webhooks: crate::speech::WebhooksConfig::default(),
            media: crate::speech::MediaConfig::default(),
        }
    }
}

/// Where the HS256 secret came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `jwt_secret` in the config or `OTTO_JWT_SECRET`.
    Configured,
    /// `<data_dir>/jwt_secret`, written by an earlier start.
    DataDir(PathBuf),
    /// Generated just now into this file.
    Generated(PathBuf),
}

impl Config {
    /// Loads defaults <- `file` (if given) <- `OTTO_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Error> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            if !f.exists() {
                return Err(Error::invalid("config", format!("{} does not exist", f.display())));
            }
            fig = fig.merge(Toml::file(f));
        }
        fig.merge(Env::prefixed("OTTO_").split("__")).extract().map_err(|e| Error::invalid("config", e.to_string()))
    }

    /// The HS256 secret, if HS256 tokens are accepted: the configured one, else the data dir's
    /// (generated on first use) unless only a JWKS is configured.
    pub fn hs256_secret(&self) -> Result<Option<(Vec<u8>, SecretSource)>, Error> {
        if let Some(s) = self.jwt_secret.as_deref().filter(|s| !s.is_empty()) {
            if s.len() < 16 {
                return Err(Error::invalid("jwt_secret", "must be at least 16 characters"));
            }
            return Ok(Some((s.as_bytes().to_vec(), SecretSource::Configured)));
        }
        if self.jwks_url.is_some() {
            return Ok(None);
        }
        let path = self.data_dir.join("jwt_secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim();
            if !existing.is_empty() {
                return Ok(Some((existing.as_bytes().to_vec(), SecretSource::DataDir(path))));
            }
        }
        std::fs::create_dir_all(&self.data_dir).map_err(Error::backend)?;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let secret = hex::encode(bytes);
        write_private(&path, &secret)?;
        Ok(Some((secret.into_bytes(), SecretSource::Generated(path))))
    }
}

fn write_private(path: &Path, contents: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(Error::backend)?;
    f.write_all(contents.as_bytes()).map_err(Error::backend)
}
