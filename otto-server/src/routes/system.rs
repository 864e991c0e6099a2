//! System APIs (1.x): health.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use otto_core::api::Health;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Health check.
///
/// Answers without authentication. `status` is `healthy` when the store answers.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "Service health", body = Health)))]
pub async fn health(State(s): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "healthy".into(),
        service: "otto-api".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        timestamp: Utc::now(),
        storage: s.otto.storage_backend().into(),
    })
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}
