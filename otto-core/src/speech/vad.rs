//! Energy-based voice activity detection, one channel at a time.
//!
//! Call recordings are either dedicated channels (one party each, silence in between) or a
//! telephone mix; both have a clear gap between speech and the noise floor, so frame energy with
//! an adaptive threshold and a hangover finds turns to within a frame or two. Whisper's own
//! timestamps are too coarse (about a second) to cut turns by, which is why this exists.

use super::resample::TARGET_RATE;

/// Frame length: 10 ms at 16 kHz.
pub const FRAME: usize = (TARGET_RATE / 100) as usize;

/// Tuning of [`detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadConfig {
    /// Pauses shorter than this (seconds) stay inside one interval: the pauses between words
    /// and sentences of one turn. Also the hangover kept after the last loud frame.
    pub hangover: f64,
    /// Intervals shorter than this (seconds) are dropped as clicks and breaths.
    pub min_speech: f64,
    /// Lowest level (dBFS) ever counted as speech.
    pub floor_dbfs: f32,
    /// Speech must be this many dB above the channel's noise floor.
    pub above_noise_db: f32,
    /// ... and no more than this many dB below the channel's typical speech level.
    pub below_speech_db: f32,
}

impl Default for VadConfig {
    fn default() -> Self {
        Self { hangover: 0.45, min_speech: 0.12, floor_dbfs: -50.0, above_noise_db: 12.0, below_speech_db: 30.0 }
    }
}

/// A stretch of speech, in seconds from the start of the recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeechInterval {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Mean level of the interval's loud frames, dBFS (used to suppress cross-channel bleed).
    pub level_db: f32,
}

impl SpeechInterval {
    /// Length in seconds.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// Level of each 10 ms frame in dBFS (RMS), for 16 kHz samples.
pub fn frame_levels(samples: &[f32]) -> Vec<f32> {
    samples
        .chunks(FRAME)
        .map(|f| {
            let energy = f.iter().map(|s| s * s).sum::<f32>() / f.len().max(1) as f32;
            10.0 * energy.max(1e-12).log10()
        })
        .collect()
}

fn percentile(sorted: &[f32], p: f64) -> f32 {
    if sorted.is_empty() {
        return -120.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The threshold (dBFS) above which a frame of this channel counts as speech.
pub fn threshold(levels: &[f32], config: &VadConfig) -> f32 {
    let mut sorted: Vec<f32> = levels.to_vec();
    sorted.sort_by(f32::total_cmp);
    let noise = percentile(&sorted, 0.10);
    let speech = percentile(&sorted, 0.95);
    config.floor_dbfs.max(noise + config.above_noise_db).max(speech - config.below_speech_db)
}

/// Speech intervals of one 16 kHz channel, in time order.
pub fn detect(samples: &[f32], config: &VadConfig) -> Vec<SpeechInterval> {
    let levels = frame_levels(samples);
    let thr = threshold(&levels, config);
    let frame_secs = FRAME as f64 / f64::from(TARGET_RATE);
    let hang_frames = (config.hangover / frame_secs).round() as usize;
    let mut out: Vec<SpeechInterval> = Vec::new();
    // (first loud frame, last loud frame, sum of loud levels, count)
    let mut open: Option<(usize, usize, f32, usize)> = None;
    for (i, &level) in levels.iter().enumerate() {
        let loud = level > thr;
        match (&mut open, loud) {
            (None, true) => open = Some((i, i, level, 1)),
            (Some((_, last, sum, n)), true) => {
                *last = i;
                *sum += level;
                *n += 1;
            }
            (Some((first, last, sum, n)), false) if i - *last > hang_frames => {
                out.push(interval(*first, *last, *sum / *n as f32, frame_secs));
                open = None;
            }
            _ => {}
        }
    }
    if let Some((first, last, sum, n)) = open {
        out.push(interval(first, last, sum / n as f32, frame_secs));
    }
    let total = samples.len() as f64 / f64::from(TARGET_RATE);
    out.retain(|iv| iv.duration() >= config.min_speech);
    for iv in &mut out {
        iv.end = iv.end.min(total);
    }
    out
}

fn interval(first: usize, last: usize, level_db: f32, frame_secs: f64) -> SpeechInterval {
    SpeechInterval { start: first as f64 * frame_secs, end: (last + 1) as f64 * frame_secs, level_db }
}

/// Drops intervals of one channel that are only the other channel's speech leaking in (echo,
/// crosstalk on a dual-channel recorder): mostly overlapped by the other channel's speech and
/// much quieter than it.
pub fn suppress_bleed(mine: &[SpeechInterval], other: &[SpeechInterval], margin_db: f32) -> Vec<SpeechInterval> {
    mine.iter()
        .filter(|iv| {
            let overlapping: Vec<&SpeechInterval> =
                other.iter().filter(|o| o.start < iv.end && o.end > iv.start).collect();
            let covered: f64 = overlapping.iter().map(|o| o.end.min(iv.end) - o.start.max(iv.start)).sum();
            let louder = overlapping.iter().any(|o| o.level_db - iv.level_db > margin_db);
            !(covered > 0.8 * iv.duration() && louder)
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn burst(out: &mut Vec<f32>, secs: f64, amp: f32) {
        let n = (secs * 16_000.0) as usize;
        out.extend((0..n).map(|i| amp * (i as f32 * 0.2).sin() * (1.0 + 0.3 * (i as f32 * 0.003).sin())));
    }

    fn silence(out: &mut Vec<f32>, secs: f64, noise: f32) {
        let n = (secs * 16_000.0) as usize;
        out.extend((0..n).map(|i| noise * (((i as u32).wrapping_mul(2_654_435_761) >> 16) as f32 / 65_536.0 - 0.5)));
    }

    #[test]
    fn test_bursts_are_found_with_accurate_edges() {
        let mut s = Vec::new();
        silence(&mut s, 1.0, 0.001);
        burst(&mut s, 2.0, 0.3);
        silence(&mut s, 0.2, 0.001); // a pause inside the turn: bridged by the hangover
        burst(&mut s, 1.0, 0.3);
        silence(&mut s, 1.5, 0.001);
        burst(&mut s, 0.6, 0.1);
        silence(&mut s, 0.05, 0.001);
        burst(&mut s, 0.03, 0.3); // a click right after: joined to the turn
        silence(&mut s, 1.0, 0.001);
        let found = detect(&s, &VadConfig::default());
        assert_eq!(found.len(), 2, "{found:?}");
        assert!((found[0].start - 1.0).abs() < 0.03 && (found[0].end - 4.2).abs() < 0.03, "{found:?}");
        assert!((found[1].start - 5.7).abs() < 0.03 && (found[1].end - 6.38).abs() < 0.03, "{found:?}");
    }

    #[test]
    fn test_silence_and_digital_zero_have_no_speech() {
        assert!(detect(&vec![0.0; 32_000], &VadConfig::default()).is_empty());
        let mut s = Vec::new();
        silence(&mut s, 2.0, 0.002);
        assert!(detect(&s, &VadConfig::default()).is_empty());
        assert!(detect(&[], &VadConfig::default()).is_empty());
    }

    #[test]
    fn test_quiet_bleed_under_the_other_channel_is_dropped() {
        let loud = [SpeechInterval { start: 1.0, end: 3.0, level_db: -20.0 }];
        let mine = [
            SpeechInterval { start: 1.1, end: 2.9, level_db: -45.0 },
            SpeechInterval { start: 4.0, end: 5.0, level_db: -22.0 },
        ];
        let kept = suppress_bleed(&mine, &loud, 15.0);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].start, 4.0);
    }
}
