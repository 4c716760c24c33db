//! Key backup: Shamir shares and escrow. Property tests over every K-of-N with
//! 1 ≤ K ≤ N ≤ 16, flipped characters, mixed sets and tampered escrow files.
#![allow(clippy::unwrap_used)]

use crypto_core::Provider;
use crypto_core::keys::shares::{self, Share};
use crypto_core::keys::{KeyAlg, PrivateKey};
use cryptrec::Curve;
use proptest::prelude::*;

fn provider() -> Provider {
    Provider::egov().unwrap()
}

fn p256() -> PrivateKey {
    PrivateKey::generate(&provider(), KeyAlg::Ecdsa(Curve::P256)).unwrap()
}

/// Through text and back, as a custodian's printed share would go.
fn retyped(s: &Share) -> Share {
    Share::parse(std::str::from_utf8(s.to_text().expose()).unwrap()).unwrap()
}

#[test]
fn every_k_of_n_up_to_16_restores_with_k_and_fails_with_k_minus_1() {
    let key = p256();
    for n in 1..=16u8 {
        for k in 1..=n {
            let set: Vec<Share> = shares::split(&key, k, n, "").unwrap();
            assert_eq!(set.len(), usize::from(n));
            // The last k shares (split() itself checked the first k).
            let chosen: Vec<Share> = set[usize::from(n - k)..].iter().map(retyped).collect();
            let back = shares::combine(&chosen).unwrap();
            assert_eq!(back.pkcs8_der(), key.pkcs8_der(), "{k}-of-{n}");
            if k > 1 {
                let err = shares::combine(&chosen[1..]).err().unwrap().to_string();
                assert!(err.contains(&format!("needs {k}")), "{k}-of-{n}: {err}");
            }
        }
    }
}

#[test]
fn every_key_kind_survives_a_split() {
    let provider = provider();
    for alg in [
        KeyAlg::Ecdsa(Curve::P384),
        KeyAlg::Ed25519,
        KeyAlg::Rsa(3072),
    ] {
        let key = PrivateKey::generate(&provider, alg).unwrap();
        let set = shares::split(&key, 2, 3, "test").unwrap();
        let back = shares::combine(&[retyped(&set[2]), retyped(&set[0])]).unwrap();
        assert_eq!(back.public_key(), key.public_key(), "{alg:?}");
    }
}

#[test]
fn shares_of_two_sets_are_rejected_even_of_the_same_key() {
    let key = p256();
    let a = shares::split(&key, 2, 3, "").unwrap();
    let b = shares::split(&key, 2, 3, "").unwrap();
    let err = shares::combine(&[a[0].clone(), b[1].clone()])
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("two sets"), "{err}");
    let other = shares::split(&p256(), 2, 3, "").unwrap();
    assert!(shares::combine(&[a[0].clone(), other[1].clone()]).is_err());
    let err = shares::combine(&[a[0].clone(), a[0].clone()])
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("twice"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any K of the N shares, in any order, restore the exact key.
    #[test]
    fn any_k_shares_in_any_order_restore(n in 1u8..=16, k_frac in 0.0f64..1.0, seed in any::<u64>()) {
        let k = 1 + ((f64::from(n - 1)) * k_frac) as u8;
        let key = p256();
        let set = shares::split(&key, k, n, "").unwrap();
        let mut idx: Vec<usize> = (0..usize::from(n)).collect();
        let mut s = seed;
        for i in (1..idx.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            idx.swap(i, (s >> 33) as usize % (i + 1));
        }
        let chosen: Vec<Share> = idx[..usize::from(k)].iter().map(|&i| set[i].clone()).collect();
        let back = shares::combine(&chosen).unwrap();
        prop_assert_eq!(back.pkcs8_der(), key.pkcs8_der());
    }

    /// Changing any one character of a data line is reported on that line; changing any
    /// other character is caught by the check line or the field parser. Never a wrong key.
    #[test]
    fn a_mistyped_character_is_caught(pos_frac in 0.0f64..1.0, replacement in "[0-9A-Z]") {
        let key = p256();
        let set = shares::split(&key, 2, 2, "label").unwrap();
        let text = String::from_utf8(set[0].to_text().expose().to_vec()).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let candidates: Vec<usize> = (0..chars.len())
            .filter(|&i| chars[i].is_ascii_alphanumeric())
            .collect();
        let pos = candidates[((candidates.len() - 1) as f64 * pos_frac) as usize];
        let new = replacement.chars().next().unwrap();
        let same = |a: char, b: char| {
            let canon = |c: char| match c.to_ascii_uppercase() { 'O' => '0', 'I' | 'L' => '1', c => c };
            canon(a) == canon(b)
        };
        prop_assume!(!same(chars[pos], new));
        let mut changed = chars.clone();
        changed[pos] = new;
        let changed: String = changed.into_iter().collect();
        let line_no = text[..text.char_indices().nth(pos).unwrap().0].matches('\n').count() + 1;
        match Share::parse(&changed) {
            Err(e) => {
                let msg = e.to_string();
                if text.lines().nth(line_no - 1).unwrap().trim_start().starts_with(|c: char| c.is_ascii_digit()) {
                    prop_assert!(msg.contains(&format!("line {line_no}")), "{msg}");
                }
            }
            Ok(parsed) => {
                // Only possible if the change left the text meaning the same share.
                prop_assert!(shares::combine(&[parsed, set[1].clone()]).map(|k| k.pkcs8_der() == key.pkcs8_der()).unwrap_or(true));
            }
        }
    }

}

