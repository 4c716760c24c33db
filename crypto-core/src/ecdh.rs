//! ECDH over P-256 and P-384 (SP 800-56A, cofactor 1), with static or ephemeral keys, through
//! RustCrypto `p256` / `p384` (ring offers ephemeral keys only). The shared secret is the
//! x-coordinate; derive keys from it with HKDF, and (LS-0001 注2) use HMAC or CMAC as the MAC.

use cryptrec::{Algorithm, Curve, Use};

use crate::provider::Provider;
use crate::secret::SecretBytes;
use crate::{Error, rand};

/// The curves crypto-core implements for ECDH.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcdhCurve {
    /// P-256.
    P256,
    /// P-384.
    P384,
}

impl EcdhCurve {
    /// The algorithm identifier.
    pub fn algorithm(self) -> Algorithm {
        match self {
            EcdhCurve::P256 => Algorithm::Ecdh(Curve::P256),
            EcdhCurve::P384 => Algorithm::Ecdh(Curve::P384),
        }
    }

    fn scalar_len(self) -> usize {
        match self {
            EcdhCurve::P256 => 32,
            EcdhCurve::P384 => 48,
        }
    }
}

enum Imp {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
}

/// An ECDH private key; zeroized on drop. No `Debug`, no `Clone`.
pub struct EcdhPrivateKey {
    curve: EcdhCurve,
    imp: Imp,
}

impl EcdhPrivateKey {
    /// Generates a key (protect: it will establish new keys).
    pub fn generate(provider: &Provider, curve: EcdhCurve) -> Result<EcdhPrivateKey, Error> {
        provider.check(&curve.algorithm(), Use::Protect)?;
        Self::generate_unchecked(curve)
    }

    /// Generates a key; the caller has asked the policy (the hybrid recipient asks about the
    /// hybrid as a whole).
    pub(crate) fn generate_unchecked(curve: EcdhCurve) -> Result<EcdhPrivateKey, Error> {
        // Rejection sampling: a random string is a valid scalar unless it is 0 or ≥ n.
        for _ in 0..64 {
            let mut bytes = SecretBytes::zeroed(curve.scalar_len());
            rand::fill(bytes.expose_mut())?;
            if let Ok(k) = Self::from_scalar_unchecked(curve, bytes.expose()) {
                return Ok(k);
            }
        }
        Err(Error::Rng)
    }

    /// A key from its big-endian scalar (exactly the curve's length).
    pub fn from_scalar(
        provider: &Provider,
        curve: EcdhCurve,
        scalar: &[u8],
    ) -> Result<EcdhPrivateKey, Error> {
        provider.check(&curve.algorithm(), Use::Process)?;
        Self::from_scalar_unchecked(curve, scalar)
    }

    pub(crate) fn from_scalar_unchecked(
        curve: EcdhCurve,
        scalar: &[u8],
    ) -> Result<EcdhPrivateKey, Error> {
        if scalar.len() != curve.scalar_len() {
            return Err(Error::InvalidKey("wrong scalar length for the curve"));
        }
        let bad = |_| Error::InvalidKey("scalar out of range");
        let imp = match curve {
            EcdhCurve::P256 => Imp::P256(p256::SecretKey::from_slice(scalar).map_err(bad)?),
            EcdhCurve::P384 => Imp::P384(p384::SecretKey::from_slice(scalar).map_err(bad)?),
        };
        Ok(EcdhPrivateKey { curve, imp })
    }

    /// The curve.
    pub fn curve(&self) -> EcdhCurve {
        self.curve
    }

    /// The public key as an uncompressed SEC1 point.
    pub fn public_key(&self) -> Vec<u8> {
        use p256::elliptic_curve::sec1::ToSec1Point;
        match &self.imp {
            Imp::P256(k) => k.public_key().to_sec1_point(false).as_bytes().to_vec(),
            Imp::P384(k) => k.public_key().to_sec1_point(false).as_bytes().to_vec(),
        }
    }

    /// The shared secret with a peer's SEC1 public key. Invalid points (off the curve, the
    /// identity, the wrong length) are rejected.
    pub fn agree(&self, peer_public: &[u8]) -> Result<SecretBytes, Error> {
        let bad = |_| Error::InvalidKey("peer public key is not a valid point on the curve");
        let secret = match &self.imp {
            Imp::P256(k) => {
                let peer = p256::PublicKey::from_sec1_bytes(peer_public).map_err(bad)?;
                let s = p256::ecdh::diffie_hellman(k.to_nonzero_scalar(), peer.as_affine());
                s.raw_secret_bytes().to_vec()
            }
            Imp::P384(k) => {
                let peer = p384::PublicKey::from_sec1_bytes(peer_public).map_err(bad)?;
                let s = p384::ecdh::diffie_hellman(k.to_nonzero_scalar(), peer.as_affine());
                s.raw_secret_bytes().to_vec()
            }
        };
        Ok(SecretBytes::new(secret))
    }
}
