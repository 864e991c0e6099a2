//! Search answers: rank chunks by full-text relevance inside the caller's scope (fused with
//! vector similarity when an embedder and a vector index are configured), group them by source,
//! and compose an extractive answer from the sentences that carry the question's words.

use std::collections::HashMap;

use super::{Answer, AskRequest, Citation};
use crate::auth::Principal;
use crate::domain::{Chunk, ChunkQuery, DateRange};
use crate::error::Result;
use crate::knowledge::{query_terms, RetrievalMode};
use crate::ports::VectorQuery;
use crate::Otto;

/// Chunks fetched per question before grouping.
const CANDIDATES: u32 = 40;
/// Sources cited.
const SOURCES: usize = 5;
/// Weight of the dense ranking against the lexical one (1.0) in hybrid mode. Lexical leads: on
/// the dev set names, places and a stop list beat dense vectors, and plain reciprocal rank
/// fusion lost recall (docs/EVAL.md, the retrieval baseline notes); vectors add paraphrases.
pub(crate) const DENSE_WEIGHT: f32 = 0.5;
/// Dense hits below this cosine similarity carry no meaning worth citing (all-MiniLM-L6-v2
/// puts unrelated sentences near 0 to 0.15).
const MIN_DENSE_SIMILARITY: f32 = 0.2;
/// Sentences in an answer.
const SENTENCES: usize = 8;
/// How much less a sentence counts when it matches only the names and places that located the
/// call (which is what "It's 418 Elm Street" does for "what did the Elm Street customer say").
const LOCATING_ONLY_PENALTY: f32 = 1.0;

/// Question words asking for amounts.
const NUMBER_QUESTIONS: &[&str] =
    &["much", "price", "cost", "budget", "quote", "quoted", "paying", "pay", "afford", "spend"];
/// Question words asking where things stand.
const STATUS_QUESTIONS: &[&str] =
    &["stand", "status", "next", "follow", "when", "outcome", "happened", "decide", "decided"];

/// Words that tend to answer a question about a topic word ("paying" is answered by financing
/// terms, "concerns" by objections).
fn related_words(term: &str) -> &'static [&'static str] {
    match term {
        t if t.starts_with("financ") || t.starts_with("loan") => {
            &["plan", "month", "monthly", "percent", "payment", "payments", "loan", "rate", "apr", "cash"]
        }
        t if t.starts_with("pay") => {
            &["financing", "finance", "financed", "monthly", "month", "loan", "cash", "percent", "payment"]
        }
        t if t.starts_with("buy") || t.starts_with("bought") || t.starts_with("purchas") => {
            &["system", "install", "total", "sign", "including", "package", "ahead"]
        }
        t if t.starts_with("pric") || t.starts_with("cost") || t.starts_with("expens") || t == "much" => {
            &["dollars", "thousand", "hundred", "cost", "price", "run", "total", "installed", "quote", "comes"]
        }
        t if t.starts_with("budget") || t.starts_with("afford") => {
            &["afford", "aside", "thousand", "budget", "spend", "price", "expensive"]
        }
        t if t.starts_with("concern") || t.starts_with("worr") || t.starts_with("objection") => {
            &["objection", "worried", "concern", "expensive", "afford", "trust", "wary"]
        }
        t if t.starts_with("handl") || t.starts_with("respond") => {
            &["warranty", "compare", "difference", "includes", "instead", "objection"]
        }
        t if t.starts_with("competitor") || t.starts_with("quote") => {
            &["quote", "came", "cheaper", "company", "competitor", "bid"]
        }
        t if t.starts_with("chang") => &["instead", "new", "redesign", "smaller", "revised", "now", "down"],
        t if t.starts_with("follow") => &["follow", "call", "back", "appointment", "next", "review"],
        _ => &[],
    }
}

/// Splits `Rep (Dana): text` / `Customer: text` into the speaker label and the words said.
fn split_speaker(sentence: &str) -> (Option<&str>, &str) {
    for label in ["Rep", "Customer", "Speaker"] {
        if let Some(rest) = sentence.strip_prefix(label) {
            if let Some(idx) = rest.find(": ") {
                if rest[..idx].is_empty() || rest[..idx].starts_with(" (") {
                    return (Some(label), rest[idx + 2..].trim());
                }
            }
        }
    }
    (None, sentence.trim())
}

