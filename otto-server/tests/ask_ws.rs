//! Ask Otto over a real WebSocket: streaming, citations, permissions, sessions, protocol.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use otto_client::{AskSession, ClientError, OttoClient};
use otto_core::api::ws::ServerMessage;
use otto_server::auth::{sign_hs256, Claims};
use otto_server::Config;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const SECRET: &str = "ws-test-secret-0123456789";

fn token(company: &str, user: &str, role: &str) -> String {
    let now = chrono::Utc::now().timestamp() as u64;
    let claims = Claims {
        sub: Some(user.into()),
        user_id: None,
        company_id: company.into(),
        role: role.into(),
        permissions: None,
        exp: now + 600,
        iat: now,
    };
    sign_hs256(SECRET.as_bytes(), &claims).unwrap()
}

struct Server {
    base: String,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::watch::Sender<bool>,
}

async fn server(idle: Option<Duration>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_path_buf(), jwt_secret: Some(SECRET.into()), ..Config::default() };
    let (mut state, _) = otto_server::build_state(&config).await.unwrap();
    if let Some(idle) = idle {
        state.ws_timings.idle = idle;
        state.ws_timings.warn_before = idle / 2;
    }
    let (stop, rx) = tokio::sync::watch::channel(false);
    for _ in 0..2 {
        let cfg = otto_core::jobs::WorkerConfig { poll_interval: Duration::from_millis(20), ..Default::default() };
        tokio::spawn(otto_core::pipeline::worker(&state.otto, cfg).run(rx.clone()));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(otto_server::serve(state, listener, std::future::pending()));
    Server { base, _dir: dir, _stop: stop }
}

fn call(id: &str, rep: &str, customer: &str, turns: &[(&str, &str)]) -> Value {
    json!({
        "call_id": id, "rep_id": rep, "call_type": "sales_appointment", "started_at": "2026-04-07T15:00:00-05:00",
        "metadata": {"customer_name": customer, "rep_name": rep},
        "segments": turns.iter().map(|(s, t)| json!({"speaker": s, "text": t})).collect::<Vec<_>>()
    })
}

async fn seed(s: &Server) {
    let mgr = OttoClient::builder(&s.base, token("co", "mgr", "manager"), "co").build().unwrap();
    for body in [
        call(
            "gutter_1",
            "rep_a",
            "Nora Blake",
            &[
                ("rep", "Hi Nora, I'm Ali with Peak Gutters. What's going on with the gutters?"),
                ("customer", "They overflow every storm and the fascia board is rotting near the garage."),
                ("rep", "Seamless aluminum with leaf guards would run about four thousand two hundred dollars."),
                ("customer", "That's more than we planned to spend, honestly."),
                ("rep", "We have a twelve month same-as-cash plan, about three fifty a month."),
                ("customer", "Okay, that could work. Let's do it."),
            ],
        ),
        call(
            "furnace_1",
            "rep_b",
            "Owen Price",
            &[
                ("rep", "Thanks for having me, Owen. Tell me about the furnace."),
                ("customer", "It's twenty years old and it short cycles all night."),
                ("rep", "A new ninety-six percent furnace would be seven thousand eight hundred installed."),
                ("customer", "I got a quote from Comfort Pros for six thousand, so you're high."),
            ],
        ),
    ] {
        post_call(s, &body).await;
    }
    for id in ["gutter_1", "furnace_1"] {
        wait_analysed(&mgr, id).await;
    }
}

