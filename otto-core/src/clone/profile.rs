//! Measuring a rep's style from their samples.
//!
//! Every number in a [`StyleProfile`] is counted from the rep's own text: the greetings and
//! sign-offs they actually write, words per sentence, contractions, slang, exclamation marks
//! and emoji per sentence, and the phrases they use more often than generic business writing
//! does. The generic baseline is a small built-in corpus of stock sales emails
//! ([`BASELINE`]): a phrase every rep writes ("let me know if you have any questions") is not a
//! signature, one only this rep writes ("holler if anything comes up") is.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::text::{self, end_mark, is_generic, parse, words, FORMAL, SLANG, STOPWORDS};
use crate::adapters::hashing_embed::HashingEmbedder;
use crate::domain::{Habit, LengthStats, SampleType, SignaturePhrase, StyleProfile};

/// Generic sales and follow-up writing, one document per line: what any rep might write. Phrases
/// common here are not anyone's signature.
pub const BASELINE: &[&str] = &[
    "Thank you for your time today. Please let me know if you have any questions.",
    "I wanted to follow up on our conversation and see if you had any questions.",
    "Thanks for taking the time to speak with me. I look forward to hearing from you.",
    "Please find attached the quote we discussed. Let me know if you have any questions.",
    "I hope this email finds you well. I wanted to check in regarding the proposal.",
    "It was great speaking with you today. Please feel free to reach out with any questions.",
    "Just following up to see if you had a chance to review the estimate.",
    "Let me know if there is anything else I can do to help.",
    "I would be happy to set up a time to go over the details with you.",
    "Thank you again for considering us. We look forward to working with you.",
    "Please let me know a time that works for you this week.",
    "I am reaching out to follow up on the information you requested.",
    "We appreciate your business and look forward to serving you.",
    "If you have any questions or concerns, please do not hesitate to contact me.",
    "I wanted to touch base and see where things stand on your end.",
    "Thanks again for your interest in our services.",
    "Let me know if you would like to schedule a follow up call.",
    "I will send over the paperwork as soon as possible.",
    "Feel free to give me a call if you have any questions about the quote.",
    "Looking forward to hearing from you soon.",
    "Hi, this is your sales representative calling to follow up on your recent inquiry.",
    "Do you have a few minutes to talk about your project?",
    "Our team would love the opportunity to earn your business.",
    "Please let us know how we can help.",
];

/// Smoothing for per-document rates, so a phrase absent from the baseline doesn't divide by zero
/// and a phrase seen once in a handful of samples doesn't dominate.
const RATE_SMOOTHING: f32 = 0.05;

/// Contractions of pronouns with `'s` (not possessives like "Dana's").
const S_CONTRACTIONS: &[&str] = &["it's", "that's", "what's", "here's", "there's", "let's", "he's", "she's", "who's"];

fn is_contraction(w: &str) -> bool {
    ["n't", "'re", "'ll", "'ve", "'m", "'d"].iter().any(|s| w.ends_with(s)) || S_CONTRACTIONS.contains(&w)
}

fn stats(values: &[f32]) -> LengthStats {
    if values.is_empty() {
        return LengthStats::default();
    }
    let n = values.len() as f32;
    let mean = values.iter().sum::<f32>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n;
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let mid = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) { (sorted[mid - 1] + sorted[mid]) / 2.0 } else { sorted[mid] };
    LengthStats { mean: round2(mean), stddev: round2(var.sqrt()), median: round2(median) }
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// Counts per sentence, summed over a set of sentences.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    sentences: f32,
    words: f32,
    letters: f32,
    contractions: f32,
    slang: f32,
    formal: f32,
    exclamations: f32,
    questions: f32,
    emoji: f32,
    ellipses: f32,
    dashes: f32,
    lowercase_starts: f32,
}

