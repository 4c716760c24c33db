//! `kagi sign` / `kagi verify` through the real binary, with `openssl cms` verifying kagi's
//! signatures and making signatures kagi verifies.
#![allow(clippy::unwrap_used)]

mod common;
use std::path::Path;

use common::*;

/// A CA, an intermediate CA and signing certificates for each key type, all made by kagi.
fn pki(dir: &Path) {
    let ca = Ca::new("ca")
        .subject("CN=テスト CA,O=テスト省,C=JP")
        .create(&bin(), dir);
    ca.leaf("inter")
        .alg("ecdsa-p256")
        .subject("CN=テスト 中間 CA,O=テスト省")
        .profile("ca")
        .days(3650)
        .create(&bin(), dir);
}

/// `ALG.key` (encrypted with $PW) and `ALG.crt` issued by the intermediate CA.
fn signer(dir: &Path, alg: &str, profile: &str, days: &str) {
    let inter = Ca {
        key: "inter.key".into(),
        cert: "inter.crt".into(),
        encrypted: false,
    };
    inter
        .leaf(alg)
        .alg(alg)
        .subject("CN=山田 太郎,O=テスト省")
        .encrypted()
        .profile(profile)
        .days(days.parse().unwrap())
        .create(&bin(), dir);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn verify(dir: &Path, args: &[&str]) -> Run {
    kagi_in(dir, &[&["verify"], args].concat())
}

#[test]
fn openssl_verifies_kagi_signatures_for_every_algorithm() {
    let dir = tempdir();
    pki(&dir);
    write(
        &dir,
        "report.pdf",
        &b"%PDF-1.7 \x00\xff binary content ".repeat(5000),
    );
    for (alg, hash) in [
        ("ecdsa-p256", "sha256"),
        ("ecdsa-p384", "sha256"),
        ("rsa-3072", "sha256"),
        ("rsa-3072", "sha384"),
        ("rsa-4096", "sha256"),
    ] {
        signer(&dir, alg, "signing", "365");
        let sig = format!("report.{alg}.{hash}.p7s");
        ok(
            &dir,
            &[
                "sign",
                "--key",
                &format!("{alg}.key"),
                "--passphrase-env",
                "PW",
                "--cert",
                &format!("{alg}.crt"),
                "--chain",
                "inter.crt",
                "--hash",
                hash,
                "report.pdf",
                "-o",
                &sig,
            ],
        );
        let out = openssl(
            &dir,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-content",
                "report.pdf",
                "-in",
                &sig,
                "-CAfile",
                "ca.crt",
                "-out",
                "/dev/null",
            ],
        );
        assert!(out.is_empty(), "{out}");
        // And kagi agrees.
        let r = verify(&dir, &["report.pdf", "--sig", &sig, "--trust", "ca.crt"]);
        assert_eq!(r.code, 0, "{alg}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("山田 太郎") && r.stdout.contains("テスト CA"),
            "{}",
            r.stdout
        );
    }
    // Ed25519 (RFC 8419): kagi signs and verifies; OpenSSL 3.0 cannot, and kagi says so.
    signer(&dir, "ed25519", "signing", "365");
    let out = ok(
        &dir,
        &[
            "sign",
            "--key",
            "ed25519.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ed25519.crt",
            "--chain",
            "inter.crt",
            "report.pdf",
        ],
    );
    assert!(out.contains("OpenSSL 3.0 cannot verify"), "{out}");
    let r = verify(&dir, &["report.pdf", "--trust", "ca.crt", "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["report"]["signature_algorithm"], "ed25519");
    assert_eq!(v["report"]["digest_algorithm"], "SHA-512");
}

#[test]
fn kagi_verifies_openssl_signatures_with_chains() {
    let dir = tempdir();
    pki(&dir);
    write(&dir, "data.bin", &vec![0x5a; 300_000]);
    for alg in ["ecdsa-p256", "ecdsa-p384", "rsa-3072"] {
        signer(&dir, alg, "signing", "365");
        openssl(
            &dir,
            &[
                "pkey",
                "-in",
                &format!("{alg}.key"),
                "-passin",
                "env:PW",
                "-out",
                &format!("{alg}.plain.key"),
            ],
        );
    }
    let cases: [(&str, &str, &[&str]); 5] = [
        ("ecdsa-p256", "ecdsa-p256-sha256", &[]),
        ("ecdsa-p384", "ecdsa-p384-sha384", &["-md", "sha384"]),
        ("ecdsa-p384", "ecdsa-p384-sha256", &["-md", "sha256"]),
        (
            "rsa-3072",
            "rsa-pss-3072-sha256",
            &["-keyopt", "rsa_padding_mode:pss"],
        ),
        ("rsa-3072", "rsassa-pkcs1-3072-sha256", &[]),
    ];
    for (alg, want, extra) in cases {
        let key = format!("{alg}.plain.key");
        let signer_cert = format!("{alg}.crt");
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-in",
            "data.bin",
            "-signer",
            &signer_cert,
            "-inkey",
            &key,
        ];
        args.extend(["-certfile", "inter.crt", "-outform", "DER", "-out", "o.p7s"]);
        args.extend(extra.iter().copied());
        openssl(&dir, &args);
        let r = verify(
            &dir,
            &["data.bin", "--sig", "o.p7s", "--trust", "ca.crt", "--json"],
        );
        assert_eq!(r.code, 0, "{want}: {}{}", r.stdout, r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["report"]["signature_algorithm"], want);
        assert_eq!(
            v["report"]["chain"].as_array().unwrap().len(),
            2,
            "leaf and intermediate"
        );
    }
    // openssl's -keyid (subject key identifier as the signer identifier) too.
    openssl(
        &dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-keyid",
            "-in",
            "data.bin",
            "-signer",
            "ecdsa-p256.crt",
            "-inkey",
            "ecdsa-p256.plain.key",
            "-certfile",
            "inter.crt",
            "-outform",
            "DER",
            "-out",
            "k.p7s",
        ],
    );
    let r = verify(&dir, &["data.bin", "--sig", "k.p7s", "--trust", "ca.crt"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn each_failure_has_its_own_reason() {
    let dir = tempdir();
    pki(&dir);
    signer(&dir, "ecdsa-p256", "signing", "30");
    write(&dir, "doc.txt", "機密性2 取扱制限: 関係者限り\n".as_bytes());
    ok(
        &dir,
        &[
            "sign",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "--chain",
            "inter.crt",
            "doc.txt",
        ],
    );
    assert_eq!(verify(&dir, &["doc.txt", "--trust", "ca.crt"]).code, 0);
    let expect = |args: &[&str], why: &str| {
        let r = verify(&dir, args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains(why),
            "{args:?}: wanted {why:?} in {}",
            r.stdout
        );
    };
    // Tampered content.
    write(
        &dir,
        "doc2.txt",
        "機密性1 取扱制限: 関係者限り\n".as_bytes(),
    );
    expect(
        &["doc2.txt", "--sig", "doc.txt.p7s", "--trust", "ca.crt"],
        "the content does not match",
    );
    // An untrusted root, and no trust anchors.
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ecdsa-p256",
            "--out",
            "other.key",
            "--unencrypted",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "self-sign",
            "--key",
            "other.key",
            "--subject",
            "CN=Other CA",
            "--ca",
            "--out",
            "other.crt",
        ],
    );
    expect(&["doc.txt", "--trust", "other.crt"], "untrusted");
    expect(&["doc.txt"], "no trust anchors");
    // Expired: the certificate was valid for 30 days.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(60))
        .date()
        .to_string();
    expect(
        &["doc.txt", "--trust", "ca.crt", "--as-of", &later],
        "expired",
    );
    // Wrong usage: a key-agreement (encryption) certificate.
    ok(
        &dir,
        &[
            "cert",
            "issue",
            "--ca-cert",
            "inter.crt",
            "--ca-key",
            "inter.key",
            "--csr",
            "ecdsa-p256.csr",
            "--profile",
            "encryption",
            "--out",
            "enc.crt",
        ],
    );
    // kagi refuses to make such a signature; openssl makes one for verify to judge.
    let r = kagi_in(
        &dir,
        &[
            "sign",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "enc.crt",
            "doc.txt",
            "-o",
            "enc.p7s",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not for signing"), "{}", r.stderr);
    openssl(
        &dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-in",
            "doc.txt",
            "-signer",
            "enc.crt",
            "-inkey",
            "ecdsa-p256.key",
            "-passin",
            "env:PW",
            "-certfile",
            "inter.crt",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            "enc.p7s",
        ],
    );
    expect(
        &["doc.txt", "--sig", "enc.p7s", "--trust", "ca.crt"],
        "not for signing",
    );
    // Tampered signed attributes: change one byte of the signing time inside the .p7s.
    let mut p7s = std::fs::read(dir.join("doc.txt.p7s")).unwrap();
    let t = p7s
        .windows(5)
        .position(|w| w == [0x06, 0x09, 0x2a, 0x86, 0x48])
        .unwrap();
    let time_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05];
    let at = p7s.windows(9).position(|w| w == time_oid).unwrap_or(t) + 9 + 4;
    p7s[at] ^= 0x01;
    std::fs::write(dir.join("attrs.p7s"), &p7s).unwrap();
    let r = verify(
        &dir,
        &["doc.txt", "--sig", "attrs.p7s", "--trust", "ca.crt"],
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("signature does not verify") || r.code == 2,
        "{}{}",
        r.stdout,
        r.stderr
    );
    // A refused algorithm: a chain signed with SHA-1 (made by openssl).
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-sha1",
            "-nodes",
            "-keyout",
            "s1ca.key",
            "-out",
            "s1ca.crt",
            "-subj",
            "/CN=SHA1 CA",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
    );
    openssl(
        &dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "s1.key",
            "-out",
            "s1.csr",
            "-subj",
            "/CN=Signer under SHA-1",
        ],
    );
    write(&dir, "s1.ext", b"keyUsage=digitalSignature\n");
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "s1.csr",
            "-CA",
            "s1ca.crt",
            "-CAkey",
            "s1ca.key",
            "-sha1",
            "-days",
            "30",
            "-extfile",
            "s1.ext",
            "-out",
            "s1.crt",
            "-CAcreateserial",
        ],
    );
    ok(
        &dir,
        &[
            "sign", "--key", "s1.key", "--cert", "s1.crt", "doc.txt", "-o", "s1.p7s",
        ],
    );
    expect(
        &["doc.txt", "--sig", "s1.p7s", "--trust", "s1ca.crt"],
        "sha1 is refused",
    );
    // A signature that is not CMS at all: an error (2), not "invalid".
    write(&dir, "junk.p7s", b"not a signature");
    let r = verify(&dir, &["doc.txt", "--sig", "junk.p7s", "--trust", "ca.crt"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn signing_refuses_what_the_policy_refuses_and_never_overwrites() {
    let dir = tempdir();
    pki(&dir);
    signer(&dir, "ecdsa-p256", "signing", "365");
    write(&dir, "a.txt", b"a");
    ok(
        &dir,
        &[
            "sign",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "a.txt",
        ],
    );
    let before = std::fs::read(dir.join("a.txt.p7s")).unwrap();
    let r = kagi_in(
        &dir,
        &[
            "sign",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "a.txt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"));
    assert_eq!(std::fs::read(dir.join("a.txt.p7s")).unwrap(), before);
    // The wrong key for the certificate.
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ecdsa-p256",
            "--out",
            "k2.key",
            "--unencrypted",
        ],
    );
    let r = kagi_in(
        &dir,
        &[
            "sign",
            "--key",
            "k2.key",
            "--cert",
            "ecdsa-p256.crt",
            "a.txt",
            "-o",
            "x.p7s",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not belong"), "{}", r.stderr);
    // RSA-2048 signing after 2030: refused with the LS-0003 row.
    openssl(
        &dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "r2.key", "-out", "r2.crt",
            "-subj", "/CN=R2", "-days", "3650",
        ],
    );
    let r = kagi_in(
        &dir,
        &[
            "sign",
            "--key",
            "r2.key",
            "--cert",
            "r2.crt",
            "a.txt",
            "-o",
            "r2.p7s",
            "--as-of",
            "2031-01-01",
        ],
    );
    // A policy refusal answers "no": exit 1 (README's contract).
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("LS-0003"), "{}", r.stderr);
    assert!(!dir.join("r2.p7s").exists() && !dir.join("x.p7s").exists());
}

