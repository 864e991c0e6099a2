//! Analytics (12.1-12.4) and follow-ups (10.1-10.6) through the router, with the pipeline
//! running. The transcripts are written for these tests: five calls of one company, two reps,
//! whose outcomes a reader can tell at a glance, so the analytics can be checked by hand.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const CO: &str = "acme";

/// CSR Amy books a water heater visit. Appointment set, no objection.
fn amy_booked() -> Value {
    json!({
        "call_id": "amy_1", "rep_id": "csr_amy", "call_type": "csr_inbound", "duration": 240,
        "started_at": "2027-01-11T09:30:00-05:00", "timezone": "America/New_York",
        "metadata": {"customer_name": "Maria Gomez", "lead_source": "Website"},
        "segments": [
            {"speaker": "agent", "text": "Thanks for calling Bluewater Plumbing, this is Amy. How can I help?"},
            {"speaker": "caller", "text": "Hi, my water heater stopped making hot water this morning. I own the house and I'd like someone to look at it."},
            {"speaker": "agent", "text": "Sorry to hear that. How old is the water heater?"},
            {"speaker": "caller", "text": "About twelve years old, it's a gas tank."},
            {"speaker": "agent", "text": "I can get a technician out tomorrow at ten. Does that work?"},
            {"speaker": "caller", "text": "Tomorrow at ten is perfect, thank you."},
            {"speaker": "agent", "text": "You're all set. The technician will call when he's on the way."}
        ]
    })
}

/// CSR Amy quotes a tune-up; the caller balks at the price and does not book.
fn amy_price_shopper() -> Value {
    json!({
        "call_id": "amy_2", "rep_id": "csr_amy", "call_type": "csr_inbound", "duration": 360,
        "started_at": "2027-01-12T14:00:00-05:00", "timezone": "America/New_York",
        "metadata": {"customer_name": "Tom Becker", "lead_source": "referral"},
        "segments": [
            {"speaker": "agent", "text": "Bluewater Plumbing, this is Amy speaking."},
            {"speaker": "caller", "text": "Hi, I was wondering how much you charge to flush a water heater and replace the anode rod."},
            {"speaker": "agent", "text": "That service is two hundred ninety five dollars, including the anode rod."},
            {"speaker": "caller", "text": "Wow, that's too expensive. The other guy quoted me one fifty."},
            {"speaker": "agent", "text": "Okay. Well, that's our price."},
            {"speaker": "caller", "text": "I'll pass for now, thanks. Bye."}
        ]
    })
}

/// Sales rep Ben closes a window job after answering the price objection with financing.
fn ben_sold() -> Value {
    json!({
        "call_id": "ben_1", "rep_id": "rep_ben", "call_type": "sales_appointment", "duration": 2700,
        "started_at": "2027-01-13T10:00:00-06:00", "timezone": "America/Chicago",
        "metadata": {"customer_name": "Ruth Alvarez", "lead_source": "website"},
        "segments": [
            {"speaker": "rep", "text": "Hi Ruth, I'm Ben with Clearview Windows. Thanks for having me out. What's going on with the windows?"},
            {"speaker": "customer", "text": "The bedroom windows are drafty and the frames are rotting. Our heating bill was four hundred dollars last month."},
            {"speaker": "rep", "text": "For the eight windows I'd recommend double-pane vinyl replacements. The total comes to nine thousand six hundred dollars installed."},
            {"speaker": "customer", "text": "That's a lot more than we budgeted."},
            {"speaker": "rep", "text": "I understand. We offer zero percent financing for eighteen months, about five hundred thirty a month, and the new windows should cut that heating bill."},
            {"speaker": "customer", "text": "Okay, that works for us. Let's do it, where do I sign?"},
            {"speaker": "rep", "text": "Right here. I'll get the install on the schedule and send you the paperwork by email today."}
        ]
    })
}

