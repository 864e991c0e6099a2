//! Submitted transcripts through the pipeline to every analysis endpoint, with roles and
//! tenants. The transcripts here are written for these tests (not the dev set).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn windows_visit() -> Value {
    json!({
        "call_id": "win_1",
        "rep_id": "rep_a",
        "call_type": "sales_appointment",
        "started_at": "2026-04-07T15:00:00-05:00",
        "timezone": "America/Chicago",
        "caller_phone": "+15550001111",
        "metadata": {"customer_name": "Ruth Alvarez"},
        "segments": [
            {"speaker": "rep", "text": "Hi Ruth, I'm Sam with Clearview Windows. Thanks for having me out today. Can you tell me what's going on with the windows?"},
            {"speaker": "customer", "text": "Sure. The bedroom windows are drafty and the frames are rotting. Our heating bill was four hundred dollars last month."},
            {"speaker": "rep", "text": "How old are the windows, and do you own the home?"},
            {"speaker": "customer", "text": "We've owned it for fifteen years and the windows are original, so about thirty years old."},
            {"speaker": "rep", "text": "For the eight windows I'd recommend double-pane vinyl replacements with a lifetime warranty. The total comes to nine thousand six hundred dollars installed."},
            {"speaker": "customer", "text": "Wow, that's a lot more than we budgeted. I don't think we can afford that right now."},
            {"speaker": "rep", "text": "I understand. We offer financing at zero percent for eighteen months, which works out to about five hundred thirty a month, and the new windows should cut that heating bill a lot."},
            {"speaker": "customer", "text": "Okay, that helps. But I need to talk it over with my husband before we sign anything."},
            {"speaker": "rep", "text": "Of course. Could we meet again when he's home? How about next Thursday at three?"},
            {"speaker": "customer", "text": "Next Thursday at three works for both of us."},
            {"speaker": "rep", "text": "Great, I'll bring the financing paperwork and samples. See you Thursday at three."}
        ]
    })
}

fn water_heater_call() -> Value {
    json!({
        "call_id": "wh_1",
        "rep_id": "csr_b",
        "call_type": "csr_inbound",
        "started_at": "2026-05-04T09:15:00-04:00",
        "segments": [
            {"speaker": "agent", "text": "Thanks for calling Bluewater Plumbing, this is Jo. How can I help?"},
            {"speaker": "caller", "text": "Hi, my water heater stopped making hot water this morning. I own the house and I'd like someone to look at it."},
            {"speaker": "agent", "text": "Sorry to hear that. How old is the water heater?"},
            {"speaker": "caller", "text": "About twelve years old, it's a gas tank."},
            {"speaker": "agent", "text": "I can get a technician out tomorrow at ten. Does that work?"},
            {"speaker": "caller", "text": "Tomorrow at ten is perfect, thank you."},
            {"speaker": "agent", "text": "You're all set. The technician will call when he's on the way."}
        ]
    })
}

