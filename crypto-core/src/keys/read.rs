//! Reading key files in the formats openssl and others write: PKCS#8 (plain or PBES2-encrypted),
//! PKCS#1 RSA, SEC1 EC, SubjectPublicKeyInfo, PKCS#1 RSA public keys and X.509 certificates, as
//! PEM or DER.

use der::Decode;
use pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use zeroize::Zeroizing;

use super::{PrivateKey, PublicKey, pbes2};
use crate::Error;
use crate::provider::Provider;

/// What a key file holds.
pub enum KeyMaterial {
    /// An unencrypted private key.
    Private(PrivateKey),
    /// A passphrase-encrypted PKCS#8 key (DER); [`EncryptedKey::decrypt`] opens it.
    Encrypted(EncryptedKey),
    /// A public key.
    Public(PublicKey),
    /// An X.509 certificate (DER), the first of the file.
    Certificate(Vec<u8>),
}

/// A PBES2-encrypted PKCS#8 key, not yet decrypted.
pub struct EncryptedKey {
    der: Vec<u8>,
}

impl EncryptedKey {
    /// The `EncryptedPrivateKeyInfo` DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// How it is encrypted; an error if kagi would refuse to decrypt it.
    pub fn info(&self, provider: &Provider) -> Result<pbes2::Pbes2Info, Error> {
        pbes2::inspect(provider, &self.der)
    }

    /// Decrypts it.
    pub fn decrypt(
        &self,
        provider: &Provider,
        passphrase: &[u8],
    ) -> Result<(PrivateKey, pbes2::Pbes2Info), Error> {
        let (plain, info) = pbes2::decrypt(provider, &self.der, passphrase)?;
        Ok((PrivateKey::from_pkcs8_der(plain.expose())?, info))
    }
}

const TRADITIONAL_ENCRYPTED: &str = "the key is traditional OpenSSL-encrypted PEM, whose key \
derivation (EVP_BytesToKey with MD5) is not on the CRYPTREC Ciphers List; convert it with \
`openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in OLD -out NEW`";

/// Reads the first key or certificate in `bytes` (PEM or DER).
pub fn read(bytes: &[u8]) -> Result<KeyMaterial, Error> {
    let text = std::str::from_utf8(bytes).ok();
    match text {
        Some(t) if t.contains("-----BEGIN ") => read_pem(t),
        _ => read_der(bytes),
    }
}

/// The PEM blocks of `text`: (label, whole block text).
pub(crate) fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[start..].find(&end_marker) else {
            break;
        };
        let stop = start + end + end_marker.len();
        out.push((label, &rest[start..stop]));
        rest = &rest[stop..];
    }
    out
}

fn read_pem(text: &str) -> Result<KeyMaterial, Error> {
    let mut unknown = Vec::new();
    for (label, block) in pem_blocks(text) {
        if block.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(Error::NotListed(TRADITIONAL_ENCRYPTED.into()));
        }
        let decode = || {
            der::pem::decode_vec(block.as_bytes())
                .map(|(_, d)| Zeroizing::new(d))
                .map_err(|e| Error::Malformed(format!("PEM block `{label}`: {e}")))
        };
        return match label {
            "PRIVATE KEY" => Ok(KeyMaterial::Private(
                PrivateKey::from_pkcs8_der(&decode()?)?,
            )),
            "ENCRYPTED PRIVATE KEY" => {
                // Parsed when inspected, so an unlisted scheme is named rather than "malformed".
                Ok(KeyMaterial::Encrypted(EncryptedKey {
                    der: decode()?.to_vec(),
                }))
            }
            "RSA PRIVATE KEY" => pkcs1_private(&decode()?),
            "EC PRIVATE KEY" => sec1_private(&decode()?),
            "PUBLIC KEY" => Ok(KeyMaterial::Public(PublicKey::from_spki_der(&decode()?)?)),
            "RSA PUBLIC KEY" => pkcs1_public(&decode()?),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                Ok(KeyMaterial::Certificate(decode()?.to_vec()))
            }
            "OPENSSH PRIVATE KEY" => Err(Error::Malformed(
                "key file: an OpenSSH private key; convert it with `ssh-keygen -p -m PKCS8 -f KEY`"
                    .into(),
            )),
            "EC PARAMETERS" => continue,
            other => {
                unknown.push(other.to_string());
                continue;
            }
        };
    }
    Err(Error::Malformed(if unknown.is_empty() {
        "key file: no PEM key or certificate block".to_string()
    } else {
        format!(
            "key file: no key or certificate among PEM blocks {}",
            unknown.join(", ")
        )
    }))
}

