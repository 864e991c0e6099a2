//! Embedded speech recognition: Whisper through whisper.cpp (`whisper-rs`), offline.
//!
//! Loads either an ordinary whisper.cpp ggml file (`ggml-base.en.bin`, what most users have) or
//! a CTranslate2 / faster-whisper model directory (`model.bin` + `vocabulary.txt`, the layout
//! the PyPI packages installed by `otto models install whisper-tiny` ship), converted to ggml in
//! memory by [`super::ct2ggml`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

use async_trait::async_trait;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use crate::error::{Error, ErrorKind, Result};
use crate::ports::{AsrEngine, TranscribeRequest, Transcription, TranscriptionSegment};

/// Settings of [`WhisperEngine`].
#[derive(Debug, Clone, PartialEq)]
pub struct WhisperConfig {
    /// A ggml model file, or a CTranslate2 Whisper directory.
    pub model: PathBuf,
    /// CPU threads per transcription. Default 1: ggml's thread pool spin-waits, and on a small
    /// or busy machine more threads were measured to be several times slower.
    pub threads: usize,
    /// Language (ISO 639-1) used when a request names none; None detects it (multilingual
    /// models only; English-only models always transcribe English).
    pub language: Option<String>,
}

impl WhisperConfig {
    /// A config for `model` with one thread and English.
    pub fn new(model: impl Into<PathBuf>) -> Self {
        Self { model: model.into(), threads: 1, language: Some("en".into()) }
    }

    /// Sets the thread count (at least 1).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Sets the default language (`None` = detect).
    pub fn language(mut self, language: Option<String>) -> Self {
        self.language = language;
        self
    }
}

/// Whisper on the CPU via whisper.cpp. Cheap to clone; one loaded model is shared by all
/// concurrent transcriptions (each gets its own decoding state).
#[derive(Clone)]
pub struct WhisperEngine {
    ctx: Arc<WhisperContext>,
    name: String,
    threads: usize,
    language: Option<String>,
    multilingual: bool,
}

impl std::fmt::Debug for WhisperEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperEngine").field("name", &self.name).field("threads", &self.threads).finish()
    }
}

static QUIET: Once = Once::new();

impl WhisperEngine {
    /// Loads the model. Blocking (reads and converts tens of MB): call it at startup or inside
    /// `spawn_blocking`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when the path holds no usable model (the message says what was expected).
    pub fn load(config: WhisperConfig) -> Result<Self> {
        // whisper.cpp logs every load and decode to stderr; route it into whisper-rs' hooks,
        // which drop it unless a log backend is enabled.
        QUIET.call_once(whisper_rs::install_logging_hooks);
        let path = config.model.as_path();
        let params = WhisperContextParameters::default();
        let (ctx, label) = if path.is_dir() {
            let image = super::ct2ggml::convert_dir(path)?;
            let ctx = WhisperContext::new_from_buffer_with_params(&image, params)
                .map_err(|e| load_error(path, &format!("whisper.cpp rejected the converted model: {e}")))?;
            (ctx, model_label(path))
        } else if path.is_file() {
            let ctx = WhisperContext::new_with_params(path, params)
                .map_err(|e| load_error(path, &format!("not a whisper.cpp ggml model: {e}")))?;
            (ctx, model_label(path))
        } else {
            return Err(load_error(path, "no such file or directory"));
        };
        let multilingual = ctx.is_multilingual();
        Ok(Self {
            ctx: Arc::new(ctx),
            name: format!("whisper.cpp/{label}"),
            threads: config.threads.max(1),
            language: config.language,
            multilingual,
        })
    }

    /// Whether the model knows languages other than English.
    pub fn is_multilingual(&self) -> bool {
        self.multilingual
    }
}

fn load_error(path: &Path, why: &str) -> Error {
    Error::invalid(
        "model",
        format!(
            "cannot load a Whisper model from {}: {why}. Expected a whisper.cpp ggml file or a CTranslate2 \
             directory (model.bin + vocabulary.txt); `otto models install whisper-tiny` installs one",
            path.display()
        ),
    )
}

