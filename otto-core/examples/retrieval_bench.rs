//! `cargo xtask bench retrieval`: vector search and hybrid Ask Otto latency at 10k and 100k
//! chunks (384 dimensions), on this machine.
//!
//! 1. **Vector search**: the in-process index filled with random unit vectors of 20 reps' calls
//!    and some documents; p50/p95 of the top 40 for a manager (whole company) and for a rep
//!    (own calls plus documents, filtered inside the scan).
//! 2. **Answers**: SQLite with the same number of transcript chunks (from the dev calls'
//!    turns, and a synthetic 53-word worst case), vectors from the model-free hashing
//!    embedder, and `Otto::answer` end to end, lexical and hybrid, as a manager and as a rep.
//!    Encoding the question with MiniLM adds its own time on top (measured when built with
//!    `--features embed-minilm` and `OTTO_MINILM_DIR` is set).
//!
//! Arguments: `--sizes 10000,100000` `--queries 200` `--pg URL` (also time the pgvector adapter in
//! that database; it creates its tables) `--dev DIR` (labelled calls whose turns make a
//! realistic corpus; without it only the synthetic worst case runs) `--only vectors|answers`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use otto_core::adapters::hashing_embed::HashingEmbedder;
use otto_core::adapters::vector_mem::MemoryVectorIndex;
use otto_core::ports::{Embedder, VectorIndex, VectorQuery, VectorRecord};
use otto_core::rag::AskRequest;
use otto_core::{Chunk, CompanyId, Otto, Principal, Role, SourceType};
use serde_json::{json, Map};

const DIMS: usize = 384;
const REPS: usize = 20;
const CHUNKS_PER_CALL: usize = 8;

/// A small deterministic generator (xorshift), so runs compare.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn f32(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn percentiles(mut t: Vec<Duration>) -> (f64, f64) {
    t.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(t[t.len() / 2]), ms(t[(t.len() * 95 / 100).min(t.len() - 1)]))
}

fn metadata(i: usize) -> Map<String, serde_json::Value> {
    let call = i / CHUNKS_PER_CALL;
    let v = if call % 10 == 9 {
        json!({"source_type": "document", "source_id": format!("doc_{call}")})
    } else {
        json!({"source_type": "call", "source_id": format!("call_{call}"), "rep_id": format!("rep_{}", call % REPS),
               "occurred_at": "2025-01-15T12:00:00Z"})
    };
    v.as_object().unwrap().clone()
}

async fn bench_vectors(n: usize, queries: usize, name: &str, index: Arc<dyn VectorIndex>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let company = CompanyId::parse("bench_co").unwrap();
    let started = Instant::now();
    for batch in (0..n).collect::<Vec<_>>().chunks(5000) {
        let records = batch
            .iter()
            .map(|&i| VectorRecord {
                id: format!("chunk_{i}"),
                company_id: company.clone(),
                vector: (0..DIMS).map(|_| rng.f32()).collect(),
                metadata: metadata(i),
            })
            .collect();
        index.upsert(records).await.unwrap();
    }
    let load = started.elapsed();
    for (label, scope) in [("manager (whole company)", None), ("rep (own calls + documents)", Some("rep_3"))] {
        let mut times = Vec::with_capacity(queries);
        for _ in 0..queries {
            let q = VectorQuery {
                company_id: company.clone(),
                vector: (0..DIMS).map(|_| rng.f32()).collect(),
                top_k: 40,
                filter: Map::new(),
                rep_scope: scope.map(str::to_string),
                occurred_after: None,
                occurred_before: None,
            };
            let t = Instant::now();
            let hits = index.search(&q).await.unwrap();
            times.push(t.elapsed());
            assert_eq!(hits.len(), 40);
        }
        let (p50, p95) = percentiles(times);
        println!(
            "vector search  {n:>7} chunks  {name:<9} {label:<28} p50 {p50:>7.2} ms  p95 {p95:>7.2} ms  (load {:.1} s)",
            load.as_secs_f64()
        );
    }
}

