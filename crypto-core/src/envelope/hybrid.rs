//! The hybrid recipient: ECDH P-384 and ML-KEM-1024 together, so that an envelope stays
//! confidential as long as **either** holds — against today's attacks (ECDH) and against a
//! quantum computer (ML-KEM). Japan's government plans to migrate to post-quantum cryptography
//! by 2035; data sealed now with a hybrid recipient is already protected against "harvest now,
//! decrypt later".
//!
//! Combiner: the key that wraps the file key is
//! `HKDF-SHA-384(salt = recipient id, ikm = Z_ecdh ‖ K_mlkem,
//! info = "kagi-envelope v1 hybrid p384+mlkem1024" ‖ ephemeral point ‖ ML-KEM ciphertext, 32)`.
//! Both secrets enter the extractor, and the transcript binds the ciphertexts and the
//! recipient, so an attacker who breaks only one of the two learns nothing about the key.
//!
//! Key files are text: `KAGI HYBRID PUBLIC KEY 1` (the P-384 point and the ML-KEM-1024
//! encapsulation key, base64) and `KAGI HYBRID PRIVATE KEY 1` (the P-384 scalar and the
//! ML-KEM seed, hex; written 0600 like symmetric key files).

use base64ct::{Base64, Encoding};

use crate::Error;
use crate::ecdh::{EcdhCurve, EcdhPrivateKey};
use crate::hash::HashAlgorithm;
use crate::kem::{MlKem, MlKemPrivateKey};
use crate::mac::HmacAlgorithm;
use crate::provider::Provider;
use crate::secret::SecretBytes;

const PUBLIC_HEADER: &str = "KAGI HYBRID PUBLIC KEY 1";
const PRIVATE_HEADER: &str = "KAGI HYBRID PRIVATE KEY 1";
const INFO: &[u8] = b"kagi-envelope v1 hybrid p384+mlkem1024";

/// A hybrid public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HybridPublicKey {
    ecdh: Vec<u8>,
    mlkem: Vec<u8>,
}

/// A hybrid private key. No `Debug`, no `Clone`.
pub struct HybridPrivateKey {
    ecdh: SecretBytes,
    mlkem: MlKemPrivateKey,
}

impl HybridPublicKey {
    /// The recipient identifier: SHA-256 of a label and both public keys.
    pub fn id(&self) -> [u8; 32] {
        let mut m = b"kagi hybrid public key v1".to_vec();
        m.extend_from_slice(&self.ecdh);
        m.extend_from_slice(&self.mlkem);
        let d = crate::hash::digest_unchecked(HashAlgorithm::Sha256, &m);
        let mut id = [0u8; 32];
        id.copy_from_slice(&d);
        id
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        format!(
            "{PUBLIC_HEADER}\necdh-p384 {}\nml-kem-1024 {}\n",
            Base64::encode_string(&self.ecdh),
            Base64::encode_string(&self.mlkem)
        )
    }

    /// Reads a key file's text (`None` if it is not one).
    pub fn from_text(text: &str) -> Result<Option<HybridPublicKey>, Error> {
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(PUBLIC_HEADER) {
            return Ok(None);
        }
        let field = |line: Option<&str>, name: &str, len: usize| -> Result<Vec<u8>, Error> {
            let v = line
                .and_then(|l| l.strip_prefix(name))
                .map(str::trim)
                .and_then(|b| Base64::decode_vec(b).ok())
                .filter(|v| v.len() == len)
                .ok_or_else(|| Error::Malformed(format!("hybrid public key: the {name}line")))?;
            Ok(v)
        };
        let ecdh = field(lines.next(), "ecdh-p384 ", 97)?;
        let mlkem = field(
            lines.next(),
            "ml-kem-1024 ",
            MlKem::MlKem1024.public_key_len(),
        )?;
        if ecdh[0] != 4 {
            return Err(Error::Malformed(
                "hybrid public key: not an uncompressed point".into(),
            ));
        }
        Ok(Some(HybridPublicKey { ecdh, mlkem }))
    }
}

impl HybridPrivateKey {
    /// A fresh key pair; the policy is asked for ECDH P-384 and ML-KEM-1024.
    pub fn generate(provider: &Provider) -> Result<HybridPrivateKey, Error> {
        check(provider, cryptrec::Use::Protect)?;
        let mlkem = MlKemPrivateKey::generate(provider, MlKem::MlKem1024)?;
        for _ in 0..64 {
            let s = crate::rand::array::<48>()?;
            if EcdhPrivateKey::from_scalar_unchecked(EcdhCurve::P384, &s).is_ok() {
                return Ok(HybridPrivateKey {
                    ecdh: SecretBytes::new(s.to_vec()),
                    mlkem,
                });
            }
        }
        Err(Error::Rng)
    }

    fn ec(&self, provider: &Provider) -> Result<EcdhPrivateKey, Error> {
        check(provider, cryptrec::Use::Process)?;
        EcdhPrivateKey::from_scalar_unchecked(EcdhCurve::P384, self.ecdh.expose())
    }

