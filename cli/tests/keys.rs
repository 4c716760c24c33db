//! `kagi key` and `kagi cert` through the real binary, with the real `openssl` reading what
//! kagi writes and writing what kagi reads.
#![allow(clippy::unwrap_used)]

mod common;
use std::os::unix::fs::PermissionsExt;

use common::*;

const ALGS: [&str; 7] = [
    "ecdsa-p256",
    "ecdsa-p384",
    "ed25519",
    "rsa-3072",
    "rsa-4096",
    "ecdh-p256",
    "ecdh-p384",
];

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn openssl_reads_every_key_kagi_generates() {
    let dir = tempdir();
    for alg in ALGS {
        let file = format!("{alg}.pem");
        let out = ok(
            &dir,
            &[
                "key",
                "gen",
                "--alg",
                alg,
                "--out",
                &file,
                "--passphrase-env",
                "PW",
                "--iterations",
                "600000",
                "--json",
            ],
        );
        let made = json(&out);
        assert_eq!(mode(&dir.join(&file)), 0o600, "{alg}");
        let pem = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{alg}"
        );
        // openssl decrypts it with the passphrase and finds the same public key.
        assert_eq!(
            openssl_fingerprint(&dir, &file, true),
            made["fingerprint"],
            "{alg}"
        );
        // The PBES2 parameters are what the issue asks for.
        let asn1 = openssl(&dir, &["asn1parse", "-in", &file]);
        assert!(
            asn1.contains("hmacWithSHA256") && asn1.contains("aes-256-cbc"),
            "{alg}: {asn1}"
        );
        assert!(
            asn1.contains(":0927C0"),
            "{alg}: 600000 iterations = 0x0927C0: {asn1}"
        );
        // kagi key public writes what openssl pkey -pubout writes.
        let ours = ok(&dir, &["key", "public", &file, "--passphrase-env", "PW"]);
        let theirs = openssl(
            &dir,
            &["pkey", "-in", &file, "-passin", "env:PW", "-pubout"],
        );
        assert_eq!(ours, theirs, "{alg}");
    }
}

