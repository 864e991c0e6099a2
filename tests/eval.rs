//! `cargo xtask eval`: the labelled dev set through the public API, the way a customer would
//! run it. Starts `otto serve`, configures the SOP, submits every call as a transcript with
//! otto-client, reads the analyses back, asks the manager questions over the Ask Otto
//! WebSocket, and prints the metrics (definitions in `otto_core::analysis::eval`).
//!
//! Ignored by plain `cargo test` (it is a report, not a gate: the gates are the engine tests);
//! `OTTO_EVAL_DIR` points it at another set in the same format; `OTTO_EVAL_VERBOSE=1` also prints
//! each answer and the facts it missed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use otto_core::analysis::eval::{fact_recalled, format_table, report, salient, score_call, EvalTotals};
use otto_core::analysis::text::normalize_numbers;
use otto_core::api::ws::ServerMessage;
use otto_core::{CallStatus, NewSopStage, NewSopStages};
use otto_e2e::Server;
use serde_json::Value;

fn eval_dir() -> PathBuf {
    std::env::var_os("OTTO_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/dev"))
}

#[tokio::test]
#[ignore = "a report: run with `cargo xtask eval`"]
async fn eval_dev_set_through_the_api() {
    let dir = eval_dir();
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(
        data.path(),
        &[
            ("OTTO_RATE_LIMITS__CALLS", "0"),
            ("OTTO_RATE_LIMITS__RAG", "0"),
            ("OTTO_RATE_LIMITS__VOICE", "0"),
            ("OTTO_RATE_LIMITS__SOP", "0"),
        ],
    );
    let token = server.token("eval_co", "eval_manager", "manager");
    let client = server.client(&token, "eval_co");

    let sop: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sop.json")).expect("sop.json")).unwrap();
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
    client.create_sop_stages(&NewSopStages { stages }).await.unwrap();

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && p.file_name().unwrap() != "sop.json"
                && p.file_name().unwrap() != "questions.json"
        })
        .collect();
    files.sort();
    let calls: Vec<Value> =
        files.iter().map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()).collect();
    for c in &calls {
        let call = otto_core::analysis::eval::labelled_call_request(c);
        client.create_call(&call).await.unwrap();
    }
    let mut tot = EvalTotals::default();
    println!("\nAnalysis of {} calls through the API ({}):", calls.len(), dir.display());
    for c in &calls {
        let id = c["id"].as_str().unwrap();
        for _ in 0..600 {
            let s = client.call_status(id).await.unwrap();
            if matches!(s.status, CallStatus::Completed | CallStatus::Failed) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let a = client.analysis(id).await.unwrap().analysis;
        println!("{}", score_call(c, &a, &mut tot));
    }
    let (rows, info) = report(&tot);
    println!("\n{}\n", format_table(&rows, &info, "analysis via the API"));

    let Ok(text) = std::fs::read_to_string(dir.join("questions.json")) else { return };
    let questions: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut session = client.ask_session(None).await.unwrap();
    let (mut recall_sum, mut facts_hit, mut facts_total) = (0.0, 0usize, 0usize);
    for q in &questions {
        let asked = session.ask(q["question"].as_str().unwrap(), None, None, |_| {}).await.unwrap();
        let ServerMessage::ResponseComplete { answer, citations, .. } = asked.complete else { panic!("no answer") };
        let mut cited: Vec<String> = Vec::new();
        for c in citations {
            if !cited.contains(&c.source_id) {
                cited.push(c.source_id);
            }
        }
        cited.truncate(5);
        let want: Vec<&str> = q["source_call_ids"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let recall =
            want.iter().filter(|w| cited.iter().any(|c| c == *w)).count() as f64 / want.len().clamp(1, 5) as f64;
        let tokens: BTreeSet<String> = salient(&normalize_numbers(&answer)).into_iter().collect();
        let facts: Vec<&str> = q["answer_facts"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let hit = facts.iter().filter(|f| fact_recalled(f, &tokens)).count();
        recall_sum += recall.min(1.0);
        facts_hit += hit;
        facts_total += facts.len();
        println!("recall@5 {:.2}  facts {hit}/{}  {}", recall.min(1.0), facts.len(), q["question"].as_str().unwrap());
        if std::env::var_os("OTTO_EVAL_VERBOSE").is_some() {
            println!("  answer: {answer}");
            for f in facts.iter().filter(|f| !fact_recalled(f, &tokens)) {
                println!("  missed: {f}");
            }
        }
    }
    let n = questions.len().max(1) as f64;
    println!(
        "\nAsk Otto over the WebSocket: source-call recall@5 {:.3} (target >= 0.8), answer-fact recall {:.3}",
        recall_sum / n,
        facts_hit as f64 / facts_total.max(1) as f64
    );
}
