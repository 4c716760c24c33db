//! HMAC over SHA-2 (ring), verified in constant time.

use cryptrec::{Algorithm, HashAlg};
use ring::hmac;

use crate::Error;
use crate::provider::{Permission, Provider};

/// The HMACs crypto-core implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HmacAlgorithm {
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-384.
    Sha384,
    /// HMAC-SHA-512.
    Sha512,
}

impl HmacAlgorithm {
    /// Every HMAC.
    pub const ALL: [HmacAlgorithm; 3] = [
        HmacAlgorithm::Sha256,
        HmacAlgorithm::Sha384,
        HmacAlgorithm::Sha512,
    ];

    /// The underlying hash.
    pub fn hash_alg(self) -> HashAlg {
        match self {
            HmacAlgorithm::Sha256 => HashAlg::Sha256,
            HmacAlgorithm::Sha384 => HashAlg::Sha384,
            HmacAlgorithm::Sha512 => HashAlg::Sha512,
        }
    }

    /// From a hash, if implemented.
    pub fn from_hash_alg(h: HashAlg) -> Result<HmacAlgorithm, Error> {
        HmacAlgorithm::ALL
            .into_iter()
            .find(|a| a.hash_alg() == h)
            .ok_or_else(|| Error::Unsupported(format!("hmac-{h}")))
    }

    /// The algorithm identifier.
    pub fn algorithm(self) -> Algorithm {
        Algorithm::Hmac(self.hash_alg())
    }

    pub(crate) fn ring_hmac(self) -> hmac::Algorithm {
        match self {
            HmacAlgorithm::Sha256 => hmac::HMAC_SHA256,
            HmacAlgorithm::Sha384 => hmac::HMAC_SHA384,
            HmacAlgorithm::Sha512 => hmac::HMAC_SHA512,
        }
    }

    /// Tag length in bytes.
    pub fn tag_len(self) -> usize {
        usize::from(self.hash_alg().output_bits() / 8)
    }
}

/// An HMAC key. No `Debug`, no `Clone`.
pub struct HmacKey {
    alg: HmacAlgorithm,
    key: hmac::Key,
    permission: Permission,
}

impl HmacKey {
    /// A key; refused if the policy refuses this HMAC even for verification.
    pub fn new(provider: &Provider, alg: HmacAlgorithm, key: &[u8]) -> Result<HmacKey, Error> {
        let permission = provider.permission(&alg.algorithm())?;
        Ok(HmacKey {
            alg,
            key: hmac::Key::new(alg.ring_hmac(), key),
            permission,
        })
    }

    pub(crate) fn unchecked(alg: HmacAlgorithm, key: &[u8]) -> HmacKey {
        HmacKey {
            alg,
            key: hmac::Key::new(alg.ring_hmac(), key),
            permission: Permission::allow_all(),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> HmacAlgorithm {
        self.alg
    }

    /// Computes a tag (protect).
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        self.permission.protect()?;
        Ok(hmac::sign(&self.key, data).as_ref().to_vec())
    }

    /// Verifies a full-length tag in constant time (process).
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> Result<(), Error> {
        hmac::verify(&self.key, data, tag).map_err(|_| Error::NotAuthentic)
    }
}
