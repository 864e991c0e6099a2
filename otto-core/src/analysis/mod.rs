//! Offline call analysis: a deterministic, rule-based engine that turns a diarised transcript
//! into lead, objection, SOP, appointment, outcome, rehash, coaching, segmentation, metrics,
//! summary and property findings.
//!
//! The engine is pure Rust with no network, model weights or global state, so it runs inside
//! every embedding of `otto-core` (server, bindings, tests) and always gives the same answer for
//! the same input. Every finding carries [`Evidence`] pointing at the transcript segments it was
//! derived from, plus a confidence in `0.0..=1.0`.
//!
//! ```
//! use otto_core::analysis::{analyze, AnalysisInput, Segment, Speaker};
//!
//! let input = AnalysisInput {
//!     call_type: None,
//!     started_at: None,
//!     segments: vec![
//!         Segment::new(Speaker::Rep, "Thanks for calling Acme Roofing, this is Sam."),
//!         Segment::new(Speaker::Customer, "Hi, my roof is leaking."),
//!     ],
//!     sop_stages: vec![],
//! };
//! let analysis = analyze(&input);
//! assert_eq!(analysis.engine, "otto-offline");
//! assert!(analysis.objections.is_empty());
//! ```

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::CallType;

pub mod appointment;
pub mod coaching;
pub mod eval;
pub mod lead;
pub mod metrics;
pub mod objections;
pub mod outcome;
pub(crate) mod parties;
pub mod property;
pub mod rehash;
pub mod segments;
pub mod sop;
pub mod summary;
pub mod text;

pub use appointment::Appointment;
pub use coaching::{CoachingFeedback, CoachingItem};
pub use lead::{BantScores, LeadClassification, LeadStatus};
pub use metrics::ConversationMetrics;
pub use objections::{Objection, ObjectionType, Severity};
pub use outcome::{CallOutcome, OutcomeAnalysis};
pub use property::PropertyFact;
pub use rehash::RehashScore;
pub use segments::{MeetingPhase, PhaseType};
pub use sop::{ExecutionQuality, SopAnalysis, StageGap, StageResult};
pub use summary::CallSummary;

/// Name of this engine, reported in every [`CallAnalysis`].
pub const ENGINE: &str = "otto-offline";
/// Version of the rules; bump it whenever a lexicon or threshold changes, so stored analyses
/// can be told apart from re-runs.
pub const ENGINE_VERSION: &str = "0.1.0";

/// Who spoke a segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The company's representative (CSR or sales rep).
    Rep,
    /// The customer or prospect.
    Customer,
    /// Any other diarised label; common role names ("agent", "caller") are mapped to rep or
    /// customer, anything else is ignored by role-specific rules.
    Other(String),
}

/// One diarised utterance of the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Segment {
    /// Who spoke.
    pub speaker: Speaker,
    /// What was said.
    pub text: String,
    /// Seconds from the start of the recording, if known.
    pub start_time: Option<f64>,
    /// Seconds from the start of the recording, if known.
    pub end_time: Option<f64>,
}

impl Segment {
    /// A segment without timing.
    pub fn new(speaker: Speaker, text: impl Into<String>) -> Self {
        Segment { speaker, text: text.into(), start_time: None, end_time: None }
    }
}

/// One configured SOP stage. Stages are matched from their description, not their name alone,
/// so companies can phrase their playbooks freely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StageSpec {
    /// Display name, e.g. "Needs Discovery".
    pub name: String,
    /// What the rep is expected to do in this stage.
    pub description: String,
    /// Position in the playbook (1-based by convention).
    pub order: u32,
}

/// Everything the engine needs to analyse one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnalysisInput {
    /// Kind of call; changes how outcomes are read (a second visit after an in-home pitch is a
    /// follow-up, a booked visit on an inbound call is an appointment).
    pub call_type: Option<CallType>,
    /// When the call started, with the local UTC offset; spoken times resolve against it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<DateTime<FixedOffset>>,
    /// The diarised transcript in order.
    pub segments: Vec<Segment>,
    /// The company's SOP stages; empty means no SOP analysis.
    pub sop_stages: Vec<StageSpec>,
}

