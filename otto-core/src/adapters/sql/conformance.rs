//! The storage port's conformance suite. Every adapter runs the same checks through
//! [`store_conformance_tests!`]: SQLite always, PostgreSQL against `OTTO_TEST_DATABASE_URL`.
//! Each check works in its own fresh company (and job kinds), so the suite can share one
//! database across tests and runs.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use crate::domain::*;
use crate::error::ErrorKind;
use crate::ports::Store;

fn company() -> CompanyId {
    CompanyId::parse(new_id("co")).unwrap()
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_736_937_000 + secs, 0).unwrap()
}

fn call(company: &CompanyId, id: &str, rep: Option<&str>, at: DateTime<Utc>) -> Call {
    Call {
        call_id: id.into(),
        company_id: company.clone(),
        rep_id: rep.map(Into::into),
        status: CallStatus::Pending,
        processing_status: CallStatus::Pending,
        audio_url: Some("https://example.com/a.wav".into()),
        caller_phone: Some("+15551234567".into()),
        rep_phone: None,
        duration: Some(300),
        callrail_id: None,
        call_type: Some(CallType::CsrInbound),
        started_at: Some(at),
        timezone: Some("America/Chicago".into()),
        rep_channel: Some(1),
        audio_file_path: None,
        transcript_file_path: None,
        speaker_diarization_file_path: None,
        failure_reason: None,
        language: Some("en-US".into()),
        utc_offset_minutes: Some(-300),
        processing_stages: [("analysis".to_string(), StageState::Pending)].into_iter().collect(),
        progress: 0,
        metadata: json!({"source": "callrail", "tags": ["a", "b"]}).as_object().unwrap().clone(),
        created_at: at,
        updated_at: at,
    }
}

pub(crate) async fn call_roundtrip_and_tenant_isolation(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    let c = call(&a, "call_1", Some("rep_1"), t(0));
    store.insert_call(&c, &[]).await.unwrap();
    assert_eq!(store.get_call(&a, "call_1").await.unwrap().unwrap(), c);
    assert!(store.get_call(&b, "call_1").await.unwrap().is_none(), "another tenant must not see the call");
    // The same id in another company is a different call.
    store.insert_call(&call(&b, "call_1", None, t(0)), &[]).await.unwrap();
    let dup = store.insert_call(&c, &[]).await.unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Conflict);

    let mut changed = c.clone();
    changed.status = CallStatus::Processing;
    changed.metadata.insert("notes".into(), json!("hot lead"));
    changed.processing_stages.insert("analysis".into(), StageState::Completed);
    changed.progress = 100;
    changed.updated_at = t(5);
    store.update_call(&changed).await.unwrap();
    assert_eq!(store.get_call(&a, "call_1").await.unwrap().unwrap(), changed);
    assert_eq!(store.get_call(&b, "call_1").await.unwrap().unwrap().status, CallStatus::Pending);

    let mut ghost = c.clone();
    ghost.call_id = "nope".into();
    assert_eq!(store.update_call(&ghost).await.unwrap_err().kind(), ErrorKind::NotFound);
}

pub(crate) async fn call_insert_is_atomic_with_its_jobs(store: Arc<dyn Store>) {
    let a = company();
    let dedupe = new_id("dedupe");
    let job = NewJob::new("test.process", json!({"call": "c1"}), t(0)).company(a.clone()).dedupe_key(dedupe.clone());
    store.insert_call(&call(&a, "c1", None, t(0)), &[job]).await.unwrap();
    assert!(store.find_job_by_dedupe_key(&dedupe).await.unwrap().is_some());
    // A failing insert (duplicate call) must not leave its job behind.
    let other = new_id("dedupe");
    let job2 = NewJob::new("test.process", json!({}), t(0)).dedupe_key(other.clone());
    assert!(store.insert_call(&call(&a, "c1", None, t(0)), &[job2]).await.is_err());
    assert!(store.find_job_by_dedupe_key(&other).await.unwrap().is_none(), "rolled back insert left a job");
}

pub(crate) async fn call_listing_filters_sorts_and_pages(store: Arc<dyn Store>) {
    let a = company();
    for i in 0..7 {
        let rep = if i % 2 == 0 { "rep_even" } else { "rep_odd" };
        let mut c = call(&a, &format!("call_{i}"), Some(rep), t(i * 60));
        c.callrail_id = Some(format!("cr_{i}"));
        if i == 3 {
            c.status = CallStatus::Completed;
        }
        store.insert_call(&c, &[]).await.unwrap();
    }
    store.insert_call(&call(&company(), "call_x", Some("rep_even"), t(0)), &[]).await.unwrap();

    let all = CallFilter { order: SortOrder::Desc, ..Default::default() };
    let page = store.list_calls(&a, &all).await.unwrap();
    assert_eq!(page.total, 7);
    assert_eq!(page.items.first().unwrap().call_id, "call_6", "newest first");

    let evens = CallFilter { rep_id: Some("rep_even".into()), ..Default::default() };
    let page = store.list_calls(&a, &evens).await.unwrap();
    assert_eq!(page.total, 4);
    assert!(page.items.iter().all(|c| c.rep_id.as_deref() == Some("rep_even")));

    let done = CallFilter { status: Some(CallStatus::Completed), ..Default::default() };
    assert_eq!(store.list_calls(&a, &done).await.unwrap().items[0].call_id, "call_3");

    let window = CallFilter { created_after: Some(t(60)), created_before: Some(t(180)), ..Default::default() };
    let ids: Vec<_> = store.list_calls(&a, &window).await.unwrap().items.into_iter().map(|c| c.call_id).collect();
    assert_eq!(ids, ["call_1", "call_2"]);

    let mut seen = Vec::new();
    for offset in [0, 3, 6] {
        let f = CallFilter { page: PageRequest { limit: 3, offset }, ..Default::default() };
        let p = store.list_calls(&a, &f).await.unwrap();
        assert_eq!(p.has_more(), offset < 6);
        seen.extend(p.items.into_iter().map(|c| c.call_id));
    }
    assert_eq!(seen, (0..7).map(|i| format!("call_{i}")).collect::<Vec<_>>(), "pages neither overlap nor skip");

    let by_cr = store.find_call_by_callrail_id(&a, "cr_4").await.unwrap().unwrap();
    assert_eq!(by_cr.call_id, "call_4");
    let mut clash = call(&a, "call_new", None, t(0));
    clash.callrail_id = Some("cr_4".into());
    assert_eq!(store.insert_call(&clash, &[]).await.unwrap_err().kind(), ErrorKind::Conflict);
}

pub(crate) async fn crm_entities_upsert_latest_wins(store: Arc<dyn Store>) {
    let a = company();
    let e = |ts, name: &str| NewCrmEntity {
        entity_id: "ent_1".into(),
        entity_type: "customer".into(),
        attributes: json!({"name": name}).as_object().unwrap().clone(),
        timestamp: t(ts),
    };
    let r = store.upsert_entities(&a, &[e(10, "John")], t(100)).await.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (1, 0, 0));
    let r = store.upsert_entities(&a, &[e(10, "John")], t(101)).await.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 1), "replay is a no-op");
    let r = store.upsert_entities(&a, &[e(5, "Old John")], t(102)).await.unwrap();
    assert_eq!(r.unchanged, 1, "an older version never wins");
    let r = store.upsert_entities(&a, &[e(20, "John Smith")], t(103)).await.unwrap();
    assert_eq!(r.updated, 1);
    let stored = store.get_entity(&a, "ent_1").await.unwrap().unwrap();
    assert_eq!(stored.attributes["name"], "John Smith");
    assert_eq!(stored.created_at, t(100));
    assert_eq!(stored.updated_at, t(103));
    assert!(store.get_entity(&company(), "ent_1").await.unwrap().is_none());
}

