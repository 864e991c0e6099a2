//! SOP management APIs (11.1-11.4).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use otto_core::api::{ComplianceAnalytics, ComplianceRequest, ComplianceResult, SopStageList, SopStagesCreated};
use otto_core::domain::{NewSopStages, PageRequest, SopStage, SopStageFilter, SopStageSort, SopStageUpdate, SortOrder};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Configure company SOP stages.
///
/// Adds stages to the company's SOP (created on first use). Stage names are unique within the
/// company, case-insensitively. Managers and admins only.
#[utoipa::path(post, path = "/api/v1/sop/stages", tag = "sop", request_body = NewSopStages,
    responses((status = 201, description = "Stages created", body = SopStagesCreated),
              (status = 409, description = "A stage with that name exists", body = otto_core::api::ErrorBody)))]
pub async fn create_stages(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<NewSopStages>,
) -> Result<(StatusCode, Json<SopStagesCreated>), ApiError> {
    let (sop_id, stages) = s.otto.create_sop_stages(&p, body).await?;
    Ok((StatusCode::CREATED, Json(SopStagesCreated { sop_id, stages })))
}

/// Query parameters of the stage listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListStagesQuery {
    /// Must be the caller's company when given.
    company_id: Option<String>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `stage_order`).
    sort: Option<SopStageSort>,
    /// Sort direction (default `asc`).
    order: Option<SortOrder>,
    /// Only active (true) or inactive (false) stages.
    is_active: Option<bool>,
}

/// Get company SOP stages.
///
/// Every role may read the company's SOP.
#[utoipa::path(get, path = "/api/v1/sop/stages", tag = "sop", params(ListStagesQuery),
    responses((status = 200, description = "A page of stages", body = SopStageList)))]
pub async fn list_stages(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListStagesQuery>,
) -> Result<Json<SopStageList>, ApiError> {
    if let Some(c) = &q.company_id {
        p.require_company(c)?;
    }
    let filter = SopStageFilter {
        is_active: q.is_active,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or_default(),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    let page = s.otto.list_sop_stages(&p, filter).await?;
    let has_more = page.has_more();
    Ok(Json(SopStageList {
        company_id: p.company_id().to_string(),
        sop_id: page.items.first().map(|st| st.sop_id.clone()),
        stages: page.items,
        total: page.total,
        limit: page.limit,
        offset: page.offset,
        has_more,
    }))
}

/// Update an SOP stage.
#[utoipa::path(put, path = "/api/v1/sop/stages/{stage_id}", tag = "sop", request_body = SopStageUpdate,
    params(("stage_id" = String, Path, description = "Stage identifier")),
    responses((status = 200, description = "The updated stage", body = SopStage),
              (status = 409, description = "A stage with that name exists", body = otto_core::api::ErrorBody)))]
pub async fn update_stage(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(stage_id): ApiPath<String>,
    ApiJson(body): ApiJson<SopStageUpdate>,
) -> Result<Json<SopStage>, ApiError> {
    Ok(Json(s.otto.update_sop_stage(&p, &stage_id, body).await?))
}

/// Delete an SOP stage.
#[utoipa::path(delete, path = "/api/v1/sop/stages/{stage_id}", tag = "sop",
    params(("stage_id" = String, Path, description = "Stage identifier")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_stage(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(stage_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.otto.delete_sop_stage(&p, &stage_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Analyze call compliance.
///
/// Checks a call's transcript against the company's current active SOP stages now, stores the
/// result as the call's SOP analysis, and returns completed and missing stages with
/// recommendations.
#[utoipa::path(post, path = "/api/v1/sop/compliance/analyze", tag = "sop", request_body = ComplianceRequest,
    responses((status = 200, description = "Compliance of the call", body = ComplianceResult)))]
pub async fn analyze_compliance(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<ComplianceRequest>,
) -> Result<Json<ComplianceResult>, ApiError> {
    Ok(Json(s.otto.analyze_compliance(&p, body).await?))
}

/// Query of the compliance analytics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// Days to include, `YYYY-MM-DD..YYYY-MM-DD` (UTC, inclusive; either end may be empty) or a
    /// single `YYYY-MM-DD`. Default: all time.
    date_range: Option<String>,
}

/// Get compliance analytics.
///
/// SOP compliance across analysed calls: overall, per stage, and per rep with improvement
/// areas. Managers and admins see the company; CSRs and sales reps their own calls.
#[utoipa::path(get, path = "/api/v1/sop/compliance/{company_id}", tag = "sop",
    params(("company_id" = String, Path, description = "Must be the caller's company"), ComplianceQuery),
    responses((status = 200, description = "Compliance analytics", body = ComplianceAnalytics)))]
pub async fn compliance_analytics(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(company_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> Result<Json<ComplianceAnalytics>, ApiError> {
    Ok(Json(s.otto.compliance_analytics(&p, &company_id, q.date_range.as_deref()).await?))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_stages, list_stages))
        .routes(routes!(update_stage, delete_stage))
        .routes(routes!(analyze_compliance))
        .routes(routes!(compliance_analytics))
}