/// Sales rep Ben's roof visit: price left open, the customer wants to think; Ben promises a
/// revised quote and a call.
fn ben_rehash() -> Value {
    json!({
        "call_id": "ben_2", "rep_id": "rep_ben", "call_type": "sales_appointment", "duration": 1800,
        "started_at": "2027-01-20T16:00:00-06:00", "timezone": "America/Chicago",
        "metadata": {"customer_name": "Dana Whitfield", "lead_source": "referral"},
        "segments": [
            {"speaker": "rep", "text": "Hi Dana, I'm Ben with Summit Roofing. Thanks for having me out. What's going on with the roof?"},
            {"speaker": "customer", "text": "We've had a leak over the kitchen since the last storm and the shingles are curling. The roof is about twenty two years old."},
            {"speaker": "rep", "text": "I saw that from the ladder. Replacing it with architectural shingles and new flashing comes to eighteen thousand four hundred dollars."},
            {"speaker": "customer", "text": "Eighteen thousand is way more than we were expecting to spend. We were hoping to stay closer to twelve."},
            {"speaker": "rep", "text": "That's the price for a roof like this, and it's a fair number."},
            {"speaker": "customer", "text": "It's still too much for us right now. We need to think about it."},
            {"speaker": "rep", "text": "Understood. I'll email you a revised quote with a couple of lower cost options tomorrow, and I'll call you Friday to go over it."},
            {"speaker": "customer", "text": "That's fine, talk to you Friday."}
        ]
    })
}

/// A wrong number in February, outside the January range.
fn amy_wrong_number() -> Value {
    json!({
        "call_id": "amy_3", "rep_id": "csr_amy", "call_type": "csr_inbound", "duration": 120,
        "started_at": "2027-02-03T11:00:00-05:00", "timezone": "America/New_York",
        "segments": [
            {"speaker": "agent", "text": "Thanks for calling Bluewater Plumbing, this is Amy."},
            {"speaker": "caller", "text": "Oh, sorry, I think I have the wrong number. I was trying to reach the pharmacy."},
            {"speaker": "agent", "text": "No problem, have a good day."}
        ]
    })
}

