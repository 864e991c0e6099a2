//! Lead classification: a 0-1 lead score, hot/warm/cold, whether the lead is qualified, and
//! BANT (budget, authority, need, timeline) sub-scores with the reasons behind them.
//!
//! The status follows commitment more than talk: a sale, or a meeting booked within a day or
//! for an active problem, is hot; any other booked meeting or agreed follow-up is warm; lost,
//! disqualified and dead-end calls are cold. The numeric score blends BANT and is kept inside
//! the band of the status so the two never contradict each other.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointment::Appointment;
use super::objections::{Objection, ObjectionType};
use super::outcome::{signals, CallOutcome, OutcomeAnalysis};
use super::{conf, Evidence, Reason, Transcript};

/// Lead temperature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Ready to buy or acting now.
    Hot,
    /// Interested, decision pending.
    Warm,
    /// Not buying from us now.
    Cold,
}

impl LeadStatus {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Hot => "hot",
            LeadStatus::Warm => "warm",
            LeadStatus::Cold => "cold",
        }
    }
}

/// BANT sub-scores, each 0.0 (absent/negative) to 1.0 (confirmed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BantScores {
    /// Ability and willingness to pay.
    pub budget: f32,
    /// The caller can make or reach the decision.
    pub authority: f32,
    /// A real problem or project exists.
    pub need: f32,
    /// How soon they will act.
    pub timeline: f32,
}

/// Lead classification with reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeadClassification {
    /// 0.0 (dead) to 1.0 (closing).
    pub lead_score: f32,
    /// Hot, warm or cold.
    pub lead_status: LeadStatus,
    /// Meets basic criteria: owner or owner's authority, real need, workable (not a wrong
    /// number, renter, out-of-area caller or someone who already bought elsewhere).
    pub qualified: bool,
    /// BANT sub-scores.
    pub bant: BantScores,
    /// Why the lead scored as it did.
    pub qualification_reasons: Vec<Reason>,
    /// Confidence in the status.
    pub confidence: f32,
    /// The strongest supporting excerpts.
    pub evidence: Vec<Evidence>,
}

fn push(reasons: &mut Vec<Reason>, dim: &str, text: &str, positive: bool, e: Option<&Evidence>) {
    if let Some(e) = e {
        reasons.push(Reason { dimension: dim.into(), text: text.into(), positive, evidence: vec![e.clone()] });
    }
}

/// Whole days between the call and the appointment (0 = same day).
pub(crate) fn days_until(started: Option<DateTime<FixedOffset>>, appt: Option<&Appointment>) -> Option<i64> {
    let start = started?;
    let at = DateTime::parse_from_rfc3339(appt?.scheduled_at.as_deref()?).ok()?;
    Some((at.date_naive() - start.date_naive()).num_days())
}

