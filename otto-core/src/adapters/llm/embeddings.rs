//! OpenAI-compatible embeddings (`POST {base_url}/embeddings`): OpenAI, Azure-style gateways,
//! Ollama, vLLM, the llama.cpp server, LM Studio, text-embeddings-inference's OpenAI route.
//!
//! Shares the chat adapter's transport, so retries, timeouts and the error mapping are the
//! same: 429 -> `RateLimited`, 5xx and timeouts -> `Unavailable`, a rejected key or an answer
//! that does not parse (or has the wrong number or length of vectors) -> `Backend`.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::openai::OpenAiConfig;
use super::transport::Transport;
use crate::error::{Error, Result};
use crate::ports::Embedder;

/// Texts per request: providers cap a batch (OpenAI at 2048 inputs); smaller batches also keep
/// one slow request from holding a whole reindex.
const BATCH: usize = 128;

/// An [`Embedder`] over an OpenAI-compatible embeddings endpoint. Vectors are normalised to
/// unit length (the port's contract) whatever the server returns.
pub struct OpenAiEmbedder {
    transport: Transport,
    model: String,
    dimensions: usize,
}

#[derive(Deserialize)]
struct EmbeddingsAnswer {
    data: Vec<EmbeddingItem>,
}

#[derive(Deserialize)]
struct EmbeddingItem {
    index: usize,
    embedding: Vec<f32>,
}

impl OpenAiEmbedder {
    /// An embedder for `config.model` producing `dimensions`-long vectors (e.g. 1536 for
    /// `text-embedding-3-small`, 384 for all-MiniLM-L6-v2 behind a local server). Fails only if
    /// the HTTP client cannot be set up or the key is not a valid header value.
    pub fn new(config: OpenAiConfig, dimensions: usize) -> Result<Self> {
        if dimensions == 0 {
            return Err(Error::invalid("dimensions", "must be at least 1"));
        }
        let transport = super::openai::transport(&config, "embeddings")?;
        Ok(Self { transport, model: config.model, dimensions })
    }

    async fn batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        let body = json!({ "model": self.model, "input": texts, "encoding_format": "float" });
        let answer: EmbeddingsAnswer = self.transport.post_json(&body).await?;
        if answer.data.len() != texts.len() {
            return Err(self.transport.unreadable(format!(
                "{} embeddings for {} inputs",
                answer.data.len(),
                texts.len()
            )));
        }
        let mut out = vec![Vec::new(); texts.len()];
        for item in answer.data {
            if item.embedding.len() != self.dimensions {
                return Err(self.transport.unreadable(format!(
                    "an embedding of {} dimensions, configured for {}",
                    item.embedding.len(),
                    self.dimensions
                )));
            }
            let slot = out
                .get_mut(item.index)
                .ok_or_else(|| self.transport.unreadable(format!("embedding index {} out of range", item.index)))?;
            *slot = unit(item.embedding);
        }
        if out.iter().any(Vec::is_empty) {
            return Err(self.transport.unreadable("an input without an embedding"));
        }
        Ok(out)
    }
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn name(&self) -> String {
        format!("{}:{}", self.transport.provider(), self.model)
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH) {
            out.extend(self.batch(chunk).await?);
        }
        Ok(out)
    }
}