#[test]
fn a_signed_manifest_reports_added_missing_and_changed_files() {
    let dir = tempdir();
    pki(&dir);
    signer(&dir, "ecdsa-p256", "signing", "365");
    let media = dir.join("媒体");
    std::fs::create_dir_all(media.join("報告書")).unwrap();
    std::fs::write(media.join("報告書/a.pdf"), b"first").unwrap();
    std::fs::write(media.join("b.txt"), b"second").unwrap();
    std::fs::write(media.join("c.bin"), vec![0u8; 100_000]).unwrap();
    let out = ok(
        &dir,
        &[
            "sign",
            "--manifest",
            "媒体",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "--chain",
            "inter.crt",
        ],
    );
    assert!(out.contains("3 files, 0 symbolic links"), "{out}");
    let r = verify(&dir, &["--manifest", "媒体.manifest", "--trust", "ca.crt"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("unchanged"), "{}", r.stdout);
    std::fs::write(media.join("b.txt"), b"Second").unwrap();
    std::fs::remove_file(media.join("c.bin")).unwrap();
    std::fs::write(media.join("d.txt"), b"new").unwrap();
    let r = verify(
        &dir,
        &["--manifest", "媒体.manifest", "--trust", "ca.crt", "--json"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["changed"], serde_json::json!(["b.txt"]));
    assert_eq!(v["missing"], serde_json::json!(["c.bin"]));
    assert_eq!(v["added"], serde_json::json!(["d.txt"]));
    // Editing the manifest itself breaks its signature.
    let m = std::fs::read_to_string(dir.join("媒体.manifest")).unwrap();
    std::fs::write(
        dir.join("媒体.manifest"),
        m.replace("files: 3", "files: 3\n"),
    )
    .unwrap();
    let r = verify(&dir, &["--manifest", "媒体.manifest", "--trust", "ca.crt"]);
    assert_ne!(r.code, 0);
}

/// A P-256 key and a certificate for it made by openssl with `extra` arguments to `x509 -req`
/// (`-days -1`: expired yesterday) or, with `ca_dates`, by `openssl ca` with those dates.
fn openssl_cert(dir: &Path, name: &str, x509_extra: &[&str], ca_dates: Option<(&str, &str)>) {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let crt = format!("{name}.crt");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    match ca_dates {
        None => {
            let mut args = vec!["x509", "-req", "-in", &csr, "-signkey", &key, "-out", &crt];
            args.extend(x509_extra);
            openssl(dir, &args);
        }
        Some((start, end)) => {
            write(
                dir,
                "ca.cnf",
                b"[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n",
            );
            write(dir, "index.txt", b"");
            write(dir, "serial", b"01\n");
            openssl(
                dir,
                &[
                    "ca",
                    "-batch",
                    "-config",
                    "ca.cnf",
                    "-selfsign",
                    "-keyfile",
                    &key,
                    "-in",
                    &csr,
                    "-startdate",
                    start,
                    "-enddate",
                    end,
                    "-out",
                    &crt,
                ],
            );
        }
    }
}

#[test]
fn signing_applies_the_certificate_checks_verify_applies() {
    let dir = tempdir();
    write(&dir, "a.txt", b"a");
    openssl_cert(&dir, "expired", &["-days", "-1"], None);
    openssl_cert(
        &dir,
        "future",
        &[],
        Some(("20991231000000Z", "21001231000000Z")),
    );
    write(&dir, "ku.ext", b"keyUsage=critical,keyEncipherment\n");
    openssl_cert(&dir, "ku", &["-days", "30", "-extfile", "ku.ext"], None);
    // Found by an attacker: what verify rejects beyond dates and key usage.
    write(&dir, "eku.ext", b"extendedKeyUsage=serverAuth\n");
    openssl_cert(&dir, "eku", &["-days", "30", "-extfile", "eku.ext"], None);
    write(
        &dir,
        "ca.ext",
        b"basicConstraints=critical,CA:TRUE\nkeyUsage=digitalSignature,keyCertSign\n",
    );
    openssl_cert(&dir, "caee", &["-days", "30", "-extfile", "ca.ext"], None);
    write(
        &dir,
        "crit.ext",
        b"1.2.3.4.5=critical,ASN1:UTF8String:unknown\n",
    );
    openssl_cert(&dir, "crit", &["-days", "30", "-extfile", "crit.ext"], None);
    for (name, why) in [
        ("expired", "has expired"),
        ("future", "not yet valid"),
        ("ku", "not for signing"),
        ("eku", "extended key usage is serverAuth"),
        ("caee", "is a CA certificate"),
        ("crit", "critical extension"),
    ] {
        let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
        let r = kagi_in(&dir, &["sign", "--key", &key, "--cert", &crt, "a.txt"]);
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(why), "{name}: {}", r.stderr);
        assert!(r.stderr.contains(&crt), "{name}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            !dir.join("a.txt.p7s").exists(),
            "{name}: a signature was written"
        );
        // Sign-then-encrypt applies the same checks; nothing is encrypted either.
        let r = kagi_in(
            &dir,
            &[
                "encrypt",
                "a.txt",
                "--passphrase-env",
                "PW",
                "--iterations",
                "600000",
                "--sign",
                &key,
                "--sign-cert",
                &crt,
                "-o",
                "a.kagi",
            ],
        );
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(why), "{name}: {}", r.stderr);
        assert!(
            !dir.join("a.kagi").exists(),
            "{name}: an envelope was written"
        );
    }
    // A certificate verify accepts (X.509 v3: verify rejects version 1, so sign does too).
    openssl_cert(&dir, "v1", &["-days", "30"], None);
    let r = kagi_in(
        &dir,
        &["sign", "--key", "v1.key", "--cert", "v1.crt", "a.txt"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("version 3"), "{}", r.stderr);
    write(&dir, "good.ext", b"keyUsage=digitalSignature\n");
    openssl_cert(&dir, "good", &["-days", "30", "-extfile", "good.ext"], None);
    ok(
        &dir,
        &["sign", "--key", "good.key", "--cert", "good.crt", "a.txt"],
    );
}

#[test]
fn a_refused_signing_key_is_named_with_its_row_and_rsa_2048_gets_its_date_note() {
    let dir = tempdir();
    write(&dir, "a.txt", b"a");
    openssl(
        &dir,
        &[
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", "r1.key", "-out", "r1.crt",
            "-subj", "/CN=R1", "-days", "30",
        ],
    );
    let r = kagi_in(
        &dir,
        &["sign", "--key", "r1.key", "--cert", "r1.crt", "a.txt"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("kagi: r1.key: refused"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("80-bit") && r.stderr.contains("LS-0003"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("PKCS#8"), "{}", r.stderr);
    assert!(!dir.join("a.txt.p7s").exists());
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "r2.key",
            "-out",
            "r2.crt",
            "-subj",
            "/CN=R2",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "keyUsage=digitalSignature",
        ],
    );
    // Signed as of 2030 (a date, not today: the outcome must not depend on the day the suite
    // runs).
    let out = ok(
        &dir,
        &[
            "sign",
            "--key",
            "r2.key",
            "--cert",
            "r2.crt",
            "a.txt",
            "--as-of",
            "2030-06-01",
        ],
    );
    assert!(out.contains("only until 2030-12-31"), "{out}");
}

#[test]
fn verify_takes_chain_more_than_once_and_names_a_garbage_trust_file() {
    let dir = tempdir();
    pki(&dir);
    signer(&dir, "ecdsa-p256", "signing", "365");
    write(&dir, "a.txt", b"a");
    ok(
        &dir,
        &[
            "sign",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "a.txt",
        ],
    );
    let out = ok(
        &dir,
        &[
            "verify",
            "a.txt",
            "--trust",
            "ca.crt",
            "--chain",
            "inter.crt",
            "--chain",
            "ca.crt",
        ],
    );
    assert!(out.starts_with("valid:"), "{out}");
    write(&dir, "garbage.pem", b"garbage\n");
    write(&dir, "garbage.der", &[0x30, 0x03, 0x02, 0x01, 0x05]);
    for g in ["garbage.pem", "garbage.der"] {
        let r = verify(&dir, &["a.txt", "--trust", g]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.starts_with(&format!("kagi: {g}: ")),
            "{}",
            r.stderr
        );
        for debug in [
            "Der(",
            "UnexpectedTag",
            "NomError",
            "Parsing Error",
            "{",
            "Some(",
        ] {
            assert!(!r.stderr.contains(debug), "{}", r.stderr);
        }
    }
}

/// A signed tree `媒体` (format 2) with a file, a link and a subdirectory.
fn signed_tree(dir: &Path) -> std::path::PathBuf {
    pki(dir);
    signer(dir, "ecdsa-p256", "signing", "365");
    let media = dir.join("媒体");
    std::fs::create_dir_all(media.join("sub")).unwrap();
    std::fs::write(media.join("sub/a.txt"), b"first").unwrap();
    std::os::unix::fs::symlink("sub/a.txt", media.join("latest")).unwrap();
    let out = ok(
        dir,
        &[
            "sign",
            "--manifest",
            "媒体",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "--chain",
            "inter.crt",
        ],
    );
    assert!(out.contains("1 file, 1 symbolic link"), "{out}");
    let text = std::fs::read_to_string(dir.join("媒体.manifest")).unwrap();
    assert!(text.starts_with("kagi-manifest 2\n"), "{text}");
    assert!(text.contains("link  sub/a.txt  latest\n"), "{text}");
    media
}

#[test]
fn a_manifest_given_as_the_file_is_checked_against_its_tree_and_dir_is_never_ignored() {
    let dir = tempdir();
    let media = signed_tree(&dir);
    std::fs::rename(&media, dir.join("copy")).unwrap();
    // Without --manifest: the manifest is known by its content, and --dir is the tree.
    let r = verify(
        &dir,
        &["媒体.manifest", "--trust", "ca.crt", "--dir", "copy"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("unchanged: copy"), "{}", r.stdout);
    std::fs::write(dir.join("copy/sub/a.txt"), b"First").unwrap();
    let r = verify(
        &dir,
        &["媒体.manifest", "--trust", "ca.crt", "--dir", "copy"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("CHANGED: copy"), "{}", r.stdout);
    // The verdict "valid" is the signature's, said so; the tree's is CHANGED.
    assert!(r.stdout.starts_with("signature valid: "), "{}", r.stdout);
    assert!(r.stdout.contains("changed:     sub/a.txt"), "{}", r.stdout);
    // Without --dir, the recorded root beside the manifest; here it is gone: an error, not
    // "valid".
    let r = verify(&dir, &["媒体.manifest", "--trust", "ca.crt"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--dir"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    // --dir with a file that is not a manifest is refused, not ignored.
    write(&dir, "x.txt", b"x");
    ok(
        &dir,
        &[
            "sign",
            "x.txt",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
        ],
    );
    let r = verify(
        &dir,
        &[
            "x.txt",
            "--trust",
            "ca.crt",
            "--chain",
            "inter.crt",
            "--dir",
            "copy",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not a kagi manifest"), "{}", r.stderr);
    assert!(!r.stdout.contains("valid"), "{}", r.stdout);
}

#[test]
fn links_added_removed_or_retargeted_and_special_files_are_changes() {
    let dir = tempdir();
    let media = signed_tree(&dir);
    let check = |want: &[&str]| {
        let r = verify(&dir, &["--manifest", "媒体.manifest", "--trust", "ca.crt"]);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        for w in want {
            assert!(r.stdout.contains(w), "want {w:?} in\n{}", r.stdout);
        }
    };
    // Added, even pointing outside the tree.
    std::os::unix::fs::symlink("/etc/passwd", media.join("sub/passwd")).unwrap();
    check(&["added:       sub/passwd (symbolic link → /etc/passwd)"]);
    std::fs::remove_file(media.join("sub/passwd")).unwrap();
    // Retargeted.
    std::fs::remove_file(media.join("latest")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", media.join("latest")).unwrap();
    check(&[
        "changed:     latest (was symbolic link → sub/a.txt, now symbolic link → /etc/passwd)",
    ]);
    // Removed.
    std::fs::remove_file(media.join("latest")).unwrap();
    check(&["missing:     latest (symbolic link → sub/a.txt)"]);
    std::os::unix::fs::symlink("sub/a.txt", media.join("latest")).unwrap();
    // A FIFO appearing in the tree.
    let st = std::process::Command::new("mkfifo")
        .arg(media.join("pipe"))
        .status()
        .unwrap();
    assert!(st.success());
    let r = verify(
        &dir,
        &["--manifest", "媒体.manifest", "--trust", "ca.crt", "--json"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["added"], serde_json::json!(["pipe"]));
    assert_eq!(v["format"], 2);
    std::fs::remove_file(media.join("pipe")).unwrap();
    let r = verify(&dir, &["--manifest", "媒体.manifest", "--trust", "ca.crt"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_format_1_manifest_is_still_read_and_says_links_were_not_checked() {
    let dir = tempdir();
    let media = signed_tree(&dir);
    // A format-1 manifest of the same tree (files only), signed as format 1 was.
    let m2 = std::fs::read_to_string(dir.join("媒体.manifest")).unwrap();
    let file_line = m2.lines().find(|l| l.ends_with("  sub/a.txt")).unwrap();
    write(
        &dir,
        "old.manifest",
        format!("kagi-manifest 1\nroot: 媒体\nfiles: 1\n{file_line}\n").as_bytes(),
    );
    ok(
        &dir,
        &[
            "sign",
            "old.manifest",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "--chain",
            "inter.crt",
        ],
    );
    std::os::unix::fs::symlink("/etc/passwd", media.join("passwd")).unwrap();
    let r = verify(&dir, &["old.manifest", "--trust", "ca.crt"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("format-1 manifest recorded regular files only"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("not checked: passwd (symbolic link → /etc/passwd)"),
        "{}",
        r.stdout
    );
    // Its files are still checked.
    std::fs::write(media.join("sub/a.txt"), b"other").unwrap();
    let r = verify(&dir, &["old.manifest", "--trust", "ca.crt"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

/// Found by an attacker: a manifest with a byte-order mark, signed as a plain file, was
/// "valid" without its tree being checked. It is judged as a manifest and refused.
#[test]
fn a_manifest_behind_a_byte_order_mark_is_never_passed_as_a_plain_file() {
    let dir = tempdir();
    signed_tree(&dir);
    let text = std::fs::read(dir.join("媒体.manifest")).unwrap();
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(&text);
    std::fs::write(dir.join("bom.manifest"), bom).unwrap();
    ok(
        &dir,
        &[
            "sign",
            "bom.manifest",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "--chain",
            "inter.crt",
        ],
    );
    std::fs::write(dir.join("媒体/sub/a.txt"), b"changed").unwrap();
    let r = verify(&dir, &["bom.manifest", "--trust", "ca.crt"]);
    assert_ne!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("valid: bom.manifest"), "{}", r.stdout);
}

/// Found by fuzzing (`manifest`): a name ending in a carriage return was written raw and read
/// back without it, so the tree that was signed failed to verify (`report\r` missing, added).
#[test]
fn a_file_name_ending_in_cr_signs_and_verifies() {
    let dir = tempdir();
    pki(&dir);
    signer(&dir, "ecdsa-p256", "signing", "365");
    let media = dir.join("媒体");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("report\r"), b"first").unwrap();
    std::os::unix::fs::symlink("report\r", media.join("latest\r")).unwrap();
    ok(
        &dir,
        &[
            "sign",
            "--manifest",
            "媒体",
            "--key",
            "ecdsa-p256.key",
            "--passphrase-env",
            "PW",
            "--cert",
            "ecdsa-p256.crt",
            "--chain",
            "inter.crt",
        ],
    );
    let text = std::fs::read_to_string(dir.join("媒体.manifest")).unwrap();
    assert!(text.contains("report\\r\n"), "{text:?}");
    let r = verify(&dir, &["--manifest", "媒体.manifest", "--trust", "ca.crt"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The name is checked, not ignored: a changed file under it is reported.
    std::fs::write(media.join("report\r"), b"First").unwrap();
    let r = verify(&dir, &["--manifest", "媒体.manifest", "--trust", "ca.crt"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}
