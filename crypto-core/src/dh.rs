//! Finite-field Diffie–Hellman (SP 800-56A) over the RFC 7919 groups ffdhe2048, ffdhe3072 and
//! ffdhe4096, Table 1's "DH". The policy decides the group by its strength: ffdhe2048
//! (112-bit) may protect only while 112-bit is permitted (through 2030-12-31); 3072 and up
//! after. Peer public values get the full validation of SP 800-56A §5.6.2.3.1 (2 ≤ y ≤ p−2
//! and y^q = 1 for q = (p−1)/2), so small-subgroup values are refused.
//!
//! ```
//! use crypto_core::{Provider, dh::{DhPrivateKey, Ffdhe}};
//! let p = Provider::egov()?;
//! let a = DhPrivateKey::generate(&p, Ffdhe::Ffdhe3072)?;
//! let b = DhPrivateKey::generate(&p, Ffdhe::Ffdhe3072)?;
//! assert_eq!(a.agree(&b.public_key())?.expose(), b.agree(&a.public_key())?.expose());
//! # Ok::<(), crypto_core::Error>(())
//! ```

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd, Resize};
use cryptrec::{Algorithm, Use};

use crate::Error;
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// An RFC 7919 group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ffdhe {
    /// ffdhe2048 (112-bit strength).
    Ffdhe2048,
    /// ffdhe3072 (128-bit).
    Ffdhe3072,
    /// ffdhe4096 (about 150-bit).
    Ffdhe4096,
}

impl Ffdhe {
    /// Modulus bits.
    pub fn bits(self) -> u32 {
        match self {
            Ffdhe::Ffdhe2048 => 2048,
            Ffdhe::Ffdhe3072 => 3072,
            Ffdhe::Ffdhe4096 => 4096,
        }
    }

    fn prime_hex(self) -> &'static str {
        match self {
            Ffdhe::Ffdhe2048 => crate::ffdhe::FFDHE2048,
            Ffdhe::Ffdhe3072 => crate::ffdhe::FFDHE3072,
            Ffdhe::Ffdhe4096 => crate::ffdhe::FFDHE4096,
        }
    }

    /// Private exponent bits: at least twice the group's strength (RFC 7919 §5.2).
    fn exponent_bits(self) -> usize {
        match self {
            Ffdhe::Ffdhe2048 | Ffdhe::Ffdhe3072 => 256,
            Ffdhe::Ffdhe4096 => 320,
        }
    }

    fn len(self) -> usize {
        self.bits() as usize / 8
    }

    fn algorithm(self) -> Algorithm {
        Algorithm::Dh { bits: self.bits() }
    }

    fn prime(self) -> Result<BoxedUint, Error> {
        let bytes =
            hex::decode(self.prime_hex()).map_err(|_| Error::InvalidInput("group prime"))?;
        BoxedUint::from_be_slice(&bytes, self.bits())
            .map_err(|_| Error::InvalidInput("group prime"))
    }
}

/// A DH private key: the exponent.
pub struct DhPrivateKey {
    group: Ffdhe,
    x: SecretBytes,
}

fn pow(group: Ffdhe, base: &BoxedUint, exp: &BoxedUint) -> Result<BoxedUint, Error> {
    let p = group.prime()?;
    let odd =
        Option::<Odd<BoxedUint>>::from(Odd::new(p)).ok_or(Error::InvalidInput("group prime"))?;
    let params = BoxedMontyParams::new(odd);
    Ok(BoxedMontyForm::new(base.clone(), &params)
        .pow(exp)
        .retrieve())
}

fn to_fixed(n: &BoxedUint, len: usize) -> Vec<u8> {
    let b = n.to_be_bytes();
    let mut out = vec![0u8; len];
    let take = b.len().min(len);
    out[len - take..].copy_from_slice(&b[b.len() - take..]);
    out
}

impl DhPrivateKey {
    /// A fresh key in `group`; the policy is asked for DH at the group's size.
    pub fn generate(provider: &Provider, group: Ffdhe) -> Result<DhPrivateKey, Error> {
        crate::selftest::ensure_group(crate::selftest::Group::Dh)?;
        provider.check(&group.algorithm(), Use::Protect)?;
        let mut x = vec![0u8; group.exponent_bits() / 8];
        crate::rand::fill(&mut x)?;
        x[0] |= 0x80; // full length, and never 0 or 1
        Ok(DhPrivateKey {
            group,
            x: SecretBytes::new(x),
        })
    }

