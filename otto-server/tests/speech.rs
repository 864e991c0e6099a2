//! Speech through the HTTP API: CallRail webhooks (signature, replay, company mapping), audio
//! calls that must fail with a reason (SSRF, not audio, too large), signed playback links, and
//! `POST /api/v1/asr/transcribe` on a test engine (and on real Whisper with `--features
//! asr-whisper` when the model is installed).
//!
//! Recordings are synthesised at test time with `espeak-ng` and `sox` and served from a local
//! HTTP server; without the tools the tests that need speech print a skip notice and pass,
//! except under `CI=true`.

mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use common::{assert_error_body, token, Resp, SECRET};
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use otto_core::ports::{AsrEngine, TranscribeRequest, Transcription, TranscriptionSegment};
use otto_core::Otto;
use otto_server::Config;
use serde_json::{json, Value};
use tower::ServiceExt;

const CO: &str = "acme";
const CR_SECRET: &str = "callrail-signing-key-0123456789";

/// An engine that answers fixed text for any audio: tests everything but recognition.
struct FakeAsr;

#[async_trait]
impl AsrEngine for FakeAsr {
    fn name(&self) -> String {
        "fake/test".into()
    }
    async fn transcribe(&self, req: TranscribeRequest) -> otto_core::Result<Transcription> {
        let secs = req.samples_16k.len() as f64 / 16_000.0;
        Ok(Transcription {
            segments: vec![TranscriptionSegment {
                start: 0.0,
                end: secs,
                text: " Thanks for calling Acme plumbing, how can I help? ".into(),
                confidence: 0.8,
                speaker: None,
            }],
            language: req.language.unwrap_or_else(|| "en".into()),
            engine: "fake/test".into(),
        })
    }
}

struct App {
    router: Router,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::watch::Sender<bool>,
}

/// An app on `adjust`ed config with `asr` injected (None: the config decides), and fast workers
/// built like `otto serve` builds them (the config's fetch rules apply).
async fn app(adjust: impl FnOnce(&mut Config), asr: Option<Arc<dyn AsrEngine>>) -> App {
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        Config { data_dir: dir.path().to_path_buf(), jwt_secret: Some(SECRET.into()), ..Config::default() };
    config.webhooks.callrail_secret = Some(CR_SECRET.into());
    adjust(&mut config);
    let (mut state, _) = otto_server::build_state(&config).await.unwrap();
    if let Some(asr) = asr {
        let otto = &state.otto;
        state.otto = Otto::builder().store(otto.store().clone()).blobs(otto.blobs().clone()).asr(asr).build().unwrap();
    }
    let (stop, rx) = tokio::sync::watch::channel(false);
    for _ in 0..2 {
        let wc = otto_core::jobs::WorkerConfig { poll_interval: Duration::from_millis(20), ..Default::default() };
        tokio::spawn(otto_server::worker(&state.otto, &config, wc).run(rx.clone()));
    }
    App { router: otto_server::router(state), _dir: dir, _stop: stop }
}

