//! `[embeddings]` in the config makes Ask Otto hybrid: an OpenAI-compatible embeddings endpoint
//! (a local stand-in here) fills the in-process vector index, and answers say `hybrid`.

use std::time::Duration;

use axum::routing::post;
use axum::{Json, Router};
use otto_core::domain::{CompanyId, DocumentType};
use otto_core::jobs::WorkerConfig;
use otto_core::rag::AskRequest;
use otto_core::{DocumentUpload, Principal, Role};
use otto_server::config::EmbeddingsConfig;
use otto_server::Config;
use serde_json::{json, Value};

/// A bag-of-letters vector: texts sharing words get similar vectors.
fn vector(text: &str) -> Vec<f32> {
    let mut v = vec![0.0f32; 26];
    for c in text.to_lowercase().chars().filter(char::is_ascii_lowercase) {
        v[(c as u8 - b'a') as usize] += 1.0;
    }
    v
}

async fn embeddings(Json(body): Json<Value>) -> Json<Value> {
    let data: Vec<Value> = body["input"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"index": i, "embedding": vector(t.as_str().unwrap())}))
        .collect();
    Json(json!({"object": "list", "data": data}))
}

/// Runs the document flow on `config` plus an `[embeddings]` stand-in: the answer is hybrid.
async fn hybrid_answer_cites_the_document(mut config: Config) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/v1/embeddings", post(embeddings));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    assert!(otto_server::lexical_reason(&config).is_some());
    config.embeddings = Some(EmbeddingsConfig {
        model: "stand-in".into(),
        dimensions: 26,
        base_url: Some(format!("http://{addr}/v1")),
        api_key: None,
        timeout_secs: Some(10),
    });
    assert_eq!(otto_server::lexical_reason(&config), None);
    let otto = otto_server::open_otto(&config).await.unwrap();
    assert!(otto.embedder().is_some() && otto.vectors().is_some());

    let company = CompanyId::parse(otto_core::domain::new_id("co")).unwrap();
    let mgr = Principal::new("mgr", company, Role::Manager);
    let up = DocumentUpload {
        file_name: "warranty.md".into(),
        bytes: b"# Warranty\n\nEvery roof we install carries a 25 year workmanship warranty.".to_vec(),
        document_type: DocumentType::Reference,
        audience_role: None,
        namespace: None,
        metadata: Default::default(),
    };
    let doc = otto.ingest_document(&mgr, up).await.unwrap();
    let worker = otto_core::pipeline::worker(&otto, WorkerConfig::default());
    for _ in 0..50 {
        if otto.document(&mgr, &doc.document_id).await.unwrap().status.as_str() == "indexed" {
            break;
        }
        worker.run_once().await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let a = otto
        .answer(&mgr, &AskRequest { question: "How long is the workmanship warranty?".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(a.mode, "hybrid", "{a:?}");
    assert_eq!(a.citations[0].source_id, doc.document_id);
}

#[tokio::test]
async fn test_an_embeddings_endpoint_makes_retrieval_hybrid() {
    let dir = tempfile::tempdir().unwrap();
    hybrid_answer_cites_the_document(Config { data_dir: dir.path().to_path_buf(), ..Default::default() }).await;
}

/// The same with the vectors in PostgreSQL (pgvector), when `OTTO_TEST_DATABASE_URL` is set
/// (`cargo xtask ci` sets it; `.ci/run` installs pgvector).
#[tokio::test]
async fn test_pgvector_holds_the_vectors_when_configured() {
    let Ok(url) = std::env::var("OTTO_TEST_DATABASE_URL") else {
        assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "CI=true needs OTTO_TEST_DATABASE_URL");
        eprintln!("skipping: set OTTO_TEST_DATABASE_URL");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(url),
        vector_index: "pgvector".into(),
        ..Default::default()
    };
    hybrid_answer_cites_the_document(config).await;
    assert!(!dir.path().join("vectors").exists(), "nothing in the in-process index");
}