/// Normalised content, so a sentence quoted in the summary and in the transcript counts once.
fn dedupe_key(sentence: &str) -> String {
    let mut body = sentence.trim();
    while let Some((head, rest)) = body.split_once(": ") {
        if head.split_whitespace().count() > 3 {
            break;
        }
        body = rest.trim();
    }
    words(&crate::analysis::text::normalize_numbers(body)).join(" ")
}

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
        let chars: Vec<char> = line.chars().collect();
        for (i, &ch) in chars.iter().enumerate() {
            current.push(ch);
            let next = chars.get(i + 1).copied();
            // "6.4 kW", "Mr. Jensen" and "St. Louis" are not sentence ends.
            let decimal = ch == '.' && next.is_some_and(|c| c.is_ascii_digit());
            let abbreviation =
                ch == '.' && ["Mr.", "Mrs.", "Ms.", "Dr.", "St.", "vs."].iter().any(|a| current.ends_with(a));
            let end = matches!(ch, '.' | '?' | '!') && next.is_none_or(|c| c.is_whitespace() || c == '"');
            if end && !decimal && !abbreviation && current.trim().len() > 1 {
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
    let lexical = otto.store.search_chunks(p.company_id(), &query);
    let hybrid = otto.retrieval_mode() == RetrievalMode::Hybrid;
    let hits = if hybrid {
        // Follow-ups embed the previous question too, as their terms carry it over.
        let text = match (&req.previous, refers_back) {
            (Some((prev, _)), true) => format!("{prev} {}", req.question),
            _ => req.question.clone(),
        };
        // Both searches at once: the full-text query runs in the database while the question
        // is embedded and the vectors are scanned (on a blocking thread), so a hybrid answer
        // costs the slower of the two rather than their sum.
        let (lexical, dense) = tokio::try_join!(lexical, dense(otto, p, scope, range, &text))?;
        fuse(lexical, dense)
    } else {
        lexical.await?
    };
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
    // The best call is read whole, not only the windows that matched the question's words: the
    // answer to "what changed" is often in a window that says "redesign" and "instead" but none
    // of the question's terms. (It came from the scoped search, so the caller may read it.)
    let best = &ranked[0].chunks[0].0;
    if best.source_type == crate::domain::SourceType::Call {
        let all = otto.store.source_chunks(p.company_id(), best.source_type, &best.source_id).await?;
        let have: std::collections::HashSet<String> =
            ranked[0].chunks.iter().map(|(c, _)| c.chunk_id.clone()).collect();
        for c in all {
            if !have.contains(&c.chunk_id) {
                ranked[0].chunks.push((c, 0.0));
            }
        }
    }

    // Sentences. Terms that only identify the source (names, places, the company: they are in
    // the source's title) find the call; the remaining topic terms, widened with related words,
    // pick what was said about the topic within it.
    let title_words: Vec<String> = ranked.iter().take(3).flat_map(|s| words(&s.chunks[0].0.title)).collect();
    let mut topic: Vec<String> = terms.iter().filter(|t| !title_words.iter().any(|w| matches(w, t))).cloned().collect();
    if topic.is_empty() {
        topic = terms.clone();
    }
    // Words after "about" name the topic outright; capitalised words locate (a person, a street,
    // a company) more than they describe what to say.
    let about: Vec<String> =
        req.question.to_lowercase().split_once(" about ").map(|(_, rest)| query_terms(rest)).unwrap_or_default();
    let proper: Vec<String> = req
        .question
        .split_whitespace()
        .skip(1)
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .flat_map(words)
        .collect();
    let weight = |t: &String| -> f32 {
        if about.contains(t) {
            3.0
        } else if proper.contains(t) {
            0.75
        } else {
            2.0
        }
    };
    let related: Vec<&str> = topic.iter().flat_map(|t| related_words(t).iter().copied()).collect();
    let wants_numbers = q_words.iter().any(|w| NUMBER_QUESTIONS.contains(&w.as_str()));
    let wants_status = q_words.iter().any(|w| STATUS_QUESTIONS.contains(&w.as_str()));
    let mut candidates: Vec<(f32, usize, u32, usize, String, String)> = Vec::new();
    // Every sentence of every transcript turn, to answer with a whole turn (below).
    let mut turns: HashMap<(usize, u32, usize), Vec<String>> = HashMap::new();
    // Names in the question that the best source's title carries ("Harold Jensen"): other
    // sources without them are about someone else, so they add citations, not sentences.
    let title_of = |s: &Source| words(&s.chunks[0].0.title);
    let best_title = title_of(&ranked[0]);
    let named: Vec<&String> = proper.iter().filter(|t| t.len() >= 3 && best_title.contains(t)).collect();
    for (rank, s) in ranked.iter().enumerate().take(3) {
        if rank > 0 && !named.is_empty() && !title_of(s).iter().any(|w| named.contains(&w)) {
            continue;
        }
        for (chunk, _) in &s.chunks {
            // The analysis summary is one fact per line; transcripts split into sentences.
            let summary = chunk.metadata.get("chunk_kind").and_then(|v| v.as_str()) == Some("summary");
            let units: Vec<(usize, String)> = if summary {
                chunk.text.lines().enumerate().map(|(i, l)| (i, l.to_string())).collect()
            } else {
                sentences(&chunk.text)
            };
            if !summary && chunk.source_type == crate::domain::SourceType::Call {
                for (line, sentence) in &units {
                    turns.entry((rank, chunk.position, *line)).or_default().push(sentence.clone());
                }
            }
            for (line, sentence) in units {
                let (speaker, body) = split_speaker(&sentence);
                let body = body.trim_start_matches('#').trim();
                let w = words(body);
                let topic_score: f32 = topic.iter().filter(|t| w.iter().any(|x| matches(x, t))).map(weight).sum();
                let related_hits = related.iter().filter(|r| w.iter().any(|x| matches(x, r))).count().min(2) as f32;
                let status_line = wants_status
                    && w.len() >= 5
                    && (body.starts_with("Outcome:")
                        || body.starts_with("Next step:")
                        || body.starts_with("Appointment booked:"));
                if topic_score + related_hits == 0.0 && !status_line {
                    continue;
                }
                let has_number = body.chars().any(|c| c.is_ascii_digit())
                    || w.iter().any(|x| ["thousand", "hundred", "dollars", "percent"].contains(&x.as_str()));
                // A sentence that only repeats where or who ("It's 418 Elm Street") located the
                // call; it says nothing about the topic.
                let locating_only = related_hits == 0.0
                    && !status_line
                    && topic
                        .iter()
                        .filter(|t| w.iter().any(|x| matches(x, t)))
                        .all(|t| proper.contains(t) && !about.contains(t));
                let score = topic_score
                    + related_hits
                    + if locating_only { -LOCATING_ONLY_PENALTY } else { 0.0 }
                    + if wants_numbers && has_number { 1.0 } else { 0.0 }
                    + if status_line { 2.0 } else { 0.0 }
                    + if w.len() < 5 { -1.5 } else { 0.0 }
                    - rank as f32 * 1.5;
                let shown = match speaker {
                    Some(who) => format!("{who}: {body}"),
                    None => body.to_string(),
                };
                candidates.push((
                    score,
                    rank,
                    chunk.position,
                    line,
                    crate::analysis::text::normalize_numbers(&shown),
                    chunk.source_id.clone(),
                ));
            }
        }
    }
    // How the rep answered a concern: the objection and the reply, from the analysis itself.
    let asks_handling = q_words.iter().any(|w| {
        [
            "handle",
            "handled",
            "respond",
            "responded",
            "answer",
            "answered",
            "concerns",
            "concern",
            "objections",
            "objection",
            "worried",
        ]
        .contains(&w.as_str())
    });
    if asks_handling && ranked[0].chunks[0].0.source_type == crate::domain::SourceType::Call {
        let source = ranked[0].chunks[0].0.source_id.clone();
        let records = otto.store.list_analyses(p.company_id(), &source).await?;
        if let Some(a) = crate::pipeline::assemble(&records)? {
            let wanted = super::intent::objection_type_in(&req.question);
            for (i, o) in a.objections.iter().enumerate() {
                if wanted.as_deref().is_some_and(|t| o.objection_type.as_str() != t) {
                    continue;
                }
                let text = format!(
                    "{} objection ({}): \"{}\"",
                    o.objection_type.as_str(),
                    if o.handled { "handled" } else { "not handled" },
                    o.objection_text
                );
                candidates.push((
                    9.0 - i as f32 * 0.1,
                    0,
                    0,
                    i,
                    crate::analysis::text::normalize_numbers(&text),
                    source.clone(),
                ));
                for (j, e) in o.evidence.iter().skip(1).take(2).enumerate() {
                    let reply = format!("Rep reply: {}", e.quote);
                    candidates.push((
                        8.5 - i as f32 * 0.1,
                        0,
                        0,
                        i * 10 + j + 1,
                        crate::analysis::text::normalize_numbers(&reply),
                        source.clone(),
                    ));
                }
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2, a.3).cmp(&(b.1, b.2, b.3))));
    let mut picked: Vec<(usize, u32, usize, String, String)> = Vec::new();
    let best_score = candidates.first().map_or(0.0, |c| c.0);
    for (score, rank, pos, line, sentence, source) in &candidates {
        if picked.len() >= SENTENCES || (*rank > 0 && *score < 2.0) {
            continue;
        }
        // With a strong match to the topic, sentences that only locate the call are left out.
        if best_score >= 3.0 && *score < 1.0 {
            continue;
        }
        // The same words said again (a recap, or a sentence also quoted with its speaker) count once.
        let key = format!(" {} ", dedupe_key(sentence));
        if picked.iter().any(|p| {
            let other = format!(" {} ", dedupe_key(&p.3));
            other.contains(&key) || key.contains(&other)
        }) {
            continue;
        }
        picked.push((*rank, *pos, *line, sentence.clone(), source.clone()));
    }
    // What the customer said about something is their whole turn, not one sentence of it: the
    // budget comes with the reason and the hope ("if it's not covered, we knew the roof was
    // getting up there. We've had about 15000 set aside. We were hoping it would last..."). The
    // best match, when it is a strong one in a transcript, brings its turn along.
    if let Some(first) = picked.first().filter(|_| best_score >= 3.0) {
        let key = (first.0, first.1, first.2);
        if let Some(all) = turns.get(&key).filter(|all| all.len() > 1) {
            let whole = crate::analysis::text::normalize_numbers(&all.join(" "));
            if whole.split_whitespace().count() <= 90 {
                let source = first.4.clone();
                picked.retain(|p| (p.0, p.1, p.2) != key);
                picked.insert(0, (key.0, key.1, key.2, whole, source));
            }
        }
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
    let mode = if hybrid { "hybrid" } else { "search" };
    Ok(Answer::new(out_sentences, citations, (0.3 + 0.6 * coverage).min(0.95), follow_ups, mode))
}

/// The chunks nearest to `text` in the caller's scope: tenant, rep scope and date range are part
/// of the vector query, as they are of the full-text one. Hits resolve to chunks through the
/// store, so a vector whose chunk was deleted never surfaces.
async fn dense(
    otto: &Otto,
    p: &Principal,
    scope: Option<&str>,
    range: &DateRange,
    text: &str,
) -> Result<Vec<(Chunk, f32)>> {
    let (Some(embedder), Some(index)) = (otto.embedder(), otto.vectors()) else {
        return Ok(Vec::new());
    };
    let vector = embedder
        .embed(&[text.to_string()])
        .await?
        .pop()
        .ok_or_else(|| crate::Error::internal("the embedder returned no vector"))?;
    let hits = index
        .search(&VectorQuery {
            company_id: p.company_id().clone(),
            vector,
            top_k: CANDIDATES as usize,
            filter: Default::default(),
            rep_scope: scope.map(str::to_string),
            occurred_after: range.start(),
            occurred_before: range.end(),
        })
        .await?;
    let ids: Vec<String> = hits.iter().filter(|h| h.score >= MIN_DENSE_SIMILARITY).map(|h| h.id.clone()).collect();
    let mut chunks: HashMap<String, Chunk> =
        otto.store.chunks_by_id(p.company_id(), &ids).await?.into_iter().map(|c| (c.chunk_id.clone(), c)).collect();
    Ok(hits.into_iter().filter_map(|h| chunks.remove(&h.id).map(|c| (c, h.score))).collect())
}

/// Weighted score fusion: the lexical score over the best lexical score, plus [`DENSE_WEIGHT`]
/// times the cosine min-max scaled over the dense candidates. A chunk found by one search only
/// gets that search's share.
pub(crate) fn fuse(lexical: Vec<(Chunk, f32)>, dense: Vec<(Chunk, f32)>) -> Vec<(Chunk, f32)> {
    let top = lexical.iter().map(|h| h.1).fold(0.0f32, f32::max).max(1e-6);
    let (lo, hi) = dense.iter().fold((f32::MAX, f32::MIN), |(lo, hi), h| (lo.min(h.1), hi.max(h.1)));
    let mut fused: HashMap<String, (Chunk, f32)> = HashMap::new();
    for (c, s) in lexical {
        fused.insert(c.chunk_id.clone(), (c, s / top));
    }
    for (c, s) in dense {
        let scaled = if hi > lo { (s - lo) / (hi - lo) } else { 1.0 };
        fused.entry(c.chunk_id.clone()).or_insert((c, 0.0)).1 += DENSE_WEIGHT * scaled;
    }
    let mut out: Vec<(Chunk, f32)> = fused.into_values().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.chunk_id.cmp(&b.0.chunk_id)));
    out
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
