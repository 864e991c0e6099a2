//! Personal AI clone (API 9.x): a rep's measured writing style, the samples it was measured
//! from, and the drafts generated in that style.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::followup::{DraftStatus, FollowupChannel};
use super::ids::CompanyId;
use super::page::{PageRequest, SortOrder};
use crate::error::{Error, Result};

/// Most samples one training request may carry.
pub const MAX_SAMPLES_PER_TRAINING: usize = 200;
/// Longest sample, in characters.
pub const MAX_SAMPLE_CHARS: usize = 20_000;
/// Shortest useful sample: a greeting alone says nothing about how a rep writes.
pub const MIN_SAMPLE_CHARS: usize = 20;
/// Fewest distinct words in a useful sample.
pub const MIN_SAMPLE_WORDS: usize = 4;

/// What kind of communication a sample is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SampleType {
    /// An email the rep wrote.
    Email,
    /// A text message the rep sent.
    Sms,
    /// What the rep said on a call.
    CallTranscript,
}

impl SampleType {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SampleType::Email => "email",
            SampleType::Sms => "sms",
            SampleType::CallTranscript => "call_transcript",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "email" => SampleType::Email,
            "sms" => SampleType::Sms,
            "call_transcript" => SampleType::CallTranscript,
            _ => return None,
        })
    }
    /// The channel a rep who writes this kind of sample prefers (a call transcript counts for
    /// call scripts).
    pub fn channel(self) -> FollowupChannel {
        match self {
            SampleType::Email => FollowupChannel::Email,
            SampleType::Sms => FollowupChannel::Sms,
            SampleType::CallTranscript => FollowupChannel::CallScript,
        }
    }
}

/// One piece of the rep's own writing (or speech), as submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommunicationSample {
    /// The text, 20 to 20000 characters with at least four distinct words.
    #[schema(min_length = 20, max_length = 20000)]
    pub content: String,
    /// email, sms or call_transcript.
    #[serde(rename = "type")]
    pub sample_type: SampleType,
}

/// Body of `POST /api/v1/clone/{rep_id}/train`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrainCloneRequest {
    /// 1 to 200 samples; each is checked and the error names the first bad one by index.
    pub communication_samples: Vec<CommunicationSample>,
}

/// Whitespace-collapsed, lowercased text: two samples that differ only in spacing or case are
/// the same sample.
pub fn normalize_sample(content: &str) -> String {
    content.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl TrainCloneRequest {
    /// Checks every sample: not empty, not too short or long, mostly letters, enough distinct
    /// words, and no duplicates. The error names the sample index (`communication_samples[3]`).
    pub fn validate(&self) -> Result<()> {
        let n = self.communication_samples.len();
        if n == 0 {
            return Err(Error::invalid("communication_samples", "give at least one sample of the rep's writing"));
        }
        if n > MAX_SAMPLES_PER_TRAINING {
            return Err(Error::invalid(
                "communication_samples",
                format!("at most {MAX_SAMPLES_PER_TRAINING} samples per request, got {n}"),
            ));
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, s) in self.communication_samples.iter().enumerate() {
            let field = format!("communication_samples[{i}].content");
            let text = s.content.trim();
            let chars = text.chars().count();
            if text.is_empty() {
                return Err(Error::invalid(&field, "is empty"));
            }
            if chars > MAX_SAMPLE_CHARS {
                return Err(Error::invalid(&field, format!("is {chars} characters; the limit is {MAX_SAMPLE_CHARS}")));
            }
            let letters = text.chars().filter(|c| c.is_alphabetic()).count();
            if letters == 0 {
                return Err(Error::invalid(&field, "has no letters; it is not a message"));
            }
            if chars < MIN_SAMPLE_CHARS {
                return Err(Error::invalid(
                    &field,
                    format!("is too short ({chars} characters); give at least {MIN_SAMPLE_CHARS}"),
                ));
            }
            let visible = text.chars().filter(|c| !c.is_whitespace()).count();
            // Emoji and punctuation are style, but a sample that is mostly symbols or digits
            // (a phone number, a pasted table) is not the rep's writing.
            if letters * 2 < visible {
                return Err(Error::invalid(&field, "is mostly digits or symbols; give the rep's own words"));
            }
            let words: std::collections::BTreeSet<String> = text
                .split(|c: char| !c.is_alphabetic() && c != '\'')
                .filter(|w| w.chars().any(char::is_alphabetic))
                .map(str::to_lowercase)
                .collect();
            if words.len() < MIN_SAMPLE_WORDS {
                return Err(Error::invalid(
                    &field,
                    format!("has {} distinct words; give at least {MIN_SAMPLE_WORDS}", words.len()),
                ));
            }
            if let Some(first) = seen.insert(normalize_sample(text), i) {
                return Err(Error::invalid(&field, format!("duplicates communication_samples[{first}]")));
            }
        }
        Ok(())
    }
}

/// A stored sample: an exemplar of the rep's style, retrievable by similarity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloneSample {
    /// Id.
    pub sample_id: String,
    /// Tenant.
    pub company_id: CompanyId,
    /// Whose writing it is.
    pub rep_id: String,
    /// email, sms or call_transcript.
    pub sample_type: SampleType,
    /// The text, trimmed.
    pub content: String,
    /// Hash of the normalised text; a rep never stores the same sample twice.
    pub content_hash: String,
    /// The training request that brought it.
    pub training_id: String,
    /// Stored.
    pub created_at: DateTime<Utc>,
}

