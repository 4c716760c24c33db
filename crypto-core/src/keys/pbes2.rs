//! Passphrase-encrypted PKCS#8 (RFC 5958 `EncryptedPrivateKeyInfo`) with PBES2 (RFC 8018):
//! PBKDF2-HMAC-SHA-256 and AES-256-CBC, the combination `openssl pkcs8 -topk8 -v2 aes-256-cbc
//! -v2prf hmacWithSHA256` writes and every PKCS#8 reader accepts.
//!
//! Writing always uses at least [`MIN_ITERATIONS`] PBKDF2 iterations, calibrated upward on this
//! machine by [`calibrate`]. Reading accepts what openssl writes (PBKDF2 with HMAC-SHA-1/-2,
//! AES-128/192/256-CBC) when the policy permits processing with those algorithms; scrypt,
//! PBES1 (MD5/SHA-1 with DES/RC2) and DES-based schemes are refused with the reason.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use cryptrec::{Algorithm, BlockCipher, HashAlg, Mode, Use};
use der::{Decode, Encode};
use pkcs5::pbes2::{self, EncryptionScheme, Kdf, Pbkdf2Prf};

use crate::Error;
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// The fewest PBKDF2 iterations kagi writes (OWASP's 2023 figure for PBKDF2-HMAC-SHA-256).
pub const MIN_ITERATIONS: u32 = 600_000;
/// The most kagi will run when reading a file (RFC 8018 §4.2's "especially critical keys"
/// figure ×10), so a hostile file cannot make it spin for hours.
pub const MAX_ITERATIONS: u32 = 100_000_000;

/// How a key file was encrypted, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pbes2Info {
    /// The PBKDF2 hash.
    pub prf: HashAlg,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// AES key bits.
    pub aes_bits: u16,
}

impl std::fmt::Display for Pbes2Info {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PBES2: PBKDF2-HMAC-{} × {} iterations, AES-{}-CBC",
            self.prf.entry(),
            self.iterations,
            self.aes_bits
        )
    }
}

/// The PBKDF2 iteration count that takes about `target` on this machine, never below
/// [`MIN_ITERATIONS`] and never above 20 million.
pub fn calibrate(target: Duration) -> u32 {
    const PROBE: u32 = 100_000;
    let start = Instant::now();
    let mut out = [0u8; 32];
    if let Some(n) = NonZeroU32::new(PROBE) {
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            n,
            b"calibrate",
            b"kagi",
            &mut out,
        );
    }
    let per_iter = start.elapsed().as_secs_f64() / f64::from(PROBE);
    if per_iter <= 0.0 {
        return MIN_ITERATIONS;
    }
    let n = (target.as_secs_f64() / per_iter).min(20_000_000.0) as u32;
    n.max(MIN_ITERATIONS).div_ceil(1000) * 1000
}

/// Encrypts an unencrypted PKCS#8 DER with `passphrase`; returns `EncryptedPrivateKeyInfo` DER.
pub fn encrypt(
    provider: &Provider,
    pkcs8: &[u8],
    passphrase: &[u8],
    iterations: u32,
) -> Result<Vec<u8>, Error> {
    if iterations < MIN_ITERATIONS {
        return Err(Error::InvalidInput(
            "kagi writes key files with at least 600000 PBKDF2 iterations",
        ));
    }
    if passphrase.is_empty() {
        return Err(Error::InvalidInput("the passphrase is empty"));
    }
    provider.check(&Algorithm::Pbkdf2(HashAlg::Sha256), Use::Protect)?;
    provider.check(&aes_cbc(256), Use::Protect)?;
    let salt: [u8; 16] = crate::rand::array()?;
    let iv: [u8; 16] = crate::rand::array()?;
    let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &salt, iv)
        .map_err(|e| Error::Malformed(format!("PBES2 parameters: {e}")))?;
    let key = derive(Pbkdf2Prf::HmacWithSha256, iterations, &salt, passphrase, 32)?;
    let ciphertext =
        crate::modes::cbc_encrypt_unchecked(BlockCipher::Aes, key.expose(), &iv, pkcs8, true)?;
    let info = pkcs8::EncryptedPrivateKeyInfoOwned {
        encryption_algorithm: params.into(),
        encrypted_data: der::asn1::OctetString::new(ciphertext)
            .map_err(|e| Error::Malformed(format!("encrypted key: {e}")))?,
    };
    info.to_der()
        .map_err(|e| Error::Malformed(format!("encrypted key: {e}")))
}

