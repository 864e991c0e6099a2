//! System APIs (1.x): health.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use otto_core::api::{AuditList, Health};
use otto_core::domain::{AuditFilter, CompanySettings, CompanySettingsUpdate, PageRequest};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Health check.
///
/// Answers without authentication. `status` is `healthy` when the store answers; `retrieval`
/// says whether Ask Otto searches full-text only (`lexical`) or fuses it with vectors (`hybrid`).
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "Service health", body = Health)))]
pub async fn health(State(s): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "healthy".into(),
        service: "otto-api".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        timestamp: Utc::now(),
        storage: s.otto.storage_backend().into(),
        retrieval: s.otto.retrieval_mode().as_str().into(),
    })
}

/// Query of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this user's actions.
    actor_id: Option<String>,
    /// Only this kind of object (`call`, `sop_stage`, `crm_ingestion`).
    resource_type: Option<String>,
    /// Only this object.
    resource_id: Option<String>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
}

/// Read the audit trail.
///
/// Who changed what and when (calls, SOP stages, CRM ingestion), newest first. Admins only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "system", params(AuditQuery),
    responses((status = 200, description = "A page of audit events", body = AuditList)))]
pub async fn audit(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditList>, ApiError> {
    let filter = AuditFilter {
        actor_id: q.actor_id,
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        page: PageRequest::new(q.limit, q.offset)?,
    };
    let page = s.otto.audit_events(&p, filter).await?;
    let has_more = page.has_more();
    Ok(Json(AuditList { events: page.items, total: page.total, limit: page.limit, offset: page.offset, has_more }))
}

/// Get company settings.
///
/// The stereo channel that carries the rep in the company's recordings, and its time zone.
#[utoipa::path(get, path = "/api/v1/company/settings", tag = "system",
    responses((status = 200, description = "The settings", body = CompanySettings)))]
pub async fn get_settings(State(s): State<AppState>, Auth(p): Auth) -> Result<Json<CompanySettings>, ApiError> {
    Ok(Json(s.otto.company_settings(&p).await?))
}

/// Update company settings.
///
/// Replaces the settings (absent fields are cleared). Admins only. A call's own `rep_channel`
/// and `timezone` still win over these defaults.
#[utoipa::path(put, path = "/api/v1/company/settings", tag = "system", request_body = CompanySettingsUpdate,
    responses((status = 200, description = "The saved settings", body = CompanySettings)))]
pub async fn put_settings(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<CompanySettingsUpdate>,
) -> Result<Json<CompanySettings>, ApiError> {
    Ok(Json(s.otto.update_company_settings(&p, body).await?))
}

/// Public routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Authenticated routes of this category.
pub fn authenticated_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit)).routes(routes!(get_settings, put_settings))
}
