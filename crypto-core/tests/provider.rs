//! The provider's gate: self-tests, policy refusals, and round trips of every primitive.
#![allow(clippy::unwrap_used)]

use crypto_core::aead::{AeadAlgorithm, AeadKey};
use crypto_core::ecdh::{EcdhCurve, EcdhPrivateKey};
use crypto_core::hash::{self, HashAlgorithm, Shake};
use crypto_core::rsa_oaep::{self, OaepHash, OaepPrivateKey};
use crypto_core::sig::{self, SignatureScheme, SigningKey};
use crypto_core::{Error, Provider, selftest};
use cryptrec::{Policy, Use, parse_date};

#[test]
fn every_self_test_passes_and_each_names_its_source() {
    let report = selftest::run();
    for r in &report.results {
        assert!(r.passed, "{}: {:?}", r.name, r.failure);
        assert!(!r.source.is_empty(), "{}", r.name);
    }
    // Exactly the tests the vector files call for (each citing its vector's source), plus
    // the computed ones: none missing, none run twice, none unaccounted for.
    let mut got: Vec<(String, Option<String>)> = report
        .results
        .iter()
        .map(|r| {
            let computed = test_support::kat::COMPUTED.contains(&r.name.as_str());
            (r.name.clone(), (!computed).then(|| r.source.clone()))
        })
        .collect();
    got.sort();
    assert_eq!(got, test_support::kat::expected_selftests());
    assert!(report.passed());
}

#[test]
fn every_aead_round_trips_and_rejects_tampering() {
    let p = Provider::egov().unwrap();
    for alg in AeadAlgorithm::ALL {
        let key = AeadKey::new(&p, alg, &vec![9u8; alg.key_len()]).unwrap();
        let nonce = [3u8; 12];
        let mut buf = b"plaintext".to_vec();
        key.seal_in_place(&nonce, b"aad", &mut buf).unwrap();
        let mut copy = buf.clone();
        assert_eq!(
            key.open_in_place(&nonce, b"aad", &mut copy).unwrap(),
            b"plaintext"
        );
        for i in 0..buf.len() {
            let mut bad = buf.clone();
            bad[i] ^= 0x40;
            assert!(
                matches!(
                    key.open_in_place(&nonce, b"aad", &mut bad),
                    Err(Error::NotAuthentic)
                ),
                "{alg:?} byte {i}"
            );
            assert!(
                bad[..bad.len() - 16].iter().all(|&b| b == 0),
                "failed open leaves no plaintext"
            );
        }
        let mut copy = buf.clone();
        assert!(key.open_in_place(&nonce, b"AAD", &mut copy).is_err());
        assert!(AeadKey::new(&p, alg, &[0u8; 5]).is_err());
    }
}

#[test]
fn legacy_keys_may_process_but_not_protect() {
    // After 2030 a 2048-bit RSA key may verify old signatures but not make new ones. Both
    // dates are explicit: the outcome must not depend on the day the suite runs.
    let p = Provider::egov()
        .unwrap()
        .at_date(parse_date("2030-06-01").unwrap());
    let der = SigningKey::generate_pkcs8(&p, SignatureScheme::RsaPssSha256, 2048).unwrap();
    let later = Provider::egov()
        .unwrap()
        .at_date(parse_date("2031-01-01").unwrap());
    let key = SigningKey::from_pkcs8(&later, SignatureScheme::RsaPssSha256, der.expose()).unwrap();
    let err = key.sign(b"x").unwrap_err();
    assert_refused(&err, "LS-0003");
    let now = SigningKey::from_pkcs8(&p, SignatureScheme::RsaPssSha256, der.expose()).unwrap();
    let s = now.sign(b"x").unwrap();
    let v = sig::verify(
        &later,
        SignatureScheme::RsaPssSha256,
        &key.public_key(),
        b"x",
        &s,
    )
    .unwrap();
    assert_eq!(v.status, cryptrec::Status::LegacyProcessOnly);
    let err = SigningKey::generate_pkcs8(&later, SignatureScheme::RsaPssSha256, 2048)
        .err()
        .unwrap();
    assert_refused(&err, "LS-0003");
}

/// `err` is a policy refusal (not some other failure) citing `source`.
#[track_caller]
fn assert_refused(err: &Error, source: &str) {
    assert!(
        matches!(err, Error::Refused(v) if v.status == cryptrec::Status::Refused
            && v.reasons.iter().any(|r| r.source.contains(source))),
        "not a refusal citing {source}: {err:?}"
    );
}

