//! Wrapping the file key for each recipient, and unwrapping it with an identity.

use cryptrec::{Algorithm, Curve, HashAlg, Use};

use super::header::RecipientInfo;
use crate::Error;
use crate::aead::{AeadAlgorithm, AeadKey};
use crate::ecdh::{EcdhCurve, EcdhPrivateKey};
use crate::keys::{KeyKind, PrivateKey, PublicKey};
use crate::mac::HmacAlgorithm;
use crate::provider::Provider;
use crate::rsa_oaep::{self, OaepHash, OaepPrivateKey};
use crate::secret::SecretBytes;

const OAEP_LABEL: &[u8] = b"kagi-envelope v1";
const WRAP_AAD: &[u8] = b"kagi-envelope v1 wrap";

/// Someone (or something) the file is encrypted to.
pub enum Recipient {
    /// A public key (from a certificate or a key file); `subject` is shown by `inspect`.
    PublicKey {
        /// The key.
        key: PublicKey,
        /// The certificate subject, or empty.
        subject: String,
    },
    /// A passphrase, stretched with PBKDF2-HMAC-SHA-256.
    Passphrase {
        /// The passphrase.
        passphrase: SecretBytes,
        /// PBKDF2 iterations (at least 600 000).
        iterations: u32,
    },
    /// A 256-bit symmetric key from a key file.
    KeyFile(SecretBytes),
    /// A hybrid ECDH P-384 + ML-KEM-1024 public key (post-quantum protection).
    Hybrid(super::hybrid::HybridPublicKey),
}

/// What can open a file.
pub enum Identity {
    /// A private key (RSA or EC).
    PrivateKey(PrivateKey),
    /// A passphrase.
    Passphrase(SecretBytes),
    /// A symmetric key file's key.
    KeyFile(SecretBytes),
    /// A hybrid private key.
    Hybrid(super::hybrid::HybridPrivateKey),
}

fn wrap_key(provider: &Provider, key: &[u8], file_key: &[u8]) -> Result<Vec<u8>, Error> {
    let k = AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, key)?;
    let mut buf = file_key.to_vec();
    k.seal_in_place(&[0u8; 12], WRAP_AAD, &mut buf)?;
    Ok(buf)
}

fn unwrap_key(provider: &Provider, key: &[u8], wrapped: &[u8]) -> Result<SecretBytes, Error> {
    let k = AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, key)?;
    let mut buf = SecretBytes::new(wrapped.to_vec());
    let plain = k.open_in_place(&[0u8; 12], WRAP_AAD, buf.expose_mut())?;
    if plain.len() != 32 {
        return Err(Error::Malformed(
            "envelope: a wrapped file key is not 32 bytes".into(),
        ));
    }
    Ok(SecretBytes::new(plain.to_vec()))
}

fn curve(kind: KeyKind) -> Result<(EcdhCurve, HmacAlgorithm), Error> {
    match kind {
        KeyKind::Ec(Curve::P256) => Ok((EcdhCurve::P256, HmacAlgorithm::Sha256)),
        KeyKind::Ec(Curve::P384) => Ok((EcdhCurve::P384, HmacAlgorithm::Sha384)),
        other => Err(Error::Unsupported(format!("encrypting to {other} keys"))),
    }
}

fn ecdh_wrap_key(
    provider: &Provider,
    hmac: HmacAlgorithm,
    shared: &SecretBytes,
    ephemeral: &[u8],
    recipient: &[u8],
) -> Result<SecretBytes, Error> {
    let mut salt = ephemeral.to_vec();
    salt.extend_from_slice(recipient);
    crate::kdf::hkdf(
        provider,
        hmac,
        &salt,
        shared.expose(),
        b"kagi-envelope v1 ecdh",
        32,
    )
}

fn keyfile_id(key: &[u8]) -> [u8; 8] {
    let mut m = b"kagi-envelope v1 key file id".to_vec();
    m.extend_from_slice(key);
    let d = crate::hash::digest_unchecked(crate::hash::HashAlgorithm::Sha256, &m);
    let mut id = [0u8; 8];
    id.copy_from_slice(&d[..8]);
    id
}

