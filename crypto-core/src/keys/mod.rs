//! Asymmetric keys: generation, PKCS#8 storage (optionally PBES2-encrypted), reading what
//! openssl writes, public keys and fingerprints.
//!
//! A [`PrivateKey`] always holds a normalised, unencrypted PKCS#8 `PrivateKeyInfo` (DER) in
//! zeroizing memory, plus its SubjectPublicKeyInfo. Whatever the input format (PKCS#8,
//! encrypted PKCS#8, PKCS#1, SEC1; PEM or DER), [`read`] turns it into that.

mod backup_key;
mod compact;
pub mod escrow;
mod fingerprint;
pub mod pbes2;
mod read;
pub mod shares;
pub mod text;

use cryptrec::{Algorithm, Curve, Edwards, Use, Verdict};
use der::{Decode, Encode};
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};

use crate::Error;
use crate::provider::Provider;
use crate::secret::SecretBytes;
use crate::sig::{SignatureScheme, SigningKey};

pub use backup_key::{BackupKey, HYBRID_KIND, SYMMETRIC_KIND, symmetric_fingerprint};
pub use fingerprint::Fingerprint;
pub(crate) use read::pem_blocks;
pub use read::{EncryptedKey, KeyMaterial, read};

/// What kind of key it is (not what it will be used for: an EC key can sign or agree).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// An EC key on a NIST curve.
    Ec(Curve),
    /// An Ed25519 key.
    Ed25519,
    /// An RSA key with this modulus size.
    Rsa {
        /// Modulus bits.
        bits: u32,
    },
}

impl KeyKind {
    /// The algorithms this key can serve, for verdicts: an EC key is an ECDSA and an ECDH key.
    pub fn algorithms(self) -> Vec<Algorithm> {
        match self {
            KeyKind::Ec(curve) => vec![
                Algorithm::Ecdsa { curve, hash: None },
                Algorithm::Ecdh(curve),
            ],
            KeyKind::Ed25519 => vec![Algorithm::EdDsa(Edwards::Ed25519)],
            KeyKind::Rsa { bits } => vec![Algorithm::RsaKey { bits }],
        }
    }

    /// The signature scheme kagi signs with for this key; RSA keys sign with RSA-PSS-SHA-256.
    pub fn default_signature(self) -> Result<SignatureScheme, Error> {
        match self {
            KeyKind::Ec(Curve::P256) => Ok(SignatureScheme::EcdsaP256Sha256),
            KeyKind::Ec(Curve::P384) => Ok(SignatureScheme::EcdsaP384Sha384),
            KeyKind::Ec(c) => Err(Error::Unsupported(format!("signing with {c:?} keys"))),
            KeyKind::Ed25519 => Ok(SignatureScheme::Ed25519),
            KeyKind::Rsa { .. } => Ok(SignatureScheme::RsaPssSha256),
        }
    }
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyKind::Ec(Curve::P256) => f.write_str("EC P-256"),
            KeyKind::Ec(Curve::P384) => f.write_str("EC P-384"),
            KeyKind::Ec(c) => write!(f, "EC {c:?}"),
            KeyKind::Ed25519 => f.write_str("Ed25519"),
            KeyKind::Rsa { bits } => write!(f, "RSA-{bits}"),
        }
    }
}

/// A key to generate: the algorithm the key is meant for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlg {
    /// ECDSA over P-256 or P-384.
    Ecdsa(Curve),
    /// ECDH over P-256 or P-384.
    Ecdh(Curve),
    /// Ed25519.
    Ed25519,
    /// RSA with this modulus size.
    Rsa(u32),
}

impl KeyAlg {
    /// The algorithm whose verdict decides whether the key may be made.
    pub fn algorithm(self) -> Algorithm {
        match self {
            KeyAlg::Ecdsa(curve) => Algorithm::Ecdsa { curve, hash: None },
            KeyAlg::Ecdh(curve) => Algorithm::Ecdh(curve),
            KeyAlg::Ed25519 => Algorithm::EdDsa(Edwards::Ed25519),
            KeyAlg::Rsa(bits) => Algorithm::RsaKey { bits },
        }
    }
}

impl std::str::FromStr for KeyAlg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.to_ascii_lowercase();
        let curve = |c: &str| match c {
            "p256" | "p-256" => Some(Curve::P256),
            "p384" | "p-384" => Some(Curve::P384),
            _ => None,
        };
        let parsed = match lower.split_once('-') {
            Some(("ecdsa", c)) => curve(c).map(KeyAlg::Ecdsa),
            Some(("ecdh", c)) => curve(c).map(KeyAlg::Ecdh),
            Some(("rsa", b)) => b.parse().ok().map(KeyAlg::Rsa),
            None if lower == "ed25519" => Some(KeyAlg::Ed25519),
            _ => None,
        };
        parsed.ok_or_else(|| {
            format!(
                "unknown key algorithm `{s}` (ecdsa-p256, ecdsa-p384, ed25519, rsa-3072, rsa-4096, ecdh-p256, ecdh-p384)"
            )
        })
    }
}

