//! Turning calls (and, later, documents) into retrievable chunks.
//!
//! Each analysed call yields a header chunk built from its analysis (who, when, outcome,
//! objections with the customer's words, appointment, key points, next steps) and transcript
//! windows of a few turns. Both carry the call's people in their title, because questions name
//! customers, reps and places more often than they paraphrase what was said.

#[cfg(feature = "documents")]
pub mod documents;
mod terms;
mod vectors;

use serde_json::{Map, Value};

use crate::analysis::CallAnalysis;
use crate::domain::{Call, Chunk, SourceType, Transcript};

pub use terms::{query_terms, STOP_WORDS};
pub use vectors::RetrievalMode;

/// Turns per transcript window.
pub const WINDOW_TURNS: usize = 4;
/// Turns two consecutive windows share, so an exchange cut at a boundary is whole in one.
pub const WINDOW_OVERLAP: usize = 1;

fn meta_str<'a>(call: &'a Call, key: &str) -> Option<&'a str> {
    call.metadata.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The call's title: id, type, rep, customer, company and date, as people refer to it.
pub fn call_title(call: &Call) -> String {
    let mut parts = vec![format!("Call {}", call.call_id)];
    if let Some(t) = call.call_type {
        parts.push(t.as_str().replace('_', " "));
    }
    match (meta_str(call, "rep_name"), call.rep_id.as_deref()) {
        (Some(name), _) => parts.push(format!("rep {name}")),
        (None, Some(id)) => parts.push(format!("rep {id}")),
        _ => {}
    }
    if let Some(name) = meta_str(call, "customer_name") {
        parts.push(format!("customer {name}"));
    }
    if let Some(co) = meta_str(call, "company_name") {
        parts.push(co.to_string());
    }
    if let Some(t) = call.local_started_at() {
        parts.push(t.format("%Y-%m-%d").to_string());
    }
    parts.join(" | ")
}

fn base_metadata(call: &Call) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(t) = call.call_type {
        m.insert("call_type".into(), Value::String(t.as_str().into()));
    }
    for key in ["customer_name", "rep_name", "company_name"] {
        if let Some(v) = meta_str(call, key) {
            m.insert(key.into(), Value::String(v.into()));
        }
    }
    m
}

/// The chunks of an analysed call.
pub fn chunk_call(
    call: &Call,
    transcript: &Transcript,
    analysis: &CallAnalysis,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Chunk> {
    let title = call_title(call);
    let occurred_at = Some(call.started_at.unwrap_or(call.created_at));
    let make = |position: u32, text: String, seg: Option<(u32, u32)>, start: Option<f64>, kind: &str| {
        let mut metadata = base_metadata(call);
        metadata.insert("chunk_kind".into(), Value::String(kind.into()));
        Chunk {
            chunk_id: Chunk::id_for(&call.call_id, position, &text),
            company_id: call.company_id.clone(),
            source_type: SourceType::Call,
            source_id: call.call_id.clone(),
            rep_id: call.rep_id.clone(),
            title: title.clone(),
            position,
            text,
            segment_start: seg.map(|s| s.0),
            segment_end: seg.map(|s| s.1),
            start_time: start,
            page: None,
            metadata,
            occurred_at,
            created_at: now,
        }
    };

    let mut out = vec![make(0, header_text(call, analysis), None, None, "summary")];
    let segs = &transcript.segments;
    let step = WINDOW_TURNS - WINDOW_OVERLAP;
    let mut start = 0;
    while start < segs.len() {
        let end = (start + WINDOW_TURNS).min(segs.len());
        let text = segs[start..end]
            .iter()
            .map(|s| format!("{}: {}", role_label(call, s.role), s.text.trim()))
            .collect::<Vec<_>>()
            .join("\n");
        let position = out.len() as u32;
        out.push(make(
            position,
            text,
            Some((start as u32, (end - 1) as u32)),
            Some(segs[start].start_time),
            "transcript",
        ));
        if end == segs.len() {
            break;
        }
        start += step;
    }
    out
}

fn role_label(call: &Call, role: crate::domain::SpeakerRole) -> String {
    use crate::domain::SpeakerRole;
    match role {
        SpeakerRole::Rep => meta_str(call, "rep_name").map_or_else(|| "Rep".into(), |n| format!("Rep ({n})")),
        SpeakerRole::Customer => {
            meta_str(call, "customer_name").map_or_else(|| "Customer".into(), |n| format!("Customer ({n})"))
        }
        SpeakerRole::Unknown => "Speaker".into(),
    }
}

/// The analysis as prose: what a manager would want found by a question about this call.
fn header_text(call: &Call, a: &CallAnalysis) -> String {
    let mut lines = vec![format!(
        "Outcome: {}. Lead {} (score {:.0}%), {}.",
        a.outcome.outcome.as_str().replace('_', " "),
        a.lead.lead_status.as_str(),
        a.lead.lead_score * 100.0,
        if a.lead.qualified { "qualified" } else { "not qualified" }
    )];
    for r in a.outcome.reasons.iter().chain(a.lead.qualification_reasons.iter().filter(|r| !r.positive)) {
        lines.push(format!("Why: {}.", r.text.trim_end_matches('.')));
    }
    if let Some(appt) = &a.appointment {
        lines.push(format!("Appointment booked: {} {}.", appt.appointment_type.replace('_', " "), appt.when_phrase()));
    }
    for o in &a.objections {
        lines.push(format!(
            "Objection ({}, {}): \"{}\"",
            o.objection_type.as_str(),
            if o.handled { "handled" } else { "not handled" },
            o.objection_text
        ));
    }
    let performed: Vec<&str> = a.sop.stages.iter().filter(|s| s.performed).map(|s| s.stage_name.as_str()).collect();
    if !a.sop.stages.is_empty() {
        lines.push(format!(
            "SOP compliance {:.0}%: performed {}; missed {}.",
            a.sop.compliance_score * 100.0,
            if performed.is_empty() { "none".into() } else { performed.join(", ") },
            if a.sop.stages_missing.is_empty() { "none".into() } else { a.sop.stages_missing.join(", ") }
        ));
    }
    for f in &a.property {
        lines.push(format!("Property: {} {}.", f.fact_type.replace('_', " "), f.value));
    }
    for k in &a.summary.key_points {
        lines.push(k.text.clone());
    }
    for n in &a.summary.next_steps {
        lines.push(format!("Next step: {}", n.text));
    }
    if let Some(phone) = &call.caller_phone {
        lines.push(format!("Customer phone {phone}."));
    }
    lines.join("\n")
}