const WORDS: &[&str] = &[
    "roof",
    "shingles",
    "leak",
    "attic",
    "budget",
    "financing",
    "monthly",
    "payment",
    "solar",
    "panels",
    "battery",
    "inverter",
    "warranty",
    "quote",
    "competitor",
    "cheaper",
    "install",
    "inspection",
    "storm",
    "damage",
    "insurance",
    "claim",
    "gutters",
    "windows",
    "siding",
    "appointment",
    "tuesday",
    "morning",
    "spouse",
    "decide",
    "price",
    "thousand",
    "dollars",
    "percent",
    "rebate",
    "tax",
    "credit",
    "estimate",
    "contract",
    "deposit",
    "permit",
    "crew",
    "schedule",
    "follow",
    "callback",
    "concern",
    "worried",
    "afford",
    "loan",
    "rate",
    "bill",
    "utility",
    "energy",
];
const NAMES: &[&str] = &["Nora", "Victor", "Anita", "Harold", "Ray", "Dana", "Priya", "Marcus", "Elena", "Omar"];

fn sentence(rng: &mut Rng) -> String {
    let n = 8 + rng.below(10);
    (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect::<Vec<_>>().join(" ")
}

/// The transcripts the answer benchmark indexes.
enum Corpus {
    /// Every chunk drawn from 53 words: each question term matches about 40% of all chunks. A
    /// worst case for lexical search, not a likely one.
    Synthetic,
    /// Windows of turns from the labelled dev calls, each call given a generated customer
    /// (name and street) and real Otto titles: the term frequencies of real home-services calls.
    Dev(Vec<DevCall>),
}

struct DevCall {
    customer: String,
    turns: Vec<String>,
}

const FIRST: &[&str] = &[
    "Karen", "Tom", "Linda", "Gary", "Sofia", "Ahmed", "Mei", "Raj", "Lucy", "Pedro", "Ivan", "Zoe", "Grace", "Hector",
    "Ingrid", "Jamal", "Keiko", "Liam", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sanjay", "Tessa", "Umar",
    "Vera", "Wes", "Yara",
];
const LAST: &[&str] = &[
    "Whitfield",
    "Nguyen",
    "Okafor",
    "Brennan",
    "Castillo",
    "Haddad",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Patel",
    "Quintero",
    "Rasmussen",
    "Sato",
    "Tremblay",
    "Ueda",
    "Varga",
    "Wojcik",
    "Xu",
    "Yilmaz",
    "Zamora",
    "Abbott",
    "Beaumont",
    "Chávez",
    "Dimitrov",
    "Eriksen",
    "Fontaine",
    "Gallagher",
    "Holm",
    "Iverson",
    "Jovanovic",
];
const STREETS: &[&str] = &["Elm", "Oak", "Maple", "Cedar", "Birch", "Pine", "Willow", "Aspen", "Juniper", "Magnolia"];
const TOPICS: &[&str] =
    &["price", "warranty", "financing", "roof", "insurance", "schedule", "timeline", "deposit", "estimate", "leak"];

fn dev_calls(dir: &std::path::Path) -> Vec<DevCall> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && p.file_name().is_some_and(|n| n != "questions.json"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|f| {
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            let turns = v["turns"].as_array()?;
            Some(DevCall {
                customer: v["customer"]["name"].as_str().unwrap_or_default().to_string(),
                turns: turns
                    .iter()
                    .map(|t| format!("{}: {}", t["speaker"].as_str().unwrap_or(""), t["text"].as_str().unwrap_or("")))
                    .collect(),
            })
        })
        .collect()
}

