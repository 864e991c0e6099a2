//! Call data ingestion APIs (2.x).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use otto_core::api::{CallList, CallProcessingStatus, DiarizationResponse, TranscriptResponse};
use otto_core::domain::{
    Call, CallFilter, CallSort, CallStatus, CallType, CallUpdate, NewCall, PageRequest, SortOrder,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Create a call record.
///
/// Records a call for the caller's company. CSRs and sales reps record their own calls
/// (`rep_id` defaults to the caller); managers and admins may name any rep. A `call_id` that
/// already exists is a 409.
#[utoipa::path(post, path = "/api/v1/calls", tag = "calls", request_body = NewCall,
    responses((status = 201, description = "The call was recorded", body = Call),
              (status = 409, description = "call_id or callrail_id already exists", body = otto_core::api::ErrorBody)))]
pub async fn create_call(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<NewCall>,
) -> Result<(StatusCode, Json<Call>), ApiError> {
    Ok((StatusCode::CREATED, Json(s.otto.create_call(&p, body).await?)))
}

/// Query parameters of the call listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCallsQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `created_at`).
    sort: Option<CallSort>,
    /// Sort direction (default `desc`, newest first).
    order: Option<SortOrder>,
    /// Only calls in this status.
    status: Option<CallStatus>,
    /// Only this rep's calls (CSRs and sales reps always get their own).
    rep_id: Option<String>,
    /// Only calls of this type.
    call_type: Option<CallType>,
    /// Only the call with this CallRail id.
    callrail_id: Option<String>,
    /// Only calls from this customer phone number.
    caller_phone: Option<String>,
    /// Created at or after (RFC 3339).
    created_after: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    created_before: Option<DateTime<Utc>>,
    /// Started at or after (RFC 3339; calls without a start time count by creation time).
    started_after: Option<DateTime<Utc>>,
    /// Started before (RFC 3339).
    started_before: Option<DateTime<Utc>>,
}

/// List calls.
///
/// A page of the company's calls, newest first by default. CSRs and sales reps see only their
/// own calls; managers and admins see the whole company.
#[utoipa::path(get, path = "/api/v1/calls", tag = "calls", params(ListCallsQuery),
    responses((status = 200, description = "A page of calls", body = CallList)))]
pub async fn list_calls(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<ListCallsQuery>,
) -> Result<Json<CallList>, ApiError> {
    let filter = CallFilter {
        rep_id: q.rep_id,
        status: q.status,
        call_type: q.call_type,
        callrail_id: q.callrail_id,
        caller_phone: q.caller_phone,
        created_after: q.created_after,
        created_before: q.created_before,
        started_after: q.started_after,
        started_before: q.started_before,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    Ok(Json(s.otto.list_calls(&p, filter).await?.into()))
}

/// Get call details.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}", tag = "calls",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The call", body = Call)))]
pub async fn get_call(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(s.otto.get_call(&p, &call_id).await?))
}

/// Update call metadata.
///
/// Changes status, rep, type or metadata. Metadata is merged key by key; a key set to `null`
/// is removed.
#[utoipa::path(put, path = "/api/v1/calls/{call_id}", tag = "calls", request_body = CallUpdate,
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The updated call", body = Call)))]
pub async fn update_call(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
    ApiJson(body): ApiJson<CallUpdate>,
) -> Result<Json<Call>, ApiError> {
    Ok(Json(s.otto.update_call(&p, &call_id, body).await?))
}

/// Get call processing status.
///
/// Overall status, progress (0-100) and the state of each stage (`fetch`, `transcription`,
/// `diarization`, `analysis`); `failure_reason` says why a failed call failed.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/status", tag = "calls",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "Processing status", body = CallProcessingStatus)))]
pub async fn call_status(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<CallProcessingStatus>, ApiError> {
    Ok(Json(s.otto.call_status(&p, &call_id).await?))
}

/// Get transcript.
///
/// The full text plus the attributed, timed segments. 404 until the call has a transcript.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/transcript", tag = "calls",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The transcript", body = TranscriptResponse)))]
pub async fn transcript(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<TranscriptResponse>, ApiError> {
    Ok(Json(s.otto.transcript_response(&p, &call_id).await?))
}

/// Get speaker diarization.
///
/// Speaker segments in time order, each labelled `rep` or `customer` with a confidence, and
/// talk time per speaker.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/diarization", tag = "calls",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "Speaker segments", body = DiarizationResponse)))]
pub async fn diarization(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<DiarizationResponse>, ApiError> {
    Ok(Json(s.otto.diarization(&p, &call_id).await?))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_call, list_calls))
        .routes(routes!(get_call, update_call))
        .routes(routes!(call_status))
        .routes(routes!(transcript))
        .routes(routes!(diarization))
}
