//! Anthropic Messages API (`POST {base_url}/v1/messages`).
//!
//! Two things differ from chat completions: system prompts are a top-level `system` field, not
//! messages, and structured output is obtained by forcing the model to call a tool whose input
//! schema is the requested schema; the tool call's `input` is the answer.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::{json, Value};

use super::sse::SseEvent;
use super::transport::{provider_message, schema_name, text_stream, RetryPolicy, Step, StreamHandler, Transport};
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{ChatRole, Completion, CompletionRequest, LlmEngine, TextStream};

/// The API version this adapter speaks; Anthropic keeps old versions' behaviour stable.
const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Settings of an [`AnthropicEngine`]. Start from [`AnthropicConfig::new`] and adjust with the
/// builder methods; `Debug` never prints the key.
#[derive(Clone)]
#[non_exhaustive]
pub struct AnthropicConfig {
    /// API root without the version, e.g. `https://api.anthropic.com`; `/v1/messages` is appended.
    pub base_url: String,
    /// Sent as `x-api-key`; `None` only makes sense behind a gateway that adds it.
    pub api_key: Option<String>,
    /// Model name sent with every request, e.g. `claude-3-5-haiku-latest`.
    pub model: String,
    /// Budget for one attempt; while streaming, the longest wait between two chunks.
    pub timeout: Duration,
    /// Retries after a 408, 429, 5xx, 529 or refused connection.
    pub max_retries: u32,
    /// Longest wait between attempts; a provider asking for more gets `RateLimited` back at once.
    pub max_retry_wait: Duration,
    /// First backoff when the provider names no delay; doubles on each retry.
    pub retry_base_delay: Duration,
}

http_llm_config!(
    AnthropicConfig,
    "https://api.anthropic.com",
    "Anthropic's public API with `model`, no key, a 60 s timeout and 2 retries."
);

/// An [`LlmEngine`] over the Anthropic Messages API.
pub struct AnthropicEngine {
    transport: Transport,
    model: String,
}

impl AnthropicEngine {
    /// An engine with `config`. Fails only if the HTTP client cannot be set up or the key is
    /// not a valid header value.
    pub fn new(config: AnthropicConfig) -> Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(HeaderName::from_static("anthropic-version"), HeaderValue::from_static(ANTHROPIC_VERSION));
        if let Some(key) = config.api_key.as_deref().filter(|k| !k.is_empty()) {
            let value = HeaderValue::from_str(key)
                .map_err(|_| Error::invalid("api_key", "contains characters not allowed in an HTTP header"))?;
            headers.insert(HeaderName::from_static("x-api-key"), value);
        }
        let url = format!("{}/v1/messages", config.base_url.trim_end_matches('/'));
        let policy = RetryPolicy {
            timeout: config.timeout,
            max_retries: config.max_retries,
            max_retry_wait: config.max_retry_wait,
            retry_base_delay: config.retry_base_delay,
        };
        let transport = Transport::new("anthropic", url, headers, policy, config.api_key)?;
        Ok(Self { transport, model: config.model })
    }

    fn body(&self, req: &CompletionRequest, stream: bool) -> Value {
        // The Messages API rejects a `system` role inside `messages`; all system text goes into
        // the top-level field, in order.
        let system: Vec<&str> =
            req.messages.iter().filter(|m| m.role == ChatRole::System).map(|m| m.content.as_str()).collect();
        let messages: Vec<&crate::ports::ChatMessage> =
            req.messages.iter().filter(|m| m.role != ChatRole::System).collect();
        let mut body = json!({
            "model": self.model,
            "max_tokens": req.max_tokens,
            "messages": messages,
            // Anthropic's range is 0..=1 where OpenAI's is 0..=2; clamping keeps a request that
            // works on one provider from being a 400 on the other.
            "temperature": req.temperature.clamp(0.0, 1.0),
        });
        if !system.is_empty() {
            body["system"] = Value::String(system.join("\n\n"));
        }
        if let Some((name, schema)) = &req.json_schema {
            let name = schema_name(name);
            body["tools"] = json!([{
                "name": name,
                "description": "Record the answer. Its input must satisfy the schema exactly.",
                "input_schema": schema,
            }]);
            body["tool_choice"] = json!({ "type": "tool", "name": name });
        }
        if stream {
            body["stream"] = Value::Bool(true);
        }
        body
    }
}

