//! Hybrid retrieval through Otto: chunk vectors follow the chunks (analysis, deletion,
//! reindex), the rep scope holds inside the vector search, and answers say which mode found
//! them. Uses the model-free hashing embedder, so it needs no weights.

#![cfg(all(feature = "sqlite", feature = "documents"))]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use otto_core::adapters::fs_blob::FsBlobStore;
use otto_core::adapters::hashing_embed::HashingEmbedder;
use otto_core::adapters::sql::SqliteStore;
use otto_core::adapters::vector_mem::MemoryVectorIndex;
use otto_core::jobs::WorkerConfig;
use otto_core::knowledge::RetrievalMode;
use otto_core::ports::{Embedder, VectorIndex, VectorQuery};
use otto_core::rag::AskRequest;
use otto_core::{CompanyId, NewCall, Otto, Principal, Role, SegmentInput};
use serde_json::json;

async fn open(dir: &Path, vectors: &str) -> (Otto, Arc<MemoryVectorIndex>) {
    let store = SqliteStore::open(dir.join("otto.db")).await.unwrap();
    let blobs = FsBlobStore::open(dir.join("blobs")).unwrap();
    let embedder = HashingEmbedder::new();
    let index = Arc::new(MemoryVectorIndex::open(&dir.join(vectors), &embedder.name(), embedder.dimensions()).unwrap());
    let otto = Otto::builder()
        .store(Arc::new(store))
        .blobs(Arc::new(blobs))
        .embedder(Arc::new(embedder))
        .vectors(Arc::clone(&index) as Arc<dyn VectorIndex>)
        .build()
        .unwrap();
    (otto, index)
}

fn call(id: &str, rep: &str, customer: &str, turns: &[(&str, &str)]) -> NewCall {
    NewCall {
        call_id: Some(id.into()),
        rep_id: Some(rep.into()),
        metadata: Some(json!({"customer_name": customer}).as_object().unwrap().clone()),
        segments: Some(
            turns
                .iter()
                .map(|(s, t)| SegmentInput {
                    speaker: (*s).into(),
                    text: (*t).into(),
                    start_time: None,
                    end_time: None,
                })
                .collect(),
        ),
        ..Default::default()
    }
}

async fn drain(otto: &Otto) {
    let worker = otto_core::pipeline::worker(
        otto,
        WorkerConfig { poll_interval: Duration::from_millis(10), ..Default::default() },
    );
    while worker.run_once().await.unwrap().is_some() {}
}

/// How many vectors of `source_id` the index holds for `company`.
async fn vectors_of(index: &dyn VectorIndex, company: &CompanyId, source_id: &str) -> usize {
    let mut filter = serde_json::Map::new();
    filter.insert("source_id".into(), json!(source_id));
    index
        .search(&VectorQuery {
            company_id: company.clone(),
            vector: HashingEmbedder::new().embed_one("anything"),
            top_k: 1000,
            filter,
            rep_scope: None,
            occurred_after: None,
            occurred_before: None,
        })
        .await
        .unwrap()
        .len()
}