fn read_der(der: &[u8]) -> Result<KeyMaterial, Error> {
    if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
        return Ok(KeyMaterial::Private(PrivateKey::from_pkcs8_der(der)?));
    }
    if pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).is_ok() || pbes2::is_unlisted_pbe(der) {
        return Ok(KeyMaterial::Encrypted(EncryptedKey { der: der.to_vec() }));
    }
    if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return Ok(KeyMaterial::Public(PublicKey::from_spki_der(der)?));
    }
    if x509_parser::parse_x509_certificate(der).is_ok() {
        return Ok(KeyMaterial::Certificate(der.to_vec()));
    }
    if rsa::PrivateKey::from_pkcs1_der(der).is_ok() {
        return pkcs1_private(der);
    }
    if sec1::EcPrivateKey::from_der(der).is_ok() {
        return sec1_private(der);
    }
    if rsa::PublicKey::from_pkcs1_der(der).is_ok() {
        return pkcs1_public(der);
    }
    Err(Error::Malformed(
        "key file: not a PEM or DER key or certificate kagi knows".to_string(),
    ))
}

fn pkcs1_private(der: &[u8]) -> Result<KeyMaterial, Error> {
    let sk = rsa::PrivateKey::from_pkcs1_der(der)
        .map_err(|e| Error::Malformed(format!("PKCS#1 RSA private key: {e}")))?;
    let pkcs8 = sk
        .to_pkcs8_der()
        .map_err(|e| Error::Malformed(format!("RSA private key: {e}")))?;
    Ok(KeyMaterial::Private(PrivateKey::from_pkcs8_der(
        pkcs8.as_bytes(),
    )?))
}

fn pkcs1_public(der: &[u8]) -> Result<KeyMaterial, Error> {
    let pk = rsa::PublicKey::from_pkcs1_der(der)
        .map_err(|e| Error::Malformed(format!("PKCS#1 RSA public key: {e}")))?;
    let spki = pk
        .to_public_key_der()
        .map_err(|e| Error::Malformed(format!("RSA public key: {e}")))?;
    Ok(KeyMaterial::Public(PublicKey::from_spki_der(
        spki.as_bytes(),
    )?))
}

fn sec1_private(der: &[u8]) -> Result<KeyMaterial, Error> {
    let parsed = sec1::EcPrivateKey::from_der(der)
        .map_err(|e| Error::Malformed(format!("SEC1 EC private key: {e}")))?;
    let curve = parsed
        .parameters
        .and_then(|p| p.named_curve())
        .map(|o| o.to_string());
    let pkcs8 = match (curve.as_deref(), parsed.private_key.len()) {
        (Some(cryptrec::oid::P256), _) | (None, 32) => p256::SecretKey::from_sec1_der(der)
            .map_err(|e| Error::Malformed(format!("SEC1 EC private key: {e}")))?
            .to_pkcs8_der(),
        (Some(cryptrec::oid::P384), _) | (None, 48) => p384::SecretKey::from_sec1_der(der)
            .map_err(|e| Error::Malformed(format!("SEC1 EC private key: {e}")))?
            .to_pkcs8_der(),
        (Some(other), _) => {
            return Err(match cryptrec::oid::curve(other) {
                Some(c) => Error::Unsupported(format!("{c:?} keys")),
                None => Error::NotListed(format!(
                    "the key is on EC curve {}, which is not on the CRYPTREC Ciphers List (its ECDSA and ECDH use the NIST curves)",
                    cryptrec::oid::describe_curve(Some(other))
                )),
            });
        }
        (None, _) => {
            return Err(Error::Malformed(
                "SEC1 EC private key without a curve".into(),
            ));
        }
    }
    .map_err(|e| Error::Malformed(format!("EC private key: {e}")))?;
    Ok(KeyMaterial::Private(PrivateKey::from_pkcs8_der(
        pkcs8.as_bytes(),
    )?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pem_blocks_are_found_in_order() {
        let text = "junk\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n\
                    -----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        let labels: Vec<_> = pem_blocks(text).into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["EC PARAMETERS", "PUBLIC KEY"]);
    }

    #[test]
    fn traditional_encrypted_pem_is_refused_with_the_reason() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let err = read(text.as_bytes()).err().unwrap();
        assert!(matches!(err, Error::NotListed(_)));
        assert!(err.to_string().contains("EVP_BytesToKey"), "{err}");
    }

    #[test]
    fn garbage_is_malformed() {
        assert!(matches!(
            read(b"\x30\x03\x02\x01\x00"),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(read(b"hello"), Err(Error::Malformed(_))));
    }
}