/// Where a clone's training stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingStatus {
    /// Samples stored, the `clone.train` job is waiting for a worker.
    #[default]
    Queued,
    /// A worker is measuring the profile.
    Training,
    /// The latest training finished; the profile is current.
    Completed,
    /// The latest training failed (`failure_reason` says why); an earlier profile stays usable.
    Failed,
}

impl TrainingStatus {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TrainingStatus::Queued => "queued",
            TrainingStatus::Training => "training",
            TrainingStatus::Completed => "completed",
            TrainingStatus::Failed => "failed",
        }
    }
    /// Parses the storage spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => TrainingStatus::Queued,
            "training" => TrainingStatus::Training,
            "completed" => TrainingStatus::Completed,
            "failed" => TrainingStatus::Failed,
            _ => return None,
        })
    }
}

/// A phrase or line with how often the rep uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Habit {
    /// The text; in greetings `{name}` stands for the customer's first name and `{full_name}`
    /// for a title and surname.
    pub text: String,
    /// Share of the samples (of the kinds where it applies) that use it, 0..=1.
    pub share: f32,
}

/// A phrase the rep uses more than generic business writing does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SignaturePhrase {
    /// The words, lowercased.
    pub phrase: String,
    /// Samples containing it.
    pub samples: u32,
    /// How much more often than in the generic baseline (smoothed ratio of per-sample rates).
    pub lift: f32,
}

/// Mean and spread of a length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LengthStats {
    /// Mean.
    pub mean: f32,
    /// Standard deviation.
    pub stddev: f32,
    /// Median.
    pub median: f32,
}

/// A rep's writing style, measured from their samples (never declared).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StyleProfile {
    /// Samples measured.
    pub samples: u32,
    /// Samples per type (`email`, `sms`, `call_transcript`).
    pub channel_mix: BTreeMap<String, u32>,
    /// Channels by how much the rep uses them, most first (`email`, `sms`, `call`).
    pub communication_preferences: Vec<String>,
    /// How the rep opens messages, most used first: `{name}` is the customer's first name,
    /// `{full_name}` a title and surname (`Hey {name}!`, `Dear {full_name},`).
    pub greetings: Vec<Habit>,
    /// How the rep signs off, most used first (`Cheers,`).
    pub sign_offs: Vec<Habit>,
    /// The name the rep signs with, when their sign-offs carry one.
    pub signature_name: Option<String>,
    /// The rep's own first lines after the greeting that carry no customer specifics.
    pub openers: Vec<String>,
    /// The rep's own last lines before the sign-off that carry no customer specifics.
    pub closers: Vec<String>,
    /// Words per sentence.
    pub sentence_length: LengthStats,
    /// Sentences per sample.
    pub sentences_per_sample: f32,
    /// Letters per word.
    pub word_length: f32,
    /// 0 (casual) to 1 (formal): formal markers against contractions, slang, exclamations
    /// and emoji, per sentence.
    pub formality: f32,
    /// Contractions per sentence.
    pub contraction_rate: f32,
    /// Slang and casual words per sentence.
    pub slang_rate: f32,
    /// Share of sentences ending in `!`.
    pub exclamation_rate: f32,
    /// Share of sentences ending in `?`.
    pub question_rate: f32,
    /// Emoji (and `:)`-style smileys) per sentence.
    pub emoji_rate: f32,
    /// The rep's emoji, most used first.
    pub emojis: Vec<String>,
    /// `...` per sentence.
    pub ellipsis_rate: f32,
    /// Dashes (` - `, `—`) per sentence.
    pub dash_rate: f32,
    /// Share of sentences starting in lower case.
    pub lowercase_start_rate: f32,
    /// Phrases the rep uses that generic business writing doesn't, strongest first.
    pub signature_phrases: Vec<SignaturePhrase>,
    /// Words the rep favours over the baseline, strongest first.
    pub vocabulary: Vec<String>,
    /// `professional`, `conversational` or `casual`, then `_friendly` or `_reserved`.
    pub tone: String,
    /// `concise`, `balanced` or `detailed`, then `_direct` or `_inquisitive`.
    pub writing_style: String,
    /// Mean hashed word/bigram vector of the samples (unit length), for lexical similarity.
    #[schema(value_type = Vec<f32>)]
    pub centroid: Vec<f32>,
}

