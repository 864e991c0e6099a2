//! Ask Otto on the dev set: ingest the 12 labelled calls as transcripts, ask the manager
//! questions, and measure source-call recall@5 (from the citations) and answer-fact recall.
//! Skips when `../shared/eval/dev` is absent. `OTTO_EVAL_DIR` points it at another set.

#![cfg(feature = "sqlite")]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use otto_core::adapters::vector_mem::MemoryVectorIndex;
use otto_core::ports::Embedder;

use otto_core::jobs::WorkerConfig;
use otto_core::{AskInput, CompanyId, NewSopStage, NewSopStages, Otto, Principal, Role};
use serde_json::Value;

fn dev_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OTTO_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/dev"));
    dir.join("questions.json").exists().then_some(dir)
}

/// Words of a fact that must show up in the answer: content words and numbers, digits kept
/// whole ("17,200" and "17200" compare equal).
fn salient(text: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "the", "a", "an", "and", "or", "of", "on", "in", "to", "for", "was", "were", "is", "are", "with", "at", "by",
        "that", "this", "it", "they", "he", "she", "his", "her", "their", "about", "as", "from", "had", "has", "have",
        "be", "been", "did", "not", "no", "only", "every", "other", "most", "than", "per",
    ];
    text.to_lowercase()
        .replace(',', "")
        .split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '%'))
        .map(|w| w.trim_matches('.').to_string())
        .filter(|w| w.len() > 1 && !STOP.contains(&w.as_str()))
        .collect()
}

fn fact_recalled(fact: &str, answer: &str) -> bool {
    let want = salient(fact);
    let have = salient(answer);
    if want.is_empty() {
        return true;
    }
    let found =
        want.iter().filter(|w| have.iter().any(|h| h == *w || (w.len() >= 5 && h.starts_with(&w[..5])))).count();
    found as f64 / want.len() as f64 >= 0.5
}

/// Otto on SQLite in `data`, hybrid when `embedder` is given (with an in-process index).
async fn open(data: &std::path::Path, embedder: Option<Arc<dyn Embedder>>) -> Otto {
    let Some(embedder) = embedder else {
        return Otto::open_embedded(data).await.unwrap();
    };
    let store = otto_core::adapters::sql::SqliteStore::open(data.join("otto.db")).await.unwrap();
    let blobs = otto_core::adapters::fs_blob::FsBlobStore::open(data.join("blobs")).unwrap();
    let index = MemoryVectorIndex::open(&data.join("vectors"), &embedder.name(), embedder.dimensions()).unwrap();
    Otto::builder()
        .store(Arc::new(store))
        .blobs(Arc::new(blobs))
        .embedder(embedder)
        .vectors(Arc::new(index))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_dev_questions_retrieve_the_right_calls() {
    eval(None).await;
}

/// Hybrid mode with the model-free hashing embedder: the fusion must not cost recall.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_dev_questions_hybrid_hashing() {
    eval(Some(Arc::new(otto_core::adapters::hashing_embed::HashingEmbedder::new()))).await;
}

/// Hybrid mode with all-MiniLM-L6-v2 when `OTTO_MINILM_DIR` names an installed model
/// (`otto models install minilm` puts it in `<data_dir>/models/minilm`).
#[cfg(feature = "embed-minilm")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_dev_questions_hybrid_minilm() {
    let Some(model) = std::env::var_os("OTTO_MINILM_DIR") else {
        eprintln!("skipping: set OTTO_MINILM_DIR to an installed all-MiniLM-L6-v2");
        return;
    };
    let embedder = otto_core::adapters::embed::MiniLmEmbedder::load(std::path::Path::new(&model)).unwrap();
    eval(Some(Arc::new(embedder))).await;
}

async fn eval(embedder: Option<Arc<dyn Embedder>>) {
    let Some(dir) = dev_dir() else {
        eprintln!("skipping: no dev set (../shared/eval/dev)");
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let label = embedder.as_ref().map_or("lexical".to_string(), |e| format!("hybrid ({})", e.name()));
    let otto = open(data.path(), embedder).await;
    let company = CompanyId::parse("eval_co").unwrap();
    let mgr = Principal::new("mgr", company.clone(), Role::Manager);

    let sop: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sop.json")).unwrap()).unwrap();
    let stages = sop["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| NewSopStage {
            stage_name: s["stage_name"].as_str().unwrap().into(),
            stage_order: s["stage_order"].as_i64().unwrap() as i32,
            stage_description: s["stage_description"].as_str().map(Into::into),
            is_active: true,
        })
        .collect();
    otto.create_sop_stages(&mgr, NewSopStages { stages }).await.unwrap();

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("dev_")
                || p.file_name().unwrap().to_string_lossy().starts_with("held_")
        })
        .collect();
    files.sort();
    for f in &files {
        let c: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let call = otto_core::analysis::eval::labelled_call_request(&c);
        otto.create_call(&mgr, call).await.unwrap();
    }
    let worker = otto_core::pipeline::worker(
        &otto,
        WorkerConfig { poll_interval: Duration::from_millis(10), ..Default::default() },
    );
    while worker.run_once().await.unwrap().is_some() {}

    let questions: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("questions.json")).unwrap()).unwrap();
    let session = otto.open_rag_session(&mgr, None).await.unwrap();
    let (mut recall_sum, mut facts_found, mut facts_total) = (0.0, 0, 0);
    println!("\n{:<4} {:>6} {:>6}  question", "#", "rec@5", "facts");
    for (i, q) in questions.iter().enumerate() {
        let input = AskInput {
            session_id: session.session_id.clone(),
            message: q["question"].as_str().unwrap().into(),
            ..Default::default()
        };
        let out = otto.ask(&mgr, input).await.unwrap();
        let mut cited: Vec<String> = Vec::new();
        for c in &out.answer.citations {
            if !cited.contains(&c.source_id) {
                cited.push(c.source_id.clone());
            }
        }
        cited.truncate(5);
        let want: Vec<&str> = q["source_call_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let recall = want.iter().filter(|w| cited.iter().any(|c| c == *w)).count() as f64 / want.len().min(5) as f64;
        let facts: Vec<&str> = q["answer_facts"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let found = facts.iter().filter(|f| fact_recalled(f, &out.answer.answer)).count();
        recall_sum += recall.min(1.0);
        facts_found += found;
        facts_total += facts.len();
        println!(
            "{i:<4} {:>6.2} {:>3}/{:<2}  {} [{}] -> {:?}",
            recall.min(1.0),
            found,
            facts.len(),
            q["question"].as_str().unwrap(),
            out.answer.mode,
            cited
        );
        if std::env::var("OTTO_EVAL_VERBOSE").is_ok() {
            println!("      {}", out.answer.answer);
        }
    }
    let recall = recall_sum / questions.len() as f64;
    let fact_recall = facts_found as f64 / facts_total.max(1) as f64;
    println!("\n{label}: source-call recall@5 {recall:.3} (target >= 0.8); answer-fact recall {fact_recall:.3}");
    assert!(recall >= 0.8, "source-call recall@5 {recall:.3} < 0.8");
}
