//! Language-model adapters over HTTP (feature `llm-http`): [`OpenAiEngine`] for any
//! OpenAI-compatible chat-completions server (OpenAI, Azure-style gateways, Ollama, vLLM,
//! llama.cpp, LM Studio) and [`AnthropicEngine`] for the Anthropic Messages API.
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

mod anthropic;
mod openai;
mod sse;
mod transport;

pub use anthropic::{AnthropicConfig, AnthropicEngine};
pub use openai::{OpenAiConfig, OpenAiEngine};