#[test]
fn kagi_reads_every_format_openssl_writes() {
    let dir = tempdir();
    let make: [(&str, &[&str]); 4] = [
        (
            "p256",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "p256.pem",
            ],
        ),
        (
            "p384",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
                "-out",
                "p384.pem",
            ],
        ),
        (
            "ed",
            &["genpkey", "-algorithm", "ed25519", "-out", "ed.pem"],
        ),
        (
            "rsa",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:3072",
                "-out",
                "rsa.pem",
            ],
        ),
    ];
    for (name, args) in make {
        openssl(&dir, args);
        let pem = format!("{name}.pem");
        let want = openssl_fingerprint(&dir, &pem, false);
        let mut variants: Vec<(String, bool)> = vec![(pem.clone(), false)];
        // PKCS#8 DER.
        openssl(
            &dir,
            &[
                "pkey",
                "-in",
                &pem,
                "-outform",
                "DER",
                "-out",
                &format!("{name}.der"),
            ],
        );
        variants.push((format!("{name}.der"), false));
        // Encrypted PKCS#8, PEM and DER, as openssl writes it by default and as asked for.
        openssl(
            &dir,
            &[
                "pkcs8",
                "-topk8",
                "-in",
                &pem,
                "-v2",
                "aes-256-cbc",
                "-v2prf",
                "hmacWithSHA256",
                "-passout",
                "env:PW",
                "-out",
                &format!("{name}.enc.pem"),
            ],
        );
        variants.push((format!("{name}.enc.pem"), true));
        openssl(
            &dir,
            &[
                "pkey",
                "-in",
                &pem,
                "-aes-128-cbc",
                "-passout",
                "env:PW",
                "-out",
                &format!("{name}.enc2.pem"),
            ],
        );
        variants.push((format!("{name}.enc2.pem"), true));
        openssl(
            &dir,
            &[
                "pkcs8",
                "-topk8",
                "-in",
                &pem,
                "-v2",
                "aes-256-cbc",
                "-passout",
                "env:PW",
                "-outform",
                "DER",
                "-out",
                &format!("{name}.enc.der"),
            ],
        );
        variants.push((format!("{name}.enc.der"), true));
        // Public keys, PEM and DER.
        openssl(
            &dir,
            &[
                "pkey",
                "-in",
                &pem,
                "-pubout",
                "-out",
                &format!("{name}.pub.pem"),
            ],
        );
        variants.push((format!("{name}.pub.pem"), false));
        openssl(
            &dir,
            &[
                "pkey",
                "-in",
                &pem,
                "-pubout",
                "-outform",
                "DER",
                "-out",
                &format!("{name}.pub.der"),
            ],
        );
        variants.push((format!("{name}.pub.der"), false));
        // The traditional forms: PKCS#1 for RSA, SEC1 for EC.
        let traditional = match name {
            "rsa" => Some(("rsa", vec!["-traditional"])),
            "p256" | "p384" => Some(("ec", vec![])),
            _ => None,
        };
        if let Some((cmd, extra)) = traditional {
            for form in ["PEM", "DER"] {
                let out = format!("{name}.trad.{}", form.to_lowercase());
                let mut args = vec![cmd, "-in", &pem, "-outform", form, "-out", &out];
                args.extend(extra.iter().copied());
                openssl(&dir, &args);
                variants.push((out, false));
            }
            if name == "rsa" {
                openssl(
                    &dir,
                    &[
                        "rsa",
                        "-in",
                        &pem,
                        "-RSAPublicKey_out",
                        "-out",
                        "rsa.pkcs1pub.pem",
                    ],
                );
                variants.push(("rsa.pkcs1pub.pem".into(), false));
            }
        }
        for (file, enc) in variants {
            let mut args = vec!["key", "show", file.as_str(), "--json"];
            if enc {
                args.extend(["--passphrase-env", "PW"]);
            }
            let shown = json(&ok(&dir, &args));
            assert_eq!(shown["public_key"]["fingerprint"], want.as_str(), "{file}");
        }
    }
}