/// Classifies the lead.
pub(crate) fn classify(
    t: &Transcript,
    objections: &[Objection],
    appointment: Option<&Appointment>,
    outcome: &OutcomeAnalysis,
) -> LeadClassification {
    let s = signals(t);
    let mut reasons = Vec::new();
    let unhandled = |k: ObjectionType| objections.iter().find(|o| o.objection_type == k && !o.handled);
    let days = days_until(t.started_at, appointment);

    // Need
    let mut need: f32 = 0.3;
    if s.problem.is_some() {
        need = 0.75;
        push(&mut reasons, "need", "Customer described a problem or project", true, s.problem.as_ref());
    }
    if s.urgency.is_some() {
        need = 0.95;
        push(&mut reasons, "need", "Active or urgent problem", true, s.urgency.as_ref());
    }
    if let Some(o) = unhandled(ObjectionType::Need) {
        need = need.min(0.35);
        push(&mut reasons, "need", "Customer doubts the work is needed", false, o.evidence.first());
    }
    if s.wrong_number.is_some() || (s.no_need.is_some() && s.problem.is_none()) {
        need = 0.0;
        push(&mut reasons, "need", "No current need", false, s.wrong_number.as_ref().or(s.no_need.as_ref()));
    }

    // Authority
    let mut authority: f32 = 0.5;
    if s.owner.is_some() {
        authority = 0.9;
        push(&mut reasons, "authority", "Homeowner / decision maker on the call", true, s.owner.as_ref());
    }
    if let Some(o) = objections.iter().find(|o| o.objection_type == ObjectionType::Authority) {
        authority = if o.handled { authority.min(0.7) } else { authority.min(0.35) };
        push(&mut reasons, "authority", "Another person must approve", false, o.evidence.first());
    }
    if s.renter.is_some() {
        authority = 0.1;
        push(&mut reasons, "authority", "Caller does not own the property", false, s.renter.as_ref());
    }

    if s.owner_authorized.is_some() && s.owner.is_none() {
        authority = authority.max(0.7);
        push(&mut reasons, "authority", "Owner already authorised the work", true, s.owner_authorized.as_ref());
    }

    // Budget
    let mut budget: f32 = 0.5;
    if s.budget_ready.is_some() {
        budget = 0.8;
        push(&mut reasons, "budget", "Money set aside or payment path confirmed", true, s.budget_ready.as_ref());
    }
    for k in [ObjectionType::Price, ObjectionType::Financing] {
        if let Some(o) = objections.iter().find(|o| o.objection_type == k) {
            budget = if o.handled { budget.min(0.6) } else { budget.min(0.25) };
            push(&mut reasons, "budget", &format!("{} concern raised", k.as_str()), false, o.evidence.first());
        }
    }
    if outcome.outcome == CallOutcome::Sold {
        budget = 1.0;
    }

    // Timeline
    let mut timeline: f32 = 0.4;
    if let Some(d) = days {
        timeline = if d <= 1 {
            0.95
        } else if d <= 7 {
            0.75
        } else {
            0.55
        };
        push(
            &mut reasons,
            "timeline",
            &format!("Meeting booked {d} day(s) out"),
            true,
            appointment.and_then(|a| a.evidence.first()),
        );
    } else if s.urgency.is_some() {
        timeline = 0.8;
    }
    if let Some(o) = unhandled(ObjectionType::Timing) {
        timeline = timeline.min(0.25);
        push(&mut reasons, "timeline", "Customer wants to wait", false, o.evidence.first());
    }

    let dead = matches!(outcome.outcome, CallOutcome::Lost | CallOutcome::NotQualified);
    let committed = outcome.outcome == CallOutcome::Sold || appointment.is_some();
    let hot = outcome.outcome == CallOutcome::Sold
        || (!dead && appointment.is_some() && (days.is_some_and(|d| d <= 1) || s.urgency.is_some()));
    // A follow-up the customer has pushed months out, with nothing booked, is not warm.
    let far_off = outcome.outcome == CallOutcome::FollowUp && appointment.is_none() && s.deferred_far.is_some();
    let status = if dead || far_off {
        LeadStatus::Cold
    } else if hot {
        LeadStatus::Hot
    } else if committed || outcome.outcome == CallOutcome::FollowUp {
        LeadStatus::Warm
    } else {
        LeadStatus::Cold
    };
    for r in &outcome.reasons {
        reasons.push(r.clone());
    }
    let bant_score = 0.3 * need + 0.2 * authority + 0.2 * budget + 0.3 * timeline;
    let (lo, hi) = match status {
        LeadStatus::Hot => (0.75, 1.0),
        LeadStatus::Warm => (0.45, 0.74),
        LeadStatus::Cold => (0.0, 0.44),
    };
    let lead_score = conf(bant_score.clamp(lo, hi));
    let qualified = s.wrong_number.is_none()
        && s.out_of_area.is_none()
        && s.already_bought.is_none()
        && !(s.renter.is_some() && s.owner.is_none())
        && need > 0.0;
    let evidence: Vec<Evidence> = reasons.iter().filter_map(|r| r.evidence.first().cloned()).take(4).collect();
    LeadClassification {
        lead_score,
        lead_status: status,
        qualified,
        bant: BantScores {
            budget: conf(budget),
            authority: conf(authority),
            need: conf(need),
            timeline: conf(timeline),
        },
        qualification_reasons: reasons,
        confidence: conf(outcome.confidence * 0.9 + if evidence.len() >= 2 { 0.08 } else { 0.0 }),
        evidence,
    }
}
