//! The router: every category's routes with their auth, rate-limit and timeout layers, the
//! OpenAPI document generated from the same routes, `/docs`, `/metrics`, and the outer layers
//! (request id, error rendering, tracing, body limit, panic catching).

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::require_auth;
use crate::error::{render_errors, ApiError};
use crate::ratelimit::{limit, Category, Limit};
use crate::routes::{self, add_error_responses};
use crate::state::AppState;

/// JSON request bodies above this are refused with 413 (platform facts: 10 MB).
pub const JSON_LIMIT_BYTES: usize = 10 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Otto API", description = "Sales-call intelligence for home-services teams: calls, transcripts, \
        analysis, knowledge and Ask Otto.\n\nEvery `/api/v1` request needs `Authorization: Bearer <JWT>` and \
        `X-Company-ID` equal to the token's `company_id`. `X-Request-ID` is echoed (and generated when absent). \
        Errors use one body: `{error, message, timestamp, request_id}`."),
    tags(
        (name = "system", description = "Health"),
        (name = "calls", description = "Call data ingestion"),
        (name = "crm", description = "CRM data ingestion (entities and events)"),
        (name = "sop", description = "SOP management"),
        (name = "voice", description = "Voice intelligence: speakers and call analyses"),
        (name = "summary", description = "Summaries: appointment, daily, prep, history"),
        (name = "documents", description = "Document ingestion and vector maintenance"),
        (name = "rag", description = "Ask Otto: streaming questions over a WebSocket, and query history"),
        (name = "followup", description = "Follow-ups: drafts from call analyses, their lifecycle, and tasks"),
        (name = "analytics", description = "Performance and analytics over analysed calls"),
        (name = "personal_ai", description = "Personal AI clone: train from a rep's samples, generate in their style, drafts"),
        (name = "webhooks", description = "Inbound CallRail webhooks, signed with CallRail's `Signature` header"),
    ),
    components(schemas(
        otto_core::api::ErrorBody,
        otto_core::domain::SortOrder,
        otto_core::domain::CallSort,
        otto_core::domain::CallStatus,
        otto_core::domain::CallType,
        otto_core::domain::SopStageSort,
        otto_core::domain::StageState,
        otto_core::domain::SpeakerRole,
        otto_core::domain::SummaryType,
        otto_core::domain::SummarySort,
    )),
    modifiers(&Security)
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "BearerAuth",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme(
            "CompanyAuth",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Company-ID",
                "Must equal the token's company_id",
            ))),
        );
    }
}

/// Each category's routes, whether they need a token, and their rate-limit category.
fn categories() -> Vec<(Category, bool, OpenApiRouter<AppState>)> {
    vec![
        (Category::System, false, routes::system::router()),
        (Category::System, true, routes::system::authenticated_router()),
        (Category::Calls, true, routes::calls::router()),
        (Category::Calls, true, routes::crm::router()),
        (Category::Sop, true, routes::sop::router()),
        (Category::Voice, true, routes::voice::router()),
        // Summaries have no SLA row of their own; they are generated like follow-ups.
        (Category::Followup, true, routes::summary::router()),
        (Category::Rag, true, routes::rag::router()),
        (Category::Documents, true, routes::documents::router()),
        (Category::Followup, true, routes::followup::router()),
        (Category::Analytics, true, routes::analytics::router()),
        (Category::PersonalAi, true, routes::clone::router()),
        // The WebSocket authenticates itself (headers, query string or first message).
        (Category::Rag, false, routes::rag::ws_router()),
        (Category::Voice, true, routes::asr::router()),
        (Category::Calls, true, routes::media::router()),
        // A signed playback link is its own credential (audio elements send no token).
        (Category::Calls, false, routes::media::public_router()),
        // CallRail authenticates with its body signature, not a JWT.
        (Category::Webhooks, false, routes::webhooks::router()),
    ]
}

/// The OpenAPI document of every route, with security and error responses filled in.
pub fn openapi() -> OpenApiDoc {
    let mut doc = ApiDoc::openapi();
    for (_, _, r) in categories() {
        doc.merge(r.into_openapi());
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        // Every /api/v1 operation takes the bearer token and company header (the WebSocket
        // also accepts them in its query string or first message).
        let auth = path.starts_with("/api/v1");
        for op in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            add_error_responses(op, auth);
            if auth {
                op.security =
                    Some(vec![utoipa::openapi::security::SecurityRequirement::new("BearerAuth", Vec::<String>::new())
                        .add("CompanyAuth", Vec::<String>::new())]);
            }
        }
    }
    doc
}

/// The whole HTTP application on `state`.
pub fn router(state: AppState) -> Router {
    let mut app: Router<AppState> = Router::new();
    for (category, auth, r) in categories() {
        let limited = Limit { limiter: state.limiter.clone(), category };
        let (mut r, _) = r.route_layer(from_fn_with_state(limited, limit)).split_for_parts();
        if auth {
            r = r.route_layer(from_fn_with_state(state.clone(), require_auth));
        }
        if category == Category::Documents {
            // Documents may be up to 50 MB (plus multipart framing), not the 10 MB JSON limit.
            r = r.layer(DefaultBodyLimit::max(otto_core::domain::MAX_DOCUMENT_BYTES + 1024 * 1024));
        }
        app = app.merge(r);
    }
    let metrics = crate::metrics::handle();
    app.route(
        "/metrics",
        get(move || {
            let m = metrics.clone();
            async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], m.render()).into_response() }
        }),
    )
    .route_layer(from_fn(crate::metrics::track))
    .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi()))
    .fallback(|| async { ApiError::not_found("No such route. See /docs for the API.") })
    .with_state(state)
    .layer(DefaultBodyLimit::max(JSON_LIMIT_BYTES))
    .layer(CatchPanicLayer::new())
    .layer(from_fn(render_errors))
    .layer(from_fn(crate::request_id::request_id))
}
