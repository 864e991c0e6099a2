//! Enhanced summarization APIs (5.x).

use axum::extract::State;
use axum::Json;
use otto_core::api::{
    AppointmentSummaryRequest, CallSummaryResponse, DailySummaryRequest, DailySummaryResponse, PrepSummaryRequest,
    PrepSummaryResponse, SummaryHistory,
};
use otto_core::domain::{PageRequest, SortOrder, SummaryFilter, SummarySort, SummaryType};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Generate a daily summary.
///
/// A rep's recap of one day (in the calls' local time) from that day's analysed calls, with
/// metrics. CSRs and sales reps may only summarise their own day.
#[utoipa::path(post, path = "/api/v1/summary/daily", tag = "summary", request_body = DailySummaryRequest,
    responses((status = 200, description = "The recap", body = DailySummaryResponse)))]
pub async fn daily(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<DailySummaryRequest>,
) -> Result<Json<DailySummaryResponse>, ApiError> {
    Ok(Json(s.otto.daily_summary(&p, body).await?))
}

/// Generate an appointment summary.
///
/// Summary of one analysed call: outcome, lead, appointment, key points (with the facts: amounts,
/// dates, names), objections and next steps. Stored in the rep's history.
#[utoipa::path(post, path = "/api/v1/summary/appointment", tag = "summary", request_body = AppointmentSummaryRequest,
    responses((status = 200, description = "The summary", body = CallSummaryResponse)))]
pub async fn appointment(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<AppointmentSummaryRequest>,
) -> Result<Json<CallSummaryResponse>, ApiError> {
    Ok(Json(s.otto.appointment_summary(&p, body).await?))
}

/// Generate a pre-call prep summary.
///
/// A brief from the customer's earlier analysed calls (matched by phone), CRM events and the
/// context given: open objections, last outcome, decision makers, property facts, and a
/// suggested approach.
#[utoipa::path(post, path = "/api/v1/summary/prep", tag = "summary", request_body = PrepSummaryRequest,
    responses((status = 200, description = "The brief", body = PrepSummaryResponse)))]
pub async fn prep(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<PrepSummaryRequest>,
) -> Result<Json<PrepSummaryResponse>, ApiError> {
    Ok(Json(s.otto.prep_summary(&p, body).await?))
}

/// Query parameters of the summary history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Only this kind.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<SummaryType>,
    /// Sort key (default `created_at`).
    sort: Option<SummarySort>,
    /// Direction (default `desc`).
    order: Option<SortOrder>,
}

/// Get summary history.
#[utoipa::path(get, path = "/api/v1/summary/{rep_id}/history", tag = "summary",
    params(("rep_id" = String, Path, description = "Rep identifier"), HistoryQuery),
    responses((status = 200, description = "A page of summaries", body = SummaryHistory)))]
pub async fn history(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(rep_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<SummaryHistory>, ApiError> {
    let filter = SummaryFilter {
        rep_id: None,
        summary_type: q.kind,
        call_id: None,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    Ok(Json(s.otto.summary_history(&p, &rep_id, filter).await?))
}

/// Get the summary of a call.
///
/// The call's latest appointment summary; made now if the call is analysed but not summarised.
#[utoipa::path(get, path = "/api/v1/summary/call/{call_id}", tag = "summary",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The summary", body = CallSummaryResponse)))]
pub async fn by_call(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<CallSummaryResponse>, ApiError> {
    Ok(Json(s.otto.call_summary(&p, &call_id).await?))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(daily))
        .routes(routes!(appointment))
        .routes(routes!(prep))
        .routes(routes!(history))
        .routes(routes!(by_call))
}
