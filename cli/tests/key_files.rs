//! Symmetric and hybrid key files: passphrase-encrypted unless `--unencrypted`, read by
//! encrypt/decrypt with their passphrase, and backed up and restored like every other key
//! (issue 15, item 8).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{kagi_in, ok, tempdir};

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn make_key(dir: &Path, alg: &str, out: &str, encrypted: bool) -> String {
    let mut args = vec!["key", "gen", "--alg", alg, "--out", out];
    if encrypted {
        args.extend(["--passphrase-env", "PW", "--iterations", "600000"]);
    } else {
        args.push("--unencrypted");
    }
    ok(dir, &args)
}

#[test]
fn symmetric_and_hybrid_keys_are_never_written_unencrypted_unasked() {
    let dir = tempdir();
    for alg in ["symmetric", "hybrid-p384-mlkem1024"] {
        let r = kagi_in(&dir, &["key", "gen", "--alg", alg, "--out", "k"]);
        assert_eq!(r.code, 2, "{alg}: {}", r.stderr);
        assert!(r.stderr.contains("passphrase"), "{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(!dir.join("k").exists() && !dir.join("k.pub").exists());
    }
    let said = make_key(&dir, "symmetric", "sym.key", true);
    assert!(
        said.contains("PBKDF2-HMAC-SHA-256 × 600000, AES-256-GCM"),
        "{said}"
    );
    let text = read(&dir, "sym.key");
    assert!(
        text.starts_with("KAGI ENCRYPTED SYMMETRIC KEY 1\n"),
        "{text}"
    );
    assert!(!text.contains("KAGI SYMMETRIC KEY 1"));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join("sym.key"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    let said = make_key(&dir, "hybrid-p384-mlkem1024", "pq.key", true);
    assert!(said.contains("AES-256-GCM"), "{said}");
    assert!(read(&dir, "pq.key").starts_with("KAGI ENCRYPTED HYBRID PRIVATE KEY 1\n"));
    assert!(read(&dir, "pq.key.pub").starts_with("KAGI HYBRID PUBLIC KEY 1\n"));

    // The unencrypted forms are unchanged, and said to be unencrypted.
    let said = make_key(&dir, "symmetric", "plain.key", false);
    assert!(said.contains("UNENCRYPTED"), "{said}");
    let plain = read(&dir, "plain.key");
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(lines[0], "KAGI SYMMETRIC KEY 1");
    assert!(lines[1].len() == 64 && lines[1].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(plain.len(), 21 + 65);
    make_key(&dir, "hybrid-p384-mlkem1024", "plainpq.key", false);
    assert!(read(&dir, "plainpq.key").starts_with("KAGI HYBRID PRIVATE KEY 1\necdh-p384 "));
}

#[test]
fn encrypted_key_files_open_with_their_passphrase_only() {
    let dir = tempdir();
    make_key(&dir, "symmetric", "sym.key", true);
    make_key(&dir, "hybrid-p384-mlkem1024", "pq.key", true);
    std::fs::write(dir.join("m.txt"), "機密文書").unwrap();
    ok(
        &dir,
        &[
            "encrypt",
            "m.txt",
            "--key-file",
            "sym.key",
            "--key-file-passphrase-env",
            "PW",
            "-r",
            "pq.key.pub",
            "-o",
            "m.kagi",
        ],
    );
    // No passphrase source and no terminal: one line, exit 2, nothing written.
    let r = kagi_in(
        &dir,
        &["decrypt", "m.kagi", "--key-file", "sym.key", "-o", "a.txt"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(!dir.join("a.txt").exists());
    std::fs::write(dir.join("wrong"), "not the passphrase\n").unwrap();
    let r = kagi_in(
        &dir,
        &[
            "decrypt",
            "m.kagi",
            "--key-file",
            "sym.key",
            "--key-file-passphrase-file",
            "wrong",
            "-o",
            "a.txt",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("sym.key: wrong passphrase"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("a.txt").exists());
    ok(
        &dir,
        &[
            "decrypt",
            "m.kagi",
            "--key-file",
            "sym.key",
            "--key-file-passphrase-env",
            "PW",
            "-o",
            "a.txt",
        ],
    );
    assert_eq!(read(&dir, "a.txt"), "機密文書");
    ok(
        &dir,
        &[
            "decrypt",
            "m.kagi",
            "-i",
            "pq.key",
            "--identity-passphrase-env",
            "PW",
            "-o",
            "b.txt",
        ],
    );
    assert_eq!(read(&dir, "b.txt"), "機密文書");
}

#[test]
fn backup_and_restore_accept_symmetric_and_hybrid_keys() {
    let dir = tempdir();
    std::fs::write(dir.join("m.txt"), "backup me").unwrap();
    for (alg, encrypted) in [
        ("symmetric", false),
        ("symmetric", true),
        ("hybrid-p384-mlkem1024", false),
        ("hybrid-p384-mlkem1024", true),
    ] {
        let key = format!("{alg}-{encrypted}.key");
        make_key(&dir, alg, &key, encrypted);
        let recipient = if alg == "symmetric" {
            vec![
                "--key-file",
                key.as_str(),
                "--key-file-passphrase-env",
                "PW",
            ]
        } else {
            vec!["-r", "pub"]
        };
        if alg != "symmetric" {
            std::fs::copy(dir.join(format!("{key}.pub")), dir.join("pub")).unwrap();
        }
        let mut enc = vec!["encrypt", "m.txt", "-o", "m.kagi", "--force"];
        enc.extend(&recipient);
        ok(&dir, &enc);

        let shares = format!("shares-{alg}-{encrypted}");
        let said = ok(
            &dir,
            &[
                "key",
                "backup",
                &key,
                "--shares",
                "3",
                "--threshold",
                "2",
                "--out-dir",
                &shares,
                "--passphrase-env",
                "PW",
            ],
        );
        assert!(said.contains("shares 1–2 restore this key"), "{said}");
        let s1 = format!("{shares}/share-1-of-3.txt");
        let s3 = format!("{shares}/share-3-of-3.txt");
        let verified = ok(
            &dir,
            &[
                "key",
                "backup",
                "verify",
                &s1,
                &s3,
                "--expect",
                &key,
                "--passphrase-env",
                "PW",
            ],
        );
        assert!(
            verified.contains("matches:     the expected key"),
            "{verified}"
        );

        let back = format!("restored-{alg}-{encrypted}.key");
        ok(
            &dir,
            &["key", "restore", &s3, &s1, "-o", &back, "--unencrypted"],
        );
        if !encrypted {
            // Exactly what was backed up, byte for byte.
            assert_eq!(read(&dir, &back), read(&dir, &key), "{alg}");
        }
        if alg != "symmetric" {
            assert_eq!(
                read(&dir, &format!("{back}.pub")),
                read(&dir, &format!("{key}.pub"))
            );
        }
        let mut dec = vec!["decrypt", "m.kagi", "-o", "out.txt", "--force"];
        if alg == "symmetric" {
            dec.extend(["--key-file", back.as_str()]);
        } else {
            dec.extend(["-i", back.as_str()]);
        }
        ok(&dir, &dec);
        assert_eq!(read(&dir, "out.txt"), "backup me");
        // Restored encrypted by default, with the new passphrase.
        let enc_back = format!("{back}.enc");
        ok(
            &dir,
            &[
                "key",
                "restore",
                &s1,
                &s3,
                "-o",
                &enc_back,
                "--new-passphrase-env",
                "PW",
                "--iterations",
                "600000",
            ],
        );
        assert!(read(&dir, &enc_back).starts_with("KAGI ENCRYPTED "));
    }
}

/// Found after issue 15: `key show` and `key public` called kagi's own key files "not a PEM or
/// DER key or certificate kagi knows". They are described (never their secret), a hybrid key
/// gives its public key (the same as the `.pub` written beside it), and a symmetric key has
/// no public part, which is said.
#[test]
fn key_show_and_public_read_kagi_key_files() {
    let dir = tempdir();
    for encrypted in [false, true] {
        let (s, h) = if encrypted {
            ("se.key", "he.key")
        } else {
            ("s.key", "h.key")
        };
        make_key(&dir, "symmetric", s, encrypted);
        make_key(&dir, "hybrid-p384-mlkem1024", h, encrypted);
        let secret = read(&dir, s);
        let shown = ok(&dir, &["key", "show", s]);
        assert!(shown.contains("kagi symmetric key (256 bits)"), "{shown}");
        assert_eq!(shown.contains("UNENCRYPTED"), !encrypted, "{shown}");
        if !encrypted {
            let hexkey = secret.lines().nth(1).unwrap().trim();
            assert!(!shown.contains(hexkey), "the key itself is never shown");
        }
        let r = kagi_in(&dir, &["key", "public", s]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("no public part"), "{}", r.stderr);
        let mut args = vec!["key", "public", h];
        if encrypted {
            // Without its passphrase (and no terminal) an encrypted hybrid key cannot give it.
            let r = kagi_in(&dir, &args);
            assert_eq!(r.code, 2, "{}", r.stderr);
            assert!(r.stderr.contains("encrypted"), "{}", r.stderr);
            args.extend(["--passphrase-env", "PW"]);
        }
        let public = ok(&dir, &args);
        assert_eq!(public, read(&dir, &format!("{h}.pub")));
        let mut args = vec!["key", "show", "--json", h];
        if encrypted {
            args.extend(["--passphrase-env", "PW"]);
        }
        let v: serde_json::Value = serde_json::from_str(&ok(&dir, &args)).unwrap();
        assert!(
            v["public_key_id"].as_str().is_some_and(|s| s.len() == 64),
            "{v}"
        );
        assert_eq!(v["encryption"].is_null(), !encrypted, "{v}");
    }
}

/// Escrow, the other backup route, for kagi's own key files: a symmetric and a hybrid key
/// (each encrypted and not) escrowed to a key-recovery certificate, verified with the
/// recovery key, restored, and the restored key decrypts what the original encrypted.
#[test]
fn symmetric_and_hybrid_keys_escrow_and_restore() {
    let dir = tempdir();
    std::fs::write(dir.join("m.txt"), "escrow me").unwrap();
    make_key(&dir, "ecdh-p384", "rec.pem", true);
    ok(
        &dir,
        &[
            "cert",
            "self-sign",
            "--key",
            "rec.pem",
            "--passphrase-env",
            "PW",
            "--subject",
            "CN=Key Recovery,O=テスト省",
            "--profile",
            "encryption",
            "--out",
            "rec.crt",
        ],
    );
    for (alg, encrypted) in [
        ("symmetric", false),
        ("symmetric", true),
        ("hybrid-p384-mlkem1024", false),
        ("hybrid-p384-mlkem1024", true),
    ] {
        let key = format!("{alg}-{encrypted}.key");
        make_key(&dir, alg, &key, encrypted);
        let symmetric = alg == "symmetric";
        let mut enc = vec!["encrypt", "m.txt", "-o", "m.kagi", "--force"];
        let public = format!("{key}.pub");
        if symmetric {
            enc.extend(["--key-file", &key, "--key-file-passphrase-env", "PW"]);
        } else {
            enc.extend(["-r", &public]);
        }
        ok(&dir, &enc);
        let escrow = format!("{key}.escrow");
        ok(
            &dir,
            &[
                "key",
                "backup",
                &key,
                "--to",
                "rec.crt",
                "--out",
                &escrow,
                "--passphrase-env",
                "PW",
            ],
        );
        // The escrow file never holds the key in the clear.
        let key_text = read(&dir, &key);
        if !encrypted {
            let secret = key_text.lines().nth(1).unwrap().split_whitespace().last();
            assert!(!read(&dir, &escrow).contains(secret.unwrap()), "{alg}");
        }
        let verified = ok(
            &dir,
            &[
                "key",
                "backup",
                "verify",
                "--escrow",
                &escrow,
                "--key",
                "rec.pem",
                "--expect",
                &key,
                "--passphrase-env",
                "PW",
            ],
        );
        assert!(
            verified.contains("matches:     the expected key"),
            "{alg}: {verified}"
        );
        let back = format!("{key}.restored");
        ok(
            &dir,
            &[
                "key",
                "restore",
                "--escrow",
                &escrow,
                "--key",
                "rec.pem",
                "--passphrase-env",
                "PW",
                "-o",
                &back,
                "--unencrypted",
            ],
        );
        if !encrypted {
            assert_eq!(read(&dir, &back), key_text, "{alg}: byte for byte");
        }
        let mut dec = vec!["decrypt", "m.kagi", "-o", "out.txt", "--force"];
        if symmetric {
            dec.extend(["--key-file", back.as_str()]);
        } else {
            dec.extend(["-i", back.as_str()]);
        }
        ok(&dir, &dec);
        assert_eq!(read(&dir, "out.txt"), "escrow me", "{alg}");
    }
}
