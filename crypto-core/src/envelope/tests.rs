#![allow(clippy::unwrap_used)]
//! Round trips and attacks on the envelope, in-process (the CLI tests drive the binary).

use proptest::prelude::*;

use super::*;
use crate::keys::{KeyAlg, PrivateKey};

fn provider() -> Provider {
    Provider::egov().unwrap()
}

fn keyfile() -> SecretBytes {
    SecretBytes::new(vec![0x42; 32])
}

fn encrypt(recipients: &[Recipient], alg: PayloadAlg, plain: &[u8]) -> Vec<u8> {
    let p = provider();
    let meta = Metadata {
        kind: "file".into(),
        name: Some("報告書.pdf".into()),
        size: Some(plain.len() as u64),
        mtime: Some(1_700_000_000),
        signature: None,
    };
    let (mut out, sealer) = seal(&p, recipients, alg, Label::default(), &meta).unwrap();
    sealer.seal(&mut &plain[..], &mut out).unwrap();
    out
}

fn decrypt(file: &[u8], ids: &[Identity]) -> Result<(Metadata, Vec<u8>), Error> {
    let p = provider();
    let mut r = file;
    let sealed = Sealed::read(&mut r)?;
    let (meta, opener) = sealed.open(&p, ids)?;
    let mut out = Vec::new();
    opener.open(&mut r, &mut out)?;
    Ok((meta, out))
}

fn data(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u32).wrapping_mul(2654435761).to_be_bytes()[0])
        .collect()
}

#[test]
fn every_size_round_trips_with_every_cipher() {
    for alg in [
        PayloadAlg::Aes256Gcm,
        PayloadAlg::Aes128Gcm,
        PayloadAlg::Camellia128Gcm,
        PayloadAlg::Camellia256Gcm,
        PayloadAlg::ChaCha20Poly1305,
    ] {
        let sizes: &[usize] = if matches!(alg, PayloadAlg::Aes256Gcm) {
            &[
                0,
                1,
                CHUNK - 1,
                CHUNK,
                CHUNK + 1,
                3 * CHUNK + 5,
                40 * CHUNK + 3,
            ]
        } else {
            &[0, 1, CHUNK + 1]
        };
        for &n in sizes {
            let plain = data(n);
            let file = encrypt(&[Recipient::KeyFile(keyfile())], alg, &plain);
            let chunks = n.div_ceil(CHUNK).max(1);
            assert!(file.len() >= n + chunks * 16, "{alg:?} {n}");
            let (meta, back) = decrypt(&file, &[Identity::KeyFile(keyfile())]).unwrap();
            assert_eq!(back, plain, "{alg:?} {n}");
            assert_eq!(meta.name.as_deref(), Some("報告書.pdf"));
        }
    }
}

#[test]
fn every_recipient_type_round_trips() {
    let p = provider();
    let plain = data(CHUNK + 7);
    for alg in [
        KeyAlg::Rsa(3072),
        KeyAlg::Ecdh(cryptrec::Curve::P256),
        KeyAlg::Ecdh(cryptrec::Curve::P384),
    ] {
        let a = PrivateKey::generate(&p, alg).unwrap();
        let b = PrivateKey::generate(&p, KeyAlg::Ecdh(cryptrec::Curve::P256)).unwrap();
        let recipients = [
            Recipient::PublicKey {
                key: a.public_key().clone(),
                subject: "CN=A".into(),
            },
            Recipient::PublicKey {
                key: b.public_key().clone(),
                subject: "CN=B".into(),
            },
            Recipient::KeyFile(keyfile()),
        ];
        let file = encrypt(&recipients, PayloadAlg::Aes256Gcm, &plain);
        assert_eq!(
            decrypt(&file, &[Identity::PrivateKey(a)]).unwrap().1,
            plain,
            "{alg:?}"
        );
        assert_eq!(decrypt(&file, &[Identity::PrivateKey(b)]).unwrap().1, plain);
        let stranger = PrivateKey::generate(&p, alg).unwrap();
        assert!(matches!(
            decrypt(&file, &[Identity::PrivateKey(stranger)]),
            Err(Error::NoRecipient)
        ));
    }
    let pass = || SecretBytes::new(b"\xe6\xa9\x9f\xe5\xaf\x86 passphrase".to_vec());
    let file = encrypt(
        &[Recipient::Passphrase {
            passphrase: pass(),
            iterations: 600_000,
        }],
        PayloadAlg::Aes256Gcm,
        &plain,
    );
    assert_eq!(
        decrypt(&file, &[Identity::Passphrase(pass())]).unwrap().1,
        plain
    );
    assert!(matches!(
        decrypt(
            &file,
            &[Identity::Passphrase(SecretBytes::new(b"wrong".to_vec()))]
        ),
        Err(Error::WrongPassphrase)
    ));
}

