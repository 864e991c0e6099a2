//! SOP compliance: which configured stages the rep performed, where, how well, and what is
//! missing.
//!
//! Stages arrive as free text ({name, description, order}). Each stage is mapped to a generic
//! sales intent (opening, discovery, qualification, value presentation, objection handling,
//! close, recap) by the overlap of its name and description with a small profile per intent.
//! Each intent has a detector built from generic cues (e.g. discovery = the rep asks about the
//! problem; close = the rep asks for a commitment or books a time). Lexical overlap between a rep
//! turn and the stage description adds confidence, and is the only detector for stages that
//! match no known intent, so custom stages ("mention the recording disclosure") still work.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointment::Appointment;
use super::objections::Objection;
use super::text::{content_stems, count_any, has_any, stem};
use super::{conf, Evidence, Role, StageSpec, Transcript, Turn};

/// How well a performed stage was executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionQuality {
    /// Thorough: several clear signals of the stage.
    Strong,
    /// Done, but briefly.
    Adequate,
    /// Barely touched.
    Weak,
}

/// The result for one configured stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StageResult {
    /// Stage name as configured.
    pub stage_name: String,
    /// Stage order as configured.
    pub stage_order: u32,
    /// The generic intent the stage was matched to ("discovery", ..., or "custom").
    pub matched_intent: String,
    /// Whether the rep performed it.
    pub performed: bool,
    /// First segment where it was performed.
    pub segment_index: Option<usize>,
    /// Seconds into the call where it was first performed, if timing is known.
    pub detected_at: Option<f64>,
    /// Execution quality, for performed stages.
    pub quality: Option<ExecutionQuality>,
    /// Confidence in `performed`.
    pub confidence: f32,
    /// Where it happened (empty when not performed; see [`SopAnalysis::gaps`]).
    pub evidence: Vec<Evidence>,
}

/// A configured stage the rep skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StageGap {
    /// Stage name.
    pub stage_name: String,
    /// Stage order.
    pub stage_order: u32,
    /// What the rep should have done.
    pub recommendation: String,
    /// Confidence that it was really skipped.
    pub confidence: f32,
    /// The point in the call where the stage belonged.
    pub evidence: Vec<Evidence>,
}

/// SOP compliance for one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SopAnalysis {
    /// Every configured stage in SOP order.
    pub stages: Vec<StageResult>,
    /// Names of performed stages, in SOP order.
    pub stages_completed: Vec<String>,
    /// Names of skipped stages, in SOP order.
    pub stages_missing: Vec<String>,
    /// Skipped stages with recommendations.
    pub gaps: Vec<StageGap>,
    /// Share of configured stages performed (0.0-1.0; 0.0 when no stages are configured).
    pub compliance_score: f32,
}

/// Generic sales intents a configured stage can map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Intent {
    Opening,
    Discovery,
    Qualification,
    Presentation,
    ObjectionHandling,
    Close,
    Recap,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Opening => "opening",
            Intent::Discovery => "discovery",
            Intent::Qualification => "qualification",
            Intent::Presentation => "value_presentation",
            Intent::ObjectionHandling => "objection_handling",
            Intent::Close => "close",
            Intent::Recap => "recap",
        }
    }
    const ALL: [Intent; 7] = [
        Intent::Opening,
        Intent::Discovery,
        Intent::Qualification,
        Intent::Presentation,
        Intent::ObjectionHandling,
        Intent::Close,
        Intent::Recap,
    ];
    /// Words (stem prefixes) that describe the intent in a playbook.
    fn profile(self) -> &'static [&'static str] {
        match self {
            Intent::Opening => &[
                "greet",
                "introduc",
                "intro",
                "open",
                "welcom",
                "hello",
                "company name",
                "own name",
                "thank",
                "rapport",
                "answer",
                "agenda",
                "purpose",
            ],
            Intent::Discovery => &[
                "discover",
                "need",
                "question",
                "problem",
                "symptom",
                "pain",
                "understand",
                "assess",
                "situation",
                "diagnos",
                "listen",
                "condition",
                "prompt",
                "matter",
                "explor",
                "investigat",
            ],
            Intent::Qualification => &[
                "qualif",
                "owner",
                "own",
                "authorit",
                "decision",
                "budget",
                "timelin",
                "urgen",
                "service area",
                "workabl",
                "expectation",
                "bant",
                "fit",
                "eligib",
            ],
            Intent::Presentation => &[
                "value",
                "present",
                "solution",
                "recommend",
                "proposal",
                "option",
                "pric",
                "warrant",
                "benefit",
                "demo",
                "credential",
                "includ",
                "explain",
                "pitch",
                "offer",
            ],
            Intent::ObjectionHandling => &[
                "objection",
                "concern",
                "pushback",
                "hesitat",
                "acknowledg",
                "resolv",
                "rebut",
                "overcom",
                "clarifying",
            ],
            Intent::Close => &[
                "close",
                "closing",
                "appointment",
                "book",
                "commitment",
                "schedul",
                "sale",
                "sign",
                "ask for",
                "specific time",
                "commit",
            ],
            Intent::Recap => &[
                "recap",
                "next step",
                "summar",
                "restat",
                "confirm",
                "wrap",
                "agreed",
                "happens next",
                "meantime",
                "follow through",
            ],
        }
    }
}

