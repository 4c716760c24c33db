//! RSA-OAEP (RFC 8017 §7.1) with SHA-2 and MGF1 over the same hash, through the `rsa` crate
//! (ring has no RSA encryption). Decryption uses blinding.

use cryptrec::{Algorithm, HashAlg, Use};
use rsa::Oaep;
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::{Sha256, Sha384, Sha512};
use rsa::traits::PublicKeyParts;

use crate::Error;
use crate::provider::Provider;
use crate::rsa_util::{modulus_bits, parse_public};
use crate::secret::SecretBytes;

/// The OAEP hashes crypto-core implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OaepHash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl OaepHash {
    pub(crate) fn hash_alg(self) -> HashAlg {
        match self {
            OaepHash::Sha256 => HashAlg::Sha256,
            OaepHash::Sha384 => HashAlg::Sha384,
            OaepHash::Sha512 => HashAlg::Sha512,
        }
    }
}

/// The algorithm identifier for a modulus size and hash.
pub fn algorithm(bits: u32, hash: OaepHash) -> Algorithm {
    Algorithm::RsaOaep {
        bits,
        hash: hash.hash_alg(),
    }
}

/// Encrypts `msg` to a PKCS#1 RSAPublicKey (DER) (protect).
pub fn encrypt(
    provider: &Provider,
    hash: OaepHash,
    public_key: &[u8],
    msg: &[u8],
    label: &[u8],
) -> Result<Vec<u8>, Error> {
    let (key, bits) = parse_public(public_key)?;
    provider.check(&algorithm(bits, hash), Use::Protect)?;
    let label = label.to_vec();
    let mut rng = getrandom::SysRng;
    match hash {
        OaepHash::Sha256 => key.encrypt(&mut rng, Oaep::<Sha256>::new_with_label(label), msg),
        OaepHash::Sha384 => key.encrypt(&mut rng, Oaep::<Sha384>::new_with_label(label), msg),
        OaepHash::Sha512 => key.encrypt(&mut rng, Oaep::<Sha512>::new_with_label(label), msg),
    }
    .map_err(|_| Error::InvalidInput("message too long for RSA-OAEP with this key"))
}

/// An RSA-OAEP private key. No `Debug`, no `Clone`; the `rsa` crate zeroizes it on drop.
pub struct OaepPrivateKey {
    key: rsa::PrivateKey,
    hash: OaepHash,
    bits: u32,
}

impl OaepPrivateKey {
    /// Loads an unencrypted PKCS#8 RSA private key (DER).
    pub fn from_pkcs8(
        provider: &Provider,
        hash: OaepHash,
        pkcs8: &[u8],
    ) -> Result<OaepPrivateKey, Error> {
        let k = Self::from_pkcs8_unchecked(hash, pkcs8)?;
        provider.check(&algorithm(k.bits, hash), Use::Process)?;
        Ok(k)
    }

    pub(crate) fn from_pkcs8_unchecked(
        hash: OaepHash,
        pkcs8: &[u8],
    ) -> Result<OaepPrivateKey, Error> {
        let key = rsa::PrivateKey::from_pkcs8_der(pkcs8)
            .map_err(|_| Error::InvalidKey("not a PKCS#8 RSA private key"))?;
        let bits = modulus_bits(&key.n_bytes());
        Ok(OaepPrivateKey { key, hash, bits })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Decrypts (process). Any failure is the same vague error, and the decoding runs in
    /// constant time (Manger's attack needs to tell the failures apart).
    ///
    /// The OAEP decoding is ours (RFC 8017 §7.1.2 step 3) over the `rsa` crate's raw,
    /// blinded, CRT-checked RSA decryption: rsa 0.10.0's own decoder never checks that the
    /// leading byte Y is zero (step 3g), which Wycheproof's "First byte is 1" vector catches.
    pub fn decrypt(&self, ciphertext: &[u8], label: &[u8]) -> Result<SecretBytes, Error> {
        let k = self.key.size();
        if ciphertext.len() != k {
            return Err(Error::NotAuthentic);
        }
        let c = rsa::BoxedUint::from_be_slice(ciphertext, self.key.n_bits_precision())
            .map_err(|_| Error::NotAuthentic)?;
        let m = rsa::hazmat::rsa_decrypt_and_check(&self.key, Some(&mut getrandom::SysRng), &c)
            .map_err(|_| Error::NotAuthentic)?;
        let raw = m.to_be_bytes();
        if raw.len() < k || raw[..raw.len() - k].iter().any(|&b| b != 0) {
            return Err(Error::NotAuthentic);
        }
        let mut em = SecretBytes::new(raw[raw.len() - k..].to_vec());
        crate::oaep::decode(self.hash, em.expose_mut(), label).ok_or(Error::NotAuthentic)
    }
}
