//! End to end: the `otto` binary, started as the README says, driven through otto-client.

use std::sync::Arc;
use std::time::Duration;

use otto_client::{CallListQuery, ClientError, SopStageQuery};
use otto_core::{CallStatus, CallUpdate, EventIngestion, NewCall, NewCrmEvent, NewSopStage, NewSopStages};
use otto_e2e::Server;
use serde_json::json;

/// A call record without audio, so no processing starts and its state stays as created.
fn new_call(id: &str) -> NewCall {
    NewCall {
        call_id: Some(id.into()),
        caller_phone: Some("+15551234567".into()),
        rep_id: Some("rep_1".into()),
        duration: Some(300),
        metadata: json!({"source": "callrail", "campaign": "summer_sale"}).as_object().cloned(),
        ..Default::default()
    }
}

#[tokio::test]
async fn test_readme_walkthrough_with_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let mgr = server.client(&server.token("acme", "mgr_1", "manager"), "acme");

    assert_eq!(mgr.health().await.unwrap().storage, "sqlite");
    assert_eq!(mgr.health().await.unwrap().retrieval, "lexical", "the default build has no embedder");
    let call = mgr.create_call(&new_call("call_12345")).await.unwrap();
    assert_eq!((call.status, call.rep_id.as_deref()), (CallStatus::Pending, Some("rep_1")));
    assert_eq!(mgr.get_call("call_12345").await.unwrap(), call);

    let upd = CallUpdate {
        status: Some(CallStatus::Processing),
        metadata: json!({"notes": "High priority lead"}).as_object().cloned(),
        ..Default::default()
    };
    let updated = mgr.update_call("call_12345", &upd).await.unwrap();
    assert_eq!(updated.metadata["campaign"], "summer_sale");
    assert_eq!(updated.metadata["notes"], "High priority lead");

    let dup = mgr.create_call(&new_call("call_12345")).await.unwrap_err();
    assert_eq!(dup.status(), Some(409));

    let page =
        mgr.list_calls(&CallListQuery { status: Some(CallStatus::Processing), ..Default::default() }).await.unwrap();
    assert_eq!(page.total, 1);

    let stages = NewSopStages {
        stages: vec![NewSopStage {
            stage_name: "Introduction".into(),
            stage_order: 1,
            stage_description: Some("Introduce yourself and company".into()),
            is_active: true,
        }],
    };
    let created = mgr.create_sop_stages(&stages).await.unwrap();
    let listed = mgr.list_sop_stages(&SopStageQuery::default()).await.unwrap();
    assert_eq!(listed.stages, created.stages);
    mgr.delete_sop_stage(&created.stages[0].stage_id).await.unwrap();

    let events = EventIngestion {
        company_id: None,
        events: vec![NewCrmEvent {
            event_id: "event_1".into(),
            entity_id: "entity_1".into(),
            event_type: "call".into(),
            timestamp: chrono::Utc::now(),
            data: Default::default(),
        }],
    };
    assert_eq!(mgr.ingest_events(&events).await.unwrap().events_created, 1);
    assert_eq!(mgr.ingest_events(&events).await.unwrap().events_duplicate, 1);

    // Another tenant sees nothing, and gets 404 rather than a hint that the call exists.
    let other = server.client(&server.token("globex", "mgr_9", "manager"), "globex");
    let err = other.get_call("call_12345").await.unwrap_err();
    assert!(matches!(&err, ClientError::Api { status: 404, body } if body.error == "not_found"), "{err}");
    // A token used with the wrong company header is refused.
    let wrong = server.client(&server.token("globex", "mgr_9", "manager"), "acme");
    assert_eq!(wrong.get_call("call_12345").await.unwrap_err().status(), Some(403));
}

#[tokio::test]
async fn test_client_retries_rate_limited_requests() {
    let dir = tempfile::tempdir().unwrap();
    // 120/min: a burst of 120, then one every half second, so `retry_after` is 1 s.
    let server = Server::start(dir.path(), &[("OTTO_RATE_LIMITS__CALLS", "120")]);
    let token = server.token("acme", "mgr_1", "manager");
    let patient = server.client(&token, "acme");
    let impatient = otto_client::OttoClient::builder(&server.base_url, &token, "acme").max_retries(0).build().unwrap();
    let mut limited = None;
    for _ in 0..130 {
        if let Err(e) = impatient.list_calls(&CallListQuery::default()).await {
            limited = Some(e);
            break;
        }
    }
    let limited = limited.expect("the limit is enforced");
    assert_eq!(limited.status(), Some(429));
    assert!(limited.body().unwrap().retry_after.is_some());
    patient.list_calls(&CallListQuery::default()).await.expect("the client waits retry_after and succeeds");
}

#[tokio::test]
async fn test_kill_mid_write_leaves_no_half_written_call() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("OTTO_RATE_LIMITS__CALLS", "0")]);
    let token = server.token("acme", "mgr_1", "manager");
    let client = Arc::new(server.client(&token, "acme"));
    let writers: Vec<_> = (0..300)
        .map(|i| {
            let c = Arc::clone(&client);
            tokio::spawn(async move { c.create_call(&new_call(&format!("crash_{i}"))).await.is_ok() })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.kill();
    let acknowledged: Vec<bool> = futures::future::join_all(writers).await.into_iter().map(Result::unwrap).collect();

    let server = Server::start(dir.path(), &[("OTTO_RATE_LIMITS__CALLS", "0")]);
    let client = server.client(&token, "acme");
    let mut stored = 0;
    for (i, acked) in acknowledged.iter().enumerate() {
        match client.get_call(&format!("crash_{i}")).await {
            Ok(call) => {
                stored += 1;
                // Every stored call is whole: all fields as sent.
                assert_eq!(call.caller_phone.as_deref(), Some("+15551234567"));
                assert_eq!(call.duration, Some(300));
                assert_eq!(call.metadata["campaign"], "summer_sale");
            }
            Err(e) => {
                assert_eq!(e.status(), Some(404), "{e}");
                assert!(!acked, "crash_{i} was acknowledged (201) but is lost");
            }
        }
    }
    let listed = client.list_calls(&CallListQuery { limit: Some(1), ..Default::default() }).await.unwrap();
    assert_eq!(listed.total, stored, "the listing agrees with the calls that exist");
    eprintln!("{stored} of 300 calls were written before the kill; none half-written, none acknowledged and lost");
}

#[tokio::test]
async fn test_postgres_is_configuration_only() {
    let Ok(url) = std::env::var("OTTO_TEST_DATABASE_URL") else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI must run the PostgreSQL path");
        eprintln!("skipping: OTTO_TEST_DATABASE_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("OTTO_DATABASE_URL", &url)]);
    let client = server.client(&server.token("pg_co", "mgr_1", "manager"), "pg_co");
    assert_eq!(client.health().await.unwrap().storage, "postgres");
    let id = format!("pg_{}", std::process::id());
    client.create_call(&new_call(&id)).await.unwrap();
    assert_eq!(client.get_call(&id).await.unwrap().call_id, id);
}
