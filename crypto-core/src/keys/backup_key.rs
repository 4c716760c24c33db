//! Every kind of key kagi makes, as key backup (shares, escrow) holds it: a PKCS#8 private
//! key, a 256-bit symmetric key, or a hybrid ECDH P-384 + ML-KEM-1024 private key.

use super::{Fingerprint, PrivateKey};
use crate::Error;
use crate::envelope::hybrid::HybridPrivateKey;
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// How shares and escrow files name a symmetric key.
pub const SYMMETRIC_KIND: &str = "symmetric 256-bit";
/// How shares and escrow files name a hybrid key.
pub const HYBRID_KIND: &str = "hybrid ECDH P-384 + ML-KEM-1024";

/// A key to back up or just restored. No `Debug`, no `Clone`.
pub enum BackupKey {
    /// An RSA, EC or Ed25519 private key.
    Private(PrivateKey),
    /// A 256-bit symmetric key (`kagi key gen --alg symmetric`).
    Symmetric(SecretBytes),
    /// A hybrid private key (`kagi key gen --alg hybrid-p384-mlkem1024`).
    Hybrid(HybridPrivateKey),
}

impl BackupKey {
    /// Its kind, as shares and escrow files record it.
    pub fn kind(&self) -> String {
        match self {
            BackupKey::Private(k) => k.kind().to_string(),
            BackupKey::Symmetric(_) => SYMMETRIC_KIND.into(),
            BackupKey::Hybrid(_) => HYBRID_KIND.into(),
        }
    }

    /// What identifies it without revealing it: the SHA-256 of the public key
    /// (SubjectPublicKeyInfo for PKCS#8 keys; the hybrid recipient identifier), or for a
    /// symmetric key a SHA-256 key check value under its own label.
    pub fn fingerprint(&self, provider: &Provider) -> Result<Fingerprint, Error> {
        Ok(match self {
            BackupKey::Private(k) => k.public_key().fingerprint(),
            BackupKey::Symmetric(k) => symmetric_fingerprint(k.expose()),
            BackupKey::Hybrid(k) => Fingerprint(k.public_key(provider)?.id()),
        })
    }

    /// Whether two keys are the same key.
    pub fn same_as(&self, other: &BackupKey) -> bool {
        match (self, other) {
            // The same public key: the PKCS#8 encoding of one key may differ (openssl's
            // includes the public key; the compact form recomputes it).
            (BackupKey::Private(a), BackupKey::Private(b)) => a.public_key() == b.public_key(),
            (BackupKey::Symmetric(a), BackupKey::Symmetric(b)) => {
                crate::secret::ct_eq(a.expose(), b.expose())
            }
            (BackupKey::Hybrid(a), BackupKey::Hybrid(b)) => {
                let (ea, sa) = a.parts();
                let (eb, sb) = b.parts();
                crate::secret::ct_eq(ea, eb) && crate::secret::ct_eq(sa, sb)
            }
            _ => false,
        }
    }
}

/// The fingerprint of a symmetric key: SHA-256 of a label and the key.
pub fn symmetric_fingerprint(key: &[u8]) -> Fingerprint {
    let mut m = SecretBytes::new(b"kagi symmetric key fingerprint v1".to_vec());
    let mut v = m.expose().to_vec();
    v.extend_from_slice(key);
    m = SecretBytes::new(v);
    let d = crate::hash::digest_unchecked(crate::hash::HashAlgorithm::Sha256, m.expose());
    let mut out = [0u8; 32];
    out.copy_from_slice(&d);
    Fingerprint(out)
}