fn count(sentences: &[String]) -> Counts {
    let mut c = Counts::default();
    for s in sentences {
        let ws = words(s);
        c.sentences += 1.0;
        c.words += ws.len() as f32;
        c.letters += ws.iter().map(|w| w.chars().filter(|ch| ch.is_alphabetic()).count()).sum::<usize>() as f32;
        c.contractions += ws.iter().filter(|w| is_contraction(w)).count() as f32;
        c.slang += ws.iter().filter(|w| SLANG.contains(&w.as_str())).count() as f32;
        c.formal += ws.iter().filter(|w| FORMAL.contains(&w.as_str())).count() as f32;
        let lower = s.to_lowercase();
        // Spelled-out forms a casual writer would contract are a formal habit too.
        c.formal += ["i am ", "do not ", "cannot ", "will not ", "it is ", "i would ", "we are ", "i will "]
            .iter()
            .map(|p| lower.matches(p).count())
            .sum::<usize>() as f32;
        match end_mark(s) {
            Some('!') => c.exclamations += 1.0,
            Some('?') => c.questions += 1.0,
            _ => {}
        }
        c.emoji += text::emojis(s).len() as f32;
        c.ellipses += (s.matches("...").count() + s.matches('\u{2026}').count()) as f32;
        c.dashes += (s.matches(" - ").count() + s.matches('\u{2014}').count() + s.matches(" \u{2013} ").count()) as f32;
        if s.chars().find(|ch| ch.is_alphabetic()).is_some_and(char::is_lowercase) {
            c.lowercase_starts += 1.0;
        }
    }
    c
}

/// Informal signals against formal ones, Laplace-smoothed into 0..=1.
fn formality(c: &Counts) -> f32 {
    let informal = c.contractions + c.slang + c.exclamations + c.emoji + c.lowercase_starts + c.ellipses;
    (c.formal + 1.0) / (c.formal + informal + 2.0)
}

fn per(n: f32, d: f32) -> f32 {
    if d > 0.0 {
        round2(n / d)
    } else {
        0.0
    }
}

/// Habits (greetings, sign-offs, lines) ranked by share of `of` samples, most used first;
/// ties by text so the order is stable.
fn ranked(counts: HashMap<String, u32>, of: u32, keep: usize) -> Vec<Habit> {
    let mut v: Vec<(String, u32)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter().take(keep).map(|(text, n)| Habit { text, share: per(n as f32, of.max(1) as f32) }).collect()
}

fn ngrams(sentence: &str) -> BTreeSet<String> {
    let ws = words(sentence);
    let mut out = BTreeSet::new();
    for n in 2..=4 {
        for win in ws.windows(n) {
            if win.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
                continue;
            }
            // Pairs of function words ("of the", "i am") say nothing about a writer.
            if n == 2 && win.iter().all(|w| STOPWORDS.contains(&w.as_str())) {
                continue;
            }
            out.insert(win.join(" "));
        }
    }
    out
}

/// Document frequency of every n-gram of the baseline corpus.
fn baseline_ngrams() -> (HashMap<String, u32>, HashMap<String, u32>) {
    let mut grams = HashMap::new();
    let mut unigrams = HashMap::new();
    for doc in BASELINE {
        let mut seen = BTreeSet::new();
        let mut seen_words = BTreeSet::new();
        for s in text::sentences(doc) {
            seen.extend(ngrams(&s));
            seen_words.extend(words(&s));
        }
        for g in seen {
            *grams.entry(g).or_insert(0) += 1;
        }
        for w in seen_words {
            *unigrams.entry(w).or_insert(0) += 1;
        }
    }
    (grams, unigrams)
}

fn lift(rep_df: u32, rep_docs: usize, base_df: u32) -> f32 {
    let rep = rep_df as f32 / rep_docs.max(1) as f32;
    let base = base_df as f32 / BASELINE.len() as f32;
    (rep + RATE_SMOOTHING) / (base + RATE_SMOOTHING)
}

