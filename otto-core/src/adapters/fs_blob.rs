//! Blob storage on the local filesystem (the embedded default).

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;

use crate::error::{Error, ErrorKind, Result};
use crate::ports::BlobStore;

/// Stores each object as a file under a root directory. Writes go to a temporary file that is
/// renamed into place, so a crash never leaves a half-written object under its key.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// A store rooted at `root` (created if missing).
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(Error::backend)?;
        let root = root.canonicalize().map_err(Error::backend)?;
        Ok(Self { root })
    }

    /// Root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        let rel = Path::new(key);
        let safe = !key.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            return Err(Error::invalid("key", format!("`{key}` is not a relative blob key")));
        }
        Ok(self.root.join(rel))
    }
}

fn io_err(e: std::io::Error, key: &str) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::not_found(format!("blob {key}"))
    } else {
        Error::backend(e)
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(Error::backend)?;
        }
        let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&tmp, &bytes).await.map_err(Error::backend)?;
        let file = tokio::fs::File::open(&tmp).await.map_err(Error::backend)?;
        file.sync_all().await.map_err(Error::backend)?;
        tokio::fs::rename(&tmp, &path).await.map_err(Error::backend)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        tokio::fs::read(self.path(key)?).await.map_err(|e| io_err(e, key))
    }

    async fn delete(&self, key: &str) -> Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::backend(e)),
        }
    }

    async fn exists(&self, key: &str) -> Result<bool> {
        match self.get(key).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn uri(&self, key: &str) -> String {
        format!("file://{}", self.root.join(key).display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn test_fs_blob_roundtrip_and_rejects_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        store.put("audio/c1.wav", b"RIFF".to_vec()).await.unwrap();
        assert_eq!(store.get("audio/c1.wav").await.unwrap(), b"RIFF");
        assert!(store.exists("audio/c1.wav").await.unwrap());
        store.delete("audio/c1.wav").await.unwrap();
        assert!(!store.exists("audio/c1.wav").await.unwrap());
        assert_eq!(store.get("audio/c1.wav").await.unwrap_err().kind(), ErrorKind::NotFound);
        for bad in ["../x", "/etc/passwd", "", "a/../../b"] {
            assert_eq!(store.put(bad, vec![]).await.unwrap_err().kind(), ErrorKind::InvalidInput, "{bad}");
        }
    }
}
