//! The cloud ASR adapters against local stand-in servers that reproduce the providers'
//! documented requests and answers: OpenAI's `POST /v1/audio/transcriptions` (multipart,
//! `verbose_json`) and Deepgram's `POST /v1/listen` (raw audio, query options, utterances),
//! including their error bodies and rate limiting.
#![cfg(feature = "asr-http")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use otto_core::adapters::asr::deepgram::{DeepgramConfig, DeepgramTranscriber};
use otto_core::adapters::asr::http::HttpPolicy;
use otto_core::adapters::asr::openai_transcribe::{OpenAiTranscribeConfig, OpenAiTranscriber};
use otto_core::ports::{AsrEngine, TranscribeRequest};
use otto_core::ErrorKind;
use serde_json::json;

#[derive(Clone, Default)]
struct Counters {
    hits: Arc<AtomicUsize>,
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn fast_policy() -> HttpPolicy {
    HttpPolicy {
        timeout: Duration::from_secs(10),
        max_retries: 2,
        max_retry_wait: Duration::from_secs(2),
        retry_base_delay: Duration::from_millis(10),
    }
}

fn request() -> TranscribeRequest {
    TranscribeRequest { samples_16k: vec![0.0; 16_000], language: Some("en".into()) }
}

fn json_response(status: StatusCode, headers: &[(&'static str, &'static str)], body: serde_json::Value) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    for (k, v) in headers {
        r.headers_mut().insert(*k, v.parse().unwrap());
    }
    r
}

/// OpenAI: first answer 429 with `retry-after: 0`, then the documented verbose_json body.
async fn openai(State(c): State<Counters>, headers: HeaderMap, body: Bytes) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer sk-test") {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &[],
            json!({"error": {"message": "Incorrect API key provided: sk-wrong.", "type": "invalid_request_error",
                   "param": null, "code": "invalid_api_key"}}),
        );
    }
    let text = String::from_utf8_lossy(&body);
    let ok = text.contains("name=\"model\"")
        && text.contains("whisper-1")
        && text.contains("verbose_json")
        && text.contains("name=\"file\"; filename=\"audio.wav\"")
        && text.contains("RIFF")
        && text.contains("name=\"language\"");
    if !ok {
        return json_response(StatusCode::BAD_REQUEST, &[], json!({"error": {"message": "bad multipart"}}));
    }
    if c.hits.fetch_add(1, Ordering::SeqCst) == 0 {
        return json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &[("retry-after", "0")],
            json!({"error": {"message": "Rate limit reached for whisper-1", "type": "requests", "code": "rate_limit_exceeded"}}),
        );
    }
    json_response(
        StatusCode::OK,
        &[],
        json!({"task": "transcribe", "language": "english", "duration": 1.0, "text": "Hello there. Thanks for calling.",
               "segments": [
                 {"id": 0, "seek": 0, "start": 0.0, "end": 0.6, "text": " Hello there.", "tokens": [1], "temperature": 0.0,
                  "avg_logprob": -0.1, "compression_ratio": 1.0, "no_speech_prob": 0.01},
                 {"id": 1, "seek": 0, "start": 0.6, "end": 1.0, "text": " Thanks for calling.", "tokens": [2], "temperature": 0.0,
                  "avg_logprob": -0.3, "compression_ratio": 1.0, "no_speech_prob": 0.01}]}),
    )
}

#[tokio::test]
async fn test_openai_transcriptions_retries_429_and_reads_verbose_json() {
    let counters = Counters::default();
    let base = serve(Router::new().route("/v1/audio/transcriptions", post(openai)).with_state(counters.clone())).await;
    let config = OpenAiTranscribeConfig {
        base_url: base.clone(),
        policy: fast_policy(),
        ..OpenAiTranscribeConfig::openai("sk-test")
    };
    let asr = OpenAiTranscriber::new(config).unwrap();
    let out = asr.transcribe(request()).await.unwrap();
    assert_eq!(counters.hits.load(Ordering::SeqCst), 2, "one 429, one success");
    assert_eq!(out.segments.len(), 2);
    assert_eq!(out.segments[0].text, "Hello there.");
    assert_eq!((out.segments[1].start, out.segments[1].end), (0.6, 1.0));
    assert!(out.segments[0].confidence > 0.85 && out.segments[0].confidence < 1.0);
    assert_eq!(asr.name(), "openai:whisper-1");

    let wrong =
        OpenAiTranscribeConfig { base_url: base, policy: fast_policy(), ..OpenAiTranscribeConfig::openai("sk-wrong") };
    let err = OpenAiTranscriber::new(wrong).unwrap().transcribe(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Backend);
    assert!(err.message().contains("Incorrect API key"), "{}", err.message());
}