fn keyfile_wrap_key(provider: &Provider, key: &[u8], salt: &[u8]) -> Result<SecretBytes, Error> {
    crate::kdf::hkdf(
        provider,
        HmacAlgorithm::Sha256,
        salt,
        key,
        b"kagi-envelope v1 key file",
        32,
    )
}

fn check_keyfile(key: &[u8]) -> Result<(), Error> {
    if key.len() != 32 {
        return Err(Error::InvalidKey("a key file holds a 256-bit key"));
    }
    Ok(())
}

impl Recipient {
    /// The recipient entry for `file_key`.
    pub(crate) fn wrap(
        &self,
        provider: &Provider,
        file_key: &[u8],
    ) -> Result<RecipientInfo, Error> {
        match self {
            Recipient::PublicKey { key, subject } => {
                let fp = key.fingerprint().0;
                let raw = key.raw()?;
                match key.kind() {
                    KeyKind::Rsa { .. } => Ok(RecipientInfo::RsaOaep {
                        key: fp,
                        subject: subject.clone(),
                        wrapped: rsa_oaep::encrypt(
                            provider,
                            OaepHash::Sha256,
                            &raw,
                            file_key,
                            OAEP_LABEL,
                        )?,
                    }),
                    kind => {
                        let (c, hmac) = curve(kind)?;
                        let eph = EcdhPrivateKey::generate(provider, c)?;
                        let shared = eph.agree(&raw)?;
                        let ephemeral = eph.public_key();
                        let k = ecdh_wrap_key(provider, hmac, &shared, &ephemeral, &raw)?;
                        Ok(RecipientInfo::Ecdh {
                            key: fp,
                            subject: subject.clone(),
                            wrapped: wrap_key(provider, k.expose(), file_key)?,
                            ephemeral,
                        })
                    }
                }
            }
            Recipient::Passphrase {
                passphrase,
                iterations,
            } => {
                if *iterations < crate::keys::pbes2::MIN_ITERATIONS {
                    return Err(Error::InvalidInput(
                        "passphrases are stretched with at least 600000 PBKDF2 iterations",
                    ));
                }
                if passphrase.is_empty() {
                    return Err(Error::InvalidInput("the passphrase is empty"));
                }
                let salt: [u8; 16] = crate::rand::array()?;
                let k = crate::kdf::pbkdf2(
                    provider,
                    HmacAlgorithm::Sha256,
                    *iterations,
                    &salt,
                    passphrase.expose(),
                    32,
                )?;
                Ok(RecipientInfo::Passphrase {
                    salt,
                    iterations: *iterations,
                    wrapped: wrap_key(provider, k.expose(), file_key)?,
                })
            }
            Recipient::Hybrid(to) => {
                let (ephemeral, kem_ct, k) = super::hybrid::encapsulate(provider, to)?;
                Ok(RecipientInfo::Hybrid {
                    key: to.id(),
                    ephemeral,
                    kem_ct,
                    wrapped: wrap_key(provider, k.expose(), file_key)?,
                })
            }
            Recipient::KeyFile(key) => {
                check_keyfile(key.expose())?;
                let salt: [u8; 16] = crate::rand::array()?;
                let k = keyfile_wrap_key(provider, key.expose(), &salt)?;
                Ok(RecipientInfo::KeyFile {
                    id: keyfile_id(key.expose()),
                    salt,
                    wrapped: wrap_key(provider, k.expose(), file_key)?,
                })
            }
        }
    }
}

