//! Detached CMS signatures: every key type signs and verifies through a two-level chain; any
//! flipped byte, truncation or swapped signer is rejected; legacy algorithms are flagged.
#![allow(clippy::unwrap_used)]

use crypto_core::Provider;
use crypto_core::cms::{Report, Signature, Signer, VerifyOptions};
use crypto_core::hash::HashAlgorithm;
use crypto_core::keys::{KeyAlg, PrivateKey};
use crypto_core::pki::{self, Csr, Profile};
use cryptrec::Curve;
use proptest::prelude::*;
use time::OffsetDateTime;

fn digest(alg: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    crypto_core::hash::digest(&Provider::egov().unwrap(), alg, data).unwrap()
}

struct Pki {
    ca: Vec<u8>,
    inter: Vec<u8>,
    inter_key: PrivateKey,
}

fn pki(provider: &Provider) -> Pki {
    let ca_key = PrivateKey::generate(provider, KeyAlg::Ecdsa(Curve::P384)).unwrap();
    let ca = pki::self_signed(provider, &ca_key, "CN=Test CA,O=kagi", 3650, Profile::Ca).unwrap();
    let inter_key = PrivateKey::generate(provider, KeyAlg::Ecdsa(Curve::P256)).unwrap();
    let inter = issue(
        provider,
        &ca,
        &ca_key,
        &inter_key,
        "CN=Test Sub CA,O=kagi",
        Profile::Ca,
    );
    Pki {
        ca,
        inter,
        inter_key,
    }
}

fn issue(
    provider: &Provider,
    ca: &[u8],
    ca_key: &PrivateKey,
    key: &PrivateKey,
    subject: &str,
    profile: Profile,
) -> Vec<u8> {
    let csr = pki::request(provider, key, subject).unwrap();
    let csr = Csr::parse(provider, &csr).unwrap();
    pki::issue(provider, ca, ca_key, &csr, 3650, profile).unwrap()
}

fn signer_cert(provider: &Provider, p: &Pki, alg: KeyAlg) -> (PrivateKey, Vec<u8>) {
    let key = PrivateKey::generate(provider, alg).unwrap();
    let cert = issue(
        provider,
        &p.inter,
        &p.inter_key,
        &key,
        "CN=山田 太郎,O=kagi",
        Profile::Signing,
    );
    (key, cert)
}

fn sign(
    provider: &Provider,
    key: &PrivateKey,
    cert: &[u8],
    chain: &[Vec<u8>],
    content: &[u8],
    hash: HashAlgorithm,
) -> Vec<u8> {
    let signer = Signer::new(provider, key, cert, hash).unwrap();
    let d = digest(signer.digest_algorithm(), content);
    signer.sign(&d, chain, OffsetDateTime::now_utc()).unwrap()
}

fn verify(
    provider: &Provider,
    p7s: &[u8],
    content: &[u8],
    trust: &[Vec<u8>],
) -> Result<Report, crypto_core::Error> {
    let sig = Signature::parse(p7s)?;
    let alg = sig.digest_algorithm(provider)?;
    let opts = VerifyOptions {
        trust,
        extra: &[],
        at: OffsetDateTime::now_utc(),
    };
    Ok(sig.verify(provider, &digest(alg, content), &opts))
}

#[test]
fn every_key_type_signs_and_verifies_through_a_chain() {
    let provider = Provider::egov().unwrap();
    let p = pki(&provider);
    let content = b"\xe6\xa9\x9f\xe5\xaf\x86\xe6\x80\xa7\xef\xbc\x92 report".repeat(1000);
    for (alg, hash, want) in [
        (
            KeyAlg::Ecdsa(Curve::P256),
            HashAlgorithm::Sha256,
            "ecdsa-p256-sha256",
        ),
        (
            KeyAlg::Ecdsa(Curve::P384),
            HashAlgorithm::Sha256,
            "ecdsa-p384-sha384",
        ),
        (KeyAlg::Ed25519, HashAlgorithm::Sha256, "ed25519"),
        (
            KeyAlg::Rsa(3072),
            HashAlgorithm::Sha256,
            "rsa-pss-3072-sha256",
        ),
        (
            KeyAlg::Rsa(3072),
            HashAlgorithm::Sha384,
            "rsa-pss-3072-sha384",
        ),
    ] {
        let (key, cert) = signer_cert(&provider, &p, alg);
        let p7s = sign(
            &provider,
            &key,
            &cert,
            std::slice::from_ref(&p.inter),
            &content,
            hash,
        );
        let r = verify(&provider, &p7s, &content, std::slice::from_ref(&p.ca)).unwrap();
        assert!(r.valid(), "{alg:?}: {:?}", r.problems);
        assert_eq!(r.signature_algorithm.as_deref(), Some(want));
        assert_eq!(r.chain.len(), 2, "{alg:?}");
        assert_eq!(r.trust_anchor.as_deref(), Some("CN=Test CA, O=kagi"));
        let mut other = content.clone();
        other[7] ^= 1;
        let r = verify(&provider, &p7s, &other, std::slice::from_ref(&p.ca)).unwrap();
        assert!(
            r.problems.iter().any(|x| x.contains("does not match")),
            "{alg:?}: {:?}",
            r.problems
        );
    }
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused_at_signing() {
    let provider = Provider::egov().unwrap();
    let p = pki(&provider);
    let (_, cert) = signer_cert(&provider, &p, KeyAlg::Ecdsa(Curve::P256));
    let other = PrivateKey::generate(&provider, KeyAlg::Ecdsa(Curve::P256)).unwrap();
    let err = Signer::new(&provider, &other, &cert, HashAlgorithm::Sha256)
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            crypto_core::Error::InvalidInput("the key does not belong to the certificate")
        ),
        "{err:?}"
    );
}

