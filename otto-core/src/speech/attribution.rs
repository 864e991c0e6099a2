//! Who said what: speaker labels and rep/customer roles for recognised turns.
//!
//! - **Stereo** (one party per channel, how call recorders and most telephony platforms store
//!   calls): attribution is exact. Turns come from per-channel voice activity; the call's
//!   `rep_channel` names the rep's channel (role confidence 1). Without it, the channels' words
//!   decide (rep-like phrases), with moderate confidence.
//! - **Mono**: a [`SpeakerSplitter`] groups speech intervals into speakers. The built-in
//!   [`PitchSplitter`] is model-free (voice pitch clustering) and its labels are marked low
//!   confidence; a speaker-embedding model can implement the trait later.

use super::resample::TARGET_RATE;
use super::vad::SpeechInterval;
use crate::domain::{SegmentInput, SpeakerRole, TranscriptSegment};
use crate::pipeline::infer_roles;

/// Highest role confidence a mono split may claim: the speakers are guessed from the voice.
pub const MONO_MAX_ROLE_CONFIDENCE: f32 = 0.5;

/// One recognised turn before roles are assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledTurn {
    /// Speaker label: `channel_0`, `channel_1`, `speaker_0`...
    pub speaker_id: String,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Recognised text.
    pub text: String,
    /// Recognition confidence 0..=1.
    pub confidence: f32,
}

/// The speaker label of a stereo channel.
pub fn channel_label(channel: usize) -> String {
    format!("channel_{channel}")
}

/// Attributes the turns of a stereo call. `rep_channel` (0 = left, 1 = right) comes from the
/// call; when absent, roles are inferred from what each channel says.
pub fn attribute_stereo(turns: Vec<LabeledTurn>, rep_channel: Option<u8>) -> Vec<TranscriptSegment> {
    match rep_channel {
        Some(rep) => {
            let rep_label = channel_label(usize::from(rep));
            finish(
                turns,
                |label| {
                    if label == rep_label {
                        (SpeakerRole::Rep, 1.0)
                    } else {
                        (SpeakerRole::Customer, 1.0)
                    }
                },
            )
        }
        None => attribute_by_words(turns, 0.9),
    }
}

/// Attributes turns whose speakers came from a mono splitter: roles from what each speaker says,
/// confidence scaled by the split's own confidence and capped at [`MONO_MAX_ROLE_CONFIDENCE`].
pub fn attribute_mono(turns: Vec<LabeledTurn>, split_confidence: f32) -> Vec<TranscriptSegment> {
    attribute_by_words(turns, (split_confidence * MONO_MAX_ROLE_CONFIDENCE).clamp(0.0, MONO_MAX_ROLE_CONFIDENCE))
}

/// Attributes turns labelled by a provider's diarization (Deepgram `diarize`): speakers are the
/// provider's, roles come from the words. Capped at 0.8: the provider separates voices, but
/// which one is the rep is still inferred. Without labels on every turn, treated like mono.
pub fn attribute_diarized(turns: Vec<LabeledTurn>, all_labelled: bool) -> Vec<TranscriptSegment> {
    attribute_by_words(turns, if all_labelled { 0.8 } else { MONO_MAX_ROLE_CONFIDENCE * 0.6 })
}

fn attribute_by_words(turns: Vec<LabeledTurn>, cap: f32) -> Vec<TranscriptSegment> {
    let inputs: Vec<SegmentInput> = turns
        .iter()
        .map(|t| SegmentInput { speaker: t.speaker_id.clone(), text: t.text.clone(), start_time: None, end_time: None })
        .collect();
    let mut roles = infer_roles(&inputs);
    // A single speaker has nobody to be compared with: unknown rather than a guessed rep.
    let speakers: std::collections::BTreeSet<&str> = turns.iter().map(|t| t.speaker_id.as_str()).collect();
    if speakers.len() < 2 {
        roles.values_mut().for_each(|r| *r = (SpeakerRole::Unknown, 0.0));
    }
    finish(turns, |label| roles.get(label).map_or((SpeakerRole::Unknown, 0.0), |(r, c)| (*r, c.min(cap))))
}