#[test]
fn signatures_round_trip_for_every_scheme() {
    let p = Provider::egov().unwrap();
    let rsa = SigningKey::generate_pkcs8(&p, SignatureScheme::RsaPssSha256, 3072).unwrap();
    for scheme in SignatureScheme::ALL {
        let der = if scheme.is_rsa() {
            SecretCopy::from(&rsa)
        } else {
            SecretCopy::from(&SigningKey::generate_pkcs8(&p, scheme, 0).unwrap())
        };
        let key = SigningKey::from_pkcs8(&p, scheme, &der.0).unwrap();
        let s = key.sign(b"message").unwrap();
        sig::verify(&p, scheme, &key.public_key(), b"message", &s).unwrap();
        assert!(matches!(
            sig::verify(&p, scheme, &key.public_key(), b"messagf", &s),
            Err(Error::BadSignature)
        ));
        assert_eq!(
            SignatureScheme::from_algorithm(&key.algorithm()).unwrap(),
            scheme
        );
    }
}

struct SecretCopy(Vec<u8>);
impl From<&crypto_core::secret::SecretBytes> for SecretCopy {
    fn from(s: &crypto_core::secret::SecretBytes) -> Self {
        SecretCopy(s.expose().to_vec())
    }
}

#[test]
fn refused_algorithms_are_refused_with_the_verdict() {
    let p = Provider::egov().unwrap();
    let err = hash::shake(&p, Shake::Shake128, b"", 16).unwrap_err();
    assert!(err.to_string().contains("注4"), "{err}");
    assert_eq!(hash::shake(&p, Shake::Shake128, b"", 32).unwrap().len(), 32);
    // egov-high refuses 2048-bit RSA keys outright.
    let high = Provider::new(Policy::named("egov-high").unwrap()).unwrap();
    let err = SigningKey::generate_pkcs8(&high, SignatureScheme::RsaPssSha256, 2048)
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::Refused(v) if v.status == cryptrec::Status::Refused),
        "{err}"
    );
    // pqc refuses AES-128.
    let pqc = Provider::new(Policy::named("pqc").unwrap()).unwrap();
    let err = AeadKey::new(&pqc, AeadAlgorithm::Aes128Gcm, &[0; 16])
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::Refused(v) if v.status == cryptrec::Status::Refused),
        "{err:?}"
    );
    assert!(AeadKey::new(&pqc, AeadAlgorithm::Aes256Gcm, &[0; 32]).is_ok());
    let err = p
        .check(&"sha-1".parse().unwrap(), Use::Protect)
        .unwrap_err();
    assert_refused(&err, "Monitored");
}

#[test]
fn hashes_stream_like_one_shot() {
    let p = Provider::egov().unwrap();
    for alg in HashAlgorithm::ALL {
        let data = vec![0xa5u8; 10_000];
        let one = hash::digest(&p, alg, &data).unwrap();
        let mut h = hash::Hasher::new(&p, alg).unwrap();
        for chunk in data.chunks(333) {
            h.update(chunk);
        }
        assert_eq!(h.finish(), one);
        assert_eq!(one.len(), alg.output_len());
    }
}

#[test]
fn ecdh_and_rsa_oaep_round_trip() {
    let p = Provider::egov().unwrap();
    for curve in [EcdhCurve::P256, EcdhCurve::P384] {
        let a = EcdhPrivateKey::generate(&p, curve).unwrap();
        let b = EcdhPrivateKey::generate(&p, curve).unwrap();
        assert!(a.agree(&b.public_key()).unwrap() == b.agree(&a.public_key()).unwrap());
        assert!(a.agree(&[4u8; 65]).is_err());
    }
    let der = SigningKey::generate_pkcs8(&p, SignatureScheme::RsaPssSha256, 3072).unwrap();
    let key = OaepPrivateKey::from_pkcs8(&p, OaepHash::Sha256, der.expose()).unwrap();
    let public = SigningKey::from_pkcs8(&p, SignatureScheme::RsaPssSha256, der.expose())
        .unwrap()
        .public_key();
    let ct = rsa_oaep::encrypt(&p, OaepHash::Sha256, &public, b"file key", b"").unwrap();
    assert_eq!(key.decrypt(&ct, b"").unwrap().expose(), b"file key");
    assert!(key.decrypt(&ct, b"other label").is_err());
}