#[test]
fn a_passphrase_stands_alone() {
    let p = provider();
    let r = [
        Recipient::Passphrase {
            passphrase: SecretBytes::new(b"pw".to_vec()),
            iterations: 600_000,
        },
        Recipient::KeyFile(keyfile()),
    ];
    assert!(
        seal(
            &p,
            &r,
            PayloadAlg::Aes256Gcm,
            Label::default(),
            &Metadata::default()
        )
        .is_err()
    );
}

#[test]
fn a_refused_recipient_or_cipher_is_refused() {
    let p = Provider::new(cryptrec::Policy::named("egov-high").unwrap()).unwrap();
    // egov-high wants 128-bit strength: AES-128-GCM payloads are fine, RSA-2048 recipients not.
    // Made on a date RSA-2048 may still protect, whatever the clock says.
    let before_2031 = provider().at_date(time::macros::date!(2030 - 06 - 01));
    let weak = PrivateKey::generate(&before_2031, KeyAlg::Rsa(2048)).unwrap();
    let r = [Recipient::PublicKey {
        key: weak.public_key().clone(),
        subject: String::new(),
    }];
    let err = seal(
        &p,
        &r,
        PayloadAlg::Aes256Gcm,
        Label::default(),
        &Metadata::default(),
    )
    .err()
    .unwrap();
    assert!(matches!(err, Error::Refused(_)), "{err}");
}

#[test]
fn the_label_is_authenticated() {
    let file = encrypt(
        &[Recipient::KeyFile(keyfile())],
        PayloadAlg::Aes256Gcm,
        b"x",
    );
    let mut r = &file[..];
    let sealed = Sealed::read(&mut r).unwrap();
    assert_eq!(sealed.header.label, Label::default());
    // Lower 機密性 from 2 to 1: the header MAC no longer matches.
    let pos = 8 + 1 + 4 + 2 + 16;
    assert_eq!(file[pos], 2);
    let mut edited = file.clone();
    edited[pos] = 1;
    assert!(matches!(
        decrypt(&edited, &[Identity::KeyFile(keyfile())]),
        Err(Error::NotAuthentic)
    ));
}

/// The byte-position classes of a file: header fields, the recipient, the MAC, each chunk.
struct Fixture {
    file: Vec<u8>,
    header_end: usize,
}

fn fixture() -> &'static Fixture {
    static F: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let file = encrypt(
            &[Recipient::KeyFile(keyfile())],
            PayloadAlg::Aes256Gcm,
            &data(2 * CHUNK + 100),
        );
        let len = u32::from_be_bytes([file[9], file[10], file[11], file[12]]) as usize;
        Fixture {
            header_end: 13 + len + 32,
            file,
        }
    })
}

