//! OpenAI-compatible chat completions (`POST {base_url}/chat/completions`).
//!
//! The same wire format is served by OpenAI, Azure-style gateways, Ollama, vLLM, the llama.cpp
//! server and LM Studio, so the key is optional (local servers need none) and the base URL is
//! the only thing that changes between them.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde::Deserialize;
use serde_json::{json, Value};

use super::sse::SseEvent;
use super::transport::{schema_name, text_stream, RetryPolicy, Step, StreamHandler, Transport};
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{Completion, CompletionRequest, LlmEngine, TextStream};

/// Settings of an [`OpenAiEngine`]. Start from [`OpenAiConfig::new`] and adjust with the
/// builder methods; `Debug` never prints the key.
#[derive(Clone)]
#[non_exhaustive]
pub struct OpenAiConfig {
    /// API root including the version, e.g. `https://api.openai.com/v1` or
    /// `http://localhost:11434/v1` (Ollama); `/chat/completions` is appended.
    pub base_url: String,
    /// Bearer key; `None` for local servers that need none.
    pub api_key: Option<String>,
    /// Model name sent with every request.
    pub model: String,
    /// Budget for one attempt; while streaming, the longest wait between two chunks.
    pub timeout: Duration,
    /// Retries after a 408, 429, 5xx or refused connection.
    pub max_retries: u32,
    /// Longest wait between attempts; a provider asking for more gets `RateLimited` back at once.
    pub max_retry_wait: Duration,
    /// First backoff when the provider names no delay; doubles on each retry.
    pub retry_base_delay: Duration,
}

http_llm_config!(
    OpenAiConfig,
    "https://api.openai.com/v1",
    "OpenAI's public API with `model`, no key, a 60 s timeout and 2 retries."
);

/// The transport to `{base_url}/{path}` with the config's key and retry policy (chat and
/// embeddings share it).
pub(super) fn transport(config: &OpenAiConfig, path: &str) -> Result<Transport> {
    let mut headers = HeaderMap::new();
    if let Some(key) = config.api_key.as_deref().filter(|k| !k.is_empty()) {
        let value = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| Error::invalid("api_key", "contains characters not allowed in an HTTP header"))?;
        headers.insert(AUTHORIZATION, value);
    }
    let url = format!("{}/{path}", config.base_url.trim_end_matches('/'));
    let policy = RetryPolicy {
        timeout: config.timeout,
        max_retries: config.max_retries,
        max_retry_wait: config.max_retry_wait,
        retry_base_delay: config.retry_base_delay,
    };
    Transport::new("openai", url, headers, policy, config.api_key.clone())
}

/// An [`LlmEngine`] over an OpenAI-compatible chat-completions endpoint.
pub struct OpenAiEngine {
    transport: Transport,
    model: String,
}

impl OpenAiEngine {
    /// An engine with `config`. Fails only if the HTTP client cannot be set up or the key is
    /// not a valid header value.
    pub fn new(config: OpenAiConfig) -> Result<Self> {
        let transport = transport(&config, "chat/completions")?;
        Ok(Self { transport, model: config.model })
    }

    fn body(&self, req: &CompletionRequest, stream: bool) -> Value {
        let mut body = json!({
            "model": self.model,
            "messages": req.messages,
            "temperature": req.temperature,
            "max_tokens": req.max_tokens,
        });
        if let Some((name, schema)) = &req.json_schema {
            // Strict mode makes the provider enforce the schema while sampling, instead of the
            // prompt merely asking for it.
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": { "name": schema_name(name), "schema": schema, "strict": true },
            });
        }
        if stream {
            body["stream"] = Value::Bool(true);
        }
        body
    }
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    model: Option<String>,
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: AssistantMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct AssistantMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: Option<u32>,
    #[serde(default)]
    completion_tokens: Option<u32>,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    delta: Delta,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

/// Reads `data: {chunk}` lines until `data: [DONE]`.
struct OpenAiStream {
    provider: &'static str,
    finished: bool,
}

impl OpenAiStream {
    fn fail(&self, kind: ErrorKind, message: String) -> Step {
        Step::Fail(Error::new(kind, format!("{}: {message}", self.provider)))
    }
}

impl StreamHandler for OpenAiStream {
    fn on_event(&mut self, event: SseEvent) -> Step {
        if event.data.trim() == "[DONE]" {
            return Step::Done;
        }
        let chunk: Chunk = match serde_json::from_str(&event.data) {
            Ok(chunk) => chunk,
            Err(e) => return self.fail(ErrorKind::Backend, format!("unreadable stream chunk: {e}")),
        };
        if let Some(error) = chunk.error {
            let message = super::transport::provider_message(&json!({ "error": error }).to_string());
            // OpenAI only sends `server_error` mid-stream; other servers' errors are request faults.
            let kind = if error.get("type").and_then(Value::as_str) == Some("server_error") {
                ErrorKind::Unavailable
            } else {
                ErrorKind::Backend
            };
            return self.fail(kind, format!("error in stream: {message}"));
        }
        let Some(choice) = chunk.choices.into_iter().next() else { return Step::Skip };
        if choice.finish_reason.is_some() {
            self.finished = true;
        }
        if let Some(refusal) = choice.delta.refusal.filter(|r| !r.is_empty()) {
            return self.fail(ErrorKind::Backend, format!("the model refused: {refusal}"));
        }
        match choice.delta.content {
            Some(text) if !text.is_empty() => Step::Text(text),
            _ => Step::Skip,
        }
    }

    fn on_eof(&mut self) -> Option<Error> {
        // A few servers close without `[DONE]`; after a `finish_reason` the answer is whole.
        (!self.finished).then(|| {
            Error::new(ErrorKind::Unavailable, format!("{} stream ended before the answer was complete", self.provider))
        })
    }
}

#[async_trait]
impl LlmEngine for OpenAiEngine {
    fn name(&self) -> String {
        format!("openai:{}", self.model)
    }

    async fn complete(&self, req: CompletionRequest) -> Result<Completion> {
        let response: ChatResponse = self.transport.post_json(&self.body(&req, false)).await?;
        let Some(choice) = response.choices.into_iter().next() else {
            return Err(self.transport.unreadable("the answer has no choices"));
        };
        if let Some(refusal) = choice.message.refusal.filter(|r| !r.is_empty()) {
            return Err(self.transport.reported(format!("the model refused: {refusal}")));
        }
        let text = choice.message.content.unwrap_or_default();
        if req.json_schema.is_some() {
            // A structured answer cut by `max_tokens` is not JSON; say so here rather than let
            // the caller's parser report a confusing syntax error.
            if let Err(e) = serde_json::from_str::<Value>(&text) {
                let reason = choice.finish_reason.as_deref().unwrap_or("unknown");
                return Err(self
                    .transport
                    .unreadable(format!("structured answer is not JSON (finish_reason {reason}): {e}")));
            }
        }
        let usage = response.usage;
        Ok(Completion {
            text,
            model: response.model.unwrap_or_else(|| self.model.clone()),
            finish_reason: choice.finish_reason,
            input_tokens: usage.as_ref().and_then(|u| u.prompt_tokens),
            output_tokens: usage.as_ref().and_then(|u| u.completion_tokens),
        })
    }

    async fn stream(&self, req: CompletionRequest) -> Result<TextStream> {
        let events = self.transport.post_sse(&self.body(&req, true)).await?;
        Ok(text_stream(events, OpenAiStream { provider: self.transport.provider(), finished: false }))
    }
}
