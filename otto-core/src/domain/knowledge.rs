use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::ids::CompanyId;

/// Where a chunk of knowledge comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceType {
    /// A call: its transcript windows and its analysis summary. Visible to managers, admins and
    /// the call's rep.
    Call,
    /// A company document (SOP, training, reference, policy). Visible to everyone in the company.
    Document,
}

impl SourceType {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceType::Call => "call",
            SourceType::Document => "document",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "call" => Some(SourceType::Call),
            "document" => Some(SourceType::Document),
            _ => None,
        }
    }
}

/// A retrievable piece of company knowledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Chunk {
    /// Deterministic id: source, position and a hash of the text, so re-indexing unchanged
    /// content yields the same ids.
    pub chunk_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// Call or document.
    pub source_type: SourceType,
    /// The call id or document id.
    pub source_id: String,
    /// The rep a call chunk belongs to (None for documents).
    pub rep_id: Option<String>,
    /// Human-readable source name (call header or document title).
    pub title: String,
    /// Order within the source.
    pub position: u32,
    /// The text.
    pub text: String,
    /// First transcript segment covered (calls).
    pub segment_start: Option<u32>,
    /// Last transcript segment covered (calls).
    pub segment_end: Option<u32>,
    /// Seconds into the call where the chunk starts.
    pub start_time: Option<f64>,
    /// Page (documents).
    pub page: Option<u32>,
    /// Filterable metadata (call type, customer, document type...).
    #[schema(value_type = Object)]
    pub metadata: Map<String, Value>,
    /// When the call happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it was indexed.
    pub created_at: DateTime<Utc>,
}

impl Chunk {
    /// The deterministic id of a chunk.
    pub fn id_for(source_id: &str, position: u32, text: &str) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(text.as_bytes());
        format!("{source_id}:{position}:{}", hex::encode(&digest[..6]))
    }
}

/// A lexical search over the company's chunks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChunkQuery {
    /// Search terms (already normalised; any may match, more matches rank higher).
    pub terms: Vec<String>,
    /// CSRs and sales reps: only their own calls plus documents. Applied inside the query.
    pub rep_scope: Option<String>,
    /// Only this kind of source.
    pub source_type: Option<SourceType>,
    /// Only these sources.
    pub source_ids: Vec<String>,
    /// Occurred at or after (calls).
    pub occurred_after: Option<DateTime<Utc>>,
    /// Occurred before (calls).
    pub occurred_before: Option<DateTime<Utc>>,
    /// How many hits.
    pub limit: u32,
}
