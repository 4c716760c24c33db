//! Key escrow: a private key encrypted to an organisation's key-recovery certificate.
//!
//! The file is JSON (`docs/KEY-BACKUP.md`). A fresh 256-bit file key encrypts the PKCS#8 key
//! with AES-256-GCM; the file key reaches the recovery key by RSA-OAEP-SHA-256 (label
//! `kagi-key-escrow v1`) or by ephemeral-static ECDH on P-256/P-384 with HKDF-SHA-256/384
//! (salt = ephemeral point ‖ recipient point). Every header field is the AEAD's associated
//! data, so none can be altered without the file failing to open.

use serde::{Deserialize, Serialize};

use super::{BackupKey, Fingerprint, KeyKind, PrivateKey, compact};
use crate::Error;
use crate::aead::{AeadAlgorithm, AeadKey};
use crate::ecdh::{EcdhCurve, EcdhPrivateKey};
use crate::kdf::hkdf;
use crate::mac::HmacAlgorithm;
use crate::pki::Certificate;
use crate::provider::Provider;
use crate::rsa_oaep::{self, OaepHash, OaepPrivateKey};
use crate::secret::SecretBytes;

const LABEL: &[u8] = b"kagi-key-escrow v1";

/// The authenticated header.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `kagi-key-escrow`.
    pub format: String,
    /// Always 1.
    pub version: u32,
    /// The escrowed key's kind.
    pub key_kind: String,
    /// The escrowed key's fingerprint (SHA-256 of its SubjectPublicKeyInfo).
    pub key_fingerprint: String,
    /// The recovery certificate's subject.
    pub recipient_subject: String,
    /// SHA-256 of the recovery certificate.
    pub recipient_certificate: String,
    /// Fingerprint of the recovery public key.
    pub recipient_key_fingerprint: String,
    /// How the file key is wrapped, and the payload cipher.
    pub scheme: String,
    /// RSA-OAEP ciphertext, or the ephemeral EC point (hex).
    pub encapsulated: String,
    /// AES-GCM nonce (hex).
    pub nonce: String,
}

/// An escrow file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escrow {
    /// The authenticated header.
    pub header: Header,
    /// AES-256-GCM ciphertext and tag of the PKCS#8 key (hex).
    pub ciphertext: String,
}

fn aad(h: &Header) -> Result<Vec<u8>, Error> {
    let mut v = LABEL.to_vec();
    v.push(b'\n');
    v.extend(serde_json::to_vec(h).map_err(|e| Error::Malformed(format!("escrow header: {e}")))?);
    Ok(v)
}

fn curve_of(kind: KeyKind) -> Result<(EcdhCurve, HmacAlgorithm, &'static str), Error> {
    match kind {
        KeyKind::Ec(cryptrec::Curve::P256) => Ok((
            EcdhCurve::P256,
            HmacAlgorithm::Sha256,
            "ecdh-p256+hkdf-sha256+aes-256-gcm",
        )),
        KeyKind::Ec(cryptrec::Curve::P384) => Ok((
            EcdhCurve::P384,
            HmacAlgorithm::Sha384,
            "ecdh-p384+hkdf-sha384+aes-256-gcm",
        )),
        other => Err(Error::Unsupported(format!(
            "escrow to {other} recovery keys"
        ))),
    }
}

const RSA_SCHEME: &str = "rsa-oaep-sha256+aes-256-gcm";

fn ecdh_wrap_key(
    provider: &Provider,
    hmac: HmacAlgorithm,
    shared: &SecretBytes,
    ephemeral: &[u8],
    recipient: &[u8],
    scheme: &str,
) -> Result<SecretBytes, Error> {
    let mut salt = ephemeral.to_vec();
    salt.extend_from_slice(recipient);
    let mut info = LABEL.to_vec();
    info.push(b' ');
    info.extend_from_slice(scheme.as_bytes());
    hkdf(provider, hmac, &salt, shared.expose(), &info, 32)
}

/// Encrypts `key` to the recovery certificate.
pub fn seal(
    provider: &Provider,
    key: &PrivateKey,
    recovery: &Certificate,
) -> Result<Escrow, Error> {
    seal_payload(
        provider,
        key.kind().to_string(),
        key.public_key().fingerprint(),
        key.pkcs8_der(),
        recovery,
    )
}

/// Encrypts any key kagi makes to the recovery certificate: a PKCS#8 key as [`seal`] does; a
/// symmetric or hybrid key as its compact encoding (`docs/KEY-BACKUP.md`), `key_kind` saying
/// which.
pub fn seal_any(
    provider: &Provider,
    key: &BackupKey,
    recovery: &Certificate,
) -> Result<Escrow, Error> {
    match key {
        BackupKey::Private(k) => seal(provider, k, recovery),
        other => seal_payload(
            provider,
            other.kind(),
            other.fingerprint(provider)?,
            compact::encode_any(other)?.expose(),
            recovery,
        ),
    }
}

