//! The personal AI clone's engine: measure a rep's style from their samples, score how close a
//! text is to a style, and write in it.
//!
//! Pure functions, no I/O: the clone service stores samples and drafts, the `clone.train`
//! job ([`crate::pipeline`]) runs [`measure`] over a rep's samples.
//!
//! ```
//! use otto_core::clone::{measure, style_similarity};
//! use otto_core::domain::SampleType;
//!
//! let jake = measure(&[
//!     (SampleType::Email, "Hey Mike!\n\nHope your week's off to a great start! Holler if anything comes up.\n\nCheers,\nJake"),
//!     (SampleType::Sms, "hey Tom! quick heads up, we're running a bit late 🙂 holler if anything comes up! - Jake"),
//! ]);
//! assert_eq!(jake.greetings[0].text, "Hey {name}!");
//! let casual = style_similarity("Hey Dana! Holler if anything comes up 🙂\n\nCheers,\nJake", &jake);
//! let formal = style_similarity("Dear Ms. Lee,\n\nPlease find the proposal attached.\n\nKind regards,\nEleanor", &jake);
//! assert!(casual > formal);
//! ```

mod generate;
mod profile;
mod similarity;
pub(crate) mod text;

pub use generate::{compose, confidence, llm_messages, nearest, personalize, topic_of, Brief};
pub use profile::{measure, BASELINE};
pub use similarity::{style_similarity, style_similarity_to_samples};