async fn wait_analysed(app: &TestApp, tok: &str, company: &str, call_id: &str) -> Value {
    for _ in 0..200 {
        let r = app.call("GET", &format!("/api/v1/calls/{call_id}/status"), tok, company, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if r.body["status"] == "completed" || r.body["status"] == "failed" {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("call {call_id} was not analysed in time");
}

fn assert_evidence(findings: &Value) {
    for f in findings.as_array().unwrap() {
        let ev = f["evidence"].as_array().unwrap();
        assert!(!ev.is_empty(), "finding without evidence: {f}");
        assert!(ev.iter().all(|e| e["segment_index"].is_u64() && e["quote"].as_str().is_some_and(|q| !q.is_empty())));
    }
}

#[tokio::test]
async fn test_submitted_transcript_is_analysed_end_to_end() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let stages = json!({"stages": [
        {"stage_name": "Greeting", "stage_order": 1, "stage_description": "Introduce yourself and the company and thank the customer"},
        {"stage_name": "Discovery", "stage_order": 2, "stage_description": "Ask open questions about the problem, its age and condition"},
        {"stage_name": "Close", "stage_order": 3, "stage_description": "Ask for the business or book a concrete next appointment"}
    ]});
    assert_eq!(app.call("POST", "/api/v1/sop/stages", &mgr, "co", Some(stages)).await.status, StatusCode::CREATED);
    let r = app.call("POST", "/api/v1/calls", &mgr, "co", Some(windows_visit())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["processing_stages"]["transcription"], "skipped");
    let status = wait_analysed(&app, &mgr, "co", "win_1").await;
    assert_eq!(status["status"], "completed", "{status}");
    assert_eq!(status["progress"], 100);

    let t = app.call("GET", "/api/v1/calls/win_1/transcript", &mgr, "co", None).await;
    assert_eq!(t.body["segments"].as_array().unwrap().len(), 11);
    assert!(t.body["transcript"].as_str().unwrap().starts_with("Hi Ruth"));
    let d = app.call("GET", "/api/v1/calls/win_1/diarization", &mgr, "co", None).await;
    assert_eq!(d.body["speakers"][0]["role"], "rep");
    assert_eq!(d.body["talk_time"].as_array().unwrap().len(), 2);

    let o = app.call("GET", "/api/v1/calls/win_1/objections", &mgr, "co", None).await;
    let types: Vec<&str> =
        o.body["objections"].as_array().unwrap().iter().map(|x| x["objection_type"].as_str().unwrap()).collect();
    assert!(types.contains(&"price"), "{types:?}");
    assert!(types.contains(&"authority"), "{types:?}");
    assert_evidence(&o.body["objections"]);

    let lead = app.call("GET", "/api/v1/calls/win_1/lead-classification", &mgr, "co", None).await;
    assert!(["hot", "warm", "cold"].contains(&lead.body["lead_status"].as_str().unwrap()));
    assert!(lead.body["qualification_reasons"].as_array().unwrap().iter().all(Value::is_string));

    let full = app.call("GET", "/api/v1/calls/win_1/analysis", &mgr, "co", None).await;
    assert_eq!(full.status, StatusCode::OK);
    let appt = &full.body["appointment"];
    assert_eq!(appt["booked"], true, "{appt}");
    assert_eq!(appt["scheduled_at"], "2026-04-16T15:00:00-05:00", "next Thursday at three, Chicago time");
    for key in
        ["lead", "objections", "sop", "outcome", "rehash", "coaching", "phases", "metrics", "summary", "property"]
    {
        assert!(!full.body[key].is_null(), "{key} missing");
    }

    let sop = app.call("GET", "/api/v1/calls/win_1/sop-analysis", &mgr, "co", None).await;
    let names: Vec<&str> =
        sop.body["stages_detected"].as_array().unwrap().iter().map(|s| s["stage_name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Greeting") && names.contains(&"Discovery"), "{names:?}");
    assert!(sop.body["stages_detected"][0]["detected_at"].as_str().unwrap().starts_with("2026-04-07T20:00"));

    for path in ["coaching", "meeting-segments", "rehash-score"] {
        let r = app.call("GET", &format!("/api/v1/calls/win_1/{path}"), &mgr, "co", None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    let rehash = app.call("GET", "/api/v1/calls/win_1/rehash-score", &mgr, "co", None).await;
    assert!((1..=5).contains(&rehash.body["rehash_score"].as_u64().unwrap()));
}

#[tokio::test]
async fn test_call_without_objections_returns_an_empty_list_and_diarization_roles() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    app.call("POST", "/api/v1/calls", &mgr, "co", Some(water_heater_call())).await;
    assert_eq!(wait_analysed(&app, &mgr, "co", "wh_1").await["status"], "completed");
    let o = app.call("GET", "/api/v1/calls/wh_1/objections", &mgr, "co", None).await;
    assert_eq!(o.body["objections"], json!([]), "no invented objections");
    let s = app.call("GET", "/api/v1/calls/wh_1/speakers", &mgr, "co", None).await;
    assert_eq!(s.body["speakers"][0]["role"], "rep", "`agent` is the rep");
    assert_eq!(s.body["speakers"][1]["role"], "customer", "`caller` is the customer");
    let a = app.call("GET", "/api/v1/calls/wh_1/analysis", &mgr, "co", None).await;
    assert_eq!(a.body["appointment"]["scheduled_at"], "2026-05-05T10:00:00-04:00");
    // Without an SOP the SOP analysis is empty, not invented.
    assert_eq!(a.body["sop"]["stages"], json!([]));
}

#[tokio::test]
async fn test_analyses_respect_tenants_and_rep_scope() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    app.call("POST", "/api/v1/calls", &mgr, "co", Some(windows_visit())).await;
    wait_analysed(&app, &mgr, "co", "win_1").await;
    let other = token("other", "mgr", "manager", 600);
    for path in ["objections", "analysis", "transcript", "status", "speakers"] {
        let r = app.call("GET", &format!("/api/v1/calls/win_1/{path}"), &other, "other", None).await;
        assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
    }
    let rep_a = token("co", "rep_a", "sales_rep", 600);
    let rep_b = token("co", "rep_b", "sales_rep", 600);
    assert_eq!(app.call("GET", "/api/v1/calls/win_1/objections", &rep_a, "co", None).await.status, StatusCode::OK);
    assert_eq!(
        app.call("GET", "/api/v1/calls/win_1/objections", &rep_b, "co", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn test_unanalysed_call_says_why_there_is_no_analysis() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    app.call("POST", "/api/v1/calls", &mgr, "co", Some(json!({"call_id": "bare"}))).await;
    let r = app.call("GET", "/api/v1/calls/bare/objections", &mgr, "co", None).await;
    assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
    assert!(r.body["message"].as_str().unwrap().contains("pending"), "{}", r.body);
    let r = app.call("GET", "/api/v1/calls/bare/transcript", &mgr, "co", None).await;
    assert!(r.body["message"].as_str().unwrap().contains("segments"), "{}", r.body);
}

#[tokio::test]
async fn test_bad_segments_are_rejected_with_the_index() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let body = json!({"segments": [{"speaker": "rep", "text": "hi"}, {"speaker": "customer", "text": "  "}]});
    let r = app.call("POST", "/api/v1/calls", &mgr, "co", Some(body)).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.body["message"].as_str().unwrap().starts_with("segments[1].text"), "{}", r.body);
    let r = app.call("POST", "/api/v1/calls", &mgr, "co", Some(json!({"segments": []}))).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_compliance_check_and_analytics_by_role() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    let stages = json!({"stages": [
        {"stage_name": "Greeting", "stage_order": 1, "stage_description": "Introduce yourself and the company"},
        {"stage_name": "Financing", "stage_order": 2, "stage_description": "Offer financing or payment options and monthly payments"}
    ]});
    app.call("POST", "/api/v1/sop/stages", &mgr, "co", Some(stages)).await;
    app.call("POST", "/api/v1/calls", &mgr, "co", Some(windows_visit())).await;
    app.call("POST", "/api/v1/calls", &mgr, "co", Some(water_heater_call())).await;
    wait_analysed(&app, &mgr, "co", "win_1").await;
    wait_analysed(&app, &mgr, "co", "wh_1").await;

    let r = app.call("POST", "/api/v1/sop/compliance/analyze", &mgr, "co", Some(json!({"call_id": "wh_1"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["stages_completed"].as_array().unwrap().iter().any(|s| s == "Greeting"));

    let all = app.call("GET", "/api/v1/sop/compliance/co", &mgr, "co", None).await;
    assert_eq!(all.body["scope"], "company");
    assert_eq!(all.body["calls_analyzed"], 2, "{}", all.body);
    assert_eq!(all.body["rep_performance"].as_array().unwrap().len(), 2);
    let csr = token("co", "csr_b", "csr", 600);
    let own = app.call("GET", "/api/v1/sop/compliance/co", &csr, "co", None).await;
    assert_eq!((own.body["scope"].clone(), own.body["calls_analyzed"].clone()), (json!("own"), json!(1)));
    assert_eq!(own.body["rep_performance"][0]["rep_id"], "csr_b");
    let r = app.call("GET", "/api/v1/sop/compliance/co?date_range=2026-05-01..2026-05-31", &mgr, "co", None).await;
    assert_eq!(r.body["calls_analyzed"], 1, "only the May call");
    let r = app.call("GET", "/api/v1/sop/compliance/co?date_range=last-week", &mgr, "co", None).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app.call("GET", "/api/v1/sop/compliance/other", &mgr, "co", None).await;
    assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn test_summaries_daily_appointment_prep_and_history() {
    let app = app().await;
    let mgr = token("co", "mgr", "manager", 600);
    app.call("POST", "/api/v1/calls", &mgr, "co", Some(windows_visit())).await;
    wait_analysed(&app, &mgr, "co", "win_1").await;

    let s = app.call("POST", "/api/v1/summary/appointment", &mgr, "co", Some(json!({"call_id": "win_1"}))).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let content = s.body["content"].as_str().unwrap();
    assert!(content.contains("Ruth Alvarez"), "{content}");
    assert!(content.contains("400 dollars"), "amounts normalised to digits: {content}");
    assert!(!s.body["next_steps"].as_array().unwrap().is_empty());
    let by_call = app.call("GET", "/api/v1/summary/call/win_1", &mgr, "co", None).await;
    assert_eq!(by_call.body["content"], s.body["content"]);

    let d = app
        .call("POST", "/api/v1/summary/daily", &mgr, "co", Some(json!({"date": "2026-04-07", "rep_id": "rep_a"})))
        .await;
    assert_eq!(d.body["metrics"]["calls_completed"], 1, "{}", d.body);
    assert_eq!(d.body["metrics"]["appointments_scheduled"], 1);
    let other_day = app
        .call("POST", "/api/v1/summary/daily", &mgr, "co", Some(json!({"date": "2026-04-08", "rep_id": "rep_a"})))
        .await;
    assert_eq!(other_day.body["metrics"]["calls_completed"], 0);

    let rep_a = token("co", "rep_a", "sales_rep", 600);
    let prep = app
        .call(
            "POST",
            "/api/v1/summary/prep",
            &rep_a,
            "co",
            Some(json!({"rep_id": "rep_a", "customer_context": {"phone": "+15550001111", "name": "Ruth"}})),
        )
        .await;
    assert_eq!(prep.status, StatusCode::OK, "{}", prep.body);
    assert_eq!(prep.body["history"][0]["call_id"], "win_1");
    let r = app
        .call("POST", "/api/v1/summary/daily", &rep_a, "co", Some(json!({"date": "2026-04-07", "rep_id": "rep_z"})))
        .await;
    assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");

    let h = app.call("GET", "/api/v1/summary/rep_a/history?type=daily", &mgr, "co", None).await;
    assert_eq!(h.body["total"], 2);
    let h = app.call("GET", "/api/v1/summary/rep_a/history?limit=1&sort=date&order=asc", &mgr, "co", None).await;
    assert_eq!((h.body["summaries"].as_array().unwrap().len(), h.body["has_more"].clone()), (1, json!(true)));
}

mod llm_engine {
    use super::*;
    use axum::routing::post;

    /// An OpenAI-compatible stand-in whose "model" answers with the offline engine's analysis of
    /// the transcript it was sent (or with broken JSON when `broken`).
    async fn standin(broken: bool) -> String {
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            post(move |axum::Json(body): axum::Json<Value>| async move {
                assert!(body["response_format"]["json_schema"]["schema"].is_object(), "structured output requested");
                let user = body["messages"][1]["content"].as_str().unwrap();
                let call: Value = serde_json::from_str(user.trim_start_matches("Analyse this call:\n")).unwrap();
                let segments = call["segments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        let speaker = match s["speaker"].as_str().unwrap() {
                            "rep" => otto_core::analysis::Speaker::Rep,
                            "customer" => otto_core::analysis::Speaker::Customer,
                            o => otto_core::analysis::Speaker::Other(o.into()),
                        };
                        otto_core::analysis::Segment::new(speaker, s["text"].as_str().unwrap())
                    })
                    .collect();
                let input = otto_core::analysis::AnalysisInput {
                    call_type: None,
                    started_at: None,
                    segments,
                    sop_stages: vec![],
                };
                let content = if broken {
                    "{\"lead\": ".to_string()
                } else {
                    serde_json::to_string(&otto_core::analysis::analyze(&input)).unwrap()
                };
                axum::Json(json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "test-model",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
                }))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/v1")
    }

    async fn app_on(base_url: String) -> TestApp {
        app_with_config(|c| {
            c.analysis_engine = "llm".into();
            c.llm = Some(otto_server::config::LlmConfig {
                provider: "openai".into(),
                model: "test-model".into(),
                base_url: Some(base_url),
                api_key: None,
                timeout_secs: Some(5),
            });
        })
        .await
    }

    #[tokio::test]
    async fn test_llm_engine_is_configuration_only() {
        let app = app_on(standin(false).await).await;
        let mgr = token("co", "mgr", "manager", 600);
        app.call("POST", "/api/v1/calls", &mgr, "co", Some(water_heater_call())).await;
        assert_eq!(wait_analysed(&app, &mgr, "co", "wh_1").await["status"], "completed");
        let a = app.call("GET", "/api/v1/calls/wh_1/analysis", &mgr, "co", None).await;
        assert_eq!(a.body["engine"], "openai:test-model");
        assert_eq!(a.body["engine_version"], otto_core::analyzers::PROMPT_VERSION);
    }

    #[tokio::test]
    async fn test_broken_model_output_falls_back_to_the_offline_engine() {
        let app = app_on(standin(true).await).await;
        let mgr = token("co", "mgr", "manager", 600);
        app.call("POST", "/api/v1/calls", &mgr, "co", Some(water_heater_call())).await;
        assert_eq!(wait_analysed(&app, &mgr, "co", "wh_1").await["status"], "completed");
        let a = app.call("GET", "/api/v1/calls/wh_1/analysis", &mgr, "co", None).await;
        let engine = a.body["engine"].as_str().unwrap();
        assert!(engine.starts_with("otto-offline (fallback from openai:test-model"), "{engine}");
        assert_eq!(a.body["objections"], json!([]));
    }
}
