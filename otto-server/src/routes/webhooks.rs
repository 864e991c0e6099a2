//! CallRail webhooks (13.1-13.3): verify, map to a call, enqueue, answer at once.
//!
//! **Signature.** CallRail signs each webhook with the company's signing key ("Security keys
//! for Webhooks" in CallRail's help center; "Validating Payloads" in its API docs): the
//! `Signature` header carries the base64-encoded HMAC-SHA1 of the raw request body. We check it
//! over the exact bytes received, before parsing, in constant time. The key is
//! `[webhooks] callrail_secret` (`OTTO_WEBHOOKS__CALLRAIL_SECRET`). Requests without a valid
//! signature are 401, unless `[webhooks] allow_unsigned = true` (local testing) lets unsigned
//! ones through; a present-but-wrong signature is always refused when a secret is configured.
//!
//! **Company.** CallRail's own company id means nothing to Otto, so the Otto company comes from
//! `[webhooks] callrail_company_id` when set (one company per server), else from the webhook
//! URL configured in CallRail: `?company_id=<otto company>` (or an `X-Company-ID` header), else
//! from `data.company_id` in the spec's envelope.
//!
//! **Payload.** Both the spec's envelope (`{event, timestamp, data: {call_id, audio_url |
//! recording_url, duration, caller_phone}}`) and CallRail's flat call object (`resource_id`,
//! `recording`, `customer_phone_number`, `duration`, `start_time`) are read.
//!
//! **Idempotence.** A call is found by its CallRail id (`find_call_by_callrail_id`) and created
//! with the deterministic id `callrail_<id>`, so concurrent deliveries collide on a unique key
//! instead of creating two calls; the audio job is deduplicated per call. Replays create
//! nothing and answer with the same call and processing ids.
//!
//! **Speed.** Handlers only write the call and enqueue `call.process_audio`; workers do the rest.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use hmac::{Hmac, Mac};
use otto_core::api::WebhookAck;
use otto_core::domain::NewJob;
use otto_core::pipeline::speech::process_audio_job;
use otto_core::pipeline::stages;
use otto_core::{Call, CallStatus, CompanyId, Error, ErrorKind, NewCall, Otto, Principal, Role, StageState};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::speech::WebhooksConfig;
use crate::state::AppState;

/// The header CallRail puts its signature in.
pub const SIGNATURE_HEADER: &str = "signature";

/// The user id webhook-created calls are audited under.
const WEBHOOK_USER: &str = "callrail-webhook";

/// The spec's webhook envelope (CallRail's flat call object is accepted too).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"event": "recording.ready", "timestamp": "2025-01-15T10:30:00Z",
    "data": {"call_id": "CAL8154748ae6bd4e278a7cddd38a662f4f", "recording_url": "https://recordings.example.com/call.wav",
             "duration": 300, "caller_phone": "+15551234567"}}))]
pub struct CallRailWebhook {
    /// `call.started`, `call.completed` or `recording.ready`.
    pub event: Option<String>,
    /// When CallRail sent it.
    pub timestamp: Option<String>,
    /// The call.
    pub data: CallRailCallData,
}

/// The call in a webhook.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CallRailCallData {
    /// CallRail's call id (`resource_id` in CallRail's own payloads).
    pub call_id: String,
    /// The Otto company (used only when neither the config nor the URL names one).
    pub company_id: Option<String>,
    /// Recording (13.1; `recording` in CallRail's own payloads).
    pub audio_url: Option<String>,
    /// Recording (13.3).
    pub recording_url: Option<String>,
    /// Seconds.
    pub duration: Option<i64>,
    /// The customer's number (`customer_phone_number` in CallRail's own payloads).
    pub caller_phone: Option<String>,
}

/// Query of the webhook URL.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookQuery {
    /// The Otto company the events belong to (when `[webhooks] callrail_company_id` is unset).
    company_id: Option<String>,
}

/// Which webhook was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Started,
    Completed,
    RecordingReady,
}

/// Checks the `Signature` header: base64(HMAC-SHA1(secret, raw body)).
fn verify_signature(cfg: &WebhooksConfig, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    let given = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let secret = cfg.callrail_secret.as_deref().filter(|s| !s.is_empty());
    match (given, secret) {
        (Some(sig), Some(secret)) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(sig)
                .map_err(|_| ApiError::unauthorized("The Signature header is not base64"))?;
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
            mac.update(body);
            mac.verify_slice(&decoded).map_err(|_| {
                ApiError::unauthorized(
                    "The CallRail signature does not match the body (check webhooks.callrail_secret)",
                )
            })
        }
        _ if cfg.allow_unsigned => {
            tracing::warn!("accepting an unverified CallRail webhook (webhooks.allow_unsigned = true)");
            Ok(())
        }
        (None, _) => Err(ApiError::unauthorized(
            "Unsigned webhook: CallRail's `Signature` header is required (set webhooks.allow_unsigned = true only for \
             local testing)",
        )),
        (Some(_), None) => Err(ApiError::unauthorized(
            "Cannot verify the webhook: no webhooks.callrail_secret is configured on this server",
        )),
    }
}

