//! Scoring analyses against labelled calls (the dev-set format in `shared/eval/dev`): the
//! metrics `cargo xtask eval` and the engine's tests report.
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

use std::collections::BTreeSet;

use chrono::DateTime;
use serde_json::Value;

use super::text::{is_stopword, normalize_numbers, stem, words};
use super::CallAnalysis;

/// Threshold from the issue.
pub const OBJECTION_F1_MIN: f64 = 0.8;
/// Threshold from the issue.
pub const LEAD_ACC_MIN: f64 = 0.8;
/// Threshold from the issue.
pub const SOP_F1_MIN: f64 = 0.8;
/// Threshold from the issue.
pub const APPT_ACC_MIN: f64 = 0.75;
/// Threshold from the issue.
pub const REHASH_MAE_MAX: f64 = 1.0;
/// Threshold from the issue.
pub const KEY_FACT_RECALL_MIN: f64 = 0.7;

/// Salient tokens of a text, as defined in the module docs.
pub fn salient(text: &str) -> Vec<String> {
    let mut cleaned = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // Drop thousands separators and split digits from letters.
        if c == ',' && i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            continue;
        }
        if i > 0
            && (c.is_ascii_digit() != chars[i - 1].is_ascii_digit())
            && c.is_alphanumeric()
            && chars[i - 1].is_alphanumeric()
        {
            cleaned.push(' ');
        }
        cleaned.push(c);
    }
    words(&cleaned)
        .into_iter()
        .filter(|w| !is_stopword(w) && (w.len() > 1 || w.chars().all(|c| c.is_ascii_digit())))
        .map(|w| stem(&w))
        .collect()
}

pub fn fact_recalled(fact: &str, summary_tokens: &BTreeSet<String>) -> bool {
    let toks = salient(fact);
    if toks.is_empty() {
        return true;
    }
    let hit = toks
        .iter()
        .filter(|t| {
            summary_tokens.contains(*t)
                || (t.chars().count() >= 5
                    && summary_tokens.iter().any(|s| s.chars().count() >= 5 && s.chars().take(5).eq(t.chars().take(5))))
        })
        .count();
    hit * 2 >= toks.len()
}

/// Running counts over scored calls.
#[derive(Debug, Default, Clone)]
pub struct EvalTotals {
    /// Counter.
    pub obj_tp: usize,
    /// Counter.
    pub obj_fp: usize,
    /// Counter.
    pub obj_fn: usize,
    /// Counter.
    pub obj_exact_tp: usize,
    /// Counter.
    pub handled_ok: usize,
    /// Counter.
    pub handled_n: usize,
    /// Counter.
    pub lead_ok: usize,
    /// Counter.
    pub sop_tp: usize,
    /// Counter.
    pub sop_fp: usize,
    /// Counter.
    pub sop_fn: usize,
    /// Counter.
    pub appt_ok: usize,
    /// Counter.
    pub rehash_err: f64,
    /// Counter.
    pub outcome_ok: usize,
    /// Counter.
    pub qualified_ok: usize,
    /// Counter.
    pub facts: usize,
    /// Counter.
    pub facts_hit: usize,
    /// Counter.
    pub calls: usize,
}

/// F1 from counts (1.0 when there was nothing to find and nothing was found).
pub fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    if tp == 0 {
        return if fp == 0 && fn_ == 0 { 1.0 } else { 0.0 };
    }
    let p = tp as f64 / (tp + fp) as f64;
    let r = tp as f64 / (tp + fn_) as f64;
    2.0 * p * r / (p + r)
}