#[test]
fn a_swapped_signer_certificate_is_rejected() {
    use der::{Decode, Encode};
    let provider = Provider::egov().unwrap();
    let p = pki(&provider);
    let (key_a, cert_a) = signer_cert(&provider, &p, KeyAlg::Ecdsa(Curve::P256));
    let (_, cert_b) = signer_cert(&provider, &p, KeyAlg::Ecdsa(Curve::P256));
    let p7s = sign(
        &provider,
        &key_a,
        &cert_a,
        &[],
        b"content",
        HashAlgorithm::Sha256,
    );
    // Point the signer identifier at B and embed B instead of A.
    let mut ci = cms::content_info::ContentInfo::from_der(&p7s).unwrap();
    let mut sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    let b = x509_cert::Certificate::from_der(&cert_b).unwrap();
    let mut si = sd.signer_infos.0.get(0).unwrap().clone();
    si.sid = cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(
        cms::cert::IssuerAndSerialNumber {
            issuer: b.tbs_certificate().issuer().clone(),
            serial_number: b.tbs_certificate().serial_number().clone(),
        },
    );
    sd.signer_infos =
        cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(vec![si]).unwrap());
    sd.certificates = Some(cms::signed_data::CertificateSet(
        der::asn1::SetOfVec::try_from(vec![cms::cert::CertificateChoices::Certificate(b)]).unwrap(),
    ));
    ci.content = der::Any::encode_from(&sd).unwrap();
    let swapped = ci.to_der().unwrap();
    let r = verify(&provider, &swapped, b"content", std::slice::from_ref(&p.ca)).unwrap();
    assert!(!r.valid());
    assert!(
        r.problems
            .iter()
            .any(|x| x.contains("signature does not verify")),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_2048_bit_rsa_signer_is_legacy_after_2030() {
    // Signed on a date RSA-2048 may still sign, whatever the clock says.
    let provider = Provider::egov()
        .unwrap()
        .at_date(cryptrec::parse_date("2030-06-01").unwrap());
    let p = pki(&provider);
    let (key, cert) = signer_cert(&provider, &p, KeyAlg::Rsa(2048));
    let p7s = sign(
        &provider,
        &key,
        &cert,
        std::slice::from_ref(&p.inter),
        b"old record",
        HashAlgorithm::Sha256,
    );
    let later = Provider::egov()
        .unwrap()
        .at_date(cryptrec::parse_date("2031-06-01").unwrap());
    let sig = Signature::parse(&p7s).unwrap();
    let opts = VerifyOptions {
        trust: std::slice::from_ref(&p.ca),
        extra: &[],
        at: OffsetDateTime::now_utc(),
    };
    let r = sig.verify(&later, &digest(HashAlgorithm::Sha256, b"old record"), &opts);
    assert!(r.valid(), "{:?}", r.problems);
    assert!(
        r.legacy
            .iter()
            .any(|l| l.contains("rsa-2048") || l.contains("rsa-pss-2048")),
        "{:?}",
        r.legacy
    );
}

mod damaged {
    use super::*;
    use std::sync::OnceLock;

    struct Fixture {
        provider: Provider,
        ca: Vec<u8>,
        p7s: Vec<u8>,
    }

    fn fixture() -> &'static Fixture {
        static F: OnceLock<Fixture> = OnceLock::new();
        F.get_or_init(|| {
            let provider = Provider::egov().unwrap();
            let p = pki(&provider);
            let (key, cert) = signer_cert(&provider, &p, KeyAlg::Ecdsa(Curve::P256));
            let p7s = sign(
                &provider,
                &key,
                &cert,
                std::slice::from_ref(&p.inter),
                b"the content",
                HashAlgorithm::Sha256,
            );
            assert!(
                verify(&provider, &p7s, b"the content", std::slice::from_ref(&p.ca))
                    .unwrap()
                    .valid()
            );
            Fixture {
                provider,
                ca: p.ca,
                p7s,
            }
        })
    }

    fn rejected(bytes: &[u8]) -> bool {
        let f = fixture();
        match verify(
            &f.provider,
            bytes,
            b"the content",
            std::slice::from_ref(&f.ca),
        ) {
            Ok(r) => !r.valid(),
            Err(_) => true,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_flipped_bit_is_rejected(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut b = fixture().p7s.clone();
            let i = pos.index(b.len());
            b[i] ^= 1 << bit;
            prop_assert!(rejected(&b), "flipping bit {bit} of byte {i} was accepted");
        }

        #[test]
        fn any_truncation_is_rejected(len in any::<prop::sample::Index>()) {
            let b = &fixture().p7s;
            let n = len.index(b.len());
            prop_assert!(rejected(&b[..n]));
        }

        #[test]
        fn appended_bytes_are_rejected(extra in prop::collection::vec(any::<u8>(), 1..16)) {
            let mut b = fixture().p7s.clone();
            b.extend(extra);
            prop_assert!(rejected(&b));
        }
    }
}
