//! Extractive summary: the sentences that carry facts (amounts, dates and times, names,
//! problems, objections, property facts) and the agreed next steps, with numbers rewritten as
//! digits so "fifteen thousand" reads "15000".
//!
//! Extractive on purpose: every key point is a sentence someone actually said, so the summary
//! cannot state anything the call did not contain.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointment::{find_dates_and_times, Appointment};
use super::objections::Objection;
use super::outcome::{OutcomeAnalysis, PROBLEM};
use super::property::PropertyFact;
use super::text::{has_any, words};
use super::{conf, Evidence, Role, Transcript};

/// One summary line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KeyPoint {
    /// The line, e.g. "Customer: We've had about 15000 set aside for a new one."
    pub text: String,
    /// How strongly it carries facts, relative to the rest of the call.
    pub confidence: f32,
    /// The sentence it came from.
    pub evidence: Vec<Evidence>,
}

/// An extractive call summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CallSummary {
    /// The whole summary as one text: outcome, key points and next steps.
    pub content: String,
    /// Fact-carrying sentences in call order.
    pub key_points: Vec<KeyPoint>,
    /// Agreed actions.
    pub next_steps: Vec<KeyPoint>,
    /// The customer's name as they said it ("this is Maria Lopez"), when they did.
    #[serde(default)]
    pub customer_name: Option<String>,
}

const PLEASANTRIES: &[&str] = &[
    "thank*",
    "thanks",
    "bye",
    "hi",
    "hello",
    "have a good",
    "no problem",
    "you too",
    "sounds good",
    "perfect",
    "great",
];
/// Words that anchor a fact in time ("last year", "back in November").
const TEMPORAL: &[&str] = &[
    "yesterday",
    "last night|year|week|month|summer|winter|spring|fall",
    "ago",
    "this morning",
    "back in",
    "since",
    "already",
    "right away",
    "weeks",
    "months",
];
/// What the rep found on site.
const FINDINGS: &[&str] = &[
    "found",
    "i noticed",
    "you can see",
    "the problem is",
    "damage*",
    "crack*",
    "corrod*",
    "brittle",
    "soft spot*",
    "pulled away",
    "leak*",
];
/// People besides the caller who decide or whose alternative competes ("my husband", "the
/// landlord", "my brother-in-law does this").
const DECIDERS: &[&str] = &[
    "wife",
    "husband",
    "spouse",
    "partner",
    "landlord",
    "owner",
    "property manager",
    "management company",
    "boss",
    "brother|sister|son|daughter|father|mother ~ law",
    "cousin",
    "family",
    "both of us",
];
/// Words that mark an amount of money next to a number.
const MONEY: &[&str] = &[
    "dollars",
    "thousand",
    "hundred",
    "percent",
    "a month",
    "per month",
    "bucks",
    "grand",
    "flat",
    "fee",
    "charge*",
    "cost*",
    "price*",
    "labor",
    "runs",
];
/// The rep proposing something concrete.
const PROPOSAL: &[&str] = &[
    "recommend*",
    "i'd suggest",
    "i'd point",
    "the total",
    "comes to",
    "quote*",
    "what we'd do",
    "we'd replace|install|snake|put|run|do",
    "designed",
    "typically run",
];
/// Equipment or property age and dates.
const AGE: &[&str] = &["years old", "year old", "from", "built in", "since", "went in", "put it on", "original"];
const FUTURE: &[&str] = &[
    "i'll",
    "we'll",
    "you'll",
    "he'll",
    "she'll",
    "they'll",
    "will",
    "going to",
    "recap",
    "in the meantime",
    "meanwhile",
    "tonight",
    "tomorrow",
    "next",
    "confirmation",
];

fn capitalised_names(text: &str) -> usize {
    text.split_whitespace()
        .skip(1)
        .filter(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            w.len() > 1 && w.chars().next().is_some_and(char::is_uppercase) && w != "I" && !w.starts_with("I'")
        })
        .count()
}

/// "Thursday, Jul 30, 4:30pm; " for an RFC 3339 timestamp, so the summary states the time the
/// way people write it; empty when it does not parse.
fn readable_time(iso: &str) -> String {
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(iso) else {
        return String::new();
    };
    let clock = if at.format("%M").to_string() == "00" { at.format("%-I%P") } else { at.format("%-I:%M%P") };
    format!("{}, {}; ", at.format("%A, %b %-d"), clock)
}

fn prefix(role: Role) -> &'static str {
    match role {
        Role::Rep => "Rep",
        Role::Customer => "Customer",
        Role::Other => "Other",
    }
}