const CONVERT: &str =
    "re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000`";

fn not_listed(what: &str) -> Error {
    Error::NotListed(format!(
        "the key is encrypted with {what}, which is not on the CRYPTREC Ciphers List; {CONVERT}"
    ))
}

/// Parses an `EncryptedPrivateKeyInfo`, naming a password-based scheme kagi does not read
/// (PKCS#12 PBE with SHA-1 and 3DES or RC2, which pkcs5 does not parse) by its OID.
fn parse(der: &[u8]) -> Result<pkcs8::EncryptedPrivateKeyInfoRef<'_>, Error> {
    pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| match unlisted_pbe_oid(der) {
        Some(o) => not_listed(&format!(
            "password-based encryption {o} (PKCS#12 or PBES1: SHA-1 or MD5 with 3DES, DES or RC2)"
        )),
        None => Error::Malformed(format!("encrypted PKCS#8 key: {e}")),
    })
}

/// The OID of `SEQUENCE { SEQUENCE { OID, … }, OCTET STRING }` when it is a PKCS#12 or PBES1
/// password-based encryption scheme.
fn unlisted_pbe_oid(der: &[u8]) -> Option<String> {
    let (_, outer) = x509_parser::der_parser::parse_der(der).ok()?;
    let items = outer.as_sequence().ok()?;
    let oid = items
        .first()?
        .as_sequence()
        .ok()?
        .first()?
        .as_oid()
        .ok()?
        .to_id_string();
    items.get(1)?.as_slice().ok()?;
    (oid.starts_with("1.2.840.113549.1.12.1.") || oid.starts_with("1.2.840.113549.1.5."))
        .then_some(oid)
}

/// Whether `der` is an encrypted key under a scheme kagi refuses (so it is reported as such).
pub(crate) fn is_unlisted_pbe(der: &[u8]) -> bool {
    unlisted_pbe_oid(der).is_some()
}

/// How an `EncryptedPrivateKeyInfo` is encrypted, refusing what kagi will not process.
pub fn inspect(provider: &Provider, der: &[u8]) -> Result<Pbes2Info, Error> {
    describe(provider, pbes2_params(&parse(der)?)?)
}

fn pbes2_params<'a>(
    info: &'a pkcs8::EncryptedPrivateKeyInfoRef<'_>,
) -> Result<&'a pbes2::Parameters, Error> {
    info.encryption_algorithm
        .pbes2()
        .ok_or_else(|| not_listed("PBES1 (MD5 or SHA-1 with DES or RC2)"))
}

fn describe(provider: &Provider, params: &pbes2::Parameters) -> Result<Pbes2Info, Error> {
    let kdf = match &params.kdf {
        Kdf::Pbkdf2(k) => k,
        _ => {
            return Err(not_listed("scrypt"));
        }
    };
    let prf = match kdf.prf {
        Pbkdf2Prf::HmacWithSha1 => HashAlg::Sha1,
        Pbkdf2Prf::HmacWithSha224 => HashAlg::Sha224,
        Pbkdf2Prf::HmacWithSha256 => HashAlg::Sha256,
        Pbkdf2Prf::HmacWithSha384 => HashAlg::Sha384,
        Pbkdf2Prf::HmacWithSha512 => HashAlg::Sha512,
        _ => {
            return Err(Error::Unsupported(
                "this PBKDF2 pseudo-random function".into(),
            ));
        }
    };
    let aes_bits = match params.encryption {
        EncryptionScheme::Aes128Cbc { .. } => 128,
        EncryptionScheme::Aes192Cbc { .. } => 192,
        EncryptionScheme::Aes256Cbc { .. } => 256,
        _ => {
            return Err(Error::Unsupported(
                "this PBES2 encryption scheme (kagi reads AES-CBC, as openssl writes)".into(),
            ));
        }
    };
    if kdf.iteration_count == 0 || kdf.iteration_count > MAX_ITERATIONS {
        return Err(Error::Unsupported(format!(
            "{} PBKDF2 iterations (kagi runs 1 to {MAX_ITERATIONS})",
            kdf.iteration_count
        )));
    }
    provider.check(&Algorithm::Pbkdf2(prf), Use::Process)?;
    provider.check(&aes_cbc(aes_bits), Use::Process)?;
    Ok(Pbes2Info {
        prf,
        iterations: kdf.iteration_count,
        aes_bits,
    })
}

