//! all-MiniLM-L6-v2 with candle: BERT forward pass, masked mean pooling, L2 normalisation.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use candle_core::{Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::{Error, Result};
use crate::ports::Embedder;

/// Name reported by [`MiniLmEmbedder::name`] unless [`MiniLmEmbedder::with_name`] overrides it.
pub const MINILM_NAME: &str = "all-minilm-l6-v2";

/// Longest input in tokens, `[CLS]` and `[SEP]` included; longer texts are truncated. This is
/// the `max_seq_length` the model was trained with (`sentence_bert_config.json`).
pub const MAX_SEQUENCE_LENGTH: usize = 256;

/// Texts per forward pass unless [`MiniLmEmbedder::with_batch_size`] says otherwise. Measured
/// with `cargo xtask bench embeddings` on 2 cores: for chunk-sized texts (~90 words) batches
/// of 8 ran at 11.2 texts/s against 8.2 at 32 (the attention tensors grow with batch x
/// length^2 and stop fitting in cache); for single turns 8 and 32 were equal.
pub const DEFAULT_BATCH_SIZE: usize = 8;

/// Files a model directory must hold.
const CONFIG_FILE: &str = "config.json";
const TOKENIZER_FILE: &str = "tokenizer.json";
const WEIGHTS_FILE: &str = "model.safetensors";

/// Sentence embedder running a BERT-style model (all-MiniLM-L6-v2 by default) on the CPU.
///
/// Cheap to clone: clones share the loaded weights. Inference runs on tokio's blocking pool, so
/// [`Embedder::embed`] never stalls the async runtime.
#[derive(Clone)]
pub struct MiniLmEmbedder {
    model: Arc<Model>,
    name: String,
    batch_size: usize,
}

struct Model {
    bert: BertModel,
    tokenizer: Tokenizer,
    dimensions: usize,
}

impl fmt::Debug for MiniLmEmbedder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiniLmEmbedder")
            .field("name", &self.name)
            .field("dimensions", &self.model.dimensions)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl MiniLmEmbedder {
    /// Loads the model in `model_dir` (`config.json`, `tokenizer.json`, `model.safetensors`),
    /// as installed by [`install_minilm`](crate::models::install_minilm) or as found in a
    /// Hugging Face snapshot directory.
    ///
    /// The weights are read into memory (about 91 MB for MiniLM-L6; the workspace forbids the
    /// `unsafe` a memory map needs). Loading takes well under a second.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the file when one is
    /// missing or is not what a BERT sentence model needs; `Backend` when a present file cannot
    /// be read.
    pub fn load(model_dir: &Path) -> Result<Self> {
        let config_path = model_file(model_dir, CONFIG_FILE)?;
        let tokenizer_path = model_file(model_dir, TOKENIZER_FILE)?;
        let weights_path = model_file(model_dir, WEIGHTS_FILE)?;

        let config: Config = serde_json::from_slice(&std::fs::read(&config_path).map_err(Error::backend)?)
            .map_err(|e| bad_file(&config_path, format!("not a BERT config: {e}")))?;

        let mut tokenizer = Tokenizer::from_file(&tokenizer_path).map_err(|e| bad_file(&tokenizer_path, e))?;
        // The shipped tokenizer.json pads every input to a fixed 128 tokens and truncates at 128.
        // Fixed padding costs time, and without the mask it would drag every vector towards the
        // [PAD] embedding (all similarities collapse to 0.8-0.9). Pad per batch instead, to its
        // longest member, and truncate at the length the model was trained with.
        let shipped = tokenizer.get_padding().cloned().unwrap_or_default();
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            pad_to_multiple_of: None,
            ..shipped
        }));
        let max_length = MAX_SEQUENCE_LENGTH.min(config.max_position_embeddings);
        tokenizer
            .with_truncation(Some(TruncationParams { max_length, ..Default::default() }))
            .map_err(|e| bad_file(&tokenizer_path, e))?;

        let weights = std::fs::read(&weights_path).map_err(Error::backend)?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DTYPE, &Device::Cpu)
            .map_err(|e| bad_file(&weights_path, e))?;
        let bert = BertModel::load(vb, &config)
            .map_err(|e| bad_file(&weights_path, format!("does not match {CONFIG_FILE}: {e}")))?;

        let model = Model { bert, tokenizer, dimensions: config.hidden_size };
        Ok(Self { model: Arc::new(model), name: MINILM_NAME.to_string(), batch_size: DEFAULT_BATCH_SIZE })
    }

    /// Reports `name` from [`Embedder::name`]; use it when `model_dir` holds another model, so
    /// vectors of different models are never compared.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Texts per forward pass (at least 1). Larger batches amortise per-call overhead but
    /// memory grows with batch × length²; see [`DEFAULT_BATCH_SIZE`].
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// [`Embedder::embed`] on the calling thread, for callers outside an async runtime.
    pub fn embed_blocking(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        self.model.embed_all(texts, self.batch_size).map_err(Error::backend)
    }
}

