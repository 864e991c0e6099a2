//! Chunk vectors: every write of a source's chunks goes through [`Otto::replace_chunks`] and
//! every removal through [`Otto::delete_source_chunks`], so the vector index (when an embedder
//! and an index are configured) follows the store. The store stays the source of truth: dense
//! hits are resolved to chunks through it, so a vector whose chunk is gone never reaches an
//! answer, and `knowledge.reindex` rebuilds every vector from the stored chunks.

use serde_json::{Map, Value};

use crate::domain::{Chunk, CompanyId, SourceType};
use crate::error::Result;
use crate::ports::{VectorRecord, META_OCCURRED_AT, META_REP_ID, META_SOURCE_TYPE};
use crate::Otto;

/// How Ask Otto retrieves text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrievalMode {
    /// Full-text search only (no embedder or no vector index configured).
    Lexical,
    /// Full-text search fused with vector search.
    Hybrid,
}

impl RetrievalMode {
    /// `lexical` or `hybrid`.
    pub fn as_str(self) -> &'static str {
        match self {
            RetrievalMode::Lexical => "lexical",
            RetrievalMode::Hybrid => "hybrid",
        }
    }
}

/// The text a chunk is embedded from: its title (the call header or document title names the
/// people, places and kind of call) and its text.
pub(crate) fn embedding_text(chunk: &Chunk) -> String {
    format!("{}\n{}", chunk.title, chunk.text)
}

/// The vector record of a chunk: its id, tenant, and the metadata permissions and filters read
/// (source kind, rep, time), plus the chunk's own scalar metadata.
pub(crate) fn vector_record(chunk: &Chunk, vector: Vec<f32>) -> VectorRecord {
    let mut metadata: Map<String, Value> = chunk
        .metadata
        .iter()
        .filter(|(_, v)| !v.is_object() && !v.is_array())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    metadata.insert(META_SOURCE_TYPE.into(), Value::from(chunk.source_type.as_str()));
    metadata.insert("source_id".into(), Value::from(chunk.source_id.clone()));
    if let Some(rep) = &chunk.rep_id {
        metadata.insert(META_REP_ID.into(), Value::from(rep.clone()));
    }
    if let Some(t) = chunk.occurred_at {
        metadata.insert(META_OCCURRED_AT.into(), Value::from(t.to_rfc3339()));
    }
    VectorRecord { id: chunk.chunk_id.clone(), company_id: chunk.company_id.clone(), vector, metadata }
}

impl Otto {
    /// `hybrid` when both an embedder and a vector index are configured, else `lexical`.
    pub fn retrieval_mode(&self) -> RetrievalMode {
        if self.embedder.is_some() && self.vectors.is_some() {
            RetrievalMode::Hybrid
        } else {
            RetrievalMode::Lexical
        }
    }

    /// Ids of a source's stored chunks, whose vectors a change must clean up; none to read
    /// without a vector index.
    async fn indexed_chunk_ids(
        &self,
        company: &CompanyId,
        source_type: SourceType,
        source_id: &str,
    ) -> Result<Vec<String>> {
        if self.vectors.is_none() {
            return Ok(Vec::new());
        }
        let chunks = self.store.source_chunks(company, source_type, source_id).await?;
        Ok(chunks.into_iter().map(|c| c.chunk_id).collect())
    }

    /// Replaces a source's chunks in the store (atomically) and then their vectors: the new
    /// chunks are embedded and upserted, and vectors of chunks that are gone are deleted.
    pub(crate) async fn replace_chunks(
        &self,
        company: &CompanyId,
        source_type: SourceType,
        source_id: &str,
        chunks: &[Chunk],
    ) -> Result<()> {
        // A source removed from the knowledge base stays out: a re-analysis or a reindex
        // writes no chunks for it (and clears any that a race left behind).
        let chunks = if self.store.is_excluded(company, source_type, source_id).await? { &[][..] } else { chunks };
        let dense = self.embedder.as_ref().zip(self.vectors.as_ref());
        let old = self.indexed_chunk_ids(company, source_type, source_id).await?;
        self.store.replace_chunks(company, source_type, source_id, chunks).await?;
        if let Some((embedder, index)) = dense {
            if !chunks.is_empty() {
                let texts: Vec<String> = chunks.iter().map(embedding_text).collect();
                let vectors = embedder.embed(&texts).await?;
                index.upsert(chunks.iter().zip(vectors).map(|(c, v)| vector_record(c, v)).collect()).await?;
            }
        }
        if let Some(index) = &self.vectors {
            let stale: Vec<String> = old.into_iter().filter(|id| !chunks.iter().any(|c| &c.chunk_id == id)).collect();
            index.delete(company, &stale).await?;
        }
        Ok(())
    }

    /// Deletes a source's chunks from the store and their vectors from the index; returns how
    /// many chunks were removed.
    #[cfg_attr(
        not(feature = "documents"),
        expect(dead_code, reason = "only delete_entity_vectors (feature `documents`) removes sources")
    )]
    pub(crate) async fn delete_source_chunks(
        &self,
        company: &CompanyId,
        source_type: SourceType,
        source_id: &str,
    ) -> Result<u64> {
        let ids = self.indexed_chunk_ids(company, source_type, source_id).await?;
        let removed = self.store.delete_chunks(company, source_type, source_id).await?;
        if let Some(index) = &self.vectors {
            index.delete(company, &ids).await?;
        }
        Ok(removed)
    }
}
