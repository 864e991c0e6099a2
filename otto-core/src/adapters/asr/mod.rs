//! Speech recognition adapters ([`crate::ports::AsrEngine`]).
//!
//! - `whisper` (feature `asr-whisper`): Whisper via whisper.cpp, offline.
//! - `openai_transcribe`, `deepgram` (feature `asr-http`): cloud APIs.
//! - `ct2ggml` (always built, pure Rust): CTranslate2 -> ggml model conversion for `whisper`.

pub mod ct2ggml;
#[cfg(feature = "asr-http")]
pub mod deepgram;
#[cfg(feature = "asr-http")]
pub mod http;
#[cfg(feature = "asr-http")]
pub mod openai_transcribe;
#[cfg(feature = "asr-whisper")]
pub mod whisper;
