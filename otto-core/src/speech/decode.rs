//! Decoding recordings (WAV, MP3, FLAC, Ogg Vorbis) into per-channel f32 samples with symphonia.
//!
//! Every failure is an [`Error::invalid`] on the `audio` field with a reason a user can act on:
//! recordings come from outside (URLs, webhooks), so bad input is expected, never a bug.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::error::{Error, Result};

/// Largest recording accepted, in bytes (100 MB).
pub const MAX_AUDIO_BYTES: usize = 100 * 1024 * 1024;
/// Longest recording accepted (60 minutes).
pub const MAX_AUDIO_DURATION: Duration = Duration::from_secs(60 * 60);
/// Most channels decoded; call recordings are mono or stereo, and more channels would multiply
/// memory for nothing.
pub const MAX_CHANNELS: usize = 8;

/// Size and duration limits for one recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioLimits {
    /// Largest file, in bytes.
    pub max_bytes: usize,
    /// Longest duration.
    pub max_duration: Duration,
}

impl Default for AudioLimits {
    fn default() -> Self {
        Self { max_bytes: MAX_AUDIO_BYTES, max_duration: MAX_AUDIO_DURATION }
    }
}

/// A decoded recording: one sample vector per channel, all the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedAudio {
    /// Samples per second.
    pub sample_rate: u32,
    /// Samples in -1.0..=1.0, one vector per channel.
    pub channels: Vec<Vec<f32>>,
    /// Container format, e.g. `wav` (from the probe).
    pub format: String,
}

impl DecodedAudio {
    /// Length in seconds.
    pub fn duration_secs(&self) -> f64 {
        let frames = self.channels.first().map_or(0, Vec::len);
        frames as f64 / f64::from(self.sample_rate.max(1))
    }
}

fn bad(reason: impl std::fmt::Display) -> Error {
    Error::invalid("audio", reason)
}

/// Decodes `bytes`. `extension` (e.g. `wav`, from the URL) only helps the format probe; the
/// content decides.
///
/// # Errors
///
/// `InvalidInput` (field `audio`) for an empty, oversized, over-long, truncated, corrupt or
/// non-audio file. Never panics: a panic inside the decoder is caught and reported the same way.
pub fn decode(bytes: &[u8], extension: Option<&str>, limits: &AudioLimits) -> Result<DecodedAudio> {
    if bytes.is_empty() {
        return Err(bad("the recording is empty (0 bytes)"));
    }
    if bytes.len() > limits.max_bytes {
        return Err(bad(format!(
            "the recording is {:.1} MB, more than the {} MB limit",
            bytes.len() as f64 / 1_048_576.0,
            limits.max_bytes / 1_048_576
        )));
    }
    // symphonia is pure Rust, but a malformed file reaching an unchecked index in a codec would
    // abort the job with a panic; a recording from the internet must fail the call, not the worker.
    match catch_unwind(AssertUnwindSafe(|| decode_inner(bytes, extension, limits))) {
        Ok(result) => result,
        Err(_) => Err(bad("the recording is corrupt (the decoder could not read it)")),
    }
}

fn decode_inner(bytes: &[u8], extension: Option<&str>, limits: &AudioLimits) -> Result<DecodedAudio> {
    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes.to_vec())), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    if let Some(ext) = extension {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(&hint, source, &FormatOptions::default(), &MetadataOptions::default())
        .map_err(|e| match e {
            SymphoniaError::IoError(_) => bad("the recording is truncated: it ends inside its header"),
            _ => bad("not a recognised audio file (expected WAV, MP3, FLAC or Ogg Vorbis)"),
        })?;
    let mut reader = probed.format;
    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| bad("the file has no audio track"))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let sample_rate = params.sample_rate.filter(|r| *r > 0).ok_or_else(|| bad("the audio track has no sample rate"))?;
    let max_frames = (limits.max_duration.as_secs_f64() * f64::from(sample_rate)) as u64;
    if let Some(n) = params.n_frames {
        if n > max_frames {
            return Err(too_long(n as f64 / f64::from(sample_rate), limits));
        }
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|_| bad("the audio codec is not supported (expected PCM, MP3, FLAC or Vorbis)"))?;

    let mut channels: Vec<Vec<f32>> = Vec::new();
    let mut buffer: Option<SampleBuffer<f32>> = None;
    let (mut packets, mut corrupt) = (0usize, 0usize);
    let mut cut_short = false;
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            // The normal end of a stream, and also where a truncated file ends; the frame count
            // check below tells them apart when the header declares a length.
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymphoniaError::ResetRequired) => break,
            Err(SymphoniaError::IoError(_)) => {
                cut_short = true;
                break;
            }
            Err(_) => {
                corrupt += 1;
                if corrupt > 100 {
                    return Err(bad("the recording is corrupt (too many unreadable packets)"));
                }
                continue;
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        packets += 1;
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            // A damaged packet is skipped, as players do; a file made mostly of them is rejected.
            Err(SymphoniaError::DecodeError(_)) | Err(SymphoniaError::IoError(_)) => {
                corrupt += 1;
                continue;
            }
            Err(_) => return Err(bad("the recording could not be decoded")),
        };
        let spec = *decoded.spec();
        let n_channels = spec.channels.count();
        if n_channels == 0 {
            continue;
        }
        if channels.is_empty() {
            if n_channels > MAX_CHANNELS {
                return Err(bad(format!(
                    "the recording has {n_channels} channels; at most {MAX_CHANNELS} are supported"
                )));
            }
            channels = vec![Vec::new(); n_channels];
        }
        let frames = decoded.frames();
        let buf = match &mut buffer {
            Some(b) if b.capacity() >= frames * n_channels => b,
            _ => buffer.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
        };
        buf.copy_interleaved_ref(decoded);
        let used = channels.len().min(n_channels);
        for (i, sample) in buf.samples().iter().enumerate() {
            let ch = i % n_channels;
            if ch < used {
                channels[ch].push(*sample);
            }
        }
        if channels[0].len() as u64 > max_frames {
            return Err(too_long(channels[0].len() as f64 / f64::from(sample_rate), limits));
        }
    }
    if packets > 0 && corrupt * 2 > packets {
        return Err(bad(format!("the recording is corrupt ({corrupt} of {packets} packets unreadable)")));
    }
    let frames = channels.first().map_or(0, Vec::len);
    if frames == 0 {
        return Err(if cut_short || packets == 0 {
            bad("the recording holds no audio samples (empty or truncated)")
        } else {
            bad("the recording could not be decoded: no audio samples")
        });
    }
    if let Some(declared) = params.n_frames {
        // Encoders pad the last frame, so allow a small shortfall; anything larger means the
        // file was cut off (an interrupted download or upload).
        let tolerance = u64::from(sample_rate / 10).max(4096);
        if (frames as u64) + tolerance < declared {
            return Err(bad(format!(
                "the recording is truncated: its header declares {:.1} s but only {:.1} s are present",
                declared as f64 / f64::from(sample_rate),
                frames as f64 / f64::from(sample_rate)
            )));
        }
    }
    if cut_short {
        return Err(bad("the recording is truncated (read error before its end)"));
    }
    // Guarantee equal lengths even if a stream changed its channel layout mid-way.
    let min_len = channels.iter().map(Vec::len).min().unwrap_or(0);
    for c in &mut channels {
        c.truncate(min_len);
        for s in c.iter_mut() {
            if !s.is_finite() {
                *s = 0.0;
            }
        }
    }
    let format = extension.unwrap_or("audio").to_ascii_lowercase();
    Ok(DecodedAudio { sample_rate, channels, format })
}