fn seal_payload(
    provider: &Provider,
    key_kind: String,
    key_fingerprint: Fingerprint,
    payload: &[u8],
    recovery: &Certificate,
) -> Result<Escrow, Error> {
    let rkey = recovery
        .public_key
        .as_ref()
        .map_err(|e| Error::Unsupported(format!("the recovery certificate's key: {e}")))?;
    let usage_ok = |u: &str| recovery.key_usage.is_empty() || recovery.key_usage.contains(&u);
    let file_key = SecretBytes::new(crate::rand::array::<32>()?.to_vec());
    let raw = rkey.raw()?;
    let (scheme, encapsulated, aead_key) = match rkey.kind() {
        KeyKind::Rsa { .. } => {
            if !usage_ok("keyEncipherment") {
                return Err(Error::InvalidInput(
                    "the recovery certificate's key usage does not allow keyEncipherment",
                ));
            }
            let ct = rsa_oaep::encrypt(provider, OaepHash::Sha256, &raw, file_key.expose(), LABEL)?;
            (RSA_SCHEME.to_string(), ct, file_key)
        }
        kind => {
            let (curve, hmac, scheme) = curve_of(kind)?;
            if !usage_ok("keyAgreement") {
                return Err(Error::InvalidInput(
                    "the recovery certificate's key usage does not allow keyAgreement",
                ));
            }
            let eph = EcdhPrivateKey::generate(provider, curve)?;
            let shared = eph.agree(&raw)?;
            let eph_pub = eph.public_key();
            let k = ecdh_wrap_key(provider, hmac, &shared, &eph_pub, &raw, scheme)?;
            (scheme.to_string(), eph_pub, k)
        }
    };
    let nonce: [u8; 12] = crate::rand::array()?;
    let header = Header {
        format: "kagi-key-escrow".into(),
        version: 1,
        key_kind,
        key_fingerprint: key_fingerprint.hex(),
        recipient_subject: recovery.subject.clone(),
        recipient_certificate: recovery.fingerprint.hex(),
        recipient_key_fingerprint: rkey.fingerprint().hex(),
        scheme,
        encapsulated: hex::encode(encapsulated),
        nonce: hex::encode(nonce),
    };
    let aead = AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, aead_key.expose())?;
    let mut buf = payload.to_vec();
    let sealed = aead.seal_in_place(&nonce, &aad(&header)?, &mut buf);
    let ciphertext = hex::encode(&buf);
    zeroize::Zeroize::zeroize(&mut buf);
    sealed?;
    Ok(Escrow { header, ciphertext })
}

impl Escrow {
    /// Parses an escrow file.
    pub fn parse(bytes: &[u8]) -> Result<Escrow, Error> {
        let e: Escrow = serde_json::from_slice(bytes)
            .map_err(|e| Error::Malformed(format!("escrow file: {e}")))?;
        if e.header.format != "kagi-key-escrow" || e.header.version != 1 {
            return Err(Error::Malformed(
                "escrow file: not kagi-key-escrow version 1".into(),
            ));
        }
        Ok(e)
    }

    /// The file as pretty JSON.
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| Error::Malformed(format!("escrow file: {e}")))
    }

    /// Opens the escrow with the recovery private key and checks the key's fingerprint.
    pub fn open(&self, provider: &Provider, recovery: &PrivateKey) -> Result<PrivateKey, Error> {
        match self.open_any(provider, recovery)? {
            BackupKey::Private(k) => Ok(k),
            _ => Err(Error::Unsupported(format!(
                "escrowed {} keys here (kagi key restore writes them)",
                self.header.key_kind
            ))),
        }
    }

    /// Opens the escrow of any key kagi makes and checks the key's fingerprint.
    pub fn open_any(&self, provider: &Provider, recovery: &PrivateKey) -> Result<BackupKey, Error> {
        let h = &self.header;
        if recovery.public_key().fingerprint().hex() != h.recipient_key_fingerprint {
            return Err(Error::InvalidInput(
                "this recovery key is not the one the escrow file was made for",
            ));
        }
        let hexd = |s: &str, what: &'static str| {
            hex::decode(s).map_err(|_| Error::Malformed(format!("escrow file: {what} is not hex")))
        };
        let encapsulated = hexd(&h.encapsulated, "encapsulated")?;
        let nonce: [u8; 12] = hexd(&h.nonce, "nonce")?
            .try_into()
            .map_err(|_| Error::Malformed("escrow file: nonce length".into()))?;
        let aead_key = if h.scheme == RSA_SCHEME {
            OaepPrivateKey::from_pkcs8(provider, OaepHash::Sha256, recovery.pkcs8_der())?
                .decrypt(&encapsulated, LABEL)?
        } else {
            let (curve, hmac, scheme) = curve_of(recovery.kind())?;
            if h.scheme != scheme {
                return Err(Error::Malformed(format!(
                    "escrow file: scheme {} does not fit a {} recovery key",
                    h.scheme,
                    recovery.kind()
                )));
            }
            let sk = EcdhPrivateKey::from_scalar(provider, curve, recovery.ec_scalar()?.expose())?;
            let shared = sk.agree(&encapsulated)?;
            ecdh_wrap_key(
                provider,
                hmac,
                &shared,
                &encapsulated,
                &sk.public_key(),
                scheme,
            )?
        };
        let aead = AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, aead_key.expose())?;
        let mut buf = SecretBytes::new(hexd(&self.ciphertext, "ciphertext")?);
        let plain = aead.open_in_place(&nonce, &aad(h)?, buf.expose_mut())?;
        let key = if h.key_kind == super::SYMMETRIC_KIND || h.key_kind == super::HYBRID_KIND {
            compact::decode_any(provider, plain)?
        } else {
            BackupKey::Private(PrivateKey::from_pkcs8_der(plain)?)
        };
        if key.kind() != h.key_kind || key.fingerprint(provider)?.hex() != h.key_fingerprint {
            return Err(Error::NotAuthentic);
        }
        Ok(key)
    }

    /// The escrowed key's fingerprint, as recorded.
    pub fn key_fingerprint(&self) -> Option<Fingerprint> {
        Fingerprint::parse(&self.header.key_fingerprint)
    }
}
