//! Turning submitted segments into a stored [`Transcript`]: speaker roles and timing.

use std::collections::BTreeMap;

use crate::domain::{SegmentInput, SpeakerRole, Transcript, TranscriptSegment};

/// Words per second of conversational English, used when no times were submitted.
const WORDS_PER_SECOND: f64 = 2.6;
/// Pause assumed between turns without times.
const TURN_GAP: f64 = 0.3;

/// Phrases a rep says and a customer rarely does, and the reverse. Lowercase.
const REP_CUES: &[&str] = &[
    "thank you for calling",
    "thanks for calling",
    "how can i help",
    "how may i help",
    "this is",
    "my name is",
    "calling from",
    "our technician",
    "our team",
    "we can get",
    "i can get you",
    "i can schedule",
    "we offer",
    "our company",
    "can i get your",
    "can i have your",
    "what's the address",
    "what is the address",
    "is this a home you own",
    "do you own",
    "you're all set",
    "we'll see you",
    "appointment",
    "warranty",
    "financing",
];
const CUSTOMER_CUES: &[&str] = &[
    "my roof",
    "my house",
    "my home",
    "my wife",
    "my husband",
    "our house",
    "how much",
    "i'm calling about",
    "i was calling",
    "i need",
    "we need",
    "can you come",
    "is that covered",
    "we got a quote",
    "i got a quote",
    "too expensive",
    "let me think",
    "talk to my",
];

fn cue_score(text: &str, cues: &[&str]) -> f64 {
    let t = text.to_lowercase();
    cues.iter().filter(|c| t.contains(*c)).count() as f64
}

/// Assigns roles to speaker labels. Explicit `rep`/`customer` labels are taken as given
/// (confidence 1). Other labels (diarization output such as `speaker_1`) are ranked by how
/// much their words sound like a rep (greetings with the company, scheduling, questions) versus
/// a customer; the most rep-like label is the rep. Model-free, so confidence stays moderate.
pub fn infer_roles(segments: &[SegmentInput]) -> BTreeMap<String, (SpeakerRole, f32)> {
    let mut out = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for s in segments {
        let label = s.speaker.trim().to_string();
        match label.to_lowercase().as_str() {
            "rep" | "agent" | "csr" | "sales_rep" => {
                out.insert(label, (SpeakerRole::Rep, 1.0));
            }
            "customer" | "caller" | "prospect" | "client" => {
                out.insert(label, (SpeakerRole::Customer, 1.0));
            }
            _ if !unknown.contains(&label) => unknown.push(label),
            _ => {}
        }
    }
    if unknown.is_empty() {
        return out;
    }
    let has_rep = out.values().any(|(r, _)| *r == SpeakerRole::Rep);
    // Score: rep cues minus customer cues, plus questions asked, normalised per turn; the first
    // speaker gets a small bonus (reps usually open: they answer inbound and dial outbound).
    let first = segments.first().map(|s| s.speaker.trim().to_string());
    let mut scores: Vec<(String, f64)> = unknown
        .iter()
        .map(|label| {
            let turns: Vec<&SegmentInput> = segments.iter().filter(|s| s.speaker.trim() == label).collect();
            let n = turns.len().max(1) as f64;
            let rep = turns.iter().map(|s| cue_score(&s.text, REP_CUES)).sum::<f64>();
            let cust = turns.iter().map(|s| cue_score(&s.text, CUSTOMER_CUES)).sum::<f64>();
            let questions = turns.iter().filter(|s| s.text.contains('?')).count() as f64;
            let bonus = if first.as_deref() == Some(label.as_str()) { 0.5 } else { 0.0 };
            (label.clone(), (rep - cust + 0.5 * questions) / n + bonus)
        })
        .collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let margin = if scores.len() > 1 { scores[0].1 - scores[1].1 } else { scores[0].1.abs() };
    // Model-free attribution never claims certainty: at most 0.9.
    let confidence = (0.5 + margin.clamp(0.0, 2.0) / 5.0) as f32;
    for (i, (label, _)) in scores.into_iter().enumerate() {
        let role = if i == 0 && !has_rep { SpeakerRole::Rep } else { SpeakerRole::Customer };
        out.insert(label, (role, confidence));
    }
    out
}

/// Builds the stored transcript: roles inferred, missing times estimated from word counts.
pub fn build_transcript(call_id: &str, language: &str, segments: &[SegmentInput]) -> Transcript {
    let roles = infer_roles(segments);
    let any_time = segments.iter().any(|s| s.start_time.is_some());
    let mut cursor = 0.0f64;
    let mut estimated = false;
    let out = segments
        .iter()
        .map(|s| {
            let words = s.text.split_whitespace().count().max(1) as f64;
            let spoken = words / WORDS_PER_SECOND;
            let start = s.start_time.unwrap_or_else(|| {
                estimated = true;
                cursor + if cursor > 0.0 { TURN_GAP } else { 0.0 }
            });
            let end = s.end_time.unwrap_or_else(|| {
                estimated = true;
                start + spoken
            });
            cursor = end.max(cursor);
            let label = s.speaker.trim().to_string();
            let (role, role_confidence) = roles.get(&label).copied().unwrap_or((SpeakerRole::Unknown, 0.0));
            TranscriptSegment {
                speaker_id: label,
                role,
                role_confidence,
                start_time: round_ms(start),
                end_time: round_ms(end),
                text: s.text.trim().to_string(),
                confidence: 1.0,
            }
        })
        .collect();
    Transcript {
        call_id: call_id.to_string(),
        language: language.to_string(),
        source: "submitted".into(),
        timing_estimated: estimated || !any_time,
        segments: out,
    }
}

fn round_ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(speaker: &str, text: &str) -> SegmentInput {
        SegmentInput { speaker: speaker.into(), text: text.into(), start_time: None, end_time: None }
    }

    #[test]
    fn test_explicit_roles_are_kept() {
        let roles = infer_roles(&[seg("rep", "Hello"), seg("customer", "Hi")]);
        assert_eq!(roles["rep"], (SpeakerRole::Rep, 1.0));
        assert_eq!(roles["customer"], (SpeakerRole::Customer, 1.0));
    }

    #[test]
    fn test_diarization_labels_get_roles_from_what_they_say() {
        let segs = [
            seg("speaker_2", "Hi, I'm calling about my roof, there's a leak. How much does an inspection cost?"),
            seg("speaker_1", "Thanks for calling Summit Roofing, this is Dana. Can I get your address?"),
            seg("speaker_2", "Sure, it's 418 Elm Street."),
            seg("speaker_1", "Great, I can get you scheduled tomorrow at nine. Does that work?"),
        ];
        let roles = infer_roles(&segs);
        assert_eq!(roles["speaker_1"].0, SpeakerRole::Rep);
        assert_eq!(roles["speaker_2"].0, SpeakerRole::Customer);
        assert!(roles["speaker_1"].1 > 0.5 && roles["speaker_1"].1 < 1.0);
    }

    #[test]
    fn test_missing_times_are_estimated_in_order() {
        let t = build_transcript("c", "en-US", &[seg("rep", "one two three four five six"), seg("customer", "ok")]);
        assert!(t.timing_estimated);
        assert_eq!(t.segments[0].start_time, 0.0);
        assert!(t.segments[1].start_time > t.segments[0].end_time);
        let timed = SegmentInput { start_time: Some(1.0), end_time: Some(2.5), ..seg("rep", "hello") };
        let t = build_transcript("c", "en-US", &[timed]);
        assert!(!t.timing_estimated);
        assert_eq!((t.segments[0].start_time, t.segments[0].end_time), (1.0, 2.5));
    }
}
