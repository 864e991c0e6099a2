//! CRM data ingestion APIs (4.x).

use axum::extract::State;
use axum::Json;
use otto_core::api::{EntityIngestionResult, EventIngestionResult};
use otto_core::domain::{EntityIngestion, EventIngestion};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Ingest CRM entities.
///
/// Creates or updates up to 1000 entities. Idempotent on `entity_id`: a replay changes
/// nothing, and a version with an older `timestamp` never overwrites a newer one. Managers and
/// admins (integrations) only.
#[utoipa::path(post, path = "/api/v1/ingestion/entities", tag = "crm", request_body = EntityIngestion,
    responses((status = 200, description = "Entities stored", body = EntityIngestionResult)))]
pub async fn ingest_entities(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<EntityIngestion>,
) -> Result<Json<EntityIngestionResult>, ApiError> {
    Ok(Json(s.otto.ingest_entities(&p, body).await?))
}

/// Ingest CRM events.
///
/// Stores up to 1000 events. Idempotent on `event_id`: replayed events are counted in
/// `events_duplicate` and stored only once.
#[utoipa::path(post, path = "/api/v1/ingestion/events", tag = "crm", request_body = EventIngestion,
    responses((status = 200, description = "Events stored", body = EventIngestionResult)))]
pub async fn ingest_events(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<EventIngestion>,
) -> Result<Json<EventIngestionResult>, ApiError> {
    Ok(Json(s.otto.ingest_events(&p, body).await?))
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ingest_entities)).routes(routes!(ingest_events))
}