fn text(data: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match data.get(*k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// What the handlers need from a webhook body, whichever shape it came in.
#[derive(Debug, Clone, Default)]
struct Event {
    callrail_id: String,
    company_hint: Option<String>,
    recording_url: Option<String>,
    duration: Option<i64>,
    caller_phone: Option<String>,
    started_at: Option<DateTime<FixedOffset>>,
}

fn parse_event(body: &[u8]) -> Result<Event, ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("invalid JSON body: {}", e.to_string().split(" at line ").next().unwrap_or("")))
    })?;
    let root = v.as_object().ok_or_else(|| ApiError::bad_request("invalid JSON body: expected an object"))?;
    let nested = root.get("data").and_then(Value::as_object);
    let data = nested.unwrap_or(root);
    let callrail_id = text(data, &["call_id", "resource_id", "id"])
        .ok_or_else(|| ApiError::bad_request("data.call_id: the CallRail call id is required"))?;
    NewCall { callrail_id: Some(callrail_id.clone()), ..NewCall::default() }.validate()?;
    // A phone CallRail couldn't resolve ("Anonymous", "Restricted") is dropped, not an error:
    // refusing it would make CallRail retry a delivery that can never succeed.
    let caller_phone = text(data, &["caller_phone", "customer_phone_number", "caller_number"])
        .filter(|p| NewCall { caller_phone: Some(p.clone()), ..NewCall::default() }.validate().is_ok());
    let duration = match data.get("duration") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|d| (0..=86_400).contains(d));
    Ok(Event {
        callrail_id,
        // Only the spec's envelope carries an Otto company id; CallRail's flat payload has its
        // own (numeric) company id, which must not be mistaken for a tenant.
        company_hint: nested.and_then(|d| text(d, &["company_id"])),
        recording_url: text(data, &["recording_url", "audio_url", "recording"]),
        duration,
        caller_phone,
        started_at: text(data, &["start_time", "started_at"]).and_then(|t| DateTime::parse_from_rfc3339(&t).ok()),
    })
}

fn company(cfg: &WebhooksConfig, query: &WebhookQuery, headers: &HeaderMap, ev: &Event) -> Result<CompanyId, ApiError> {
    let from_header = headers.get("x-company-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let id = cfg
        .callrail_company_id
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| query.company_id.clone())
        .or(from_header)
        .or_else(|| ev.company_hint.clone())
        .ok_or_else(|| {
            ApiError::bad_request(
                "company_id: no Otto company for this webhook: set webhooks.callrail_company_id, or add \
                 ?company_id=<id> to the webhook URL",
            )
        })?;
    Ok(CompanyId::parse(id)?)
}

/// Deterministic call id: two concurrent first deliveries collide on the primary key.
fn call_id_for(callrail_id: &str) -> String {
    format!("callrail_{callrail_id}").chars().take(128).collect()
}

/// Creates the call for `ev` (with its audio job when `audio` is set), or returns the one a
/// concurrent delivery created first.
async fn create_or_find(otto: &Otto, p: &Principal, ev: &Event, audio: Option<String>) -> Result<(Call, bool), Error> {
    let mut metadata = Map::new();
    metadata.insert("source".into(), Value::String("callrail".into()));
    let new = NewCall {
        call_id: Some(call_id_for(&ev.callrail_id)),
        callrail_id: Some(ev.callrail_id.clone()),
        audio_url: audio,
        caller_phone: ev.caller_phone.clone(),
        duration: ev.duration,
        started_at: ev.started_at,
        metadata: Some(metadata),
        ..NewCall::default()
    };
    match otto.create_call(p, new).await {
        Ok(call) => Ok((call, true)),
        Err(e) if e.kind() == ErrorKind::Conflict => {
            let found = otto.store().find_call_by_callrail_id(p.company_id(), &ev.callrail_id).await?;
            found.map(|c| (c, false)).ok_or(e)
        }
        Err(e) => Err(e),
    }
}