/// A pointer into the transcript that supports a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    /// Index into [`AnalysisInput::segments`].
    pub segment_index: usize,
    /// Start of the segment in seconds, if known.
    pub start_time: Option<f64>,
    /// End of the segment in seconds, if known.
    pub end_time: Option<f64>,
    /// The sentence (or segment) that supports the finding, verbatim.
    pub quote: String,
}

/// One reason behind a score or classification, with the transcript evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    /// What the reason is about, e.g. "need", "budget", "outcome".
    pub dimension: String,
    /// Human-readable reason.
    pub text: String,
    /// Whether it raises (true) or lowers (false) the score.
    pub positive: bool,
    /// Supporting transcript excerpts.
    pub evidence: Vec<Evidence>,
}

/// The full result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CallAnalysis {
    /// Always [`ENGINE`].
    pub engine: String,
    /// Always [`ENGINE_VERSION`].
    pub engine_version: String,
    /// Lead score, hot/warm/cold, qualification and BANT sub-scores.
    pub lead: LeadClassification,
    /// Objections the customer raised, in order; empty when there were none.
    pub objections: Vec<Objection>,
    /// SOP stages performed, gaps and compliance.
    pub sop: SopAnalysis,
    /// The concrete future meeting booked on this call, if any.
    pub appointment: Option<Appointment>,
    /// How the call ended.
    pub outcome: OutcomeAnalysis,
    /// Follow-up priority 1-5.
    pub rehash: RehashScore,
    /// Strengths and improvements for the rep.
    pub coaching: CoachingFeedback,
    /// The call split into phases.
    pub phases: Vec<MeetingPhase>,
    /// Talk ratio, monologues, interactivity, questions.
    pub metrics: ConversationMetrics,
    /// Extractive summary.
    pub summary: CallSummary,
    /// Facts about the property and its systems.
    pub property: Vec<PropertyFact>,
}

/// Role of a speaker after mapping free-form labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Rep,
    Customer,
    Other,
}

/// One sentence of a turn, pre-tokenised in both raw and number-normalised form.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    pub text: String,
    pub tokens: Vec<String>,
    pub norm_text: String,
    pub question: bool,
}

/// A segment prepared once for every analyzer.
#[derive(Debug, Clone)]
pub(crate) struct Turn {
    pub index: usize,
    pub role: Role,
    pub text: String,
    pub tokens: Vec<String>,
    pub sentences: Vec<Sentence>,
    pub start: Option<f64>,
    pub end: Option<f64>,
}

impl Turn {
    /// Evidence quoting the whole turn.
    pub fn evidence(&self) -> Evidence {
        self.evidence_quote(&self.text)
    }
    /// Evidence quoting one sentence (or any excerpt) of the turn.
    pub fn evidence_quote(&self, quote: &str) -> Evidence {
        Evidence { segment_index: self.index, start_time: self.start, end_time: self.end, quote: quote.to_string() }
    }
    /// Evidence quoting the first sentence that contains any of `patterns`, else the turn.
    pub fn evidence_for(&self, patterns: &[&str]) -> Evidence {
        self.sentences
            .iter()
            .find(|s| text::has_any(&s.tokens, patterns))
            .map_or_else(|| self.evidence(), |s| self.evidence_quote(&s.text))
    }
    pub fn word_count(&self) -> usize {
        self.tokens.len()
    }
}

/// The prepared transcript shared by all analyzers.
#[derive(Debug, Clone)]
pub(crate) struct Transcript {
    pub turns: Vec<Turn>,
    pub call_type: Option<CallType>,
    pub started_at: Option<DateTime<FixedOffset>>,
}

