//! Signed, expiring download links for stored recordings (spec 2.5 with local blob storage).
//!
//! A link names the company, the call and an expiry (Unix seconds), and carries
//! `HMAC-SHA256(key, "otto-media-v1\n{company}\n{call_id}\n{expires}")` in hex. The download route
//! recomputes it: any changed part, or a link past its expiry, is refused. Ids never contain a
//! newline (they are validated), so the message can't be made ambiguous.
//!
//! The key is derived from the HS256 JWT secret when there is one (no extra secret to manage),
//! else generated once into `<data_dir>/media_signing_key`.

use std::path::Path;

use hmac::{Hmac, Mac};
use otto_core::Error;
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a signed link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// The signature does not match the link's parts (tampered or from another server).
    BadSignature,
    /// The link is past its expiry.
    Expired,
}

/// Signs and checks download links.
#[derive(Clone)]
pub struct UrlSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is a secret: never print it.
        f.debug_struct("UrlSigner").finish_non_exhaustive()
    }
}

impl UrlSigner {
    /// A signer whose key is derived from `secret` (the HS256 JWT secret). A separate derived key
    /// means a download link can never be replayed as, or forged from, a token signature.
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
        mac.update(b"otto media download links v1");
        let mut key = [0u8; 32];
        key.copy_from_slice(&mac.finalize().into_bytes());
        Self { key }
    }

    /// The signer whose key is stored in `<data_dir>/media_signing_key` (hex), generating it on
    /// first use: for deployments with only a JWKS (no shared secret to derive from).
    ///
    /// # Errors
    ///
    /// `Backend` when the file can't be read or written.
    pub fn load_or_generate(data_dir: &Path) -> Result<Self, Error> {
        let path = data_dir.join("media_signing_key");
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Ok(bytes) = hex::decode(text.trim()) {
                if bytes.len() == 32 {
                    let mut key = [0u8; 32];
                    key.copy_from_slice(&bytes);
                    return Ok(Self { key });
                }
            }
        }
        std::fs::create_dir_all(data_dir).map_err(Error::backend)?;
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        write_private(&path, &hex::encode(key))?;
        Ok(Self { key })
    }

    fn mac(&self, company: &str, call_id: &str, expires: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(format!("otto-media-v1\n{company}\n{call_id}\n{expires}").as_bytes());
        mac
    }

    /// The hex signature of a link to `call_id`'s recording valid until `expires` (Unix seconds).
    pub fn sign(&self, company: &str, call_id: &str, expires: i64) -> String {
        hex::encode(self.mac(company, call_id, expires).finalize().into_bytes())
    }

    /// Checks a link's signature (in constant time) and then its expiry against `now`.
    ///
    /// # Errors
    ///
    /// [`LinkError::BadSignature`] when any part was changed; [`LinkError::Expired`] after
    /// `expires`.
    pub fn verify(&self, company: &str, call_id: &str, expires: i64, sig: &str, now: i64) -> Result<(), LinkError> {
        let given = hex::decode(sig).map_err(|_| LinkError::BadSignature)?;
        self.mac(company, call_id, expires).verify_slice(&given).map_err(|_| LinkError::BadSignature)?;
        if now > expires {
            return Err(LinkError::Expired);
        }
        Ok(())
    }
}

fn write_private(path: &Path, contents: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(Error::backend)?;
    f.write_all(contents.as_bytes()).map_err(Error::backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_links_verify_until_expiry_and_reject_any_change() {
        let s = UrlSigner::from_secret(b"a-secret-of-enough-length");
        let sig = s.sign("acme", "call_1", 1000);
        assert_eq!(s.verify("acme", "call_1", 1000, &sig, 999), Ok(()));
        assert_eq!(s.verify("acme", "call_1", 1000, &sig, 1001), Err(LinkError::Expired));
        assert_eq!(s.verify("acme", "call_2", 1000, &sig, 999), Err(LinkError::BadSignature));
        assert_eq!(s.verify("other", "call_1", 1000, &sig, 999), Err(LinkError::BadSignature));
        assert_eq!(s.verify("acme", "call_1", 5000, &sig, 999), Err(LinkError::BadSignature));
        assert_eq!(s.verify("acme", "call_1", 1000, "zz", 999), Err(LinkError::BadSignature));
        let other = UrlSigner::from_secret(b"another-secret-of-enough-length");
        assert_eq!(other.verify("acme", "call_1", 1000, &sig, 999), Err(LinkError::BadSignature));
    }

    #[test]
    fn test_generated_key_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = UrlSigner::load_or_generate(dir.path()).unwrap();
        let b = UrlSigner::load_or_generate(dir.path()).unwrap();
        assert_eq!(a.sign("c", "x", 1), b.sign("c", "x", 1));
    }
}
