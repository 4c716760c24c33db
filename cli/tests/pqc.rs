//! The built-in `pqc` policy protects with every envelope recipient it permits (hybrid, key
//! file, passphrase) and refuses the classical ones, citing Table 2 (issue 15, item 7).
#![allow(clippy::unwrap_used)]

mod common;

use common::{kagi_in, ok, tempdir};

fn round_trip(dir: &std::path::Path, enc: &[&str], dec: &[&str]) {
    std::fs::write(dir.join("plan.txt"), "耐量子計算機暗号への移行計画").unwrap();
    let mut e = vec!["encrypt", "plan.txt", "-o", "plan.kagi", "--policy", "pqc"];
    e.extend_from_slice(enc);
    ok(dir, &e);
    let mut d = vec![
        "decrypt",
        "plan.kagi",
        "-o",
        "back.txt",
        "--force",
        "--policy",
        "pqc",
    ];
    d.extend_from_slice(dec);
    ok(dir, &d);
    assert_eq!(
        std::fs::read(dir.join("back.txt")).unwrap(),
        std::fs::read(dir.join("plan.txt")).unwrap()
    );
    std::fs::remove_file(dir.join("plan.kagi")).unwrap();
}

#[test]
fn pqc_encrypts_to_a_hybrid_recipient() {
    let dir = tempdir();
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "hybrid-p384-mlkem1024",
            "--unencrypted",
            "--out",
            "pq.key",
            "--policy",
            "pqc",
        ],
    );
    round_trip(&dir, &["-r", "pq.key.pub"], &["-i", "pq.key"]);
}

#[test]
fn pqc_encrypts_to_a_key_file_and_a_passphrase() {
    let dir = tempdir();
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "symmetric",
            "--unencrypted",
            "--out",
            "sym.key",
            "--policy",
            "pqc",
        ],
    );
    round_trip(&dir, &["--key-file", "sym.key"], &["--key-file", "sym.key"]);
    round_trip(
        &dir,
        &["--passphrase-env", "PW", "--iterations", "600000"],
        &["--passphrase-env", "PW"],
    );
}

#[test]
fn pqc_refuses_classical_recipients_and_ciphers_off_table_2() {
    let dir = tempdir();
    std::fs::write(dir.join("m.txt"), "x").unwrap();
    for (alg, entry) in [("ecdh-p384", "ECDH"), ("rsa-3072", "RSA")] {
        ok(
            &dir,
            &["key", "gen", "--alg", alg, "--unencrypted", "--out", "k"],
        );
        ok(&dir, &["key", "public", "k", "-o", "k.pub", "--force"]);
        let r = kagi_in(
            &dir,
            &[
                "encrypt", "m.txt", "-r", "k.pub", "-o", "m.kagi", "--policy", "pqc",
            ],
        );
        assert_eq!(r.code, 1, "{alg}: {}", r.stderr);
        assert!(
            r.stderr.contains(entry) && r.stderr.contains("not on Table 2 (PQC list)"),
            "{alg}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(!dir.join("m.kagi").exists());
        std::fs::remove_file(dir.join("k")).unwrap();
    }
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "symmetric",
            "--unencrypted",
            "--out",
            "s",
        ],
    );
    let r = kagi_in(
        &dir,
        &[
            "encrypt",
            "m.txt",
            "--key-file",
            "s",
            "--cipher",
            "aes-128-gcm",
            "-o",
            "m.kagi",
            "--policy",
            "pqc",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("AES-128 is not on Table 2"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("m.kagi").exists());
}

#[test]
fn policy_show_says_what_pqc_permits() {
    let out = ok(&tempdir(), &["policy", "show"]);
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("pqc "))
        .unwrap_or_else(|| panic!("{out}"));
    for part in [
        "ML-KEM-768/1024",
        "HKDF",
        "PBKDF2",
        "classical half of the hybrid",
        "key-file and passphrase",
    ] {
        assert!(line.contains(part), "{part}: {line}");
    }
}
