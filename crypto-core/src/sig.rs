//! Signatures: ECDSA P-256/P-384 (ASN.1 DER signatures), Ed25519, RSA-PSS and
//! RSASSA-PKCS1-v1_5 with SHA-2 — all through ring.
//!
//! Public keys are raw: an uncompressed SEC1 point for ECDSA, 32 bytes for Ed25519, a PKCS#1
//! RSAPublicKey (DER) for RSA. X.509 and SPKI handling belongs to the PKI layer above.

use cryptrec::{Algorithm, Curve, Edwards, HashAlg, Use};
use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair};
use rsa::pkcs8::EncodePrivateKey;

use crate::Error;
use crate::provider::{Permission, Provider};
use crate::rsa_util::parse_public;
use crate::secret::SecretBytes;

/// The signature schemes crypto-core implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// ECDSA over P-256 with SHA-256.
    EcdsaP256Sha256,
    /// ECDSA over P-384 with SHA-384.
    EcdsaP384Sha384,
    /// Ed25519.
    Ed25519,
    /// RSA-PSS with SHA-256 (MGF1-SHA-256, 32-byte salt).
    RsaPssSha256,
    /// RSA-PSS with SHA-384 (MGF1-SHA-384, 48-byte salt).
    RsaPssSha384,
    /// RSA-PSS with SHA-512 (MGF1-SHA-512, 64-byte salt).
    RsaPssSha512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// ECDSA over P-256 with SHA-384: verification only (some CAs sign so).
    EcdsaP256Sha384,
    /// ECDSA over P-384 with SHA-256: verification only (some CAs sign so).
    EcdsaP384Sha256,
}

impl SignatureScheme {
    /// Every scheme.
    pub const ALL: [SignatureScheme; 9] = [
        SignatureScheme::EcdsaP256Sha256,
        SignatureScheme::EcdsaP384Sha384,
        SignatureScheme::Ed25519,
        SignatureScheme::RsaPssSha256,
        SignatureScheme::RsaPssSha384,
        SignatureScheme::RsaPssSha512,
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512,
    ];

    /// Schemes crypto-core verifies but does not sign with.
    pub const VERIFY_ONLY: [SignatureScheme; 2] = [
        SignatureScheme::EcdsaP256Sha384,
        SignatureScheme::EcdsaP384Sha256,
    ];

    /// Whether it is an RSA scheme (the key size then matters).
    pub fn is_rsa(self) -> bool {
        !matches!(
            self,
            SignatureScheme::EcdsaP256Sha256
                | SignatureScheme::EcdsaP384Sha384
                | SignatureScheme::EcdsaP256Sha384
                | SignatureScheme::EcdsaP384Sha256
                | SignatureScheme::Ed25519
        )
    }

    /// The algorithm identifier, given the RSA modulus size (ignored for EC).
    pub fn algorithm(self, rsa_bits: u32) -> Algorithm {
        use SignatureScheme::*;
        match self {
            EcdsaP256Sha256 => Algorithm::Ecdsa {
                curve: Curve::P256,
                hash: Some(HashAlg::Sha256),
            },
            EcdsaP384Sha384 => Algorithm::Ecdsa {
                curve: Curve::P384,
                hash: Some(HashAlg::Sha384),
            },
            EcdsaP256Sha384 => Algorithm::Ecdsa {
                curve: Curve::P256,
                hash: Some(HashAlg::Sha384),
            },
            EcdsaP384Sha256 => Algorithm::Ecdsa {
                curve: Curve::P384,
                hash: Some(HashAlg::Sha256),
            },
            Ed25519 => Algorithm::EdDsa(Edwards::Ed25519),
            RsaPssSha256 => Algorithm::RsaPss {
                bits: rsa_bits,
                hash: HashAlg::Sha256,
            },
            RsaPssSha384 => Algorithm::RsaPss {
                bits: rsa_bits,
                hash: HashAlg::Sha384,
            },
            RsaPssSha512 => Algorithm::RsaPss {
                bits: rsa_bits,
                hash: HashAlg::Sha512,
            },
            RsaPkcs1Sha256 => Algorithm::RsaPkcs1Sign {
                bits: rsa_bits,
                hash: HashAlg::Sha256,
            },
            RsaPkcs1Sha384 => Algorithm::RsaPkcs1Sign {
                bits: rsa_bits,
                hash: HashAlg::Sha384,
            },
            RsaPkcs1Sha512 => Algorithm::RsaPkcs1Sign {
                bits: rsa_bits,
                hash: HashAlg::Sha512,
            },
        }
    }

    /// The scheme for an algorithm identifier, if implemented.
    pub fn from_algorithm(alg: &Algorithm) -> Result<SignatureScheme, Error> {
        let bits = match alg {
            Algorithm::RsaPss { bits, .. } | Algorithm::RsaPkcs1Sign { bits, .. } => *bits,
            _ => 0,
        };
        SignatureScheme::ALL
            .into_iter()
            .chain(SignatureScheme::VERIFY_ONLY)
            .find(|s| s.algorithm(bits) == *alg)
            .ok_or_else(|| Error::Unsupported(format!("{alg} as a signature")))
    }

