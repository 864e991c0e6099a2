//! OpenAI-compatible speech recognition: `POST {base}/v1/audio/transcriptions` (OpenAI,
//! faster-whisper servers, LocalAI, Groq...), multipart upload, `verbose_json` segments.

use async_trait::async_trait;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;

use super::http::{self, HttpPolicy};
use crate::error::{Error, Result};
use crate::ports::{AsrEngine, TranscribeRequest, Transcription, TranscriptionSegment};

/// Settings of [`OpenAiTranscriber`].
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiTranscribeConfig {
    /// Base URL without `/v1`, e.g. `https://api.openai.com` or `http://localhost:8000`.
    pub base_url: String,
    /// Bearer key; empty for local servers without auth.
    pub api_key: String,
    /// Model, e.g. `whisper-1`.
    pub model: String,
    /// Timeouts and retries.
    pub policy: HttpPolicy,
}

impl OpenAiTranscribeConfig {
    /// OpenAI's API with `whisper-1`.
    pub fn openai(api_key: impl Into<String>) -> Self {
        Self {
            base_url: "https://api.openai.com".into(),
            api_key: api_key.into(),
            model: "whisper-1".into(),
            policy: HttpPolicy::default(),
        }
    }
}

/// An [`AsrEngine`] over an OpenAI-compatible transcription endpoint.
#[derive(Debug)]
pub struct OpenAiTranscriber {
    config: OpenAiTranscribeConfig,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct VerboseJson {
    #[serde(default)]
    text: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    segments: Option<Vec<VerboseSegment>>,
}

#[derive(Deserialize)]
struct VerboseSegment {
    start: f64,
    end: f64,
    text: String,
    #[serde(default)]
    avg_logprob: Option<f64>,
}

impl OpenAiTranscriber {
    /// An adapter for `config`.
    ///
    /// # Errors
    ///
    /// `Backend` when the HTTP client can't be built.
    pub fn new(config: OpenAiTranscribeConfig) -> Result<Self> {
        let client = http::client(&config.policy, "openai-transcriptions")?;
        Ok(Self { config, client })
    }

    fn url(&self) -> String {
        format!("{}/v1/audio/transcriptions", self.config.base_url.trim_end_matches('/').trim_end_matches("/v1"))
    }
}

#[async_trait]
impl AsrEngine for OpenAiTranscriber {
    fn name(&self) -> String {
        format!("openai:{}", self.config.model)
    }

    async fn transcribe(&self, req: TranscribeRequest) -> Result<Transcription> {
        let wav = http::wav_upload(&req.samples_16k);
        let language = req.language.clone().map(|l| l.split(['-', '_']).next().unwrap_or("en").to_lowercase());
        let body = http::send("openai-transcriptions", &self.config.policy, || {
            let file = Part::bytes(wav.clone())
                .file_name("audio.wav")
                .mime_str("audio/wav")
                .map_err(|e| Error::internal(e.to_string()))?;
            let mut form = Form::new()
                .part("file", file)
                .text("model", self.config.model.clone())
                .text("response_format", "verbose_json")
                .text("timestamp_granularities[]", "segment")
                .text("temperature", "0");
            if let Some(l) = &language {
                form = form.text("language", l.clone());
            }
            let mut rb = self.client.post(self.url()).multipart(form);
            if !self.config.api_key.is_empty() {
                rb = rb.bearer_auth(&self.config.api_key);
            }
            Ok(rb)
        })
        .await?;
        let parsed: VerboseJson = serde_json::from_slice(&body).map_err(|e| {
            Error::backend(http::ProviderError {
                provider: "openai-transcriptions",
                status: 200,
                message: format!("unreadable verbose_json answer: {e}"),
            })
        })?;
        let duration = req.samples_16k.len() as f64 / 16_000.0;
        let segments = match parsed.segments {
            Some(segs) => segs
                .into_iter()
                .filter(|s| !s.text.trim().is_empty())
                .map(|s| TranscriptionSegment {
                    start: s.start,
                    end: s.end,
                    text: s.text.trim().to_string(),
                    confidence: s.avg_logprob.map_or(0.8, |lp| lp.exp().clamp(0.0, 1.0) as f32),
                    speaker: None,
                })
                .collect(),
            // Servers that ignore verbose_json still return `text`: one segment for all of it.
            None if !parsed.text.trim().is_empty() => vec![TranscriptionSegment {
                start: 0.0,
                end: duration,
                text: parsed.text.trim().to_string(),
                confidence: 0.8,
                speaker: None,
            }],
            None => Vec::new(),
        };
        Ok(Transcription {
            segments,
            language: parsed.language.or(language).unwrap_or_else(|| "en".into()),
            engine: self.name(),
        })
    }
}
