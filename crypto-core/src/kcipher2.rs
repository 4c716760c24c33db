//! KCipher-2 (RFC 7008), Table 1 of the list: a 128-bit-key stream cipher. For data, kagi
//! offers it only inside an encrypt-then-MAC construction: the ciphertext and everything it
//! depends on are authenticated with HMAC-SHA-256 before anything is decrypted.
//!
//! Construction ([`KCipher2Hmac`]): one 256-bit key → HKDF-SHA-256 → a 128-bit KCipher-2 key
//! and a 256-bit HMAC key; `seal(iv, aad, pt)` = `ct ‖ HMAC(len(aad) ‖ aad ‖ iv ‖ ct)` with
//! `len` a 64-bit big-endian byte count. A (key, IV) pair must never be reused.
//!
//! ```
//! use crypto_core::{Provider, kcipher2::KCipher2Hmac};
//! let p = Provider::egov()?;
//! let k = KCipher2Hmac::new(&p, &[9u8; 32])?;
//! let sealed = k.seal(&[1u8; 16], b"header", b"message")?;
//! assert_eq!(k.open(&[1u8; 16], b"header", &sealed)?, b"message");
//! # Ok::<(), crypto_core::Error>(())
//! ```

use cryptrec::{Algorithm, HashAlg, Use};
use kcipher2::cipher::{KeyIvInit, StreamCipher};

use crate::Error;
use crate::mac::{HmacAlgorithm, HmacKey};
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// The raw KCipher-2 keystream applied to `data` (encrypts and decrypts alike): for
/// interoperability and known-answer tests. Unauthenticated — use [`KCipher2Hmac`] for data.
pub fn apply_keystream(
    provider: &Provider,
    key: &[u8; 16],
    iv: &[u8; 16],
    data: &mut [u8],
    use_: Use,
) -> Result<(), Error> {
    provider.check(&Algorithm::KCipher2, use_)?;
    kcipher2::KCipher2::new(key.into(), iv.into()).apply_keystream(data);
    Ok(())
}

/// KCipher-2 with HMAC-SHA-256, encrypt-then-MAC.
pub struct KCipher2Hmac {
    enc: SecretBytes,
    mac: HmacKey,
}

const TAG: usize = 32;

impl KCipher2Hmac {
    /// From a 256-bit key; the policy is asked for KCipher-2, HKDF-SHA-256 and HMAC-SHA-256.
    pub fn new(provider: &Provider, key: &[u8]) -> Result<KCipher2Hmac, Error> {
        if key.len() != 32 {
            return Err(Error::InvalidKey("a 256-bit key"));
        }
        provider.check(&Algorithm::KCipher2, Use::Protect)?;
        provider.check(&Algorithm::Hkdf(HashAlg::Sha256), Use::Protect)?;
        let enc = crate::kdf::hkdf(
            provider,
            HmacAlgorithm::Sha256,
            b"",
            key,
            b"kagi kcipher2-hmac v1 encryption",
            16,
        )?;
        let mac_key = crate::kdf::hkdf(
            provider,
            HmacAlgorithm::Sha256,
            b"",
            key,
            b"kagi kcipher2-hmac v1 authentication",
            32,
        )?;
        Ok(KCipher2Hmac {
            enc,
            mac: HmacKey::new(provider, HmacAlgorithm::Sha256, mac_key.expose())?,
        })
    }

    fn tagged(iv: &[u8; 16], aad: &[u8], ct: &[u8]) -> Vec<u8> {
        let mut m = (aad.len() as u64).to_be_bytes().to_vec();
        m.extend_from_slice(aad);
        m.extend_from_slice(iv);
        m.extend_from_slice(ct);
        m
    }

    fn keystream(&self, iv: &[u8; 16], data: &mut [u8]) -> Result<(), Error> {
        let key: [u8; 16] = self
            .enc
            .expose()
            .try_into()
            .map_err(|_| Error::InvalidKey("KCipher-2 key"))?;
        kcipher2::KCipher2::new(&key.into(), iv.into()).apply_keystream(data);
        Ok(())
    }

    /// Encrypts `plaintext` under `iv` (never reuse one with this key) and authenticates it
    /// with `aad`: returns ciphertext ‖ 32-byte tag.
    pub fn seal(&self, iv: &[u8; 16], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = plaintext.to_vec();
        self.keystream(iv, &mut out)?;
        let tag = self.mac.sign(&Self::tagged(iv, aad, &out))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Checks the tag first (in constant time), then decrypts; an altered byte anywhere, a
    /// wrong IV or AAD is [`Error::NotAuthentic`] and nothing is decrypted.
    pub fn open(&self, iv: &[u8; 16], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Error> {
        if sealed.len() < TAG {
            return Err(Error::NotAuthentic);
        }
        let (ct, tag) = sealed.split_at(sealed.len() - TAG);
        self.mac
            .verify(&Self::tagged(iv, aad, ct), tag)
            .map_err(|_| Error::NotAuthentic)?;
        let mut out = ct.to_vec();
        self.keystream(iv, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_flipped_bit_is_refused() {
        let p = Provider::egov().unwrap();
        let k = KCipher2Hmac::new(&p, &[3u8; 32]).unwrap();
        let sealed = k.seal(&[5u8; 16], b"aad", b"KCipher-2 with HMAC").unwrap();
        for i in 0..sealed.len() * 8 {
            let mut bad = sealed.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(k.open(&[5u8; 16], b"aad", &bad).is_err(), "bit {i}");
        }
        assert!(k.open(&[6u8; 16], b"aad", &sealed).is_err(), "another IV");
        assert!(k.open(&[5u8; 16], b"aaX", &sealed).is_err(), "another AAD");
        assert!(
            k.open(&[5u8; 16], b"aad", &sealed[..10]).is_err(),
            "truncated"
        );
        assert_eq!(
            k.open(&[5u8; 16], b"aad", &sealed).unwrap(),
            b"KCipher-2 with HMAC"
        );
    }
}