/// Phrases in at least two samples (and a tenth of them) that the rep uses at least 1.5 times as
/// often as the baseline does, strongest first; a phrase inside a longer one with the same
/// reach is dropped in favour of the longer.
fn signature_phrases(per_sample: &[BTreeSet<String>], keep: usize) -> Vec<SignaturePhrase> {
    let (base, _) = baseline_ngrams();
    let mut df: HashMap<&str, u32> = HashMap::new();
    for grams in per_sample {
        for g in grams {
            *df.entry(g.as_str()).or_insert(0) += 1;
        }
    }
    let min_df = 2.max((per_sample.len() as f32 * 0.1).ceil() as u32);
    let mut cands: Vec<SignaturePhrase> = df
        .into_iter()
        .filter(|(_, n)| *n >= min_df)
        .map(|(g, n)| SignaturePhrase {
            phrase: g.to_string(),
            samples: n,
            lift: round2(lift(n, per_sample.len(), base.get(g).copied().unwrap_or(0))),
        })
        .filter(|p| p.lift >= 1.5)
        .collect();
    let strength =
        |p: &SignaturePhrase| p.lift * p.samples as f32 * (1.0 + 0.25 * p.phrase.matches(' ').count() as f32);
    cands.sort_by(|a, b| strength(b).total_cmp(&strength(a)).then_with(|| a.phrase.cmp(&b.phrase)));
    cands.truncate(80);
    let mut cands = merge_overlaps(cands);
    cands.sort_by(|a, b| strength(b).total_cmp(&strength(a)).then_with(|| a.phrase.cmp(&b.phrase)));
    let contains = |long: &str, short: &str| format!(" {long} ").contains(&format!(" {short} "));
    let all = cands.clone();
    cands.retain(|p| {
        !all.iter().any(|q| q.phrase.len() > p.phrase.len() && q.samples >= p.samples && contains(&q.phrase, &p.phrase))
    });
    cands.truncate(keep);
    cands
}

/// Joins phrases with the same reach that overlap by two or more words ("holler if anything
/// comes" + "if anything comes up"), so a habit longer than the n-gram window reads whole.
fn merge_overlaps(mut v: Vec<SignaturePhrase>) -> Vec<SignaturePhrase> {
    loop {
        let mut found = None;
        'search: for (i, a) in v.iter().enumerate() {
            let aw: Vec<&str> = a.phrase.split(' ').collect();
            for (j, b) in v.iter().enumerate() {
                if i == j || a.samples != b.samples {
                    continue;
                }
                let bw: Vec<&str> = b.phrase.split(' ').collect();
                for k in (2..aw.len().min(bw.len())).rev() {
                    if aw[aw.len() - k..] == bw[..k] {
                        let phrase = format!("{} {}", a.phrase, bw[k..].join(" "));
                        found = Some((i, j, SignaturePhrase { phrase, samples: a.samples, lift: a.lift.min(b.lift) }));
                        break 'search;
                    }
                }
            }
        }
        let Some((i, j, merged)) = found else { return v };
        let (hi, lo) = (i.max(j), i.min(j));
        v.remove(hi);
        v.remove(lo);
        if !v.iter().any(|p| p.phrase == merged.phrase) {
            v.push(merged);
        }
    }
}

fn vocabulary(per_sample_words: &[BTreeSet<String>], keep: usize) -> Vec<String> {
    let (_, base) = baseline_ngrams();
    let mut df: HashMap<&str, u32> = HashMap::new();
    for ws in per_sample_words {
        for w in ws {
            *df.entry(w.as_str()).or_insert(0) += 1;
        }
    }
    let mut v: Vec<(&str, f32)> = df
        .into_iter()
        .filter(|(w, n)| {
            *n >= 2
                && w.chars().count() >= 3
                && w.chars().all(|c| c.is_alphabetic() || c == '\'')
                && !STOPWORDS.contains(w)
        })
        .map(|(w, n)| (w, lift(n, per_sample_words.len(), base.get(w).copied().unwrap_or(0)) * n as f32))
        .filter(|(_, s)| *s > 0.0)
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter().take(keep).map(|(w, _)| w.to_string()).collect()
}

/// Mean of the hashed vectors of `texts`, unit length (empty for no texts).
pub(crate) fn centroid(texts: &[&str]) -> Vec<f32> {
    if texts.is_empty() {
        return Vec::new();
    }
    let e = HashingEmbedder::new();
    let mut sum = vec![0.0f32; crate::adapters::hashing_embed::HASHING_DIMENSIONS];
    for t in texts {
        for (s, v) in sum.iter_mut().zip(e.embed_one(t)) {
            *s += v;
        }
    }
    let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        sum.iter_mut().for_each(|v| *v /= norm);
    }
    sum
}