fn model_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::invalid(
            "model_dir",
            format!(
                "{} is missing: a model directory holds {CONFIG_FILE}, {TOKENIZER_FILE} and {WEIGHTS_FILE} \
                 (install one with otto_core::models::install_minilm or point at a Hugging Face snapshot)",
                path.display()
            ),
        ))
    }
}

fn bad_file(path: &Path, problem: impl fmt::Display) -> Error {
    Error::invalid("model_dir", format!("{}: {problem}", path.display()))
}

/// Why a forward pass failed. Only its message crosses the port, inside `ErrorKind::Backend`.
#[derive(Debug, thiserror::Error)]
enum InferenceError {
    #[error("tokenizer: {0}")]
    Tokenizer(#[source] tokenizers::Error),
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
}

impl Model {
    /// Embeds `texts` in batches of similar length, so short texts are not padded to the
    /// length of a long neighbour, and returns the vectors in input order.
    fn embed_all(&self, texts: &[String], batch_size: usize) -> Result<Vec<Vec<f32>>, InferenceError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut vectors = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(batch_size) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
            for (&i, vector) in chunk.iter().zip(self.embed_batch(batch)?) {
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }

    fn embed_batch(&self, texts: Vec<&str>) -> Result<Vec<Vec<f32>>, InferenceError> {
        let encodings = self.tokenizer.encode_batch(texts, true).map_err(InferenceError::Tokenizer)?;
        let rows = encodings.len();
        let cols = encodings.first().map_or(0, |e| e.len());
        let mut ids = Vec::with_capacity(rows * cols);
        let mut type_ids = Vec::with_capacity(rows * cols);
        let mut mask = Vec::with_capacity(rows * cols);
        for encoding in &encodings {
            ids.extend_from_slice(encoding.get_ids());
            type_ids.extend_from_slice(encoding.get_type_ids());
            mask.extend_from_slice(encoding.get_attention_mask());
        }
        let device = &self.bert.device;
        let ids = Tensor::from_vec(ids, (rows, cols), device)?;
        let type_ids = Tensor::from_vec(type_ids, (rows, cols), device)?;
        let mask = Tensor::from_vec(mask, (rows, cols), device)?;

        // The mask goes to the model (padding keys get no attention) and to the pooling (padding
        // positions are left out of the mean); both are needed for padding-invariant vectors.
        let hidden = self.bert.forward(&ids, &type_ids, Some(&mask))?; // (rows, cols, hidden)
        let mask = mask.to_dtype(DTYPE)?.unsqueeze(2)?; // (rows, cols, 1)
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?; // (rows, hidden)
                                                           // At least [CLS] and [SEP] are unmasked; the floor only guards tokenizers without them.
        let counts = mask.sum(1)?.maximum(1f32)?; // (rows, 1)
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.maximum(1e-12f32)?;
        Ok(mean.broadcast_div(&norms)?.to_vec2::<f32>()?)
    }
}

#[async_trait]
impl Embedder for MiniLmEmbedder {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn dimensions(&self) -> usize {
        self.model.dimensions
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let model = Arc::clone(&self.model);
        let texts = texts.to_vec();
        let batch_size = self.batch_size;
        tokio::task::spawn_blocking(move || model.embed_all(&texts, batch_size))
            .await
            .map_err(Error::backend)?
            .map_err(Error::backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn test_load_names_the_missing_file() {
        let dir = std::env::temp_dir().join(format!("otto-minilm-missing-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(CONFIG_FILE), "{}").unwrap();
        let err = MiniLmEmbedder::load(&dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains(TOKENIZER_FILE), "{}", err.message());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn test_load_rejects_a_config_that_is_not_bert() {
        let dir = std::env::temp_dir().join(format!("otto-minilm-bad-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        for file in [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE] {
            std::fs::write(dir.join(file), "{}").unwrap();
        }
        let err = MiniLmEmbedder::load(&dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains(CONFIG_FILE), "{}", err.message());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