/// A rep's clone as stored: training state and the current profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalClone {
    /// Id.
    pub clone_id: String,
    /// Tenant.
    pub company_id: CompanyId,
    /// The rep (their user id).
    pub rep_id: String,
    /// The latest training's state.
    pub training_status: TrainingStatus,
    /// Trainings completed; 0 until the first finishes.
    pub model_version: u32,
    /// The latest training request.
    pub training_id: String,
    /// The measured profile, once trained.
    pub profile: Option<StyleProfile>,
    /// Stored samples.
    pub samples: u32,
    /// Why the latest training failed.
    pub failure_reason: Option<String>,
    /// When the latest training finished.
    pub last_trained: Option<DateTime<Utc>>,
    /// Created (first training request).
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl PersonalClone {
    /// Whether a profile exists (a retraining in progress keeps the previous one usable).
    pub fn is_trained(&self) -> bool {
        self.model_version > 0 && self.profile.is_some()
    }
    /// `v{n}`.
    pub fn version_label(&self) -> String {
        format!("v{}", self.model_version)
    }
}

/// Answer of `POST /api/v1/clone/{rep_id}/train`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrainingStarted {
    /// Identifies this training; `status` reports it.
    pub training_id: String,
    /// `started`.
    pub status: String,
    /// The rep.
    pub rep_id: String,
    /// Samples in the request.
    pub samples_received: u32,
    /// Of those, samples the clone did not have yet.
    pub samples_added: u32,
    /// Samples the training will measure (all stored).
    pub samples_total: u32,
}

/// Answer of `GET /api/v1/clone/{rep_id}/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloneStatus {
    /// The rep.
    pub rep_id: String,
    /// A profile exists.
    pub is_trained: bool,
    /// queued, training, completed or failed.
    pub training_status: TrainingStatus,
    /// When the latest training finished.
    pub last_trained: Option<DateTime<Utc>>,
    /// `v{n}`: trainings completed.
    pub model_version: String,
    /// The latest training request.
    pub training_id: String,
    /// Stored samples.
    pub samples_count: u32,
    /// Why the latest training failed.
    pub failure_reason: Option<String>,
}

/// What the profile says about the rep (9.1 `characteristics`): the spec's labels plus the
/// measurements they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloneCharacteristics {
    /// e.g. `professional_friendly`.
    pub tone: String,
    /// e.g. `concise_direct`.
    pub writing_style: String,
    /// Channels by use, most first.
    pub communication_preferences: Vec<String>,
    /// Greetings, most used first.
    pub greetings: Vec<Habit>,
    /// Sign-offs, most used first.
    pub sign_offs: Vec<Habit>,
    /// Name the rep signs with.
    pub signature_name: Option<String>,
    /// Words per sentence.
    pub sentence_length: LengthStats,
    /// 0 casual .. 1 formal.
    pub formality: f32,
    /// Contractions per sentence.
    pub contraction_rate: f32,
    /// Share of sentences ending in `!`.
    pub exclamation_rate: f32,
    /// Share of sentences ending in `?`.
    pub question_rate: f32,
    /// Emoji per sentence.
    pub emoji_rate: f32,
    /// The rep's emoji.
    pub emojis: Vec<String>,
    /// Phrases the rep uses more than generic business writing.
    pub signature_phrases: Vec<SignaturePhrase>,
    /// Favoured words.
    pub vocabulary: Vec<String>,
    /// Samples per type.
    pub channel_mix: BTreeMap<String, u32>,
}