/// Share of a sentence's words covered by the rep's signature phrases.
pub(crate) fn phrase_coverage(sentence: &str, phrases: &[SignaturePhrase]) -> f32 {
    let ws = words(sentence);
    if ws.is_empty() {
        return 0.0;
    }
    let mut covered = vec![false; ws.len()];
    for p in phrases {
        let pw: Vec<&str> = p.phrase.split(' ').collect();
        for start in 0..ws.len().saturating_sub(pw.len() - 1) {
            if ws[start..start + pw.len()].iter().zip(&pw).all(|(a, b)| a == b) {
                covered[start..start + pw.len()].iter_mut().for_each(|c| *c = true);
            }
        }
    }
    covered.iter().filter(|c| **c).count() as f32 / ws.len() as f32
}

/// Lines that open or close messages and are the rep's formula rather than one customer's
/// business: generic (no names, numbers or dates) and either written the same way in two
/// samples or made at least half of signature phrases. Repeated lines first, then by coverage.
fn lines_of(candidates: Vec<String>, phrases: &[SignaturePhrase], keep: usize) -> Vec<String> {
    let mut counts: BTreeMap<String, (u32, usize)> = BTreeMap::new();
    for (i, l) in candidates.into_iter().enumerate() {
        if is_generic(&l) {
            counts.entry(l).or_insert((0, i)).0 += 1;
        }
    }
    let mut v: Vec<(String, u32, f32, usize)> = counts
        .into_iter()
        .map(|(l, (n, i))| {
            let cov = phrase_coverage(&l, phrases);
            (l, n, cov, i)
        })
        .filter(|(_, n, cov, _)| *n >= 2 || *cov >= 0.5)
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.3.cmp(&b.3)));
    v.into_iter().take(keep).map(|(l, ..)| l).collect()
}

