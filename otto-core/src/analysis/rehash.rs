//! Rehash score: 1-5 follow-up priority (5 = very likely to close or already closing, 1 = do
//! not pursue), derived from the outcome, the lead status and what kind of meeting was booked.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointment::Appointment;
use super::lead::{LeadClassification, LeadStatus};
use super::objections::Objection;
use super::outcome::{CallOutcome, OutcomeAnalysis, OUT_OF_AREA_REASON};
use super::{conf, Evidence, Reason};

/// Follow-up priority with reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RehashScore {
    /// 1 (do not pursue) to 5 (closing).
    pub rehash_score: u8,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Confidence in the score.
    pub confidence: f32,
    /// Supporting excerpts.
    pub evidence: Vec<Evidence>,
}

/// Scores follow-up priority.
pub(crate) fn score(
    lead: &LeadClassification,
    outcome: &OutcomeAnalysis,
    appointment: Option<&Appointment>,
    objections: &[Objection],
) -> RehashScore {
    let mut reasons: Vec<Reason> = outcome.reasons.clone();
    let no_need = lead.bant.need <= 0.0;
    let out_of_area = outcome.reasons.iter().any(|r| r.text == OUT_OF_AREA_REASON);
    let (score, why): (u8, &str) = match outcome.outcome {
        CallOutcome::Sold => (5, "Already closed; protect the sale"),
        CallOutcome::NotQualified if no_need => (1, "No need or wrong caller; do not pursue"),
        CallOutcome::NotQualified if out_of_area => (1, "Outside the service area; do not pursue"),
        CallOutcome::NotQualified => (2, "Real need but not workable now (authority or area)"),
        CallOutcome::Lost if !lead.qualified => (1, "Bought elsewhere; the job is gone"),
        CallOutcome::Lost => (2, "Lost for now; revisit later"),
        _ => match (lead.lead_status, appointment) {
            (LeadStatus::Hot, _) => (5, "Hot lead with a committed next step"),
            // A low-ticket service visit is a smaller opportunity than a sales consultation.
            (_, Some(a)) if a.appointment_type == "service_visit" => {
                (3, "Service visit booked; modest sales opportunity")
            }
            (_, Some(_)) => (4, "Meeting booked with an open decision"),
            (LeadStatus::Warm, None) => (3, "Interested; follow-up agreed but no meeting"),
            (_, None) => (2, "Little commitment"),
        },
    };
    let open: Vec<&Objection> = objections.iter().filter(|o| !o.handled).collect();
    if let Some(o) = open.first() {
        reasons.push(Reason {
            dimension: "objections".into(),
            text: format!("{} unresolved objection(s), first: {}", open.len(), o.objection_type.as_str()),
            positive: false,
            evidence: o.evidence.iter().take(1).cloned().collect(),
        });
    }
    if let Some(first) = reasons.first_mut() {
        first.text = format!("{why}. {}", first.text);
    }
    let evidence = reasons.iter().filter_map(|r| r.evidence.first().cloned()).collect();
    RehashScore { rehash_score: score, reasons, confidence: conf(outcome.confidence * 0.9), evidence }
}
