//! Dev-set evaluation of the offline analysis engine.
//!
//! Loads the labelled calls in `../../shared/eval/dev/dev_*.json` (relative to this crate), runs
//! [`otto_core::analysis::analyze`] on each, prints a per-call and an aggregate metrics table and
//! asserts the quality thresholds. Skips with a message when the dev directory is absent, so the
//! default test suite still runs on machines without the shared corpus.
//!
//! A second set of hand-written held-out calls lives in `tests/fixtures/analysis/held_*.json`
//! (same format, its own `sop.json`) and is scored with the same metrics and thresholds, as a
//! guard against tuning the engine to the dev set alone.
//!
//! Metric definitions:
//! - **Objection F1**: a predicted objection is a true positive when a gold objection of the
//!   same type is raised within two turn indices of it (the same customer turn or the adjacent
//!   customer turn on either side: a concern often builds over consecutive customer turns and the
//!   labels pick one of them). Matching is one-to-one; micro-averaged over all calls. The
//!   exact-turn F1 is printed alongside for reference.
//! - **Lead status accuracy**: share of calls whose hot/warm/cold matches `labels.lead_status`.
//! - **SOP stage F1**: micro F1 over (call, stage) pairs against `labels.sop_stages_present`.
//! - **Appointment exact-time accuracy**: share of calls where both agree there is no
//!   appointment, or both have one and the timestamps denote the same instant.
//! - **Rehash MAE**: mean absolute error of the 1-5 rehash score.
//! - **Summary key-fact recall**: share of `labels.key_facts` recalled by the summary's
//!   `content`. A fact's salient tokens are its words and numbers after lower-casing, dropping
//!   stopwords and thousands separators ("$21,400" -> "21400"), splitting digits from letters
//!   ("9am" -> "9", "am") and light stemming. The summary is tokenised the same way after its
//!   number words are normalised to digits. A token matches if the stems are equal or, for
//!   words of five or more letters, the first five letters agree. A fact is recalled when at
//!   least half of its salient tokens match.

use std::path::PathBuf;

use chrono::DateTime;
use otto_core::analysis::eval::{format_table, report, score_call, EvalTotals};
use otto_core::analysis::{analyze, AnalysisInput, CallAnalysis, Segment, Speaker, StageSpec};
use otto_core::CallType;
use serde_json::Value;

/// The labelled corpus: `$OTTO_EVAL_DIR` if set (to score another labelled set in the same
/// format), else the shared dev set.
fn dev_dir() -> PathBuf {
    std::env::var_os("OTTO_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/dev"))
}

fn load_stages(dir: &std::path::Path) -> Vec<StageSpec> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sop.json")).expect("read sop.json"))
        .expect("parse sop.json");
    v["stages"]
        .as_array()
        .expect("stages array")
        .iter()
        .map(|s| StageSpec {
            name: s["stage_name"].as_str().unwrap().to_string(),
            description: s["stage_description"].as_str().unwrap().to_string(),
            order: s["stage_order"].as_u64().unwrap() as u32,
        })
        .collect()
}

fn input_of(call: &Value, stages: &[StageSpec]) -> AnalysisInput {
    AnalysisInput {
        call_type: call["call_type"].as_str().and_then(|s| CallType::parse(s).ok()),
        started_at: call["started_at"].as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()),
        segments: call["turns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let speaker = match t["speaker"].as_str().unwrap() {
                    "rep" => Speaker::Rep,
                    "customer" => Speaker::Customer,
                    other => Speaker::Other(other.to_string()),
                };
                Segment::new(speaker, t["text"].as_str().unwrap())
            })
            .collect(),
        sop_stages: stages.to_vec(),
    }
}

#[test]
fn test_dev_set_meets_quality_thresholds() {
    let dir = dev_dir();
    if !dir.is_dir() {
        println!("skipping analysis dev eval: {} not found", dir.display());
        return;
    }
    run_set(&dir, "dev_", "dev-set", true);
}

/// Hand-written held-out calls (other companies, verticals and wording) checked into this
/// crate, scored with the same metrics and thresholds as the dev set.
#[test]
fn test_fixture_set_meets_quality_thresholds() {
    run_set(&fixture_dir(), "held_", "fixture-set", true);
}

/// Blind calls (`tests/fixtures/analysis/blind_*.json`): written and labelled before the engine's
/// rules were looked at, in verticals, phrasing and transcription styles (lower-case ASR-style
/// text with fillers and digits) that neither the dev set nor the `held_` set covers. Scored with
/// the same metrics and thresholds and the table printed, but a miss is reported rather than
/// failing the suite: this set measures generalisation and must not be tuned to. Set
/// `OTTO_BLIND_STRICT=1` to make the thresholds binding.
#[test]
fn test_blind_set_reports_quality() {
    let strict = std::env::var_os("OTTO_BLIND_STRICT").is_some();
    run_set(&fixture_dir(), "blind_", "blind-set", strict);
}

