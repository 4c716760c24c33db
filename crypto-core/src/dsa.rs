//! DSA verification (FIPS 186-4 §4.7), Table 1 of the list with 注1: FIPS 186-5 withdrew DSA
//! but CRYPTREC keeps it listed. kagi verifies DSA signatures — documents and certificates
//! signed earlier — and does not make new DSA keys or signatures: ECDSA and EdDSA are the
//! listed replacements.
//!
//! Keys are SubjectPublicKeyInfo (DER); signatures are the DER `Dss-Sig-Value`.

use cryptrec::{Algorithm, HashAlg, Use, Verdict};

use crate::Error;
use crate::hash::HashAlgorithm;
use crate::provider::Provider;

/// Verifies a DSA signature over `msg` with `hash`; returns the policy's verdict (which names
/// L, N and the hash) or why it fails.
pub fn verify(
    provider: &Provider,
    spki_der: &[u8],
    hash: HashAlgorithm,
    msg: &[u8],
    signature_der: &[u8],
) -> Result<Verdict, Error> {
    use der::Decode;
    use signature::hazmat::PrehashVerifier;
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| Error::Malformed(format!("DSA public key: {e}")))?;
    let key = dsa::VerifyingKey::try_from(spki)
        .map_err(|e| Error::Malformed(format!("DSA public key: {e}")))?;
    let c = key.components();
    let alg = Algorithm::Dsa {
        l: c.p().bit_width(),
        n: c.q().bit_width(),
        hash: Some(hash.hash_alg()),
    };
    let verdict = provider.check(&alg, Use::Process)?;
    let sig = dsa::Signature::try_from(signature_der).map_err(|_| Error::NotAuthentic)?;
    let digest = crate::hash::digest(provider, hash, msg)?;
    key.verify_prehash(&digest, &sig)
        .map_err(|_| Error::NotAuthentic)?;
    Ok(verdict)
}

/// The hash DSA signatures use with each listed hash.
pub fn hash_of(h: HashAlg) -> Option<HashAlgorithm> {
    match h {
        HashAlg::Sha256 => Some(HashAlgorithm::Sha256),
        HashAlg::Sha384 => Some(HashAlgorithm::Sha384),
        HashAlg::Sha512 => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}
