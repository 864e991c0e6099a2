//! Document ingestion (3.1, 3.4, 3.5) and vector maintenance (6.1, 6.2).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use otto_core::api::{
    DocumentIngestion, ReindexRequest, ReindexStatus, UploadCompleteAck, UploadCompleteRequest, UrlUploadAccepted,
    UrlUploadRequest, VectorsDeleted,
};
use otto_core::domain::{Document, DocumentType, JobStatus};
use otto_core::{DocumentUpload, Principal, UrlUpload};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// Multipart form of a document upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // reason: documents the multipart fields for OpenAPI; parsed by hand below
pub struct UploadForm {
    /// The document: PDF, DOCX, HTML, Markdown or text, at most 50 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Must be the caller's company when given.
    company_id: Option<String>,
    /// The role it is written for (`sales_rep`, `csr`...).
    role: Option<String>,
    /// Must match the endpoint when given (`sop`, `training`, `reference`; `policy` on the
    /// reference endpoint).
    document_type: Option<String>,
    /// Namespace for maintenance operations.
    namespace: Option<String>,
    /// JSON object of metadata.
    metadata: Option<String>,
}

async fn read_upload(
    p: &Principal,
    mut form: Multipart,
    default_type: DocumentType,
) -> Result<DocumentUpload, ApiError> {
    let mut up = DocumentUpload {
        file_name: String::new(),
        bytes: Vec::new(),
        document_type: default_type,
        audience_role: None,
        namespace: None,
        metadata: Map::new(),
    };
    let mut has_file = false;
    while let Some(field) = form.next_field().await.map_err(|e| bad_multipart(&e))? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            up.file_name = field.file_name().unwrap_or("upload").to_string();
            up.bytes = field.bytes().await.map_err(|e| bad_multipart(&e))?.to_vec();
            has_file = true;
            continue;
        }
        let text = field.text().await.map_err(|e| bad_multipart(&e))?;
        match name.as_str() {
            "company_id" => p.require_company(&text)?,
            "role" => up.audience_role = Some(text).filter(|t| !t.is_empty()),
            "namespace" => up.namespace = Some(text).filter(|t| !t.is_empty()),
            "document_type" => {
                let t = DocumentType::parse(&text)
                    .ok_or_else(|| ApiError::bad_request(format!("document_type: unknown type `{text}`")))?;
                let allowed =
                    t == default_type || (default_type == DocumentType::Reference && t == DocumentType::Policy);
                if !allowed {
                    return Err(ApiError::bad_request(format!(
                        "document_type: `{text}` does not belong on the {} endpoint",
                        default_type.as_str()
                    )));
                }
                up.document_type = t;
            }
            "metadata" => {
                up.metadata = serde_json::from_str::<Map<String, Value>>(&text)
                    .map_err(|e| ApiError::bad_request(format!("metadata: not a JSON object: {e}")))?;
            }
            _ => {}
        }
    }
    if !has_file {
        return Err(ApiError::bad_request("file: missing; send the document as the multipart field `file`"));
    }
    Ok(up)
}

fn bad_multipart(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The document exceeds the 50 MB limit")
    } else {
        ApiError::bad_request(format!("invalid multipart body: {}", e.body_text()))
    }
}

async fn ingest(
    s: &AppState,
    p: &Principal,
    form: Multipart,
    kind: DocumentType,
) -> Result<(StatusCode, Json<DocumentIngestion>), ApiError> {
    let up = read_upload(p, form, kind).await?;
    let doc = s.otto.ingest_document(p, up).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DocumentIngestion {
            ingestion_id: otto_core::domain::new_id("ingest"),
            status: "processing".into(),
            chunks_created: doc.chunks_created,
            estimated_processing_time: "a few seconds to a few minutes".into(),
            processing_notes: format!(
                "Follow GET /api/v1/ingestion/documents/{}; it will be searchable by Ask Otto once indexed",
                doc.document_id
            ),
            document_id: doc.document_id,
        }),
    ))
}

/// Ingest SOP documents.
///
/// Multipart upload (`file` plus optional `role`, `metadata` JSON, `namespace`). Managers and
/// admins. Extraction and indexing run in the background; re-uploading the same file name
/// replaces the earlier version atomically.
#[utoipa::path(post, path = "/api/v1/ingestion/sop-documents", tag = "documents",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 202, description = "Accepted for processing", body = DocumentIngestion)))]
pub async fn sop_documents(
    State(s): State<AppState>,
    Auth(p): Auth,
    form: Multipart,
) -> Result<(StatusCode, Json<DocumentIngestion>), ApiError> {
    ingest(&s, &p, form, DocumentType::Sop).await
}

/// Ingest training materials.
#[utoipa::path(post, path = "/api/v1/ingestion/training-documents", tag = "documents",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 202, description = "Accepted for processing", body = DocumentIngestion)))]
pub async fn training_documents(
    State(s): State<AppState>,
    Auth(p): Auth,
    form: Multipart,
) -> Result<(StatusCode, Json<DocumentIngestion>), ApiError> {
    ingest(&s, &p, form, DocumentType::Training).await
}

/// Ingest reference documents (and policies).
#[utoipa::path(post, path = "/api/v1/ingestion/reference-documents", tag = "documents",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 202, description = "Accepted for processing", body = DocumentIngestion)))]
pub async fn reference_documents(
    State(s): State<AppState>,
    Auth(p): Auth,
    form: Multipart,
) -> Result<(StatusCode, Json<DocumentIngestion>), ApiError> {
    ingest(&s, &p, form, DocumentType::Reference).await
}