/// Submits a call as the manager (201 expected).
async fn post_call(s: &Server, body: &Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/calls", s.base))
        .bearer_auth(token("co", "mgr", "manager"))
        .header("x-company-id", "co")
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// Waits (up to 5 s) until the call's analysis has completed.
async fn wait_analysed(client: &OttoClient, id: &str) {
    for _ in 0..200 {
        if client.call_status(id).await.unwrap().status == otto_core::CallStatus::Completed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn complete(a: &otto_client::StreamedAnswer) -> (String, Vec<String>) {
    match &a.complete {
        ServerMessage::ResponseComplete { answer, citations, .. } => {
            (answer.clone(), citations.iter().map(|c| c.source_id.clone()).collect())
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn test_manager_question_streams_chunks_and_cites_the_right_call() {
    let s = server(None).await;
    seed(&s).await;
    let mut session = AskSession::connect(&s.base, &token("co", "mgr", "manager"), "co", None).await.unwrap();
    let mut streamed = Vec::new();
    let a = session
        .ask("What did Nora Blake say about the price of the gutters?", None, None, |c| streamed.push(c.to_string()))
        .await
        .unwrap();
    assert!(!streamed.is_empty() && streamed == a.chunks, "chunks arrive before the completion");
    let (answer, sources) = complete(&a);
    assert_eq!(streamed.concat(), answer, "the pieces concatenate to the answer");
    assert_eq!(sources[0], "gutter_1", "{answer}");
    assert!(answer.contains("4200"), "{answer}");
    // A follow-up keeps the context of the previous question.
    let f = session.ask("How is she paying for it?", Some(""), None, |_| {}).await.unwrap();
    let (answer, sources) = complete(&f);
    assert_eq!(sources[0], "gutter_1", "{answer}");
    assert!(answer.to_lowercase().contains("month"), "{answer}");
    session.close().await.unwrap();
}

#[tokio::test]
async fn test_lost_deals_name_the_competitor_and_the_prices() {
    let s = server(None).await;
    let mgr = OttoClient::builder(&s.base, token("co", "mgr", "manager"), "co").build().unwrap();
    let body = call(
        "heater_1",
        "rep_c",
        "Dale Ruiz",
        &[
            ("rep", "Clearline Plumbing, this is Andre."),
            ("customer", "Hi, how much do you charge to replace a forty gallon water heater?"),
            ("rep", "Usually about nineteen hundred dollars, installed."),
            ("customer", "Hmm. Blue Tap Plumbing told me fourteen fifty for the same heater."),
            ("rep", "I can't match that over the phone. That's what we charge."),
            ("customer", "Then I think I'll go with the other guys. Thanks anyway."),
        ],
    );
    post_call(&s, &body).await;
    wait_analysed(&mgr, "heater_1").await;
    let mut session = AskSession::connect(&s.base, &token("co", "mgr", "manager"), "co", None).await.unwrap();
    let a = session.ask("Which leads did we lose to a competitor?", None, None, |_| {}).await.unwrap();
    let (answer, sources) = complete(&a);
    assert_eq!(sources, ["heater_1"], "{answer}");
    // Who it went to, their price and ours, as digits (the words were spoken).
    for want in ["went with Blue Tap Plumbing", "1450", "1900"] {
        assert!(answer.contains(want), "{want} missing: {answer}");
    }
    assert!(!answer.contains("went with Clearline"), "our own company is not the competitor: {answer}");
}

#[tokio::test]
async fn test_rep_cannot_see_another_reps_calls_or_session() {
    let s = server(None).await;
    seed(&s).await;
    let mut rep_a = AskSession::connect(&s.base, &token("co", "rep_a", "sales_rep"), "co", None).await.unwrap();
    for question in [
        "What did Owen Price say about the Comfort Pros quote?",
        "furnace short cycles Comfort Pros",
        "Which leads did we lose to a competitor?",
    ] {
        let a = rep_a.ask(question, None, None, |_| {}).await.unwrap();
        let (answer, sources) = complete(&a);
        assert!(!sources.contains(&"furnace_1".to_string()), "{question}: {sources:?}");
        assert!(!answer.contains("Owen"), "{question}: {answer}");
    }
    let session_id = rep_a.session_id().to_string();
    // Another user (and another tenant) can't take the session over.
    let err =
        AskSession::connect(&s.base, &token("co", "rep_b", "sales_rep"), "co", Some(&session_id)).await.unwrap_err();
    assert!(matches!(&err, ClientError::Ask { code, .. } if code == "not_found"), "{err}");
    let err = AskSession::connect(&s.base, &token("other", "rep_a", "sales_rep"), "other", Some(&session_id)).await;
    match err {
        Ok(session) => assert_ne!(session.session_id(), "", "a new session in the other tenant, not the original"),
        Err(e) => panic!("{e}"),
    }
    // A manager sees both calls.
    let mut mgr = AskSession::connect(&s.base, &token("co", "mgr", "manager"), "co", None).await.unwrap();
    let (_, sources) =
        complete(&mgr.ask("What did Owen Price say about the Comfort Pros quote?", None, None, |_| {}).await.unwrap());
    assert_eq!(sources[0], "furnace_1");
}

#[tokio::test]
async fn test_browser_auth_by_query_string_or_connect_message() {
    let s = server(None).await;
    let ws = s.base.replacen("http", "ws", 1);
    let tok = token("co", "mgr", "manager");
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("{ws}/api/v1/rag/query?token={tok}&company_id=co")).await.unwrap();
    let first: Value = serde_json::from_str(socket.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(first["type"], "connected");

    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{ws}/api/v1/rag/query")).await.unwrap();
    let connect = json!({"type": "connect", "token": tok, "company_id": "co", "session_id": "my_session_1"});
    socket.send(Message::Text(connect.to_string().into())).await.unwrap();
    let reply: Value = serde_json::from_str(socket.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!((reply["type"].as_str(), reply["session_id"].as_str()), (Some("connected"), Some("my_session_1")));
    socket.send(Message::Text("{not json".into())).await.unwrap();
    let reply: Value = serde_json::from_str(socket.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!((reply["type"].as_str(), reply["error"].as_str()), (Some("error"), Some("invalid_message")));
    socket.send(Message::Text(json!({"type": "ping"}).to_string().into())).await.unwrap();
    let reply: Value = serde_json::from_str(socket.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(reply["type"], "pong");

    // A forged token on the upgrade is an ordinary 401 with the error body.
    let bad = tokio_tungstenite::connect_async(format!("{ws}/api/v1/rag/query?token=forged&company_id=co"))
        .await
        .unwrap_err();
    match bad {
        tokio_tungstenite::tungstenite::Error::Http(resp) => assert_eq!(resp.status(), 401),
        other => panic!("{other}"),
    }
    // Without credentials, a query is refused.
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{ws}/api/v1/rag/query")).await.unwrap();
    socket.send(Message::Text(json!({"type": "query", "message": "hi"}).to_string().into())).await.unwrap();
    let reply: Value = serde_json::from_str(socket.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(reply["error"], "unauthorized");
}

#[tokio::test]
async fn test_idle_session_is_warned_then_closed() {
    let s = server(Some(Duration::from_millis(600))).await;
    let mut session = AskSession::connect(&s.base, &token("co", "mgr", "manager"), "co", None).await.unwrap();
    match session.next().await.unwrap() {
        ServerMessage::Timeout { message, .. } => assert!(message.contains("expire")),
        other => panic!("{other:?}"),
    }
    match session.next().await.unwrap() {
        ServerMessage::Error { error, .. } => assert_eq!(error, "session_expired"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn test_queries_are_kept_in_the_history() {
    let s = server(None).await;
    seed(&s).await;
    let tok = token("co", "rep_a", "sales_rep");
    let mut session = AskSession::connect(&s.base, &tok, "co", None).await.unwrap();
    session.ask("What did Nora Blake say about the price?", None, None, |_| {}).await.unwrap();
    session.ask("Which leads did we lose?", None, None, |_| {}).await.unwrap();
    let client = OttoClient::builder(&s.base, &tok, "co").build().unwrap();
    let history = client.rag_queries(&[("search", "nora")]).await.unwrap();
    assert_eq!(history.total, 1);
    assert!(history.queries[0].response_text.contains("4200"));
    let mine = client.rag_queries(&[]).await.unwrap();
    assert_eq!(mine.total, 2);
    let other_rep = OttoClient::builder(&s.base, token("co", "rep_b", "sales_rep"), "co").build().unwrap();
    assert_eq!(other_rep.rag_queries(&[]).await.unwrap().total, 0, "reps see their own history");
    let mgr = OttoClient::builder(&s.base, token("co", "mgr", "manager"), "co").build().unwrap();
    assert_eq!(
        mgr.rag_queries(&[("sort", "query_text"), ("order", "asc")]).await.unwrap().queries[0].query_text,
        "What did Nora Blake say about the price?"
    );
}
