//! Ask Otto: answers to questions about the company's calls and documents, with citations.
//!
//! Two answer paths:
//! - **Aggregates** ("most common objection", "who booked the most appointments", "which leads
//!   did we lose") are counted over the typed facts of the analyses in SQL, and cite the calls
//!   that were counted. Text similarity can't count.
//! - **Search** ("what did the Elm Street customer say about budget") ranks chunks (the call's
//!   analysis summary and transcript windows, documents) by full-text relevance, fused with
//!   vector similarity when an embedder and a vector index are configured (`hybrid`), and
//!   composes an extractive answer from the sentences that carry the question's words.
//!
//! Permissions are part of every query: the tenant always, and for CSRs and sales reps only
//! their own calls (plus company documents), in the full-text and the vector query alike.
//! Nothing is filtered after the fact.

mod aggregate;
pub mod intent;
mod retrieve;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Action, DataScope, Principal};
use crate::domain::DateRange;
use crate::error::Result;
use crate::Otto;

pub use intent::{classify, Intent};

/// A passage an answer rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Citation {
    /// The call id, or the document's title.
    pub source: String,
    /// `call` or `document`.
    pub source_type: String,
    /// The call or document id.
    pub source_id: String,
    /// Human-readable name of the source (call header or document title).
    pub title: String,
    /// The words cited.
    pub excerpt: String,
    /// Transcript segment of the excerpt (calls).
    pub segment_index: Option<u32>,
    /// Page (documents).
    pub page: Option<u32>,
    /// Seconds into the call.
    pub start_time: Option<f64>,
    /// How strongly the source supports the answer, 0..=1.
    pub confidence: f32,
}

/// A question with its context.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AskRequest {
    /// The question.
    pub question: String,
    /// Restrict to calls in this range (else one named in the question, else all time).
    pub date_range: Option<DateRange>,
    /// For follow-ups: the previous question and the sources it cited.
    pub previous: Option<(String, Vec<String>)>,
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Answer {
    /// The answer text.
    pub answer: String,
    /// The answer split into the pieces streamed to the client; concatenated they are `answer`.
    pub chunks: Vec<String>,
    /// The sources, best first.
    pub citations: Vec<Citation>,
    /// Overall confidence 0..=1.
    pub confidence: f32,
    /// Questions worth asking next.
    pub suggested_follow_ups: Vec<String>,
    /// How it was found: `aggregate` (counted over the analyses), `search` (full-text
    /// retrieval), `hybrid` (full-text fused with vector search), or `none` when nothing matched.
    pub mode: String,
}

impl Answer {
    fn new(
        sentences: Vec<String>,
        citations: Vec<Citation>,
        confidence: f32,
        follow_ups: Vec<String>,
        mode: &str,
    ) -> Self {
        // Streamed pieces concatenate to exactly the answer (a client appends them as they come).
        let chunks =
            sentences.iter().enumerate().map(|(i, s)| if i == 0 { s.clone() } else { format!(" {s}") }).collect();
        Answer {
            answer: sentences.join(" "),
            chunks,
            citations,
            confidence,
            suggested_follow_ups: follow_ups,
            mode: mode.to_string(),
        }
    }

    /// The answer when nothing in scope matched.
    fn nothing(suggestion: &str) -> Self {
        Answer::new(
            vec![format!("I couldn't find anything in your calls or documents about that. {suggestion}")],
            Vec::new(),
            0.0,
            vec!["Which calls were analysed this week?".into(), "What were the most common objections?".into()],
            "none",
        )
    }
}

/// The rep scope of a principal: their own id for CSRs and sales reps.
pub(crate) fn rep_scope(p: &Principal) -> Option<String> {
    match p.data_scope() {
        DataScope::Company => None,
        DataScope::OwnRep(me) => Some(me),
    }
}

impl Otto {
    /// Answers a question from the caller's visible calls and the company's documents.
    pub async fn answer(&self, p: &Principal, req: &AskRequest) -> Result<Answer> {
        p.require("rag", Action::Read)?;
        let question = req.question.trim();
        if question.is_empty() {
            return Err(crate::Error::invalid("message", "the question is empty"));
        }
        if question.chars().count() > 2000 {
            return Err(crate::Error::invalid("message", "the question is longer than 2000 characters"));
        }
        let today = self.clock.now().date_naive();
        let range = req.date_range.or_else(|| intent::date_range_in(question, today)).unwrap_or_default();
        let scope = rep_scope(p);
        let intent = classify(question);
        if intent != Intent::Search {
            if let Some(a) = aggregate::answer(self, p, scope.as_deref(), &range, &intent, question).await? {
                return Ok(a);
            }
        }
        retrieve::answer(self, p, scope.as_deref(), &range, req).await
    }
}
