//! Search answers: rank chunks by full-text relevance inside the caller's scope, group them by
//! source, and compose an extractive answer from the sentences that carry the question's words.

use std::collections::HashMap;

use super::{Answer, AskRequest, Citation};
use crate::auth::Principal;
use crate::domain::{Chunk, ChunkQuery, DateRange};
use crate::error::Result;
use crate::knowledge::query_terms;
use crate::Otto;

/// Chunks fetched per question before grouping.
const CANDIDATES: u32 = 40;
/// Sources cited.
const SOURCES: usize = 5;
/// Sentences in an answer.
const SENTENCES: usize = 4;

/// Words that make a question refer back to the previous one.
const BACK_REFERENCES: &[&str] =
    &["he", "she", "they", "his", "her", "their", "that", "this", "it", "those", "them", "the deal", "the call"];

/// A word matches a term when one is a prefix of the other and they share at least 4
/// characters (budget ~ budgeted, install ~ installed), or they are equal.
fn matches(word: &str, term: &str) -> bool {
    if word == term {
        return true;
    }
    let (short, long) = if word.len() <= term.len() { (word, term) } else { (term, word) };
    short.len() >= 4 && long.starts_with(short)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Splits a chunk into (line index, sentence) pieces; transcript lines are turns.
fn sentences(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let mut current = String::new();
        for ch in line.chars() {
            current.push(ch);
            if matches!(ch, '.' | '?' | '!') && current.trim().len() > 1 {
                out.push((line_no, current.trim().to_string()));
                current.clear();
            }
        }
        if !current.trim().is_empty() {
            out.push((line_no, current.trim().to_string()));
        }
    }
    out
}

struct Source {
    chunks: Vec<(Chunk, f32)>,
    score: f32,
}