impl App {
    async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        Resp { status, headers, body }
    }

    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let tok = token(CO, "mgr_1", "manager", 3600);
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {tok}"))
            .header("x-company-id", CO);
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    /// POSTs a webhook; `sig`: None = unsigned, Some(None) = signed correctly, Some(Some(s)) = `s`.
    async fn webhook(&self, event: &str, body: &Value, sig: Option<Option<&str>>) -> Resp {
        let raw = body.to_string();
        let mut req = Request::builder()
            .method("POST")
            .uri(format!("/webhooks/callrail/{event}?company_id={CO}"))
            .header("content-type", "application/json");
        match sig {
            None => {}
            Some(None) => req = req.header("signature", sign(raw.as_bytes())),
            Some(Some(s)) => req = req.header("signature", s),
        }
        self.send(req.body(Body::from(raw)).unwrap()).await
    }

    /// Polls the call until it is `completed` or `failed`.
    async fn settle(&self, call_id: &str) -> Value {
        for _ in 0..600 {
            let r = self.api("GET", &format!("/api/v1/calls/{call_id}"), None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            if matches!(r.body["status"].as_str(), Some("completed" | "failed")) {
                return r.body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("call {call_id} did not finish");
    }
}

/// CallRail's scheme: base64(HMAC-SHA1(signing key, raw body)).
fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(CR_SECRET.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn tools_present() -> bool {
    let ok = |cmd: &str| Command::new(cmd).arg("--version").output().is_ok_and(|o| o.status.success());
    ok("espeak-ng") && ok("sox")
}

fn skip(what: &str) -> bool {
    if tools_present() {
        return false;
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true: {what} needs espeak-ng and sox");
    eprintln!("SKIPPED {what}: espeak-ng and sox are not installed (apt-get install -y espeak-ng sox)");
    true
}

const SENTENCE: &str = "Thanks for calling Acme plumbing. How can I help you today?";

/// A mono 8 kHz telephone-band WAV of [`SENTENCE`] (espeak-ng + sox, as in core's speech tests).
fn speech_wav() -> &'static [u8] {
    static WAV: OnceLock<Vec<u8>> = OnceLock::new();
    WAV.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (raw, tel) = (dir.path().join("raw.wav"), dir.path().join("tel.wav"));
        let st = Command::new("espeak-ng").args(["-v", "en-us", "-s", "160", "-w"]).arg(&raw).arg(SENTENCE).status();
        assert!(st.unwrap().success(), "espeak-ng failed");
        let st = Command::new("sox")
            .arg(&raw)
            .args(["-r", "8000", "-b", "16", "-c", "1"])
            .arg(&tel)
            .args(["sinc", "300-3400", "pad", "0.5", "0.5"])
            .status();
        assert!(st.unwrap().success(), "sox failed");
        std::fs::read(&tel).unwrap()
    })
}

/// Serves `/call.wav` (speech), `/notes.wav` (text, not audio) and `/huge.wav` (announces
/// 101 MB) on a loopback port.
async fn audio_server(wav: Vec<u8>) -> SocketAddr {
    use axum::routing::get;
    let app = Router::new()
        .route("/call.wav", get(move || async move { ([("content-type", "audio/wav")], wav) }))
        .route("/notes.wav", get(|| async { ([("content-type", "audio/wav")], "meeting notes, definitely not audio") }))
        .route(
            "/huge.wav",
            get(|| async {
                let len = 101 * 1024 * 1024;
                // Sent lazily: the fetcher must refuse on the announced length, not download it.
                let chunks = futures::stream::iter((0..101).map(|_| Ok::<_, std::io::Error>(vec![0u8; 1024 * 1024])));
                axum::response::Response::builder()
                    .header("content-type", "audio/wav")
                    .header("content-length", len.to_string())
                    .body(Body::from_stream(chunks))
                    .unwrap()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn private_ok(c: &mut Config) {
    c.allow_private_urls = true;
}

#[tokio::test]
async fn test_webhook_replay_creates_one_call_and_one_job() {
    if skip("test_webhook_replay_creates_one_call_and_one_job") {
        return;
    }
    let srv = audio_server(speech_wav().to_vec()).await;
    let a = app(private_ok, Some(Arc::new(FakeAsr))).await;
    let body = json!({"event": "recording.ready", "timestamp": "2025-01-15T10:30:00Z",
        "data": {"call_id": "CAL123abc", "recording_url": format!("http://{srv}/call.wav"), "duration": 4,
                 "caller_phone": "+15551234567"}});
    let first = a.webhook("recording-ready", &body, Some(None)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["status"], "processed");
    assert_eq!(first.body["created"], true);
    let call_id = first.body["call_id"].as_str().unwrap().to_string();
    let processing_id = first.body["processing_id"].as_str().unwrap().to_string();
    // CallRail redelivers; the spec's call.completed for the same call arrives too.
    for (event, name) in [("recording-ready", "recording.ready"), ("call-completed", "call.completed")] {
        let mut replay = body.clone();
        replay["event"] = json!(name);
        replay["data"]["audio_url"] = replay["data"]["recording_url"].clone();
        let r = a.webhook(event, &replay, Some(None)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["call_id"], call_id.as_str());
        assert_eq!(r.body["processing_id"], processing_id.as_str());
        assert_eq!(r.body["created"], false, "a replay changes nothing: {}", r.body);
    }
    let list = a.api("GET", "/api/v1/calls?callrail_id=CAL123abc", None).await;
    assert_eq!(list.body["calls"].as_array().unwrap().len(), 1, "{}", list.body);
    let call = a.settle(&call_id).await;
    assert_eq!(call["status"], "completed", "{call}");
    assert_eq!(call["callrail_id"], "CAL123abc");
    // A replay after processing still creates nothing and doesn't reprocess.
    let r = a.webhook("recording-ready", &body, Some(None)).await;
    assert_eq!((r.body["created"].clone(), r.body["processing_id"].clone()), (json!(false), json!(processing_id)));
    let t = a.api("GET", &format!("/api/v1/calls/{call_id}/transcript"), None).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
}

#[tokio::test]
async fn test_call_started_then_recording_ready_moves_the_call_along() {
    if skip("test_call_started_then_recording_ready_moves_the_call_along") {
        return;
    }
    let srv = audio_server(speech_wav().to_vec()).await;
    let a = app(private_ok, Some(Arc::new(FakeAsr))).await;
    // CallRail's own flat payload shape (resource_id, customer_phone_number).
    let started = json!({"resource_id": "CALstarted1", "customer_phone_number": "+15550001111", "company_id": 999});
    let r = a.webhook("call-started", &started, Some(None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let call_id = r.body["call_id"].as_str().unwrap().to_string();
    let call = a.api("GET", &format!("/api/v1/calls/{call_id}"), None).await;
    assert_eq!(call.body["status"], "in_progress", "{}", call.body);
    assert_eq!(call.body["caller_phone"], "+15550001111");
    let again = a.webhook("call-started", &started, Some(None)).await;
    assert_eq!((again.body["call_id"].clone(), again.body["created"].clone()), (json!(call_id), json!(false)));
    let ready = json!({"resource_id": "CALstarted1", "recording": format!("http://{srv}/call.wav")});
    let r = a.webhook("recording-ready", &ready, Some(None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["call_id"], call_id.as_str());
    assert!(r.body["processing_id"].is_string(), "{}", r.body);
    assert_eq!(a.settle(&call_id).await["status"], "completed");
    let list = a.api("GET", "/api/v1/calls?callrail_id=CALstarted1", None).await;
    assert_eq!(list.body["calls"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn test_webhook_with_a_bad_signature_is_401_and_creates_nothing() {
    let a = app(|_| {}, Some(Arc::new(FakeAsr))).await;
    let body = json!({"event": "call.started", "data": {"call_id": "CALbad1"}});
    let forged = sign(b"a different body");
    for sig in [forged.as_str(), "not base64 at all!", ""] {
        let r = a.webhook("call-started", &body, Some(Some(sig))).await;
        assert_error_body(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let list = a.api("GET", "/api/v1/calls?callrail_id=CALbad1", None).await;
    assert_eq!(list.body["calls"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn test_unsigned_webhooks_are_rejected_unless_allowed() {
    let body = json!({"event": "call.started", "data": {"call_id": "CALunsigned"}});
    let strict = app(|_| {}, None).await;
    let r = strict.webhook("call-started", &body, None).await;
    assert_error_body(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(r.body["message"].as_str().unwrap().contains("Signature"), "{}", r.body);
    // No secret configured: nothing can be verified, so nothing is accepted by default.
    let no_secret = app(|c| c.webhooks.callrail_secret = None, None).await;
    let r = no_secret.webhook("call-started", &body, Some(Some("c2lnbmF0dXJl"))).await;
    assert_error_body(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let lax = app(
        |c| {
            c.webhooks.allow_unsigned = true;
            c.webhooks.callrail_company_id = Some(CO.into());
        },
        None,
    )
    .await;
    let r = lax.webhook("call-started", &body, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Even when unsigned requests are allowed, a wrong signature is refused.
    let r = lax.webhook("call-started", &body, Some(Some(&sign(b"other")))).await;
    assert_error_body(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn test_webhook_needs_a_company_and_a_call_id() {
    let a = app(|_| {}, None).await;
    let body = json!({"data": {"call_id": "CALnoco"}}).to_string();
    let req = Request::builder()
        .method("POST")
        .uri("/webhooks/callrail/call-started")
        .header("signature", sign(body.as_bytes()))
        .body(Body::from(body))
        .unwrap();
    let r = a.send(req).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.body["message"].as_str().unwrap().contains("company_id"), "{}", r.body);
    let r = a.webhook("call-started", &json!({"data": {"duration": 3}}), Some(None)).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = a.webhook("recording-ready", &json!({"data": {"call_id": "CALnourl"}}), Some(None)).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_ssrf_attempt_is_refused_with_a_clear_reason() {
    let srv = audio_server(b"unused".to_vec()).await;
    let a = app(|_| {}, Some(Arc::new(FakeAsr))).await;
    let url = format!("http://127.0.0.1:{}/call.wav", srv.port());
    let r = a.api("POST", "/api/v1/calls", Some(json!({"call_id": "ssrf_1", "audio_url": url}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let call = a.settle("ssrf_1").await;
    assert_eq!(call["status"], "failed", "{call}");
    let reason = call["failure_reason"].as_str().unwrap();
    assert!(reason.contains("private") && reason.contains("OTTO_ALLOW_PRIVATE_URLS"), "{reason}");
    assert_eq!(call["processing_stages"]["fetch"], "failed");
    // The standalone transcription applies the same rule.
    let r = a.api("POST", "/api/v1/asr/transcribe", Some(json!({"audio_url": url}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.body["message"].as_str().unwrap().contains("private"), "{}", r.body);
    let r = a.api("POST", "/api/v1/asr/transcribe", Some(json!({"audio_url": "http://169.254.169.254/latest"}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_non_audio_file_fails_the_call_with_a_reason() {
    let srv = audio_server(b"unused".to_vec()).await;
    let a = app(private_ok, Some(Arc::new(FakeAsr))).await;
    let url = format!("http://{srv}/notes.wav");
    let r = a.api("POST", "/api/v1/calls", Some(json!({"call_id": "notaudio_1", "audio_url": url}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let call = a.settle("notaudio_1").await;
    assert_eq!(call["status"], "failed", "{call}");
    let reason = call["failure_reason"].as_str().unwrap();
    assert!(reason.starts_with("transcription failed:") && reason.contains("audio"), "{reason}");
    let status = a.api("GET", "/api/v1/calls/notaudio_1/status", None).await;
    assert_eq!(status.body["stages"]["transcription"], "failed", "{}", status.body);
}

#[tokio::test]
async fn test_oversized_file_is_refused() {
    let srv = audio_server(b"unused".to_vec()).await;
    let a = app(private_ok, Some(Arc::new(FakeAsr))).await;
    let url = format!("http://{srv}/huge.wav");
    let r = a.api("POST", "/api/v1/calls", Some(json!({"call_id": "huge_1", "audio_url": url}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let call = a.settle("huge_1").await;
    assert_eq!(call["status"], "failed", "{call}");
    let reason = call["failure_reason"].as_str().unwrap();
    assert!(reason.contains("100 MB limit"), "{reason}");
    let r = a.api("POST", "/api/v1/asr/transcribe", Some(json!({"audio_url": url}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.body["message"].as_str().unwrap().contains("100 MB limit"), "{}", r.body);
}

#[tokio::test]
async fn test_signed_audio_url_works_and_tampered_or_expired_links_are_refused() {
    if skip("test_signed_audio_url_works_and_tampered_or_expired_links_are_refused") {
        return;
    }
    let wav = speech_wav().to_vec();
    let srv = audio_server(wav.clone()).await;
    let a = app(private_ok, Some(Arc::new(FakeAsr))).await;
    let r = a
        .api("POST", "/api/v1/calls", Some(json!({"call_id": "play_1", "audio_url": format!("http://{srv}/call.wav")})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(a.settle("play_1").await["status"], "completed");
    let r = a.api("GET", "/api/v1/calls/play_1/audio", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let link = r.body["audio_url"].as_str().unwrap().to_string();
    let expires_at: chrono::DateTime<chrono::Utc> = r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires_at > chrono::Utc::now() + chrono::Duration::minutes(55), "{expires_at}");
    let url = reqwest::Url::parse(&link).unwrap();
    assert_eq!(url.path(), "/media/audio/play_1");
    let path_and_query = format!("{}?{}", url.path(), url.query().unwrap());
    let get = |uri: String| Request::builder().uri(uri).body(Body::empty()).unwrap();
    // No token needed: the link is the credential.
    let res = a.router.clone().oneshot(get(path_and_query.clone())).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "audio/wav");
    assert_eq!(res.into_body().collect().await.unwrap().to_bytes().as_ref(), wav.as_slice());
    // Tampering with any part fails the signature.
    let sig = url.query_pairs().find(|(k, _)| k == "sig").unwrap().1.to_string();
    let mut flipped = sig.clone().into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();
    for bad in [
        path_and_query.replace(&sig, &flipped),
        path_and_query.replace("/play_1?", "/other_call?"),
        path_and_query.replace("company_id=acme", "company_id=globex"),
        path_and_query.replace("expires=", "expires=9"),
        "/media/audio/play_1?company_id=acme&expires=1&sig=".into(),
    ] {
        let r = a.send(get(bad.clone())).await;
        assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
        assert!(r.body["message"].as_str().unwrap().contains("signature"), "{bad}: {}", r.body);
    }
    // A correctly signed link past its expiry.
    let past = chrono::Utc::now().timestamp() - 10;
    let signer = otto_server::signing::UrlSigner::from_secret(SECRET.as_bytes());
    let expired =
        format!("/media/audio/play_1?company_id=acme&expires={past}&sig={}", signer.sign("acme", "play_1", past));
    let r = a.send(get(expired)).await;
    assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(r.body["message"].as_str().unwrap().contains("expired"), "{}", r.body);
    // Calls without a stored recording, and other tenants' calls, have no link.
    let r = a.api("POST", "/api/v1/calls", Some(json!({"call_id": "noaudio_1"}))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_error_body(&a.api("GET", "/api/v1/calls/noaudio_1/audio", None).await, StatusCode::NOT_FOUND, "not_found");
    let other = token("globex", "mgr_2", "manager", 3600);
    let req = Request::builder()
        .uri("/api/v1/calls/play_1/audio")
        .header("authorization", format!("Bearer {other}"))
        .header("x-company-id", "globex")
        .body(Body::empty())
        .unwrap();
    assert_error_body(&a.send(req).await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn test_transcribe_endpoint_on_the_configured_engine() {
    if skip("test_transcribe_endpoint_on_the_configured_engine") {
        return;
    }
    let srv = audio_server(speech_wav().to_vec()).await;
    let a = app(private_ok, Some(Arc::new(FakeAsr))).await;
    let r = a
        .api(
            "POST",
            "/api/v1/asr/transcribe",
            Some(json!({"audio_url": format!("http://{srv}/call.wav"), "language": "en-US", "model": "nova-2"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["transcript"], "Thanks for calling Acme plumbing, how can I help?");
    assert_eq!(r.body["language"], "en-US");
    assert_eq!(r.body["engine"], "fake/test");
    assert!((r.body["confidence"].as_f64().unwrap() - 0.8).abs() < 1e-6);
    let duration = r.body["duration"].as_f64().unwrap();
    assert!(duration > 2.0 && duration < 10.0, "{duration}");
    assert_eq!(r.body["segments"].as_array().unwrap().len(), 1);
    let r = a.api("POST", "/api/v1/asr/transcribe", Some(json!({"audio_url": "ftp://x/y.wav"}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = a.api("POST", "/api/v1/asr/transcribe", Some(json!({"language": "en-US"}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_without_an_engine_transcribe_is_503_and_audio_calls_fail_naming_the_install_command() {
    let srv = audio_server(b"unused".to_vec()).await;
    let a = app(
        |c| {
            c.allow_private_urls = true;
            c.asr.engine = Some("none".into());
        },
        None,
    )
    .await;
    let url = format!("http://{srv}/call.wav");
    let r = a.api("POST", "/api/v1/asr/transcribe", Some(json!({"audio_url": url}))).await;
    assert_error_body(&r, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    assert!(r.body["message"].as_str().unwrap().contains("otto models install whisper-tiny"), "{}", r.body);
    a.api("POST", "/api/v1/calls", Some(json!({"call_id": "noengine_1", "audio_url": url}))).await;
    let call = a.settle("noengine_1").await;
    assert_eq!(call["status"], "failed");
    assert!(call["failure_reason"].as_str().unwrap().contains("otto models install whisper-tiny"), "{call}");
}

#[tokio::test]
async fn test_asr_config_is_checked_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    config.asr.engine = Some("sphinx".into());
    let err = otto_server::open_otto(&config).await.unwrap_err();
    assert!(err.message().contains("asr.engine"), "{}", err.message());
    config.asr.engine = Some("deepgram".into());
    let err = otto_server::open_otto(&config).await.unwrap_err();
    assert!(err.message().contains("api_key"), "{}", err.message());
    config.asr.engine = Some("openai".into());
    config.asr.base_url = Some("http://127.0.0.1:9".into());
    let otto = otto_server::open_otto(&config).await.unwrap();
    assert!(otto.asr().is_some());
    // Unset engine and no installed model: no engine (calls then fail naming the command).
    config.asr = Default::default();
    assert!(otto_server::open_otto(&config).await.unwrap().asr().is_none());
}

/// The installed tiny.en model, as core's speech tests find it.
#[cfg(feature = "asr-whisper")]
fn whisper_model() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("OTTO_WHISPER_MODEL") {
        return Some(p.into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("models/whisper-tiny");
    dir.join("model.bin").is_file().then_some(dir)
}

#[cfg(feature = "asr-whisper")]
#[tokio::test]
async fn test_real_whisper_transcribe_endpoint() {
    if skip("test_real_whisper_transcribe_endpoint") {
        return;
    }
    let Some(model) = whisper_model() else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true: install the Whisper model first");
        eprintln!(
            "SKIPPED test_real_whisper_transcribe_endpoint: no Whisper model (run `otto models install whisper-tiny` \
             into $CARGO_TARGET_DIR or set OTTO_WHISPER_MODEL)"
        );
        return;
    };
    let srv = audio_server(speech_wav().to_vec()).await;
    let a = app(
        |c| {
            c.allow_private_urls = true;
            c.asr.engine = Some("whisper".into());
            c.asr.model = Some(model.display().to_string());
        },
        None,
    )
    .await;
    let r = a.api("POST", "/api/v1/asr/transcribe", Some(json!({"audio_url": format!("http://{srv}/call.wav")}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["engine"].as_str().unwrap().starts_with("whisper.cpp/"), "{}", r.body);
    let wer = otto_core::speech::word_error_rate(SENTENCE, r.body["transcript"].as_str().unwrap());
    assert!(wer <= 0.3, "WER {wer}: {}", r.body["transcript"]);
}
