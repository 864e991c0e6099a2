//! Voice intelligence APIs (7.x): speakers and the per-call analyses.

use axum::extract::State;
use axum::Json;
use otto_core::api::{
    CallAnalysisResponse, CoachingResponse, DiarizationResponse, LeadClassificationResponse, MeetingSegmentsResponse,
    ObjectionsResponse, RehashScoreResponse, SopAnalysisResponse,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::state::AppState;

/// Get speaker segments.
///
/// Speaker segments with roles (`rep`/`customer`, with confidence) and talk time per speaker.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/speakers", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "Speaker segments", body = DiarizationResponse)))]
pub async fn speakers(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<DiarizationResponse>, ApiError> {
    Ok(Json(s.otto.diarization(&p, &call_id).await?))
}

/// Get the full call analysis.
///
/// Lead classification, objections, SOP compliance, appointment, outcome, rehash score,
/// coaching, meeting phases, talk metrics, summary and property facts in one document. Every
/// finding points at its evidence (segment index, times, quote). 404 until analysed.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/analysis", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The analysis", body = CallAnalysisResponse)))]
pub async fn analysis(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<CallAnalysisResponse>, ApiError> {
    Ok(Json(s.otto.analysis_response(&p, &call_id).await?))
}

/// Get lead classification.
///
/// Lead score, hot/warm/cold, qualified, BANT sub-scores and the reasons with evidence.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/lead-classification", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The analysis", body = LeadClassificationResponse)))]
pub async fn lead_classification(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<LeadClassificationResponse>, ApiError> {
    Ok(Json(s.otto.lead_classification(&p, &call_id).await?))
}

/// Get objection analysis.
///
/// Objections the customer raised (type, their words, whether the rep handled it, severity,
/// response suggestions). An empty list when there were none.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/objections", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The analysis", body = ObjectionsResponse)))]
pub async fn objections(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<ObjectionsResponse>, ApiError> {
    Ok(Json(s.otto.objections(&p, &call_id).await?))
}

/// Get SOP analysis.
///
/// Which of the company's active SOP stages the rep performed, when, how well, and the gaps.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/sop-analysis", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The analysis", body = SopAnalysisResponse)))]
pub async fn sop_analysis(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<SopAnalysisResponse>, ApiError> {
    Ok(Json(s.otto.sop_analysis(&p, &call_id).await?))
}

/// Get coaching feedback.
///
/// Improvements (by priority) and strengths, each grounded in the call's words.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/coaching", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The analysis", body = CoachingResponse)))]
pub async fn coaching(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<CoachingResponse>, ApiError> {
    Ok(Json(s.otto.coaching(&p, &call_id).await?))
}

/// Get meeting segmentation.
///
/// The call split into phases (opening, discovery, presentation, objections, close...) with times.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/meeting-segments", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The analysis", body = MeetingSegmentsResponse)))]
pub async fn meeting_segments(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<MeetingSegmentsResponse>, ApiError> {
    Ok(Json(s.otto.meeting_segments(&p, &call_id).await?))
}

/// Get rehash score.
///
/// Follow-up priority 1-5 with reasons and the call's outcome.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/rehash-score", tag = "voice",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The analysis", body = RehashScoreResponse)))]
pub async fn rehash_score(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<RehashScoreResponse>, ApiError> {
    Ok(Json(s.otto.rehash_score(&p, &call_id).await?))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(speakers))
        .routes(routes!(analysis))
        .routes(routes!(lead_classification))
        .routes(routes!(objections))
        .routes(routes!(sop_analysis))
        .routes(routes!(coaching))
        .routes(routes!(meeting_segments))
        .routes(routes!(rehash_score))
}