/// Scores one analysed call against its labels (dev-set JSON); returns a report row.
pub fn score_call(call: &Value, a: &CallAnalysis, tot: &mut EvalTotals) -> String {
    let labels = &call["labels"];
    tot.calls += 1;
    // Objections
    let gold: Vec<(String, i64, bool)> = labels["objections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (o["type"].as_str().unwrap().to_string(), o["turn"].as_i64().unwrap(), o["handled"].as_bool().unwrap())
        })
        .collect();
    let mut used = vec![false; gold.len()];
    let (mut tp, mut fp) = (0, 0);
    for p in &a.objections {
        let ty = p.objection_type.as_str();
        let m = gold
            .iter()
            .enumerate()
            .filter(|(i, g)| !used[*i] && g.0 == ty && (g.1 - p.segment_index as i64).abs() <= 2)
            .min_by_key(|(_, g)| (g.1 - p.segment_index as i64).abs());
        match m {
            Some((i, g)) => {
                used[i] = true;
                tp += 1;
                if g.1 == p.segment_index as i64 {
                    tot.obj_exact_tp += 1;
                }
                tot.handled_n += 1;
                if g.2 == p.handled {
                    tot.handled_ok += 1;
                }
            }
            None => fp += 1,
        }
    }
    let fn_ = used.iter().filter(|u| !**u).count();
    tot.obj_tp += tp;
    tot.obj_fp += fp;
    tot.obj_fn += fn_;
    // Lead
    let lead_gold = labels["lead_status"].as_str().unwrap();
    let lead_pred = a.lead.lead_status.as_str();
    tot.lead_ok += (lead_gold == lead_pred) as usize;
    if labels["qualified"].as_bool() == Some(a.lead.qualified) {
        tot.qualified_ok += 1;
    }
    // SOP
    let gold_st: BTreeSet<&str> =
        labels["sop_stages_present"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let pred_st: BTreeSet<&str> = a.sop.stages_completed.iter().map(String::as_str).collect();
    let s_tp = gold_st.intersection(&pred_st).count();
    let s_fp = pred_st.difference(&gold_st).count();
    let s_fn = gold_st.difference(&pred_st).count();
    tot.sop_tp += s_tp;
    tot.sop_fp += s_fp;
    tot.sop_fn += s_fn;
    // Appointment
    let gold_iso = labels["appointment"]["iso"].as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
    let pred_iso = a
        .appointment
        .as_ref()
        .and_then(|x| x.scheduled_at.as_deref())
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok());
    let appt_ok = match (gold_iso, pred_iso) {
        (None, None) => true,
        (Some(g), Some(p)) => g == p,
        _ => false,
    };
    tot.appt_ok += appt_ok as usize;
    // Rehash, outcome
    let rh_gold = labels["rehash_score"].as_i64().unwrap();
    let rh_pred = a.rehash.rehash_score as i64;
    tot.rehash_err += (rh_gold - rh_pred).abs() as f64;
    let oc_gold = labels["outcome"].as_str().unwrap();
    let oc_pred = a.outcome.outcome.as_str();
    tot.outcome_ok += (oc_gold == oc_pred) as usize;
    // Summary
    let summary_tokens: BTreeSet<String> = salient(&normalize_numbers(&a.summary.content)).into_iter().collect();
    let facts: Vec<&str> = labels["key_facts"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let hits = facts.iter().filter(|f| fact_recalled(f, &summary_tokens)).count();
    tot.facts += facts.len();
    tot.facts_hit += hits;
    let missed: Vec<&&str> = facts.iter().filter(|f| !fact_recalled(f, &summary_tokens)).collect();
    let sop_missing: Vec<&&str> = gold_st.difference(&pred_st).collect();
    let sop_extra: Vec<&&str> = pred_st.difference(&gold_st).collect();
    let preds: Vec<String> = a
        .objections
        .iter()
        .map(|o| format!("{}@{}{}", o.objection_type.as_str(), o.segment_index, if o.handled { "+" } else { "-" }))
        .collect();
    let golds: Vec<String> = gold.iter().map(|g| format!("{}@{}{}", g.0, g.1, if g.2 { "+" } else { "-" })).collect();
    let mut row = format!(
        "{:<7} obj tp{} fp{} fn{} | lead {:>4}/{:<4} | sop tp{} fp{} fn{} | appt {} | rehash {}/{} | outcome {}/{} | facts {}/{}",
        call["id"].as_str().unwrap(),
        tp,
        fp,
        fn_,
        lead_pred,
        lead_gold,
        s_tp,
        s_fp,
        s_fn,
        if appt_ok { "ok" } else { "MISS" },
        rh_pred,
        rh_gold,
        oc_pred,
        oc_gold,
        hits,
        facts.len()
    );
    if fp + fn_ > 0 {
        row.push_str(&format!("\n        objections pred {preds:?} gold {golds:?}"));
    }
    if !sop_missing.is_empty() || !sop_extra.is_empty() {
        row.push_str(&format!("\n        sop missing {sop_missing:?} extra {sop_extra:?}"));
    }
    if !appt_ok {
        row.push_str(&format!(
            "\n        appointment pred {:?} gold {:?}",
            a.appointment.as_ref().map(|x| (&x.when_text, &x.scheduled_at)),
            labels["appointment"]
        ));
    }
    if !missed.is_empty() && std::env::var("OTTO_EVAL_VERBOSE").is_ok() {
        row.push_str(&format!("\n        missed facts {missed:?}"));
    }
    row
}

/// One line of the metrics table.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// Metric name.
    pub name: &'static str,
    /// Value.
    pub value: f64,
    /// Target, e.g. `>= 0.8`.
    pub target: String,
    /// Whether the target is met.
    pub pass: bool,
}

