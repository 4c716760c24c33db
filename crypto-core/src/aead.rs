//! Authenticated encryption: AES-GCM and ChaCha20-Poly1305 (ring), Camellia-GCM (RustCrypto
//! `aes-gcm` generic over `camellia`).
//!
//! Nonces are 96 bits, as LS-0001 注7 recommends for GCM; tags are 128 bits.

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{AeadInOut, KeyInit};
use camellia::{Camellia128, Camellia256};
use cryptrec::{Algorithm, BlockCipher, Mode};
use ring::aead as ra;

use crate::Error;
use crate::provider::{Permission, Provider};

/// Nonce length in bytes.
pub const NONCE_LEN: usize = 12;
/// Tag length in bytes.
pub const TAG_LEN: usize = 16;

/// The AEADs crypto-core implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadAlgorithm {
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// Camellia-128-GCM.
    Camellia128Gcm,
    /// Camellia-256-GCM.
    Camellia256Gcm,
    /// ChaCha20-Poly1305.
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// Every AEAD, in order.
    pub const ALL: [AeadAlgorithm; 5] = [
        AeadAlgorithm::Aes128Gcm,
        AeadAlgorithm::Aes256Gcm,
        AeadAlgorithm::Camellia128Gcm,
        AeadAlgorithm::Camellia256Gcm,
        AeadAlgorithm::ChaCha20Poly1305,
    ];

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Camellia128Gcm => 16,
            _ => 32,
        }
    }

    /// The algorithm identifier the policy evaluates.
    pub fn algorithm(self) -> Algorithm {
        let gcm = |cipher, key_bits| Algorithm::Cipher {
            cipher,
            key_bits,
            mode: Some(Mode::Gcm),
        };
        match self {
            AeadAlgorithm::Aes128Gcm => gcm(BlockCipher::Aes, 128),
            AeadAlgorithm::Aes256Gcm => gcm(BlockCipher::Aes, 256),
            AeadAlgorithm::Camellia128Gcm => gcm(BlockCipher::Camellia, 128),
            AeadAlgorithm::Camellia256Gcm => gcm(BlockCipher::Camellia, 256),
            AeadAlgorithm::ChaCha20Poly1305 => Algorithm::ChaCha20Poly1305,
        }
    }

    /// The AEAD for an algorithm identifier, if crypto-core implements it.
    pub fn from_algorithm(alg: &Algorithm) -> Result<AeadAlgorithm, Error> {
        AeadAlgorithm::ALL
            .into_iter()
            .find(|a| a.algorithm() == *alg)
            .ok_or_else(|| Error::Unsupported(format!("{alg} as an AEAD")))
    }
}

enum Imp {
    Ring(ra::LessSafeKey),
    Camellia128(AesGcm<Camellia128, U12>),
    Camellia256(AesGcm<Camellia256, U12>),
}

/// An AEAD key. No `Debug`, no `Clone`.
pub struct AeadKey {
    alg: AeadAlgorithm,
    imp: Imp,
    permission: Permission,
}

impl AeadKey {
    /// A key for `alg`; refused if the policy refuses the algorithm even for processing.
    pub fn new(provider: &Provider, alg: AeadAlgorithm, key: &[u8]) -> Result<AeadKey, Error> {
        let permission = provider.permission(&alg.algorithm())?;
        let imp = Imp::new(alg, key)?;
        Ok(AeadKey {
            alg,
            imp,
            permission,
        })
    }

    /// A key for the self-tests, before any provider exists.
    pub(crate) fn unchecked(alg: AeadAlgorithm, key: &[u8]) -> Result<AeadKey, Error> {
        Ok(AeadKey {
            alg,
            imp: Imp::new(alg, key)?,
            permission: Permission::allow_all(),
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.alg
    }

    /// Encrypts `in_out` in place and appends the tag. Fails if the policy permits this
    /// algorithm only for processing.
    pub fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let tag = self.seal_detached(nonce, aad, in_out)?;
        in_out.extend_from_slice(&tag);
        Ok(())
    }

    /// Encrypts `data` in place and returns the tag.
    pub fn seal_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
    ) -> Result<[u8; TAG_LEN], Error> {
        self.permission.protect()?;
        let mut tag = [0u8; TAG_LEN];
        match &self.imp {
            Imp::Ring(k) => {
                let t = k
                    .seal_in_place_separate_tag(
                        ra::Nonce::assume_unique_for_key(*nonce),
                        ra::Aad::from(aad),
                        data,
                    )
                    .map_err(|_| Error::InvalidInput("message too long for one AEAD call"))?;
                tag.copy_from_slice(t.as_ref());
            }
            Imp::Camellia128(c) => tag.copy_from_slice(&seal_rc(c, nonce, aad, data)?),
            Imp::Camellia256(c) => tag.copy_from_slice(&seal_rc(c, nonce, aad, data)?),
        }
        Ok(tag)
    }