pub(crate) async fn crm_events_are_stored_once(store: Arc<dyn Store>) {
    let a = company();
    let ev = |id: &str, ts| NewCrmEvent {
        event_id: id.into(),
        entity_id: "ent_1".into(),
        event_type: "call".into(),
        timestamp: t(ts),
        data: json!({"outcome": "qualified"}).as_object().unwrap().clone(),
    };
    assert_eq!(store.insert_events(&a, &[ev("e1", 1), ev("e2", 2)], t(10)).await.unwrap(), 2);
    assert_eq!(store.insert_events(&a, &[ev("e1", 1), ev("e3", 3)], t(11)).await.unwrap(), 1);
    let events = store.list_entity_events(&a, "ent_1", 10).await.unwrap();
    let ids: Vec<_> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e3", "e2", "e1"]);
    assert!(store.list_entity_events(&company(), "ent_1", 10).await.unwrap().is_empty());
}

pub(crate) async fn sop_stages_crud(store: Arc<dyn Store>) {
    let a = company();
    let sop = store.ensure_sop(&a, t(0)).await.unwrap();
    assert_eq!(store.ensure_sop(&a, t(1)).await.unwrap(), sop, "one SOP per company");
    let stage = |id: &str, name: &str, order, active| SopStage {
        stage_id: id.into(),
        sop_id: sop.clone(),
        company_id: a.clone(),
        stage_name: name.into(),
        stage_order: order,
        stage_description: Some(format!("Do the {name}")),
        is_active: active,
        created_at: t(order.into()),
        updated_at: t(order.into()),
    };
    store
        .insert_sop_stages(&[
            stage("s2", "Needs Assessment", 2, true),
            stage("s1", "Introduction", 1, true),
            stage("s3", "close", 3, false),
        ])
        .await
        .unwrap();
    let dup = store.insert_sop_stages(&[stage("s4", "INTRODUCTION", 4, true)]).await.unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Conflict, "names are unique case-insensitively");

    let page = store.list_sop_stages(&a, &SopStageFilter::default()).await.unwrap();
    assert_eq!(page.items.iter().map(|s| s.stage_id.as_str()).collect::<Vec<_>>(), ["s1", "s2", "s3"]);
    let active = SopStageFilter { is_active: Some(true), order: SortOrder::Desc, ..Default::default() };
    let page = store.list_sop_stages(&a, &active).await.unwrap();
    assert_eq!((page.total, page.items[0].stage_id.as_str()), (2, "s2"));
    let by_name = SopStageFilter { sort: SopStageSort::StageName, ..Default::default() };
    let names: Vec<_> =
        store.list_sop_stages(&a, &by_name).await.unwrap().items.into_iter().map(|s| s.stage_name).collect();
    assert_eq!(names, ["close", "Introduction", "Needs Assessment"]);

    let mut s1 = store.get_sop_stage(&a, "s1").await.unwrap().unwrap();
    s1.stage_description = Some("Introduce yourself, company, and purpose".into());
    s1.updated_at = t(50);
    store.update_sop_stage(&s1).await.unwrap();
    assert_eq!(store.get_sop_stage(&a, "s1").await.unwrap().unwrap(), s1);
    s1.stage_name = "Needs assessment".into();
    assert_eq!(store.update_sop_stage(&s1).await.unwrap_err().kind(), ErrorKind::Conflict);

    let other = company();
    assert!(store.get_sop_stage(&other, "s1").await.unwrap().is_none());
    assert!(!store.delete_sop_stage(&other, "s1").await.unwrap(), "no cross-tenant delete");
    assert!(store.delete_sop_stage(&a, "s1").await.unwrap());
    assert!(!store.delete_sop_stage(&a, "s1").await.unwrap());
}

fn lease(kind: &str, worker: &str, now: DateTime<Utc>) -> LeaseRequest {
    LeaseRequest { worker_id: worker.into(), kinds: vec![kind.into()], lease_for: Duration::from_secs(30), now }
}

pub(crate) async fn jobs_lease_complete_and_dedupe(store: Arc<dyn Store>) {
    let kind = new_id("kind");
    let key = new_id("key");
    let (id, created) = store.enqueue(&NewJob::new(&kind, json!({"n": 1}), t(0)).dedupe_key(&key)).await.unwrap();
    assert!(created);
    let (again, created) = store.enqueue(&NewJob::new(&kind, json!({"n": 2}), t(0)).dedupe_key(&key)).await.unwrap();
    assert_eq!((again.as_str(), created), (id.as_str(), false), "dedupe key creates one job");
    let mut later = NewJob::new(&kind, json!({"n": 3}), t(0));
    later.run_at = t(100);
    store.enqueue(&later).await.unwrap();

    let job = store.lease(&lease(&kind, "w1", t(1))).await.unwrap().unwrap();
    assert_eq!((job.job_id.as_str(), job.attempts, job.status), (id.as_str(), 1, JobStatus::Running));
    assert!(
        store.lease(&lease(&kind, "w2", t(2))).await.unwrap().is_none(),
        "leased and not-yet-due jobs are not handed out"
    );
    assert!(store.heartbeat(&id, "w1", Duration::from_secs(30), 40, t(3)).await.unwrap());
    assert_eq!(store.get_job(&id).await.unwrap().unwrap().progress, 40);
    assert!(!store.complete(&id, "w2", t(4)).await.unwrap(), "only the lease holder completes");
    assert!(store.complete(&id, "w1", t(4)).await.unwrap());
    assert_eq!(store.get_job(&id).await.unwrap().unwrap().status, JobStatus::Succeeded);
    assert!(store.lease(&lease(&kind, "w1", t(101))).await.unwrap().is_some(), "due job runs later");
}

pub(crate) async fn jobs_expired_lease_is_taken_over_then_dead_lettered(store: Arc<dyn Store>) {
    let kind = new_id("kind");
    let (id, _) = store.enqueue(&NewJob::new(&kind, json!({}), t(0)).max_attempts(2)).await.unwrap();
    let first = store.lease(&lease(&kind, "crashed", t(0))).await.unwrap().unwrap();
    assert_eq!(first.attempts, 1);
    // The worker dies: no heartbeat. After the lease ends another worker takes over.
    let second = store.lease(&lease(&kind, "w2", t(31))).await.unwrap().unwrap();
    assert_eq!((second.job_id.as_str(), second.attempts), (id.as_str(), 2));
    assert!(!store.complete(&id, "crashed", t(32)).await.unwrap(), "the crashed worker lost its lease");
    // w2 dies too; the budget is spent so the job is dead-lettered instead of leased again.
    assert!(store.lease(&lease(&kind, "w3", t(70))).await.unwrap().is_none());
    let dead = store.get_job(&id).await.unwrap().unwrap();
    assert_eq!(dead.status, JobStatus::Dead);
    assert!(dead.last_error.is_some());
}

pub(crate) async fn jobs_fail_retries_with_backoff_then_dead_letters(store: Arc<dyn Store>) {
    let kind = new_id("kind");
    let (id, _) = store.enqueue(&NewJob::new(&kind, json!({}), t(0)).max_attempts(2)).await.unwrap();
    store.lease(&lease(&kind, "w", t(0))).await.unwrap().unwrap();
    let s = store.fail(&id, "w", "boom 1", Some(t(10)), t(1)).await.unwrap();
    assert_eq!(s, Some(JobStatus::Queued));
    assert!(store.lease(&lease(&kind, "w", t(5))).await.unwrap().is_none(), "not before the backoff");
    let job = store.lease(&lease(&kind, "w", t(10))).await.unwrap().unwrap();
    assert_eq!(job.last_error.as_deref(), Some("boom 1"));
    let s = store.fail(&id, "w", "boom 2", Some(t(20)), t(11)).await.unwrap();
    assert_eq!(s, Some(JobStatus::Dead), "attempt budget spent");
    assert_eq!(store.get_job(&id).await.unwrap().unwrap().last_error.as_deref(), Some("boom 2"));
    assert_eq!(store.fail(&id, "w", "late", None, t(12)).await.unwrap(), None, "no lease, no change");

    let (perm, _) = store.enqueue(&NewJob::new(&kind, json!({}), t(0))).await.unwrap();
    store.lease(&lease(&kind, "w", t(30))).await.unwrap().unwrap();
    assert_eq!(store.fail(&perm, "w", "bad input", None, t(31)).await.unwrap(), Some(JobStatus::Dead));
}

