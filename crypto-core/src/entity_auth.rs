//! Entity authentication (the list's ISO/IEC 9798-2, -3 and -4 entries) as unilateral
//! challenge–response: the verifier B sends a fresh random challenge R_B; the claimant A
//! answers with a token that binds R_B, B's identifier and A's identifier under
//!
//! - ISO/IEC 9798-4 — a cryptographic check function (HMAC): `MAC_K(tag ‖ R_B ‖ B ‖ A)`;
//! - ISO/IEC 9798-2 — symmetric encipherment (an AEAD): `N ‖ E_K(tag ‖ R_B ‖ B ‖ A)`;
//! - ISO/IEC 9798-3 — a digital signature: `R_A ‖ Sig_A(tag ‖ R_A ‖ R_B ‖ B ‖ A)`.
//!
//! A [`Verifier`] keeps one outstanding challenge and consumes it on the first answer, so a
//! recorded answer cannot be replayed; binding both identifiers (in a fixed order, with a
//! per-mechanism tag) means B's own answer reflected back to B does not verify. Mutual
//! authentication is the two directions in turn. The primitives are whatever keys are given,
//! each already judged by the policy when it was made.
//!
//! ```
//! use crypto_core::{Provider, entity_auth::{Verifier, respond_mac}, mac::{HmacAlgorithm, HmacKey}};
//! let p = Provider::egov()?;
//! let key = HmacKey::new(&p, HmacAlgorithm::Sha256, &[7u8; 32])?;
//! let mut bob = Verifier::new("bob");
//! let challenge = bob.challenge()?;
//! let answer = respond_mac(&key, &challenge, "alice", "bob")?;
//! assert!(bob.verify_mac(&key, "alice", &answer).is_ok());
//! assert!(bob.verify_mac(&key, "alice", &answer).is_err()); // the challenge is spent
//! # Ok::<(), crypto_core::Error>(())
//! ```

use crate::Error;
use crate::aead::AeadKey;
use crate::provider::Provider;
use crate::sig::{SignatureScheme, SigningKey};

/// A challenge: 256 random bits.
pub type Challenge = [u8; 32];

const TAG_MAC: &[u8] = b"kagi ISO/IEC 9798-4 unilateral two-pass v1";
const TAG_ENC: &[u8] = b"kagi ISO/IEC 9798-2 unilateral two-pass v1";
const TAG_SIG: &[u8] = b"kagi ISO/IEC 9798-3 unilateral two-pass v1";

/// The bytes a token covers: tag, then each field with its length (so fields cannot slide).
fn transcript(tag: &[u8], fields: &[&[u8]]) -> Vec<u8> {
    let mut m = tag.to_vec();
    for f in fields {
        m.extend_from_slice(&(f.len() as u32).to_be_bytes());
        m.extend_from_slice(f);
    }
    m
}

/// The verifier B, holding at most one outstanding challenge.
pub struct Verifier {
    me: String,
    pending: Option<Challenge>,
}

impl Verifier {
    /// A verifier with identifier `me`.
    pub fn new(me: &str) -> Verifier {
        Verifier {
            me: me.to_string(),
            pending: None,
        }
    }

    /// A fresh challenge R_B (replacing any earlier, unanswered one).
    pub fn challenge(&mut self) -> Result<Challenge, Error> {
        let c = crate::rand::array::<32>()?;
        self.pending = Some(c);
        Ok(c)
    }

    /// Takes the outstanding challenge: each is good for one answer only.
    fn take(&mut self) -> Result<Challenge, Error> {
        self.pending.take().ok_or(Error::InvalidInput(
            "no outstanding challenge (already answered, or none issued)",
        ))
    }

    /// Checks an ISO/IEC 9798-4 answer from `claimant`.
    pub fn verify_mac(
        &mut self,
        key: &crate::mac::HmacKey,
        claimant: &str,
        answer: &[u8],
    ) -> Result<(), Error> {
        let c = self.take()?;
        key.verify(
            &transcript(TAG_MAC, &[&c, self.me.as_bytes(), claimant.as_bytes()]),
            answer,
        )
        .map_err(|_| Error::NotAuthentic)
    }

    /// Checks an ISO/IEC 9798-2 answer from `claimant`.
    pub fn verify_encrypted(
        &mut self,
        key: &AeadKey,
        claimant: &str,
        answer: &[u8],
    ) -> Result<(), Error> {
        let c = self.take()?;
        if answer.len() < 12 {
            return Err(Error::NotAuthentic);
        }
        let (nonce, sealed) = answer.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| Error::NotAuthentic)?;
        let mut buf = sealed.to_vec();
        let plain = key
            .open_in_place(&nonce, TAG_ENC, &mut buf)
            .map_err(|_| Error::NotAuthentic)?;
        let want = transcript(TAG_ENC, &[&c, self.me.as_bytes(), claimant.as_bytes()]);
        if crate::secret::ct_eq(plain, &want) {
            Ok(())
        } else {
            Err(Error::NotAuthentic)
        }
    }

    /// Checks an ISO/IEC 9798-3 answer from `claimant`, whose public key (raw, as
    /// [`crate::sig::verify`] takes it) and scheme are known to the verifier.
    pub fn verify_signature(
        &mut self,
        provider: &Provider,
        scheme: SignatureScheme,
        claimant_key: &[u8],
        claimant: &str,
        answer: &[u8],
    ) -> Result<(), Error> {
        let c = self.take()?;
        if answer.len() < 32 {
            return Err(Error::NotAuthentic);
        }
        let (r_a, sig) = answer.split_at(32);
        let msg = transcript(TAG_SIG, &[r_a, &c, self.me.as_bytes(), claimant.as_bytes()]);
        crate::sig::verify(provider, scheme, claimant_key, &msg, sig)
            .map(|_| ())
            .map_err(|_| Error::NotAuthentic)
    }
}