#[test]
fn low_iteration_and_refused_schemes_are_flagged_with_the_reason() {
    let dir = tempdir();
    openssl(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "k.pem",
        ],
    );
    // openssl's default iteration count (2048) is read, with a warning.
    openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "env:PW",
            "-out",
            "low.pem",
        ],
    );
    let out = ok(&dir, &["key", "show", "low.pem", "--passphrase-env", "PW"]);
    assert!(out.contains("below kagi's minimum"), "{out}");
    // Traditional encrypted PEM: refused, naming the reason.
    openssl(
        &dir,
        &[
            "ec", "-in", "k.pem", "-aes256", "-passout", "env:PW", "-out", "trad.pem",
        ],
    );
    let r = kagi_in(&dir, &["key", "show", "trad.pem", "--passphrase-env", "PW"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("EVP_BytesToKey"), "{}", r.stdout);
    // Where the key is needed, the same reason is an error.
    let r = kagi_in(
        &dir,
        &[
            "key",
            "backup",
            "trad.pem",
            "--passphrase-env",
            "PW",
            "--shares",
            "2",
            "--threshold",
            "2",
            "--out-dir",
            "s",
        ],
    );
    // The key's encryption is refused: a policy "no", exit 1.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("EVP_BytesToKey"), "{}", r.stderr);
    // PKCS#12 PBE (SHA-1 and 3DES), HMAC-SHA-1 PBKDF2 and scrypt: read, refused with the reason.
    openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-v1",
            "PBE-SHA1-3DES",
            "-passout",
            "env:PW",
            "-out",
            "pbe.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-v1",
            "PBE-SHA1-3DES",
            "-passout",
            "env:PW",
            "-outform",
            "DER",
            "-out",
            "pbe.der",
        ],
    );
    openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-v2",
            "aes-256-cbc",
            "-v2prf",
            "hmacWithSHA1",
            "-passout",
            "env:PW",
            "-out",
            "sha1.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-scrypt",
            "-passout",
            "env:PW",
            "-out",
            "scrypt.pem",
        ],
    );
    for (file, reason) in [
        ("pbe.pem", "1.2.840.113549.1.12.1.3"),
        ("pbe.der", "1.2.840.113549.1.12.1.3"),
        ("sha1.pem", "Monitored"),
        ("scrypt.pem", "scrypt"),
    ] {
        let r = kagi_in(&dir, &["key", "show", file, "--passphrase-env", "PW"]);
        assert_eq!(r.code, 1, "{file}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains(reason) && r.stdout.contains("refused"),
            "{file}: {}",
            r.stdout
        );
        let r = kagi_in(&dir, &["key", "public", file, "--passphrase-env", "PW"]);
        assert_eq!(r.code, 2, "{file}");
        assert!(r.stderr.contains(reason), "{file}: {}", r.stderr);
    }
    // A wrong passphrase: one line, exit 2.
    let r = kagi_in(
        &dir,
        &["key", "show", "low.pem", "--passphrase-env", "NOPE"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("NOPE is not set"), "{}", r.stderr);
    std::fs::write(dir.join("wrong"), "not it\n").unwrap();
    let r = kagi_in(
        &dir,
        &["key", "show", "low.pem", "--passphrase-file", "wrong"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("wrong passphrase"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1);
    // No passphrase and no terminal: says so instead of hanging.
    let r = kagi_in(
        &dir,
        &["key", "gen", "--alg", "ecdsa-p256", "--out", "x.pem"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no terminal"), "{}", r.stderr);
    assert!(!dir.join("x.pem").exists());
}

#[test]
fn generation_refuses_what_the_policy_refuses_and_never_overwrites() {
    let dir = tempdir();
    let r = kagi_in(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "rsa-1024",
            "--out",
            "k.pem",
            "--unencrypted",
        ],
    );
    // Refused by policy: exit 1, as every policy refusal.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("LS-0003"), "{}", r.stderr);
    assert!(!dir.join("k.pem").exists());
    let r = kagi_in(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "rsa-2048",
            "--out",
            "k.pem",
            "--unencrypted",
            "--as-of",
            "2031-01-01",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("2030-12-31"), "{}", r.stderr);
    // rsa-2048 in 2030 (a date, not today: the outcome must not depend on the day the suite
    // runs): made, with the date it stops being permitted.
    let out = ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "rsa-2048",
            "--out",
            "k.pem",
            "--unencrypted",
            "--as-of",
            "2030-06-01",
        ],
    );
    assert!(out.contains("until 2030-12-31"), "{out}");
    let before = std::fs::read(dir.join("k.pem")).unwrap();
    let r = kagi_in(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ed25519",
            "--out",
            "k.pem",
            "--unencrypted",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("k.pem")).unwrap(), before);
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ed25519",
            "--out",
            "k.pem",
            "--unencrypted",
            "--force",
        ],
    );
    assert_ne!(std::fs::read(dir.join("k.pem")).unwrap(), before);
    assert_eq!(mode(&dir.join("k.pem")), 0o600);
    let r = kagi_in(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ed25519",
            "--out",
            "j.pem",
            "--passphrase-env",
            "PW",
            "--iterations",
            "1000",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("600000"), "{}", r.stderr);
    // No leftovers from any refusal.
    let names: Vec<_> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn a_2048_bit_key_is_read_and_marked_after_2030() {
    let dir = tempdir();
    openssl(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "r.pem",
        ],
    );
    let v = json(&ok(
        &dir,
        &["key", "show", "r.pem", "--as-of", "2031-01-01", "--json"],
    ));
    let verdict = &v["public_key"]["verdicts"][0];
    assert_eq!(verdict["protect"]["status"], "refused");
    assert_eq!(verdict["process"]["status"], "legacy-process-only");
    assert_eq!(v["public_key"]["strength"], 112);
}