/// The thresholded metrics of a scored set, and the informational ones as text.
pub fn report(tot: &EvalTotals) -> (Vec<MetricRow>, String) {
    let n = tot.calls.max(1) as f64;
    let obj_f1 = f1(tot.obj_tp, tot.obj_fp, tot.obj_fn);
    let obj_exact_f1 =
        f1(tot.obj_exact_tp, tot.obj_fp + tot.obj_tp - tot.obj_exact_tp, tot.obj_fn + tot.obj_tp - tot.obj_exact_tp);
    let lead_acc = tot.lead_ok as f64 / n;
    let sop_f1 = f1(tot.sop_tp, tot.sop_fp, tot.sop_fn);
    let appt_acc = tot.appt_ok as f64 / n;
    let mae = tot.rehash_err / n;
    let recall = tot.facts_hit as f64 / tot.facts.max(1) as f64;
    let row = |name, value, target: String, pass| MetricRow { name, value, target, pass };
    let rows = vec![
        row("objection F1 (type, turn +-2)", obj_f1, format!(">= {OBJECTION_F1_MIN}"), obj_f1 >= OBJECTION_F1_MIN),
        row("lead status accuracy", lead_acc, format!(">= {LEAD_ACC_MIN}"), lead_acc >= LEAD_ACC_MIN),
        row("SOP stage F1", sop_f1, format!(">= {SOP_F1_MIN}"), sop_f1 >= SOP_F1_MIN),
        row("appointment exact-time accuracy", appt_acc, format!(">= {APPT_ACC_MIN}"), appt_acc >= APPT_ACC_MIN),
        row("rehash MAE", mae, format!("<= {REHASH_MAE_MAX}"), mae <= REHASH_MAE_MAX),
        row("summary key-fact recall", recall, format!(">= {KEY_FACT_RECALL_MIN}"), recall >= KEY_FACT_RECALL_MIN),
    ];
    let info = format!(
        "{:<34} {:>7.3}  (info)\n{:<34} {:>7.3}  (info, over matched objections)\n{:<34} {:>7.3}  (info)\n{:<34} {:>7.3}  (info)\nobjections: tp {} fp {} fn {}; sop: tp {} fp {} fn {}; calls {}",
        "objection F1 (type, exact turn)",
        obj_exact_f1,
        "objection handled accuracy",
        tot.handled_ok as f64 / tot.handled_n.max(1) as f64,
        "outcome accuracy",
        tot.outcome_ok as f64 / n,
        "qualified accuracy",
        tot.qualified_ok as f64 / n,
        tot.obj_tp, tot.obj_fp, tot.obj_fn, tot.sop_tp, tot.sop_fp, tot.sop_fn, tot.calls
    );
    (rows, info)
}

/// The table as text.
pub fn format_table(rows: &[MetricRow], info: &str, name: &str) -> String {
    let mut out = format!("{:<34} {:>7}  {:<8} result ({name})\n", "metric", "value", "target");
    for r in rows {
        out.push_str(&format!(
            "{:<34} {:>7.3}  {:<8} {}\n",
            r.name,
            r.value,
            r.target,
            if r.pass { "PASS" } else { "FAIL" }
        ));
    }
    out.push_str(info);
    out
}

/// A labelled call (dev-set JSON) as the API request that submits it: the turns as a
/// transcript, and the CRM-style names (customer, rep, company) as metadata, as a VOIP or CRM
/// integration would send them.
pub fn labelled_call_request(c: &Value) -> crate::domain::NewCall {
    let mut metadata = serde_json::Map::new();
    metadata.insert("customer_name".into(), c["customer"]["name"].clone());
    metadata.insert("rep_name".into(), c["rep"]["name"].clone());
    metadata.insert("company_name".into(), c["company"].clone());
    crate::domain::NewCall {
        call_id: c["id"].as_str().map(Into::into),
        rep_id: c["rep"]["id"].as_str().map(Into::into),
        call_type: serde_json::from_value(c["call_type"].clone()).ok(),
        started_at: serde_json::from_value(c["started_at"].clone()).ok(),
        caller_phone: c["customer"]["phone"].as_str().map(Into::into),
        metadata: Some(metadata),
        segments: Some(
            c["turns"]
                .as_array()
                .map(|turns| {
                    turns
                        .iter()
                        .map(|t| crate::domain::SegmentInput {
                            speaker: t["speaker"].as_str().unwrap_or("unknown").into(),
                            text: t["text"].as_str().unwrap_or_default().into(),
                            start_time: None,
                            end_time: None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ),
        ..Default::default()
    }
}
