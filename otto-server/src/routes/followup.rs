//! Follow-up APIs (10.1-10.6), plus reading and moving a draft through its lifecycle.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use otto_core::domain::{
    DraftFilter, DraftList, DraftSort, DraftStatus, DraftUpdate, FollowupChannel, FollowupDraft, FollowupRequest,
    FollowupTask, NewFollowupTask, PageRequest, SortOrder, TaskList,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Generate a follow-up draft.
///
/// Composes an email, SMS or call script from the call's analysis: the customer's name, their
/// objections (quoted) and whether they were left open, the appointment and the rep's
/// commitments, with a suggested send time in the call's business hours. Stored as a `draft`.
#[utoipa::path(post, path = "/api/v1/ai/followup/draft", tag = "followup", request_body = FollowupRequest,
    responses((status = 200, description = "The draft", body = FollowupDraft)))]
pub async fn draft(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<FollowupRequest>,
) -> Result<Json<FollowupDraft>, ApiError> {
    Ok(Json(s.otto.followup_draft(&p, body).await?))
}

/// Generate a nurture follow-up.
///
/// A CSR's follow-up keeping the lead warm: confirms a booking, or addresses what held the
/// customer back and makes booking easy. `strategy` explains the choice.
#[utoipa::path(post, path = "/api/v1/ai/followup/nurture", tag = "followup", request_body = FollowupRequest,
    responses((status = 200, description = "The draft", body = FollowupDraft)))]
pub async fn nurture(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<FollowupRequest>,
) -> Result<Json<FollowupDraft>, ApiError> {
    Ok(Json(s.otto.nurture_followup(&p, body).await?))
}

/// Generate a rehash follow-up.
///
/// A sales rep's re-engagement of a lead that did not close: `approach` follows the rehash
/// score (given, else analysed); the draft answers the open objections and proposes the agreed
/// next step. Higher scores are sent sooner.
#[utoipa::path(post, path = "/api/v1/ai/followup/rehash", tag = "followup", request_body = FollowupRequest,
    responses((status = 200, description = "The draft", body = FollowupDraft)))]
pub async fn rehash(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<FollowupRequest>,
) -> Result<Json<FollowupDraft>, ApiError> {
    Ok(Json(s.otto.rehash_followup(&p, body).await?))
}

/// Get a follow-up draft.
#[utoipa::path(get, path = "/api/v1/followup/drafts/{draft_id}", tag = "followup",
    params(("draft_id" = String, Path, description = "Draft identifier")),
    responses((status = 200, description = "The draft", body = FollowupDraft)))]
pub async fn get_draft(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(draft_id): ApiPath<String>,
) -> Result<Json<FollowupDraft>, ApiError> {
    Ok(Json(s.otto.get_followup_draft(&p, &draft_id).await?))
}

/// Update a follow-up draft.
///
/// Moves it through its lifecycle (`draft -> ready -> sent`; `cancelled` until sent; `ready`
/// may go back to `draft`) and/or replaces its content while it is draft or ready. Other steps
/// are 409.
#[utoipa::path(patch, path = "/api/v1/followup/drafts/{draft_id}", tag = "followup", request_body = DraftUpdate,
    params(("draft_id" = String, Path, description = "Draft identifier")),
    responses((status = 200, description = "The updated draft", body = FollowupDraft),
              (status = 409, description = "Not allowed from the draft's state", body = otto_core::api::ErrorBody)))]
pub async fn update_draft(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(draft_id): ApiPath<String>,
    ApiJson(body): ApiJson<DraftUpdate>,
) -> Result<Json<FollowupDraft>, ApiError> {
    Ok(Json(s.otto.update_followup_draft(&p, &draft_id, body).await?))
}

/// Query of the draft listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftsQuery {
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
    /// Sort key (default `created_at`).
    sort: Option<DraftSort>,
    /// Direction (default `desc`).
    order: Option<SortOrder>,
    /// Only this channel.
    content_type: Option<FollowupChannel>,
    /// Only in this state.
    status: Option<DraftStatus>,
    /// Only for this call.
    call_id: Option<String>,
}

/// Get all follow-up drafts of a rep.
///
/// CSRs and sales reps may list only their own; managers and admins any rep's.
#[utoipa::path(get, path = "/api/v1/followup/{rep_id}/drafts", tag = "followup",
    params(("rep_id" = String, Path, description = "Rep identifier"), DraftsQuery),
    responses((status = 200, description = "A page of drafts", body = DraftList)))]
pub async fn list_drafts(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(rep_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DraftsQuery>,
) -> Result<Json<DraftList>, ApiError> {
    let filter = DraftFilter {
        rep_id: None,
        call_id: q.call_id,
        content_type: q.content_type,
        status: q.status,
        sort: q.sort.unwrap_or_default(),
        order: q.order.unwrap_or(SortOrder::Desc),
        page: PageRequest::new(q.limit, q.offset)?,
    };
    Ok(Json(s.otto.list_followup_drafts(&p, &rep_id, filter).await?))
}

/// Get follow-up tasks of a call.
///
/// Tasks added by people and those derived from the call's analysis (confirm the appointment,
/// keep each promise the rep made, call back a lead worth rehashing), by due date.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/follow-up-tasks", tag = "followup",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "The call's tasks", body = TaskList)))]
pub async fn list_tasks(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
) -> Result<Json<TaskList>, ApiError> {
    Ok(Json(s.otto.follow_up_tasks(&p, &call_id).await?))
}

/// Create a follow-up task.
#[utoipa::path(post, path = "/api/v1/calls/{call_id}/follow-up-tasks", tag = "followup", request_body = NewFollowupTask,
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 201, description = "The task", body = FollowupTask)))]
pub async fn create_task(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
    ApiJson(body): ApiJson<NewFollowupTask>,
) -> Result<(StatusCode, Json<FollowupTask>), ApiError> {
    Ok((StatusCode::CREATED, Json(s.otto.create_follow_up_task(&p, &call_id, body).await?)))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(draft))
        .routes(routes!(nurture))
        .routes(routes!(rehash))
        .routes(routes!(get_draft, update_draft))
        .routes(routes!(list_drafts))
        .routes(routes!(list_tasks, create_task))
}