    /// The public half.
    pub fn public_key(&self, provider: &Provider) -> Result<HybridPublicKey, Error> {
        Ok(HybridPublicKey {
            ecdh: self.ec(provider)?.public_key(),
            mlkem: self.mlkem.public_key(),
        })
    }

    /// The key file's text (secret: store it 0600).
    pub fn to_text(&self) -> SecretBytes {
        SecretBytes::new(
            format!(
                "{PRIVATE_HEADER}\necdh-p384 {}\nml-kem-1024 {}\n",
                hex::encode(self.ecdh.expose()),
                hex::encode(self.mlkem.seed().expose())
            )
            .into_bytes(),
        )
    }

    /// Reads a key file's text (`None` if it is not one).
    pub fn from_text(provider: &Provider, text: &str) -> Result<Option<HybridPrivateKey>, Error> {
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(PRIVATE_HEADER) {
            return Ok(None);
        }
        let field = |line: Option<&str>, name: &str, len: usize| -> Result<SecretBytes, Error> {
            line.and_then(|l| l.strip_prefix(name))
                .map(str::trim)
                .and_then(|h| hex::decode(h).ok())
                .filter(|v| v.len() == len)
                .map(SecretBytes::new)
                .ok_or_else(|| Error::Malformed(format!("hybrid private key: the {name}line")))
        };
        let ecdh = field(lines.next(), "ecdh-p384 ", 48)?;
        let seed = field(lines.next(), "ml-kem-1024 ", 64)?;
        Self::from_parts(provider, ecdh.expose(), seed.expose()).map(Some)
    }

    /// A key from its P-384 scalar (48 bytes) and ML-KEM-1024 seed (64 bytes), as key backup
    /// stores them.
    pub(crate) fn from_parts(
        provider: &Provider,
        scalar: &[u8],
        seed: &[u8],
    ) -> Result<HybridPrivateKey, Error> {
        if scalar.len() != 48 {
            return Err(Error::InvalidKey("a P-384 scalar is 48 bytes"));
        }
        let key = HybridPrivateKey {
            ecdh: SecretBytes::new(scalar.to_vec()),
            mlkem: MlKemPrivateKey::from_seed(provider, MlKem::MlKem1024, seed)?,
        };
        key.ec(provider)?;
        Ok(key)
    }

    /// The P-384 scalar and the ML-KEM-1024 seed.
    pub(crate) fn parts(&self) -> (&[u8], &[u8]) {
        (self.ecdh.expose(), self.mlkem.seed().expose())
    }
}

/// The policy's verdict on the hybrid as a whole: ECDH P-384 with ML-KEM-1024. Under `pqc`
/// the ECDH half is permitted only here, beside the Table 2 KEM.
pub fn check(provider: &Provider, use_: cryptrec::Use) -> Result<cryptrec::Verdict, Error> {
    provider.check_hybrid(
        &EcdhCurve::P384.algorithm(),
        &MlKem::MlKem1024.algorithm(),
        use_,
    )
}

fn kek(
    provider: &Provider,
    id: &[u8; 32],
    z_ecdh: &[u8],
    k_mlkem: &[u8],
    ephemeral: &[u8],
    kem_ct: &[u8],
) -> Result<SecretBytes, Error> {
    let mut ikm = z_ecdh.to_vec();
    ikm.extend_from_slice(k_mlkem);
    let ikm = SecretBytes::new(ikm);
    let mut info = INFO.to_vec();
    info.extend_from_slice(ephemeral);
    info.extend_from_slice(kem_ct);
    crate::kdf::hkdf(provider, HmacAlgorithm::Sha384, id, ikm.expose(), &info, 32)
}

/// Encapsulates to `to`: returns (ephemeral point, ML-KEM ciphertext, key-wrapping key).
pub(crate) fn encapsulate(
    provider: &Provider,
    to: &HybridPublicKey,
) -> Result<(Vec<u8>, Vec<u8>, SecretBytes), Error> {
    check(provider, cryptrec::Use::Protect)?;
    let eph = EcdhPrivateKey::generate_unchecked(EcdhCurve::P384)?;
    let z = eph.agree(&to.ecdh)?;
    let (ct, k) = crate::kem::encapsulate(provider, MlKem::MlKem1024, &to.mlkem)?;
    let ephemeral = eph.public_key();
    let key = kek(provider, &to.id(), z.expose(), k.expose(), &ephemeral, &ct)?;
    Ok((ephemeral, ct, key))
}

/// The key-wrapping key for an entry made for `key`.
pub(crate) fn decapsulate(
    provider: &Provider,
    key: &HybridPrivateKey,
    ephemeral: &[u8],
    kem_ct: &[u8],
) -> Result<SecretBytes, Error> {
    let public = key.public_key(provider)?;
    let z = key.ec(provider)?.agree(ephemeral)?;
    let k = key.mlkem.decapsulate(kem_ct)?;
    kek(
        provider,
        &public.id(),
        z.expose(),
        k.expose(),
        ephemeral,
        kem_ct,
    )
}