impl From<&StyleProfile> for CloneCharacteristics {
    fn from(p: &StyleProfile) -> Self {
        Self {
            tone: p.tone.clone(),
            writing_style: p.writing_style.clone(),
            communication_preferences: p.communication_preferences.clone(),
            greetings: p.greetings.clone(),
            sign_offs: p.sign_offs.clone(),
            signature_name: p.signature_name.clone(),
            sentence_length: p.sentence_length,
            formality: p.formality,
            contraction_rate: p.contraction_rate,
            exclamation_rate: p.exclamation_rate,
            question_rate: p.question_rate,
            emoji_rate: p.emoji_rate,
            emojis: p.emojis.clone(),
            signature_phrases: p.signature_phrases.clone(),
            vocabulary: p.vocabulary.clone(),
            channel_mix: p.channel_mix.clone(),
        }
    }
}

/// How the clone's drafts fare (9.1 `performance_metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClonePerformance {
    /// Drafts generated.
    pub drafts_generated: u64,
    /// Drafts approved (moved to ready or sent) over drafts generated; 0 without drafts.
    pub approval_rate: f64,
    /// Not measured yet (no feedback endpoint); always null.
    pub user_satisfaction: Option<f64>,
}

/// The clone profile (9.1 `profile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloneProfileView {
    /// Id.
    pub clone_id: String,
    /// A profile exists.
    pub is_trained: bool,
    /// queued, training, completed or failed.
    pub training_status: TrainingStatus,
    /// `v{n}`.
    pub model_version: String,
    /// Measured style; null until the first training finishes.
    pub characteristics: Option<CloneCharacteristics>,
    /// Draft counts.
    pub performance_metrics: ClonePerformance,
    /// When the latest training finished.
    pub last_trained: Option<DateTime<Utc>>,
}

/// Answer of `GET /api/v1/clone/{rep_id}/profile`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloneProfileResponse {
    /// The rep.
    pub rep_id: String,
    /// Their clone.
    pub profile: CloneProfileView,
}

/// Who and what a generated message is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GenerateContext {
    /// The customer's name.
    pub customer_name: Option<String>,
    /// The customer's company.
    pub company: Option<String>,
    /// What happened last (`Initial discovery call`).
    pub previous_interaction: Option<String>,
    /// A call the message follows up (must be visible to the caller).
    pub call_id: Option<String>,
}

/// Body of `POST /api/v1/clone/{rep_id}/generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GenerateRequest {
    /// email, sms or call_script.
    pub content_type: FollowupChannel,
    /// What to write, 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub prompt: String,
    /// Customer and history.
    #[serde(default)]
    pub context: GenerateContext,
}

impl GenerateRequest {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        let p = self.prompt.trim();
        if p.is_empty() || p.chars().count() > 2000 {
            return Err(Error::invalid("prompt", "must be 1 to 2000 characters"));
        }
        let c = &self.context;
        for (field, v) in [
            ("context.customer_name", &c.customer_name),
            ("context.company", &c.company),
            ("context.previous_interaction", &c.previous_interaction),
        ] {
            if v.as_ref().is_some_and(|v| v.trim().is_empty() || v.chars().count() > 500) {
                return Err(Error::invalid(field, "must be 1 to 500 characters"));
            }
        }
        if let Some(id) = &c.call_id {
            super::ids::validate_id("context.call_id", id)?;
        }
        Ok(())
    }
}

/// Answer of `POST /api/v1/clone/{rep_id}/generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GeneratedContent {
    /// The message.
    pub content: String,
    /// 0..=1: how much training data backs it and how close it is to the rep's measured style.
    pub confidence: f32,
    /// The stored draft.
    pub draft_id: String,
    /// `offline` or the language model's name.
    pub engine: String,
    /// The profile version used.
    pub model_version: String,
}

