//! Call analysis by a language model, with the offline engine as the safety net.
//!
//! The model gets the transcript (indexed segments), the company's SOP stages and the JSON
//! Schema of [`CallAnalysis`] (derived from the Rust types), and must answer with matching JSON.
//! The answer is parsed and checked (evidence must point at real segments, scores in range);
//! an invalid answer is retried once with the validation error, then the offline engine answers
//! and the result says so in `engine`.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::OfflineAnalyzer;
use crate::analysis::{AnalysisInput, CallAnalysis, Evidence, Speaker};
use crate::error::Result;
use crate::ports::{CallAnalyzer, ChatMessage, ChatRole, CompletionRequest, LlmEngine};

/// Version of the prompt below; stored as `engine_version` with every LLM analysis.
pub const PROMPT_VERSION: &str = "call-analysis-prompt-v1";

const SYSTEM_PROMPT: &str = "You analyse recorded phone calls of home-services sales teams (roofing, HVAC, \
plumbing, solar, windows). Answer ONLY with JSON matching the given schema.\n\
Definitions:\n\
- objections: concerns the CUSTOMER raises. objection_type is one of price, timing, authority, need, trust, \
competitor, financing. segment_index is the customer segment where it is first raised; objection_text is the \
customer's own words. handled = the rep answered with a relevant option or information that resolved it or moved \
the call forward (e.g. booked a meeting with the spouse); a dismissal is not handling. No concern, no objection: \
an empty list is correct.\n\
- lead.lead_status: hot (ready to buy or acting now), warm (interested, decision pending), cold (not buying from us \
now). qualified = owner or owner's authority reachable, real need, workable.\n\
- outcome.outcome: appointment_set, sold, follow_up, lost, not_qualified.\n\
- appointment: only a concrete future meeting booked on this call; scheduled_at is RFC 3339 in the call's local \
offset, resolved against started_at.\n\
- rehash.rehash_score: follow-up priority 1 (do not pursue) to 5 (closing).\n\
- sop.stages: one entry per configured stage, performed true/false, with evidence for performed ones.\n\
- summary: key_points keep the sentences carrying facts (amounts as digits, dates, names, next steps).\n\
Every finding must cite evidence: segment_index values that exist in the transcript and verbatim quotes.";

/// The JSON Schema of [`CallAnalysis`], self-contained (`$defs` instead of OpenAPI refs).
pub fn analysis_json_schema() -> Value {
    let mut defs: Vec<(String, RefOr<Schema>)> = Vec::new();
    <CallAnalysis as ToSchema>::schemas(&mut defs);
    let root = serde_json::to_value(<CallAnalysis as PartialSchema>::schema()).unwrap_or_default();
    let mut out = rewrite_refs(root);
    let defs: Map<String, Value> =
        defs.into_iter().map(|(name, s)| (name, rewrite_refs(serde_json::to_value(s).unwrap_or_default()))).collect();
    if let Value::Object(o) = &mut out {
        o.insert("$defs".into(), Value::Object(defs));
    }
    out
}

fn rewrite_refs(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => (k, Value::String(r.replace("#/components/schemas/", "#/$defs/"))),
                    (_, v) => (k, rewrite_refs(v)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(rewrite_refs).collect()),
        other => other,
    }
}

/// Analysis by an LLM, validated, with the offline engine as fallback.
pub struct LlmAnalyzer {
    llm: Arc<dyn LlmEngine>,
    fallback: OfflineAnalyzer,
}

impl LlmAnalyzer {
    /// An analyzer asking `llm`.
    pub fn new(llm: Arc<dyn LlmEngine>) -> Self {
        Self { llm, fallback: OfflineAnalyzer }
    }