fn rejected(bytes: &[u8]) -> bool {
    decrypt(bytes, &[Identity::KeyFile(keyfile())]).is_err()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_flipped_bit_in_the_header_is_rejected(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let f = fixture();
        let mut b = f.file.clone();
        let i = pos.index(f.header_end);
        b[i] ^= 1 << bit;
        prop_assert!(rejected(&b), "header byte {i}");
    }

    #[test]
    fn a_flipped_bit_in_any_chunk_is_rejected(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let f = fixture();
        let mut b = f.file.clone();
        let i = f.header_end + pos.index(f.file.len() - f.header_end);
        b[i] ^= 1 << bit;
        prop_assert!(rejected(&b), "payload byte {i}");
    }

    #[test]
    fn any_truncation_is_rejected(pos in any::<prop::sample::Index>()) {
        let f = fixture();
        prop_assert!(rejected(&f.file[..pos.index(f.file.len())]));
    }

    #[test]
    fn appended_bytes_are_rejected(extra in prop::collection::vec(any::<u8>(), 1..64)) {
        let mut b = fixture().file.clone();
        b.extend(extra);
        prop_assert!(rejected(&b));
    }
}

#[test]
fn reordered_duplicated_or_dropped_chunks_are_rejected() {
    let f = fixture();
    let c = CHUNK + 16;
    let (head, payload) = f.file.split_at(f.header_end);
    let chunks: Vec<&[u8]> = payload.chunks(c).collect();
    assert_eq!(chunks.len(), 3);
    let join = |order: &[usize]| {
        let mut v = head.to_vec();
        for &i in order {
            v.extend_from_slice(chunks[i]);
        }
        v
    };
    for order in [
        &[1, 0, 2][..],
        &[0, 0, 2],
        &[0, 2],
        &[0, 1],
        &[0, 1, 1, 2],
        &[0, 1, 2, 2],
    ] {
        assert!(rejected(&join(order)), "{order:?}");
    }
    assert!(!rejected(&join(&[0, 1, 2])));
}

#[test]
fn a_hybrid_recipient_opens_only_with_its_key_and_survives_a_text_round_trip() {
    use super::hybrid::{HybridPrivateKey, HybridPublicKey};
    let p = provider();
    let key = HybridPrivateKey::generate(&p).unwrap();
    let public = key.public_key(&p).unwrap();
    // Key files round-trip.
    let text = public.to_text();
    assert_eq!(HybridPublicKey::from_text(&text).unwrap().unwrap(), public);
    let secret = key.to_text();
    let back = HybridPrivateKey::from_text(&p, std::str::from_utf8(secret.expose()).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(back.public_key(&p).unwrap(), public);
    assert!(
        HybridPublicKey::from_text("KAGI SYMMETRIC KEY 1\n")
            .unwrap()
            .is_none()
    );
    // Seal to the hybrid key beside an ECDH recipient; each opens alone.
    let plain = data(3 * CHUNK + 17);
    let other = PrivateKey::generate(&p, crate::keys::KeyAlg::Ecdh(cryptrec::Curve::P256)).unwrap();
    let file = encrypt(
        &[
            Recipient::Hybrid(public.clone()),
            Recipient::PublicKey {
                key: other.public_key().clone(),
                subject: String::new(),
            },
        ],
        PayloadAlg::Aes256Gcm,
        &plain,
    );
    let (_, out) = decrypt(&file, &[Identity::Hybrid(back)]).unwrap();
    assert_eq!(out, plain);
    let (_, out) = decrypt(&file, &[Identity::PrivateKey(other)]).unwrap();
    assert_eq!(out, plain);
    // Another hybrid key is no recipient.
    let stranger = HybridPrivateKey::generate(&p).unwrap();
    assert!(matches!(
        decrypt(&file, &[Identity::Hybrid(stranger)]),
        Err(Error::NoRecipient)
    ));
    // Any flipped bit in the hybrid entry (point, ML-KEM ciphertext or wrapped key) fails.
    let mut r = &file[..];
    let sealed = Sealed::read(&mut r).unwrap();
    let header_len = sealed.header_len() as usize;
    for at in (60..header_len - 40).step_by(97) {
        let mut bad = file.clone();
        bad[at] ^= 0x10;
        let key = HybridPrivateKey::from_text(&p, std::str::from_utf8(secret.expose()).unwrap())
            .unwrap()
            .unwrap();
        assert!(
            decrypt(&bad, &[Identity::Hybrid(key)]).is_err(),
            "byte {at}"
        );
    }
}
