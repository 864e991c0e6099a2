//! Deepgram pre-recorded transcription (`POST /v1/listen`): model choice (`nova-2`...), speaker
//! diarization, multichannel and utterances.

use async_trait::async_trait;
use serde::Deserialize;

use super::http::{self, HttpPolicy};
use crate::error::{Error, Result};
use crate::ports::{AsrEngine, TranscribeRequest, Transcription, TranscriptionSegment};

/// Settings of [`DeepgramTranscriber`].
#[derive(Debug, Clone, PartialEq)]
pub struct DeepgramConfig {
    /// API base, default `https://api.deepgram.com`.
    pub base_url: String,
    /// API key (sent as `Authorization: Token <key>`).
    pub api_key: String,
    /// Model, e.g. `nova-2`.
    pub model: String,
    /// Ask Deepgram to label speakers (segments then carry `speaker`).
    pub diarize: bool,
    /// Transcribe each channel separately (segments carry the channel as speaker `ch<N>`).
    pub multichannel: bool,
    /// Timeouts and retries.
    pub policy: HttpPolicy,
}

impl DeepgramConfig {
    /// `nova-2` with diarization on.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            base_url: "https://api.deepgram.com".into(),
            api_key: api_key.into(),
            model: "nova-2".into(),
            diarize: true,
            multichannel: false,
            policy: HttpPolicy::default(),
        }
    }
}

/// An [`AsrEngine`] over Deepgram's pre-recorded API.
#[derive(Debug)]
pub struct DeepgramTranscriber {
    config: DeepgramConfig,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Listen {
    results: ListenResults,
}

#[derive(Deserialize)]
struct ListenResults {
    #[serde(default)]
    channels: Vec<Channel>,
    #[serde(default)]
    utterances: Option<Vec<Utterance>>,
}

#[derive(Deserialize)]
struct Channel {
    #[serde(default)]
    alternatives: Vec<Alternative>,
    #[serde(default)]
    detected_language: Option<String>,
}

#[derive(Deserialize)]
struct Alternative {
    #[serde(default)]
    transcript: String,
    #[serde(default)]
    confidence: f32,
    #[serde(default)]
    words: Vec<Word>,
}

#[derive(Deserialize)]
struct Word {
    start: f64,
    end: f64,
}

#[derive(Deserialize)]
struct Utterance {
    start: f64,
    end: f64,
    #[serde(default)]
    confidence: f32,
    #[serde(default)]
    channel: usize,
    transcript: String,
    #[serde(default)]
    speaker: Option<u32>,
}

impl DeepgramTranscriber {
    /// An adapter for `config`.
    ///
    /// # Errors
    ///
    /// `Backend` when the HTTP client can't be built.
    pub fn new(config: DeepgramConfig) -> Result<Self> {
        let client = http::client(&config.policy, "deepgram")?;
        Ok(Self { config, client })
    }

    fn query(&self, language: Option<&str>) -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("model", self.config.model.clone()),
            ("punctuate", "true".into()),
            ("smart_format", "true".into()),
            ("utterances", "true".into()),
            ("diarize", self.config.diarize.to_string()),
            ("multichannel", self.config.multichannel.to_string()),
        ];
        match language {
            Some(l) => q.push(("language", l.to_string())),
            None => q.push(("detect_language", "true".into())),
        }
        q
    }
}

#[async_trait]
impl AsrEngine for DeepgramTranscriber {
    fn name(&self) -> String {
        format!("deepgram:{}", self.config.model)
    }

    async fn transcribe(&self, req: TranscribeRequest) -> Result<Transcription> {
        let wav = http::wav_upload(&req.samples_16k);
        let url = format!("{}/v1/listen", self.config.base_url.trim_end_matches('/'));
        let query = self.query(req.language.as_deref());
        let body = http::send("deepgram", &self.config.policy, || {
            Ok(self
                .client
                .post(&url)
                .query(&query)
                .header(reqwest::header::AUTHORIZATION, format!("Token {}", self.config.api_key))
                .header(reqwest::header::CONTENT_TYPE, "audio/wav")
                .body(wav.clone()))
        })
        .await?;
        let parsed: Listen = serde_json::from_slice(&body).map_err(|e| {
            Error::backend(http::ProviderError {
                provider: "deepgram",
                status: 200,
                message: format!("unreadable /v1/listen answer: {e}"),
            })
        })?;
        let detected = parsed.results.channels.first().and_then(|c| c.detected_language.clone());
        let segments: Vec<TranscriptionSegment> = match parsed.results.utterances {
            Some(utterances) if !utterances.is_empty() => utterances
                .into_iter()
                .filter(|u| !u.transcript.trim().is_empty())
                .map(|u| TranscriptionSegment {
                    start: u.start,
                    end: u.end,
                    text: u.transcript.trim().to_string(),
                    confidence: u.confidence,
                    speaker: if self.config.multichannel {
                        Some(format!("ch{}", u.channel))
                    } else {
                        u.speaker.map(|s| s.to_string())
                    },
                })
                .collect(),
            _ => parsed
                .results
                .channels
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.alternatives.first().map(|a| (i, a)))
                .filter(|(_, a)| !a.transcript.trim().is_empty())
                .map(|(i, a)| TranscriptionSegment {
                    start: a.words.first().map_or(0.0, |w| w.start),
                    end: a.words.last().map_or(req.samples_16k.len() as f64 / 16_000.0, |w| w.end),
                    text: a.transcript.trim().to_string(),
                    confidence: a.confidence,
                    speaker: self.config.multichannel.then(|| format!("ch{i}")),
                })
                .collect(),
        };
        Ok(Transcription {
            segments,
            language: req.language.or(detected).unwrap_or_else(|| "en".into()),
            engine: self.name(),
        })
    }
}
