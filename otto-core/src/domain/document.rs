use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::ids::CompanyId;

/// Largest document Otto accepts (platform facts: 50 MB).
pub const MAX_DOCUMENT_BYTES: usize = 50 * 1024 * 1024;

/// What a document is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// Standard operating procedure.
    Sop,
    /// Training material.
    Training,
    /// Reference material.
    Reference,
    /// Company policy.
    Policy,
}

impl DocumentType {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Sop => "sop",
            DocumentType::Training => "training",
            DocumentType::Reference => "reference",
            DocumentType::Policy => "policy",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sop" => DocumentType::Sop,
            "training" => DocumentType::Training,
            "reference" => DocumentType::Reference,
            "policy" => DocumentType::Policy,
            _ => return None,
        })
    }
}

/// Where a document is in ingestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Text extraction and indexing are queued or running.
    Processing,
    /// Searchable.
    Indexed,
    /// Could not be read; `failure_reason` says why.
    Failed,
}

impl DocumentStatus {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Processing => "processing",
            DocumentStatus::Indexed => "indexed",
            DocumentStatus::Failed => "failed",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "processing" => DocumentStatus::Processing,
            "indexed" => DocumentStatus::Indexed,
            "failed" => DocumentStatus::Failed,
            _ => return None,
        })
    }
}

/// A company document, searchable by everyone in the company once indexed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Document {
    /// Id (stable across re-uploads of the same file name and type).
    pub document_id: String,
    /// Tenant.
    #[schema(value_type = String)]
    pub company_id: CompanyId,
    /// Title (from the document, else the file name).
    pub title: String,
    /// Uploaded file name.
    pub file_name: String,
    /// What it is for.
    pub document_type: DocumentType,
    /// The role it is written for (e.g. `sales_rep`), if any.
    pub audience_role: Option<String>,
    /// Namespace for maintenance operations (defaults to the company id).
    pub namespace: String,
    /// `pdf`, `docx`, `html`, `markdown` or `text`.
    pub content_type: String,
    /// Size of the upload.
    pub size_bytes: u64,
    /// SHA-256 of the upload (hex).
    pub sha256: String,
    /// Ingestion status.
    pub status: DocumentStatus,
    /// Why ingestion failed.
    pub failure_reason: Option<String>,
    /// Pages, for PDFs.
    pub pages: Option<u32>,
    /// Chunks indexed.
    pub chunks_created: u32,
    /// Blob key of the original.
    #[serde(skip)]
    pub blob_key: String,
    /// Caller's metadata.
    #[schema(value_type = Object)]
    pub metadata: Map<String, Value>,
    /// First upload.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
