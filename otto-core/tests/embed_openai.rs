//! The OpenAI-compatible embeddings adapter against a local stand-in of `POST /v1/embeddings`
//! (the machine has no internet). The stand-in checks the request the way the API does (bearer
//! key, model, a list of strings) and answers in the API's shape, out of order on purpose; a
//! scripted fault list covers the retry and error mapping.
#![cfg(feature = "llm-http")]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use otto_core::adapters::llm::{OpenAiConfig, OpenAiEmbedder};
use otto_core::ports::Embedder;
use otto_core::ErrorKind;
use serde_json::{json, Value};

const KEY: &str = "sk-test-embed-91c2";
const MODEL: &str = "text-embedding-stand-in";
const DIMS: usize = 8;

#[derive(Default)]
struct StandIn {
    faults: Mutex<VecDeque<u16>>,
    /// Answer with vectors of this length instead of DIMS.
    wrong_dims: Mutex<Option<usize>>,
    batches: Mutex<Vec<usize>>,
}

/// A deterministic, not-normalised vector for a text: the adapter must normalise it.
fn vector(text: &str, dims: usize) -> Vec<f32> {
    (0..dims).map(|i| ((text.len() + i * 7) % 11) as f32 + 1.0).collect()
}

async fn embeddings(State(s): State<Arc<StandIn>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {KEY}")) {
        let err = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}});
        return (StatusCode::UNAUTHORIZED, Json(err)).into_response();
    }
    if let Some(code) = s.faults.lock().unwrap().pop_front() {
        let err = json!({"error": {"message": "try again", "type": "server_error"}});
        let mut r = (StatusCode::from_u16(code).unwrap(), Json(err)).into_response();
        r.headers_mut().insert("retry-after-ms", "10".parse().unwrap());
        return r;
    }
    let (Some(MODEL), Some(inputs)) = (body["model"].as_str(), body["input"].as_array()) else {
        let err = json!({"error": {"message": "model and input are required", "type": "invalid_request_error"}});
        return (StatusCode::BAD_REQUEST, Json(err)).into_response();
    };
    let texts: Vec<&str> = inputs.iter().filter_map(Value::as_str).collect();
    s.batches.lock().unwrap().push(texts.len());
    let dims = s.wrong_dims.lock().unwrap().unwrap_or(DIMS);
    // Reverse order: clients must place vectors by `index`, not by position.
    let data: Vec<Value> = texts
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": vector(t, dims)}))
        .collect();
    Json(json!({"object": "list", "data": data, "model": MODEL, "usage": {"prompt_tokens": 1, "total_tokens": 1}}))
        .into_response()
}

async fn stand_in() -> (Arc<StandIn>, String) {
    let state = Arc::new(StandIn::default());
    let app = Router::new().route("/v1/embeddings", post(embeddings)).with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (state, format!("http://{addr}/v1"))
}

fn embedder(base: &str, key: &str) -> OpenAiEmbedder {
    OpenAiEmbedder::new(OpenAiConfig::new(MODEL).base_url(base).api_key(key), DIMS).unwrap()
}

#[tokio::test]
async fn test_vectors_come_back_in_input_order_and_unit_length() {
    let (s, base) = stand_in().await;
    let e = embedder(&base, KEY);
    assert_eq!((e.dimensions(), e.name()), (DIMS, format!("openai:{MODEL}")));
    let texts: Vec<String> = (0..300).map(|i| format!("chunk {i} {}", "x".repeat(i % 13))).collect();
    let out = e.embed(&texts).await.unwrap();
    assert_eq!(out.len(), texts.len());
    for (t, v) in texts.iter().zip(&out) {
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "unit length");
        let raw = vector(t, DIMS);
        let raw_norm: f32 = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((v[0] - raw[0] / raw_norm).abs() < 1e-6, "the vector of this text, not a neighbour's");
    }
    assert_eq!(*s.batches.lock().unwrap(), vec![128, 128, 44], "batched");
}

#[tokio::test]
async fn test_transient_failures_are_retried_and_bad_answers_are_backend_errors() {
    let (s, base) = stand_in().await;
    let e = embedder(&base, KEY);
    s.faults.lock().unwrap().extend([429, 503]);
    assert_eq!(e.embed(&["hello".to_string()]).await.unwrap().len(), 1, "429 and 503 retried");

    *s.wrong_dims.lock().unwrap() = Some(DIMS + 1);
    let err = e.embed(&["hello".to_string()]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Backend, "{err}");
    assert!(err.to_string().contains("dimensions"), "{err}");

    let err = embedder(&base, "sk-wrong").embed(&["hello".to_string()]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Backend, "a rejected key is not retryable: {err}");

    s.faults.lock().unwrap().extend([500, 500, 500, 500]);
    *s.wrong_dims.lock().unwrap() = None;
    let err = e.embed(&["hello".to_string()]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
}