    /// A key from a given exponent (big-endian), e.g. to check against another
    /// implementation; 1 < x < p−1 is required.
    pub fn from_exponent(
        provider: &Provider,
        group: Ffdhe,
        x: &[u8],
    ) -> Result<DhPrivateKey, Error> {
        crate::selftest::ensure_group(crate::selftest::Group::Dh)?;
        provider.check(&group.algorithm(), Use::Process)?;
        let xi = BoxedUint::from_be_slice_vartime(x);
        let p = group.prime()?;
        let two = BoxedUint::from(2u8);
        if xi < two || xi.bit_width() > group.bits() || xi >= p.wrapping_sub(BoxedUint::one()) {
            return Err(Error::InvalidKey(
                "a DH exponent must satisfy 1 < x < p − 1",
            ));
        }
        Ok(DhPrivateKey {
            group,
            x: SecretBytes::new(x.to_vec()),
        })
    }

    /// The group.
    pub fn group(&self) -> Ffdhe {
        self.group
    }

    fn exponent(&self) -> BoxedUint {
        BoxedUint::from_be_slice_vartime(self.x.expose()).resize(self.group.bits())
    }

    /// The public value g^x mod p, big-endian, padded to the prime's length.
    pub fn public_key(&self) -> Vec<u8> {
        let g = BoxedUint::from(2u8).resize(self.group.bits());
        pow(self.group, &g, &self.exponent())
            .map(|y| to_fixed(&y, self.group.len()))
            .unwrap_or_default()
    }

    /// The shared secret with a peer's public value (validated), padded to the prime's length
    /// (SP 800-56A §5.7.1.1).
    pub fn agree(&self, peer: &[u8]) -> Result<SecretBytes, Error> {
        let bits = self.group.bits();
        // Leading zero bytes (an ASN.1 INTEGER's sign byte) do not change the value.
        let peer = &peer[peer
            .iter()
            .take_while(|&&b| b == 0)
            .count()
            .min(peer.len().saturating_sub(1))..];
        if peer.len() > self.group.len() {
            return Err(Error::InvalidKey("a DH public value longer than the prime"));
        }
        let y = BoxedUint::from_be_slice_vartime(peer).resize(bits);
        let p = self.group.prime()?;
        let two = BoxedUint::from(2u8).resize(bits);
        let p_minus_2 = p.wrapping_sub(&two);
        if y < two || y > p_minus_2 {
            return Err(Error::InvalidKey("a DH public value outside [2, p−2]"));
        }
        // q = (p − 1) / 2; y must lie in the order-q subgroup.
        let q = p.wrapping_sub(BoxedUint::one().resize(bits)).shr(1);
        if pow(self.group, &y, &q)? != BoxedUint::one().resize(bits) {
            return Err(Error::InvalidKey(
                "a DH public value outside the prime-order subgroup",
            ));
        }
        let z = pow(self.group, &y, &self.exponent())?;
        if z == BoxedUint::one().resize(bits) {
            return Err(Error::InvalidKey("a degenerate DH shared secret"));
        }
        Ok(SecretBytes::new(to_fixed(&z, self.group.len())))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_primes_have_the_rfc_7919_shape() {
        for g in [Ffdhe::Ffdhe2048, Ffdhe::Ffdhe3072, Ffdhe::Ffdhe4096] {
            let h = g.prime_hex();
            assert_eq!(h.len() * 4, g.bits() as usize);
            // p = 2^b − 2^(b−64) + {[2^(b−130) e] + X} · 2^64 − 1: 64 leading and trailing ones,
            // then the digits of e, which begin ADF85458A2BB4A9A (RFC 7919 §A).
            assert!(h.starts_with("ffffffffffffffffadf85458a2bb4a9a"), "{g:?}");
            assert!(h.ends_with("ffffffffffffffff"), "{g:?}");
        }
    }

    #[test]
    fn small_subgroup_and_edge_values_are_refused() {
        let p = Provider::egov().unwrap();
        let k = DhPrivateKey::generate(&p, Ffdhe::Ffdhe3072).unwrap();
        let len = 384;
        let mut one = vec![0u8; len];
        one[len - 1] = 1;
        assert!(k.agree(&one).is_err());
        assert!(k.agree(&[0u8; 384]).is_err());
        let pm1 = {
            let mut v = hex::decode(Ffdhe::Ffdhe3072.prime_hex()).unwrap();
            v[len - 1] -= 1;
            v
        };
        assert!(k.agree(&pm1).is_err(), "p − 1 has order 2");
        assert!(
            k.agree(&hex::decode(Ffdhe::Ffdhe3072.prime_hex()).unwrap())
                .is_err()
        );
    }
}