fn certificate_chain(dir: &std::path::Path, ca_alg: &str, leaf_alg: &str, profile: &str) {
    ok(
        dir,
        &[
            "key",
            "gen",
            "--alg",
            ca_alg,
            "--out",
            "ca.pem",
            "--unencrypted",
            "--force",
        ],
    );
    ok(
        dir,
        &[
            "cert",
            "self-sign",
            "--key",
            "ca.pem",
            "--subject",
            "CN=テスト CA,O=テスト省,C=JP",
            "--ca",
            "--days",
            "3650",
            "--out",
            "ca.crt",
            "--force",
        ],
    );
    ok(
        dir,
        &[
            "key",
            "gen",
            "--alg",
            leaf_alg,
            "--out",
            "leaf.pem",
            "--unencrypted",
            "--force",
        ],
    );
    ok(
        dir,
        &[
            "cert",
            "request",
            "--key",
            "leaf.pem",
            "--subject",
            "CN=山田 太郎,O=テスト省",
            "--out",
            "leaf.csr",
            "--force",
        ],
    );
    openssl(dir, &["req", "-in", "leaf.csr", "-verify", "-noout"]);
    ok(
        dir,
        &[
            "cert",
            "issue",
            "--ca-cert",
            "ca.crt",
            "--ca-key",
            "ca.pem",
            "--csr",
            "leaf.csr",
            "--profile",
            profile,
            "--out",
            "leaf.crt",
            "--force",
        ],
    );
    let v = openssl(dir, &["verify", "-CAfile", "ca.crt", "leaf.crt"]);
    assert!(v.contains("leaf.crt: OK"), "{ca_alg}/{leaf_alg}: {v}");
}

#[test]
fn openssl_verifies_the_certificates_kagi_issues() {
    let dir = tempdir();
    for (ca, leaf, profile) in [
        ("ecdsa-p384", "ecdsa-p256", "signing"),
        ("rsa-3072", "ed25519", "erase"),
        ("ed25519", "rsa-3072", "encryption"),
        ("ecdsa-p256", "ecdh-p384", "encryption"),
    ] {
        certificate_chain(&dir, ca, leaf, profile);
        // Usages as the profile says.
        let text = openssl(&dir, &["x509", "-in", "leaf.crt", "-noout", "-text"]);
        match profile {
            "signing" => assert!(
                text.contains("Digital Signature, Non Repudiation")
                    && text.contains("E-mail Protection"),
                "{text}"
            ),
            "erase" => assert!(
                text.contains("1.3.6.1.5.5.7.3.36") || text.contains("Document Signing"),
                "{text}"
            ),
            _ => assert!(
                text.contains("Key Encipherment") || text.contains("Key Agreement"),
                "{text}"
            ),
        }
        // kagi checks the chain in a bundle, in either order.
        let bundle = format!(
            "{}{}",
            std::fs::read_to_string(dir.join("ca.crt")).unwrap(),
            std::fs::read_to_string(dir.join("leaf.crt")).unwrap()
        );
        std::fs::write(dir.join("bundle.pem"), bundle).unwrap();
        let out = ok(&dir, &["cert", "show", "bundle.pem"]);
        assert!(out.contains("self-signed, signature valid"), "{out}");
        assert!(out.contains("signed by \"CN=テスト CA"), "{out}");
    }
}