impl RecipientInfo {
    /// The file key if `id` opens this entry; `Ok(None)` if the entry is not for it.
    pub(crate) fn unwrap(
        &self,
        provider: &Provider,
        id: &Identity,
    ) -> Result<Option<SecretBytes>, Error> {
        match (self, id) {
            (RecipientInfo::RsaOaep { key, wrapped, .. }, Identity::PrivateKey(sk)) => {
                if sk.public_key().fingerprint().0 != *key {
                    return Ok(None);
                }
                let oaep = OaepPrivateKey::from_pkcs8(provider, OaepHash::Sha256, sk.pkcs8_der())?;
                let k = oaep.decrypt(wrapped, OAEP_LABEL)?;
                if k.len() != 32 {
                    return Err(Error::NotAuthentic);
                }
                Ok(Some(k))
            }
            (
                RecipientInfo::Ecdh {
                    key,
                    ephemeral,
                    wrapped,
                    ..
                },
                Identity::PrivateKey(sk),
            ) => {
                if sk.public_key().fingerprint().0 != *key {
                    return Ok(None);
                }
                let (c, hmac) = curve(sk.kind())?;
                let priv_key = EcdhPrivateKey::from_scalar(provider, c, sk.ec_scalar()?.expose())?;
                let shared = priv_key.agree(ephemeral)?;
                let k = ecdh_wrap_key(provider, hmac, &shared, ephemeral, &priv_key.public_key())?;
                unwrap_key(provider, k.expose(), wrapped).map(Some)
            }
            (
                RecipientInfo::Passphrase {
                    salt,
                    iterations,
                    wrapped,
                },
                Identity::Passphrase(p),
            ) => {
                if *iterations > crate::keys::pbes2::MAX_ITERATIONS {
                    return Err(Error::Malformed(
                        "envelope: more PBKDF2 iterations than kagi runs".into(),
                    ));
                }
                provider.check(&Algorithm::Pbkdf2(HashAlg::Sha256), Use::Process)?;
                let k = crate::kdf::pbkdf2_unchecked(
                    HmacAlgorithm::Sha256,
                    *iterations,
                    salt,
                    p.expose(),
                    32,
                )?;
                match unwrap_key(provider, k.expose(), wrapped) {
                    Ok(k) => Ok(Some(k)),
                    Err(Error::NotAuthentic) => Err(Error::WrongPassphrase),
                    Err(e) => Err(e),
                }
            }
            (RecipientInfo::KeyFile { id, salt, wrapped }, Identity::KeyFile(key)) => {
                check_keyfile(key.expose())?;
                if keyfile_id(key.expose()) != *id {
                    return Ok(None);
                }
                let k = keyfile_wrap_key(provider, key.expose(), salt)?;
                unwrap_key(provider, k.expose(), wrapped).map(Some)
            }
            (
                RecipientInfo::Hybrid {
                    key,
                    ephemeral,
                    kem_ct,
                    wrapped,
                },
                Identity::Hybrid(sk),
            ) => {
                if sk.public_key(provider)?.id() != *key {
                    return Ok(None);
                }
                let k = super::hybrid::decapsulate(provider, sk, ephemeral, kem_ct)?;
                unwrap_key(provider, k.expose(), wrapped).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// One line for `kagi inspect`.
    pub fn describe(&self) -> String {
        match self {
            RecipientInfo::RsaOaep {
                key,
                subject,
                wrapped,
            } => format!(
                "RSA-OAEP-SHA-256 (RSA-{}) to {} key sha256:{}",
                wrapped.len() * 8,
                if subject.is_empty() {
                    "public"
                } else {
                    subject
                },
                hex::encode(key)
            ),
            RecipientInfo::Ecdh {
                key,
                subject,
                ephemeral,
                ..
            } => format!(
                "ECDH {} + HKDF + AES-256-GCM to {} key sha256:{}",
                if ephemeral.len() == 97 {
                    "P-384"
                } else {
                    "P-256"
                },
                if subject.is_empty() {
                    "public"
                } else {
                    subject
                },
                hex::encode(key)
            ),
            RecipientInfo::Passphrase { iterations, .. } => {
                format!("passphrase (PBKDF2-HMAC-SHA-256 × {iterations}, AES-256-GCM)")
            }
            RecipientInfo::KeyFile { id, .. } => {
                format!("key file {} (HKDF-SHA-256, AES-256-GCM)", hex::encode(id))
            }
            RecipientInfo::Hybrid { key, .. } => format!(
                "hybrid ECDH P-384 + ML-KEM-1024 + HKDF-SHA-384 + AES-256-GCM to key sha256:{}",
                hex::encode(key)
            ),
        }
    }
}