/// Deepgram: checks the documented query options and `Token` auth; 429 forever on `model=slow`.
async fn deepgram(
    State(c): State<Counters>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    c.hits.fetch_add(1, Ordering::SeqCst);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Token dg-key") {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &[],
            json!({"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.", "request_id": "r1"}),
        );
    }
    if q.get("model").map(String::as_str) == Some("slow") {
        return json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &[("retry-after", "60")],
            json!({"err_code": "TOO_MANY_REQUESTS", "err_msg": "Too many requests.", "request_id": "r2"}),
        );
    }
    let wav =
        headers.get("content-type").and_then(|v| v.to_str().ok()) == Some("audio/wav") && body.starts_with(b"RIFF");
    let opts = q.get("diarize").map(String::as_str) == Some("true")
        && q.get("utterances").map(String::as_str) == Some("true")
        && q.get("language").map(String::as_str) == Some("en");
    if !(wav && opts) {
        return json_response(
            StatusCode::BAD_REQUEST,
            &[],
            json!({"err_code": "Bad Request", "err_msg": "bad request"}),
        );
    }
    json_response(
        StatusCode::OK,
        &[],
        json!({"metadata": {"request_id": "r3", "duration": 1.0, "channels": 1},
               "results": {"channels": [{"alternatives": [{"transcript": "thanks for calling how can i help i need a roof",
                   "confidence": 0.97, "words": [{"word": "thanks", "start": 0.1, "end": 0.3, "confidence": 0.99, "speaker": 0}]}]}],
                 "utterances": [
                   {"start": 0.1, "end": 0.5, "confidence": 0.98, "channel": 0, "transcript": "Thanks for calling, how can I help?", "speaker": 0, "id": "u1", "words": []},
                   {"start": 0.6, "end": 0.9, "confidence": 0.95, "channel": 0, "transcript": "I need a roof.", "speaker": 1, "id": "u2", "words": []}]}}),
    )
}

#[tokio::test]
async fn test_deepgram_utterances_carry_speakers_and_429_maps_to_rate_limited() {
    let counters = Counters::default();
    let base = serve(Router::new().route("/v1/listen", post(deepgram)).with_state(counters.clone())).await;
    let config = DeepgramConfig { base_url: base.clone(), policy: fast_policy(), ..DeepgramConfig::new("dg-key") };
    let out = DeepgramTranscriber::new(config.clone()).unwrap().transcribe(request()).await.unwrap();
    assert_eq!(out.segments.len(), 2);
    assert_eq!(out.segments[0].speaker.as_deref(), Some("0"));
    assert_eq!(out.segments[1].speaker.as_deref(), Some("1"));
    assert_eq!(out.segments[1].text, "I need a roof.");

    // The provider asks for 60 s, more than the adapter may wait: RateLimited at once.
    let before = counters.hits.load(Ordering::SeqCst);
    let slow = DeepgramConfig { model: "slow".into(), ..config.clone() };
    let err = DeepgramTranscriber::new(slow).unwrap().transcribe(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{}", err.message());
    assert_eq!(counters.hits.load(Ordering::SeqCst), before + 1);

    let bad_key = DeepgramConfig { api_key: "nope".into(), ..config };
    let err = DeepgramTranscriber::new(bad_key).unwrap().transcribe(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Backend);
    assert!(err.message().contains("Invalid credentials"), "{}", err.message());
}

#[tokio::test]
async fn test_unreachable_provider_is_unavailable() {
    let config =
        DeepgramConfig { base_url: "http://127.0.0.1:9".into(), policy: fast_policy(), ..DeepgramConfig::new("k") };
    let err = DeepgramTranscriber::new(config).unwrap().transcribe(request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{}", err.message());
}