    fn request(&self, input: &AnalysisInput, feedback: Option<&str>) -> CompletionRequest {
        let segments: Vec<Value> = input
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let speaker = match &s.speaker {
                    Speaker::Rep => "rep".to_string(),
                    Speaker::Customer => "customer".to_string(),
                    Speaker::Other(o) => o.clone(),
                };
                json!({"segment_index": i, "speaker": speaker, "start_time": s.start_time, "end_time": s.end_time, "text": s.text})
            })
            .collect();
        let call = json!({
            "call_type": input.call_type,
            "started_at": input.started_at.map(|t| t.to_rfc3339()),
            "sop_stages": input.sop_stages,
            "segments": segments,
        });
        let mut messages = vec![
            ChatMessage { role: ChatRole::System, content: SYSTEM_PROMPT.to_string() },
            ChatMessage { role: ChatRole::User, content: format!("Analyse this call:\n{call}") },
        ];
        if let Some(problem) = feedback {
            messages.push(ChatMessage {
                role: ChatRole::User,
                content: format!("Your previous answer was invalid: {problem}. Answer again with valid JSON."),
            });
        }
        let mut req = CompletionRequest::new(messages);
        req.json_schema = Some(("call_analysis".into(), analysis_json_schema()));
        req.max_tokens = 8192;
        req
    }

    async fn ask(
        &self,
        input: &AnalysisInput,
        feedback: Option<&str>,
    ) -> Result<std::result::Result<CallAnalysis, String>> {
        let answer = self.llm.complete(self.request(input, feedback)).await?;
        Ok(validate(&answer.text, input.segments.len()).map(|mut a| {
            a.engine = self.llm.name();
            a.engine_version = PROMPT_VERSION.to_string();
            // Titles, answers and follow-up drafts name the customer; models often leave it out.
            if a.summary.customer_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                a.summary.customer_name = crate::analysis::customer_name(input);
            }
            a
        }))
    }
}

/// Parses and checks a model's answer.
fn validate(text: &str, segments: usize) -> std::result::Result<CallAnalysis, String> {
    let trimmed = text.trim().trim_start_matches("```json").trim_start_matches("```").trim_end_matches("```");
    let a: CallAnalysis = serde_json::from_str(trimmed.trim()).map_err(|e| format!("not the expected JSON: {e}"))?;
    let check = |what: &str, ev: &[Evidence]| -> std::result::Result<(), String> {
        if ev.is_empty() {
            return Err(format!("{what} has no evidence"));
        }
        match ev.iter().find(|e| e.segment_index >= segments) {
            Some(e) => Err(format!("{what} cites segment {} but the call has {segments}", e.segment_index)),
            None => Ok(()),
        }
    };
    for (i, o) in a.objections.iter().enumerate() {
        check(&format!("objections[{i}]"), &o.evidence)?;
    }
    for s in a.sop.stages.iter().filter(|s| s.performed) {
        check(&format!("sop stage {}", s.stage_name), &s.evidence)?;
    }
    if let Some(appt) = &a.appointment {
        check("appointment", &appt.evidence)?;
    }
    if !(1..=5).contains(&a.rehash.rehash_score) {
        return Err(format!("rehash_score {} is not 1..=5", a.rehash.rehash_score));
    }
    if !(0.0..=1.0).contains(&a.lead.lead_score) {
        return Err(format!("lead_score {} is not 0..=1", a.lead.lead_score));
    }
    Ok(a)
}

#[async_trait]
impl CallAnalyzer for LlmAnalyzer {
    fn name(&self) -> String {
        self.llm.name()
    }

