//! Meeting segmentation: splits the call into phases (opening, discovery, qualification,
//! presentation, objection handling, closing, wrap-up) using the same intent detectors as the
//! SOP analysis, so phases and stages agree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::objections::Objection;
use super::sop::{detect_in_turn, Intent};
use super::{conf, Evidence, Role, Transcript};

/// Kind of meeting phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhaseType {
    /// Greeting, introductions, agenda.
    Opening,
    /// Questions about the problem.
    Discovery,
    /// Ownership, decision makers, budget, timeline.
    Qualification,
    /// Recommendation, options, pricing.
    Presentation,
    /// Customer concerns and the rep's answers.
    ObjectionHandling,
    /// Asking for the booking or the sale.
    Closing,
    /// Recap, next steps, goodbyes.
    WrapUp,
}

/// One contiguous phase of the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeetingPhase {
    /// Kind of phase.
    pub segment_type: PhaseType,
    /// First segment index of the phase.
    pub start_segment: usize,
    /// Last segment index of the phase (inclusive).
    pub end_segment: usize,
    /// Start in seconds, if timing is known.
    pub start_time: Option<f64>,
    /// End in seconds, if timing is known.
    pub end_time: Option<f64>,
    /// Length in seconds, if timing is known.
    pub duration: Option<f64>,
    /// What happened in the phase (verbatim key sentences).
    pub key_points: Vec<String>,
    /// Confidence in the phase label.
    pub confidence: f32,
    /// The sentences that identified the phase.
    pub evidence: Vec<Evidence>,
}

fn phase_of(intent: Intent) -> PhaseType {
    match intent {
        Intent::Opening => PhaseType::Opening,
        Intent::Discovery => PhaseType::Discovery,
        Intent::Qualification => PhaseType::Qualification,
        Intent::Presentation => PhaseType::Presentation,
        Intent::ObjectionHandling => PhaseType::ObjectionHandling,
        Intent::Close => PhaseType::Closing,
        Intent::Recap => PhaseType::WrapUp,
    }
}

/// Segments the call into phases.
pub(crate) fn segment(t: &Transcript, objections: &[Objection]) -> Vec<MeetingPhase> {
    // Label each turn; the first matching intent in this priority order wins.
    const PRIORITY: [Intent; 6] =
        [Intent::Opening, Intent::Recap, Intent::Close, Intent::Presentation, Intent::Qualification, Intent::Discovery];
    let mut labels: Vec<Option<(PhaseType, Option<String>)>> = vec![None; t.turns.len()];
    for turn in &t.turns {
        if let Some(o) = objections.iter().find(|o| o.segment_index == turn.index) {
            labels[turn.index] = Some((PhaseType::ObjectionHandling, Some(o.objection_text.clone())));
            if let Some(r) = t.next_by(turn.index, Role::Rep) {
                if r.index == turn.index + 1 {
                    labels[r.index] = Some((PhaseType::ObjectionHandling, None));
                }
            }
            continue;
        }
        if labels[turn.index].is_some() {
            continue;
        }
        labels[turn.index] =
            PRIORITY.iter().find_map(|&i| detect_in_turn(t, turn, i).map(|h| (phase_of(i), Some(h.quote))));
    }
    let mut phases: Vec<MeetingPhase> = Vec::new();
    let mut current: Option<PhaseType> = None;
    for (i, turn) in t.turns.iter().enumerate() {
        let label = labels[i].clone();
        let kind = label.as_ref().map(|l| l.0).or(current).unwrap_or(PhaseType::Opening);
        let quote = label.and_then(|l| l.1);
        if current != Some(kind) || phases.is_empty() {
            phases.push(MeetingPhase {
                segment_type: kind,
                start_segment: i,
                end_segment: i,
                start_time: turn.start,
                end_time: turn.end,
                duration: None,
                key_points: Vec::new(),
                confidence: 0.0,
                evidence: Vec::new(),
            });
            current = Some(kind);
        }
        let p = phases.last_mut().expect("a phase was just pushed");
        p.end_segment = i;
        p.end_time = turn.end.or(p.end_time);
        if let Some(q) = quote {
            if p.key_points.len() < 3 {
                p.key_points.push(q.clone());
            }
            p.evidence.push(turn.evidence_quote(&q));
        }
    }
    for p in &mut phases {
        if p.evidence.is_empty() {
            p.evidence.push(t.turns[p.start_segment].evidence());
        }
        p.duration = match (p.start_time, p.end_time) {
            (Some(s), Some(e)) => Some((e - s).max(0.0)),
            _ => None,
        };
        let labelled = (p.start_segment..=p.end_segment).filter(|&i| labels[i].is_some()).count();
        let span = p.end_segment - p.start_segment + 1;
        p.confidence = conf(0.5 + 0.4 * labelled as f32 / span as f32);
    }
    phases
}
