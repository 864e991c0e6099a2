//! A tiny deterministic [`Embedder`] that needs no model: feature hashing of word unigrams and
//! bigrams into 384 dimensions.
//!
//! It exists for tests that must not compile candle or fetch 90 MB of weights, and as the
//! fallback when no sentence model is installed. It captures shared vocabulary, not meaning:
//! "too expensive" and "over our budget" score near zero. Use the MiniLM embedder (feature
//! `embed-minilm`) wherever semantic similarity matters.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use otto_core::adapters::hashing_embed::HashingEmbedder;
//! use otto_core::ports::Embedder;
//!
//! let embedder = HashingEmbedder::new();
//! let vectors = embedder.embed(&["pricing is too high".to_string()]).await.unwrap();
//! assert_eq!(vectors[0].len(), embedder.dimensions());
//! # });
//! ```

use async_trait::async_trait;

use crate::error::Result;
use crate::ports::Embedder;

/// Vector length of [`HashingEmbedder`]; the same as all-MiniLM-L6-v2, so the two can share a
/// vector index schema.
pub const HASHING_DIMENSIONS: usize = 384;

/// Bigrams carry word order but are rarer and noisier than unigrams, so they weigh less.
const BIGRAM_WEIGHT: f32 = 0.5;

/// Feature-hashing embedder: lowercased alphanumeric words and adjacent word pairs, each hashed
/// with 64-bit FNV-1a to a signed slot, then L2-normalised.
///
/// The hash is fixed (not `std`'s randomised `DefaultHasher`), so vectors are identical across
/// runs, platforms and Rust versions and can be stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct HashingEmbedder;

impl HashingEmbedder {
    /// The `hashing-384` embedder.
    pub fn new() -> Self {
        Self
    }

    /// One unit-length vector for `text`. A text without any word (empty, only punctuation)
    /// gets the vector of a reserved feature, so it is still unit length.
    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        let lowered = text.to_lowercase();
        let words: Vec<&str> = lowered.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let mut vector = vec![0.0f32; HASHING_DIMENSIONS];
        if words.is_empty() {
            add_feature(&mut vector, &[b"\x00empty"], 1.0);
        }
        for word in &words {
            add_feature(&mut vector, &[b"u\x00", word.as_bytes()], 1.0);
        }
        for pair in words.windows(2) {
            add_feature(&mut vector, &[b"b\x00", pair[0].as_bytes(), b"\x00", pair[1].as_bytes()], BIGRAM_WEIGHT);
        }
        let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            vector.iter_mut().for_each(|v| *v /= norm);
        } else {
            // Every feature cancelled out (opposite signs in one slot): fall back to the reserved
            // feature rather than return a zero vector.
            add_feature(&mut vector, &[b"\x00empty"], 1.0);
        }
        vector
    }
}

/// Adds `weight` with a hash-derived sign to the hash-derived slot of the feature whose bytes
/// are the concatenation of `parts`. The sign keeps collisions unbiased in expectation.
fn add_feature(vector: &mut [f32], parts: &[&[u8]], weight: f32) {
    let hash = fnv1a64(parts);
    let slot = (hash % vector.len() as u64) as usize;
    let sign = if hash >> 63 == 0 { 1.0 } else { -1.0 };
    vector[slot] += sign * weight;
}

fn fnv1a64(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[async_trait]
impl Embedder for HashingEmbedder {
    fn name(&self) -> String {
        format!("hashing-{HASHING_DIMENSIONS}")
    }

    fn dimensions(&self) -> usize {
        HASHING_DIMENSIONS
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    fn norm(v: &[f32]) -> f32 {
        v.iter().map(|x| x * x).sum::<f32>().sqrt()
    }

    #[tokio::test]
    async fn test_vectors_are_unit_length_with_384_dimensions() {
        let e = HashingEmbedder::new();
        let texts: Vec<String> =
            ["pricing is too high", "", "!!!", "a", "Ünïcödé wörds and 123 numbers"].map(String::from).to_vec();
        let vectors = e.embed(&texts).await.unwrap();
        assert_eq!(vectors.len(), texts.len());
        for v in &vectors {
            assert_eq!(v.len(), 384);
            assert!((norm(v) - 1.0).abs() < 1e-5, "norm {}", norm(v));
        }
        assert_eq!(e.name(), "hashing-384");
        assert_eq!(e.dimensions(), 384);
    }

    #[test]
    fn test_embedding_is_deterministic_and_case_insensitive() {
        let e = HashingEmbedder::new();
        assert_eq!(e.embed_one("The price is too high"), e.embed_one("the PRICE is too high!"));
        // Pinned values: a change to tokenisation or hashing changes stored vectors, so it must be
        // deliberate.
        let v = e.embed_one("hello world");
        let nonzero: Vec<(usize, f32)> =
            v.iter().enumerate().filter(|(_, x)| **x != 0.0).map(|(i, x)| (i, (x * 1e4).round() / 1e4)).collect();
        assert_eq!(nonzero.len(), 3, "{nonzero:?}");
        assert_eq!(nonzero, HELLO_WORLD_SLOTS.to_vec());
    }

    const HELLO_WORLD_SLOTS: [(usize, f32); 3] = [(148, 0.6667), (328, -0.6667), (381, -0.3333)];

    #[test]
    fn test_shared_words_score_higher_than_unrelated_text() {
        let e = HashingEmbedder::new();
        let a = e.embed_one("the price is too high for our budget");
        let b = e.embed_one("our budget cannot cover this price");
        let c = e.embed_one("weather forecast in Paris tomorrow");
        assert!(cosine(&a, &b) > cosine(&a, &c) + 0.2, "{} vs {}", cosine(&a, &b), cosine(&a, &c));
    }

    #[test]
    fn test_word_order_changes_the_vector_through_bigrams() {
        let e = HashingEmbedder::new();
        let a = e.embed_one("dog bites man");
        let b = e.embed_one("man bites dog");
        let sim = cosine(&a, &b);
        assert!(sim < 0.999 && sim > 0.5, "{sim}");
    }
}