/// Splits a turn into summary units: sentences, with fragments under five words ("About
/// 1900." "Single story.") merged into a neighbour so short answers keep their context.
fn units(turn: &super::Turn) -> Vec<super::Sentence> {
    let mut out: Vec<super::Sentence> = Vec::new();
    for s in &turn.sentences {
        match out.last_mut() {
            Some(last) if (s.tokens.len() < 5 || last.tokens.len() < 5) && last.tokens.len() + s.tokens.len() <= 40 => {
                last.text = format!("{} {}", last.text, s.text);
                last.norm_text = format!("{} {}", last.norm_text, s.norm_text);
                last.tokens.extend(s.tokens.iter().cloned());
                last.question |= s.question;
            }
            _ => out.push(s.clone()),
        }
    }
    out
}

/// Builds the summary.
pub(crate) fn summarize(
    t: &Transcript,
    objections: &[Objection],
    appointment: Option<&Appointment>,
    outcome: &OutcomeAnalysis,
    property: &[PropertyFact],
) -> CallSummary {
    struct Cand {
        turn: usize,
        text: String,
        norm: String,
        score: f32,
        future: bool,
        money: bool,
        proposal: bool,
    }
    // Only the customer's objection sentences, not the rep's whole-turn replies, are boosted.
    let quoted: BTreeSet<(usize, String)> = objections
        .iter()
        .flat_map(|o| o.evidence.iter().filter(|e| t.turns[e.segment_index].role == Role::Customer))
        .chain(property.iter().flat_map(|p| p.evidence.iter()))
        .chain(appointment.iter().flat_map(|a| a.evidence.iter()))
        .map(|e| (e.segment_index, e.quote.clone()))
        .collect();
    let mut cands: Vec<Cand> = Vec::new();
    let first_statement = t.by(Role::Customer).find(|x| x.tokens.len() >= 8).map(|x| x.index);
    for turn in &t.turns {
        for s in &units(turn) {
            let n = s.tokens.len();
            let digits = words(&s.norm_text).iter().filter(|w| w.starts_with(|c: char| c.is_ascii_digit())).count();
            let spoken_digits = s
                .tokens
                .iter()
                .filter(|w| super::text::unit_value(w).is_some() || super::text::tens_value(w).is_some())
                .count();
            let mut score = 0.0f32;
            score += 1.5 * digits.min(3) as f32;
            score += 0.5 * spoken_digits.min(3) as f32;
            // Quoted prices and amounts are the facts a reader needs most.
            if digits + spoken_digits > 0 && has_any(&s.tokens, MONEY) || s.norm_text.contains('$') {
                score += 2.5;
            } else if has_any(&s.tokens, MONEY) {
                score += 1.0;
            }
            if turn.role == Role::Customer && has_any(&s.tokens, DECIDERS) {
                score += 1.5;
            }
            if turn.role == Role::Rep && has_any(&s.tokens, PROPOSAL) {
                score += 1.0;
            }
            if digits + spoken_digits > 0 && has_any(&s.tokens, AGE) {
                score += 0.5;
            }
            // The customer's first real statement is usually why they called.
            if first_statement == Some(turn.index) && n >= 4 {
                score += 2.0;
            }
            score += 0.7 * capitalised_names(&s.text).min(3) as f32;
            let (dates, _times) = find_dates_and_times(&s.tokens);
            if dates > 0 {
                score += 1.0;
            }
            if quoted.iter().any(|(i, q)| *i == turn.index && (q.contains(&s.text) || s.text.contains(q.as_str()))) {
                score += 2.0;
            }
            if turn.role == Role::Customer && has_any(&s.tokens, PROBLEM) {
                score += 1.0;
            }
            if turn.role == Role::Rep && has_any(&s.tokens, FINDINGS) {
                score += 1.0;
            }
            if has_any(&s.tokens, TEMPORAL) {
                score += 1.0;
            }
            // A customer's question is usually a concern worth recording.
            if turn.role == Role::Customer && s.question && n >= 5 {
                score += 1.0;
            }
            let future = turn.role != Role::Other && has_any(&s.tokens, FUTURE) && t.position(turn.index) >= 0.5;
            if future {
                score += 0.5;
            }
            if n < 5 {
                score -= 2.0;
            }
            if has_any(&s.tokens, PLEASANTRIES) && n < 8 {
                score -= 1.0;
            }
            if s.question && digits == 0 && turn.role == Role::Rep {
                score -= 1.0;
            }
            if n > 45 {
                score -= 0.5;
            }
            let money = digits + spoken_digits > 0 && has_any(&s.tokens, MONEY);
            let proposal = turn.role == Role::Rep && has_any(&s.tokens, PROPOSAL);
            cands.push(Cand {
                turn: turn.index,
                text: s.text.clone(),
                norm: s.norm_text.clone(),
                score,
                future,
                money,
                proposal,
            });
        }
    }
    let budget = ((cands.len() as f32 * 0.45).round() as usize).clamp(5, 14);
    let mut ranked: Vec<usize> = (0..cands.len()).filter(|&i| cands[i].score >= 1.5).collect();
    ranked.sort_by(|&a, &b| {
        cands[b].score.partial_cmp(&cands[a].score).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    let mut chosen: Vec<usize> = Vec::new();
    for i in ranked {
        if chosen.len() >= budget {
            break;
        }
        // Skip near-duplicates (recaps repeat earlier facts word for word).
        let a: BTreeSet<String> = words(&cands[i].norm).into_iter().collect();
        let dup = chosen.iter().any(|&j| {
            let b: BTreeSet<String> = words(&cands[j].norm).into_iter().collect();
            let inter = a.intersection(&b).count() as f32;
            inter / (a.len().min(b.len()).max(1) as f32) > 0.8
        });
        if !dup {
            chosen.push(i);
        }
    }
    // A price without what it buys is half a fact: keep the rep's proposal sentence just before a
    // kept price in the same turn.
    let with_context: Vec<usize> = chosen
        .iter()
        .filter(|&&i| cands[i].money && i > 0)
        .map(|&i| i - 1)
        .filter(|&j| cands[j].turn == cands[j + 1].turn && cands[j].proposal && !chosen.contains(&j))
        .collect();
    chosen.extend(with_context);
    chosen.sort_unstable();
    chosen.dedup();
    let max_score = chosen.iter().map(|&i| cands[i].score).fold(1.0f32, f32::max);
    let point = |c: &Cand| KeyPoint {
        text: format!("{}: {}", prefix(t.turns[c.turn].role), c.norm),
        confidence: conf(0.5 + 0.5 * c.score / max_score),
        evidence: vec![t.turns[c.turn].evidence_quote(&c.text)],
    };
    let key_points: Vec<KeyPoint> = chosen.iter().map(|&i| point(&cands[i])).collect();

    let mut next_steps: Vec<KeyPoint> = Vec::new();
    if let Some(a) = appointment {
        next_steps.push(KeyPoint {
            text: format!(
                "{} booked for {}{}",
                a.appointment_type.replace('_', " "),
                a.when_text,
                a.scheduled_at.as_deref().map(|s| format!(" ({}{s})", readable_time(s))).unwrap_or_default()
            ),
            confidence: a.confidence,
            evidence: a.evidence.iter().take(2).cloned().collect(),
        });
    }
    for c in cands.iter().filter(|c| c.future && t.turns[c.turn].role == Role::Rep && c.score >= 0.5) {
        if next_steps.len() >= 4 {
            break;
        }
        if has_any(&words(&c.text), &["i'll", "we'll", "will", "you'll", "going to", "in the meantime", "meanwhile"]) {
            next_steps.push(point(c));
        }
    }
    let mut content = format!("Outcome: {}.", outcome.outcome.as_str().replace('_', " "));
    if let Some(r) = outcome.reasons.first() {
        content.push_str(&format!(" {}.", r.text));
    }
    if !objections.is_empty() {
        let list: Vec<String> = objections
            .iter()
            .map(|o| format!("{} ({})", o.objection_type.as_str(), if o.handled { "handled" } else { "not handled" }))
            .collect();
        content.push_str(&format!(" Objections: {}.", list.join(", ")));
    }
    if !property.is_empty() {
        let list: Vec<String> =
            property.iter().map(|p| format!("{} {}", p.fact_type.replace('_', " "), p.value)).collect();
        content.push_str(&format!(" Property: {}.", list.join("; ")));
    }
    if !key_points.is_empty() {
        content.push_str("\n\nKey points:\n");
        for k in &key_points {
            content.push_str(&format!("- {}\n", k.text));
        }
    }
    if !next_steps.is_empty() {
        content.push_str("\nNext steps:\n");
        for k in &next_steps {
            content.push_str(&format!("- {}\n", k.text));
        }
    }
    CallSummary { content, key_points, next_steps, customer_name: None }
}
