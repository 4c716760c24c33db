//! A seekable pseudo-random keystream for overwriting media: AES-256 in counter mode, produced
//! as ring's AES-256-GCM encryption of zeros (GCM's GCTR is AES-CTR; the tag is discarded), one
//! 96-bit nonce per block index, so any block can be regenerated for verification. The key is
//! never stored: only a commitment to it (SHA-256 over a label and the key) is reported.

use cryptrec::{Algorithm, BlockCipher, Mode, Use};

use crate::Error;
use crate::aead::{AeadAlgorithm, AeadKey};
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// The keystream generator.
pub struct Keystream {
    key: AeadKey,
    commitment: [u8; 32],
}

impl Keystream {
    /// A generator with a fresh key from the system CSPRNG.
    pub fn random(provider: &Provider) -> Result<Keystream, Error> {
        let key = SecretBytes::new(crate::rand::array::<32>()?.to_vec());
        Self::with_key(provider, key.expose())
    }

    /// A generator with a given 256-bit key (to regenerate a stream, e.g. when resuming).
    pub fn with_key(provider: &Provider, key: &[u8]) -> Result<Keystream, Error> {
        provider.check(
            &Algorithm::Cipher {
                cipher: BlockCipher::Aes,
                key_bits: 256,
                mode: Some(Mode::Ctr),
            },
            Use::Protect,
        )?;
        let mut m = b"kagi erase keystream commitment v1".to_vec();
        m.extend_from_slice(key);
        let d = crate::hash::digest_unchecked(crate::hash::HashAlgorithm::Sha256, &m);
        let mut commitment = [0u8; 32];
        commitment.copy_from_slice(&d);
        Ok(Keystream {
            key: AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, key)?,
            commitment,
        })
    }

    /// SHA-256(`kagi erase keystream commitment v1` ‖ key): proves later which key was used
    /// without revealing it.
    pub fn commitment(&self) -> [u8; 32] {
        self.commitment
    }

    /// Fills `buf` with the keystream of block `index` (blocks are independent; any length).
    pub fn fill(&self, index: u64, buf: &mut [u8]) -> Result<(), Error> {
        buf.fill(0);
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&index.to_be_bytes());
        self.key
            .seal_detached(&nonce, b"kagi erase", buf)
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn blocks_are_reproducible_distinct_and_look_random() {
        let p = Provider::egov().unwrap();
        let key = [9u8; 32];
        let a = Keystream::with_key(&p, &key).unwrap();
        let b = Keystream::with_key(&p, &key).unwrap();
        let (mut x, mut y, mut z) = (vec![0u8; 4096], vec![0u8; 4096], vec![0u8; 4096]);
        a.fill(7, &mut x).unwrap();
        b.fill(7, &mut y).unwrap();
        a.fill(8, &mut z).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, z);
        let ones: u32 = x.iter().map(|b| b.count_ones()).sum();
        assert!((15_500..17_300).contains(&ones), "{ones} of 32768 bits set");
        assert_eq!(a.commitment(), b.commitment());
        assert_ne!(a.commitment(), Keystream::random(&p).unwrap().commitment());
    }
}