/// Get a document.
///
/// Its ingestion status (`processing`, `indexed`, `failed` with the reason), pages and chunks.
#[utoipa::path(get, path = "/api/v1/ingestion/documents/{document_id}", tag = "documents",
    params(("document_id" = String, Path, description = "Document identifier")),
    responses((status = 200, description = "The document", body = Document)))]
pub async fn get_document(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Document>, ApiError> {
    Ok(Json(s.otto.document(&p, &id).await?))
}

/// Delete an entity's vectors.
///
/// Removes a document (or a call's knowledge chunks) from every answer path: index entries,
/// full-text entries, and for documents the document record. A call keeps its analyses but stays
/// out of Ask Otto: a reindex or a re-analysis does not bring its words back. Managers and
/// admins.
#[utoipa::path(delete, path = "/api/v1/maintenance/vectors/{entity_id}", tag = "documents",
    params(("entity_id" = String, Path, description = "Document or call identifier")),
    responses((status = 200, description = "Deleted", body = VectorsDeleted)))]
pub async fn delete_vectors(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<VectorsDeleted>, ApiError> {
    let n = s.otto.delete_entity_vectors(&p, &id).await?;
    Ok(Json(VectorsDeleted { entity_id: id, vectors_deleted: n, status: "completed".into(), timestamp: Utc::now() }))
}

/// Reindex vectors.
///
/// Rebuilds the knowledge index of a namespace (default: the whole company, calls included) in
/// the background; follow it at `GET /api/v1/maintenance/vectors/reindex/{reindex_id}`.
#[utoipa::path(post, path = "/api/v1/maintenance/vectors/reindex", tag = "documents", request_body = ReindexRequest,
    responses((status = 202, description = "Started", body = ReindexStatus)))]
pub async fn reindex(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<ReindexRequest>,
) -> Result<(StatusCode, Json<ReindexStatus>), ApiError> {
    let started = s.otto.reindex(&p, body.namespace.as_deref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ReindexStatus {
            reindex_id: started.reindex_id,
            status: "started".into(),
            total_entities: Some(started.total_entities),
            progress: 0,
            error: None,
        }),
    ))
}

/// Get reindex progress.
#[utoipa::path(get, path = "/api/v1/maintenance/vectors/reindex/{reindex_id}", tag = "documents",
    params(("reindex_id" = String, Path, description = "Reindex identifier")),
    responses((status = 200, description = "Progress", body = ReindexStatus)))]
pub async fn reindex_status(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ReindexStatus>, ApiError> {
    let job = s.otto.reindex_status(&p, &id).await?;
    let status = match job.status {
        JobStatus::Queued => "started",
        JobStatus::Running => "running",
        JobStatus::Succeeded => "completed",
        JobStatus::Dead => "failed",
    };
    Ok(Json(ReindexStatus {
        reindex_id: job.job_id,
        status: status.into(),
        total_entities: None,
        progress: job.progress,
        error: job.last_error,
    }))
}

/// Upload a document by URL (UWC).
///
/// Queues fetching the document from `url` (http(s); private addresses refused unless the
/// server allows them) and indexing it like an uploaded file. Managers and admins.
#[utoipa::path(post, path = "/api/v1/ingestion/documents/upload", tag = "documents", request_body = UrlUploadRequest,
    responses((status = 202, description = "Accepted", body = UrlUploadAccepted)))]
pub async fn upload_by_url(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<UrlUploadRequest>,
) -> Result<(StatusCode, Json<UrlUploadAccepted>), ApiError> {
    if let Some(c) = &body.company_id {
        p.require_company(c)?;
    }
    let up = UrlUpload {
        document_name: body.document_name,
        url: body.url,
        document_type: body.category.unwrap_or(DocumentType::Reference),
        namespace: body.namespace,
        metadata: body.metadata.unwrap_or_default(),
    };
    let id = s.otto.upload_document_from_url(&p, up).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(UrlUploadAccepted {
            upload_id: id.clone(),
            status: "uploaded".into(),
            processing_job_id: id,
            estimated_completion: Utc::now() + chrono::Duration::minutes(2),
        }),
    ))
}

/// Document processing complete (UWC callback).
///
/// An external processor reports that an upload finished; the title and page count it
/// extracted are recorded on the document (a reindex keeps the title). 409 until the document
/// has been fetched and indexed: retry.
#[utoipa::path(post, path = "/api/v1/ingestion/documents/complete", tag = "documents", request_body = UploadCompleteRequest,
    responses((status = 200, description = "Acknowledged", body = UploadCompleteAck),
              (status = 409, description = "Not fetched or indexed yet", body = otto_core::api::ErrorBody)))]
pub async fn upload_complete(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<UploadCompleteRequest>,
) -> Result<Json<UploadCompleteAck>, ApiError> {
    if let Some(job) = &body.processing_job_id {
        if *job != body.upload_id {
            return Err(ApiError::bad_request("processing_job_id: does not belong to this upload"));
        }
    }
    if !["completed", "failed"].contains(&body.status.as_str()) {
        return Err(ApiError::bad_request("status: must be `completed` or `failed`"));
    }
    let meta = body.metadata_extracted.unwrap_or(otto_core::api::ExtractedMetadata {
        title: None,
        pages: None,
        language: None,
    });
    let doc = s.otto.complete_url_upload(&p, &body.upload_id, meta.title, meta.pages).await?;
    Ok(Json(UploadCompleteAck {
        status: "acknowledged".into(),
        document_id: doc.document_id,
        indexing_status: doc.status.as_str().into(),
    }))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sop_documents))
        .routes(routes!(training_documents))
        .routes(routes!(reference_documents))
        .routes(routes!(get_document))
        .routes(routes!(delete_vectors))
        .routes(routes!(reindex))
        .routes(routes!(reindex_status))
        .routes(routes!(upload_by_url))
        .routes(routes!(upload_complete))
}