impl Transcript {
    fn new(input: &AnalysisInput) -> Self {
        let turns = input
            .segments
            .iter()
            .enumerate()
            .map(|(index, seg)| {
                let role = match &seg.speaker {
                    Speaker::Rep => Role::Rep,
                    Speaker::Customer => Role::Customer,
                    Speaker::Other(label) => role_from_label(label),
                };
                let sentences = text::sentences(&seg.text)
                    .into_iter()
                    .flat_map(|s| text::split_unpunctuated(&s))
                    .map(|s| Sentence {
                        tokens: text::clean_tokens(text::words(&s)),
                        norm_text: text::normalize_numbers(&s),
                        question: text::is_question(&s),
                        text: s,
                    })
                    .collect();
                Turn {
                    index,
                    role,
                    tokens: text::clean_tokens(text::words(&seg.text)),
                    text: seg.text.clone(),
                    sentences,
                    start: seg.start_time,
                    end: seg.end_time,
                }
            })
            .collect();
        Transcript { turns, call_type: input.call_type, started_at: input.started_at }
    }

    /// Turns spoken by `role`.
    pub fn by(&self, role: Role) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(move |t| t.role == role)
    }

    /// The next turn after `idx` spoken by `role`.
    pub fn next_by(&self, idx: usize, role: Role) -> Option<&Turn> {
        self.turns.iter().skip(idx + 1).find(|t| t.role == role)
    }

    /// Relative position of a turn in the call, 0.0 (first) to 1.0 (last).
    pub fn position(&self, idx: usize) -> f32 {
        if self.turns.len() <= 1 {
            0.0
        } else {
            idx as f32 / (self.turns.len() - 1) as f32
        }
    }
}

/// Maps free-form diarisation labels onto roles, so "agent"/"caller" transcripts still work.
fn role_from_label(label: &str) -> Role {
    let l = label.to_lowercase();
    const REP: &[&str] = &[
        "rep",
        "agent",
        "csr",
        "sales",
        "salesperson",
        "advisor",
        "technician",
        "tech",
        "representative",
        "employee",
        "staff",
    ];
    const CUSTOMER: &[&str] = &["customer", "caller", "client", "homeowner", "prospect", "lead", "buyer", "owner"];
    if REP.iter().any(|r| l.contains(r)) {
        Role::Rep
    } else if CUSTOMER.iter().any(|c| l.contains(c)) {
        Role::Customer
    } else {
        Role::Other
    }
}

/// Analyses one call. Pure and deterministic: the same input always gives the same output.
pub fn analyze(input: &AnalysisInput) -> CallAnalysis {
    let t = Transcript::new(input);
    let objections = objections::detect(&t);
    let appointment = appointment::detect(&t);
    let outcome = outcome::detect(&t, &objections, appointment.as_ref());
    let objections = objections::finalize(&t, objections, &outcome);
    let sop = sop::analyze(&t, &input.sop_stages, &objections, appointment.as_ref());
    let lead = lead::classify(&t, &objections, appointment.as_ref(), &outcome);
    let rehash = rehash::score(&lead, &outcome, appointment.as_ref(), &objections);
    let metrics = metrics::compute(&t);
    let phases = segments::segment(&t, &objections);
    let property = property::extract(&t);
    let mut summary = summary::summarize(&t, &objections, appointment.as_ref(), &outcome, &property);
    summary.customer_name = parties::customer_name(&t);
    let coaching = coaching::feedback(&t, &sop, &objections, &metrics, &outcome, appointment.as_ref());
    CallAnalysis {
        engine: ENGINE.to_string(),
        engine_version: ENGINE_VERSION.to_string(),
        lead,
        objections,
        sop,
        appointment,
        outcome,
        rehash,
        coaching,
        phases,
        metrics,
        summary,
        property,
    }
}

/// The name the customer gave (or the rep greeted them by), from the words alone. Other engines
/// use it where their own answer leaves the name out.
pub fn customer_name(input: &AnalysisInput) -> Option<String> {
    parties::customer_name(&Transcript::new(input))
}

/// Clamps a confidence into `0.0..=1.0` and rounds it to two decimals, so serialized output is
/// stable and readable.
pub(crate) fn conf(x: f32) -> f32 {
    (x.clamp(0.0, 1.0) * 100.0).round() / 100.0
}