#[derive(Deserialize)]
struct MessagesResponse {
    #[serde(default)]
    model: Option<String>,
    content: Vec<ContentBlock>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ContentBlock {
    Text {
        text: String,
    },
    ToolUse {
        name: String,
        input: Value,
    },
    /// Thinking and any block type added later: not part of the answer.
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    input_tokens: Option<u32>,
    #[serde(default)]
    output_tokens: Option<u32>,
}

/// Reads the named events of a Messages stream until `message_stop`.
struct AnthropicStream {
    provider: &'static str,
    /// A structured request streams the forced tool's input as `input_json_delta`; a plain one
    /// streams `text_delta`. Only the matching kind is the answer.
    structured: bool,
}

impl StreamHandler for AnthropicStream {
    fn on_event(&mut self, event: SseEvent) -> Step {
        let data: Value = match serde_json::from_str(&event.data) {
            Ok(data) => data,
            Err(e) => {
                let message = format!("{}: unreadable stream event: {e}", self.provider);
                return Step::Fail(Error::new(ErrorKind::Backend, message));
            }
        };
        // The `type` inside the data always equals the `event:` name; the data is what the
        // documentation specifies, so it decides.
        match data.get("type").and_then(Value::as_str).or(event.event.as_deref()) {
            Some("content_block_delta") => {
                let delta = &data["delta"];
                let piece = match (delta["type"].as_str(), self.structured) {
                    (Some("text_delta"), false) => delta["text"].as_str(),
                    (Some("input_json_delta"), true) => delta["partial_json"].as_str(),
                    _ => None,
                };
                match piece {
                    Some(text) if !text.is_empty() => Step::Text(text.to_owned()),
                    _ => Step::Skip,
                }
            }
            Some("message_stop") => Step::Done,
            Some("error") => {
                let message = provider_message(&event.data);
                // Overload and internal errors mid-stream are the 529/500 of a streaming call.
                let kind = match data["error"]["type"].as_str() {
                    Some("overloaded_error" | "api_error" | "rate_limit_error") => ErrorKind::Unavailable,
                    _ => ErrorKind::Backend,
                };
                Step::Fail(Error::new(kind, format!("{}: error in stream: {message}", self.provider)))
            }
            // `ping`, `message_start`, `content_block_start/stop`, `message_delta` and event
            // types added later carry no answer text.
            _ => Step::Skip,
        }
    }

    fn on_eof(&mut self) -> Option<Error> {
        Some(Error::new(ErrorKind::Unavailable, format!("{} stream ended before message_stop", self.provider)))
    }
}

#[async_trait]
impl LlmEngine for AnthropicEngine {
    fn name(&self) -> String {
        format!("anthropic:{}", self.model)
    }

    async fn complete(&self, req: CompletionRequest) -> Result<Completion> {
        let response: MessagesResponse = self.transport.post_json(&self.body(&req, false)).await?;
        let text = match &req.json_schema {
            Some((name, _)) => {
                let name = schema_name(name);
                let input = response.content.into_iter().find_map(|block| match block {
                    ContentBlock::ToolUse { name: used, input } if used == name => Some(input),
                    _ => None,
                });
                let Some(input) = input else {
                    let reason = response.stop_reason.as_deref().unwrap_or("unknown");
                    return Err(self
                        .transport
                        .unreadable(format!("no `{name}` tool_use block in the answer (stop_reason {reason})")));
                };
                input.to_string()
            }
            None => response
                .content
                .into_iter()
                .filter_map(|block| match block {
                    ContentBlock::Text { text } => Some(text),
                    _ => None,
                })
                .collect(),
        };
        let usage = response.usage;
        Ok(Completion {
            text,
            model: response.model.unwrap_or_else(|| self.model.clone()),
            finish_reason: response.stop_reason,
            input_tokens: usage.as_ref().and_then(|u| u.input_tokens),
            output_tokens: usage.as_ref().and_then(|u| u.output_tokens),
        })
    }

    async fn stream(&self, req: CompletionRequest) -> Result<TextStream> {
        let events = self.transport.post_sse(&self.body(&req, true)).await?;
        let handler = AnthropicStream { provider: self.transport.provider(), structured: req.json_schema.is_some() };
        Ok(text_stream(events, handler))
    }
}
