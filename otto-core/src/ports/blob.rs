use async_trait::async_trait;

use crate::error::Result;

/// Object storage for recordings, transcripts and documents. Keys are `/`-separated relative
/// paths built by core (never from raw user input).
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key`, replacing any object there. Readers never see a partial object.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()>;
    /// The object, or `NotFound`.
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
    /// Removes the object; removing a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<()>;
    /// Whether the object exists.
    async fn exists(&self, key: &str) -> Result<bool>;
    /// The URI recorded in call records, e.g. `file:///data/blobs/audio/c1.wav` or `s3://bucket/key`.
    fn uri(&self, key: &str) -> String;
}