async fn wait_analysed(app: &TestApp, tok: &str, call_id: &str) {
    for _ in 0..400 {
        let r = app.call("GET", &format!("/api/v1/calls/{call_id}/status"), tok, CO, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        match r.body["status"].as_str() {
            Some("completed") => return,
            Some("failed") => panic!("{call_id} failed: {}", r.body),
            _ => tokio::time::sleep(std::time::Duration::from_millis(25)).await,
        }
    }
    panic!("call {call_id} was not analysed in time");
}

/// The five calls, analysed.
async fn seeded() -> TestApp {
    let app = app().await;
    let mgr = token(CO, "mgr", "manager", 600);
    for call in [amy_booked(), amy_price_shopper(), ben_sold(), ben_rehash(), amy_wrong_number()] {
        let r = app.call("POST", "/api/v1/calls", &mgr, CO, Some(call)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    for id in ["amy_1", "amy_2", "ben_1", "ben_2", "amy_3"] {
        wait_analysed(&app, &mgr, id).await;
    }
    app
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 0.0015, "got {got}, want {want}");
}

/// Hand count over the five calls (see each transcript's doc):
/// outcomes amy_1 appointment_set, amy_2 lost, ben_1 sold, ben_2 follow_up, amy_3 not_qualified;
/// objections amy_2 price (open), ben_1 price (handled), ben_2 price (open) + timing (handled);
/// lead scores 0.79, 0.44, 0.75, 0.68, 0.32; durations 240, 360, 2700, 1800, 120 s.
#[tokio::test]
async fn test_analytics_match_a_hand_count() {
    let app = seeded().await;
    let mgr = token(CO, "mgr", "manager", 600);
    let get = |path: String| {
        let (app, mgr) = (&app, &mgr);
        async move {
            let r = app.call("GET", &path, mgr, CO, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            r.body
        }
    };

    let perf = get(format!("/api/v1/analytics/performance/{CO}")).await;
    assert_eq!(perf["total_calls"], 5);
    close(&perf["conversion_rate"], 0.4); // (1 appointment + 1 sale) / 5
    close(&perf["average_call_duration"], 17.4); // 5220 s / 5 / 60
    close(&perf["objection_rate"], 0.6); // amy_2, ben_1, ben_2
    close(&perf["lead_quality_score"], 0.596); // 2.98 / 5
    assert_eq!((perf["appointments_set"].as_u64(), perf["sold"].as_u64()), (Some(1), Some(1)));
    assert_eq!(perf["scope"], "company");

    // January only: amy_3 (February 3) drops out.
    let jan = get(format!("/api/v1/analytics/performance/{CO}?date_range=2027-01-01..2027-01-31")).await;
    assert_eq!(jan["total_calls"], 4);
    close(&jan["conversion_rate"], 0.5);
    close(&jan["average_call_duration"], 21.25); // 5100 s / 4 / 60
    let feb = get(format!("/api/v1/analytics/performance/{CO}?date_range=2027-02-03")).await;
    assert_eq!(feb["total_calls"], 1);

    let reps = get(format!("/api/v1/analytics/reps/{CO}")).await;
    let list = reps["reps"].as_array().unwrap();
    assert_eq!(reps["total"], 2);
    // Ben: 1 of 2 converted, 2 of 3 objections handled -> 0.75 * 0.5 + 0.25 * 2/3 = 0.542.
    assert_eq!(list[0]["rep_id"], "rep_ben");
    assert_eq!(list[0]["calls_handled"], 2);
    close(&list[0]["conversion_rate"], 0.5);
    close(&list[0]["objection_handling_rate"], 0.667);
    close(&list[0]["performance_score"], 0.542);
    // Amy: 1 of 3 converted, her one objection left open -> 0.75 * 1/3 + 0 = 0.25.
    assert_eq!(list[1]["rep_id"], "csr_amy");
    close(&list[1]["performance_score"], 0.25);
    let recs: Vec<&str> =
        list[1]["coaching_recommendations"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(recs[0].starts_with("Improve objection handling: 1 of 1") && recs[0].contains("price"), "{recs:?}");
    let by_calls = get(format!("/api/v1/analytics/reps/{CO}?sort=calls_handled&order=desc&limit=1")).await;
    assert_eq!((by_calls["reps"][0]["rep_id"].as_str(), by_calls["has_more"].as_bool()), (Some("csr_amy"), Some(true)));
    let strong = get(format!("/api/v1/analytics/reps/{CO}?min_performance_score=0.5")).await;
    assert_eq!(strong["total"], 1);
    assert_eq!(strong["reps"][0]["rep_id"], "rep_ben");

    let obj = get(format!("/api/v1/analytics/objections/{CO}")).await;
    assert_eq!(obj["objection_frequency"], json!({"price": 3, "timing": 1}));
    // Price: only ben_1 of its 3 calls converted; timing's one call did not.
    close(&obj["objection_impact"]["price"], 0.667);
    close(&obj["objection_impact"]["timing"], 1.0);
    assert_eq!(obj["top_objections"][0]["objection_type"], "price");
    close(&obj["top_objections"][0]["handled_rate"], 0.333);
    let by_impact = get(format!("/api/v1/analytics/objections/{CO}?sort=impact_score&order=desc")).await;
    assert_eq!(by_impact["top_objections"][0]["objection_type"], "timing");
    let frequent = get(format!("/api/v1/analytics/objections/{CO}?min_frequency=2")).await;
    assert_eq!((frequent["total"].as_u64(), frequent["objection_frequency"].clone()), (Some(1), json!({"price": 3})));

    let leads = get(format!("/api/v1/analytics/leads/{CO}")).await;
    assert_eq!(leads["lead_quality_distribution"], json!({"hot": 2, "warm": 1, "cold": 2}));
    assert_eq!(leads["lead_sources"], json!({"website": 2, "referral": 2, "unknown": 1}));
    close(&leads["average_lead_score"], 0.596);
    let order: Vec<&str> = leads["leads"].as_array().unwrap().iter().filter_map(|l| l["call_id"].as_str()).collect();
    assert_eq!(order, ["amy_1", "ben_1", "ben_2", "amy_2", "amy_3"], "by quality score, highest first");
    let hot_web = get(format!("/api/v1/analytics/leads/{CO}?quality_filter=hot&source_filter=WEBSITE")).await;
    assert_eq!(hot_web["total"], 2);
    let paged = get(format!("/api/v1/analytics/leads/{CO}?sort=created_at&order=asc&limit=2&offset=1")).await;
    let ids: Vec<&str> = paged["leads"].as_array().unwrap().iter().filter_map(|l| l["call_id"].as_str()).collect();
    assert_eq!((ids, paged["has_more"].as_bool()), (vec!["amy_2", "ben_1"], Some(true)));
}

#[tokio::test]
async fn test_a_csr_sees_only_their_own_analytics() {
    let app = seeded().await;
    let amy = token(CO, "csr_amy", "csr", 600);
    let perf = app.call("GET", &format!("/api/v1/analytics/performance/{CO}"), &amy, CO, None).await;
    assert_eq!(perf.status, StatusCode::OK, "{}", perf.body);
    assert_eq!((perf.body["scope"].as_str(), perf.body["total_calls"].as_u64()), (Some("own"), Some(3)));
    close(&perf.body["conversion_rate"], 0.333);
    close(&perf.body["objection_rate"], 0.333);
    let reps = app.call("GET", &format!("/api/v1/analytics/reps/{CO}"), &amy, CO, None).await;
    let ids: Vec<&str> = reps.body["reps"].as_array().unwrap().iter().filter_map(|r| r["rep_id"].as_str()).collect();
    assert_eq!(ids, ["csr_amy"]);
    let obj = app.call("GET", &format!("/api/v1/analytics/objections/{CO}"), &amy, CO, None).await;
    assert_eq!(obj.body["objection_frequency"], json!({"price": 1}));
    let leads = app.call("GET", &format!("/api/v1/analytics/leads/{CO}"), &amy, CO, None).await;
    assert_eq!(leads.body["total"], 3);
    assert!(leads.body["leads"].as_array().unwrap().iter().all(|l| l["rep_id"] == "csr_amy"));
    let ben = token(CO, "rep_ben", "sales_rep", 600);
    let perf = app.call("GET", &format!("/api/v1/analytics/performance/{CO}"), &ben, CO, None).await;
    assert_eq!(perf.body["total_calls"], 2);
}

#[tokio::test]
async fn test_analytics_reject_bad_input_and_other_companies() {
    let app = app().await;
    let mgr = token(CO, "mgr", "manager", 600);
    for path in ["performance", "reps", "objections", "leads"] {
        for bad in ["last-week", "2027-01-31..2027-01-01", "2027-13-01.."] {
            let r = app.call("GET", &format!("/api/v1/analytics/{path}/{CO}?date_range={bad}"), &mgr, CO, None).await;
            assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
            assert!(r.body["message"].as_str().unwrap().contains("date_range"), "{}", r.body);
        }
        let r = app.call("GET", &format!("/api/v1/analytics/{path}/other_co"), &mgr, CO, None).await;
        assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    let r = app.call("GET", &format!("/api/v1/analytics/reps/{CO}?min_performance_score=2"), &mgr, CO, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.call("GET", &format!("/api/v1/analytics/leads/{CO}?quality_filter=lukewarm"), &mgr, CO, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.call("GET", &format!("/api/v1/analytics/objections/{CO}?sort=loudness"), &mgr, CO, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // An empty company has zeros, not errors.
    let r = app.call("GET", &format!("/api/v1/analytics/performance/{CO}"), &mgr, CO, None).await;
    assert_eq!((r.body["total_calls"].as_u64(), r.body["lead_quality_score"].is_null()), (Some(0), true));
}

#[tokio::test]
async fn test_rehash_draft_names_the_customer_answers_the_open_objection_and_proposes_the_next_step() {
    let app = seeded().await;
    let ben = token(CO, "rep_ben", "sales_rep", 600);
    let r = app.call("POST", "/api/v1/ai/followup/rehash", &ben, CO, Some(json!({"call_id": "ben_2"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = &r.body;
    let content = d["content"].as_str().unwrap();
    assert!(content.starts_with("Subject: ") && content.contains("Hi Dana,"), "{content}");
    assert!(content.contains("price was more than you expected"), "answers the open price objection: {content}");
    assert!(content.contains("Eighteen thousand is way more than we were expecting to spend"), "in her words");
    assert!(content.contains("I'll email you a revised quote"), "proposes the agreed next step: {content}");
    assert_eq!(
        (d["followup_type"].as_str(), d["channel"].as_str(), d["status"].as_str()),
        (Some("rehash"), Some("email"), Some("draft"))
    );
    assert!(d["approach"].as_str().unwrap().contains("price"));
    assert_eq!(d["details"]["rehash_score"], 3);
    assert_eq!(d["details"]["customer_name"], "Dana Whitfield");
    // Rehash score 3: two days after the call (Wed Jan 20, 16:30 Chicago) -> Fri 16:30, inside hours.
    assert_eq!(d["suggested_send_time"], "2027-01-22T22:30:00Z");
    // A higher score given by the rep sends sooner: the next business morning.
    let r = app
        .call(
            "POST",
            "/api/v1/ai/followup/rehash",
            &ben,
            CO,
            Some(json!({"call_id": "ben_2", "rehash_score": 5, "channel": "sms"})),
        )
        .await;
    assert_eq!(r.body["suggested_send_time"], "2027-01-21T15:00:00Z", "{}", r.body);
    assert!(r.body["content"].as_str().unwrap().starts_with("Hi Dana,"));
    assert!(r.body["approach"].as_str().unwrap().starts_with("Priority"));

    // Nurture for Amy's booked call confirms the booking, on the CSR's own call.
    let amy = token(CO, "csr_amy", "csr", 600);
    let n = app
        .call(
            "POST",
            "/api/v1/ai/followup/nurture",
            &amy,
            CO,
            Some(json!({"call_id": "amy_1", "channel": "call_script"})),
        )
        .await;
    assert_eq!(n.status, StatusCode::OK, "{}", n.body);
    assert!(n.body["strategy"].as_str().unwrap().starts_with("Confirm the booking"), "{}", n.body);
    assert!(n.body["content"].as_str().unwrap().contains("Maria"), "{}", n.body);
    // ... but not on Ben's call.
    let r = app.call("POST", "/api/v1/ai/followup/draft", &amy, CO, Some(json!({"call_id": "ben_2"}))).await;
    assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn test_draft_lifecycle_and_listing() {
    let app = seeded().await;
    let ben = token(CO, "rep_ben", "sales_rep", 600);
    let mgr = token(CO, "mgr", "manager", 600);
    let mut ids = Vec::new();
    for (call, channel) in [("ben_2", "email"), ("ben_2", "sms"), ("ben_1", "email")] {
        let r = app
            .call("POST", "/api/v1/ai/followup/draft", &ben, CO, Some(json!({"call_id": call, "channel": channel})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        ids.push(r.body["draft_id"].as_str().unwrap().to_string());
    }
    // A manager's draft on Ben's call lands in Ben's drafts.
    let r = app
        .call(
            "POST",
            "/api/v1/ai/followup/draft",
            &mgr,
            CO,
            Some(json!({"call_id": "ben_1", "channel": "call_script"})),
        )
        .await;
    assert_eq!(r.body["rep_id"], "rep_ben");
    let path = |id: &str| format!("/api/v1/followup/drafts/{id}");
    let patch = |id: String, body: Value| {
        let (app, ben) = (&app, &ben);
        async move { app.call("PATCH", &format!("/api/v1/followup/drafts/{id}"), ben, CO, Some(body)).await }
    };

    let r = patch(ids[0].clone(), json!({"status": "sent"})).await;
    assert_error_body(&r, StatusCode::CONFLICT, "conflict");
    let r =
        patch(ids[0].clone(), json!({"content": "Subject: Quick update\n\nHi Dana, the revised quote is attached."}))
            .await;
    assert_eq!((r.status, r.body["subject"].as_str()), (StatusCode::OK, Some("Quick update")), "{}", r.body);
    assert_eq!(patch(ids[0].clone(), json!({"status": "ready"})).await.body["status"], "ready");
    assert_eq!(patch(ids[0].clone(), json!({"status": "sent"})).await.body["status"], "sent");
    for body in [json!({"status": "cancelled"}), json!({"status": "draft"}), json!({"content": "too late"})] {
        assert_error_body(&patch(ids[0].clone(), body).await, StatusCode::CONFLICT, "conflict");
    }
    assert_eq!(patch(ids[1].clone(), json!({"status": "cancelled"})).await.body["status"], "cancelled");
    assert_eq!(patch(ids[1].clone(), json!({})).await.status, StatusCode::BAD_REQUEST);
    let got = app.call("GET", &path(&ids[0]), &ben, CO, None).await;
    assert_eq!(got.body["status"], "sent");

    let list = |q: &str| {
        let (app, ben) = (&app, &ben);
        let q = q.to_string();
        async move {
            let r = app.call("GET", &format!("/api/v1/followup/rep_ben/drafts{q}"), ben, CO, None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body
        }
    };
    assert_eq!(list("").await["total"], 4);
    assert_eq!(list("?status=sent").await["drafts"][0]["draft_id"], ids[0].as_str());
    assert_eq!(list("?content_type=email").await["total"], 2);
    assert_eq!(list("?call_id=ben_1").await["total"], 2);
    let by_type = list("?sort=content_type&order=asc&limit=1").await;
    assert_eq!(
        (by_type["drafts"][0]["content_type"].as_str(), by_type["has_more"].as_bool()),
        (Some("call_script"), Some(true))
    );
    let r = app.call("GET", "/api/v1/followup/rep_ben/drafts?content_type=fax", &ben, CO, None).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn test_reps_only_see_their_own_drafts_and_tasks() {
    let app = seeded().await;
    let ben = token(CO, "rep_ben", "sales_rep", 600);
    let amy = token(CO, "csr_amy", "csr", 600);
    let mgr = token(CO, "mgr", "manager", 600);
    let d = app.call("POST", "/api/v1/ai/followup/rehash", &ben, CO, Some(json!({"call_id": "ben_2"}))).await;
    let id = d.body["draft_id"].as_str().unwrap();
    let r = app.call("GET", "/api/v1/followup/rep_ben/drafts", &amy, CO, None).await;
    assert_error_body(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = app.call("GET", &format!("/api/v1/followup/drafts/{id}"), &amy, CO, None).await;
    assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
    let r =
        app.call("PATCH", &format!("/api/v1/followup/drafts/{id}"), &amy, CO, Some(json!({"status": "ready"}))).await;
    assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.call("GET", "/api/v1/followup/rep_ben/drafts", &mgr, CO, None).await.body["total"], 1);
    let r = app.call("GET", "/api/v1/calls/ben_2/follow-up-tasks", &amy, CO, None).await;
    assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app
        .call("GET", &format!("/api/v1/followup/drafts/{id}"), &token("other", "mgr", "manager", 600), "other", None)
        .await;
    assert_error_body(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn test_follow_up_tasks_come_from_the_analysis_and_from_people() {
    let app = seeded().await;
    let ben = token(CO, "rep_ben", "sales_rep", 600);
    let tasks = app.call("GET", "/api/v1/calls/ben_2/follow-up-tasks", &ben, CO, None).await;
    assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.body);
    let derived = &tasks.body["tasks"][0];
    assert_eq!((derived["source"].as_str(), derived["task_type"].as_str()), (Some("analysis"), Some("email")));
    assert!(derived["description"].as_str().unwrap().contains("Dana Whitfield"));
    assert!(derived["description"].as_str().unwrap().contains("revised quote"));
    // Next business morning after the call ended (Wed 16:30 Chicago + 2 h -> Thu 09:00).
    assert_eq!(derived["due_date"], "2027-01-21T15:00:00Z");
    // Amy's booked visit gets a confirmation task the day before.
    let amy = token(CO, "csr_amy", "csr", 600);
    let t = app.call("GET", "/api/v1/calls/amy_1/follow-up-tasks", &amy, CO, None).await;
    let confirm = &t.body["tasks"][0];
    assert!(confirm["description"].as_str().unwrap().starts_with("Confirm the"), "{}", t.body);
    assert_eq!(confirm["priority"], "high");

    let body = json!({"task_type": "call", "description": "Follow up on the skylight question", "priority": "low", "due_date": "2027-01-25T14:00:00-06:00"});
    let r = app.call("POST", "/api/v1/calls/ben_2/follow-up-tasks", &ben, CO, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["source"].as_str()), (Some("pending"), Some("manual")));
    assert_eq!(r.body["due_date"], "2027-01-25T20:00:00Z");
    let all = app.call("GET", "/api/v1/calls/ben_2/follow-up-tasks", &ben, CO, None).await;
    assert_eq!(all.body["tasks"].as_array().unwrap().len(), 2);
    let bad = json!({"task_type": "call", "description": "   "});
    let r = app.call("POST", "/api/v1/calls/ben_2/follow-up-tasks", &ben, CO, Some(bad)).await;
    assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app
        .call(
            "POST",
            "/api/v1/calls/nope/follow-up-tasks",
            &ben,
            CO,
            Some(json!({"task_type": "sms", "description": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