impl Corpus {
    fn name(&self) -> &'static str {
        match self {
            Corpus::Synthetic => "synthetic",
            Corpus::Dev(_) => "dev-calls",
        }
    }

    /// Title, customer and the chunk texts of call number `call`.
    fn call(&self, call: usize, rng: &mut Rng) -> (String, String, Vec<String>) {
        match self {
            Corpus::Synthetic => {
                let customer = NAMES[call % NAMES.len()].to_string();
                let title = format!("Call call_{call} rep rep_{} customer {customer} {call}", call % REPS);
                let texts = (0..CHUNKS_PER_CALL)
                    .map(|_| format!("Customer: {}. Rep: {}.", sentence(rng), sentence(rng)))
                    .collect();
                (title, customer, texts)
            }
            Corpus::Dev(calls) => {
                let source = &calls[rng.below(calls.len())];
                let customer = format!("{} {}", FIRST[rng.below(FIRST.len())], LAST[rng.below(LAST.len())]);
                let street = format!("{} {} Street", 10 + rng.below(990), STREETS[rng.below(STREETS.len())]);
                let title = format!(
                    "Call call_{call} | sales outbound | rep rep_{} | customer {customer} | {street} | 2026-03-{:02}",
                    call % REPS,
                    1 + rng.below(28)
                );
                let (old_first, new_first) = (
                    source.customer.split_whitespace().next().unwrap_or("Customer"),
                    customer.split_whitespace().next().unwrap_or("Customer"),
                );
                let windows = source.turns.len().saturating_sub(3).max(1);
                let texts = (0..CHUNKS_PER_CALL)
                    .map(|_| {
                        let start = rng.below(windows);
                        source.turns[start..(start + 4).min(source.turns.len())]
                            .join("\n")
                            .replace(&source.customer, &customer)
                            .replace(old_first, new_first)
                    })
                    .collect();
                (title, customer, texts)
            }
        }
    }

    /// A question about one customer's call (named) or about a topic across calls.
    fn question(&self, i: usize, customers: &[String], rng: &mut Rng) -> String {
        match self {
            Corpus::Synthetic => format!(
                "What did {} say about the {} and the {}?",
                NAMES[i % NAMES.len()],
                WORDS[rng.below(WORDS.len())],
                WORDS[rng.below(WORDS.len())]
            ),
            Corpus::Dev(_) if i % 3 == 2 => {
                format!("What do customers say about the {}?", TOPICS[rng.below(TOPICS.len())])
            }
            Corpus::Dev(_) => format!(
                "What did {} say about the {}?",
                customers[rng.below(customers.len())],
                TOPICS[rng.below(TOPICS.len())]
            ),
        }
    }
}

