//! Key files made by OpenSSL and by earlier kagi (test-vectors/keys/README.md) still read to
//! the same keys; shares and escrow files made today still restore.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use crypto_core::Provider;
use crypto_core::keys::escrow::Escrow;
use crypto_core::keys::shares::{self, Share};
use crypto_core::keys::{KeyMaterial, PrivateKey, read};

const PASS: &[u8] = b"kagi test vector";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/keys")
}

fn load(provider: &Provider, name: &str) -> PrivateKey {
    match read(&std::fs::read(dir().join(name)).unwrap()).unwrap() {
        KeyMaterial::Private(k) => k,
        KeyMaterial::Encrypted(e) => e.decrypt(provider, PASS).unwrap().0,
        _ => panic!("{name} is not a private key"),
    }
}

#[test]
fn vectors_read_to_their_recorded_fingerprints() {
    let provider = Provider::egov().unwrap();
    for (name, fp) in [
        (
            "p256-pbes2-openssl.pem",
            "2889d3ac3a674f91d014695eb61409917831db2078117c0dc2d3e96857039a50",
        ),
        (
            "rsa2048-pkcs1.pem",
            "d141255f1e490bb0654d1cba4a7e4dba2de3560f9c295f6e886b805489845603",
        ),
        (
            "ed25519-pkcs8.der",
            "bef9dcc08f243096f003f61b94dd25f3566fa0afebeea4541aa950f3a9deaa99",
        ),
        (
            "p384-sec1.pem",
            "f0a6c1cb85f2c29a2fb85795626777b3166c4295a28f54b9f5ef3af5c3230619",
        ),
        (
            "p256-pbes2-kagi.pem",
            "2a7b99b419af8e837506ad61ed7c6d7a8581aff3943ef79aa3a9529755cc53dc",
        ),
    ] {
        let key = load(&provider, name);
        assert_eq!(
            key.public_key().fingerprint().hex(),
            format!("sha256:{fp}"),
            "{name}"
        );
    }
}

#[test]
fn todays_shares_and_escrow_still_restore() {
    let provider = Provider::egov().unwrap();
    let want = load(&provider, "p256-pbes2-kagi.pem");
    let share = |n: u8| {
        let text =
            std::fs::read_to_string(dir().join(format!("shares/share-{n}-of-3.txt"))).unwrap();
        Share::parse(&text).unwrap()
    };
    for pair in [[1, 2], [1, 3], [3, 2]] {
        let key = shares::combine(&[share(pair[0]), share(pair[1])]).unwrap();
        assert_eq!(key.pkcs8_der(), want.pkcs8_der(), "{pair:?}");
    }
    let escrow = Escrow::parse(&std::fs::read(dir().join("ed25519.escrow")).unwrap()).unwrap();
    let key = escrow
        .open(&provider, &load(&provider, "p384-sec1.pem"))
        .unwrap();
    assert_eq!(
        key.public_key(),
        load(&provider, "ed25519-pkcs8.der").public_key()
    );
}

mod flipped {
    use super::*;
    use proptest::prelude::*;

    fn encrypted(alg: crypto_core::keys::KeyAlg) -> (PrivateKey, Vec<u8>) {
        let provider = Provider::egov().unwrap();
        let key = PrivateKey::generate(&provider, alg).unwrap();
        let der =
            crypto_core::keys::pbes2::encrypt(&provider, key.pkcs8_der(), PASS, 600_000).unwrap();
        (key, der)
    }

    /// PBES2-CBC has no MAC, so a flipped byte cannot always be detected by the cipher;
    /// kagi must then detect it from the key itself (structure, and for EC the embedded
    /// public key; RSA's CRT values). It never hands back a different EC or RSA key. 24 cases
    /// per key type from a fixed seed; the cases where the cipher ran (the file still parsed)
    /// and where it decrypted at all are counted, so the property is known to have been put
    /// to the test, not just the parser.
    #[test]
    fn a_flipped_byte_never_yields_another_ec_or_rsa_key() {
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        use std::cell::Cell;
        let provider = Provider::egov().unwrap();
        for alg in [
            crypto_core::keys::KeyAlg::Ecdsa(cryptrec::Curve::P256),
            crypto_core::keys::KeyAlg::Rsa(3072),
        ] {
            let (key, der) = encrypted(alg);
            let (decrypted, unpadded) = (Cell::new(0), Cell::new(0));
            let config = Config {
                cases: 24,
                failure_persistence: None,
                ..Config::default()
            };
            TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
                .run(&(any::<prop::sample::Index>(), 0u8..8), |(pos, bit)| {
                    let mut bad = der.clone();
                    let i = pos.index(bad.len());
                    bad[i] ^= 1 << bit;
                    if let Ok(KeyMaterial::Encrypted(e)) = read(&bad) {
                        decrypted.set(decrypted.get() + 1);
                        if let Ok((k, _)) = e.decrypt(&provider, PASS) {
                            unpadded.set(unpadded.get() + 1);
                            prop_assert_eq!(k.pkcs8_der(), key.pkcs8_der());
                        }
                    }
                    Ok(())
                })
                .unwrap();
            // Most flips land in the ciphertext, so the file parses and the cipher runs.
            assert!(
                decrypted.get() >= 12,
                "{alg:?}: only {} of 24 flips reached decryption",
                decrypted.get()
            );
            let _ = unpadded.get();
        }
    }
}