fn too_long(secs: f64, limits: &AudioLimits) -> Error {
    bad(format!(
        "the recording is longer than the {} minute limit ({:.0} s or more)",
        limits.max_duration.as_secs() / 60,
        secs
    ))
}

/// Encodes 16-bit PCM WAV: used by tests and by adapters that upload audio to a provider.
pub fn encode_wav_pcm16(sample_rate: u32, channels: &[Vec<f32>]) -> Vec<u8> {
    let n_channels = channels.len().max(1) as u16;
    let frames = channels.first().map_or(0, Vec::len);
    let data_len = (frames * usize::from(n_channels) * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&n_channels.to_le_bytes());
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * u32::from(n_channels) * 2).to_le_bytes());
    out.extend_from_slice(&(n_channels * 2).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..frames {
        for c in channels {
            let v = (c[i].clamp(-1.0, 1.0) * 32767.0).round() as i16;
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
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
    fn test_wav_round_trip_keeps_channels_and_rate() {
        let wav = encode_wav_pcm16(8000, &[tone(8000, 1.0, 440.0), vec![0.0; 8000]]);
        let audio = decode(&wav, Some("wav"), &AudioLimits::default()).unwrap();
        assert_eq!(audio.sample_rate, 8000);
        assert_eq!(audio.channels.len(), 2);
        assert_eq!(audio.channels[0].len(), 8000);
        assert!((audio.duration_secs() - 1.0).abs() < 1e-6);
        assert!(audio.channels[1].iter().all(|s| *s == 0.0));
        assert!((audio.channels[0][20] - tone(8000, 1.0, 440.0)[20]).abs() < 1e-3);
    }

    #[test]
    fn test_empty_input_fails_clearly() {
        let err = decode(&[], None, &AudioLimits::default()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.message().contains("empty"), "{}", err.message());
    }

    #[test]
    fn test_not_audio_fails_clearly() {
        let err = decode(b"<html><body>Not found</body></html>", Some("wav"), &AudioLimits::default()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.message().contains("not a recognised audio file"), "{}", err.message());
        let noise: Vec<u8> = (0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert_eq!(decode(&noise, None, &AudioLimits::default()).unwrap_err().kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn test_truncated_wav_fails_clearly() {
        let wav = encode_wav_pcm16(8000, &[tone(8000, 2.0, 300.0)]);
        let err = decode(&wav[..wav.len() / 2], Some("wav"), &AudioLimits::default()).unwrap_err();
        assert!(err.message().contains("truncated"), "{}", err.message());
        let err = decode(&wav[..30], Some("wav"), &AudioLimits::default()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{}", err.message());
        // A header with no samples at all.
        let err = decode(&wav[..44], Some("wav"), &AudioLimits::default()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{}", err.message());
    }

    #[test]
    fn test_limits_are_enforced() {
        let wav = encode_wav_pcm16(8000, &[tone(8000, 3.0, 300.0)]);
        let small = AudioLimits { max_bytes: 1000, ..AudioLimits::default() };
        assert!(decode(&wav, None, &small).unwrap_err().message().contains("MB limit"));
        let short = AudioLimits { max_duration: Duration::from_secs(2), ..AudioLimits::default() };
        assert!(decode(&wav, None, &short).unwrap_err().message().contains("minute limit"));
    }
}