/// The claimant's ISO/IEC 9798-4 answer to `challenge` from `verifier`.
pub fn respond_mac(
    key: &crate::mac::HmacKey,
    challenge: &Challenge,
    me: &str,
    verifier: &str,
) -> Result<Vec<u8>, Error> {
    key.sign(&transcript(
        TAG_MAC,
        &[challenge, verifier.as_bytes(), me.as_bytes()],
    ))
}

/// The claimant's ISO/IEC 9798-2 answer: a fresh nonce and the sealed token.
pub fn respond_encrypted(
    key: &AeadKey,
    challenge: &Challenge,
    me: &str,
    verifier: &str,
) -> Result<Vec<u8>, Error> {
    let nonce = crate::rand::array::<12>()?;
    let mut buf = transcript(TAG_ENC, &[challenge, verifier.as_bytes(), me.as_bytes()]);
    key.seal_in_place(&nonce, TAG_ENC, &mut buf)?;
    let mut out = nonce.to_vec();
    out.extend(buf);
    Ok(out)
}

/// The claimant's ISO/IEC 9798-3 answer: its own random R_A and its signature.
pub fn respond_signature(
    key: &SigningKey,
    challenge: &Challenge,
    me: &str,
    verifier: &str,
) -> Result<Vec<u8>, Error> {
    let r_a = crate::rand::array::<32>()?;
    let sig = key.sign(&transcript(
        TAG_SIG,
        &[&r_a, challenge, verifier.as_bytes(), me.as_bytes()],
    ))?;
    let mut out = r_a.to_vec();
    out.extend(sig);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::aead::AeadAlgorithm;
    use crate::keys::{KeyAlg, PrivateKey};
    use crate::mac::{HmacAlgorithm, HmacKey};

    #[test]
    fn answers_verify_once_and_neither_replay_nor_reflection_works() {
        let p = Provider::egov().unwrap();
        let mac = HmacKey::new(&p, HmacAlgorithm::Sha256, &[1u8; 32]).unwrap();
        let aead = AeadKey::new(&p, AeadAlgorithm::Aes256Gcm, &[2u8; 32]).unwrap();
        let alice = PrivateKey::generate(&p, KeyAlg::Ecdsa(cryptrec::Curve::P256)).unwrap();
        let scheme = alice.kind().default_signature().unwrap();
        let signer = alice.signing_key(&p, scheme).unwrap();
        let alice_pub = alice.public_key().raw().unwrap();

        type Respond<'a> = Box<dyn Fn(&Challenge, &str, &str) -> Vec<u8> + 'a>;
        type Check<'a> = Box<dyn Fn(&mut Verifier, &str, &[u8]) -> bool + 'a>;
        let mechanisms: Vec<(&str, Respond<'_>, Check<'_>)> = vec![
            (
                "9798-4",
                Box::new(|c, me, v| respond_mac(&mac, c, me, v).unwrap()),
                Box::new(|b, who, a| b.verify_mac(&mac, who, a).is_ok()),
            ),
            (
                "9798-2",
                Box::new(|c, me, v| respond_encrypted(&aead, c, me, v).unwrap()),
                Box::new(|b, who, a| b.verify_encrypted(&aead, who, a).is_ok()),
            ),
            (
                "9798-3",
                Box::new(|c, me, v| respond_signature(&signer, c, me, v).unwrap()),
                Box::new(|b, who, a| b.verify_signature(&p, scheme, &alice_pub, who, a).is_ok()),
            ),
        ];
        for (name, respond, check) in &mechanisms {
            let mut bob = Verifier::new("bob");
            // The honest run.
            let c1 = bob.challenge().unwrap();
            let a1 = respond(&c1, "alice", "bob");
            assert!(check(&mut bob, "alice", &a1), "{name}: honest answer");
            // Replay: the same answer, again and against a new challenge.
            assert!(!check(&mut bob, "alice", &a1), "{name}: replay after use");
            let _c2 = bob.challenge().unwrap();
            assert!(
                !check(&mut bob, "alice", &a1),
                "{name}: replay to a new challenge"
            );
            // Reflection: Bob's challenge, answered by someone as if Bob were the claimant
            // (what a man in the middle gets by challenging Bob with Bob's own R_B).
            let c3 = bob.challenge().unwrap();
            let reflected = respond(&c3, "bob", "alice");
            assert!(!check(&mut bob, "alice", &reflected), "{name}: reflection");
            // Wrong claimant or verifier identity.
            let c4 = bob.challenge().unwrap();
            let other = respond(&c4, "alice", "carol");
            assert!(
                !check(&mut bob, "alice", &other),
                "{name}: answer meant for carol"
            );
            // A flipped bit.
            let c5 = bob.challenge().unwrap();
            let mut bad = respond(&c5, "alice", "bob");
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(!check(&mut bob, "alice", &bad), "{name}: altered answer");
            // No challenge issued.
            let mut fresh = Verifier::new("bob");
            assert!(!check(&mut fresh, "alice", &a1), "{name}: no challenge");
        }
    }
}
