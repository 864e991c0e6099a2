//! Personal AI APIs (9.1-9.5), plus reviewing a clone draft.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use otto_core::domain::{
    CloneDraft, CloneDraftFilter, CloneDraftList, CloneDraftSort, CloneProfileResponse, CloneStatus, DraftStatus,
    DraftUpdate, FollowupChannel, GenerateRequest, GeneratedContent, PageRequest, SortOrder, TrainCloneRequest,
    TrainingStarted,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Get clone profile.
///
/// The rep's measured style (`characteristics`: greetings and sign-offs they write, sentence
/// length, formality, punctuation and emoji habits, signature phrases, channel mix) and how
/// the clone's drafts fare (`approval_rate`: drafts that reached ready or sent over drafts
/// generated). Reps read their own clone; managers and admins any rep's. 404 before the first
/// training request.
#[utoipa::path(get, path = "/api/v1/clone/{rep_id}/profile", tag = "personal_ai",
    params(("rep_id" = String, Path, description = "Rep identifier (the rep's user id)")),
    responses((status = 200, description = "The clone profile", body = CloneProfileResponse)))]
pub async fn profile(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(rep_id): ApiPath<String>,
) -> Result<Json<CloneProfileResponse>, ApiError> {
    Ok(Json(s.otto.clone_profile(&p, &rep_id).await?))
}

/// Generate content with the personal clone.
///
/// Writes an email, SMS or call script in the rep's style from the prompt and context, and
/// stores it as a `draft`. With a language model configured it writes from the profile and the
/// rep's nearest samples; otherwise (or if the model fails) the offline composer fills
/// templates with the context and the rep's own greeting, lines, phrases and habits. 409 until
/// the first training completes.
#[utoipa::path(post, path = "/api/v1/clone/{rep_id}/generate", tag = "personal_ai", request_body = GenerateRequest,
    params(("rep_id" = String, Path, description = "Rep identifier")),
    responses((status = 200, description = "The generated content and its draft", body = GeneratedContent),
              (status = 409, description = "The clone is not trained yet", body = otto_core::api::ErrorBody)))]
pub async fn generate(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(rep_id): ApiPath<String>,
    ApiJson(body): ApiJson<GenerateRequest>,
) -> Result<Json<GeneratedContent>, ApiError> {
    Ok(Json(s.otto.generate_with_clone(&p, &rep_id, body).await?))
}

/// Query of the clone draft listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CloneDraftsQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `created_at`).
    sort: Option<CloneDraftSort>,
    /// Direction (default `desc`).
    order: Option<SortOrder>,
    /// Only this content type.
    content_type: Option<FollowupChannel>,
    /// Only in this state.
    status: Option<DraftStatus>,
}

/// Get generated drafts.
#[utoipa::path(get, path = "/api/v1/clone/{rep_id}/drafts", tag = "personal_ai",
    params(("rep_id" = String, Path, description = "Rep identifier"), CloneDraftsQuery),
    responses((status = 200, description = "A page of drafts", body = CloneDraftList)))]
pub async fn drafts(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(rep_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<CloneDraftsQuery>,
) -> Result<Json<CloneDraftList>, ApiError> {
    let filter = CloneDraftFilter {
        rep_id: None,
        content_type: q.content_type,
        status: q.status,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    Ok(Json(s.otto.list_clone_drafts(&p, &rep_id, filter).await?))
}

/// Update a generated draft.
///
/// Moves it through the draft lifecycle (`draft -> ready -> sent`; `cancelled` until sent;
/// `ready` may go back to `draft`) and/or replaces its content while it is draft or ready.
/// Reaching ready or sent counts as an approval in the profile's `approval_rate`.
#[utoipa::path(patch, path = "/api/v1/clone/{rep_id}/drafts/{draft_id}", tag = "personal_ai", request_body = DraftUpdate,
    params(("rep_id" = String, Path, description = "Rep identifier"),
           ("draft_id" = String, Path, description = "Draft identifier")),
    responses((status = 200, description = "The updated draft", body = CloneDraft),
              (status = 409, description = "Not allowed from the draft's state", body = otto_core::api::ErrorBody)))]
pub async fn update_draft(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath((rep_id, draft_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<DraftUpdate>,
) -> Result<Json<CloneDraft>, ApiError> {
    Ok(Json(s.otto.update_clone_draft(&p, &rep_id, &draft_id, body).await?))
}

/// Train the personal clone.
///
/// Checks every sample (empty, too short, mostly symbols, too few words, duplicates: the error
/// names the sample's index), stores them as the rep's exemplars and queues a training job that
/// measures the profile from all the rep's samples. Retraining adds samples and increments
/// `model_version` when done. Follow `GET /clone/{rep_id}/status`.
#[utoipa::path(post, path = "/api/v1/clone/{rep_id}/train", tag = "personal_ai", request_body = TrainCloneRequest,
    params(("rep_id" = String, Path, description = "Rep identifier")),
    responses((status = 202, description = "Training queued", body = TrainingStarted)))]
pub async fn train(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(rep_id): ApiPath<String>,
    ApiJson(body): ApiJson<TrainCloneRequest>,
) -> Result<(StatusCode, Json<TrainingStarted>), ApiError> {
    Ok((StatusCode::ACCEPTED, Json(s.otto.train_clone(&p, &rep_id, body).await?)))
}

/// Get clone training status.
#[utoipa::path(get, path = "/api/v1/clone/{rep_id}/status", tag = "personal_ai",
    params(("rep_id" = String, Path, description = "Rep identifier")),
    responses((status = 200, description = "Training status", body = CloneStatus)))]
pub async fn status(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(rep_id): ApiPath<String>,
) -> Result<Json<CloneStatus>, ApiError> {
    Ok(Json(s.otto.clone_status(&p, &rep_id).await?))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(profile))
        .routes(routes!(generate))
        .routes(routes!(drafts))
        .routes(routes!(update_draft))
        .routes(routes!(train))
        .routes(routes!(status))
}