/// Measures a style profile from samples (type and text). Deterministic: the same samples give
/// the same profile.
pub fn measure(samples: &[(SampleType, &str)]) -> StyleProfile {
    let mut p = StyleProfile { samples: samples.len() as u32, ..Default::default() };
    let mut greetings: HashMap<String, u32> = HashMap::new();
    let mut sign_offs: HashMap<String, u32> = HashMap::new();
    let mut names: HashMap<String, u32> = HashMap::new();
    let (mut openers, mut closers) = (Vec::new(), Vec::new());
    let mut all_sentences: Vec<String> = Vec::new();
    let mut per_sample_grams = Vec::new();
    let mut per_sample_words = Vec::new();
    let mut sentence_lengths = Vec::new();
    let mut emoji_counts: HashMap<String, u32> = HashMap::new();
    for (kind, content) in samples {
        *p.channel_mix.entry(kind.as_str().to_string()).or_insert(0) += 1;
        let parsed = parse(content);
        if let Some(g) = parsed.greeting {
            *greetings.entry(g).or_insert(0) += 1;
        }
        if let Some(s) = parsed.sign_off {
            *sign_offs.entry(s).or_insert(0) += 1;
        }
        if let Some(n) = parsed.signature {
            *names.entry(n).or_insert(0) += 1;
        }
        // Openers and closers are what a written message wraps its content in; a call's first
        // and last sentences are mostly introductions and logistics.
        if *kind != SampleType::CallTranscript && parsed.sentences.len() >= 2 {
            openers.push(parsed.sentences[0].clone());
            closers.push(parsed.sentences[parsed.sentences.len() - 1].clone());
        }
        let mut grams = BTreeSet::new();
        let mut ws = BTreeSet::new();
        for s in &parsed.sentences {
            sentence_lengths.push(words(s).len() as f32);
            grams.extend(ngrams(s));
            ws.extend(words(s));
            for e in text::emojis(s) {
                *emoji_counts.entry(e).or_insert(0) += 1;
            }
        }
        per_sample_grams.push(grams);
        per_sample_words.push(ws);
        all_sentences.extend(parsed.sentences);
    }
    let c = count(&all_sentences);
    p.greetings = ranked(greetings, samples.len() as u32, 3);
    p.sign_offs = ranked(sign_offs, samples.len() as u32, 3);
    p.signature_name = ranked(names, 1, 1).into_iter().next().map(|h| h.text);
    p.signature_phrases = signature_phrases(&per_sample_grams, 12);
    p.openers = lines_of(openers, &p.signature_phrases, 3);
    p.closers = lines_of(closers, &p.signature_phrases, 3);
    p.sentence_length = stats(&sentence_lengths);
    p.sentences_per_sample = per(c.sentences, samples.len() as f32);
    p.word_length = per(c.letters, c.words);
    p.formality = round2(formality(&c));
    p.contraction_rate = per(c.contractions, c.sentences);
    p.slang_rate = per(c.slang, c.sentences);
    p.exclamation_rate = per(c.exclamations, c.sentences);
    p.question_rate = per(c.questions, c.sentences);
    p.emoji_rate = per(c.emoji, c.sentences);
    p.emojis = ranked(emoji_counts, 1, 3).into_iter().map(|h| h.text).collect();
    p.ellipsis_rate = per(c.ellipses, c.sentences);
    p.dash_rate = per(c.dashes, c.sentences);
    p.lowercase_start_rate = per(c.lowercase_starts, c.sentences);
    p.vocabulary = vocabulary(&per_sample_words, 20);
    let mut prefs: Vec<(String, u32)> = p
        .channel_mix
        .iter()
        .map(|(k, n)| (if k == "call_transcript" { "call".to_string() } else { k.clone() }, *n))
        .collect();
    prefs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| channel_rank(&a.0).cmp(&channel_rank(&b.0))));
    p.communication_preferences = prefs.into_iter().map(|(k, _)| k).collect();
    let register = match p.formality {
        f if f >= 0.6 => "professional",
        f if f >= 0.4 => "conversational",
        _ => "casual",
    };
    let warm = p.exclamation_rate >= 0.15 || p.emoji_rate >= 0.05;
    p.tone = format!("{register}_{}", if warm { "friendly" } else { "reserved" });
    let length = match p.sentence_length.mean {
        m if m < 11.0 => "concise",
        m if m <= 18.0 => "balanced",
        _ => "detailed",
    };
    p.writing_style = format!("{length}_{}", if p.question_rate >= 0.2 { "inquisitive" } else { "direct" });
    let texts: Vec<&str> = samples.iter().map(|(_, t)| *t).collect();
    p.centroid = centroid(&texts);
    p
}

fn channel_rank(c: &str) -> u8 {
    match c {
        "email" => 0,
        "sms" => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_profile_measures_habits_from_the_text() {
        let samples = [
            (SampleType::Email, "Hey Mike!\n\nHope your week's off to a great start! Holler if anything comes up.\n\nCheers,\nJake"),
            (SampleType::Email, "Hey Dana!\n\nHope your week's off to a great start! The crew can swing by Friday 🙂 Holler if anything comes up.\n\nCheers,\nJake"),
            (SampleType::Sms, "hey Tom! quick heads up, we're running late 🙂 holler if anything comes up! - Jake"),
        ];
        let p = measure(&samples);
        assert_eq!(p.greetings[0].text, "Hey {name}!");
        assert_eq!(p.sign_offs[0].text, "Cheers,");
        assert_eq!(p.signature_name.as_deref(), Some("Jake"));
        assert!(
            p.signature_phrases.iter().any(|s| s.phrase == "holler if anything comes up"),
            "{:?}",
            p.signature_phrases
        );
        assert!(p.exclamation_rate > 0.3 && p.emoji_rate > 0.1 && p.formality < 0.4, "{p:?}");
        assert_eq!(p.communication_preferences, ["email", "sms"]);
        assert_eq!(p.openers[0], "Hope your week's off to a great start!");
        assert!(p.tone.starts_with("casual"), "{}", p.tone);
    }
}
