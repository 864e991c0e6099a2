//! Audio playback (2.5): `GET /api/v1/calls/{call_id}/audio` answers a signed, expiring link to
//! the stored recording; `GET /media/audio/{call_id}` serves it to whoever holds a valid link
//! (an `<audio>` element can't send a bearer token, so the signature is the credential).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{TimeZone, Utc};
use otto_core::api::AudioUrlResponse;
use otto_core::pipeline::speech::audio_key;
use otto_core::{CompanyId, Error, ErrorKind};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::signing::LinkError;
use crate::state::AppState;

/// Longest link lifetime, whatever the config says: links leak (logs, shared screens).
const MAX_TTL_SECS: u64 = 7 * 24 * 3600;

/// Blob key and file extension of a call's stored recording, from its `audio_file_path`.
fn stored_recording(company: &CompanyId, call_id: &str, audio_file_path: &str) -> (String, String) {
    let ext = audio_file_path.rsplit('.').next().filter(|e| !e.contains('/')).unwrap_or("bin").to_ascii_lowercase();
    (audio_key(company, call_id, &ext), ext)
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "wav" | "wave" => "audio/wav",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "ogg" | "oga" => "audio/ogg",
        _ => "application/octet-stream",
    }
}

/// Get audio playback URL.
///
/// A link to the call's stored recording that works without a token until `expires_at`
/// (`[media] url_ttl_secs`, default one hour). 404 until the recording has been fetched and
/// stored (the `fetch` stage of the call's status).
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/audio", tag = "calls",
    params(("call_id" = String, Path, description = "Call identifier")),
    responses((status = 200, description = "A signed, expiring playback URL", body = AudioUrlResponse)))]
pub async fn get_audio_url(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiPath(call_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<AudioUrlResponse>, ApiError> {
    let call = s.otto.get_call(&p, &call_id).await?;
    let Some(path) = call.audio_file_path.as_deref() else {
        let why = if call.audio_url.is_some() {
            "its recording has not been fetched yet; see GET /api/v1/calls/{call_id}/status"
        } else {
            "it has no recording"
        };
        return Err(Error::new(ErrorKind::NotFound, format!("No audio for call {call_id}: {why}")).into());
    };
    let (key, _) = stored_recording(&call.company_id, &call.call_id, path);
    if !s.otto.blobs().exists(&key).await? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("No audio for call {call_id}: the stored recording is missing"),
        )
        .into());
    }
    let ttl = s.speech.media.url_ttl_secs.clamp(1, MAX_TTL_SECS) as i64;
    let expires = s.otto.clock().now().timestamp() + ttl;
    let company = call.company_id.to_string();
    let sig = s.speech.signer.sign(&company, &call.call_id, expires);
    let base = match &s.speech.media.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        // Without a configured public URL, the host the client used reaches us.
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    let url = reqwest::Url::parse_with_params(
        &format!("{base}/media/audio/{}", call.call_id),
        [("company_id", company.as_str()), ("expires", &expires.to_string()), ("sig", &sig)],
    )
    .map_err(|e| Error::invalid("media.public_url", format!("cannot build a link: {e}")))?;
    let expires_at = Utc.timestamp_opt(expires, 0).single().unwrap_or_else(Utc::now);
    Ok(Json(AudioUrlResponse { audio_url: url.to_string(), expires_at }))
}

/// Query of a signed download link.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedLink {
    /// The call's company.
    company_id: String,
    /// Expiry, Unix seconds.
    expires: i64,
    /// Hex HMAC-SHA256 signature of the link.
    sig: String,
}

/// Download a recording by signed link.
///
/// Streams the stored recording named by a link from `GET /api/v1/calls/{call_id}/audio`. No
/// token needed; a changed or expired link is refused with 403.
#[utoipa::path(get, path = "/media/audio/{call_id}", tag = "calls",
    params(("call_id" = String, Path, description = "Call identifier"), SignedLink),
    responses((status = 200, description = "The recording, as `audio/wav`, `audio/mpeg`, `audio/flac` or `audio/ogg`"),
              (status = 403, description = "Tampered or expired link", body = otto_core::api::ErrorBody),
              (status = 404, description = "The recording is gone", body = otto_core::api::ErrorBody)))]
pub async fn download_audio(
    State(s): State<AppState>,
    ApiPath(call_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SignedLink>,
) -> Result<Response, ApiError> {
    let now = s.otto.clock().now().timestamp();
    match s.speech.signer.verify(&q.company_id, &call_id, q.expires, &q.sig, now) {
        Ok(()) => {}
        Err(LinkError::BadSignature) => {
            return Err(ApiError::forbidden("The link's signature does not match: it was changed or is not ours"))
        }
        Err(LinkError::Expired) => {
            return Err(ApiError::forbidden(
                "The link has expired: ask GET /api/v1/calls/{call_id}/audio for a new one",
            ))
        }
    }
    // The signature vouches for company and call; the store is read directly because a link
    // holder has no principal (the link was minted for someone allowed to see the call).
    let company = CompanyId::parse(q.company_id)?;
    let call = s
        .otto
        .store()
        .get_call(&company, &call_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("call {call_id}")))?;
    let path = call.audio_file_path.ok_or_else(|| Error::not_found(format!("audio of call {call_id}")))?;
    let (key, ext) = stored_recording(&company, &call_id, &path);
    if !s.otto.blobs().exists(&key).await? {
        return Err(Error::not_found(format!("audio of call {call_id}")).into());
    }
    let bytes = s.otto.blobs().get(&key).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type(&ext).to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{call_id}.{ext}\"")),
            // The link is the credential: keep shared caches from storing the recording.
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// Routes behind the bearer token.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_audio_url))
}

/// The signed download route (no token).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download_audio))
}