    fn verification(self) -> &'static dyn rs::VerificationAlgorithm {
        use SignatureScheme::*;
        match self {
            EcdsaP256Sha256 => &rs::ECDSA_P256_SHA256_ASN1,
            EcdsaP384Sha384 => &rs::ECDSA_P384_SHA384_ASN1,
            EcdsaP256Sha384 => &rs::ECDSA_P256_SHA384_ASN1,
            EcdsaP384Sha256 => &rs::ECDSA_P384_SHA256_ASN1,
            Ed25519 => &rs::ED25519,
            RsaPssSha256 => &rs::RSA_PSS_2048_8192_SHA256,
            RsaPssSha384 => &rs::RSA_PSS_2048_8192_SHA384,
            RsaPssSha512 => &rs::RSA_PSS_2048_8192_SHA512,
            RsaPkcs1Sha256 => &rs::RSA_PKCS1_2048_8192_SHA256,
            RsaPkcs1Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
            RsaPkcs1Sha512 => &rs::RSA_PKCS1_2048_8192_SHA512,
        }
    }

    fn rsa_encoding(self) -> Option<&'static dyn rs::RsaEncoding> {
        use SignatureScheme::*;
        Some(match self {
            RsaPssSha256 => &rs::RSA_PSS_SHA256,
            RsaPssSha384 => &rs::RSA_PSS_SHA384,
            RsaPssSha512 => &rs::RSA_PSS_SHA512,
            RsaPkcs1Sha256 => &rs::RSA_PKCS1_SHA256,
            RsaPkcs1Sha384 => &rs::RSA_PKCS1_SHA384,
            RsaPkcs1Sha512 => &rs::RSA_PKCS1_SHA512,
            _ => return None,
        })
    }
}

enum Imp {
    Ecdsa(rs::EcdsaKeyPair),
    Ed25519(rs::Ed25519KeyPair),
    Rsa(rs::RsaKeyPair),
}

/// A private signing key. No `Debug`, no `Clone`.
pub struct SigningKey {
    scheme: SignatureScheme,
    imp: Imp,
    bits: u32,
    permission: Permission,
}

impl SigningKey {
    /// Loads an unencrypted PKCS#8 private key (DER) for `scheme`.
    pub fn from_pkcs8(
        provider: &Provider,
        scheme: SignatureScheme,
        pkcs8: &[u8],
    ) -> Result<SigningKey, Error> {
        let mut key = Self::from_pkcs8_unchecked(scheme, pkcs8)?;
        key.permission = provider.permission(&scheme.algorithm(key.bits))?;
        Ok(key)
    }

    pub(crate) fn from_pkcs8_unchecked(
        scheme: SignatureScheme,
        pkcs8: &[u8],
    ) -> Result<SigningKey, Error> {
        let rng = SystemRandom::new();
        let bad = |_| Error::InvalidKey("not a PKCS#8 private key for this scheme");
        if SignatureScheme::VERIFY_ONLY.contains(&scheme) {
            return Err(Error::Unsupported(format!("signing with {scheme:?}")));
        }
        let (imp, bits) = match scheme {
            SignatureScheme::EcdsaP256Sha256 => (
                Imp::Ecdsa(
                    rs::EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
                        .map_err(bad)?,
                ),
                256,
            ),
            SignatureScheme::EcdsaP384Sha384 => (
                Imp::Ecdsa(
                    rs::EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P384_SHA384_ASN1_SIGNING, pkcs8, &rng)
                        .map_err(bad)?,
                ),
                384,
            ),
            SignatureScheme::Ed25519 => (
                Imp::Ed25519(rs::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(bad)?),
                255,
            ),
            _ => {
                let kp = rs::RsaKeyPair::from_pkcs8(pkcs8).map_err(bad)?;
                let bits = crate::rsa_util::parse_public(kp.public().as_ref())?.1;
                (Imp::Rsa(kp), bits)
            }
        };
        Ok(SigningKey {
            scheme,
            imp,
            bits,
            permission: crate::provider::Permission::allow_all(),
        })
    }

    /// Generates a new key and returns its unencrypted PKCS#8 (DER). RSA keys take `rsa_bits`
    /// (the policy decides which sizes are permitted); EC keys ignore it.
    pub fn generate_pkcs8(
        provider: &Provider,
        scheme: SignatureScheme,
        rsa_bits: u32,
    ) -> Result<SecretBytes, Error> {
        provider.check(&scheme.algorithm(rsa_bits), Use::Protect)?;
        generate_pkcs8_unchecked(scheme, rsa_bits)
    }

    /// The scheme.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The algorithm identifier, with the RSA size.
    pub fn algorithm(&self) -> Algorithm {
        self.scheme.algorithm(self.bits)
    }

    /// The public key: uncompressed point, raw Ed25519 key, or PKCS#1 RSAPublicKey DER.
    pub fn public_key(&self) -> Vec<u8> {
        match &self.imp {
            Imp::Ecdsa(k) => k.public_key().as_ref().to_vec(),
            Imp::Ed25519(k) => k.public_key().as_ref().to_vec(),
            Imp::Rsa(k) => k.public_key().as_ref().to_vec(),
        }
    }

    /// Signs `msg` (protect).
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        self.permission.protect()?;
        let rng = SystemRandom::new();
        match &self.imp {
            Imp::Ecdsa(k) => Ok(k.sign(&rng, msg).map_err(|_| Error::Rng)?.as_ref().to_vec()),
            Imp::Ed25519(k) => Ok(k.sign(msg).as_ref().to_vec()),
            Imp::Rsa(k) => {
                let enc = self
                    .scheme
                    .rsa_encoding()
                    .ok_or(Error::InvalidKey("RSA key with a non-RSA scheme"))?;
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(enc, &rng, msg, &mut sig).map_err(|_| Error::Rng)?;
                Ok(sig)
            }
        }
    }
}

