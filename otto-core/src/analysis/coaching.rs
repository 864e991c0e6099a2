//! Coaching feedback: strengths and improvements for the rep, each grounded in another
//! analysis (SOP stages, objections, talk metrics, outcome) and its evidence.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointment::Appointment;
use super::metrics::ConversationMetrics;
use super::objections::Objection;
use super::outcome::{CallOutcome, OutcomeAnalysis};
use super::sop::{ExecutionQuality, SopAnalysis};
use super::{conf, Evidence, Role, Transcript};

/// One coaching note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoachingItem {
    /// Area, e.g. "discovery", "objection_handling", "talk_ratio", "closing".
    pub feedback_type: String,
    /// The observation.
    pub feedback_text: String,
    /// What to do (more of, or differently).
    pub improvement_suggestions: Vec<String>,
    /// "high", "medium" or "low".
    pub priority: String,
    /// Confidence in the observation.
    pub confidence: f32,
    /// Where it happened.
    pub evidence: Vec<Evidence>,
}

/// Coaching for one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoachingFeedback {
    /// What went well.
    pub strengths: Vec<CoachingItem>,
    /// What to improve, most important first.
    pub improvements: Vec<CoachingItem>,
}

fn item(
    kind: &str,
    text: String,
    tips: &[&str],
    priority: &str,
    c: f32,
    evidence: Vec<Evidence>,
) -> Option<CoachingItem> {
    (!evidence.is_empty()).then(|| CoachingItem {
        feedback_type: kind.into(),
        feedback_text: text,
        improvement_suggestions: tips.iter().map(|s| s.to_string()).collect(),
        priority: priority.into(),
        confidence: conf(c),
        evidence,
    })
}

/// Builds coaching feedback. Items without evidence are dropped, never invented.
pub(crate) fn feedback(
    t: &Transcript,
    sop: &SopAnalysis,
    objections: &[Objection],
    metrics: &ConversationMetrics,
    outcome: &OutcomeAnalysis,
    appointment: Option<&Appointment>,
) -> CoachingFeedback {
    let mut strengths = Vec::new();
    let mut improvements = Vec::new();

    for st in sop.stages.iter().filter(|s| s.performed && s.quality == Some(ExecutionQuality::Strong)) {
        strengths.extend(item(
            &st.matched_intent,
            format!("Strong '{}' stage", st.stage_name),
            &["Keep doing this on every call"],
            "low",
            st.confidence,
            st.evidence.iter().take(2).cloned().collect(),
        ));
    }
    for o in objections.iter().filter(|o| o.handled) {
        strengths.extend(item(
            "objection_handling",
            format!("Resolved the {} objection and kept the call moving", o.objection_type.as_str()),
            &["Keep acknowledging before answering"],
            "low",
            o.confidence,
            o.evidence.clone(),
        ));
    }
    if let Some(a) = appointment {
        strengths.extend(item(
            "closing",
            format!("Booked a concrete {} ({})", a.appointment_type.replace('_', " "), a.when_text),
            &["Confirm the booking in writing"],
            "low",
            a.confidence,
            a.evidence.iter().take(2).cloned().collect(),
        ));
    }

    for o in objections.iter().filter(|o| !o.handled) {
        let text = if o.rep_attempted {
            format!("The {} objection was answered but not resolved", o.objection_type.as_str())
        } else {
            format!("The {} objection was dismissed or left unanswered", o.objection_type.as_str())
        };
        let tips: Vec<&str> = o.response_suggestions.iter().map(String::as_str).collect();
        let priority = if o.rep_attempted { "medium" } else { "high" };
        improvements.extend(item("objection_handling", text, &tips, priority, o.confidence, o.evidence.clone()));
    }
    for g in &sop.gaps {
        let priority = if matches!(outcome.outcome, CallOutcome::Lost) { "high" } else { "medium" };
        improvements.extend(item(
            "sop_gap",
            format!("Skipped the '{}' stage", g.stage_name),
            &[g.recommendation.as_str()],
            priority,
            g.confidence,
            g.evidence.clone(),
        ));
    }
    if metrics.rep_talk_ratio > 0.65 {
        let ev = metrics
            .longest_monologue
            .as_ref()
            .map(|m| m.evidence.iter().take(1).cloned().collect())
            .unwrap_or_default();
        improvements.extend(item(
            "talk_ratio",
            format!("Rep talked {:.0}% of the time", metrics.rep_talk_ratio * 100.0),
            &[
                "Ask an open question and let the customer talk",
                "Aim for the customer speaking at least 40% of the time",
            ],
            "medium",
            0.7,
            ev,
        ));
    }
    if metrics.rep_questions < 2 {
        let ev = t.by(Role::Rep).next().map(|x| vec![x.evidence()]).unwrap_or_default();
        improvements.extend(item(
            "discovery",
            format!("Only {} question(s) asked", metrics.rep_questions),
            &["Ask about the problem, its history and what matters most before quoting"],
            "high",
            0.75,
            ev,
        ));
    }
    let rank = |p: &str| match p {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    improvements.sort_by_key(|i| rank(&i.priority));
    CoachingFeedback { strengths, improvements }
}
