//! Speech processing in pure Rust: decode a recording, resample to 16 kHz, find speech per
//! channel, transcribe each turn with an [`AsrEngine`] and attribute speakers.
//!
//! The result is the same [`Transcript`] a submitted transcript becomes, so the analysis stage
//! consumes it unchanged. Turn boundaries come from voice activity, not from the recogniser's
//! timestamps (about a second coarse, and unreliable across long one-sided silences).

pub mod attribution;
pub mod decode;
pub mod resample;
pub mod vad;

use std::time::Instant;

use attribution::{LabeledTurn, SpeakerSplitter};
use decode::{AudioLimits, DecodedAudio};
use vad::{SpeechInterval, VadConfig};

use crate::domain::Transcript;
use crate::error::Result;
use crate::ports::{AsrEngine, TranscribeRequest};

pub use resample::TARGET_RATE;

/// Audio padding (seconds) kept around each turn sent to the recogniser, so word onsets and
/// endings that sit under the VAD threshold are not clipped.
const TURN_PADDING: f64 = 0.2;

/// A recording decoded and resampled to 16 kHz, one vector per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedAudio {
    /// 16 kHz samples per channel.
    pub channels: Vec<Vec<f32>>,
    /// The recording's own sample rate.
    pub source_rate: u32,
    /// Length in seconds.
    pub duration_secs: f64,
}

/// Decodes and resamples a recording. CPU-bound: call it from `spawn_blocking` in async code.
///
/// # Errors
///
/// `InvalidInput` (field `audio`) for bad or over-limit audio, see [`decode::decode`].
pub fn prepare(bytes: &[u8], extension: Option<&str>, limits: &AudioLimits) -> Result<PreparedAudio> {
    let DecodedAudio { sample_rate, channels, .. } = decode::decode(bytes, extension, limits)?;
    let frames = channels.first().map_or(0, Vec::len);
    let channels = resample::to_16k(&channels, sample_rate)?;
    Ok(PreparedAudio { channels, source_rate: sample_rate, duration_secs: frames as f64 / f64::from(sample_rate) })
}

/// How a recording was attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One party per channel.
    Stereo,
    /// One mixed channel (or two identical ones).
    Mono,
}

/// Options of [`transcribe_call`].
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechOptions {
    /// For stereo: the rep's channel (0 = left, 1 = right); None infers it from the words.
    pub rep_channel: Option<u8>,
    /// ISO 639-1 language for the recogniser, None to detect.
    pub language: Option<String>,
    /// Transcript language (BCP 47) recorded on the result.
    pub transcript_language: String,
    /// Voice activity tuning.
    pub vad: VadConfig,
    /// For mono audio: send the whole recording once and use the provider's speaker labels
    /// (engines that diarize, such as Deepgram with `diarize`), instead of splitting locally.
    pub provider_diarization: bool,
}

impl Default for SpeechOptions {
    fn default() -> Self {
        Self {
            rep_channel: None,
            language: Some("en".into()),
            transcript_language: "en-US".into(),
            vad: VadConfig::default(),
            provider_diarization: false,
        }
    }
}

/// What [`transcribe_call`] produced, with timings for progress reports and benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechResult {
    /// The attributed transcript.
    pub transcript: Transcript,
    /// Stereo or mono attribution.
    pub layout: Layout,
    /// Seconds spent inside the recogniser.
    pub asr_secs: f64,
    /// Seconds spent in everything else (VAD, splitting, attribution).
    pub other_secs: f64,
}

/// Whether two channels carry the same signal (a mono call saved as stereo): transcribing both
/// would double the work and the text.
pub fn channels_identical(a: &[f32], b: &[f32]) -> bool {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        ab += f64::from(*x) * f64::from(*y);
        aa += f64::from(*x) * f64::from(*x);
        bb += f64::from(*y) * f64::from(*y);
    }
    if aa < 1e-9 || bb < 1e-9 {
        return aa < 1e-9 && bb < 1e-9;
    }
    ab / (aa * bb).sqrt() > 0.98
}

fn slice(samples: &[f32], iv: &SpeechInterval) -> Vec<f32> {
    let rate = f64::from(TARGET_RATE);
    let start = (((iv.start - TURN_PADDING).max(0.0)) * rate) as usize;
    let end = (((iv.end + TURN_PADDING) * rate) as usize).min(samples.len());
    samples[start.min(end)..end].to_vec()
}

