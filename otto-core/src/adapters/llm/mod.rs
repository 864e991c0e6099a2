//! Language-model adapters over HTTP (feature `llm-http`): [`OpenAiEngine`] for any
//! OpenAI-compatible chat-completions server (OpenAI, Azure-style gateways, Ollama, vLLM,
//! llama.cpp, LM Studio) and [`AnthropicEngine`] for the Anthropic Messages API; and
//! [`OpenAiEmbedder`], an [`Embedder`](crate::ports::Embedder) over the same servers'
//! `/embeddings` endpoint.
//!
//! Both implement [`LlmEngine`](crate::ports::LlmEngine) and map provider failures the way the
//! port documents: 429 -> `RateLimited` (after retrying within the configured wait), 5xx, 529,
//! timeouts and dropped connections -> `Unavailable`, a rejected key, a rejected request or an
//! unreadable answer -> `Backend`. The transport, retry policy and SSE decoder are shared, so
//! both providers behave the same under failure.
//!
//! ```no_run
//! # async fn demo() -> otto_core::Result<()> {
//! use otto_core::adapters::llm::{OpenAiConfig, OpenAiEngine};
//! use otto_core::ports::{ChatMessage, ChatRole, CompletionRequest, LlmEngine};
//!
//! // A local Ollama server: no key needed.
//! let llm = OpenAiEngine::new(OpenAiConfig::new("llama3.2").base_url("http://localhost:11434/v1"))?;
//! let req = CompletionRequest::new(vec![ChatMessage { role: ChatRole::User, content: "Hello".into() }]);
//! println!("{}", llm.complete(req).await?.text);
//! # Ok(())
//! # }
//! ```

/// Constructor, builder setters and a key-redacting `Debug` for a provider's settings struct.
/// Both providers take the same knobs and only differ in the default API root, so the
/// boilerplate lives once here and the struct (with its provider-specific docs) stays in the
/// provider's module.
macro_rules! http_llm_config {
    ($config:ident, $default_base_url:literal, $new_doc:literal) => {
        impl $config {
            #[doc = $new_doc]
            pub fn new(model: impl Into<String>) -> Self {
                Self {
                    base_url: $default_base_url.to_owned(),
                    api_key: None,
                    model: model.into(),
                    timeout: std::time::Duration::from_secs(60),
                    max_retries: 2,
                    max_retry_wait: std::time::Duration::from_secs(30),
                    retry_base_delay: std::time::Duration::from_millis(500),
                }
            }

            /// Sets the `base_url` field.
            pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
                self.base_url = base_url.into();
                self
            }

            /// Sets the `api_key` field.
            pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
                self.api_key = Some(api_key.into());
                self
            }

            /// Sets the `timeout` field.
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.timeout = timeout;
                self
            }

            /// Sets the `max_retries` field.
            pub fn max_retries(mut self, max_retries: u32) -> Self {
                self.max_retries = max_retries;
                self
            }

            /// Sets the `max_retry_wait` field.
            pub fn max_retry_wait(mut self, max_retry_wait: std::time::Duration) -> Self {
                self.max_retry_wait = max_retry_wait;
                self
            }

            /// Sets the `retry_base_delay` field.
            pub fn retry_base_delay(mut self, retry_base_delay: std::time::Duration) -> Self {
                self.retry_base_delay = retry_base_delay;
                self
            }
        }

        impl std::fmt::Debug for $config {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($config))
                    .field("base_url", &self.base_url)
                    .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
                    .field("model", &self.model)
                    .field("timeout", &self.timeout)
                    .field("max_retries", &self.max_retries)
                    .field("max_retry_wait", &self.max_retry_wait)
                    .field("retry_base_delay", &self.retry_base_delay)
                    .finish()
            }
        }
    };
}

mod anthropic;
mod embeddings;
mod openai;
mod sse;
mod transport;

pub use anthropic::{AnthropicConfig, AnthropicEngine};
pub use embeddings::OpenAiEmbedder;
pub use openai::{OpenAiConfig, OpenAiEngine};
