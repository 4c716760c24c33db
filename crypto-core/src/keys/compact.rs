//! The smallest self-contained encoding of a private key, for shares a person can re-type:
//! the EC scalar, the Ed25519 seed, or RSA's e, p and q (everything else is recomputed).
//!
//! ```text
//! 0x01 ‖ scalar(32)            EC P-256
//! 0x02 ‖ scalar(48)            EC P-384
//! 0x03 ‖ seed(32)              Ed25519
//! 0x04 ‖ e(4, BE) ‖ len(p)(2, BE) ‖ p ‖ q     RSA (two primes)
//! 0x05 ‖ key(32)               symmetric 256-bit key
//! 0x06 ‖ scalar(48) ‖ seed(64) hybrid ECDH P-384 + ML-KEM-1024
//! ```

use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

use super::{BackupKey, KeyKind, PrivateKey};
use crate::Error;
use crate::secret::SecretBytes;

fn strip(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

/// Encodes `key` compactly.
pub(crate) fn encode(key: &PrivateKey) -> Result<SecretBytes, Error> {
    let mut out = Vec::new();
    match key.kind() {
        KeyKind::Ec(cryptrec::Curve::P256) => {
            out.push(1);
            out.extend_from_slice(key.ec_scalar()?.expose());
        }
        KeyKind::Ec(cryptrec::Curve::P384) => {
            out.push(2);
            out.extend_from_slice(key.ec_scalar()?.expose());
        }
        KeyKind::Ed25519 => {
            out.push(3);
            out.extend_from_slice(super::ed25519_seed(key.pkcs8_der())?.expose());
        }
        KeyKind::Rsa { .. } => {
            let sk = rsa::PrivateKey::from_pkcs8_der(key.pkcs8_der())
                .map_err(|e| Error::Malformed(format!("RSA key: {e}")))?;
            let primes = sk.primes();
            if primes.len() != 2 {
                return Err(Error::Unsupported("backing up multi-prime RSA keys".into()));
            }
            let e_bytes = sk.e().to_be_bytes();
            let e = strip(&e_bytes);
            if e.len() > 4 {
                return Err(Error::Unsupported("RSA public exponents above 2^32".into()));
            }
            let p = zeroize::Zeroizing::new(primes[0].to_be_bytes());
            let q = zeroize::Zeroizing::new(primes[1].to_be_bytes());
            let (p, q) = (strip(&p), strip(&q));
            out.push(4);
            out.extend_from_slice(&[0u8; 4][..4 - e.len()]);
            out.extend_from_slice(e);
            out.extend_from_slice(
                &u16::try_from(p.len())
                    .map_err(|_| Error::Unsupported("RSA primes this large".into()))?
                    .to_be_bytes(),
            );
            out.extend_from_slice(p);
            out.extend_from_slice(q);
        }
        KeyKind::Ec(c) => return Err(Error::Unsupported(format!("backing up {c:?} keys"))),
    }
    Ok(SecretBytes::new(out))
}

/// Encodes any key kagi makes compactly.
pub(crate) fn encode_any(key: &BackupKey) -> Result<SecretBytes, Error> {
    match key {
        BackupKey::Private(k) => encode(k),
        BackupKey::Symmetric(k) => {
            let mut out = vec![5u8];
            out.extend_from_slice(k.expose());
            Ok(SecretBytes::new(out))
        }
        BackupKey::Hybrid(k) => {
            let (scalar, seed) = k.parts();
            let mut out = vec![6u8];
            out.extend_from_slice(scalar);
            out.extend_from_slice(seed);
            Ok(SecretBytes::new(out))
        }
    }
}

/// Rebuilds any key from [`encode_any`]'s bytes.
pub(crate) fn decode_any(provider: &crate::Provider, bytes: &[u8]) -> Result<BackupKey, Error> {
    let bad = || Error::Malformed("backed-up key: wrong length for its type".into());
    match bytes.split_first() {
        Some((5, key)) => {
            if key.len() != 32 {
                return Err(bad());
            }
            Ok(BackupKey::Symmetric(SecretBytes::new(key.to_vec())))
        }
        Some((6, body)) => {
            if body.len() != 48 + 64 {
                return Err(bad());
            }
            let (scalar, seed) = body.split_at(48);
            Ok(BackupKey::Hybrid(
                crate::envelope::hybrid::HybridPrivateKey::from_parts(provider, scalar, seed)?,
            ))
        }
        _ => decode(bytes).map(BackupKey::Private),
    }
}

/// Rebuilds a key from [`encode`]'s bytes.
pub(crate) fn decode(bytes: &[u8]) -> Result<PrivateKey, Error> {
    let bad = || Error::Malformed("backed-up key: wrong length for its type".into());
    let (&tag, body) = bytes.split_first().ok_or_else(bad)?;
    let pkcs8: SecretBytes = match tag {
        1 | 2 => {
            let doc = if tag == 1 {
                if body.len() != 32 {
                    return Err(bad());
                }
                p256::SecretKey::from_slice(body)
                    .map_err(|_| Error::InvalidKey("P-256 scalar out of range"))?
                    .to_pkcs8_der()
            } else {
                if body.len() != 48 {
                    return Err(bad());
                }
                p384::SecretKey::from_slice(body)
                    .map_err(|_| Error::InvalidKey("P-384 scalar out of range"))?
                    .to_pkcs8_der()
            }
            .map_err(|e| Error::Malformed(format!("EC key: {e}")))?;
            SecretBytes::new(doc.as_bytes().to_vec())
        }
        3 => {
            if body.len() != 32 {
                return Err(bad());
            }
            super::ed25519_pkcs8_v1(body)
        }
        4 => {
            if body.len() < 6 {
                return Err(bad());
            }
            let e = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
            let plen = usize::from(u16::from_be_bytes([body[4], body[5]]));
            let rest = &body[6..];
            if plen == 0 || plen >= rest.len() {
                return Err(bad());
            }
            let (p, q) = rest.split_at(plen);
            let int = |b: &[u8]| {
                let bits = u32::try_from(b.len() * 8).map_err(|_| bad())?;
                rsa::BoxedUint::from_be_slice(b, bits).map_err(|_| bad())
            };
            let e = rsa::BoxedUint::from(u64::from(e));
            let sk = rsa::PrivateKey::from_p_q(int(p)?, int(q)?, e)
                .map_err(|_| Error::InvalidKey("RSA primes do not form a valid key"))?;
            let doc = sk
                .to_pkcs8_der()
                .map_err(|e| Error::Malformed(format!("RSA key: {e}")))?;
            SecretBytes::new(doc.as_bytes().to_vec())
        }
        _ => return Err(Error::Malformed("backed-up key: unknown type".into())),
    };
    PrivateKey::from_pkcs8_der(pkcs8.expose())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Provider;
    use crate::keys::KeyAlg;

    #[test]
    fn every_kind_round_trips_to_the_same_public_key() {
        let provider = Provider::egov().unwrap();
        for alg in [
            KeyAlg::Ecdsa(cryptrec::Curve::P256),
            KeyAlg::Ecdh(cryptrec::Curve::P384),
            KeyAlg::Ed25519,
            KeyAlg::Rsa(3072),
        ] {
            let key = PrivateKey::generate(&provider, alg).unwrap();
            let c = encode(&key).unwrap();
            let back = decode(c.expose()).unwrap();
            assert_eq!(back.public_key(), key.public_key(), "{alg:?}");
            // A damaged encoding never silently gives the same key back.
            let damaged = decode(&c.expose()[..c.len() - 1]);
            assert!(
                damaged
                    .map(|k| k.public_key() != key.public_key())
                    .unwrap_or(true)
            );
        }
    }
}