/// Decrypts an `EncryptedPrivateKeyInfo` (DER) to the unencrypted PKCS#8 DER.
pub fn decrypt(
    provider: &Provider,
    der: &[u8],
    passphrase: &[u8],
) -> Result<(SecretBytes, Pbes2Info), Error> {
    let info = parse(der)?;
    let params = pbes2_params(&info)?;
    let summary = describe(provider, params)?;
    let Kdf::Pbkdf2(kdf) = &params.kdf else {
        return Err(Error::Unsupported("non-PBKDF2 key derivation".into()));
    };
    let key_len = usize::from(summary.aes_bits / 8);
    if kdf.key_length.is_some_and(|l| usize::from(l) != key_len) {
        return Err(Error::Malformed(
            "PBES2: key length does not match the cipher".into(),
        ));
    }
    let key = derive(
        kdf.prf,
        kdf.iteration_count,
        kdf.salt.as_bytes(),
        passphrase,
        key_len,
    )?;
    let iv: &[u8] = match &params.encryption {
        EncryptionScheme::Aes128Cbc { iv }
        | EncryptionScheme::Aes192Cbc { iv }
        | EncryptionScheme::Aes256Cbc { iv } => iv,
        _ => return Err(Error::Unsupported("PBES2 without AES-CBC".into())),
    };
    let ct = info.encrypted_data.as_bytes();
    let plain = crate::modes::cbc_decrypt_unchecked(BlockCipher::Aes, key.expose(), iv, ct, true)
        .map(SecretBytes::new)
        .map_err(|_| Error::BadPassphrase)?;
    // CBC has no integrity: a wrong passphrase shows as bad padding or as garbage that is not
    // a PrivateKeyInfo. Both are the same error, so the two cannot be told apart.
    if pkcs8::PrivateKeyInfoRef::from_der(plain.expose()).is_err() {
        return Err(Error::BadPassphrase);
    }
    Ok((plain, summary))
}

fn derive(
    prf: Pbkdf2Prf,
    iterations: u32,
    salt: &[u8],
    passphrase: &[u8],
    len: usize,
) -> Result<SecretBytes, Error> {
    let alg = match prf {
        Pbkdf2Prf::HmacWithSha1 => ring::pbkdf2::PBKDF2_HMAC_SHA1,
        Pbkdf2Prf::HmacWithSha256 => ring::pbkdf2::PBKDF2_HMAC_SHA256,
        Pbkdf2Prf::HmacWithSha384 => ring::pbkdf2::PBKDF2_HMAC_SHA384,
        Pbkdf2Prf::HmacWithSha512 => ring::pbkdf2::PBKDF2_HMAC_SHA512,
        _ => return Err(Error::Unsupported("PBKDF2 with this hash".into())),
    };
    let n = NonZeroU32::new(iterations).ok_or(Error::InvalidInput("zero PBKDF2 iterations"))?;
    let mut key = SecretBytes::zeroed(len);
    ring::pbkdf2::derive(alg, n, salt, passphrase, key.expose_mut());
    Ok(key)
}

fn aes_cbc(bits: u16) -> Algorithm {
    Algorithm::Cipher {
        cipher: BlockCipher::Aes,
        key_bits: bits,
        mode: Some(Mode::Cbc),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let provider = Provider::egov().unwrap();
        let key = crate::keys::PrivateKey::generate(
            &provider,
            crate::keys::KeyAlg::Ecdsa(cryptrec::Curve::P256),
        )
        .unwrap();
        let enc = encrypt(&provider, key.pkcs8_der(), b"correct horse", MIN_ITERATIONS).unwrap();
        let (plain, info) = decrypt(&provider, &enc, b"correct horse").unwrap();
        assert_eq!(plain.expose(), key.pkcs8_der());
        assert_eq!(info.iterations, MIN_ITERATIONS);
        assert_eq!(info.aes_bits, 256);
        assert!(matches!(
            decrypt(&provider, &enc, b"wrong horse"),
            Err(Error::BadPassphrase)
        ));
        assert!(encrypt(&provider, key.pkcs8_der(), b"x", 1000).is_err());
    }

    #[test]
    fn calibration_respects_the_floor() {
        assert!(calibrate(Duration::from_millis(1)) >= MIN_ITERATIONS);
    }
}