/// Dropping or swapping data lines is caught: both, every time (the random version drew one
/// of the two, and skipped shares with fewer than two data lines).
#[test]
fn missing_or_swapped_lines_are_caught() {
    let key = PrivateKey::generate(&provider(), KeyAlg::Ed25519).unwrap();
    let set = shares::split(&key, 1, 1, "").unwrap();
    let text = String::from_utf8(set[0].to_text().expose().to_vec()).unwrap();
    for drop_line in [true, false] {
        let mut lines: Vec<&str> = text.lines().collect();
        let data: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].trim_start().starts_with('0'))
            .collect();
        assert!(data.len() >= 2, "{text}");
        if drop_line {
            lines.remove(data[1]);
        } else {
            lines.swap(data[0], data[1]);
        }
        assert!(
            Share::parse(&lines.join("\n")).is_err(),
            "drop {drop_line}: accepted"
        );
    }
}

#[test]
fn escrow_round_trips_and_rejects_tampering() {
    use crypto_core::keys::escrow::{self, Escrow};
    use crypto_core::pki::{self, Certificate, Profile};
    let provider = provider();
    for recovery_alg in [
        KeyAlg::Rsa(3072),
        KeyAlg::Ecdh(Curve::P256),
        KeyAlg::Ecdh(Curve::P384),
    ] {
        let recovery = PrivateKey::generate(&provider, recovery_alg).unwrap();
        let cert = pki::self_signed(
            &provider,
            &recovery,
            "CN=Recovery,O=Test",
            30,
            Profile::Encryption,
        )
        .unwrap();
        let cert = Certificate::from_der(&cert).unwrap();
        let key = p256();
        let e = escrow::seal(&provider, &key, &cert).unwrap();
        let json = e.to_json().unwrap();
        let back = Escrow::parse(json.as_bytes())
            .unwrap()
            .open(&provider, &recovery)
            .unwrap();
        assert_eq!(back.pkcs8_der(), key.pkcs8_der());
        // Every header field is authenticated.
        for (from, to) in [
            ("\"EC P-256\"", "\"EC P-384\""),
            ("\"version\": 1", "\"version\": 2"),
            ("Recovery", "Recoverx"),
        ] {
            let t = json.replacen(from, to, 1);
            assert!(
                Escrow::parse(t.as_bytes())
                    .and_then(|e| e.open(&provider, &recovery))
                    .is_err(),
                "{from}"
            );
        }
        // A flipped ciphertext digit.
        let mut v: Escrow = Escrow::parse(json.as_bytes()).unwrap();
        let last = v.ciphertext.pop().unwrap();
        v.ciphertext.push(if last == '0' { '1' } else { '0' });
        assert!(v.open(&provider, &recovery).is_err());
        // The wrong recovery key.
        let other = PrivateKey::generate(&provider, recovery_alg).unwrap();
        assert!(e.open(&provider, &other).is_err());
    }
}
