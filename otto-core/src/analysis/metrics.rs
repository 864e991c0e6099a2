//! Conversation metrics: talk/listen ratio, longest monologue, interactivity and questions.
//!
//! With segment timing the ratios use seconds; without it they fall back to word counts (about
//! 150 spoken words a minute), and `basis` says which was used.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{conf, Evidence, Role, Speaker, Transcript};

/// Spoken words per second assumed when segments carry no timing.
const WORDS_PER_SECOND: f64 = 2.5;

/// The longest uninterrupted stretch by one speaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Monologue {
    /// Who spoke.
    pub speaker: Speaker,
    /// Length in seconds (measured, or estimated from words).
    pub seconds: f64,
    /// Length in words.
    pub words: usize,
    /// Confidence (lower when estimated from words).
    pub confidence: f32,
    /// The segments of the monologue.
    pub evidence: Vec<Evidence>,
}

/// Talk-time and interaction metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConversationMetrics {
    /// "time" when segment timing was used, "words" when estimated from word counts.
    pub basis: String,
    /// Share of rep talk, 0.0-1.0.
    pub rep_talk_ratio: f32,
    /// Share of customer talk, 0.0-1.0.
    pub customer_talk_ratio: f32,
    /// Words spoken by the rep.
    pub rep_words: usize,
    /// Words spoken by the customer.
    pub customer_words: usize,
    /// Call length in seconds (measured or estimated).
    pub duration_seconds: f64,
    /// Longest monologue, if anyone spoke.
    pub longest_monologue: Option<Monologue>,
    /// Number of speaker changes.
    pub speaker_switches: usize,
    /// Speaker changes per minute.
    pub interactivity: f32,
    /// Questions the rep asked.
    pub rep_questions: usize,
    /// Questions the customer asked.
    pub customer_questions: usize,
}

/// Computes the metrics.
pub(crate) fn compute(t: &Transcript) -> ConversationMetrics {
    let timed = !t.turns.is_empty() && t.turns.iter().all(|x| x.start.is_some() && x.end.is_some());
    let dur = |i: usize| -> f64 {
        let x = &t.turns[i];
        match (timed, x.start, x.end) {
            (true, Some(s), Some(e)) => (e - s).max(0.0),
            _ => x.word_count() as f64 / WORDS_PER_SECOND,
        }
    };
    let mut rep = 0.0;
    let mut cust = 0.0;
    for (i, x) in t.turns.iter().enumerate() {
        match x.role {
            Role::Rep => rep += dur(i),
            Role::Customer => cust += dur(i),
            Role::Other => {}
        }
    }
    let total_talk = rep + cust;
    let duration_seconds = if timed {
        let first = t.turns.iter().filter_map(|x| x.start).fold(f64::INFINITY, f64::min);
        let last = t.turns.iter().filter_map(|x| x.end).fold(0.0, f64::max);
        (last - first).max(0.0)
    } else {
        t.turns.iter().enumerate().map(|(i, _)| dur(i)).sum()
    };
    // Longest run of consecutive turns by the same speaker.
    let mut best: Option<(usize, usize, f64)> = None;
    let mut i = 0;
    while i < t.turns.len() {
        let mut j = i;
        let mut secs = 0.0;
        while j < t.turns.len() && t.turns[j].role == t.turns[i].role {
            secs += dur(j);
            j += 1;
        }
        if best.is_none_or(|(_, _, b)| secs > b) {
            best = Some((i, j, secs));
        }
        i = j;
    }
    let longest_monologue = best.filter(|(_, _, s)| *s > 0.0).map(|(a, b, secs)| Monologue {
        speaker: match t.turns[a].role {
            Role::Rep => Speaker::Rep,
            Role::Customer => Speaker::Customer,
            Role::Other => Speaker::Other("other".into()),
        },
        seconds: (secs * 10.0).round() / 10.0,
        words: t.turns[a..b].iter().map(|x| x.word_count()).sum(),
        confidence: if timed { 0.95 } else { conf(0.6) },
        evidence: t.turns[a..b].iter().map(|x| x.evidence()).collect(),
    });
    let speaker_switches = t.turns.windows(2).filter(|w| w[0].role != w[1].role).count();
    let minutes = (duration_seconds / 60.0).max(1.0 / 60.0);
    let questions = |role: Role| t.by(role).map(|x| x.sentences.iter().filter(|s| s.question).count()).sum();
    let ratio = |x: f64| if total_talk > 0.0 { conf((x / total_talk) as f32) } else { 0.0 };
    ConversationMetrics {
        basis: if timed { "time" } else { "words" }.to_string(),
        rep_talk_ratio: ratio(rep),
        customer_talk_ratio: ratio(cust),
        rep_words: t.by(Role::Rep).map(|x| x.word_count()).sum(),
        customer_words: t.by(Role::Customer).map(|x| x.word_count()).sum(),
        duration_seconds: (duration_seconds * 10.0).round() / 10.0,
        longest_monologue,
        speaker_switches,
        interactivity: ((speaker_switches as f64 / minutes) * 100.0).round() as f32 / 100.0,
        rep_questions: questions(Role::Rep),
        customer_questions: questions(Role::Customer),
    }
}
