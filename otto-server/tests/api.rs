//! The HTTP contract, through the router: auth, tenancy, roles, validation, limits, errors.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use otto_server::auth::{sign_hs256, Claims};
use otto_server::ratelimit::RateLimits;
use serde_json::json;

#[tokio::test]
async fn test_health_is_public_and_echoes_request_id() {
    let app = app().await;
    let r = app.send(Request::get("/health").header("x-request-id", "req-123").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "healthy");
    assert_eq!(r.body["service"], "otto-api");
    assert_eq!(r.body["retrieval"], "lexical", "no embedder in the test app: Ask Otto says it is lexical");
    assert_eq!(r.headers["x-request-id"], "req-123");
    let r = app.send(Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(r.headers["x-request-id"].to_str().unwrap().len(), 36, "generated when absent");
}

#[tokio::test]
async fn test_other_tenant_cannot_read_update_or_list_calls() {
    let app = app().await;
    let a = token("company_a", "mgr_a", "manager", 600);
    let b = token("company_b", "mgr_b", "manager", 600);
    let r = app
        .call(
            "POST",
            "/api/v1/calls",
            &a,
            "company_a",
            Some(json!({"call_id": "call_1", "caller_phone": "+15551234567"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["company_id"], "company_a");

    assert_error_body(
        &app.call("GET", "/api/v1/calls/call_1", &b, "company_b", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let upd = app.call("PUT", "/api/v1/calls/call_1", &b, "company_b", Some(json!({"status": "completed"}))).await;
    assert_error_body(&upd, StatusCode::NOT_FOUND, "not_found");
    let list = app.call("GET", "/api/v1/calls", &b, "company_b", None).await;
    assert_eq!(list.body["total"], 0);
    // Naming the other company in the body is refused, not silently rewritten.
    let r = app.call("POST", "/api/v1/calls", &b, "company_b", Some(json!({"company_id": "company_a"}))).await;
    assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
    // And company A still sees its call unchanged.
    let r = app.call("GET", "/api/v1/calls/call_1", &a, "company_a", None).await;
    assert_eq!(r.body["status"], "pending");
}

#[tokio::test]
async fn test_reps_see_only_their_own_calls() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let csr = token("co", "csr_1", "csr", 600);
    for (id, rep) in [("c1", "csr_1"), ("c2", "csr_2")] {
        let r = app.call("POST", "/api/v1/calls", &mgr, "co", Some(json!({"call_id": id, "rep_id": rep}))).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let list = app.call("GET", "/api/v1/calls", &csr, "co", None).await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["calls"][0]["call_id"], "c1");
    assert_eq!(app.call("GET", "/api/v1/calls/c2", &csr, "co", None).await.status, StatusCode::NOT_FOUND);
    let r = app.call("GET", "/api/v1/calls?rep_id=csr_2", &csr, "co", None).await;
    assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
    // A CSR's own new call is theirs by default; recording for someone else is refused.
    let r = app.call("POST", "/api/v1/calls", &csr, "co", Some(json!({"call_id": "c3"}))).await;
    assert_eq!(r.body["rep_id"], "csr_1");
    let r = app.call("POST", "/api/v1/calls", &csr, "co", Some(json!({"rep_id": "csr_2"}))).await;
    assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.call("GET", "/api/v1/calls", &mgr, "co", None).await.body["total"], 3);
}

#[tokio::test]
async fn test_call_update_merges_metadata_and_lists_filter() {
    let app = app().await;
    let t = token("co", "mgr", "manager", 600);
    app.call(
        "POST",
        "/api/v1/calls",
        &t,
        "co",
        Some(json!({"call_id": "c1", "metadata": {"source": "callrail", "x": 1}})),
    )
    .await;
    let r = app
        .call(
            "PUT",
            "/api/v1/calls/c1",
            &t,
            "co",
            Some(json!({"status": "processing", "metadata": {"notes": "High priority lead", "x": null}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "processing");
    assert_eq!(r.body["metadata"], json!({"source": "callrail", "notes": "High priority lead"}));
    let r = app.call("GET", "/api/v1/calls?status=processing&limit=5", &t, "co", None).await;
    assert_eq!((r.body["total"].clone(), r.body["limit"].clone()), (json!(1), json!(5)));
    let r = app.call("GET", "/api/v1/calls?status=bogus", &t, "co", None).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.body["message"].as_str().unwrap().contains("status"));
    let r = app.call("GET", "/api/v1/calls?limit=1000", &t, "co", None).await;
    assert!(r.body["message"].as_str().unwrap().starts_with("limit:"), "{}", r.body);
}

#[tokio::test]
async fn test_bad_tokens_are_401() {
    let app = app().await;
    let expired = token("co", "u", "manager", -3600);
    let r = app.call("GET", "/api/v1/calls", &expired, "co", None).await;
    assert_error_body(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(r.body["message"].as_str().unwrap().contains("expired"));

    let now = chrono::Utc::now().timestamp() as u64;
    let claims = Claims {
        sub: Some("u".into()),
        user_id: None,
        company_id: "co".into(),
        role: "admin".into(),
        permissions: None,
        exp: now + 600,
        iat: now,
    };
    let forged = sign_hs256(b"not-the-server-secret-at-all", &claims).unwrap();
    assert_error_body(
        &app.call("GET", "/api/v1/calls", &forged, "co", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error_body(
        &app.call("GET", "/api/v1/calls", "garbage", "co", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let r = app.send(Request::get("/api/v1/calls").header("x-company-id", "co").body(Body::empty()).unwrap()).await;
    assert_error_body(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let bad_role = Claims { role: "janitor".into(), ..claims };
    let t = sign_hs256(SECRET.as_bytes(), &bad_role).unwrap();
    assert_error_body(
        &app.call("GET", "/api/v1/calls", &t, "co", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn test_company_header_must_match_token() {
    let app = app().await;
    let t = token("co", "u", "manager", 600);
    assert_error_body(&app.call("GET", "/api/v1/calls", &t, "other", None).await, StatusCode::FORBIDDEN, "forbidden");
    let r = app
        .send(Request::get("/api/v1/calls").header("authorization", format!("Bearer {t}")).body(Body::empty()).unwrap())
        .await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_csr_cannot_write_sop_but_can_read_it() {
    let app = app().await;
    let csr = token("co", "csr_1", "csr", 600);
    let mgr = token("co", "mgr", "manager", 600);
    let body = json!({"stages": [{"stage_name": "Introduction", "stage_order": 1, "stage_description": "Introduce yourself"}]});
    assert_error_body(
        &app.call("POST", "/api/v1/sop/stages", &csr, "co", Some(body.clone())).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let r = app.call("POST", "/api/v1/sop/stages", &mgr, "co", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let stage_id = r.body["stages"][0]["stage_id"].as_str().unwrap().to_string();
    let r = app.call("GET", "/api/v1/sop/stages", &csr, "co", None).await;
    assert_eq!(r.body["stages"][0]["stage_name"], "Introduction");
    let path = format!("/api/v1/sop/stages/{stage_id}");
    assert_eq!(app.call("DELETE", &path, &csr, "co", None).await.status, StatusCode::FORBIDDEN);
    let r = app
        .call("PUT", &path, &mgr, "co", Some(json!({"stage_description": "Introduce yourself and the company"})))
        .await;
    assert_eq!(r.body["stage_description"], "Introduce yourself and the company");
    assert_eq!(app.call("DELETE", &path, &mgr, "co", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.call("DELETE", &path, &mgr, "co", None).await.status, StatusCode::NOT_FOUND);
    let other = token("other", "mgr", "manager", 600);
    let r = app.call("GET", "/api/v1/sop/stages?company_id=co", &other, "other", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn test_invalid_input_is_400_naming_the_field() {
    let app = app().await;
    let t = token("co", "mgr", "manager", 600);
    let cases = [
        ("/api/v1/calls", "{not json", "invalid JSON body"),
        ("/api/v1/calls", r#"{"duration": "five"}"#, "duration"),
        ("/api/v1/calls", r#"{"caller_phone": "call me"}"#, "caller_phone"),
        ("/api/v1/calls", r#"{"call_id": "../etc/passwd"}"#, "call_id"),
        ("/api/v1/sop/stages", r#"{"stages": [{"stage_order": 1}]}"#, "stage_name"),
        ("/api/v1/sop/stages", r#"{"stages": [{"stage_name": " ", "stage_order": 1}]}"#, "stages[0].stage_name"),
        ("/api/v1/sop/stages", r#"{}"#, "stages"),
        (
            "/api/v1/ingestion/events",
            r#"{"events": [{"event_id": "e1", "entity_id": "x", "event_type": "call", "timestamp": "yesterday"}]}"#,
            "timestamp",
        ),
    ];
    for (path, body, field) in cases {
        let req = Request::post(path)
            .header("authorization", format!("Bearer {t}"))
            .header("x-company-id", "co")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(r.body["message"].as_str().unwrap().contains(field), "{body} -> {}", r.body);
    }
    let req = Request::post("/api/v1/calls")
        .header("authorization", format!("Bearer {t}"))
        .header("x-company-id", "co")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    assert_error_body(&app.send(req).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
}

#[tokio::test]
async fn test_oversized_body_is_413() {
    let app = app().await;
    let t = token("co", "mgr", "manager", 600);
    let big = format!(r#"{{"metadata": {{"blob": "{}"}}}}"#, "x".repeat(otto_server::app::JSON_LIMIT_BYTES + 10));
    let req = Request::post("/api/v1/calls")
        .header("authorization", format!("Bearer {t}"))
        .header("x-company-id", "co")
        .header("content-type", "application/json")
        .body(Body::from(big))
        .unwrap();
    assert_error_body(&app.send(req).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn test_rate_limit_is_429_with_retry_after() {
    let app = app_with(RateLimits { calls: 2, ..RateLimits::default() }, None).await;
    let t = token("co", "mgr", "manager", 600);
    for _ in 0..2 {
        assert_eq!(app.call("GET", "/api/v1/calls", &t, "co", None).await.status, StatusCode::OK);
    }
    let r = app.call("GET", "/api/v1/calls", &t, "co", None).await;
    assert_error_body(&r, StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded");
    let secs = r.body["retry_after"].as_u64().unwrap();
    assert!((1..=60).contains(&secs));
    assert_eq!(r.headers["retry-after"].to_str().unwrap(), secs.to_string());
    // Limits are per caller and per category: another user and the SOP category still pass.
    let other = token("co", "mgr2", "manager", 600);
    assert_eq!(app.call("GET", "/api/v1/calls", &other, "co", None).await.status, StatusCode::OK);
    assert_eq!(app.call("GET", "/api/v1/sop/stages", &t, "co", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn test_crm_replays_are_stored_once() {
    let app = app().await;
    let t = token("co", "integration", "admin", 600);
    let events = json!({"company_id": "co", "events": [
        {"event_id": "event_1", "entity_id": "entity_1", "event_type": "call", "timestamp": "2025-01-15T10:30:00Z", "data": {"outcome": "qualified"}}
    ]});
    let r = app.call("POST", "/api/v1/ingestion/events", &t, "co", Some(events.clone())).await;
    assert_eq!((r.status, r.body["events_created"].clone()), (StatusCode::OK, json!(1)), "{}", r.body);
    let r = app.call("POST", "/api/v1/ingestion/events", &t, "co", Some(events)).await;
    assert_eq!((r.body["events_created"].clone(), r.body["events_duplicate"].clone()), (json!(0), json!(1)));

    let entity = |ts: &str, name: &str| json!({"entities": [{"entity_id": "entity_1", "entity_type": "customer", "attributes": {"name": name}, "timestamp": ts}]});
    let r =
        app.call("POST", "/api/v1/ingestion/entities", &t, "co", Some(entity("2025-01-15T10:30:00Z", "John"))).await;
    assert_eq!(r.body["entities_created"], 1, "{}", r.body);
    let r =
        app.call("POST", "/api/v1/ingestion/entities", &t, "co", Some(entity("2025-01-15T10:30:00Z", "John"))).await;
    assert_eq!((r.body["entities_created"].clone(), r.body["entities_unchanged"].clone()), (json!(0), json!(1)));
    let r = app
        .call("POST", "/api/v1/ingestion/entities", &t, "co", Some(entity("2025-01-16T10:30:00Z", "John Smith")))
        .await;
    assert_eq!(r.body["entities_updated"], 1);
    let csr = token("co", "csr", "csr", 600);
    assert_eq!(
        app.call("POST", "/api/v1/ingestion/entities", &csr, "co", Some(entity("2025-01-17T00:00:00Z", "x")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn test_unknown_routes_and_methods_use_the_error_body() {
    let app = app().await;
    let r = app.send(Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app.send(Request::delete("/health").body(Body::empty()).unwrap()).await;
    assert_error_body(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn test_metrics_and_docs_are_served() {
    let app = app().await;
    app.send(Request::get("/health").body(Body::empty()).unwrap()).await;
    let r = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.as_str().unwrap().contains("otto_http_requests_total"));
    let r = app.send(Request::get("/openapi.json").body(Body::empty()).unwrap()).await;
    assert!(r.body["paths"]["/api/v1/calls"].is_object());
    let r = app.send(Request::get("/docs/").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.send(Request::get("/docs/swagger-ui-bundle.js").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "swagger-ui assets are served locally, not from a CDN");
}

mod rs256 {
    use super::*;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    const KEY: &str = include_str!("../../tests/fixtures/jwks_test_key.pem");
    const JWKS: &str = include_str!("../../tests/fixtures/jwks_test.json");

    async fn jwks_server() -> String {
        let app = axum::Router::new()
            .route("/jwks.json", axum::routing::get(|| async { ([("content-type", "application/json")], JWKS) }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/jwks.json")
    }

    fn rs256(kid: &str) -> String {
        let now = chrono::Utc::now().timestamp() as u64;
        let claims = Claims {
            sub: None,
            user_id: Some("idp_user".into()),
            company_id: "co".into(),
            role: "manager".into(),
            permissions: Some(vec!["calls:read".into()]),
            exp: now + 600,
            iat: now,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(KEY.as_bytes()).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn test_rs256_tokens_verify_against_jwks() {
        let app = app_with(RateLimits::default(), Some(jwks_server().await)).await;
        let r = app.call("GET", "/api/v1/calls", &rs256("otto-test-1"), "co", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Explicit permissions narrow the role: this token may read but not write.
        let r = app.call("POST", "/api/v1/calls", &rs256("otto-test-1"), "co", Some(json!({}))).await;
        assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
        let r = app.call("GET", "/api/v1/calls", &rs256("rotated-away"), "co", None).await;
        assert_error_body(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
}

#[tokio::test]
async fn test_audit_trail_records_changes_and_is_admin_only() {
    let app = app().await;
    let mgr = token("co", "mgr_1", "manager", 600);
    let admin = token("co", "admin_1", "admin", 600);
    app.call("POST", "/api/v1/calls", &mgr, "co", Some(json!({"call_id": "c1"}))).await;
    app.call("PUT", "/api/v1/calls/c1", &mgr, "co", Some(json!({"status": "completed"}))).await;
    assert_eq!(app.call("GET", "/api/v1/audit", &mgr, "co", None).await.status, StatusCode::FORBIDDEN);
    let r = app.call("GET", "/api/v1/audit?resource_type=call", &admin, "co", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let actions: Vec<&str> =
        r.body["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["call.update", "call.create"]);
    assert_eq!(r.body["events"][0]["actor_id"], "mgr_1");
    let other = token("other", "admin_9", "admin", 600);
    assert_eq!(app.call("GET", "/api/v1/audit", &other, "other", None).await.body["total"], 0);
}

#[tokio::test]
async fn test_company_settings_are_admin_only_and_default_new_calls() {
    let app = app().await;
    let admin = token("co", "admin_1", "admin", 600);
    let mgr = token("co", "mgr_1", "manager", 600);
    let csr = token("co", "csr_1", "csr", 600);
    let r = app.call("GET", "/api/v1/company/settings", &csr, "co", None).await;
    assert_eq!((r.status, r.body["rep_channel"].clone()), (StatusCode::OK, serde_json::Value::Null));
    let body = json!({"rep_channel": 1, "timezone": "America/Denver"});
    assert_eq!(
        app.call("PUT", "/api/v1/company/settings", &mgr, "co", Some(body.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app.call("PUT", "/api/v1/company/settings", &admin, "co", Some(json!({"rep_channel": 2}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app.call("PUT", "/api/v1/company/settings", &admin, "co", Some(json!({"timezone": "Mars/Base"}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app.call("PUT", "/api/v1/company/settings", &admin, "co", Some(body)).await;
    assert_eq!((r.status, r.body["rep_channel"].clone()), (StatusCode::OK, json!(1)), "{}", r.body);
    let call = app.call("POST", "/api/v1/calls", &mgr, "co", Some(json!({"call_id": "c1"}))).await;
    assert_eq!(call.body["timezone"], "America/Denver", "a call without a zone takes the company's");
    let other = token("other", "admin_9", "admin", 600);
    assert_eq!(
        app.call("GET", "/api/v1/company/settings", &other, "other", None).await.body["timezone"],
        serde_json::Value::Null
    );
}
