//! Finite-field DH against OpenSSL: for keys OpenSSL generates in the RFC 7919 groups, kagi
//! computes the same public value from the private exponent, and the same shared secret as
//! `openssl pkeyutl -derive`.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crypto_core::dh::{DhPrivateKey, Ffdhe};
use crypto_core::{Error, Provider};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("kagi-dh-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The hex block after `label` in `openssl pkey -text` output.
fn field(text: &str, label: &str) -> Vec<u8> {
    let mut hex = String::new();
    let mut on = false;
    for line in text.lines() {
        if line.trim_start().starts_with(label) {
            on = true;
            continue;
        }
        if on {
            if line.starts_with("    ")
                && line
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':')
            {
                hex.push_str(&line.trim().replace(':', ""));
            } else {
                break;
            }
        }
    }
    hex::decode(hex).unwrap()
}

#[test]
fn public_values_and_shared_secrets_match_openssl() {
    let d = dir();
    // ffdhe2048 (112-bit) may establish keys only through 2030: the cross-checks run on a
    // date it may, whatever the clock says (CI runs the suite at 2031 and 2041).
    let p = Provider::egov()
        .unwrap()
        .at_date(cryptrec::parse_date("2030-06-01").unwrap());
    for (group, name) in [
        (Ffdhe::Ffdhe2048, "ffdhe2048"),
        (Ffdhe::Ffdhe3072, "ffdhe3072"),
    ] {
        for who in ["a", "b"] {
            run(
                &d,
                &[
                    "genpkey",
                    "-algorithm",
                    "DH",
                    "-pkeyopt",
                    &format!("group:{name}"),
                    "-out",
                    &format!("{who}.pem"),
                ],
            );
            run(
                &d,
                &[
                    "pkey",
                    "-in",
                    &format!("{who}.pem"),
                    "-pubout",
                    "-out",
                    &format!("{who}.pub"),
                ],
            );
        }
        let text = |who: &str| {
            String::from_utf8(run(
                &d,
                &["pkey", "-in", &format!("{who}.pem"), "-text", "-noout"],
            ))
            .unwrap()
        };
        let (ta, tb) = (text("a"), text("b"));
        let a = DhPrivateKey::from_exponent(&p, group, &field(&ta, "private-key:")).unwrap();
        let yb = field(&tb, "public-key:");
        let ya = field(&ta, "public-key:");
        // The public value: g^x mod p, as OpenSSL computed it.
        let ours = a.public_key();
        let strip = |v: &[u8]| {
            v.iter()
                .skip_while(|&&b| b == 0)
                .copied()
                .collect::<Vec<u8>>()
        };
        assert_eq!(strip(&ours), strip(&ya), "{name}: public value");
        // The shared secret, as OpenSSL derives it (padded to the prime's length).
        let theirs = run(
            &d,
            &[
                "pkeyutl", "-derive", "-inkey", "a.pem", "-peerkey", "b.pub", "-pkeyopt",
                "dh_pad:1",
            ],
        );
        let z = a.agree(&yb).unwrap();
        assert_eq!(z.expose(), &theirs[..], "{name}: shared secret");
        assert_eq!(z.expose().len(), group.bits() as usize / 8);
    }
    // ffdhe2048 (112-bit) may not protect new data after 2030.
    let later = Provider::egov()
        .unwrap()
        .at_date(cryptrec::parse_date("2031-01-01").unwrap());
    let err = DhPrivateKey::generate(&later, Ffdhe::Ffdhe2048)
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::Refused(v) if v.status == cryptrec::Status::Refused
            && v.reasons.iter().any(|r| r.source.contains("LS-0003"))),
        "{err:?}"
    );
    assert!(DhPrivateKey::generate(&later, Ffdhe::Ffdhe3072).is_ok());
    let _ = std::fs::remove_dir_all(&d);
}