/// A readable model name: the directory's (or file's) name, skipping generic `model` dirs.
fn model_label(path: &Path) -> String {
    let mut p = path;
    loop {
        let name = p.file_stem().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        match p.parent() {
            Some(parent) if name == "model" => p = parent,
            _ => return if name.is_empty() { "whisper".into() } else { name },
        }
    }
}

/// Drops non-speech markers whisper emits on silence or noise (`[BLANK_AUDIO]`, `(music)`).
fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut close: Option<char> = None;
    for c in text.chars() {
        match (close, c) {
            (Some(end), c) if c == end => close = None,
            (Some(_), _) => {}
            (None, '[') => close = Some(']'),
            (None, '(') => close = Some(')'),
            (None, '*') => close = Some('*'),
            (None, c) => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[async_trait]
impl AsrEngine for WhisperEngine {
    fn name(&self) -> String {
        self.name.clone()
    }

    async fn transcribe(&self, req: TranscribeRequest) -> Result<Transcription> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || engine.transcribe_blocking(req))
            .await
            .map_err(|e| Error::internal(format!("whisper task failed: {e}")))?
    }
}

impl WhisperEngine {
    fn transcribe_blocking(&self, req: TranscribeRequest) -> Result<Transcription> {
        let requested = req.language.or_else(|| self.language.clone());
        // English-only models can't take another language; a multilingual one detects on None.
        let language = if self.multilingual {
            requested.map(|l| l.split(['-', '_']).next().unwrap_or("en").to_lowercase())
        } else {
            Some("en".to_string())
        };
        if let Some(l) = &language {
            if whisper_rs::get_lang_id(l).is_none() {
                return Err(Error::invalid("language", format!("`{l}` is not a language Whisper knows")));
            }
        }
        let fail = |e: whisper_rs::WhisperError| Error::new(ErrorKind::Backend, format!("whisper.cpp failed: {e}"));
        let mut state = self.ctx.create_state().map_err(fail)?;
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(self.threads as i32);
        params.set_language(Some(language.as_deref().unwrap_or("auto")));
        params.set_translate(false);
        params.set_no_context(true);
        params.set_suppress_blank(true);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        // whisper.cpp needs at least one second of input; pad short turns with silence.
        let mut samples = req.samples_16k;
        if samples.len() < 16_000 + 1600 {
            samples.resize(16_000 + 1600, 0.0);
        }
        state.full(params, &samples).map_err(fail)?;
        let detected = whisper_rs::get_lang_str(state.full_lang_id_from_state()).unwrap_or("en").to_string();
        let mut segments = Vec::new();
        for seg in state.as_iter() {
            let text = clean_text(&seg.to_str_lossy().map_err(fail)?);
            if text.is_empty() {
                continue;
            }
            let probs: Vec<f32> =
                (0..seg.n_tokens()).filter_map(|i| seg.get_token(i)).map(|t| t.token_probability()).collect();
            let confidence =
                if probs.is_empty() { 0.5 } else { probs.iter().sum::<f32>() / probs.len() as f32 }.clamp(0.0, 1.0);
            segments.push(TranscriptionSegment {
                start: seg.start_timestamp() as f64 / 100.0,
                end: seg.end_timestamp() as f64 / 100.0,
                text,
                confidence,
                speaker: None,
            });
        }
        Ok(Transcription { segments, language: language.unwrap_or(detected), engine: self.name.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_non_speech_markers_are_removed() {
        assert_eq!(clean_text(" [BLANK_AUDIO] "), "");
        assert_eq!(clean_text(" Hello (music) there *sigh* ok"), "Hello there ok");
    }

    #[test]
    fn test_missing_model_names_the_install_command() {
        let err = WhisperEngine::load(WhisperConfig::new("/nonexistent/whisper")).unwrap_err();
        assert!(err.message().contains("otto models install whisper-tiny"), "{}", err.message());
        assert_eq!(model_label(Path::new("/data/models/whisper-tiny/model")), "whisper-tiny");
        assert_eq!(model_label(Path::new("/m/ggml-base.en.bin")), "ggml-base.en");
    }
}
