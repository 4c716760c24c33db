//! The committed envelope vectors (test-vectors/envelope/README.md) still open to their
//! plaintexts, and each invalid one is rejected by the layer the README names.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use crypto_core::Error;
use crypto_core::Provider;
use crypto_core::envelope::{CHUNK, Identity, Label, Sealed};
use crypto_core::keys::{KeyMaterial, read};
use crypto_core::secret::SecretBytes;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/envelope")
}

fn file(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

fn identities() -> Vec<Identity> {
    let sym = String::from_utf8(file("sym.key")).unwrap();
    let hexed = sym.lines().nth(1).unwrap();
    let key = |name: &str| match read(&file(name)).unwrap() {
        KeyMaterial::Private(k) => k,
        _ => panic!("{name}"),
    };
    vec![
        Identity::KeyFile(SecretBytes::new(hex::decode(hexed).unwrap())),
        Identity::PrivateKey(key("p256.key")),
        Identity::PrivateKey(key("rsa3072.key")),
        Identity::Passphrase(SecretBytes::new(b"kagi test vector".to_vec())),
        Identity::Hybrid(
            crypto_core::envelope::hybrid::HybridPrivateKey::from_text(
                &Provider::egov().unwrap(),
                &String::from_utf8(file("hybrid.key")).unwrap(),
            )
            .unwrap()
            .unwrap(),
        ),
    ]
}

fn open(bytes: &[u8]) -> Result<(Label, Vec<u8>), Error> {
    let p = Provider::egov().unwrap();
    let mut r = bytes;
    let sealed = Sealed::read(&mut r)?;
    let label = sealed.header.label.clone();
    let (_, opener) = sealed.open(&p, &identities())?;
    let mut out = Vec::new();
    opener.open(&mut r, &mut out)?;
    Ok((label, out))
}

fn two_chunks() -> Vec<u8> {
    (0..CHUNK + 1).map(|i| ((i * 7919) % 251) as u8).collect()
}

#[test]
fn valid_vectors_open_to_their_plaintexts() {
    for (name, plain) in [
        ("keyfile-aes256gcm-empty.kagi", file("empty.txt")),
        ("keyfile-aes256gcm-one.kagi", file("one.txt")),
        ("p256-aes256gcm-hello.kagi", file("hello.txt")),
        ("rsa3072-aes128gcm-hello.kagi", file("hello.txt")),
        ("passphrase-chacha20poly1305-hello.kagi", file("hello.txt")),
        ("keyfile-camellia128gcm-hello.kagi", file("hello.txt")),
        ("keyfile-camellia256gcm-hello.kagi", file("hello.txt")),
        ("keyfile-aes256gcm-two-chunks.kagi", two_chunks()),
        ("hybrid-aes256gcm-hello.kagi", file("hello.txt")),
    ] {
        let (label, out) = open(&file(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out, plain, "{name}");
        if name.starts_with("p256") {
            assert_eq!(
                (label.confidentiality, label.integrity, label.availability),
                (3, 1, 2)
            );
            assert_eq!(label.handling, "関係者限り");
        }
    }
}

#[test]
fn invalid_vectors_are_rejected_by_the_named_layer() {
    type Check = fn(&Error) -> bool;
    let cases: [(&str, Check); 10] = [
        ("bad-magic.kagi", |e| {
            e.to_string().contains("not a kagi encrypted file")
        }),
        ("bad-version.kagi", |e| e.to_string().contains("version 2")),
        ("truncated-in-header.kagi", |e| {
            e.to_string().contains("truncated")
        }),
        ("label-lowered.kagi", |e| matches!(e, Error::NotAuthentic)),
        ("mac-flipped.kagi", |e| matches!(e, Error::NotAuthentic)),
        ("recipient-flipped.kagi", |e| {
            matches!(e, Error::NoRecipient)
        }),
        (
            "no-payload.kagi",
            |e| matches!(e, Error::PayloadNotAuthentic(m) if m.contains("chunk 0 is missing")),
        ),
        (
            "payload-flipped.kagi",
            |e| matches!(e, Error::PayloadNotAuthentic(m) if m.contains("chunk 0")),
        ),
        (
            "truncated-in-tag.kagi",
            |e| matches!(e, Error::PayloadNotAuthentic(m) if m.contains("final")),
        ),
        ("appended.kagi", |e| {
            matches!(e, Error::PayloadNotAuthentic(_))
        }),
    ];
    for (name, check) in cases {
        let err = open(&file(&format!("invalid/{name}")))
            .err()
            .unwrap_or_else(|| panic!("{name} opened"));
        assert!(check(&err), "{name}: {err}");
    }
    // Cut at the chunk boundary of the two-chunk vector: the first chunk was sealed as non-final.
    let two = file("keyfile-aes256gcm-two-chunks.kagi");
    let cut = &two[..two.len() - (1 + 16)];
    let err = open(cut).err().unwrap();
    assert!(
        matches!(&err, Error::PayloadNotAuthentic(m) if m.contains("chunk 0") && m.contains("final")),
        "{err}"
    );
}
