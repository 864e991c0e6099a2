//! Shared harness for the router tests: a real store in a temp dir, tokens, requests.
#![allow(dead_code)] // reason: each test binary uses a different subset of the helpers

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use otto_server::auth::{sign_hs256, Claims};
use otto_server::ratelimit::RateLimits;
use otto_server::Config;
use serde_json::Value;
use tower::ServiceExt;

pub const SECRET: &str = "test-secret-0123456789abcdef";

pub struct TestApp {
    pub router: Router,
    pub otto: otto_core::Otto,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::watch::Sender<bool>,
}

pub fn token(company: &str, user: &str, role: &str, exp_offset: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: Some(user.into()),
        user_id: None,
        company_id: company.into(),
        role: role.into(),
        permissions: None,
        exp: (now + exp_offset) as u64,
        iat: now as u64,
    };
    sign_hs256(SECRET.as_bytes(), &claims).unwrap()
}

pub async fn app_with(limits: RateLimits, jwks_url: Option<String>) -> TestApp {
    app_with_config(|c| {
        c.rate_limits = limits;
        c.jwks_url = jwks_url;
    })
    .await
}

/// An app on a config adjusted by `adjust` (data dir and secret are set for you).
pub async fn app_with_config(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        Config { data_dir: dir.path().to_path_buf(), jwt_secret: Some(SECRET.into()), ..Config::default() };
    adjust(&mut config);
    let (state, _) = otto_server::build_state(&config).await.unwrap();
    // Workers run as in `otto serve`, polling quickly so tests don't wait.
    let (stop, rx) = tokio::sync::watch::channel(false);
    for _ in 0..2 {
        let cfg =
            otto_core::jobs::WorkerConfig { poll_interval: std::time::Duration::from_millis(20), ..Default::default() };
        tokio::spawn(otto_core::pipeline::worker(&state.otto, cfg).run(rx.clone()));
    }
    TestApp { otto: state.otto.clone(), router: otto_server::router(state), _dir: dir, _stop: stop }
}

/// An app whose rate limits leave room for the tests' status polling (every 25 ms, which the
/// spec's per-minute limits would refuse after a second or two on a slow machine). The limits
/// themselves are tested with [`app_with`].
pub async fn app() -> TestApp {
    let roomy = 100_000;
    let limits = RateLimits {
        system: roomy,
        calls: roomy,
        documents: roomy,
        voice: roomy,
        rag: roomy,
        personal_ai: roomy,
        followup: roomy,
        sop: roomy,
        analytics: roomy,
        webhooks: roomy,
    };
    app_with(limits, None).await
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Resp { status, headers, body }
    }

    pub async fn call(&self, method: &str, path: &str, tok: &str, company: &str, body: Option<Value>) -> Resp {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {tok}"))
            .header("x-company-id", company);
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }
}

pub fn assert_error_body(r: &Resp, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.body);
    assert_eq!(r.body["error"], code, "body: {}", r.body);
    assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(r.body["timestamp"].as_str().is_some());
    assert!(r.body["request_id"].as_str().is_some());
}