async fn handle(
    s: &AppState,
    kind: Kind,
    query: &WebhookQuery,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<WebhookAck, ApiError> {
    let cfg = &s.speech.webhooks;
    verify_signature(cfg, headers, body)?;
    let ev = parse_event(body)?;
    let company = company(cfg, query, headers, &ev)?;
    // Webhooks act for the integration, not a person: an admin principal of the mapped company,
    // so core's validation and audit apply as to any other writer.
    let p = Principal::new(WEBHOOK_USER, company.clone(), Role::Admin);
    let otto = &s.otto;
    let existing = otto.store().find_call_by_callrail_id(&company, &ev.callrail_id).await?;
    let now = otto.clock().now();
    let ack = |call: &Call, processing_id: Option<String>, created: bool| WebhookAck {
        status: "processed".into(),
        call_id: Some(call.call_id.clone()),
        processing_id,
        created,
    };
    let audio = match kind {
        Kind::Started => None,
        Kind::Completed | Kind::RecordingReady => ev.recording_url.clone(),
    };
    if kind == Kind::RecordingReady && audio.is_none() {
        return Err(ApiError::bad_request("data.recording_url: recording.ready needs the recording's URL"));
    }
    let Some(audio) = audio else {
        // call.started, or call.completed without a recording: record the call, no processing.
        let (mut call, mut created) = match existing {
            Some(c) => (c, false),
            None => create_or_find(otto, &p, &ev, None).await?,
        };
        let target = if kind == Kind::Started { CallStatus::InProgress } else { CallStatus::Pending };
        // Only move a call that has not started processing: a late `call.started` replay must
        // not pull a transcribed call back.
        if matches!(call.status, CallStatus::Pending | CallStatus::InProgress) && call.status != target {
            call.status = target;
            call.processing_status = CallStatus::Pending;
            if call.duration.is_none() {
                call.duration = ev.duration;
            }
            call.updated_at = now;
            otto.store().update_call(&call).await?;
            created = true;
        }
        return Ok(ack(&call, None, created));
    };
    let (call, created) = match existing {
        None => create_or_find(otto, &p, &ev, Some(audio.clone())).await?,
        Some(c) => (c, false),
    };
    let (call, changed) = if call.audio_url.is_none() {
        // Known from `call.started`: attach the recording, then queue its processing. The
        // update comes first so the job always finds the URL; a crash between the two is
        // repaired by CallRail's redelivery, which re-enqueues (deduplicated) below.
        let mut call = call;
        NewCall { audio_url: Some(audio.clone()), ..NewCall::default() }.validate()?;
        call.audio_url = Some(audio);
        call.status = CallStatus::Pending;
        call.processing_status = CallStatus::Pending;
        for stage in [stages::FETCH, stages::TRANSCRIPTION, stages::DIARIZATION, stages::ANALYSIS] {
            call.processing_stages.entry(stage.to_string()).or_insert(StageState::Pending);
        }
        if call.duration.is_none() {
            call.duration = ev.duration;
        }
        if call.caller_phone.is_none() {
            call.caller_phone = ev.caller_phone.clone();
        }
        call.updated_at = now;
        otto.store().update_call(&call).await?;
        (call, true)
    } else {
        (call, created)
    };
    // Already queued when the call was created with its URL; enqueueing again returns the
    // existing job (dedupe key per call), so replays never queue twice.
    let job: NewJob = process_audio_job(&call, now);
    let (job_id, queued) = otto.store().enqueue(&job).await?;
    Ok(ack(&call, Some(job_id), changed || queued))
}

/// CallRail call completed.
///
/// Records the call and, when it has a recording (`data.audio_url`), queues its processing
/// (fetch, transcription, speakers, analysis). Signed with CallRail's `Signature` header
/// (base64 HMAC-SHA1 of the body with the company's signing key). Idempotent on the CallRail
/// call id: replays answer with the same call and create nothing.
#[utoipa::path(post, path = "/webhooks/callrail/call-completed", tag = "webhooks", request_body = CallRailWebhook,
    params(WebhookQuery, ("Signature" = Option<String>, Header, description = "base64 HMAC-SHA1 of the raw body")),
    responses((status = 200, description = "Accepted (processing is queued)", body = WebhookAck),
              (status = 401, description = "Missing or invalid signature", body = otto_core::api::ErrorBody)))]
pub async fn call_completed(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<WebhookQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAck>, ApiError> {
    Ok(Json(handle(&s, Kind::Completed, &q, &headers, &body).await?))
}

/// CallRail call started.
///
/// Records the call as `in_progress` (or moves a pending one there). Signed and idempotent
/// like call-completed.
#[utoipa::path(post, path = "/webhooks/callrail/call-started", tag = "webhooks", request_body = CallRailWebhook,
    params(WebhookQuery, ("Signature" = Option<String>, Header, description = "base64 HMAC-SHA1 of the raw body")),
    responses((status = 200, description = "Recorded", body = WebhookAck),
              (status = 401, description = "Missing or invalid signature", body = otto_core::api::ErrorBody)))]
pub async fn call_started(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<WebhookQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAck>, ApiError> {
    Ok(Json(handle(&s, Kind::Started, &q, &headers, &body).await?))
}

/// CallRail recording ready.
///
/// Attaches `data.recording_url` to the call (creating it when no earlier event did) and
/// queues its processing. Signed and idempotent like call-completed.
#[utoipa::path(post, path = "/webhooks/callrail/recording-ready", tag = "webhooks", request_body = CallRailWebhook,
    params(WebhookQuery, ("Signature" = Option<String>, Header, description = "base64 HMAC-SHA1 of the raw body")),
    responses((status = 200, description = "Accepted (processing is queued)", body = WebhookAck),
              (status = 401, description = "Missing or invalid signature", body = otto_core::api::ErrorBody)))]
pub async fn recording_ready(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<WebhookQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAck>, ApiError> {
    Ok(Json(handle(&s, Kind::RecordingReady, &q, &headers, &body).await?))
}

/// Routes of this category (no bearer token: the signature authenticates).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(call_completed)).routes(routes!(call_started)).routes(routes!(recording_ready))
}