/// Maps a configured stage to the intent whose profile best matches its name (weighted 3x)
/// and description.
pub(crate) fn intent_for(stage: &StageSpec) -> Option<Intent> {
    let name = stage.name.to_lowercase();
    let desc = stage.description.to_lowercase();
    let hits = |text: &str, p: &str| -> usize {
        if p.contains(' ') {
            text.matches(p).count()
        } else {
            super::text::words(text).iter().filter(|w| w.starts_with(p)).count()
        }
    };
    Intent::ALL
        .iter()
        .map(|&i| {
            let s: usize = i.profile().iter().map(|p| 3 * hits(&name, p) + hits(&desc, p)).sum();
            (i, s)
        })
        .filter(|(_, s)| *s >= 2)
        .max_by_key(|(i, s)| (*s, std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
}

const INTRO: &[&str] = &[
    "this is",
    "my name is",
    "speaking",
    "calling from",
    "my name's",
    "with ~ roofing|plumbing|solar|heating|air|hvac|windows|exteriors|electric|company|home|services",
    "i'm ~ from|with",
];
const THANKS: &[&str] = &[
    "thanks|thank for calling|having|making|taking",
    "thank you for calling|having|making|taking",
    "good morning|afternoon|evening",
    "appreciate you",
    "thanks|thank ~ for letting|coming|meeting|your time",
    "nice to meet you",
];
const DISCOVERY: &[&str] = &[
    "what made|prompted|brings|brought|got",
    "what's been",
    "what's going on",
    "tell me",
    "how old",
    "when did",
    "what did you notice",
    "have you noticed|seen",
    "is anything",
    "anything going on",
    "what matters",
    "what happened",
    "how long has",
    "what kind of",
    "walk me through",
    "what are you seeing",
    "describe",
    "still thinking about",
    "what's the|your biggest",
    "what's ~ your|the ~ goal|goals|priority|concern",
    "how long have|has",
    "has anyone",
    "how many",
    "what's it doing",
    "doing exactly",
    "is it just|still|only",
    "is any",
    "do you hear|see|notice|smell|use",
    "single or",
    "important to you",
];
const ASSET: &[&str] = &[
    "roof",
    "system",
    "unit",
    "water heater",
    "ac",
    "furnace",
    "bill*",
    "usage",
    "shingles",
    "leak*",
    "drip*",
    "nois*",
    "drain*",
    "pipe*",
    "window*",
    "panel*",
    "heater",
    "plumbing",
    "problem",
    "issue",
    "trouble",
    "replacement",
    "notice*",
    "happening",
    "sink*",
    "toilet*",
    "tub*",
    "shower*",
    "door*",
    "opener",
    "spring*",
    "attic",
    "insulation",
    "gutter*",
    "draft*",
    "bedroom*",
    "garage",
    "water",
    "thermostat",
    "fan",
];
const QUALIFY: &[&str] = &[
    "own",
    "owner",
    "homeowner",
    "renting",
    "rent",
    "how long ~ planning|staying|plan|live",
    "you and",
    "both",
    "anyone else",
    "who else",
    "decision",
    "budget",
    "number ~ in your head|in mind",
    "had in mind",
    "timeline",
    "how soon",
    "looking to",
    "zip",
    "service area",
    "insurance claim",
    "how were you planning to pay",
    "financing in mind",
    "the one who",
    "owned",
    "yours",
    "your home|house|property",
    "what town|city|county",
    "where ~ located",
    "insurance",
    "landlord*",
    "owner's",
];
const VALUE_STRONG: &[&str] = &[
    "recommend*",
    "warrant*",
    "here's what",
    "what we'd do",
    "includ*",
    "guarantee*",
    "what i'm recommending",
    "goes toward",
    "applied toward",
    "is free",
    "no charge",
    "at no cost",
    "credited|applied|goes|go ~ toward|towards",
    "i'd point you",
    "i'd suggest",
    "fixed price",
];
const VALUE: &[&str] = &[
    "option*",
    "covers",
    "priority",
    "free",
    "no subcontractors",
    "our own",
    "licensed",
    "certified",
    "design*",
    "would cover",
    "should cut",
    "save*",
    "savings",
    "applied toward",
    "goes toward",
    "fits",
    "that way",
    "so it doesn't",
    "efficien*",
    "local company",
    "cleans",
    "checks",
    "tests",
    "payback",
    "production",
    "document",
    "photos",
    "inspection",
    "diagnos*",
    "based on",
    "offset*",
    "tax credit",
    "rebate*",
    "a month",
    "per month",
    "soft credit",
    "written",
    "installed",
    "the total",
    "usually that's",
    "will ~ replace|fix|repair|install|re",
];
const CLOSE: &[&str] = &[
    "book",
    "schedule",
    "opening",
    "how about",
    "does that work",
    "will that work",
    "would ~ work",
    "i can get ~ technician|someone|somebody|crew|you",
    "i have ~ monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|this|next",
    "sign",
    "paperwork",
    "go ahead with",
    "like to go ahead",
    "ready to",
    "want to ~ book|schedule|get started|move forward",
    "would it work if",
    "open to me coming",
    "i could come",
    "get you ~ installed|scheduled|on the schedule|in",
    "lock ~ in",
    "reserve",
    "set up a time",
];
const RECAP: &[&str] = &[
    "recap",
    "so you're",
    "have you down",
    "confirmation",
    "in the meantime",
    "meanwhile",
    "i'll email",
    "i'll text",
    "i'll send",
    "call you back",
    "you'll get a text",
    "what happens next",
    "next step*",
    "to confirm",
    "will call you",
    "i'll be back",
    "you're all set",
    "you're booked",
    "i'll bring",
    "see you monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|then",
    "one more thing",
    "please don't",
    "keep the|that|it",
];

/// One detected occurrence of an intent in a rep turn.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub turn: usize,
    pub quote: String,
    pub strength: usize,
}

fn question_hits(turn: &Turn, cues: &[&str], extra: Option<&[&str]>) -> Option<Hit> {
    let mut strength = 0;
    let mut quote = None;
    for s in &turn.sentences {
        let cue = has_any(&s.tokens, cues);
        let ok = if let Some(extra) = extra {
            (s.question && cue)
                || (s.question && has_any(&s.tokens, extra) && !has_any(&s.tokens, QUALIFY))
                || (cue && has_any(&s.tokens, &["tell me", "walk me through", "describe"]))
        } else {
            s.question && cue
        };
        if ok {
            strength += 1;
            quote.get_or_insert_with(|| s.text.clone());
        }
    }
    quote.map(|quote| Hit { turn: turn.index, quote, strength })
}

/// Detects an intent in one rep turn.
pub(crate) fn detect_in_turn(t: &Transcript, turn: &Turn, intent: Intent) -> Option<Hit> {
    if turn.role != Role::Rep {
        return None;
    }
    let pos = t.position(turn.index);
    match intent {
        Intent::Opening => {
            let rank = t.by(Role::Rep).position(|x| x.index == turn.index)?;
            if rank > 1 || pos > 0.3 {
                return None;
            }
            let intro = has_any(&turn.tokens, INTRO);
            let thanks = has_any(&turn.tokens, THANKS);
            (intro || thanks).then(|| Hit {
                turn: turn.index,
                quote: turn.sentences.first().map_or_else(|| turn.text.clone(), |s| s.text.clone()),
                strength: intro as usize
                    + thanks as usize
                    + has_any(&turn.tokens, &["help", "agenda", "purpose", "reason i'm calling", "following up"])
                        as usize,
            })
        }
        Intent::Discovery => question_hits(turn, DISCOVERY, Some(ASSET)),
        Intent::Qualification => question_hits(turn, QUALIFY, None),
        Intent::Presentation => {
            if turn.word_count() < 15 {
                return None;
            }
            let strong = count_any(&turn.tokens, VALUE_STRONG);
            let weak = count_any(&turn.tokens, VALUE);
            (strong >= 1 || weak >= 2).then(|| Hit {
                turn: turn.index,
                quote: turn
                    .sentences
                    .iter()
                    .find(|s| has_any(&s.tokens, VALUE_STRONG) || has_any(&s.tokens, VALUE))
                    .map_or_else(|| turn.text.clone(), |s| s.text.clone()),
                strength: 2 * strong + weak,
            })
        }
        Intent::ObjectionHandling => None,
        Intent::Close => {
            let n = count_any(&turn.tokens, CLOSE);
            (n >= 1).then(|| Hit { turn: turn.index, quote: turn.evidence_for(CLOSE).quote, strength: n })
        }
        Intent::Recap => {
            if pos < 0.55 {
                return None;
            }
            let n = count_any(&turn.tokens, RECAP);
            (n >= 1).then(|| Hit { turn: turn.index, quote: turn.evidence_for(RECAP).quote, strength: n })
        }
    }
}

/// All hits of an intent across the call.
pub(crate) fn detect_intent(
    t: &Transcript,
    intent: Intent,
    objections: &[Objection],
    appointment: Option<&Appointment>,
) -> Vec<Hit> {
    match intent {
        Intent::ObjectionHandling => objections
            .iter()
            .filter(|o| o.rep_attempted)
            .filter_map(|o| {
                let reply = t.next_by(o.segment_index, Role::Rep)?;
                Some(Hit { turn: reply.index, quote: reply.text.clone(), strength: 1 + o.handled as usize })
            })
            .collect(),
        Intent::Close => {
            let mut hits: Vec<Hit> = t.turns.iter().filter_map(|x| detect_in_turn(t, x, intent)).collect();
            if let Some(a) = appointment {
                for e in &a.evidence {
                    if t.turns[e.segment_index].role == Role::Rep && !hits.iter().any(|h| h.turn == e.segment_index) {
                        hits.push(Hit { turn: e.segment_index, quote: e.quote.clone(), strength: 2 });
                    }
                }
                hits.sort_by_key(|h| h.turn);
            }
            hits
        }
        _ => t.turns.iter().filter_map(|x| detect_in_turn(t, x, intent)).collect(),
    }
}

/// Stems that say nothing about what a stage is.
const GENERIC_STEMS: &[&str] = &[
    "customer", "rep", "call", "ask", "such", "what", "where", "useful", "counted", "even", "make", "tri", "give",
    "the",
];

fn lexical_hits(t: &Transcript, stage: &StageSpec) -> Vec<Hit> {
    let desc: BTreeSet<String> = content_stems(&format!("{} {}", stage.name, stage.description))
        .into_iter()
        .filter(|w| w.len() > 2 && !GENERIC_STEMS.contains(&w.as_str()))
        .collect();
    if desc.is_empty() {
        return Vec::new();
    }
    t.by(Role::Rep)
        .filter_map(|turn| {
            let stems: BTreeSet<String> = turn.tokens.iter().map(|w| stem(w)).collect();
            let overlap = desc.iter().filter(|d| stems.contains(*d)).count();
            (overlap >= 3 || overlap * 4 >= desc.len().max(4)).then(|| Hit {
                turn: turn.index,
                quote: turn.text.clone(),
                strength: overlap,
            })
        })
        .collect()
}

fn recommendation(intent: Option<Intent>, stage: &StageSpec) -> String {
    match intent {
        Some(Intent::Opening) => {
            "Open with the company name and your own name, thank the customer and set the purpose of the call".into()
        }
        Some(Intent::Discovery) => {
            "Ask open questions about the problem, its history and what matters most before proposing anything".into()
        }
        Some(Intent::Qualification) => {
            "Confirm ownership or authority, who else decides, timeline and budget expectations".into()
        }
        Some(Intent::Presentation) => {
            "Explain the recommended solution and tie it to what the customer said: what's included, warranty, options"
                .into()
        }
        Some(Intent::ObjectionHandling) => {
            "Acknowledge each concern, ask a clarifying question, and answer it with information or an option".into()
        }
        Some(Intent::Close) => "Ask for a concrete commitment: a booked time or the sale".into(),
        Some(Intent::Recap) => "Before ending, restate what was agreed and what happens next".into(),
        None => format!("Perform the '{}' stage: {}", stage.name, stage.description),
    }
}

/// Analyses SOP compliance for the configured stages.
pub(crate) fn analyze(
    t: &Transcript,
    stages: &[StageSpec],
    objections: &[Objection],
    appointment: Option<&Appointment>,
) -> SopAnalysis {
    let mut ordered: Vec<&StageSpec> = stages.iter().collect();
    ordered.sort_by_key(|s| s.order);
    let n = ordered.len().max(1);
    let mut results = Vec::new();
    let mut gaps = Vec::new();
    for (rank, stage) in ordered.iter().enumerate() {
        let intent = intent_for(stage);
        let lexical = lexical_hits(t, stage);
        let hits = match intent {
            Some(i) => detect_intent(t, i, objections, appointment),
            None => lexical.clone(),
        };
        let performed = !hits.is_empty();
        let first = hits.first();
        let lex_support = hits.iter().any(|h| lexical.iter().any(|l| l.turn == h.turn));
        let total_strength: usize = hits.iter().map(|h| h.strength).sum();
        let quality = performed.then_some({
            if total_strength >= 4 {
                ExecutionQuality::Strong
            } else if total_strength >= 2 {
                ExecutionQuality::Adequate
            } else {
                ExecutionQuality::Weak
            }
        });
        let confidence = if performed {
            0.6 + 0.08 * total_strength.min(4) as f32 + if lex_support { 0.08 } else { 0.0 }
                - if intent.is_none() { 0.15 } else { 0.0 }
        } else {
            0.7 - if lexical.is_empty() { 0.0 } else { 0.2 } - if intent.is_none() { 0.15 } else { 0.0 }
        };
        let evidence: Vec<Evidence> = hits.iter().take(3).map(|h| t.turns[h.turn].evidence_quote(&h.quote)).collect();
        if !performed {
            // Point at the rep turn where the stage belonged, by its rank in the SOP.
            let reps: Vec<&Turn> = t.by(Role::Rep).collect();
            let at = if reps.is_empty() { None } else { Some(reps[(rank * reps.len() / n).min(reps.len() - 1)]) };
            if let Some(turn) = at {
                gaps.push(StageGap {
                    stage_name: stage.name.clone(),
                    stage_order: stage.order,
                    recommendation: recommendation(intent, stage),
                    confidence: conf(confidence),
                    evidence: vec![turn.evidence()],
                });
            }
        }
        results.push(StageResult {
            stage_name: stage.name.clone(),
            stage_order: stage.order,
            matched_intent: intent.map_or("custom", |i| i.as_str()).to_string(),
            performed,
            segment_index: first.map(|h| h.turn),
            detected_at: first.and_then(|h| t.turns[h.turn].start),
            quality,
            confidence: conf(confidence),
            evidence,
        });
    }
    // Objection handling is not applicable when there was nothing to handle: it neither counts
    // for nor against compliance.
    let applicable: Vec<&StageResult> = results
        .iter()
        .filter(|r| !(r.matched_intent == Intent::ObjectionHandling.as_str() && objections.is_empty()))
        .collect();
    let compliance_score = if applicable.is_empty() {
        0.0
    } else {
        conf(applicable.iter().filter(|r| r.performed).count() as f32 / applicable.len() as f32)
    };
    let objection_free = objections.is_empty();
    gaps.retain(|g| {
        !(objection_free
            && results
                .iter()
                .any(|r| r.stage_name == g.stage_name && r.matched_intent == Intent::ObjectionHandling.as_str()))
    });
    SopAnalysis {
        stages_completed: results.iter().filter(|r| r.performed).map(|r| r.stage_name.clone()).collect(),
        stages_missing: results.iter().filter(|r| !r.performed).map(|r| r.stage_name.clone()).collect(),
        stages: results,
        gaps,
        compliance_score,
    }
}