async fn transcribe_turn(
    asr: &dyn AsrEngine,
    samples: &[f32],
    iv: &SpeechInterval,
    speaker: String,
    language: &Option<String>,
    asr_secs: &mut f64,
) -> Result<LabeledTurn> {
    let started = Instant::now();
    let out = asr.transcribe(TranscribeRequest { samples_16k: slice(samples, iv), language: language.clone() }).await?;
    *asr_secs += started.elapsed().as_secs_f64();
    let text = out.segments.iter().map(|s| s.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
    let confidence = if out.segments.is_empty() {
        0.0
    } else {
        out.segments.iter().map(|s| s.confidence).sum::<f32>() / out.segments.len() as f32
    };
    Ok(LabeledTurn { speaker_id: speaker, start: iv.start, end: iv.end, text, confidence })
}

/// Transcribes and attributes a prepared recording.
///
/// Stereo: each channel's speech intervals (bleed from the other channel removed) are
/// transcribed turn by turn; the channel is the speaker. Mono: intervals of the mix are split
/// into speakers by `splitter` (or by the provider, see [`SpeechOptions::provider_diarization`]).
///
/// # Errors
///
/// Whatever the engine returns (`Unavailable` and `RateLimited` are worth retrying).
pub async fn transcribe_call(
    asr: &dyn AsrEngine,
    splitter: &dyn SpeakerSplitter,
    call_id: &str,
    audio: &PreparedAudio,
    opts: &SpeechOptions,
) -> Result<SpeechResult> {
    let started = Instant::now();
    let mut asr_secs = 0.0;
    let stereo = audio.channels.len() >= 2 && !channels_identical(&audio.channels[0], &audio.channels[1]);
    let (segments, layout) = if stereo {
        let found: Vec<Vec<SpeechInterval>> = audio.channels[..2].iter().map(|c| vad::detect(c, &opts.vad)).collect();
        let kept = [vad::suppress_bleed(&found[0], &found[1], 15.0), vad::suppress_bleed(&found[1], &found[0], 15.0)];
        let mut turns = Vec::new();
        for (ch, intervals) in kept.iter().enumerate() {
            for iv in intervals {
                let label = attribution::channel_label(ch);
                let t = transcribe_turn(asr, &audio.channels[ch], iv, label, &opts.language, &mut asr_secs).await?;
                turns.push(t);
            }
        }
        (attribution::attribute_stereo(turns, opts.rep_channel), Layout::Stereo)
    } else {
        let mono = if audio.channels.len() >= 2 {
            resample::downmix(&audio.channels)
        } else {
            audio.channels.first().cloned().unwrap_or_default()
        };
        let intervals = vad::detect(&mono, &opts.vad);
        let mut turns = Vec::new();
        if opts.provider_diarization && !intervals.is_empty() {
            let t0 = Instant::now();
            let out = asr
                .transcribe(TranscribeRequest { samples_16k: mono.clone(), language: opts.language.clone() })
                .await?;
            asr_secs += t0.elapsed().as_secs_f64();
            let diarized = out.segments.iter().all(|s| s.speaker.is_some());
            for s in out.segments {
                let speaker = s.speaker.map_or_else(|| "speaker_0".to_string(), |sp| format!("speaker_{sp}"));
                turns.push(LabeledTurn {
                    speaker_id: speaker,
                    start: s.start,
                    end: s.end,
                    text: s.text,
                    confidence: s.confidence,
                });
            }
            (attribution::attribute_diarized(turns, diarized), Layout::Mono)
        } else {
            let split = splitter.split(&mono, &intervals);
            for (iv, label) in intervals.iter().zip(split.labels) {
                turns.push(transcribe_turn(asr, &mono, iv, label, &opts.language, &mut asr_secs).await?);
            }
            (attribution::attribute_mono(turns, split.confidence), Layout::Mono)
        }
    };
    let transcript = Transcript {
        call_id: call_id.to_string(),
        language: opts.transcript_language.clone(),
        source: asr.name(),
        timing_estimated: false,
        segments,
    };
    let total = started.elapsed().as_secs_f64();
    Ok(SpeechResult { transcript, layout, asr_secs, other_secs: (total - asr_secs).max(0.0) })
}

/// Word error rate of `hypothesis` against `reference`, after normalising both (lowercase,
/// punctuation dropped, small numbers spelled out). Used by tests and the speech benchmark.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let r = normalize_words(reference);
    let h = normalize_words(hypothesis);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rw != hw);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len() as f64
}

/// Lowercase words without punctuation; digits 0..=20 spelled out, `%` as `percent`.
pub fn normalize_words(text: &str) -> Vec<String> {
    const SMALL: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    let cleaned: String = text
        .to_lowercase()
        .replace('%', " percent ")
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '\'' { c } else { ' ' })
        .collect();
    cleaned
        .split_whitespace()
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse::<usize>().ok().and_then(|n| SMALL.get(n)).map_or(w, |s| (*s).to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_wer_counts_edits_after_normalising() {
        assert_eq!(word_error_rate("Hello, world!", "hello world"), 0.0);
        assert_eq!(word_error_rate("it costs 5%", "it costs five percent"), 0.0);
        assert!((word_error_rate("a b c d", "a x c") - 0.5).abs() < 1e-9);
    }

    #[test]
    fn test_identical_channels_are_detected() {
        let a: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.1).sin()).collect();
        assert!(channels_identical(&a, &a));
        let b: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).cos()).collect();
        assert!(!channels_identical(&a, &b));
    }
}
