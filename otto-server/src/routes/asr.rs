//! Batch audio transcription (7.1): a recording URL in, text and timed segments out, on the
//! server's configured engine. Independent of calls: nothing is stored.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use otto_core::api::{TranscribeAudioRequest, TranscribeAudioResponse, TranscribedSegment};
use otto_core::pipeline::speech::{AudioFetcher, DefaultFetcher, INSTALL_HINT};
use otto_core::ports::TranscribeRequest;
use otto_core::speech::decode::AudioLimits;
use otto_core::{Action, Error};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Batch audio transcription.
///
/// Fetches `audio_url` (same rules as call recordings: http(s), at most 100 MB and 60 minutes,
/// no private or loopback addresses unless the server allows them), decodes it (WAV, MP3, FLAC,
/// Ogg; mono or stereo, any rate) and transcribes it with the configured engine. `model` is
/// informational: `engine` in the answer names what transcribed. 503 when the server has no
/// speech engine; the message says how to install one. Needs `calls:write`.
#[utoipa::path(post, path = "/api/v1/asr/transcribe", tag = "voice", request_body = TranscribeAudioRequest,
    responses((status = 200, description = "The transcription", body = TranscribeAudioResponse),
              (status = 503, description = "No speech engine is configured, or it is unavailable",
               body = otto_core::api::ErrorBody)))]
pub async fn transcribe(
    State(s): State<AppState>,
    Auth(p): Auth,
    ApiJson(body): ApiJson<TranscribeAudioRequest>,
) -> Result<Json<TranscribeAudioResponse>, ApiError> {
    p.require("calls", Action::Write)?;
    if body.audio_url.trim().is_empty() || body.audio_url.len() > 2048 {
        return Err(Error::invalid("audio_url", "must be a URL of at most 2048 characters").into());
    }
    let language = body.language.clone().unwrap_or_else(|| "en-US".into());
    let iso = language.split('-').next().unwrap_or("en").to_ascii_lowercase();
    if !(2..=3).contains(&iso.len()) || !iso.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Error::invalid("language", format!("`{language}` is not a BCP 47 language like en-US")).into());
    }
    let Some(asr) = s.otto.asr().cloned() else {
        return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", INSTALL_HINT));
    };
    let fetched = DefaultFetcher::new(s.speech.fetch.clone()).fetch(&body.audio_url).await?;
    let limits = AudioLimits::default();
    let prepared = tokio::task::spawn_blocking(move || {
        otto_core::speech::prepare(&fetched.bytes, fetched.extension.as_deref(), &limits)
    })
    .await
    .map_err(|e| Error::internal(format!("audio decoding task failed: {e}")))??;
    // One pass over the whole recording; stereo is mixed down so both parties are heard.
    let samples = if prepared.channels.len() >= 2 {
        otto_core::speech::resample::downmix(&prepared.channels)
    } else {
        prepared.channels.into_iter().next().unwrap_or_default()
    };
    let out = asr.transcribe(TranscribeRequest { samples_16k: samples, language: Some(iso) }).await?;
    let segments: Vec<TranscribedSegment> = out
        .segments
        .into_iter()
        .filter(|seg| !seg.text.trim().is_empty())
        .map(|seg| TranscribedSegment {
            start: seg.start,
            end: seg.end,
            text: seg.text.trim().to_string(),
            confidence: seg.confidence,
            speaker: seg.speaker,
        })
        .collect();
    Ok(Json(TranscribeAudioResponse {
        transcript: segments.iter().map(|seg| seg.text.as_str()).collect::<Vec<_>>().join(" "),
        confidence: weighted_confidence(&segments),
        language: body.language.unwrap_or(language),
        duration: (prepared.duration_secs * 100.0).round() / 100.0,
        segments,
        engine: out.engine,
    }))
}

/// Mean confidence weighted by segment length, so a long confident passage outweighs a short
/// mumble; 0 when nothing was recognised.
fn weighted_confidence(segments: &[TranscribedSegment]) -> f32 {
    let (mut sum, mut weight) = (0.0f64, 0.0f64);
    for seg in segments {
        let w = (seg.end - seg.start).max(0.01);
        sum += f64::from(seg.confidence) * w;
        weight += w;
    }
    if weight > 0.0 {
        (sum / weight) as f32
    } else {
        0.0
    }
}

/// Routes of this category.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(transcribe))
}