    /// Decrypts `in_out` (ciphertext followed by the tag) in place; returns the plaintext part.
    /// On failure the buffer is wiped, so no unauthenticated plaintext escapes.
    pub fn open_in_place<'a>(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &'a mut [u8],
    ) -> Result<&'a mut [u8], Error> {
        if in_out.len() < TAG_LEN {
            return Err(Error::NotAuthentic);
        }
        let split = in_out.len() - TAG_LEN;
        let (data, tag) = in_out.split_at_mut(split);
        let mut t = [0u8; TAG_LEN];
        t.copy_from_slice(tag);
        self.open_detached(nonce, aad, data, &t)?;
        Ok(&mut in_out[..split])
    }

    /// Decrypts `data` in place, checking `tag`. On failure `data` is wiped.
    pub fn open_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), Error> {
        let ok = match &self.imp {
            Imp::Ring(k) => {
                let n = ra::Nonce::assume_unique_for_key(*nonce);
                k.open_in_place_separate_tag(n, ra::Aad::from(aad), ra::Tag::from(*tag), data, 0..)
                    .is_ok()
            }
            Imp::Camellia128(c) => open_rc(c, nonce, aad, data, tag),
            Imp::Camellia256(c) => open_rc(c, nonce, aad, data, tag),
        };
        if ok {
            Ok(())
        } else {
            zeroize::Zeroize::zeroize(data);
            Err(Error::NotAuthentic)
        }
    }
}

impl Imp {
    fn new(alg: AeadAlgorithm, key: &[u8]) -> Result<Imp, Error> {
        if key.len() != alg.key_len() {
            return Err(Error::InvalidKey("wrong key length for the AEAD"));
        }
        let ring_key = |a: &'static ra::Algorithm| {
            ra::UnboundKey::new(a, key)
                .map(|k| Imp::Ring(ra::LessSafeKey::new(k)))
                .map_err(|_| Error::InvalidKey("rejected by ring"))
        };
        match alg {
            AeadAlgorithm::Aes128Gcm => ring_key(&ra::AES_128_GCM),
            AeadAlgorithm::Aes256Gcm => ring_key(&ra::AES_256_GCM),
            AeadAlgorithm::ChaCha20Poly1305 => ring_key(&ra::CHACHA20_POLY1305),
            AeadAlgorithm::Camellia128Gcm => AesGcm::<Camellia128, U12>::new_from_slice(key)
                .map(Imp::Camellia128)
                .map_err(|_| Error::InvalidKey("wrong key length for Camellia-128")),
            AeadAlgorithm::Camellia256Gcm => AesGcm::<Camellia256, U12>::new_from_slice(key)
                .map(Imp::Camellia256)
                .map_err(|_| Error::InvalidKey("wrong key length for Camellia-256")),
        }
    }
}

fn seal_rc<A: AeadInOut<NonceSize = U12>>(
    c: &A,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    data: &mut [u8],
) -> Result<Vec<u8>, Error> {
    let tag = c
        .encrypt_inout_detached(nonce.into(), aad, data.into())
        .map_err(|_| Error::InvalidInput("message too long for one AEAD call"))?;
    Ok(tag.to_vec())
}

fn open_rc<A: AeadInOut<NonceSize = U12>>(
    c: &A,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> bool {
    match aes_gcm::aead::Tag::<A>::try_from(&tag[..]) {
        Ok(t) => c
            .decrypt_inout_detached(nonce.into(), aad, data.into(), &t)
            .is_ok(),
        Err(_) => false,
    }
}