pub(crate) fn generate_pkcs8_unchecked(
    scheme: SignatureScheme,
    rsa_bits: u32,
) -> Result<SecretBytes, Error> {
    let rng = SystemRandom::new();
    if SignatureScheme::VERIFY_ONLY.contains(&scheme) {
        return Err(Error::Unsupported(format!("signing with {scheme:?}")));
    }
    match scheme {
        SignatureScheme::EcdsaP256Sha256 => {
            rs::EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
                .map(|d| SecretBytes::new(d.as_ref().to_vec()))
                .map_err(|_| Error::Rng)
        }
        SignatureScheme::EcdsaP384Sha384 => {
            rs::EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P384_SHA384_ASN1_SIGNING, &rng)
                .map(|d| SecretBytes::new(d.as_ref().to_vec()))
                .map_err(|_| Error::Rng)
        }
        SignatureScheme::Ed25519 => rs::Ed25519KeyPair::generate_pkcs8(&rng)
            .map(|d| SecretBytes::new(d.as_ref().to_vec()))
            .map_err(|_| Error::Rng),
        _ => {
            let bits = usize::try_from(rsa_bits).map_err(|_| Error::InvalidInput("RSA size"))?;
            if !(2048..=8192).contains(&bits) {
                return Err(Error::InvalidInput("RSA keys are 2048 to 8192 bits"));
            }
            let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).map_err(|_| Error::Rng)?;
            let doc = key
                .to_pkcs8_der()
                .map_err(|_| Error::InvalidKey("RSA key encoding"))?;
            Ok(SecretBytes::new(doc.as_bytes().to_vec()))
        }
    }
}

/// Verifies `sig` over `msg` with a raw public key (process). Returns the verdict under which
/// the algorithm was accepted, so callers can report legacy use.
pub fn verify(
    provider: &Provider,
    scheme: SignatureScheme,
    public_key: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> Result<cryptrec::Verdict, Error> {
    let bits = if scheme.is_rsa() {
        parse_public(public_key)?.1
    } else {
        0
    };
    let verdict = provider.check(&scheme.algorithm(bits), Use::Process)?;
    verify_unchecked(scheme, public_key, msg, sig)?;
    Ok(verdict)
}

pub(crate) fn verify_unchecked(
    scheme: SignatureScheme,
    public_key: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    rs::UnparsedPublicKey::new(scheme.verification(), public_key)
        .verify(msg, sig)
        .map_err(|_| Error::BadSignature)
}

/// Verifies an RSA-PSS signature with MGF1 over the same hash and an explicit salt length
/// (process). ring verifies only salt = hash length; OpenSSL's CMS signs with the maximum salt
/// by default, so this path (RustCrypto `rsa`) serves the other lengths. `hash` is SHA-256,
/// SHA-384 or SHA-512; `public_key` a PKCS#1 RSAPublicKey.
pub fn verify_rsa_pss_with_salt(
    provider: &Provider,
    hash: HashAlg,
    public_key: &[u8],
    msg: &[u8],
    sig: &[u8],
    salt_len: usize,
) -> Result<cryptrec::Verdict, Error> {
    let (key, bits) = parse_public(public_key)?;
    let verdict = provider.check(&Algorithm::RsaPss { bits, hash }, Use::Process)?;
    let digest_alg = crate::hash::HashAlgorithm::from_hash_alg(hash)?;
    let hashed = crate::hash::digest_unchecked(digest_alg, msg);
    let ok = match hash {
        HashAlg::Sha256 => key.verify(
            rsa::pss::Pss::<sha2::Sha256>::new_with_salt(salt_len),
            &hashed,
            sig,
        ),
        HashAlg::Sha384 => key.verify(
            rsa::pss::Pss::<sha2::Sha384>::new_with_salt(salt_len),
            &hashed,
            sig,
        ),
        HashAlg::Sha512 => key.verify(
            rsa::pss::Pss::<sha2::Sha512>::new_with_salt(salt_len),
            &hashed,
            sig,
        ),
        _ => return Err(Error::Unsupported(format!("RSA-PSS with {}", hash.entry()))),
    };
    ok.map_err(|_| Error::BadSignature)?;
    Ok(verdict)
}