async fn bench_answers(n: usize, queries: usize, minilm: Option<Arc<dyn Embedder>>, corpus: &Corpus) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(otto_core::adapters::sql::SqliteStore::open(dir.path().join("otto.db")).await.unwrap());
    let blobs = Arc::new(otto_core::adapters::fs_blob::FsBlobStore::open(dir.path().join("blobs")).unwrap());
    let embedder = HashingEmbedder::new();
    let index = Arc::new(MemoryVectorIndex::in_memory(DIMS));
    let company = CompanyId::parse("bench_co").unwrap();
    let mut rng = Rng(42);
    let now = chrono::Utc::now();
    let started = Instant::now();
    let mut customers = Vec::new();
    for call in 0..n / CHUNKS_PER_CALL {
        let source_id = format!("call_{call}");
        let (title, customer, texts) = corpus.call(call, &mut rng);
        let chunks: Vec<Chunk> = texts
            .into_iter()
            .enumerate()
            .map(|(pos, text)| Chunk {
                chunk_id: Chunk::id_for(&source_id, pos as u32, &text),
                company_id: company.clone(),
                source_type: SourceType::Call,
                source_id: source_id.clone(),
                rep_id: Some(format!("rep_{}", call % REPS)),
                title: title.clone(),
                position: pos as u32,
                text,
                segment_start: Some(pos as u32 * 4),
                segment_end: Some(pos as u32 * 4 + 3),
                start_time: None,
                page: None,
                metadata: json!({"customer_name": customer}).as_object().unwrap().clone(),
                occurred_at: Some(now),
                created_at: now,
            })
            .collect();
        use otto_core::ports::KnowledgeStore;
        store.replace_chunks(&company, SourceType::Call, &source_id, &chunks).await.unwrap();
        customers.push(customer);
        let texts: Vec<String> = chunks.iter().map(|c| format!("{}\n{}", c.title, c.text)).collect();
        let vectors = embedder.embed(&texts).await.unwrap();
        let records = chunks
            .iter()
            .zip(vectors)
            .map(|(c, v)| VectorRecord {
                id: c.chunk_id.clone(),
                company_id: company.clone(),
                vector: v,
                metadata: json!({"source_type": "call", "source_id": c.source_id, "rep_id": c.rep_id,
                                 "occurred_at": now.to_rfc3339()})
                .as_object()
                .unwrap()
                .clone(),
            })
            .collect();
        index.upsert(records).await.unwrap();
    }
    let corpus_name = corpus.name();
    println!(
        "answer setup   {n:>7} chunks  {corpus_name} corpus (SQLite + hashing vectors) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let lexical = Otto::builder().store(store.clone()).blobs(blobs.clone()).build().unwrap();
    let hybrid = Otto::builder()
        .store(store)
        .blobs(blobs)
        .embedder(Arc::new(embedder))
        .vectors(index as Arc<dyn VectorIndex>)
        .build()
        .unwrap();
    let mgr = Principal::new("mgr", company.clone(), Role::Manager);
    let rep = Principal::new("rep_3", company.clone(), Role::SalesRep);
    let questions: Vec<String> = (0..queries).map(|i| corpus.question(i, &customers, &mut rng)).collect();
    for (mode, otto) in [("lexical", &lexical), ("hybrid", &hybrid)] {
        for (who, p) in [("manager", &mgr), ("rep", &rep)] {
            let mut times = Vec::with_capacity(queries);
            let mut cited = 0;
            for q in &questions {
                let t = Instant::now();
                let a = otto.answer(p, &AskRequest { question: q.clone(), ..Default::default() }).await.unwrap();
                times.push(t.elapsed());
                cited += usize::from(!a.citations.is_empty());
            }
            let (p50, p95) = percentiles(times);
            // A rep asking about another rep's customer rightly gets no citation.
            println!(
                "answer         {n:>7} chunks  {corpus_name:<9} {mode:<7} {who:<8}   p50 {p50:>7.2} ms  p95 {p95:>7.2} ms  \
                 ({}% cited)",
                cited * 100 / questions.len().max(1)
            );
        }
    }
    if let Some(m) = minilm {
        let mut times = Vec::new();
        for q in questions.iter().take(50) {
            let t = Instant::now();
            m.embed(std::slice::from_ref(q)).await.unwrap();
            times.push(t.elapsed());
        }
        let (p50, p95) = percentiles(times);
        println!("MiniLM question encoding (add to hybrid)             p50 {p50:>7.2} ms  p95 {p95:>7.2} ms");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes = vec![10_000usize, 100_000];
    let mut queries = 200usize;
    let mut dev = None;
    let mut pg = None;
    let mut only: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--dev" => dev = Some(std::path::PathBuf::from(v)),
            "--pg" => pg = Some(v.clone()),
            "--sizes" => sizes = v.split(',').map(|s| s.replace('_', "").parse().unwrap()).collect(),
            "--queries" => queries = v.parse().unwrap(),
            "--only" if v == "vectors" || v == "answers" => only = Some(v.clone()),
            other => panic!("unknown argument {other}"),
        }
    }
    #[allow(unused_mut, reason = "only the embed-minilm build sets it")]
    let mut minilm: Option<Arc<dyn Embedder>> = None;
    #[cfg(feature = "embed-minilm")]
    if let Some(dir) = std::env::var_os("OTTO_MINILM_DIR") {
        minilm = Some(Arc::new(otto_core::adapters::embed::MiniLmEmbedder::load(std::path::Path::new(&dir)).unwrap()));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("retrieval benchmark, {DIMS} dimensions, top 40, {queries} queries per row; load average {}", load.trim());
    for &n in sizes.iter().filter(|_| only.as_deref() != Some("answers")) {
        bench_vectors(n, queries, "in-memory", Arc::new(MemoryVectorIndex::in_memory(DIMS))).await;
        if let Some(url) = &pg {
            // A fresh table per size: the adapter names it after the model.
            let index =
                otto_core::adapters::sql::PgVectorIndex::connect(url, &format!("bench-{n}"), DIMS).await.unwrap();
            bench_vectors(n, queries, "pgvector", Arc::new(index)).await;
        }
    }
    if only.as_deref() == Some("vectors") {
        return;
    }
    let mut corpora = vec![Corpus::Synthetic];
    if let Some(dir) = dev {
        corpora.insert(0, Corpus::Dev(dev_calls(&dir)));
    }
    for corpus in &corpora {
        for &n in &sizes {
            bench_answers(n, queries.min(100), minilm.clone(), corpus).await;
        }
    }
}