/// The checked-in fixture set: `tests/fixtures/analysis` in this crate.
fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analysis")
}

/// Scores every `<prefix>*.json` call in `dir` against its labels, prints the per-call rows and
/// the aggregate table, and (when `strict`) asserts the thresholds.
fn run_set(dir: &std::path::Path, prefix: &str, name: &str, strict: bool) {
    let stages = load_stages(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read eval dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {prefix}*.json files in {}", dir.display());
    println!("\n== {name}: {} ==", dir.display());
    let mut tot = EvalTotals::default();
    // Customer name as said on the call vs the label (info: the labels name every customer, but
    // not every customer says their name).
    let (mut names_right, mut names_wrong, mut names_missing) = (0, 0, Vec::new());
    for f in &files {
        let call: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let input = input_of(&call, &stages);
        let a = analyze(&input);
        assert_eq!(a, analyze(&input), "analysis must be deterministic");
        check_evidence(&a);
        println!("{}", score_call(&call, &a, &mut tot));
        let gold = call["customer"]["name"].as_str().unwrap_or_default().to_lowercase();
        match a.summary.customer_name.as_deref().map(str::to_lowercase) {
            Some(n) if !gold.is_empty() && (gold == n || gold.starts_with(&format!("{n} "))) => names_right += 1,
            Some(n) => {
                names_wrong += 1;
                println!("customer name: said {n:?}, label {gold:?}");
            }
            None => names_missing.push(call["id"].as_str().unwrap_or_default().to_string()),
        }
    }
    let (rows, info) = report(&tot);
    println!("\n{}", format_table(&rows, &info, name));
    println!(
        "customer name from the call: {names_right} right, {names_wrong} wrong, {} not found {names_missing:?}",
        names_missing.len()
    );
    assert_eq!(names_wrong, 0, "{name}: a wrong customer name is worse than none");
    let failed: Vec<&str> = rows.iter().filter(|r| !r.pass).map(|r| r.name).collect();
    if strict {
        assert!(failed.is_empty(), "{name} thresholds not met: {failed:?}");
    } else if !failed.is_empty() {
        println!("{name}: thresholds not met (reported, not asserted): {failed:?}");
    }
}

/// Every finding must carry evidence that points at a real segment.
fn check_evidence(a: &CallAnalysis) {
    assert_eq!(a.engine, "otto-offline");
    for o in &a.objections {
        assert!(!o.evidence.is_empty(), "objection without evidence");
    }
    for s in a.sop.stages.iter().filter(|s| s.performed) {
        assert!(!s.evidence.is_empty(), "stage without evidence");
    }
    for g in &a.sop.gaps {
        assert!(!g.evidence.is_empty(), "gap without evidence");
    }
    if let Some(x) = &a.appointment {
        assert!(!x.evidence.is_empty(), "appointment without evidence");
    }
    for k in a.summary.key_points.iter().chain(&a.summary.next_steps) {
        assert!(!k.evidence.is_empty(), "key point without evidence");
    }
    for c in a.coaching.strengths.iter().chain(&a.coaching.improvements) {
        assert!(!c.evidence.is_empty(), "coaching item without evidence");
    }
    for r in a.lead.qualification_reasons.iter().chain(&a.rehash.reasons).chain(&a.outcome.reasons) {
        assert!(!r.evidence.is_empty(), "reason without evidence");
    }
    for p in a.property.iter() {
        assert!(!p.evidence.is_empty(), "property fact without evidence");
    }
    for p in &a.phases {
        assert!(!p.evidence.is_empty(), "phase without evidence");
    }
}

/// Writes every analysis (dev set, fixture set and blind set) as JSON to `$OTTO_EVAL_DUMP` when set, for
/// inspection.
#[test]
fn test_dump_dev_analyses() {
    let Ok(out) = std::env::var("OTTO_EVAL_DUMP") else {
        return;
    };
    for (dir, prefix) in [(dev_dir(), "dev_"), (fixture_dir(), "held_"), (fixture_dir(), "blind_")] {
        if !dir.is_dir() {
            continue;
        }
        let stages = load_stages(&dir);
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if !(name.starts_with(prefix) && name.ends_with(".json")) {
                continue;
            }
            let call: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let a = analyze(&input_of(&call, &stages));
            std::fs::write(PathBuf::from(&out).join(&name), serde_json::to_string_pretty(&a).unwrap()).unwrap();
        }
    }
}