#[test]
fn kagi_issues_with_an_openssl_ca_and_for_an_openssl_csr() {
    let dir = tempdir();
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.pem",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=OpenSSL CA/O=Example",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        &dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-keyout",
            "leaf.pem",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=Leaf/O=Example",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "issue",
            "--ca-cert",
            "ca.crt",
            "--ca-key",
            "ca.pem",
            "--csr",
            "leaf.csr",
            "--out",
            "leaf.crt",
        ],
    );
    let v = openssl(&dir, &["verify", "-CAfile", "ca.crt", "leaf.crt"]);
    assert!(v.contains("OK"), "{v}");
    // kagi verifies openssl's signatures: the CA's self-signature and the issued chain.
    let out = ok(&dir, &["cert", "show", "ca.crt"]);
    assert!(out.contains("self-signed, signature valid"), "{out}");
    // A CSR altered after signing is refused.
    openssl(
        &dir,
        &[
            "req",
            "-in",
            "leaf.csr",
            "-outform",
            "DER",
            "-out",
            "leaf.csr.der",
        ],
    );
    let mut der = std::fs::read(dir.join("leaf.csr.der")).unwrap();
    let at = der.windows(4).position(|w| w == b"Leaf").unwrap();
    der[at] = b'X';
    std::fs::write(dir.join("bad.csr"), der).unwrap();
    let r = kagi_in(
        &dir,
        &[
            "cert",
            "issue",
            "--ca-cert",
            "ca.crt",
            "--ca-key",
            "ca.pem",
            "--csr",
            "bad.csr",
            "--out",
            "bad.crt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("signature does not verify"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("bad.crt").exists());
    // A non-CA certificate cannot issue.
    let r = kagi_in(
        &dir,
        &[
            "cert",
            "issue",
            "--ca-cert",
            "leaf.crt",
            "--ca-key",
            "leaf.pem",
            "--csr",
            "leaf.csr",
            "--out",
            "x.crt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("CA:TRUE"), "{}", r.stderr);
    // A CSR the policy refuses (RSA-1024): a policy refusal, exit 1, nothing issued.
    openssl(
        &dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:1024",
            "-nodes",
            "-keyout",
            "r1024.key",
            "-out",
            "r1024.csr",
            "-subj",
            "/CN=r1024",
        ],
    );
    let r = kagi_in(
        &dir,
        &[
            "cert",
            "issue",
            "--ca-cert",
            "ca.crt",
            "--ca-key",
            "ca.pem",
            "--csr",
            "r1024.csr",
            "--out",
            "r.crt",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("refused by policy"), "{}", r.stderr);
    assert!(!dir.join("r.crt").exists());
}

#[test]
fn a_sha1_or_rsa_1024_certificate_is_shown_refused() {
    let dir = tempdir();
    openssl(
        &dir,
        &[
            "req", "-x509", "-newkey", "rsa:1024", "-sha1", "-nodes", "-keyout", "k.pem", "-out",
            "old.crt", "-subj", "/CN=Old", "-days", "30",
        ],
    );
    let r = kagi_in(&dir, &["cert", "show", "old.crt"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("REFUSED"), "{}", r.stdout);
    assert!(r.stdout.contains("rsassa-pkcs1-1024-sha1"), "{}", r.stdout);
}

fn share_files(dir: &std::path::Path, sub: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join(sub))
        .unwrap()
        .map(|e| format!("{sub}/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    v.sort();
    v
}

#[test]
fn shares_back_up_verify_and_restore_through_the_cli() {
    let dir = tempdir();
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "rsa-3072",
            "--out",
            "k.pem",
            "--passphrase-env",
            "PW",
            "--iterations",
            "600000",
        ],
    );
    let fp = openssl_fingerprint(&dir, "k.pem", true);
    ok(
        &dir,
        &[
            "key",
            "backup",
            "k.pem",
            "--passphrase-env",
            "PW",
            "--shares",
            "5",
            "--threshold",
            "3",
            "--out-dir",
            "shares",
            "--label",
            "署名鍵 2026",
        ],
    );
    let files = share_files(&dir, "shares");
    assert_eq!(files.len(), 5);
    for f in &files {
        assert_eq!(mode(&dir.join(f)), 0o600);
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(text.contains(&fp), "each share records the fingerprint");
        assert!(!text.contains("PRIVATE KEY"));
    }
    let mut args = vec![
        "key",
        "backup",
        "verify",
        files[4].as_str(),
        files[0].as_str(),
        files[2].as_str(),
        "--expect",
        "k.pem",
        "--passphrase-env",
        "PW",
    ];
    let out = ok(&dir, &args);
    assert!(
        out.contains(&fp) && out.contains("matches") && out.contains("nothing was written"),
        "{out}"
    );
    // Two shares are not enough.
    args.truncate(5);
    let r = kagi_in(&dir, &args);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs 3"), "{}", r.stderr);
    // A mistyped character is reported with its line.
    let text = std::fs::read_to_string(dir.join(&files[1])).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.iter().position(|l| l.starts_with(" 03")).unwrap();
    let mut bad: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    let pos = 6;
    let c = bad[n].as_bytes()[pos];
    bad[n].replace_range(pos..pos + 1, if c == b'A' { "B" } else { "A" });
    std::fs::write(dir.join("typo.txt"), bad.join("\n")).unwrap();
    let r = kagi_in(
        &dir,
        &[
            "key",
            "backup",
            "verify",
            "typo.txt",
            files[2].as_str(),
            files[3].as_str(),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("line {}", n + 1)) && r.stderr.contains("data line 03"),
        "{}",
        r.stderr
    );
    // A typo in the `set:` or `share:` header line is reported on that line, not as data
    // line 01 (every line's checksum covers them).
    for (field, want) in [("set:", "set identifier"), ("share:", "share number")] {
        let h = lines.iter().position(|l| l.starts_with(field)).unwrap();
        let mut bad: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        if field == "set:" {
            // One base32 character of the identifier, changed to another valid one.
            let pos = bad[h].len() - 1;
            let c = bad[h].as_bytes()[pos];
            bad[h].replace_range(pos..pos + 1, if c == b'A' { "B" } else { "A" });
        } else {
            // Share 2 of 5 typed as share 4 of 5.
            bad[h] = bad[h].replacen("2 of 5", "4 of 5", 1);
        }
        assert_ne!(bad[h], lines[h], "{field} line unchanged");
        std::fs::write(dir.join("typo.txt"), bad.join("\n")).unwrap();
        let r = kagi_in(
            &dir,
            &[
                "key",
                "backup",
                "verify",
                "typo.txt",
                files[2].as_str(),
                files[3].as_str(),
            ],
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("line {}:", h + 1)) && r.stderr.contains(want),
            "{field}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("data line 01"), "{}", r.stderr);
    }
    // Shares of another backup of the same key are rejected.
    ok(
        &dir,
        &[
            "key",
            "backup",
            "k.pem",
            "--passphrase-env",
            "PW",
            "--shares",
            "3",
            "--threshold",
            "2",
            "--out-dir",
            "other",
        ],
    );
    let other = share_files(&dir, "other");
    let r = kagi_in(
        &dir,
        &[
            "key",
            "backup",
            "verify",
            files[0].as_str(),
            other[1].as_str(),
            files[2].as_str(),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("two sets"), "{}", r.stderr);
    // Restore writes an encrypted key openssl reads, with the same public key.
    ok(
        &dir,
        &[
            "key",
            "restore",
            files[1].as_str(),
            files[3].as_str(),
            files[4].as_str(),
            "--out",
            "back.pem",
            "--new-passphrase-env",
            "PW",
            "--iterations",
            "600000",
        ],
    );
    assert_eq!(mode(&dir.join("back.pem")), 0o600);
    assert_eq!(openssl_fingerprint(&dir, "back.pem", true), fp);
    // Refuses to write into a non-empty directory.
    let r = kagi_in(
        &dir,
        &[
            "key",
            "backup",
            "k.pem",
            "--passphrase-env",
            "PW",
            "--shares",
            "2",
            "--threshold",
            "2",
            "--out-dir",
            "shares",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
}

#[test]
fn escrow_to_a_recovery_certificate_through_the_cli() {
    let dir = tempdir();
    for recovery in ["rsa-3072", "ecdh-p384"] {
        ok(
            &dir,
            &[
                "key",
                "gen",
                "--alg",
                recovery,
                "--out",
                "rec.pem",
                "--passphrase-env",
                "PW",
                "--iterations",
                "600000",
                "--force",
            ],
        );
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
                "--force",
            ],
        );
        ok(
            &dir,
            &[
                "key",
                "gen",
                "--alg",
                "ecdsa-p256",
                "--out",
                "k.pem",
                "--unencrypted",
                "--force",
            ],
        );
        let fp = openssl_fingerprint(&dir, "k.pem", false);
        ok(
            &dir,
            &[
                "key", "backup", "k.pem", "--to", "rec.crt", "--out", "k.escrow", "--force",
            ],
        );
        assert_eq!(mode(&dir.join("k.escrow")), 0o600);
        let out = ok(
            &dir,
            &[
                "key",
                "backup",
                "verify",
                "--escrow",
                "k.escrow",
                "--key",
                "rec.pem",
                "--passphrase-env",
                "PW",
                "--expect",
                "k.pem",
            ],
        );
        assert!(out.contains(&fp) && out.contains("matches"), "{out}");
        ok(
            &dir,
            &[
                "key",
                "restore",
                "--escrow",
                "k.escrow",
                "--key",
                "rec.pem",
                "--passphrase-env",
                "PW",
                "--out",
                "back.pem",
                "--unencrypted",
                "--force",
            ],
        );
        assert_eq!(openssl_fingerprint(&dir, "back.pem", false), fp);
        // A tampered header fails, and nothing is written.
        let text = std::fs::read_to_string(dir.join("k.escrow")).unwrap();
        std::fs::write(dir.join("t.escrow"), text.replace("テスト省", "テスト庁")).unwrap();
        let r = kagi_in(
            &dir,
            &[
                "key",
                "restore",
                "--escrow",
                "t.escrow",
                "--key",
                "rec.pem",
                "--passphrase-env",
                "PW",
                "--out",
                "t.pem",
                "--unencrypted",
            ],
        );
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("not authentic"), "{}", r.stderr);
        assert!(!dir.join("t.pem").exists());
        // Another key cannot open it.
        ok(
            &dir,
            &[
                "key",
                "gen",
                "--alg",
                recovery,
                "--out",
                "other.pem",
                "--unencrypted",
                "--force",
            ],
        );
        let r = kagi_in(
            &dir,
            &[
                "key",
                "backup",
                "verify",
                "--escrow",
                "k.escrow",
                "--key",
                "other.pem",
            ],
        );
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("not the one"), "{}", r.stderr);
    }
}

#[test]
fn a_signing_certificate_cannot_receive_escrow() {
    let dir = tempdir();
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ecdsa-p256",
            "--out",
            "s.pem",
            "--unencrypted",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "self-sign",
            "--key",
            "s.pem",
            "--subject",
            "CN=Signer",
            "--out",
            "s.crt",
        ],
    );
    let r = kagi_in(
        &dir,
        &[
            "key", "backup", "s.pem", "--to", "s.crt", "--out", "x.escrow",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("keyAgreement"), "{}", r.stderr);
    assert!(!dir.join("x.escrow").exists());
}

#[test]
fn real_ca_certificates_are_read_and_checked() {
    // A fixed bundle of real roots (test-vectors/ca-bundle: Debian's Mozilla store, 142
    // roots), judged on a fixed date: exact figures, whatever the host's bundle or the clock.
    use test_support::fixtures::{CA_BUNDLE_AS_OF, ca_bundle};
    let bundle = ca_bundle();
    let r = kagi(&[
        "cert",
        "show",
        bundle.to_str().unwrap(),
        "--json",
        "--as-of",
        CA_BUNDLE_AS_OF,
    ]);
    assert_eq!(r.code, 1, "SHA-1-signed roots are refused: {}", r.stderr);
    let v = json(&r.stdout);
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 142);
    let mut refused = 0;
    for c in certs {
        let checked = c["signature"].as_str().unwrap();
        let alg = c["signature_algorithm"].as_str().unwrap();
        if alg.ends_with("-sha1") {
            // Exactly the SHA-1 self-signatures are refused, and not checked.
            refused += 1;
            assert_eq!(c["signature_verdict"]["status"], "refused", "{c}");
            assert_eq!(
                checked, "not checked: the signature algorithm is refused",
                "{c}"
            );
        } else {
            assert_eq!(c["signature_verdict"]["status"], "permitted", "{c}");
            assert_eq!(checked, "self-signed, signature valid", "{c}");
        }
    }
    assert_eq!(refused, 30);
}