fn finish(mut turns: Vec<LabeledTurn>, role_of: impl Fn(&str) -> (SpeakerRole, f32)) -> Vec<TranscriptSegment> {
    turns.sort_by(|a, b| a.start.total_cmp(&b.start).then_with(|| a.speaker_id.cmp(&b.speaker_id)));
    turns
        .into_iter()
        .filter(|t| !t.text.trim().is_empty())
        .map(|t| {
            let (role, role_confidence) = role_of(&t.speaker_id);
            TranscriptSegment {
                role,
                role_confidence,
                start_time: round_ms(t.start),
                end_time: round_ms(t.end),
                text: t.text.trim().to_string(),
                confidence: t.confidence,
                speaker_id: t.speaker_id,
            }
        })
        .collect()
}

fn round_ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

/// A mono speaker split: which speaker each speech interval belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeakerSplit {
    /// Speaker label per input interval (`speaker_0`, `speaker_1`...).
    pub labels: Vec<String>,
    /// How sure the splitter is, 0..=1.
    pub confidence: f32,
}

/// Splits the speech of a mono recording into speakers. Implement this with a speaker-embedding
/// model (ECAPA, WeSpeaker...) to replace the model-free [`PitchSplitter`].
pub trait SpeakerSplitter: Send + Sync {
    /// Name, recorded with the transcript.
    fn name(&self) -> &str;
    /// Labels each interval of `samples_16k` with a speaker.
    fn split(&self, samples_16k: &[f32], intervals: &[SpeechInterval]) -> SpeakerSplit;
}

/// Model-free splitter: clusters intervals into two speakers by median voice pitch when the
/// pitches fall into two clearly separate groups (a typical male/female call), else one speaker.
/// Voices of similar pitch are not told apart, hence the low confidence.
#[derive(Debug, Clone, Copy, Default)]
pub struct PitchSplitter;

impl SpeakerSplitter for PitchSplitter {
    fn name(&self) -> &str {
        "pitch-2means"
    }

    fn split(&self, samples: &[f32], intervals: &[SpeechInterval]) -> SpeakerSplit {
        let pitches: Vec<Option<f32>> = intervals.iter().map(|iv| median_pitch(samples, iv)).collect();
        let known: Vec<f32> = pitches.iter().flatten().map(|p| p.ln()).collect();
        let one = |c: f32| SpeakerSplit { labels: vec!["speaker_0".to_string(); intervals.len()], confidence: c };
        if known.len() < 2 {
            return one(0.3);
        }
        let (lo, hi) = two_means(&known);
        // Less than about 20% apart in pitch: probably one voice (or two we can't separate).
        if hi - lo < 0.18 {
            return one(0.3);
        }
        let mid = (lo + hi) / 2.0;
        // Intervals without a pitch estimate join the previous speaker's opposite: turns alternate.
        let mut labels = Vec::with_capacity(intervals.len());
        let mut last = 1usize;
        for p in &pitches {
            let who = match p {
                Some(p) => usize::from(p.ln() > mid),
                None => 1 - last,
            };
            last = who;
            labels.push(format!("speaker_{who}"));
        }
        let separation = ((hi - lo - 0.18) / 0.3).clamp(0.0, 1.0);
        SpeakerSplit { labels, confidence: 0.5 + 0.5 * separation }
    }
}

/// Two-means clustering of 1-D values; returns the two centres, low first.
fn two_means(values: &[f32]) -> (f32, f32) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let (mut a, mut b) = (sorted[0], sorted[sorted.len() - 1]);
    for _ in 0..20 {
        let (mut sa, mut na, mut sb, mut nb) = (0.0, 0, 0.0, 0);
        for v in &sorted {
            if (v - a).abs() <= (v - b).abs() {
                sa += v;
                na += 1;
            } else {
                sb += v;
                nb += 1;
            }
        }
        if na == 0 || nb == 0 {
            break;
        }
        (a, b) = (sa / na as f32, sb / nb as f32);
    }
    (a.min(b), a.max(b))
}