pub(crate) async fn jobs_concurrent_workers_never_share_a_job(store: Arc<dyn Store>) {
    let kind = new_id("kind");
    for i in 0..20 {
        store.enqueue(&NewJob::new(&kind, json!({ "i": i }), t(0))).await.unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store = Arc::clone(&store);
        let kind = kind.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(job) = store.lease(&lease(&kind, &format!("w{w}"), t(1))).await.unwrap() {
                got.push(job.job_id);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!((n, all.len()), (20, 20), "every job leased exactly once");
}

pub(crate) async fn audit_trail_is_per_company_and_newest_first(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    for (i, action) in ["call.create", "call.update", "sop_stage.delete"].iter().enumerate() {
        let e = AuditEvent {
            event_id: format!("ev{i}"),
            company_id: a.clone(),
            actor_id: if i == 2 { "mgr".into() } else { "rep".into() },
            actor_role: "manager".into(),
            action: (*action).into(),
            resource_type: if i == 2 { "sop_stage".into() } else { "call".into() },
            resource_id: "x".into(),
            details: json!({"i": i}),
            created_at: t(i as i64),
        };
        store.record_audit(&e).await.unwrap();
    }
    let page = store.list_audit(&a, &AuditFilter::default()).await.unwrap();
    assert_eq!(
        page.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["sop_stage.delete", "call.update", "call.create"]
    );
    let calls = AuditFilter { resource_type: Some("call".into()), ..Default::default() };
    assert_eq!(store.list_audit(&a, &calls).await.unwrap().total, 2);
    let rep = AuditFilter { actor_id: Some("rep".into()), ..Default::default() };
    assert_eq!(store.list_audit(&a, &rep).await.unwrap().total, 2);
    assert_eq!(store.list_audit(&b, &AuditFilter::default()).await.unwrap().total, 0);
}

fn chunk(company: &CompanyId, source: SourceType, id: &str, pos: u32, rep: Option<&str>, text: &str) -> Chunk {
    Chunk {
        chunk_id: Chunk::id_for(id, pos, text),
        company_id: company.clone(),
        source_type: source,
        source_id: id.into(),
        rep_id: rep.map(Into::into),
        title: format!("{} {id}", source.as_str()),
        position: pos,
        text: text.into(),
        segment_start: Some(pos),
        segment_end: Some(pos + 3),
        start_time: Some(1.5),
        page: None,
        metadata: json!({"customer_name": "Karen"}).as_object().unwrap().clone(),
        occurred_at: Some(t(i64::from(pos))),
        created_at: t(0),
    }
}

pub(crate) async fn knowledge_exclusions_are_per_tenant_and_idempotent(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    assert!(!store.is_excluded(&a, SourceType::Call, "c1").await.unwrap());
    store.exclude_source(&a, SourceType::Call, "c1", t(0)).await.unwrap();
    store.exclude_source(&a, SourceType::Call, "c1", t(5)).await.unwrap();
    assert!(store.is_excluded(&a, SourceType::Call, "c1").await.unwrap());
    assert!(!store.is_excluded(&a, SourceType::Document, "c1").await.unwrap(), "per source type");
    assert!(!store.is_excluded(&b, SourceType::Call, "c1").await.unwrap(), "per tenant");
}

pub(crate) async fn knowledge_search_is_scoped_and_replace_is_atomic(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    let q = |terms: &[&str], rep: Option<&str>| ChunkQuery {
        terms: terms.iter().map(|s| s.to_string()).collect(),
        rep_scope: rep.map(Into::into),
        limit: 10,
        ..Default::default()
    };
    store
        .replace_chunks(
            &a,
            SourceType::Call,
            "call_1",
            &[
                chunk(
                    &a,
                    SourceType::Call,
                    "call_1",
                    0,
                    Some("rep_1"),
                    "We have fifteen thousand set aside for a new roof",
                ),
                chunk(&a, SourceType::Call, "call_1", 1, Some("rep_1"), "The storm blew shingles into the yard"),
            ],
        )
        .await
        .unwrap();
    store
        .replace_chunks(
            &a,
            SourceType::Call,
            "call_2",
            &[chunk(&a, SourceType::Call, "call_2", 0, Some("rep_2"), "Roof budget is tight this year")],
        )
        .await
        .unwrap();
    store
        .replace_chunks(
            &a,
            SourceType::Document,
            "doc_1",
            &[chunk(&a, SourceType::Document, "doc_1", 0, None, "Roof inspection checklist")],
        )
        .await
        .unwrap();
    store
        .replace_chunks(
            &b,
            SourceType::Call,
            "call_1",
            &[chunk(&b, SourceType::Call, "call_1", 0, Some("rep_1"), "another tenant's roof")],
        )
        .await
        .unwrap();

    let hits = store.search_chunks(&a, &q(&["roof"], None)).await.unwrap();
    assert_eq!(hits.len(), 3, "call_1, call_2 and the document; never the other tenant");
    assert!(hits.iter().all(|(c, s)| c.company_id == a && *s > 0.0));
    let hits = store.search_chunks(&a, &q(&["roof"], Some("rep_1"))).await.unwrap();
    let sources: Vec<&str> = hits.iter().map(|(c, _)| c.source_id.as_str()).collect();
    assert!(sources.contains(&"call_1") && sources.contains(&"doc_1") && !sources.contains(&"call_2"), "{sources:?}");
    let hits = store.search_chunks(&a, &q(&["fifteen", "thousand", "roof"], None)).await.unwrap();
    assert_eq!(hits[0].0.position, 0, "the chunk matching more terms ranks first");
    assert_eq!(hits[0].0.source_id, "call_1");
    let stemmed = store.search_chunks(&a, &q(&["shingle"], None)).await.unwrap();
    assert_eq!(stemmed.len(), 1, "stemming matches `shingles`");

    // Re-indexing replaces the whole source: no stale chunk survives.
    store
        .replace_chunks(
            &a,
            SourceType::Call,
            "call_1",
            &[chunk(&a, SourceType::Call, "call_1", 0, Some("rep_1"), "Gutters only")],
        )
        .await
        .unwrap();
    assert!(store.search_chunks(&a, &q(&["storm"], None)).await.unwrap().is_empty());
    let current = store.source_chunks(&a, SourceType::Call, "call_1").await.unwrap();
    assert_eq!(current.len(), 1);
    // Chunks by id: only those that exist, only the tenant's (dense hits resolve through this).
    let doc_id = store.source_chunks(&a, SourceType::Document, "doc_1").await.unwrap()[0].chunk_id.clone();
    let wanted = vec![current[0].chunk_id.clone(), doc_id.clone(), "call_1:1:gone".to_string()];
    let mut found: Vec<String> =
        store.chunks_by_id(&a, &wanted).await.unwrap().into_iter().map(|c| c.chunk_id).collect();
    found.sort();
    let mut expected = vec![current[0].chunk_id.clone(), doc_id.clone()];
    expected.sort();
    assert_eq!(found, expected);
    assert!(store.chunks_by_id(&b, &[doc_id]).await.unwrap().is_empty(), "no cross-tenant read by id");
    assert!(store.chunks_by_id(&a, &[]).await.unwrap().is_empty());
    assert_eq!(store.delete_chunks(&a, SourceType::Document, "doc_1").await.unwrap(), 1);
    assert!(store.search_chunks(&a, &q(&["checklist"], None)).await.unwrap().is_empty());
    assert_eq!(store.search_chunks(&b, &q(&["roof"], None)).await.unwrap().len(), 1);
}

/// A corpus where one word is in every chunk: a rare name in the oldest call must still rank
/// first, scoped searches must stay scoped, and another tenant's rows must not crowd the
/// tenant's own out (stores may bound the rows they score once terms are common).
pub(crate) async fn knowledge_search_finds_rare_terms_among_common_ones(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    let q = |terms: &[&str], rep: Option<&str>| ChunkQuery {
        terms: terms.iter().map(|s| s.to_string()).collect(),
        rep_scope: rep.map(Into::into),
        limit: 5,
        ..Default::default()
    };
    let text = "Whitfield asked whether the roof warranty covers the flashing";
    store
        .replace_chunks(
            &a,
            SourceType::Call,
            "call_old",
            &[chunk(&a, SourceType::Call, "call_old", 0, Some("rep_1"), text)],
        )
        .await
        .unwrap();
    for (tenant, calls) in [(&a, 150), (&b, 150)] {
        for n in 0..calls {
            let id = format!("call_{n}");
            let chunks: Vec<Chunk> = (0..20)
                .map(|pos| {
                    let text = format!("The roof over room {pos} needs new shingles, said caller {n}");
                    chunk(tenant, SourceType::Call, &id, pos, Some("rep_2"), &text)
                })
                .collect();
            store.replace_chunks(tenant, SourceType::Call, &id, &chunks).await.unwrap();
        }
    }
    let hits = store.search_chunks(&a, &q(&["whitfield", "roof", "warranty"], None)).await.unwrap();
    assert_eq!(hits[0].0.source_id, "call_old", "the rare name decides");
    let hits = store.search_chunks(&a, &q(&["roof", "warranty"], Some("rep_1"))).await.unwrap();
    assert_eq!(hits.len(), 1, "a rep sees only their own call among 6,000 matching chunks");
    assert_eq!(hits[0].0.source_id, "call_old");
    let hits = store.search_chunks(&a, &q(&["roof"], Some("rep_1"))).await.unwrap();
    assert_eq!(hits.len(), 1, "the scope applies before any bound on the rows scored");
    let hits = store.search_chunks(&a, &q(&["roof"], None)).await.unwrap();
    assert_eq!(hits.len(), 5);
    assert!(hits.iter().all(|(c, _)| c.company_id == a), "the other tenant's 3,000 newer chunks never show");
}

fn facts(outcome: &str, lead: (&str, f32), objections: &[(&str, bool)]) -> CallFacts {
    CallFacts {
        lead_status: lead.0.into(),
        lead_score: lead.1,
        qualified: outcome != "not_qualified",
        outcome: outcome.into(),
        rehash_score: 3,
        appointment_booked: outcome == "appointment_set",
        appointment_at: None,
        compliance_score: None,
        talk_ratio: Some(0.5),
        objections: objections
            .iter()
            .map(|(t, h)| ObjectionFact { objection_type: (*t).into(), handled: *h, severity: "medium".into() })
            .collect(),
        stages: vec![],
    }
}

pub(crate) async fn performance_aggregates_are_sql_and_scoped(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    let rows = [
        ("c1", "rep_1", t(0), "appointment_set", ("hot", 0.8), vec![], "website"),
        ("c2", "rep_1", t(86_400), "lost", ("cold", 0.4), vec![("price", false)], "referral"),
        ("c3", "rep_2", t(2 * 86_400), "sold", ("hot", 0.9), vec![("price", true), ("timing", true)], "website"),
        ("c4", "rep_2", t(40 * 86_400), "follow_up", ("warm", 0.6), vec![("price", false)], ""),
    ];
    for (id, rep, at, outcome, lead, obj, source) in rows {
        let mut c = call(&a, id, Some(rep), at);
        c.metadata = json!({"lead_source": source}).as_object().unwrap().clone();
        store.insert_call(&c, &[]).await.unwrap();
        store.save_analyses(&c, &[], Some(&facts(outcome, lead, &obj))).await.unwrap();
    }
    let all = DateRange::default();
    let tot = store.performance_totals(&a, None, &all).await.unwrap();
    assert_eq!((tot.calls, tot.appointments_set, tot.sold, tot.calls_with_objections), (4, 1, 1, 3));
    assert_eq!(tot.avg_duration_seconds, Some(300.0));
    assert!((tot.avg_lead_score.unwrap() - 0.675).abs() < 1e-6);
    assert_eq!(store.performance_totals(&a, Some("rep_1"), &all).await.unwrap().calls, 2);
    assert_eq!(store.performance_totals(&b, None, &all).await.unwrap().calls, 0, "tenant isolation");
    let first_days = DateRange { from: t(0).date_naive().into(), to: t(2 * 86_400).date_naive().into() };
    assert_eq!(store.performance_totals(&a, None, &first_days).await.unwrap().calls, 3);

    let page = PageRequest { limit: 1, offset: 0 };
    let q = RepQuery { sort: RepSort::PerformanceScore, order: SortOrder::Desc, page, ..Default::default() };
    let reps = store.rep_performance(&a, None, &all, &q).await.unwrap();
    assert_eq!((reps.total, reps.items.len()), (2, 1));
    // rep_2: 1 of 2 converted, 2 of 3 handled -> 0.75 * 0.5 + 0.25 * 2/3.
    let r2 = &reps.items[0];
    assert_eq!((r2.rep_id.as_str(), r2.calls, r2.objections_raised, r2.objections_handled), ("rep_2", 2, 3, 2));
    assert!((r2.performance_score - (0.375 + 0.25 * 2.0 / 3.0)).abs() < 1e-9);
    assert_eq!(r2.open_objections, vec![("price".to_string(), 1)]);
    let q = RepQuery { min_performance_score: Some(0.6), ..RepQuery { page, ..Default::default() } };
    assert_eq!(store.rep_performance(&a, None, &all, &q).await.unwrap().total, 0);

    let q = ObjectionQuery { sort: ObjectionSort::ImpactScore, order: SortOrder::Desc, page, min_frequency: Some(1) };
    let (top, every) = store.objection_stats(&a, None, &all, &q).await.unwrap();
    assert_eq!(
        every.iter().map(|o| (o.objection_type.as_str(), o.frequency)).collect::<Vec<_>>(),
        [("price", 3), ("timing", 1)]
    );
    assert_eq!(top.items[0].objection_type, "price", "2 of 3 price calls did not convert; timing's one did");
    assert!((top.items[0].impact_score - 2.0 / 3.0).abs() < 1e-9);
    let q = ObjectionQuery { min_frequency: Some(2), ..q };
    assert_eq!(store.objection_stats(&a, None, &all, &q).await.unwrap().1.len(), 1);

    let q = LeadQuery {
        sort: LeadSort::QualityScore,
        order: SortOrder::Desc,
        page: PageRequest::default(),
        ..Default::default()
    };
    let leads = store.lead_stats(&a, None, &all, &q).await.unwrap();
    assert_eq!(leads.by_source, vec![("referral".into(), 1), ("unknown".into(), 1), ("website".into(), 2)]);
    assert_eq!(leads.leads.iter().map(|l| l.call_id.as_str()).collect::<Vec<_>>(), ["c3", "c1", "c4", "c2"]);
    let q = LeadQuery { quality: Some(LeadQuality::Hot), source: Some(" Website ".into()), ..q };
    assert_eq!(store.lead_stats(&a, Some("rep_2"), &all, &q).await.unwrap().total, 1);
}

/// One analysed call as the test knows it: the source of truth the rollups must agree with.
struct Known {
    id: &'static str,
    rep: Option<&'static str>,
    at: DateTime<Utc>,
    source: &'static str,
    duration: Option<i64>,
    facts: CallFacts,
}

#[allow(clippy::too_many_arguments, reason = "a table row of the test's calls")]
fn known(
    id: &'static str,
    rep: Option<&'static str>,
    at: DateTime<Utc>,
    outcome: &str,
    lead: (&str, f32),
    source: &'static str,
    duration: Option<i64>,
    compliance: Option<f32>,
    objections: &[(&str, bool)],
    stages: &[(&str, u32, bool)],
) -> Known {
    let mut facts = facts(outcome, lead, objections);
    facts.compliance_score = compliance;
    facts.stages =
        stages.iter().map(|(n, o, p)| StageFact { stage_name: (*n).into(), stage_order: *o, performed: *p }).collect();
    Known { id, rep, at, source, duration, facts }
}

async fn analyse(store: &Arc<dyn Store>, co: &CompanyId, k: &Known, insert: bool) {
    let mut c = call(co, k.id, k.rep, k.at);
    c.duration = k.duration;
    c.metadata = json!({"lead_source": k.source}).as_object().unwrap().clone();
    if insert {
        store.insert_call(&c, &[]).await.unwrap();
    }
    store.save_analyses(&c, &[], Some(&k.facts)).await.unwrap();
}

fn approx(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

fn mean(v: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = v.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Sorted (key, count) pairs of `items`.
fn tally<K: Ord>(items: impl Iterator<Item = K>) -> Vec<(K, u64)> {
    let mut m = std::collections::BTreeMap::new();
    for k in items {
        *m.entry(k).or_insert(0) += 1;
    }
    m.into_iter().collect()
}

/// Every analytics figure of `scope`, computed by the store, against a direct count over `calls`.
async fn check_analytics(
    store: &Arc<dyn Store>,
    co: &CompanyId,
    calls: &[Known],
    rep: Option<&str>,
    range: &DateRange,
) {
    let at = format!("rep {rep:?}, range {range:?}");
    let sel: Vec<&Known> = calls
        .iter()
        .filter(|k| rep.is_none_or(|r| k.rep == Some(r)))
        .filter(|k| range.start().is_none_or(|s| k.at >= s) && range.end().is_none_or(|e| k.at < e))
        .collect();
    let conv = |k: &Known| matches!(k.facts.outcome.as_str(), "appointment_set" | "sold");
    let count = |ks: &[&Known], p: &dyn Fn(&Known) -> bool| ks.iter().filter(|k| p(k)).count() as u64;
    let lead = |k: &Known| f64::from(k.facts.lead_score);
    let compliance = |ks: &[&Known]| mean(ks.iter().filter_map(|k| k.facts.compliance_score.map(f64::from)));
    let stage_rates = |ks: &[&Known]| -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> =
            tally(ks.iter().flat_map(|k| k.facts.stages.iter().map(|s| s.stage_name.clone())))
                .into_iter()
                .map(|(name, n)| {
                    let done =
                        ks.iter().flat_map(|k| &k.facts.stages).filter(|s| s.stage_name == name && s.performed).count();
                    (name, done as f64 / n as f64)
                })
                .collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        v
    };

    let t = store.performance_totals(co, rep, range).await.unwrap();
    assert_eq!(
        (t.calls, t.appointments_set, t.sold, t.qualified, t.calls_with_objections),
        (
            sel.len() as u64,
            count(&sel, &|k| k.facts.outcome == "appointment_set"),
            count(&sel, &|k| k.facts.outcome == "sold"),
            count(&sel, &|k| k.facts.qualified),
            count(&sel, &|k| !k.facts.objections.is_empty()),
        ),
        "{at}"
    );
    assert!(approx(t.avg_duration_seconds, mean(sel.iter().filter_map(|k| k.duration.map(|d| d as f64)))), "{at}");
    assert!(approx(t.avg_lead_score, mean(sel.iter().map(|k| lead(k)))), "{at}");
    assert!(approx(t.avg_compliance, compliance(&sel)), "{at}");

    // Reps, best performance score first.
    let q = RepQuery {
        sort: RepSort::PerformanceScore,
        order: SortOrder::Desc,
        page: PageRequest { limit: 100, offset: 0 },
        ..Default::default()
    };
    let got = store.rep_performance(co, rep, range, &q).await.unwrap();
    let mut want: Vec<(String, f64)> = Vec::new();
    for r in tally(sel.iter().filter_map(|k| k.rep)).into_iter().map(|(r, _)| r) {
        let ks: Vec<&Known> = sel.iter().copied().filter(|k| k.rep == Some(r)).collect();
        let raised = ks.iter().map(|k| k.facts.objections.len() as u64).sum::<u64>();
        let handled = ks.iter().flat_map(|k| &k.facts.objections).filter(|o| o.handled).count() as u64;
        let conversion = count(&ks, &conv) as f64 / ks.len() as f64;
        let handling = if raised == 0 { 1.0 } else { handled as f64 / raised as f64 };
        let comp = compliance(&ks);
        let score = match comp {
            None => 0.75 * conversion + 0.25 * handling,
            Some(c) => 0.5 * conversion + 0.25 * handling + 0.25 * c,
        };
        let g = got.items.iter().find(|g| g.rep_id == r).unwrap_or_else(|| panic!("{at}: rep {r} missing"));
        assert_eq!(
            (g.calls, g.converted, g.objections_raised, g.objections_handled),
            (ks.len() as u64, count(&ks, &conv), raised, handled),
            "{at}: {r}"
        );
        assert!(approx(g.compliance, comp) && approx(g.avg_lead_score, mean(ks.iter().map(|k| lead(k)))), "{at}: {r}");
        assert!((g.performance_score - score).abs() < 1e-9, "{at}: {r}");
        let mut open: Vec<(String, u64)> =
            tally(ks.iter().flat_map(|k| &k.facts.objections).filter(|o| !o.handled).map(|o| o.objection_type.clone()));
        open.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        assert_eq!(g.open_objections, open, "{at}: {r}");
        let want_stages = stage_rates(&ks);
        assert_eq!(g.stage_rates.len(), want_stages.len(), "{at}: {r}");
        for (g, w) in g.stage_rates.iter().zip(&want_stages) {
            assert!(g.0 == w.0 && (g.1 - w.1).abs() < 1e-9, "{at}: {r}: {g:?} vs {w:?}");
        }
        want.push((r.to_string(), score));
    }
    want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    assert_eq!(got.total, want.len() as u64, "{at}");
    assert_eq!(
        got.items.iter().map(|g| g.rep_id.clone()).collect::<Vec<_>>(),
        want.into_iter().map(|w| w.0).collect::<Vec<_>>(),
        "{at}"
    );

    // Objections: distinct calls per type.
    let types = tally(sel.iter().flat_map(|k| {
        let mut t: Vec<String> = k.facts.objections.iter().map(|o| o.objection_type.clone()).collect();
        t.dedup();
        t
    }));
    let q = ObjectionQuery { page: PageRequest { limit: 100, offset: 0 }, ..Default::default() };
    let (_, every) = store.objection_stats(co, rep, range, &q).await.unwrap();
    assert_eq!(every.len(), types.len(), "{at}");
    let mut counts = Vec::new();
    for (o, (ty, freq)) in every.iter().zip(&types) {
        let raising: Vec<&Known> =
            sel.iter().copied().filter(|k| k.facts.objections.iter().any(|o| &o.objection_type == ty)).collect();
        let handled = count(&raising, &|k| k.facts.objections.iter().any(|o| &o.objection_type == ty && o.handled));
        let converted = count(&raising, &conv);
        assert_eq!((&o.objection_type, o.frequency, o.handled, o.converted), (ty, *freq, handled, converted), "{at}");
        assert!((o.impact_score - (1.0 - converted as f64 / *freq as f64)).abs() < 1e-9, "{at}");
        counts.push((ty.clone(), *freq, handled));
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert_eq!(store.objection_counts(co, rep, range).await.unwrap(), counts, "{at}");

    // Leads: totals and distributions (and the page, from the facts).
    let q = LeadQuery {
        sort: LeadSort::QualityScore,
        order: SortOrder::Desc,
        page: PageRequest { limit: 100, offset: 0 },
        ..Default::default()
    };
    let l = store.lead_stats(co, rep, range, &q).await.unwrap();
    assert_eq!(l.total, sel.len() as u64, "{at}");
    assert!(approx(l.avg_score, mean(sel.iter().map(|k| lead(k)))), "{at}");
    assert_eq!(l.by_quality, tally(sel.iter().map(|k| k.facts.lead_status.clone())), "{at}");
    let source = |k: &Known| if k.source.is_empty() { "unknown".to_string() } else { k.source.to_lowercase() };
    assert_eq!(l.by_source, tally(sel.iter().map(|k| source(k))), "{at}");
    let mut page: Vec<&Known> = sel.clone();
    page.sort_by(|a, b| b.facts.lead_score.total_cmp(&a.facts.lead_score).then(a.id.cmp(b.id)));
    assert_eq!(
        l.leads.iter().map(|l| l.call_id.as_str()).collect::<Vec<_>>(),
        page.iter().map(|k| k.id).collect::<Vec<_>>(),
        "{at}"
    );
    let q = LeadQuery { quality: Some(LeadQuality::Cold), ..q };
    let l = store.lead_stats(co, rep, range, &q).await.unwrap();
    assert_eq!(l.total, count(&sel, &|k| k.facts.lead_status == "cold"), "{at}");
    assert_eq!(l.leads.len() as u64, l.total, "{at}");

    // SOP compliance.
    let c = store.compliance_aggregates(co, rep, range).await.unwrap();
    assert_eq!(c.calls, count(&sel, &|k| k.facts.compliance_score.is_some()), "{at}");
    assert!(approx(c.overall, compliance(&sel)), "{at}");
    let mut stages: Vec<(String, i64, f64)> = stage_rates(&sel)
        .into_iter()
        .map(|(name, rate)| {
            let order =
                sel.iter().flat_map(|k| &k.facts.stages).filter(|s| s.stage_name == name).map(|s| s.stage_order).min();
            (name, i64::from(order.unwrap()), rate)
        })
        .collect();
    stages.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    assert_eq!(c.stages.len(), stages.len(), "{at}");
    for (g, w) in c.stages.iter().zip(&stages) {
        assert!(g.0 == w.0 && g.1 == w.1 && (g.2 - w.2).abs() < 1e-9, "{at}: {g:?} vs {w:?}");
    }
    // Where a NULL rep sorts is the database's business; compare in one order.
    let mut reps = c.reps.clone();
    reps.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want_reps = Vec::new();
    for r in tally(sel.iter().map(|k| k.rep)).into_iter().map(|(r, _)| r) {
        let ks: Vec<&Known> = sel.iter().copied().filter(|k| k.rep == r).collect();
        let n = count(&ks, &|k| k.facts.compliance_score.is_some());
        if n > 0 {
            want_reps.push((r.map(str::to_string), n, compliance(&ks)));
        }
    }
    assert_eq!(reps.len(), want_reps.len(), "{at}");
    for (g, w) in reps.iter().zip(&want_reps) {
        assert!(g.0 == w.0 && g.1 == w.1 && approx(g.2, w.2), "{at}: {g:?} vs {w:?}");
    }
    let mut rep_stages = c.rep_stages.clone();
    rep_stages.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut want_rs = Vec::new();
    for r in tally(sel.iter().map(|k| k.rep)).into_iter().map(|(r, _)| r) {
        let ks: Vec<&Known> = sel.iter().copied().filter(|k| k.rep == r).collect();
        let mut rates = stage_rates(&ks);
        rates.sort_by(|a, b| a.0.cmp(&b.0));
        want_rs.extend(rates.into_iter().map(|(s, rate)| (r.map(str::to_string), s, rate)));
    }
    assert_eq!(rep_stages.len(), want_rs.len(), "{at}");
    for (g, w) in rep_stages.iter().zip(&want_rs) {
        assert!(g.0 == w.0 && g.1 == w.1 && (g.2 - w.2).abs() < 1e-9, "{at}: {g:?} vs {w:?}");
    }
}

async fn check_all(store: &Arc<dyn Store>, co: &CompanyId, calls: &[Known], ranges: &[DateRange]) {
    for rep in [None, Some("rep_1"), Some("rep_2"), Some("rep_3")] {
        for range in ranges {
            check_analytics(store, co, calls, rep, range).await;
        }
    }
}

pub(crate) async fn analytics_rollups_stay_exact_through_reanalysis(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    // t(0) is 10:30 UTC; t(49_000) is 00:06 UTC the next day.
    let mut calls = vec![
        known(
            "c1",
            Some("rep_1"),
            t(0),
            "appointment_set",
            ("hot", 0.8),
            "website",
            Some(300),
            Some(0.5),
            &[("price", false), ("price", true)],
            &[("greeting", 1, true), ("close", 2, false)],
        ),
        known(
            "c2",
            Some("rep_1"),
            t(49_000),
            "lost",
            ("cold", 0.4),
            "referral",
            None,
            Some(1.0),
            &[("timing", false)],
            &[("greeting", 1, true), ("close", 2, true)],
        ),
        known(
            "c3",
            Some("rep_2"),
            t(86_400),
            "sold",
            ("warm", 0.6),
            "",
            Some(120),
            None,
            &[("price", true)],
            &[("greeting", 1, false)],
        ),
        known(
            "c4",
            None,
            t(2 * 86_400),
            "follow_up",
            ("warm", 0.55),
            "Website",
            Some(60),
            Some(0.75),
            &[],
            &[("greeting", 1, true), ("close", 3, true)],
        ),
        known(
            "c5",
            Some("rep_2"),
            t(2 * 86_400 + 60),
            "not_qualified",
            ("cold", 0.2),
            "yelp",
            Some(45),
            Some(0.25),
            &[("trust", false), ("trust", false)],
            &[],
        ),
    ];
    for k in &calls {
        analyse(&store, &a, k, true).await;
    }
    // Another tenant's call on the same day and rep must never count.
    analyse(&store, &b, &known("c1", Some("rep_1"), t(0), "sold", ("hot", 0.9), "x", None, None, &[], &[]), true).await;

    let day = |secs: i64| Some(t(secs).date_naive());
    let ranges = [
        DateRange::default(),
        DateRange { from: day(0), to: day(0) },
        DateRange { from: day(86_400), to: day(86_400) },
        DateRange { from: day(86_400), to: None },
        DateRange { from: None, to: day(2 * 86_400) },
        DateRange { from: day(3 * 86_400), to: day(3 * 86_400) },
    ];
    check_all(&store, &a, &calls, &ranges).await;

    // Re-analysis with different facts replaces the call's contribution.
    calls[0] = known(
        "c1",
        Some("rep_1"),
        t(0),
        "lost",
        ("cold", 0.3),
        "website",
        Some(300),
        Some(0.9),
        &[("budget", true)],
        &[("greeting", 1, false), ("close", 2, true)],
    );
    analyse(&store, &a, &calls[0], false).await;
    // The call moves to another rep and day: its old rollup rows empty out.
    calls[2] = known(
        "c3",
        Some("rep_3"),
        t(3 * 86_400),
        "appointment_set",
        ("hot", 0.95),
        "google",
        None,
        Some(0.6),
        &[("price", false), ("timing", true)],
        &[("greeting", 1, true)],
    );
    analyse(&store, &a, &calls[2], false).await;
    // The same facts again change nothing.
    analyse(&store, &a, &calls[1], false).await;
    check_all(&store, &a, &calls, &ranges).await;
    assert_eq!(store.performance_totals(&b, None, &DateRange::default()).await.unwrap().calls, 1);
}

fn draft(
    company: &CompanyId,
    id: &str,
    call: &str,
    rep: &str,
    channel: FollowupChannel,
    at: DateTime<Utc>,
) -> FollowupDraft {
    FollowupDraft {
        draft_id: id.into(),
        company_id: Some(company.clone()),
        call_id: call.into(),
        rep_id: rep.into(),
        followup_type: FollowupKind::Rehash,
        channel,
        content_type: channel,
        tone: FollowupTone::Professional,
        subject: Some("Hello".into()),
        content: "Subject: Hello\n\nHi Dana".into(),
        strategy: "s".into(),
        approach: None,
        status: DraftStatus::Draft,
        suggested_send_time: at,
        details: json!({"customer_name": "Dana"}),
        created_at: at,
        updated_at: at,
    }
}

pub(crate) async fn followup_drafts_and_tasks(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    let d1 = draft(&a, "d1", "call_1", "rep_1", FollowupChannel::Email, t(0));
    store.insert_draft(&d1).await.unwrap();
    store.insert_draft(&draft(&a, "d2", "call_2", "rep_1", FollowupChannel::Sms, t(10))).await.unwrap();
    store.insert_draft(&draft(&a, "d3", "call_2", "rep_2", FollowupChannel::CallScript, t(20))).await.unwrap();
    assert_eq!(store.insert_draft(&d1).await.unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(store.get_draft(&a, "d1").await.unwrap().unwrap(), d1);
    assert!(store.get_draft(&b, "d1").await.unwrap().is_none(), "another tenant must not see the draft");

    // Compare-and-set: the second of two racing transitions loses.
    let mut ready = d1.clone();
    ready.status = DraftStatus::Ready;
    ready.updated_at = t(30);
    assert!(store.update_draft(&ready, DraftStatus::Draft).await.unwrap());
    let mut cancelled = d1.clone();
    cancelled.status = DraftStatus::Cancelled;
    assert!(!store.update_draft(&cancelled, DraftStatus::Draft).await.unwrap());
    assert_eq!(store.get_draft(&a, "d1").await.unwrap().unwrap(), ready);

    let base = DraftFilter {
        rep_id: Some("rep_1".into()),
        sort: DraftSort::CreatedAt,
        order: SortOrder::Desc,
        ..Default::default()
    };
    let page = store.list_drafts(&a, &base).await.unwrap();
    assert_eq!(page.items.iter().map(|d| d.draft_id.as_str()).collect::<Vec<_>>(), ["d2", "d1"]);
    let only = DraftFilter { status: Some(DraftStatus::Ready), ..base.clone() };
    assert_eq!(store.list_drafts(&a, &only).await.unwrap().total, 1);
    let sms = DraftFilter { content_type: Some(FollowupChannel::Sms), call_id: Some("call_2".into()), ..base.clone() };
    assert_eq!(store.list_drafts(&a, &sms).await.unwrap().items[0].draft_id, "d2");
    assert_eq!(store.list_drafts(&b, &base).await.unwrap().total, 0);

    let task = |id: &str, key: Option<&str>, due: Option<DateTime<Utc>>| FollowupTask {
        task_id: id.into(),
        company_id: Some(a.clone()),
        call_id: "call_1".into(),
        rep_id: Some("rep_1".into()),
        task_type: TaskType::Call,
        description: format!("task {id}"),
        priority: TaskPriority::Medium,
        status: TaskStatus::Pending,
        due_date: due,
        source: if key.is_some() { "analysis" } else { "manual" }.into(),
        source_key: key.map(Into::into),
        created_by: "system".into(),
        created_at: t(0),
        updated_at: t(0),
    };
    store.insert_task(&task("t_manual", None, None)).await.unwrap();
    let derived = [task("t_a", Some("appointment"), Some(t(100))), task("t_b", Some("next_step:0"), Some(t(50)))];
    assert_eq!(store.insert_derived_tasks(&a, &derived).await.unwrap(), 2);
    // Re-analysis derives the same findings under new ids: nothing is duplicated.
    let again = [task("t_c", Some("appointment"), Some(t(100))), task("t_d", Some("next_step:1"), None)];
    assert_eq!(store.insert_derived_tasks(&a, &again).await.unwrap(), 1);
    let listed = store.list_tasks(&a, "call_1").await.unwrap();
    assert_eq!(listed.iter().map(|t| t.task_id.as_str()).collect::<Vec<_>>(), ["t_b", "t_a", "t_d", "t_manual"]);
    assert!(store.list_tasks(&b, "call_1").await.unwrap().is_empty());
}

pub(crate) async fn clone_training_samples_and_drafts(store: Arc<dyn Store>) {
    use crate::ports::TrainingRequest;
    let (a, b) = (company(), company());
    let sample = |id: &str, hash: &str, training: &str, at: i64| CloneSample {
        sample_id: id.into(),
        company_id: a.clone(),
        rep_id: "rep_1".into(),
        sample_type: SampleType::Email,
        content: format!("Hey there, sample {id} of mine."),
        content_hash: hash.into(),
        training_id: training.into(),
        created_at: t(at),
    };
    let job = |training: &str| {
        NewJob::new(format!("clone.train.{a}"), json!({"training_id": training}), t(0))
            .company(a.clone())
            .dedupe_key(format!("clone.train:{a}:{training}"))
    };
    let train = |training: &'static str, samples: Vec<CloneSample>, job: NewJob, at: i64| {
        let store = Arc::clone(&store);
        let a = a.clone();
        async move {
            store
                .begin_clone_training(TrainingRequest {
                    company_id: &a,
                    rep_id: "rep_1",
                    training_id: training,
                    new_clone_id: &format!("clone_{training}"),
                    samples: &samples,
                    job: &job,
                    now: t(at),
                })
                .await
                .unwrap()
        }
    };
    let (c, added) =
        train("tr1", vec![sample("s1", "h1", "tr1", 0), sample("s2", "h2", "tr1", 0)], job("tr1"), 0).await;
    assert_eq!(added, 2);
    assert_eq!(
        (c.training_status, c.model_version, c.samples, c.profile.is_none()),
        (TrainingStatus::Queued, 0, 2, true)
    );
    assert!(!c.is_trained());
    assert!(store.find_job_by_dedupe_key(&format!("clone.train:{a}:tr1")).await.unwrap().is_some());
    assert!(store.get_clone(&b, "rep_1").await.unwrap().is_none(), "another tenant must not see the clone");

    // Retraining keeps the clone and stores only the samples it doesn't have.
    let (c2, added) =
        train("tr2", vec![sample("s2b", "h2", "tr2", 5), sample("s3", "h3", "tr2", 5)], job("tr2"), 5).await;
    assert_eq!((added, c2.samples, c2.clone_id.as_str(), c2.training_id.as_str()), (1, 3, "clone_tr1", "tr2"));
    let ids: Vec<String> =
        store.list_clone_samples(&a, "rep_1").await.unwrap().into_iter().map(|s| s.sample_id).collect();
    assert_eq!(ids, ["s1", "s2", "s3"]);
    assert!(store.list_clone_samples(&b, "rep_1").await.unwrap().is_empty());

    // Only the latest training moves the state; every finished training is a new version.
    assert!(!store.set_clone_training_status(&a, "rep_1", "tr1", TrainingStatus::Training, None, t(6)).await.unwrap());
    assert!(store.set_clone_training_status(&a, "rep_1", "tr2", TrainingStatus::Training, None, t(6)).await.unwrap());
    let profile = StyleProfile { samples: 3, formality: 0.25, tone: "casual_friendly".into(), ..Default::default() };
    let stale = store.finish_clone_training(&a, "rep_1", "tr1", &profile, t(7)).await.unwrap();
    assert_eq!((stale.model_version, stale.training_status), (1, TrainingStatus::Training));
    let done = store.finish_clone_training(&a, "rep_1", "tr2", &profile, t(8)).await.unwrap();
    assert_eq!((done.model_version, done.training_status), (2, TrainingStatus::Completed));
    assert_eq!((done.profile.as_ref(), done.last_trained), (Some(&profile), Some(t(8))));
    assert!(done.is_trained());
    assert!(store
        .set_clone_training_status(&a, "rep_1", "tr2", TrainingStatus::Failed, Some("boom"), t(9))
        .await
        .unwrap());
    assert_eq!(store.get_clone(&a, "rep_1").await.unwrap().unwrap().failure_reason.as_deref(), Some("boom"));
    let (again, _) = train("tr3", vec![], job("tr3"), 10).await;
    assert_eq!((again.training_status, again.model_version, again.failure_reason), (TrainingStatus::Queued, 2, None));
    assert_eq!(again.profile, Some(profile), "a retraining keeps the previous profile usable");
    assert_eq!(
        store.finish_clone_training(&b, "rep_1", "tr3", &StyleProfile::default(), t(11)).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    let draft = |id: &str, rep: &str, kind: FollowupChannel, at: i64| CloneDraft {
        draft_id: id.into(),
        company_id: Some(a.clone()),
        rep_id: rep.into(),
        content_type: kind,
        content: format!("Hey there! Draft {id}."),
        status: DraftStatus::Draft,
        prompt: "Follow up".into(),
        context: json!({"customer_name": "Dana"}),
        confidence: 0.75,
        engine: "offline".into(),
        model_version: "v2".into(),
        call_id: None,
        approved_at: None,
        created_at: t(at),
        updated_at: t(at),
    };
    let d1 = draft("cd1", "rep_1", FollowupChannel::Email, 0);
    store.insert_clone_draft(&d1).await.unwrap();
    store.insert_clone_draft(&draft("cd2", "rep_1", FollowupChannel::Sms, 10)).await.unwrap();
    store.insert_clone_draft(&draft("cd3", "rep_1", FollowupChannel::Email, 20)).await.unwrap();
    store.insert_clone_draft(&draft("cd4", "rep_2", FollowupChannel::Email, 30)).await.unwrap();
    assert_eq!(store.insert_clone_draft(&d1).await.unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(store.get_clone_draft(&a, "cd1").await.unwrap().unwrap(), d1);
    assert!(store.get_clone_draft(&b, "cd1").await.unwrap().is_none());

    let mut ready = d1.clone();
    ready.status = DraftStatus::Ready;
    ready.approved_at = Some(t(40));
    ready.updated_at = t(40);
    assert!(store.update_clone_draft(&ready, DraftStatus::Draft).await.unwrap());
    assert!(!store.update_clone_draft(&ready, DraftStatus::Draft).await.unwrap(), "compare-and-set");
    assert_eq!(store.get_clone_draft(&a, "cd1").await.unwrap().unwrap(), ready);
    assert_eq!(store.clone_draft_counts(&a, "rep_1").await.unwrap(), (3, 1));
    assert_eq!(store.clone_draft_counts(&b, "rep_1").await.unwrap(), (0, 0));

    let base = CloneDraftFilter { rep_id: Some("rep_1".into()), order: SortOrder::Desc, ..Default::default() };
    let ids = |p: Page<CloneDraft>| p.items.into_iter().map(|d| d.draft_id).collect::<Vec<_>>();
    assert_eq!(ids(store.list_clone_drafts(&a, &base).await.unwrap()), ["cd3", "cd2", "cd1"]);
    let emails = CloneDraftFilter { content_type: Some(FollowupChannel::Email), ..base.clone() };
    assert_eq!(store.list_clone_drafts(&a, &emails).await.unwrap().total, 2);
    let only_ready = CloneDraftFilter { status: Some(DraftStatus::Ready), ..base.clone() };
    assert_eq!(ids(store.list_clone_drafts(&a, &only_ready).await.unwrap()), ["cd1"]);
    let by_type = CloneDraftFilter { sort: CloneDraftSort::ContentType, order: SortOrder::Asc, ..base.clone() };
    assert_eq!(ids(store.list_clone_drafts(&a, &by_type).await.unwrap()), ["cd3", "cd1", "cd2"]);
    let paged = CloneDraftFilter { page: PageRequest { limit: 1, offset: 1 }, ..base.clone() };
    let page = store.list_clone_drafts(&a, &paged).await.unwrap();
    assert_eq!((page.total, ids(page)), (3, vec!["cd2".to_string()]));
    assert_eq!(store.list_clone_drafts(&b, &base).await.unwrap().total, 0);
}

pub(crate) async fn document_reports_wait_for_indexing_and_survive_it(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    let doc = Document {
        document_id: new_id("doc"),
        company_id: a.clone(),
        title: "policy.md".into(),
        file_name: "policy.md".into(),
        document_type: DocumentType::Policy,
        audience_role: None,
        namespace: a.to_string(),
        content_type: "markdown".into(),
        size_bytes: 10,
        sha256: "00".into(),
        status: DocumentStatus::Processing,
        failure_reason: None,
        pages: None,
        chunks_created: 0,
        blob_key: "k".into(),
        metadata: serde_json::Map::new(),
        created_at: t(0),
        updated_at: t(0),
    };
    let stored = store.upsert_document(&doc, &[]).await.unwrap();
    let id = stored.document_id.clone();
    assert!(
        !store.report_document(&a, &id, Some("Reported"), Some(3), t(1)).await.unwrap(),
        "refused while processing"
    );
    // Indexing sets the extracted title (the row still has the file name as its title).
    let mut indexed = store.get_document(&a, &id).await.unwrap().unwrap();
    indexed.title = "Extracted".into();
    indexed.status = DocumentStatus::Indexed;
    indexed.chunks_created = 2;
    store.update_document(&indexed).await.unwrap();
    assert!(store.report_document(&a, &id, Some("Reported"), Some(3), t(2)).await.unwrap());
    assert!(!store.report_document(&b, &id, Some("Other tenant"), None, t(2)).await.unwrap(), "tenant scoped");
    // A reindex that read the row before the report does not undo it.
    store.update_document(&indexed).await.unwrap();
    let got = store.get_document(&a, &id).await.unwrap().unwrap();
    assert_eq!((got.title.as_str(), got.pages, got.chunks_created), ("Reported", None, 2));
    // Without a title the report keeps the one there.
    assert!(store.report_document(&a, &id, None, Some(4), t(3)).await.unwrap());
    let got = store.get_document(&a, &id).await.unwrap().unwrap();
    assert_eq!((got.title.as_str(), got.pages), ("Reported", Some(4)));
}

pub(crate) async fn company_settings_roundtrip_per_tenant(store: Arc<dyn Store>) {
    let (a, b) = (company(), company());
    assert!(store.get_settings(&a).await.unwrap().is_none());
    let mut s = CompanySettings {
        company_id: a.clone(),
        rep_channel: Some(1),
        timezone: Some("America/Denver".into()),
        updated_at: t(0),
    };
    store.put_settings(&s).await.unwrap();
    assert_eq!(store.get_settings(&a).await.unwrap().unwrap(), s);
    s.rep_channel = None;
    s.updated_at = t(5);
    store.put_settings(&s).await.unwrap();
    assert_eq!(store.get_settings(&a).await.unwrap().unwrap(), s, "a second save replaces the first");
    assert!(store.get_settings(&b).await.unwrap().is_none(), "no cross-tenant read");
}

/// Generates one `#[tokio::test]` per conformance check for an adapter. `$make` is an async
/// expression yielding `Option<Arc<dyn Store>>` (None: skip, e.g. no database configured).
macro_rules! store_conformance_tests {
    ($make:expr) => {
        store_conformance_tests!(@tests $make;
            call_roundtrip_and_tenant_isolation,
            call_insert_is_atomic_with_its_jobs,
            call_listing_filters_sorts_and_pages,
            crm_entities_upsert_latest_wins,
            crm_events_are_stored_once,
            sop_stages_crud,
            jobs_lease_complete_and_dedupe,
            jobs_expired_lease_is_taken_over_then_dead_lettered,
            jobs_fail_retries_with_backoff_then_dead_letters,
            jobs_concurrent_workers_never_share_a_job,
            audit_trail_is_per_company_and_newest_first,
            knowledge_search_is_scoped_and_replace_is_atomic,
            knowledge_search_finds_rare_terms_among_common_ones,
            knowledge_exclusions_are_per_tenant_and_idempotent,
            company_settings_roundtrip_per_tenant,
            document_reports_wait_for_indexing_and_survive_it,
            performance_aggregates_are_sql_and_scoped,
            analytics_rollups_stay_exact_through_reanalysis,
            followup_drafts_and_tasks,
            clone_training_samples_and_drafts);
    };
    (@tests $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(store) = $make.await {
                    $crate::adapters::sql::conformance::$name(store).await;
                }
            }
        )*
    };
}

/// The PostgreSQL suites run when `OTTO_TEST_DATABASE_URL` is set (`cargo xtask ci` sets it to
/// a throwaway database). Under `CI=true` a missing URL is a failure, not a skip.
#[cfg(feature = "postgres")]
pub(crate) fn test_database_url(suite: &str) -> Option<String> {
    match std::env::var("OTTO_TEST_DATABASE_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but OTTO_TEST_DATABASE_URL is not set: the {suite} suite must run in CI")
        }
        Err(_) => {
            eprintln!("skipping {suite}: set OTTO_TEST_DATABASE_URL (cargo xtask ci does)");
            None
        }
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;

    async fn make() -> Option<Arc<dyn Store>> {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::adapters::sql::SqliteStore::open(dir.path().join("otto.db")).await.unwrap();
        // Keep the directory for the test's lifetime.
        std::mem::forget(dir);
        Some(Arc::new(store))
    }

    store_conformance_tests!(make());
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;

    async fn make() -> Option<Arc<dyn Store>> {
        let url = test_database_url("PostgreSQL conformance")?;
        Some(Arc::new(crate::adapters::sql::PostgresStore::open(&url).await.unwrap()))
    }

    store_conformance_tests!(make());
}