pub(super) async fn answer(
    otto: &Otto,
    p: &Principal,
    scope: Option<&str>,
    range: &DateRange,
    req: &AskRequest,
) -> Result<Answer> {
    let mut terms = query_terms(&req.question);
    let q_words = words(&req.question);
    let refers_back = q_words.iter().any(|w| BACK_REFERENCES.contains(&w.as_str())) || terms.len() <= 2;
    let mut prefer: Vec<String> = Vec::new();
    if let (true, Some((prev_q, prev_sources))) = (refers_back, &req.previous) {
        for t in query_terms(prev_q) {
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
        prefer = prev_sources.clone();
    }
    if terms.is_empty() {
        return Ok(Answer::nothing("Ask about a customer, a rep, a topic or an objection."));
    }
    let query = ChunkQuery {
        terms: terms.clone(),
        rep_scope: scope.map(str::to_string),
        occurred_after: range.start(),
        occurred_before: range.end(),
        limit: CANDIDATES,
        ..Default::default()
    };
    let hits = otto.store.search_chunks(p.company_id(), &query).await?;
    if hits.is_empty() {
        return Ok(Answer::nothing("Try other words, a customer's name, or a wider date range."));
    }

    // Group by source: a source scores by its best chunk plus a share of its others, and by how
    // many distinct question terms it covers (names and places are decisive).
    let mut by_source: HashMap<String, Source> = HashMap::new();
    for (chunk, score) in hits {
        let key = format!("{}:{}", chunk.source_type.as_str(), chunk.source_id);
        by_source.entry(key).or_insert_with(|| Source { chunks: Vec::new(), score: 0.0 }).chunks.push((chunk, score));
    }
    let top_raw = by_source.values().flat_map(|s| s.chunks.iter().map(|c| c.1)).fold(f32::MIN, f32::max).max(1e-6);
    for s in by_source.values_mut() {
        s.chunks.sort_by(|a, b| b.1.total_cmp(&a.1));
        let best = s.chunks[0].1 / top_raw;
        let rest: f32 = s.chunks.iter().skip(1).take(3).map(|c| c.1 / top_raw).sum();
        let text: Vec<String> = s.chunks.iter().flat_map(|(c, _)| words(&format!("{} {}", c.title, c.text))).collect();
        let coverage = terms.iter().filter(|t| text.iter().any(|w| matches(w, t))).count() as f32 / terms.len() as f32;
        let preferred = if prefer.contains(&s.chunks[0].0.source_id) { 0.5 } else { 0.0 };
        s.score = best + 0.25 * rest + coverage + preferred;
    }
    let mut ranked: Vec<Source> = by_source.into_values().collect();
    ranked.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| a.chunks[0].0.source_id.cmp(&b.chunks[0].0.source_id))
    });
    ranked.truncate(SOURCES);
    let top_score = ranked[0].score.max(1e-6);

    // Sentences: from the best sources, those matching the most question terms.
    let wants_numbers = q_words
        .iter()
        .any(|w| ["much", "price", "cost", "budget", "quote", "quoted", "paying", "pay"].contains(&w.as_str()));
    let mut candidates: Vec<(f32, usize, u32, usize, String, &Chunk)> = Vec::new();
    for (rank, s) in ranked.iter().enumerate().take(3) {
        for (chunk, _) in &s.chunks {
            for (line, sentence) in sentences(&chunk.text) {
                let w = words(&sentence);
                let hits = terms.iter().filter(|t| w.iter().any(|x| matches(x, t))).count();
                if hits == 0 {
                    continue;
                }
                let has_number = sentence.chars().any(|c| c.is_ascii_digit())
                    || w.iter().any(|x| ["thousand", "hundred", "dollars"].contains(&x.as_str()));
                let score = hits as f32 + if wants_numbers && has_number { 0.75 } else { 0.0 } - rank as f32 * 0.6
                    + s.score / top_score;
                candidates.push((score, rank, chunk.position, line, sentence, chunk));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut picked: Vec<(usize, u32, usize, String, String)> = Vec::new();
    for (_, rank, pos, line, sentence, chunk) in &candidates {
        if picked.len() >= SENTENCES {
            break;
        }
        let clean = sentence.trim().to_string();
        if picked.iter().any(|p| p.3 == clean) {
            continue;
        }
        picked.push((*rank, *pos, *line, clean, chunk.source_id.clone()));
    }
    picked.sort_by_key(|p| (p.0, p.1, p.2));

    let mut out_sentences = Vec::new();
    let mut last_source = String::new();
    for (rank, _, _, sentence, source) in &picked {
        if *source != last_source {
            let title = &ranked[*rank].chunks[0].0.title;
            out_sentences.push(format!("From {title}:"));
            last_source = source.clone();
        }
        out_sentences.push(sentence.clone());
    }
    if out_sentences.is_empty() {
        out_sentences.push(format!("The closest match is {}.", ranked[0].chunks[0].0.title));
    }

    let citations: Vec<Citation> = ranked
        .iter()
        .map(|s| {
            let (chunk, _) = &s.chunks[0];
            let best_sentence = picked.iter().find(|p| p.4 == chunk.source_id);
            let (excerpt, segment) = match best_sentence {
                Some((_, pos, line, text, _)) => {
                    let c = s.chunks.iter().find(|(c, _)| c.position == *pos).map_or(chunk, |(c, _)| c);
                    (text.clone(), c.segment_start.map(|start| start + *line as u32))
                }
                None => (chunk.text.chars().take(240).collect(), chunk.segment_start),
            };
            Citation {
                source: match chunk.source_type {
                    crate::domain::SourceType::Call => chunk.source_id.clone(),
                    crate::domain::SourceType::Document => chunk.title.clone(),
                },
                source_type: chunk.source_type.as_str().to_string(),
                source_id: chunk.source_id.clone(),
                title: chunk.title.clone(),
                excerpt,
                segment_index: segment,
                page: chunk.page,
                start_time: chunk.start_time,
                confidence: ((s.score / top_score) * 0.9).clamp(0.05, 0.95),
            }
        })
        .collect();
    let coverage = {
        let text: Vec<String> = picked.iter().flat_map(|p| words(&p.3)).collect();
        terms.iter().filter(|t| text.iter().any(|w| matches(w, t))).count() as f32 / terms.len() as f32
    };
    let top = &ranked[0].chunks[0].0;
    let who = top.metadata.get("customer_name").and_then(|v| v.as_str()).map(str::to_string);
    let follow_ups = match who {
        Some(name) => vec![
            format!("What objections did {name} raise?"),
            format!("What are the next steps with {name}?"),
            format!("How likely is {name} to buy?"),
        ],
        None => vec!["Which calls mention this?".into(), "What were the most common objections?".into()],
    };
    Ok(Answer::new(out_sentences, citations, (0.3 + 0.6 * coverage).min(0.95), follow_ups, "search"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_sentences_keep_line_numbers() {
        let s = sentences("Rep: Hi there. How are you?\nCustomer: Fine");
        assert_eq!(
            s,
            [(0, "Rep: Hi there.".to_string()), (0, "How are you?".to_string()), (1, "Customer: Fine".to_string())]
        );
    }

    #[test]
    fn test_prefix_matching_is_conservative() {
        assert!(matches("budgeted", "budget"));
        assert!(!matches("bud", "budget"));
        assert!(matches("roof", "roof"));
    }
}