async fn cited(otto: &Otto, p: &Principal, question: &str) -> (String, Vec<String>) {
    let a = otto.answer(p, &AskRequest { question: question.into(), ..Default::default() }).await.unwrap();
    (a.mode, a.citations.into_iter().map(|c| c.source_id).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_vectors_follow_chunks_and_scope_holds_in_hybrid_mode() {
    let dir = tempfile::tempdir().unwrap();
    let (otto, index) = open(dir.path(), "vectors").await;
    assert_eq!(otto.retrieval_mode(), RetrievalMode::Hybrid);
    let company = CompanyId::parse("co_hybrid").unwrap();
    let mgr = Principal::new("mgr", company.clone(), Role::Manager);
    let csr = Principal::new("rep_1", company.clone(), Role::Csr);
    otto.create_call(
        &mgr,
        call(
            "call_nora",
            "rep_1",
            "Nora Quinn",
            &[
                ("rep", "Thanks for calling, how can I help?"),
                ("customer", "We want to know about monthly payment plans and financing for the new windows."),
                ("rep", "We offer twelve months at zero percent."),
            ],
        ),
    )
    .await
    .unwrap();
    otto.create_call(
        &mgr,
        call(
            "call_victor",
            "rep_2",
            "Victor Hale",
            &[
                ("rep", "Good morning, roofing department."),
                ("customer", "The storm tore shingles off our roof and now the attic leaks."),
                ("rep", "We can inspect the roof leak tomorrow morning."),
            ],
        ),
    )
    .await
    .unwrap();
    drain(&otto).await;
    assert!(vectors_of(&*index, &company, "call_nora").await > 0, "analysed calls are embedded");
    assert!(vectors_of(&*index, &company, "call_victor").await > 0);

    let (mode, sources) = cited(&otto, &mgr, "What did the customer say about the roof leak?").await;
    assert_eq!(mode, "hybrid");
    assert_eq!(sources.first().map(String::as_str), Some("call_victor"));
    // The CSR's own calls only, in both searches: Victor's call is rep_2's.
    let (_, sources) = cited(&otto, &csr, "What did the customer say about the roof leak?").await;
    assert!(!sources.contains(&"call_victor".to_string()), "{sources:?}");
    let (_, sources) = cited(&otto, &csr, "storm shingles attic Victor Hale").await;
    assert!(!sources.contains(&"call_victor".to_string()), "{sources:?}");

    // Deleting an entity removes its vectors too, and it leaves every answer.
    otto.delete_entity_vectors(&mgr, "call_victor").await.unwrap();
    assert_eq!(vectors_of(&*index, &company, "call_victor").await, 0);
    let (_, sources) = cited(&otto, &mgr, "What did the customer say about the roof leak?").await;
    assert!(!sources.contains(&"call_victor".to_string()), "{sources:?}");

    // The index is persisted: a restart sees the same vectors.
    drop(otto);
    let reopened = MemoryVectorIndex::open(&dir.path().join("vectors"), "hashing-384", 384).unwrap();
    assert!(vectors_of(&reopened, &company, "call_nora").await > 0);
    assert_eq!(vectors_of(&reopened, &company, "call_victor").await, 0);
    drop(reopened);

    // Vectors derive from the stored chunks: a fresh index is rebuilt by a reindex.
    let (otto, index) = open(dir.path(), "vectors_rebuilt").await;
    assert!(index.is_fresh() && index.is_empty());
    otto.reindex(&mgr, None).await.unwrap();
    drain(&otto).await;
    // Exactly the stored chunks get vectors, and a call removed from the knowledge base stays
    // out: the reindex does not bring Victor's call back.
    let stored = otto.store().source_chunks(&company, otto_core::SourceType::Call, "call_nora").await.unwrap().len();
    assert!(stored > 0);
    assert_eq!(vectors_of(&*index, &company, "call_nora").await, stored, "reindex rebuilds the vectors");
    let victor = otto.store().source_chunks(&company, otto_core::SourceType::Call, "call_victor").await.unwrap();
    assert!(victor.is_empty(), "a deleted call's chunks stay deleted after a reindex");
    assert_eq!(vectors_of(&*index, &company, "call_victor").await, 0);
    let (_, sources) = cited(&otto, &mgr, "What did the customer say about the roof leak?").await;
    assert!(!sources.contains(&"call_victor".to_string()), "{sources:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_without_an_index_retrieval_is_lexical() {
    let dir = tempfile::tempdir().unwrap();
    let otto = Otto::open_embedded(dir.path()).await.unwrap();
    assert_eq!(otto.retrieval_mode(), RetrievalMode::Lexical);
    assert_eq!(otto.retrieval_mode().as_str(), "lexical");
}

/// Reassigning an analysed call moves everything derived from its rep: the new rep finds it in
/// Ask Otto (both searches) and the old rep no longer does, and the per-rep analytics count it
/// for the new rep only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_reassigning_a_call_moves_its_answers_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (otto, _index) = open(dir.path(), "vectors").await;
    let company = CompanyId::parse("co_reassign").unwrap();
    let mgr = Principal::new("mgr", company.clone(), Role::Manager);
    let old_rep = Principal::new("rep_old", company.clone(), Role::SalesRep);
    let new_rep = Principal::new("rep_new", company.clone(), Role::SalesRep);
    otto.create_call(
        &mgr,
        call(
            "call_gutters",
            "rep_old",
            "Priya Raman",
            &[
                ("rep", "Thanks for calling, how can I help?"),
                ("customer", "Our gutters overflow onto the porch every time it rains."),
                ("rep", "We can install oversized gutters with leaf guards next Tuesday."),
            ],
        ),
    )
    .await
    .unwrap();
    drain(&otto).await;
    let question = "What did Priya say about the gutters?";
    assert_eq!(cited(&otto, &old_rep, question).await.1.first().map(String::as_str), Some("call_gutters"));
    assert!(cited(&otto, &new_rep, question).await.1.is_empty());

    let update = otto_core::CallUpdate { rep_id: Some("rep_new".into()), ..Default::default() };
    otto.update_call(&mgr, "call_gutters", update).await.unwrap();

    assert_eq!(cited(&otto, &new_rep, question).await.1.first().map(String::as_str), Some("call_gutters"));
    let (_, sources) = cited(&otto, &old_rep, question).await;
    assert!(!sources.contains(&"call_gutters".to_string()), "the old rep keeps no access: {sources:?}");
    let reps = otto.rep_performance(&mgr, company.as_str(), None, Default::default()).await.unwrap();
    let counted: Vec<(String, u64)> = reps.reps.iter().map(|r| (r.rep_id.clone(), r.calls_handled)).collect();
    assert_eq!(counted, vec![("rep_new".to_string(), 1)], "{counted:?}");
}
