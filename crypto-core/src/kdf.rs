//! Key derivation built only from listed primitives: HKDF (RFC 5869) and PBKDF2 (RFC 8018)
//! over HMAC-SHA-2. KDFs are not list entries themselves; the policy evaluates the HMAC and
//! hash they are made of.

use std::num::NonZeroU32;

use cryptrec::{Algorithm, Use};
use ring::{hkdf, pbkdf2};

use crate::Error;
use crate::mac::HmacAlgorithm;
use crate::provider::Provider;
use crate::secret::SecretBytes;

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Extract-and-Expand into `out_len` bytes (at most 255 hash lengths).
pub fn hkdf(
    provider: &Provider,
    alg: HmacAlgorithm,
    salt: &[u8],
    ikm: &[u8],
    info: &[u8],
    out_len: usize,
) -> Result<SecretBytes, Error> {
    provider.check(&Algorithm::Hkdf(alg.hash_alg()), Use::Protect)?;
    hkdf_unchecked(alg, salt, ikm, info, out_len)
}

pub(crate) fn hkdf_unchecked(
    alg: HmacAlgorithm,
    salt: &[u8],
    ikm: &[u8],
    info: &[u8],
    out_len: usize,
) -> Result<SecretBytes, Error> {
    let h = match alg {
        HmacAlgorithm::Sha256 => hkdf::HKDF_SHA256,
        HmacAlgorithm::Sha384 => hkdf::HKDF_SHA384,
        HmacAlgorithm::Sha512 => hkdf::HKDF_SHA512,
    };
    let prk = hkdf::Salt::new(h, salt).extract(ikm);
    let info = [info];
    let okm = prk
        .expand(&info, Len(out_len))
        .map_err(|_| Error::InvalidInput("HKDF output longer than 255 hash lengths"))?;
    let mut out = SecretBytes::zeroed(out_len);
    okm.fill(out.expose_mut())
        .map_err(|_| Error::InvalidInput("HKDF output length"))?;
    Ok(out)
}

fn ring_pbkdf2(alg: HmacAlgorithm) -> pbkdf2::Algorithm {
    match alg {
        HmacAlgorithm::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        HmacAlgorithm::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
        HmacAlgorithm::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
    }
}

/// PBKDF2 into `out_len` bytes.
pub fn pbkdf2(
    provider: &Provider,
    alg: HmacAlgorithm,
    iterations: u32,
    salt: &[u8],
    password: &[u8],
    out_len: usize,
) -> Result<SecretBytes, Error> {
    provider.check(&Algorithm::Pbkdf2(alg.hash_alg()), Use::Protect)?;
    pbkdf2_unchecked(alg, iterations, salt, password, out_len)
}

pub(crate) fn pbkdf2_unchecked(
    alg: HmacAlgorithm,
    iterations: u32,
    salt: &[u8],
    password: &[u8],
    out_len: usize,
) -> Result<SecretBytes, Error> {
    let n = NonZeroU32::new(iterations)
        .ok_or(Error::InvalidInput("PBKDF2 needs at least one iteration"))?;
    if out_len == 0 {
        return Err(Error::InvalidInput("PBKDF2 output length is zero"));
    }
    let mut out = SecretBytes::zeroed(out_len);
    pbkdf2::derive(ring_pbkdf2(alg), n, salt, password, out.expose_mut());
    Ok(out)
}

/// Checks a password against a PBKDF2 output in constant time.
pub fn pbkdf2_verify(
    provider: &Provider,
    alg: HmacAlgorithm,
    iterations: u32,
    salt: &[u8],
    password: &[u8],
    expected: &[u8],
) -> Result<(), Error> {
    provider.check(&Algorithm::Pbkdf2(alg.hash_alg()), Use::Process)?;
    let n = NonZeroU32::new(iterations)
        .ok_or(Error::InvalidInput("PBKDF2 needs at least one iteration"))?;
    pbkdf2::verify(ring_pbkdf2(alg), n, salt, password, expected).map_err(|_| Error::NotAuthentic)
}