/// A message generated in a rep's style, stored for review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloneDraft {
    /// Id.
    pub draft_id: String,
    /// Tenant.
    #[serde(skip)]
    pub company_id: Option<CompanyId>,
    /// Whose clone wrote it.
    pub rep_id: String,
    /// email, sms or call_script.
    pub content_type: FollowupChannel,
    /// The text.
    pub content: String,
    /// draft, ready, sent or cancelled (same lifecycle as follow-up drafts).
    pub status: DraftStatus,
    /// What was asked.
    pub prompt: String,
    /// The context given.
    #[schema(value_type = Object)]
    pub context: Value,
    /// Confidence at generation.
    pub confidence: f32,
    /// `offline` or the language model's name.
    pub engine: String,
    /// Profile version used (`v{n}`).
    pub model_version: String,
    /// The call it follows up, if any.
    pub call_id: Option<String>,
    /// When it first reached ready or sent (the clone's approval rate counts these).
    pub approved_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Sort keys of the clone draft listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloneDraftSort {
    /// Creation time (default).
    #[default]
    CreatedAt,
    /// Content type.
    ContentType,
}

/// Filters of the clone draft listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloneDraftFilter {
    /// Only this rep's drafts (the service always sets it).
    pub rep_id: Option<String>,
    /// Only this content type.
    pub content_type: Option<FollowupChannel>,
    /// Only in this state.
    pub status: Option<DraftStatus>,
    /// Sort key.
    pub sort: CloneDraftSort,
    /// Direction.
    pub order: SortOrder,
    /// Page.
    pub page: PageRequest,
}

/// A page of clone drafts (9.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloneDraftList {
    /// The rep.
    pub rep_id: String,
    /// This page.
    pub drafts: Vec<CloneDraft>,
    /// Matching drafts across pages.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// Offset.
    pub offset: u64,
    /// More pages follow.
    pub has_more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(texts: &[&str]) -> TrainCloneRequest {
        TrainCloneRequest {
            communication_samples: texts
                .iter()
                .map(|t| CommunicationSample { content: (*t).into(), sample_type: SampleType::Email })
                .collect(),
        }
    }

    #[test]
    fn test_training_validation_names_the_bad_sample() {
        let good = "Hi Sam, thanks for the call today. Talk soon!";
        assert!(req(&[good]).validate().is_ok());
        assert!(req(&[]).validate().unwrap_err().message().starts_with("communication_samples"));
        let cases = [
            ("   ", "is empty"),
            ("ok thanks", "too short"),
            ("12345 67890 12345 67890 !!!", "no letters"),
            ("555-123-4567 / 555-987-6543 x12 a", "mostly digits"),
            ("yes yes yes yes yes yes yes yes", "distinct words"),
        ];
        for (bad, why) in cases {
            let e = req(&[good, bad]).validate().unwrap_err();
            assert!(e.message().starts_with("communication_samples[1].content"), "{}", e.message());
            assert!(e.message().contains(why), "{bad:?}: {}", e.message());
        }
        let dup = req(&[good, "hi sam,  thanks for the call TODAY. Talk soon!"]).validate().unwrap_err();
        assert!(dup.message().contains("communication_samples[1]") && dup.message().contains("duplicates"));
    }

    #[test]
    fn test_generate_validation_names_fields() {
        let r = GenerateRequest {
            content_type: FollowupChannel::Email,
            prompt: " ".into(),
            context: GenerateContext::default(),
        };
        assert!(r.validate().unwrap_err().message().starts_with("prompt"));
        let r = GenerateRequest {
            prompt: "Follow up".into(),
            context: GenerateContext { customer_name: Some("".into()), ..Default::default() },
            ..r
        };
        assert!(r.validate().unwrap_err().message().starts_with("context.customer_name"));
    }

    #[test]
    fn test_status_spellings_roundtrip() {
        for s in [TrainingStatus::Queued, TrainingStatus::Training, TrainingStatus::Completed, TrainingStatus::Failed] {
            assert_eq!(TrainingStatus::parse(s.as_str()), Some(s));
        }
        for t in [SampleType::Email, SampleType::Sms, SampleType::CallTranscript] {
            assert_eq!(SampleType::parse(t.as_str()), Some(t));
        }
    }
}
