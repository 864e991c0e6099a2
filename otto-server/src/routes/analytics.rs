//! Performance & analytics APIs (12.1-12.4).
//!
//! Every figure is computed by the database over the analysed calls' facts. `company_id` must
//! be the caller's company (403 otherwise); CSRs and sales reps get their own calls' numbers.
//! `date_range` is `YYYY-MM-DD..YYYY-MM-DD` (UTC days, inclusive; either end may be empty) or a
//! single `YYYY-MM-DD`; anything else is 400.

use axum::extract::State;
use axum::Json;
use otto_core::domain::{
    LeadAnalytics, LeadQuality, LeadQuery, LeadSort, ObjectionAnalytics, ObjectionQuery, ObjectionSort, PageRequest,
    PerformanceMetrics, RepPerformanceList, RepQuery, RepSort, SortOrder,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// Query of the performance metrics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PerformanceQuery {
    /// Days to include, `YYYY-MM-DD..YYYY-MM-DD` (UTC, inclusive; either end may be empty) or a
    /// single `YYYY-MM-DD`. Default: all time.
    date_range: Option<String>,
}

/// Get performance metrics.
///
/// Over analysed calls: total calls, conversion rate ((appointments set + sold) / calls), mean
/// call length in minutes, mean lead score, objection rate (calls with an objection / calls).
#[utoipa::path(get, path = "/api/v1/analytics/performance/{company_id}", tag = "analytics",
    params(("company_id" = String, Path, description = "Must be the caller's company"), PerformanceQuery),
    responses((status = 200, description = "Performance metrics", body = PerformanceMetrics)))]
pub async fn performance(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(company_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PerformanceQuery>,
) -> Result<Json<PerformanceMetrics>, ApiError> {
    Ok(Json(s.otto.performance_metrics(&p, &company_id, q.date_range.as_deref()).await?))
}

/// Query of rep performance.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RepsQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `performance_score`).
    sort: Option<RepSort>,
    /// Direction (default `desc`).
    order: Option<SortOrder>,
    /// Only reps scoring at least this (0 to 1).
    min_performance_score: Option<f64>,
    /// Days to include (see the performance metrics).
    date_range: Option<String>,
}

/// Get rep performance.
///
/// Per rep: performance score (0.5 × conversion + 0.25 × objection handling + 0.25 × SOP
/// compliance; without an SOP 0.75 × conversion + 0.25 × handling), calls handled, conversion
/// rate and coaching recommendations from the weakest areas.
#[utoipa::path(get, path = "/api/v1/analytics/reps/{company_id}", tag = "analytics",
    params(("company_id" = String, Path, description = "Must be the caller's company"), RepsQuery),
    responses((status = 200, description = "A page of reps", body = RepPerformanceList)))]
pub async fn reps(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(company_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<RepsQuery>,
) -> Result<Json<RepPerformanceList>, ApiError> {
    let query = RepQuery {
        min_performance_score: q.min_performance_score,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    Ok(Json(s.otto.rep_performance(&p, &company_id, q.date_range.as_deref(), query).await?))
}

/// Query of objection analytics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectionsQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `frequency`).
    sort: Option<ObjectionSort>,
    /// Direction (default `desc`).
    order: Option<SortOrder>,
    /// Only types raised on at least this many calls.
    min_frequency: Option<u64>,
    /// Days to include (see the performance metrics).
    date_range: Option<String>,
}

/// Get objection analytics.
///
/// Per objection type: frequency (calls raising it) and impact (share of those calls that did
/// not convert), plus handled and conversion rates.
#[utoipa::path(get, path = "/api/v1/analytics/objections/{company_id}", tag = "analytics",
    params(("company_id" = String, Path, description = "Must be the caller's company"), ObjectionsQuery),
    responses((status = 200, description = "Objection analytics", body = ObjectionAnalytics)))]
pub async fn objections(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(company_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ObjectionsQuery>,
) -> Result<Json<ObjectionAnalytics>, ApiError> {
    let query = ObjectionQuery {
        min_frequency: q.min_frequency,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    Ok(Json(s.otto.objection_analytics(&p, &company_id, q.date_range.as_deref(), query).await?))
}

/// Query of lead analytics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadsQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `quality_score`).
    sort: Option<LeadSort>,
    /// Direction (default `desc`).
    order: Option<SortOrder>,
    /// Only leads of this quality.
    quality_filter: Option<LeadQuality>,
    /// Only leads from this source (the call's `metadata.lead_source`, else `metadata.source`;
    /// case-insensitive).
    source_filter: Option<String>,
    /// Days to include (see the performance metrics).
    date_range: Option<String>,
}

/// Get lead analytics.
///
/// Lead quality distribution (hot/warm/cold), sources, mean lead score, and a sorted page of
/// the leads (one per analysed call).
#[utoipa::path(get, path = "/api/v1/analytics/leads/{company_id}", tag = "analytics",
    params(("company_id" = String, Path, description = "Must be the caller's company"), LeadsQuery),
    responses((status = 200, description = "Lead analytics", body = LeadAnalytics)))]
pub async fn leads(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(company_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<LeadsQuery>,
) -> Result<Json<LeadAnalytics>, ApiError> {
    let query = LeadQuery {
        quality: q.quality_filter,
        source: q.source_filter,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    Ok(Json(s.otto.lead_analytics(&p, &company_id, q.date_range.as_deref(), query).await?))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(performance))
        .routes(routes!(reps))
        .routes(routes!(objections))
        .routes(routes!(leads))
}
