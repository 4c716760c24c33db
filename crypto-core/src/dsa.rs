//! DSA (FIPS 186-4), Table 1 of the list with 注1: FIPS 186-5 withdrew DSA but CRYPTREC keeps
//! it listed, so kagi verifies DSA signatures and — while the list keeps it and the policy
//! permits it — makes DSA keys (L/N = 2048/224, 2048/256, 3072/256) and deterministic
//! signatures (RFC 6979). ECDSA and EdDSA are the better choice for anything new.
//!
//! Public keys are SubjectPublicKeyInfo (DER), private keys PKCS#8 (DER); signatures are the
//! DER `Dss-Sig-Value` that openssl reads.

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
    crate::selftest::ensure_group(crate::selftest::Group::Dsa)?;
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

/// A DSA private key. No `Debug`, no `Clone`.
pub struct DsaPrivateKey {
    key: dsa::SigningKey,
    l: u32,
    n: u32,
}

fn size(l: u32, n: u32) -> Result<dsa::KeySize, Error> {
    Ok(match (l, n) {
        (2048, 224) => dsa::KeySize::DSA_2048_224,
        (2048, 256) => dsa::KeySize::DSA_2048_256,
        (3072, 256) => dsa::KeySize::DSA_3072_256,
        _ => {
            return Err(Error::InvalidInput(
                "DSA L/N of 2048/224, 2048/256 or 3072/256",
            ));
        }
    })
}

impl DsaPrivateKey {
    /// New domain parameters and a key (FIPS 186-4 §A.1, §B.1); slow — it searches for
    /// primes. The policy is asked for DSA at this size with SHA-256.
    pub fn generate(provider: &Provider, l: u32, n: u32) -> Result<DsaPrivateKey, Error> {
        crate::selftest::ensure_group(crate::selftest::Group::Dsa)?;
        provider.check(
            &Algorithm::Dsa {
                l,
                n,
                hash: Some(HashAlg::Sha256),
            },
            Use::Protect,
        )?;
        let ks = size(l, n)?;
        let mut rng = getrandom::SysRng;
        let components = dsa::Components::try_generate_from_rng_with_key_size(&mut rng, ks)
            .map_err(|_| Error::Rng)?;
        let key = dsa::SigningKey::try_generate_from_rng_with_components(&mut rng, components)
            .map_err(|_| Error::Rng)?;
        Ok(DsaPrivateKey { key, l, n })
    }

    /// A key from PKCS#8 DER.
    pub fn from_pkcs8(provider: &Provider, der: &[u8]) -> Result<DsaPrivateKey, Error> {
        crate::selftest::ensure_group(crate::selftest::Group::Dsa)?;
        use der::Decode;
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::Malformed(format!("DSA private key: {e}")))?;
        let key = dsa::SigningKey::try_from(info)
            .map_err(|e| Error::Malformed(format!("DSA private key: {e}")))?;
        let c = key.verifying_key().components();
        let (l, n) = (c.p().bit_width(), c.q().bit_width());
        provider.check(&Algorithm::Dsa { l, n, hash: None }, Use::Process)?;
        Ok(DsaPrivateKey { key, l, n })
    }

    /// PKCS#8 DER (secret).
    pub fn to_pkcs8_der(&self) -> Result<crate::secret::SecretBytes, Error> {
        use pkcs8::EncodePrivateKey;
        let doc = self
            .key
            .to_pkcs8_der()
            .map_err(|e| Error::Malformed(format!("DSA private key: {e}")))?;
        Ok(crate::secret::SecretBytes::new(doc.as_bytes().to_vec()))
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> Result<Vec<u8>, Error> {
        use spki::EncodePublicKey;
        Ok(self
            .key
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| Error::Malformed(format!("DSA public key: {e}")))?
            .as_bytes()
            .to_vec())
    }

    /// A deterministic (RFC 6979) signature over `msg` with `hash`, DER-encoded; the policy is
    /// asked for DSA at this size with this hash, to protect.
    pub fn sign(
        &self,
        provider: &Provider,
        hash: HashAlgorithm,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        use signature::SignatureEncoding;
        provider.check(
            &Algorithm::Dsa {
                l: self.l,
                n: self.n,
                hash: Some(hash.hash_alg()),
            },
            Use::Protect,
        )?;
        let digest = crate::hash::digest(provider, hash, msg)?;
        let sig = match hash {
            HashAlgorithm::Sha256 => self.key.sign_prehashed_rfc6979::<sha2::Sha256>(&digest),
            HashAlgorithm::Sha384 => self.key.sign_prehashed_rfc6979::<sha2::Sha384>(&digest),
            HashAlgorithm::Sha512 => self.key.sign_prehashed_rfc6979::<sha2::Sha512>(&digest),
            _ => return Err(Error::InvalidInput("DSA with SHA-256, SHA-384 or SHA-512")),
        }
        .map_err(|_| Error::InvalidInput("DSA signing failed"))?;
        Ok(sig.to_vec())
    }
}