    async fn analyze(&self, input: &AnalysisInput) -> Result<CallAnalysis> {
        let first = self.ask(input, None).await;
        let outcome = match first {
            Ok(Ok(a)) => return Ok(a),
            Ok(Err(problem)) => match self.ask(input, Some(&problem)).await {
                Ok(Ok(a)) => return Ok(a),
                Ok(Err(again)) => format!("invalid answer twice ({again})"),
                Err(e) => e.message().to_string(),
            },
            Err(e) => e.message().to_string(),
        };
        tracing::warn!(engine = %self.llm.name(), reason = %outcome, "LLM analysis failed; using the offline engine");
        let mut a = self.fallback.analyze(input).await?;
        a.engine = format!("{} (fallback from {}: {})", a.engine, self.llm.name(), truncate(&outcome, 200));
        Ok(a)
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use super::*;
    use crate::analysis::Segment;
    use crate::error::Error;
    use crate::ports::{Completion, TextStream};

    /// A scripted model: answers in order, then repeats the last. `Err` is a provider outage.
    struct Scripted {
        answers: Mutex<Vec<std::result::Result<String, String>>>,
        calls: AtomicUsize,
    }

    #[async_trait]
    impl LlmEngine for Scripted {
        fn name(&self) -> String {
            "scripted:test".into()
        }
        async fn complete(&self, req: CompletionRequest) -> Result<Completion> {
            assert!(req.json_schema.is_some(), "analysis asks for structured output");
            let i = self.calls.fetch_add(1, Ordering::SeqCst);
            let answers = self.answers.lock().unwrap();
            match answers[i.min(answers.len() - 1)].clone() {
                Ok(text) => Ok(Completion {
                    text,
                    model: "test".into(),
                    finish_reason: None,
                    input_tokens: None,
                    output_tokens: None,
                }),
                Err(e) => Err(Error::new(crate::ErrorKind::Unavailable, e)),
            }
        }
        async fn stream(&self, _req: CompletionRequest) -> Result<TextStream> {
            Err(Error::internal("not used"))
        }
    }

    fn input() -> AnalysisInput {
        AnalysisInput {
            call_type: None,
            started_at: None,
            segments: vec![
                Segment::new(Speaker::Rep, "Thanks for calling Acme Roofing, this is Lee."),
                Segment::new(Speaker::Customer, "My roof leaks but honestly I can't afford much right now."),
            ],
            sop_stages: vec![],
        }
    }

    fn scripted(answers: Vec<std::result::Result<String, String>>) -> Arc<Scripted> {
        Arc::new(Scripted { answers: Mutex::new(answers), calls: AtomicUsize::new(0) })
    }

    #[tokio::test]
    async fn test_valid_answer_is_used_with_the_prompt_version() {
        let good = serde_json::to_string(&crate::analysis::analyze(&input())).unwrap();
        let llm = scripted(vec![Ok(format!("```json\n{good}\n```"))]);
        let a = LlmAnalyzer::new(llm.clone()).analyze(&input()).await.unwrap();
        assert_eq!((a.engine.as_str(), a.engine_version.as_str()), ("scripted:test", PROMPT_VERSION));
        assert_eq!(llm.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn test_invalid_answer_is_retried_once_with_feedback() {
        let good = serde_json::to_string(&crate::analysis::analyze(&input())).unwrap();
        let llm = scripted(vec![Ok("{\"lead\": 3}".into()), Ok(good)]);
        let a = LlmAnalyzer::new(llm.clone()).analyze(&input()).await.unwrap();
        assert_eq!(a.engine, "scripted:test");
        assert_eq!(llm.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn test_evidence_outside_the_transcript_is_rejected_then_offline_answers() {
        let mut bad = crate::analysis::analyze(&input());
        if let Some(o) = bad.objections.first_mut() {
            o.evidence[0].segment_index = 99;
        }
        assert!(!bad.objections.is_empty(), "the fixture has a price objection");
        let llm = scripted(vec![Ok(serde_json::to_string(&bad).unwrap())]);
        let a = LlmAnalyzer::new(llm.clone()).analyze(&input()).await.unwrap();
        assert!(a.engine.starts_with("otto-offline (fallback from scripted:test"), "{}", a.engine);
        assert!(a.engine.contains("segment 99"), "{}", a.engine);
        assert_eq!(llm.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn test_a_customer_name_the_model_left_out_comes_from_the_words() {
        let mut input = input();
        input.segments.insert(1, Segment::new(Speaker::Customer, "Hi Lee, this is Maria Lopez."));
        let mut answer = crate::analysis::analyze(&input);
        answer.summary.customer_name = None;
        let llm = scripted(vec![Ok(serde_json::to_string(&answer).unwrap())]);
        let a = LlmAnalyzer::new(llm).analyze(&input).await.unwrap();
        assert_eq!(a.engine, "scripted:test");
        assert_eq!(a.summary.customer_name.as_deref(), Some("Maria Lopez"));
    }

    #[tokio::test]
    async fn test_provider_outage_falls_back_to_offline() {
        let llm = scripted(vec![Err("provider down".into())]);
        let a = LlmAnalyzer::new(llm).analyze(&input()).await.unwrap();
        assert!(a.engine.contains("provider down"), "{}", a.engine);
    }

    #[test]
    fn test_schema_is_self_contained() {
        let schema = analysis_json_schema().to_string();
        assert!(!schema.contains("#/components/schemas/"));
        assert!(schema.contains("#/$defs/"));
        assert!(schema.contains("objection_type"));
    }
}
