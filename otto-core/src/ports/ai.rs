//! Model ports: speech recognition, language models, sentence embeddings, vector search.
//!
//! The embedded defaults and the cloud adapters implement these; services only see the traits.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::CompanyId;
use crate::error::Result;

/// Audio to transcribe: mono 16 kHz f32 samples (decoding and resampling happen before).
#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeRequest {
    /// Samples in -1.0..=1.0 at 16 kHz.
    pub samples_16k: Vec<f32>,
    /// ISO 639-1 language, or None to detect.
    pub language: Option<String>,
}

/// One timed stretch of recognised text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionSegment {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Text.
    pub text: String,
    /// Engine confidence 0..=1.
    pub confidence: f32,
    /// Provider speaker label, when the engine diarizes.
    pub speaker: Option<String>,
}

/// A transcription result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcription {
    /// Segments in time order.
    pub segments: Vec<TranscriptionSegment>,
    /// Detected or requested language.
    pub language: String,
    /// Engine and model, e.g. `whisper.cpp/tiny.en`.
    pub engine: String,
}

/// Speech recognition.
#[async_trait]
pub trait AsrEngine: Send + Sync {
    /// Engine and model name.
    fn name(&self) -> String;
    /// Transcribes one channel of audio.
    async fn transcribe(&self, req: TranscribeRequest) -> Result<Transcription>;
}

/// Who speaks in a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    /// Instructions.
    System,
    /// The request.
    User,
    /// The model.
    Assistant,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Speaker.
    pub role: ChatRole,
    /// Text.
    pub content: String,
}

/// A completion request; with `json_schema` the model must answer with JSON matching it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionRequest {
    /// Conversation (system messages first).
    pub messages: Vec<ChatMessage>,
    /// JSON Schema the answer must satisfy (structured output), with a short name for it.
    pub json_schema: Option<(String, Value)>,
    /// Sampling temperature.
    pub temperature: f32,
    /// Output budget in tokens.
    pub max_tokens: u32,
}

impl CompletionRequest {
    /// A request with `messages`, temperature 0 and 2048 output tokens.
    pub fn new(messages: Vec<ChatMessage>) -> Self {
        Self { messages, json_schema: None, temperature: 0.0, max_tokens: 2048 }
    }
}

/// A completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// Answer text (JSON text for structured requests).
    pub text: String,
    /// Model that answered.
    pub model: String,
    /// Why generation stopped (`stop`, `length`, `end_turn`...), as the provider says it.
    pub finish_reason: Option<String>,
    /// Prompt tokens, when reported.
    pub input_tokens: Option<u32>,
    /// Output tokens, when reported.
    pub output_tokens: Option<u32>,
}

/// A stream of text deltas of one completion.
pub type TextStream = futures::stream::BoxStream<'static, Result<String>>;

/// A language model. Adapters map provider failures to core errors: 429 -> `RateLimited` (with
/// the provider's retry delay), 5xx, overload and timeouts -> `Unavailable`, anything else
/// (bad key, bad request, unreadable answer) -> `Backend`.
#[async_trait]
pub trait LlmEngine: Send + Sync {
    /// Provider and model name, e.g. `openai:gpt-4o-mini`.
    fn name(&self) -> String;
    /// One completion.
    async fn complete(&self, req: CompletionRequest) -> Result<Completion>;
    /// One completion, streamed as text deltas.
    async fn stream(&self, req: CompletionRequest) -> Result<TextStream>;
}

/// Sentence embeddings.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// Model name.
    fn name(&self) -> String;
    /// Vector length.
    fn dimensions(&self) -> usize;
    /// One unit-length vector per text.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>>;
}

/// Metadata key of a record's source kind (`call` or `document`). With [`META_REP_ID`] it is what
/// [`VectorQuery::rep_scope`] reads.
pub const META_SOURCE_TYPE: &str = "source_type";
/// Metadata key of the rep a call chunk belongs to.
pub const META_REP_ID: &str = "rep_id";
/// Metadata key of when the call happened (RFC 3339); what the time range of a query reads.
pub const META_OCCURRED_AT: &str = "occurred_at";

/// A vector to index, with the metadata permissions and filters apply to.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorRecord {
    /// Chunk id (unique within the tenant).
    pub id: String,
    /// Tenant.
    pub company_id: CompanyId,
    /// The vector.
    pub vector: Vec<f32>,
    /// Filterable metadata (source kind, rep id, call id, document id...). The keys
    /// [`META_SOURCE_TYPE`], [`META_REP_ID`] and [`META_OCCURRED_AT`] carry the permission and
    /// time filters.
    pub metadata: Map<String, Value>,
}

/// A nearest-neighbour query. Every condition applies inside the search, before the top k are
/// chosen, so a filtered query still returns up to `top_k` hits; the tenant always applies.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorQuery {
    /// Tenant.
    pub company_id: CompanyId,
    /// Query vector.
    pub vector: Vec<f32>,
    /// How many hits.
    pub top_k: usize,
    /// Metadata equality filters; all must match.
    pub filter: Map<String, Value>,
    /// CSRs and sales reps: only records whose `source_type` is `document` or whose `rep_id` is
    /// this rep (the same rule as [`crate::domain::ChunkQuery::rep_scope`]).
    pub rep_scope: Option<String>,
    /// Only records whose `occurred_at` is at or after this (records without one never match).
    pub occurred_after: Option<DateTime<Utc>>,
    /// Only records whose `occurred_at` is before this (records without one never match).
    pub occurred_before: Option<DateTime<Utc>>,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorHit {
    /// Chunk id.
    pub id: String,
    /// Cosine similarity.
    pub score: f32,
}

/// Vector search.
#[async_trait]
pub trait VectorIndex: Send + Sync {
    /// Adds or replaces records.
    async fn upsert(&self, records: Vec<VectorRecord>) -> Result<()>;
    /// Removes records by id; unknown ids are ignored.
    async fn delete(&self, company: &CompanyId, ids: &[String]) -> Result<()>;
    /// Nearest neighbours by cosine similarity, best first.
    async fn search(&self, query: &VectorQuery) -> Result<Vec<VectorHit>>;
    /// Name of the adapter (`memory`, `pgvector`), for health and logs.
    fn name(&self) -> &'static str;
}