#[test]
fn keys_off_the_list_are_read_and_refused() {
    let dir = tempdir();
    openssl(&dir, &["genpkey", "-algorithm", "x25519", "-out", "x.pem"]);
    openssl(
        &dir,
        &[
            "ecparam",
            "-name",
            "secp256k1",
            "-genkey",
            "-noout",
            "-out",
            "k1.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
            "r.pem",
        ],
    );
    for (file, why) in [
        ("x.pem", "X25519"),
        ("k1.pem", "1.3.132.0.10"),
        ("r.pem", "below the table"),
    ] {
        let r = kagi_in(&dir, &["key", "show", file]);
        assert_eq!(r.code, 1, "{file}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains(why) && r.stdout.contains("refused"),
            "{file}: {}",
            r.stdout
        );
    }
}

#[test]
fn a_device_or_huge_file_named_as_a_key_is_an_error_not_a_hang() {
    let r = kagi(&["key", "show", "/dev/zero"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("larger than 64 MiB"), "{}", r.stderr);
}

#[test]
fn unlisted_curves_are_named_by_their_own_oid_everywhere() {
    let dir = tempdir();
    std::fs::write(dir.join("a.txt"), b"a").unwrap();
    for (curve, oid) in [
        ("secp256k1", "1.3.132.0.10"),
        ("brainpoolP256r1", "1.3.36.3.3.2.8.1.1.7"),
    ] {
        let (key, public, crt) = (
            format!("{curve}.key"),
            format!("{curve}.pub"),
            format!("{curve}.crt"),
        );
        // PKCS#8, SubjectPublicKeyInfo and a certificate: each names the curve, never
        // id-ecPublicKey (1.2.840.10045.2.1).
        openssl(
            &dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                &format!("ec_paramgen_curve:{curve}"),
                "-out",
                &key,
            ],
        );
        openssl(&dir, &["pkey", "-in", &key, "-pubout", "-out", &public]);
        openssl(
            &dir,
            &[
                "req", "-x509", "-key", &key, "-out", &crt, "-subj", "/CN=c", "-days", "30",
            ],
        );
        let named = |text: &str| {
            text.contains(&format!("{oid} ({curve})")) && !text.contains("1.2.840.10045.2.1")
        };
        for file in [&key, &public, &crt] {
            let r = kagi_in(&dir, &["key", "show", file]);
            assert_eq!(r.code, 1, "{file}: {}{}", r.stdout, r.stderr);
            assert!(named(&r.stdout), "{file}: {}", r.stdout);
        }
        for file in [&public, &crt] {
            let r = kagi_in(&dir, &["encrypt", "a.txt", "-r", file, "-o", "a.kagi"]);
            assert_eq!(r.code, 1, "{file}: {}", r.stderr);
            assert!(named(&r.stderr), "{file}: {}", r.stderr);
            assert!(!dir.join("a.kagi").exists());
        }
        openssl(
            &dir,
            &[
                "cms", "-sign", "-binary", "-in", "a.txt", "-signer", &crt, "-inkey", &key,
                "-outform", "DER", "-out", "a.p7s",
            ],
        );
        let r = kagi_in(
            &dir,
            &["verify", "a.txt", "--sig", "a.p7s", "--trust", &crt],
        );
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(named(&r.stdout), "{}", r.stdout);
    }
}
