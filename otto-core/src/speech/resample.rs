//! Resampling to the 16 kHz Whisper and the VAD expect, one channel at a time, with rubato.

use rubato::{FftFixedIn, Resampler};

use crate::error::{Error, Result};

/// The sample rate of everything after decoding.
pub const TARGET_RATE: u32 = 16_000;

/// Input frames per FFT chunk: a few hundred milliseconds at telephone rates, so the
/// resampler's latency (half a chunk, removed below) stays small and its buffers stay in cache.
const CHUNK: usize = 1024;

/// Resamples each channel from `from_rate` to 16 kHz. Output length is `round(len * 16000 /
/// from_rate)`, aligned in time with the input (the resampler's delay is removed), so
/// timestamps computed on the output match the original recording.
///
/// # Errors
///
/// `InvalidInput` for a zero sample rate; `Internal` if rubato rejects the conversion.
pub fn to_16k(channels: &[Vec<f32>], from_rate: u32) -> Result<Vec<Vec<f32>>> {
    if from_rate == 0 {
        return Err(Error::invalid("audio", "sample rate 0"));
    }
    if from_rate == TARGET_RATE {
        return Ok(channels.to_vec());
    }
    channels.iter().map(|c| resample_channel(c, from_rate)).collect()
}

fn resample_channel(input: &[f32], from_rate: u32) -> Result<Vec<f32>> {
    let expected = (input.len() as u64 * u64::from(TARGET_RATE) + u64::from(from_rate) / 2) / u64::from(from_rate);
    let expected = expected as usize;
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let fail = |e: &dyn std::fmt::Display| Error::internal(format!("resampling {from_rate} Hz -> 16 kHz failed: {e}"));
    let mut resampler =
        FftFixedIn::<f32>::new(from_rate as usize, TARGET_RATE as usize, CHUNK, 1, 1).map_err(|e| fail(&e))?;
    let delay = resampler.output_delay();
    let mut out: Vec<f32> = Vec::with_capacity(expected + delay + 2 * CHUNK);
    let mut pos = 0;
    while pos + resampler.input_frames_next() <= input.len() {
        let n = resampler.input_frames_next();
        let chunk = resampler.process(&[&input[pos..pos + n]], None).map_err(|e| fail(&e))?;
        out.extend_from_slice(&chunk[0]);
        pos += n;
    }
    // The tail, then silence until the delayed samples have all come out.
    if pos < input.len() {
        let chunk = resampler.process_partial(Some(&[&input[pos..]]), None).map_err(|e| fail(&e))?;
        out.extend_from_slice(&chunk[0]);
    }
    while out.len() < expected + delay {
        let chunk = resampler.process_partial(None::<&[&[f32]]>, None).map_err(|e| fail(&e))?;
        if chunk[0].is_empty() {
            break;
        }
        out.extend_from_slice(&chunk[0]);
    }
    let mut aligned: Vec<f32> = out.into_iter().skip(delay).take(expected).collect();
    aligned.resize(expected, 0.0);
    Ok(aligned)
}

/// Averages channels into one (for mono transcription of a stereo file).
pub fn downmix(channels: &[Vec<f32>]) -> Vec<f32> {
    let n = channels.len().max(1) as f32;
    let len = channels.iter().map(Vec::len).min().unwrap_or(0);
    (0..len).map(|i| channels.iter().map(|c| c[i]).sum::<f32>() / n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, secs: f32, freq: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn test_8k_to_16k_keeps_length_pitch_and_timing() {
        let input = tone(8000, 2.0, 440.0);
        let out = to_16k(&[input], 8000).unwrap();
        assert_eq!(out[0].len(), 32_000);
        // Compare with an ideal 16 kHz tone away from the edges: same phase means no delay.
        let ideal = tone(16_000, 2.0, 440.0);
        let err: f32 = (4000..28_000).map(|i| (out[0][i] - ideal[i]).abs()).sum::<f32>() / 24_000.0;
        assert!(err < 0.01, "mean abs error {err}");
    }

    #[test]
    fn test_44k1_to_16k_and_silence_onset_stays_in_place() {
        // One second of silence then a tone: the onset must land at 1.0 s (+- 10 ms) after resampling.
        let mut input = vec![0.0f32; 44_100];
        input.extend(tone(44_100, 1.0, 300.0));
        let out = to_16k(&[input], 44_100).unwrap();
        assert_eq!(out[0].len(), 32_000);
        let onset = out[0].iter().position(|s| s.abs() > 0.05).unwrap();
        assert!((onset as i64 - 16_000).abs() < 160, "onset at {onset}");
    }

    #[test]
    fn test_16k_is_passed_through_and_zero_rate_rejected() {
        let input = vec![vec![0.1f32; 100]];
        assert_eq!(to_16k(&input, 16_000).unwrap(), input);
        assert!(to_16k(&input, 0).is_err());
        assert_eq!(downmix(&[vec![1.0, 0.0], vec![0.0, 1.0]]), vec![0.5, 0.5]);
    }
}
