//! ML-KEM (FIPS 203), Table 2 of the list: ML-KEM-768 and ML-KEM-1024 key encapsulation.
//! Decapsulation keys are kept as their 64-byte seed (d ‖ z), as FIPS 203 §7.1 permits; an
//! encapsulation key from elsewhere is checked (the modulus check of §7.2) before use. Every
//! operation asks the policy first.
//!
//! ```
//! use crypto_core::{Provider, kem::{MlKem, MlKemPrivateKey}};
//! let p = Provider::egov()?;
//! let dk = MlKemPrivateKey::generate(&p, MlKem::MlKem1024)?;
//! let (ct, sent) = crypto_core::kem::encapsulate(&p, MlKem::MlKem1024, &dk.public_key())?;
//! assert_eq!(dk.decapsulate(&ct)?.expose(), sent.expose());
//! # Ok::<(), crypto_core::Error>(())
//! ```

use cryptrec::{Algorithm, Use};
use ml_kem::kem::{Decapsulate, KeyExport};

use crate::Error;
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// The parameter set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MlKem {
    /// ML-KEM-768 (NIST category 3).
    MlKem768,
    /// ML-KEM-1024 (NIST category 5).
    MlKem1024,
}

impl MlKem {
    /// The algorithm the policy judges.
    pub fn algorithm(self) -> Algorithm {
        Algorithm::MlKem(match self {
            MlKem::MlKem768 => 768,
            MlKem::MlKem1024 => 1024,
        })
    }

    /// Bytes of an encapsulation key.
    pub fn public_key_len(self) -> usize {
        match self {
            MlKem::MlKem768 => 1184,
            MlKem::MlKem1024 => 1568,
        }
    }

    /// Bytes of a ciphertext.
    pub fn ciphertext_len(self) -> usize {
        match self {
            MlKem::MlKem768 => 1088,
            MlKem::MlKem1024 => 1568,
        }
    }
}

macro_rules! with_level {
    ($level:expr, $P:ident => $body:expr) => {
        match $level {
            MlKem::MlKem768 => {
                type $P = ml_kem::MlKem768;
                $body
            }
            MlKem::MlKem1024 => {
                type $P = ml_kem::MlKem1024;
                $body
            }
        }
    };
}

/// An ML-KEM decapsulation key, held as its seed.
pub struct MlKemPrivateKey {
    level: MlKem,
    seed: SecretBytes,
}

fn seed_array(seed: &[u8]) -> Result<ml_kem::Seed, Error> {
    ml_kem::Seed::try_from(seed).map_err(|_| Error::InvalidKey("an ML-KEM seed is 64 bytes"))
}

impl MlKemPrivateKey {
    /// A fresh key from the system CSPRNG.
    pub fn generate(provider: &Provider, level: MlKem) -> Result<MlKemPrivateKey, Error> {
        provider.check(&level.algorithm(), Use::Protect)?;
        Ok(MlKemPrivateKey {
            level,
            seed: SecretBytes::new(crate::rand::array::<64>()?.to_vec()),
        })
    }

    /// The key for a 64-byte seed d ‖ z (FIPS 203 ML-KEM.KeyGen_internal).
    pub fn from_seed(
        provider: &Provider,
        level: MlKem,
        seed: &[u8],
    ) -> Result<MlKemPrivateKey, Error> {
        provider.check(&level.algorithm(), Use::Process)?;
        seed_array(seed)?;
        Ok(MlKemPrivateKey {
            level,
            seed: SecretBytes::new(seed.to_vec()),
        })
    }

    /// The parameter set.
    pub fn level(&self) -> MlKem {
        self.level
    }

    /// The seed, for storing the key (keep it secret).
    pub fn seed(&self) -> &SecretBytes {
        &self.seed
    }

    /// The encapsulation (public) key.
    pub fn public_key(&self) -> Vec<u8> {
        let Ok(seed) = seed_array(self.seed.expose()) else {
            return Vec::new();
        };
        with_level!(self.level, P => {
            ml_kem::DecapsulationKey::<P>::from_seed(seed)
                .encapsulation_key()
                .to_bytes()
                .to_vec()
        })
    }

    /// The shared secret of a ciphertext. A wrong ciphertext of the right length yields an
    /// unrelated secret (implicit rejection, FIPS 203 §6.3), never an error that reveals it.
    pub fn decapsulate(&self, ciphertext: &[u8]) -> Result<SecretBytes, Error> {
        if ciphertext.len() != self.level.ciphertext_len() {
            return Err(Error::InvalidInput(
                "an ML-KEM ciphertext of the wrong length",
            ));
        }
        let seed = seed_array(self.seed.expose())?;
        with_level!(self.level, P => {
            let dk = ml_kem::DecapsulationKey::<P>::from_seed(seed);
            let ct = ml_kem::Ciphertext::<P>::try_from(ciphertext)
                .map_err(|_| Error::InvalidInput("ML-KEM ciphertext"))?;
            Ok(SecretBytes::new(dk.decapsulate(&ct).to_vec()))
        })
    }
}

/// Encapsulates a fresh shared secret to `public_key`: returns the ciphertext and the secret.
pub fn encapsulate(
    provider: &Provider,
    level: MlKem,
    public_key: &[u8],
) -> Result<(Vec<u8>, SecretBytes), Error> {
    let m = crate::rand::array::<32>()?;
    encapsulate_with(provider, level, public_key, &m)
}

/// Encapsulation with a given 32-byte `m` (FIPS 203 ML-KEM.Encaps_internal): for known-answer
/// tests only — real use must call [`encapsulate`], which draws `m` from the CSPRNG.
pub fn encapsulate_with(
    provider: &Provider,
    level: MlKem,
    public_key: &[u8],
    m: &[u8; 32],
) -> Result<(Vec<u8>, SecretBytes), Error> {
    provider.check(&level.algorithm(), Use::Protect)?;
    if public_key.len() != level.public_key_len() {
        return Err(Error::InvalidKey(
            "an ML-KEM encapsulation key of the wrong length",
        ));
    }
    with_level!(level, P => {
        let key = ml_kem::kem::Key::<ml_kem::EncapsulationKey<P>>::try_from(public_key)
            .map_err(|_| Error::InvalidKey("ML-KEM encapsulation key"))?;
        // The modulus check (FIPS 203 §7.2): every coefficient below q.
        let ek = ml_kem::EncapsulationKey::<P>::new(&key)
            .map_err(|_| Error::InvalidKey("the ML-KEM encapsulation key fails the modulus check"))?;
        let (ct, k) = ek.encapsulate_deterministic(&(*m).into());
        Ok((ct.to_vec(), SecretBytes::new(k.to_vec())))
    })
}