/// A private key. No `Debug`, no `Clone`; the PKCS#8 bytes are zeroized on drop.
pub struct PrivateKey {
    kind: KeyKind,
    pkcs8: SecretBytes,
    public: PublicKey,
}

impl PrivateKey {
    /// Generates a key for `alg`, if the policy permits it for protection today.
    pub fn generate(provider: &Provider, alg: KeyAlg) -> Result<PrivateKey, Error> {
        provider.check(&alg.algorithm(), Use::Protect)?;
        let pkcs8 = match alg {
            KeyAlg::Ecdsa(Curve::P256) | KeyAlg::Ecdh(Curve::P256) => {
                crate::sig::generate_pkcs8_unchecked(SignatureScheme::EcdsaP256Sha256, 0)?
            }
            KeyAlg::Ecdsa(Curve::P384) | KeyAlg::Ecdh(Curve::P384) => {
                crate::sig::generate_pkcs8_unchecked(SignatureScheme::EcdsaP384Sha384, 0)?
            }
            KeyAlg::Ed25519 => crate::sig::generate_pkcs8_unchecked(SignatureScheme::Ed25519, 0)?,
            KeyAlg::Rsa(bits) => {
                crate::sig::generate_pkcs8_unchecked(SignatureScheme::RsaPssSha256, bits)?
            }
            KeyAlg::Ecdsa(c) | KeyAlg::Ecdh(c) => {
                return Err(Error::Unsupported(format!("generating {c:?} keys")));
            }
        };
        PrivateKey::from_pkcs8_der(pkcs8.expose())
    }

    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` (DER), validating the key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, Error> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::Malformed(format!("PKCS#8 private key: {e}")))?;
        let oid = info.algorithm.oid.to_string();
        let param = info.algorithm.parameters_oid().ok().map(|o| o.to_string());
        match cryptrec::oid::key_algorithm(&oid, param.as_deref()) {
            Some(cryptrec::oid::KeyOid::Ec(Curve::P256)) => {
                let sk = p256::SecretKey::from_pkcs8_der(der).map_err(bad("P-256 key"))?;
                let pkcs8 = sk.to_pkcs8_der().map_err(bad("P-256 key"))?;
                let spki = sk.public_key().to_public_key_der().map_err(spki_err)?;
                Ok(Self::assemble(
                    KeyKind::Ec(Curve::P256),
                    pkcs8.as_bytes(),
                    spki.as_bytes(),
                ))
            }
            Some(cryptrec::oid::KeyOid::Ec(Curve::P384)) => {
                let sk = p384::SecretKey::from_pkcs8_der(der).map_err(bad("P-384 key"))?;
                let pkcs8 = sk.to_pkcs8_der().map_err(bad("P-384 key"))?;
                let spki = sk.public_key().to_public_key_der().map_err(spki_err)?;
                Ok(Self::assemble(
                    KeyKind::Ec(Curve::P384),
                    pkcs8.as_bytes(),
                    spki.as_bytes(),
                ))
            }
            Some(cryptrec::oid::KeyOid::Ed(Edwards::Ed25519)) => {
                let kp = ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .map_err(|e| Error::Malformed(format!("Ed25519 key: {e}")))?;
                let public = ring::signature::KeyPair::public_key(&kp).as_ref().to_vec();
                let spki = spki_der(cryptrec::oid::ED25519, None, &public)?;
                // Stored as a PKCS#8 v1 (RFC 8410) key without the optional public key, which
                // openssl 3.0 cannot read; ring generates v2.
                let seed = ed25519_seed(der)?;
                let v1 = ed25519_pkcs8_v1(seed.expose());
                Ok(Self::assemble(KeyKind::Ed25519, v1.expose(), &spki))
            }
            Some(cryptrec::oid::KeyOid::Rsa) if oid == cryptrec::oid::RSA_ENCRYPTION => {
                let sk = rsa::PrivateKey::from_pkcs8_der(der).map_err(bad("RSA key"))?;
                let bits = rsa_bits(&sk);
                let pkcs8 = sk.to_pkcs8_der().map_err(bad("RSA key"))?;
                let spki = sk.to_public_key().to_public_key_der().map_err(spki_err)?;
                Ok(Self::assemble(
                    KeyKind::Rsa { bits },
                    pkcs8.as_bytes(),
                    spki.as_bytes(),
                ))
            }
            other => Err(unsupported_key(&oid, param.as_deref(), other)),
        }
    }

    fn assemble(kind: KeyKind, pkcs8: &[u8], spki: &[u8]) -> PrivateKey {
        PrivateKey {
            kind,
            pkcs8: SecretBytes::new(pkcs8.to_vec()),
            public: PublicKey {
                kind,
                spki: spki.to_vec(),
            },
        }
    }

    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The unencrypted PKCS#8 DER. Handle as a secret.
    pub fn pkcs8_der(&self) -> &[u8] {
        self.pkcs8.expose()
    }

    /// The unencrypted PKCS#8 as PEM (`PRIVATE KEY`). Handle as a secret.
    pub fn to_pkcs8_pem(&self) -> Result<SecretBytes, Error> {
        pem(self.pkcs8.expose(), "PRIVATE KEY").map(|s| SecretBytes::new(s.into_bytes()))
    }

    /// Encrypts the key with a passphrase as PKCS#8 PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC),
    /// returning PEM (`ENCRYPTED PRIVATE KEY`).
    pub fn to_encrypted_pem(
        &self,
        provider: &Provider,
        passphrase: &[u8],
        iterations: u32,
    ) -> Result<String, Error> {
        let der = pbes2::encrypt(provider, self.pkcs8.expose(), passphrase, iterations)?;
        pem(&der, "ENCRYPTED PRIVATE KEY")
    }

    /// A signing key with `scheme` (checked against the policy).
    pub fn signing_key(
        &self,
        provider: &Provider,
        scheme: SignatureScheme,
    ) -> Result<SigningKey, Error> {
        // The policy first: a refused key size is a refusal naming its row, not a parse
        // failure of the implementation (ring does not load RSA keys below 2048 bits).
        if let KeyKind::Rsa { bits } = self.kind {
            provider.check(&scheme.algorithm(bits), cryptrec::Use::Process)?;
        }
        SigningKey::from_pkcs8(provider, scheme, self.pkcs8.expose())
    }

    /// The raw secret for ECDH: the scalar of an EC key.
    pub(crate) fn ec_scalar(&self) -> Result<SecretBytes, Error> {
        let bad = |e: pkcs8::Error| Error::Malformed(format!("EC key: {e}"));
        match self.kind {
            KeyKind::Ec(Curve::P256) => Ok(SecretBytes::new(
                p256::SecretKey::from_pkcs8_der(self.pkcs8.expose())
                    .map_err(bad)?
                    .to_bytes()
                    .to_vec(),
            )),
            KeyKind::Ec(Curve::P384) => Ok(SecretBytes::new(
                p384::SecretKey::from_pkcs8_der(self.pkcs8.expose())
                    .map_err(bad)?
                    .to_bytes()
                    .to_vec(),
            )),
            _ => Err(Error::InvalidKey("not an EC P-256 or P-384 key")),
        }
    }
}

const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// The 32-byte seed of an Ed25519 PKCS#8 key (v1 or v2).
pub(crate) fn ed25519_seed(pkcs8: &[u8]) -> Result<SecretBytes, Error> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(pkcs8)
        .map_err(|e| Error::Malformed(format!("Ed25519 key: {e}")))?;
    let seed = <&der::asn1::OctetStringRef>::from_der(info.private_key.as_bytes())
        .map_err(|e| Error::Malformed(format!("Ed25519 key: {e}")))?;
    if seed.as_bytes().len() != 32 {
        return Err(Error::Malformed(
            "Ed25519 key: the seed is not 32 bytes".into(),
        ));
    }
    Ok(SecretBytes::new(seed.as_bytes().to_vec()))
}

/// A PKCS#8 v1 Ed25519 key from its seed.
pub(crate) fn ed25519_pkcs8_v1(seed: &[u8]) -> SecretBytes {
    let mut v = ED25519_PKCS8_PREFIX.to_vec();
    v.extend_from_slice(seed);
    SecretBytes::new(v)
}

fn bad(what: &'static str) -> impl Fn(pkcs8::Error) -> Error {
    move |e| Error::Malformed(format!("{what}: {e}"))
}

fn rsa_bits(sk: &rsa::PrivateKey) -> u32 {
    use rsa::traits::PublicKeyParts;
    sk.n().bit_width()
}

fn spki_err(e: spki::Error) -> Error {
    Error::Malformed(format!("public key: {e}"))
}

fn unsupported_key(oid: &str, curve: Option<&str>, kind: Option<cryptrec::oid::KeyOid>) -> Error {
    use cryptrec::oid::KeyOid;
    match kind {
        Some(KeyOid::EcOther) => Error::NotListed(format!(
            "the key is on EC curve {}, which is not on the CRYPTREC Ciphers List (its ECDSA and ECDH use the NIST curves)",
            cryptrec::oid::describe_curve(curve)
        )),
        Some(KeyOid::X(m)) => Error::NotListed(format!(
            "the key is {m:?}, which is not on the CRYPTREC Ciphers List (its ECDH is SP 800-56A over NIST curves)"
        )),
        Some(KeyOid::Ec(c)) => Error::Unsupported(format!("{c:?} keys")),
        Some(KeyOid::Ed(e)) => Error::Unsupported(format!("{e:?} keys")),
        Some(KeyOid::Dsa) => Error::Unsupported("DSA keys".into()),
        Some(KeyOid::Rsa) => {
            Error::Unsupported("RSA keys restricted to RSASSA-PSS (id-RSASSA-PSS)".into())
        }
        None => Error::Unsupported(format!("keys of algorithm {oid}")),
    }
}

pub(crate) fn spki_der(
    alg_oid: &str,
    param_oid: Option<&str>,
    key: &[u8],
) -> Result<Vec<u8>, Error> {
    let oid = |s: &str| {
        der::asn1::ObjectIdentifier::new(s).map_err(|_| Error::InvalidInput("object identifier"))
    };
    let parameters = match param_oid {
        Some(p) => Some(der::asn1::Any::from(oid(p)?)),
        None => None,
    };
    let info = spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: oid(alg_oid)?,
            parameters,
        },
        subject_public_key: der::asn1::BitString::from_bytes(key)
            .map_err(|_| Error::InvalidInput("public key bits"))?,
    };
    info.to_der()
        .map_err(|e| Error::Malformed(format!("public key: {e}")))
}

pub(crate) fn pem(der: &[u8], label: &'static str) -> Result<String, Error> {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der)
        .map_err(|e| Error::Malformed(format!("PEM encoding: {e}")))
}

/// A public key: its kind and its SubjectPublicKeyInfo (DER).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyKind,
    spki: Vec<u8>,
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo (DER).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, Error> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| Error::Malformed(format!("public key: {e}")))?;
        let oid = info.algorithm.oid.to_string();
        let param = info.algorithm.parameters_oid().ok().map(|o| o.to_string());
        let key = info.subject_public_key.raw_bytes();
        let kind = match cryptrec::oid::key_algorithm(&oid, param.as_deref()) {
            Some(cryptrec::oid::KeyOid::Ec(c @ (Curve::P256 | Curve::P384))) => {
                let ok = match c {
                    Curve::P256 => p256::PublicKey::from_sec1_bytes(key).is_ok(),
                    _ => p384::PublicKey::from_sec1_bytes(key).is_ok(),
                };
                if !ok {
                    return Err(Error::Malformed(format!(
                        "{c:?} public key: not a point on the curve"
                    )));
                }
                KeyKind::Ec(c)
            }
            Some(cryptrec::oid::KeyOid::Ed(Edwards::Ed25519)) if key.len() == 32 => {
                KeyKind::Ed25519
            }
            Some(cryptrec::oid::KeyOid::Rsa) if oid == cryptrec::oid::RSA_ENCRYPTION => {
                KeyKind::Rsa {
                    bits: crate::rsa_util::parse_public(key)?.1,
                }
            }
            other => return Err(unsupported_key(&oid, param.as_deref(), other)),
        };
        Ok(PublicKey {
            kind,
            spki: der.to_vec(),
        })
    }

    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The SubjectPublicKeyInfo, DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The SubjectPublicKeyInfo as PEM (`PUBLIC KEY`), as `openssl pkey -pubout` writes it.
    pub fn to_pem(&self) -> Result<String, Error> {
        pem(&self.spki, "PUBLIC KEY")
    }

    /// The raw key [`crate::sig::verify`] takes: an uncompressed point, 32 Ed25519 bytes, or
    /// a PKCS#1 RSAPublicKey.
    pub fn raw(&self) -> Result<Vec<u8>, Error> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(&self.spki)
            .map_err(|e| Error::Malformed(format!("public key: {e}")))?;
        Ok(info.subject_public_key.raw_bytes().to_vec())
    }

    /// SHA-256 over the SubjectPublicKeyInfo.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.spki)
    }

    /// The verdicts for each algorithm the key can serve, for protect and for process.
    pub fn verdicts(&self, provider: &Provider) -> Vec<(Verdict, Verdict)> {
        self.kind
            .algorithms()
            .iter()
            .map(|a| {
                (
                    provider.policy().evaluate(a, Use::Protect, provider.date()),
                    provider.policy().evaluate(a, Use::Process, provider.date()),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_alg_names() {
        assert_eq!("ecdsa-p256".parse(), Ok(KeyAlg::Ecdsa(Curve::P256)));
        assert_eq!("ECDH-P384".parse(), Ok(KeyAlg::Ecdh(Curve::P384)));
        assert_eq!("rsa-3072".parse(), Ok(KeyAlg::Rsa(3072)));
        assert_eq!("ed25519".parse(), Ok(KeyAlg::Ed25519));
        assert!("dsa-2048".parse::<KeyAlg>().is_err());
        assert!("ecdsa-p521".parse::<KeyAlg>().is_err());
    }
}