/// Median fundamental frequency (Hz) of the voiced 40 ms frames of an interval, by normalised
/// autocorrelation over 70..400 Hz; None when too few frames are voiced.
fn median_pitch(samples: &[f32], iv: &SpeechInterval) -> Option<f32> {
    let rate = TARGET_RATE as usize;
    let (start, end) = ((iv.start * rate as f64) as usize, ((iv.end * rate as f64) as usize).min(samples.len()));
    let frame = rate / 25;
    let (min_lag, max_lag) = (rate / 400, rate / 70);
    let mut f0s = Vec::new();
    let mut pos = start;
    while pos + frame + max_lag <= end {
        let x = &samples[pos..pos + frame + max_lag];
        let energy: f32 = x[..frame].iter().map(|s| s * s).sum();
        if energy > 1e-6 {
            let r: Vec<f32> = (min_lag..=max_lag)
                .map(|lag| {
                    let (mut num, mut e2) = (0.0f32, 0.0f32);
                    for i in 0..frame {
                        num += x[i] * x[i + lag];
                        e2 += x[i + lag] * x[i + lag];
                    }
                    num / (energy * e2).sqrt().max(1e-9)
                })
                .collect();
            let best = r.iter().copied().fold(0.0f32, f32::max);
            // Multiples of the period correlate as well as the period itself; the shortest lag
            // that is a local peak close to the best one is the fundamental (no octave errors).
            let pick =
                (1..r.len().saturating_sub(1)).find(|&i| r[i] >= 0.9 * best && r[i] >= r[i - 1] && r[i] >= r[i + 1]);
            if let Some(i) = pick.filter(|_| best > 0.6) {
                f0s.push(rate as f32 / (min_lag + i) as f32);
            }
        }
        pos += frame / 2;
    }
    if f0s.len() < 3 {
        return None;
    }
    f0s.sort_by(f32::total_cmp);
    Some(f0s[f0s.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(who: &str, start: f64, text: &str) -> LabeledTurn {
        LabeledTurn { speaker_id: who.into(), start, end: start + 1.0, text: text.into(), confidence: 0.9 }
    }

    #[test]
    fn test_rep_channel_decides_roles_exactly() {
        let turns = vec![
            turn("channel_1", 2.0, "I need a new roof."),
            turn("channel_0", 0.0, "Thanks for calling, how can I help?"),
            turn("channel_1", 5.0, "   "),
        ];
        let segs = attribute_stereo(turns.clone(), Some(1));
        assert_eq!(segs.len(), 2, "blank turns are dropped");
        assert_eq!((segs[0].speaker_id.as_str(), segs[0].role), ("channel_0", SpeakerRole::Customer));
        assert_eq!((segs[1].role, segs[1].role_confidence), (SpeakerRole::Rep, 1.0));
        let inferred = attribute_stereo(turns, None);
        assert_eq!(inferred[0].role, SpeakerRole::Rep);
        assert!(inferred[0].role_confidence < 1.0);
    }

    #[test]
    fn test_pitch_splitter_separates_low_and_high_voices() {
        let rate = 16_000.0;
        let mut samples = Vec::new();
        let mut intervals = Vec::new();
        for (i, f0) in [110.0f32, 220.0, 115.0, 210.0].iter().enumerate() {
            let start = samples.len() as f64 / rate;
            // A buzzy voiced sound: fundamental plus harmonics.
            samples.extend((0..16_000).map(|n| {
                let t = n as f32 / rate as f32;
                (1..5).map(|h| (2.0 * std::f32::consts::PI * f0 * h as f32 * t).sin() / h as f32).sum::<f32>() * 0.2
            }));
            intervals.push(SpeechInterval { start, end: start + 1.0, level_db: -20.0 });
            samples.extend(std::iter::repeat_n(0.0, 8000));
            assert_eq!(i, intervals.len() - 1);
        }
        let split = PitchSplitter.split(&samples, &intervals);
        assert_eq!(split.labels, ["speaker_0", "speaker_1", "speaker_0", "speaker_1"]);
        assert!(split.confidence > 0.5);
        let mono = attribute_mono(
            split.labels.iter().enumerate().map(|(i, l)| turn(l, i as f64 * 1.5, "hello there")).collect(),
            split.confidence,
        );
        assert!(mono.iter().all(|s| s.role_confidence <= MONO_MAX_ROLE_CONFIDENCE));
    }
}
