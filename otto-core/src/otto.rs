//! The [`Otto`] facade: one object an app holds, built from ports with [`OttoBuilder`].

use std::sync::Arc;

use crate::analyzers::OfflineAnalyzer;
use crate::error::{Error, Result};
use crate::ports::{AsrEngine, BlobStore, CallAnalyzer, Clock, Embedder, LlmEngine, Store, SystemClock, VectorIndex};

/// Otto's entry point. Every method takes the calling [`crate::Principal`] and enforces tenant
/// and role rules itself. Cheap to clone (all ports are shared).
#[derive(Clone)]
pub struct Otto {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) blobs: Arc<dyn BlobStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) analyzer: Arc<dyn CallAnalyzer>,
    pub(crate) asr: Option<Arc<dyn AsrEngine>>,
    pub(crate) llm: Option<Arc<dyn LlmEngine>>,
    pub(crate) embedder: Option<Arc<dyn Embedder>>,
    pub(crate) vectors: Option<Arc<dyn VectorIndex>>,
}

impl std::fmt::Debug for Otto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Otto").field("store", &self.store.backend_name()).finish_non_exhaustive()
    }
}

impl Otto {
    /// A builder; `store` and `blobs` are required.
    pub fn builder() -> OttoBuilder {
        OttoBuilder::default()
    }

    /// Otto on the embedded defaults: SQLite at `<data_dir>/otto.db` and blobs under
    /// `<data_dir>/blobs`. No network, no account.
    #[cfg(feature = "sqlite")]
    pub async fn open_embedded(data_dir: impl AsRef<std::path::Path>) -> Result<Self> {
        let dir = data_dir.as_ref();
        std::fs::create_dir_all(dir).map_err(Error::backend)?;
        let store = crate::adapters::sql::SqliteStore::open(dir.join("otto.db")).await?;
        let blobs = crate::adapters::fs_blob::FsBlobStore::open(dir.join("blobs"))?;
        Self::builder().store(Arc::new(store)).blobs(Arc::new(blobs)).build()
    }

    /// The storage port (for workers and adapters that share it).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The blob port.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    /// The clock port.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The call analysis engine.
    pub fn analyzer(&self) -> &Arc<dyn CallAnalyzer> {
        &self.analyzer
    }

    /// The speech recognition engine, when one is configured.
    pub fn asr(&self) -> Option<&Arc<dyn AsrEngine>> {
        self.asr.as_ref()
    }

    /// The language model, when one is configured.
    pub fn llm(&self) -> Option<&Arc<dyn LlmEngine>> {
        self.llm.as_ref()
    }

    /// The sentence embedder, when one is configured.
    pub fn embedder(&self) -> Option<&Arc<dyn Embedder>> {
        self.embedder.as_ref()
    }

    /// The vector index, when one is configured.
    pub fn vectors(&self) -> Option<&Arc<dyn VectorIndex>> {
        self.vectors.as_ref()
    }

    /// Name of the storage backend.
    pub fn storage_backend(&self) -> &'static str {
        self.store.backend_name()
    }
}

/// Builds an [`Otto`] from ports.
#[derive(Default)]
pub struct OttoBuilder {
    store: Option<Arc<dyn Store>>,
    blobs: Option<Arc<dyn BlobStore>>,
    clock: Option<Arc<dyn Clock>>,
    analyzer: Option<Arc<dyn CallAnalyzer>>,
    asr: Option<Arc<dyn AsrEngine>>,
    llm: Option<Arc<dyn LlmEngine>>,
    embedder: Option<Arc<dyn Embedder>>,
    vectors: Option<Arc<dyn VectorIndex>>,
}

impl std::fmt::Debug for OttoBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OttoBuilder").finish_non_exhaustive()
    }
}

impl OttoBuilder {
    /// Storage (required).
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }
    /// Blob storage (required).
    pub fn blobs(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.blobs = Some(blobs);
        self
    }
    /// Clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }
    /// Call analysis engine (default: the offline rules engine).
    pub fn analyzer(mut self, analyzer: Arc<dyn CallAnalyzer>) -> Self {
        self.analyzer = Some(analyzer);
        self
    }
    /// Speech recognition engine.
    pub fn asr(mut self, asr: Arc<dyn AsrEngine>) -> Self {
        self.asr = Some(asr);
        self
    }
    /// Language model.
    pub fn llm(mut self, llm: Arc<dyn LlmEngine>) -> Self {
        self.llm = Some(llm);
        self
    }
    /// Sentence embedder.
    pub fn embedder(mut self, embedder: Arc<dyn Embedder>) -> Self {
        self.embedder = Some(embedder);
        self
    }
    /// Vector index.
    pub fn vectors(mut self, vectors: Arc<dyn VectorIndex>) -> Self {
        self.vectors = Some(vectors);
        self
    }
    /// Builds the facade; fails if a required port is missing.
    pub fn build(self) -> Result<Otto> {
        Ok(Otto {
            store: self.store.ok_or_else(|| Error::invalid("store", "Otto needs a store"))?,
            blobs: self.blobs.ok_or_else(|| Error::invalid("blobs", "Otto needs a blob store"))?,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            analyzer: self.analyzer.unwrap_or_else(|| Arc::new(OfflineAnalyzer)),
            asr: self.asr,
            llm: self.llm,
            embedder: self.embedder,
            vectors: self.vectors,
        })
    }
}
