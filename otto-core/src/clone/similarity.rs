//! Style similarity: how much a text reads like a reference style.

use super::profile::{centroid, measure};
use super::text::words;
use crate::domain::{SampleType, StyleProfile};

/// Stylometric features compared one by one: (text value, reference value, scale). A
/// difference of one scale costs about two thirds of that feature's score.
fn stylometric(t: &StyleProfile, r: &StyleProfile) -> f32 {
    let features = [
        (t.sentence_length.mean, r.sentence_length.mean, 5.0),
        (t.word_length, r.word_length, 0.6),
        (t.contraction_rate, r.contraction_rate, 0.3),
        (t.slang_rate, r.slang_rate, 0.2),
        (t.exclamation_rate, r.exclamation_rate, 0.25),
        (t.question_rate, r.question_rate, 0.25),
        (t.emoji_rate, r.emoji_rate, 0.15),
        (t.ellipsis_rate, r.ellipsis_rate, 0.15),
        (t.dash_rate, r.dash_rate, 0.15),
        (t.lowercase_start_rate, r.lowercase_start_rate, 0.25),
        (t.formality, r.formality, 0.2),
    ];
    features.iter().map(|(a, b, s)| (-(a - b).abs() / s).exp()).sum::<f32>() / features.len() as f32
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>().max(0.0)
}

/// Share of the reference's strongest signature phrases the text uses; three or more is full
/// marks. Neutral (0.5) when the reference has none to compare.
fn phrases(text: &str, r: &StyleProfile) -> f32 {
    if r.signature_phrases.is_empty() {
        return 0.5;
    }
    let padded = format!(" {} ", words(text).join(" "));
    let found = r.signature_phrases.iter().take(10).filter(|p| padded.contains(&format!(" {} ", p.phrase))).count();
    (found as f32 / 3.0).min(1.0)
}

/// Whether the text opens (or closes) the way the reference does: the exact habit scores 1, the
/// same first word 0.6, a habit the reference never shows 0.2.
fn habit(text: Option<&str>, reference: &[crate::domain::Habit]) -> f32 {
    let first = |s: &str| words(s).into_iter().next().unwrap_or_default();
    match (text, reference.is_empty()) {
        (None, true) => 1.0,
        (None, false) => 0.3,
        (Some(_), true) => 0.2,
        (Some(t), false) => reference
            .iter()
            .map(|h| {
                if h.text.eq_ignore_ascii_case(t) {
                    1.0
                } else if first(&h.text) == first(t) {
                    0.6
                } else {
                    0.2
                }
            })
            .fold(0.0, f32::max),
    }
}

/// How much `text` reads like the style of `reference`, 0..=1: stylometry (sentence length,
/// contractions, slang, punctuation, emoji, formality; weight 0.35), word and word-pair overlap
/// with the reference samples (hashed vectors; 0.25), the reference's signature phrases (0.2)
/// and its greeting and sign-off habits (0.2).
pub fn style_similarity(text: &str, reference: &StyleProfile) -> f32 {
    let t = measure(&[(SampleType::Email, text)]);
    let lexical = cosine(&centroid(&[text]), &reference.centroid);
    let habits = (habit(t.greetings.first().map(|h| h.text.as_str()), &reference.greetings)
        + habit(t.sign_offs.first().map(|h| h.text.as_str()), &reference.sign_offs))
        / 2.0;
    let score = 0.35 * stylometric(&t, reference) + 0.25 * lexical + 0.2 * phrases(text, reference) + 0.2 * habits;
    score.clamp(0.0, 1.0)
}

/// [`style_similarity`] against a profile measured from `samples` (e.g. a rep's held-out
/// messages).
pub fn style_similarity_to_samples(text: &str, samples: &[(SampleType, &str)]) -> f32 {
    style_similarity(text, &measure(samples))
}
