//! `kagi encrypt` / `decrypt` / `inspect` through the real binary: every recipient type,
//! cipher, input kind and boundary size; the attacks; nothing released or left behind.
#![allow(clippy::unwrap_used)]

mod common;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

const MIB: usize = 1 << 20;

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 7919) % 251) as u8).collect()
}

fn recipients(dir: &Path) {
    for (alg, name) in [
        ("rsa-3072", "rsa"),
        ("ecdh-p256", "p256"),
        ("ecdh-p384", "p384"),
    ] {
        ok(
            dir,
            &[
                "key",
                "gen",
                "--alg",
                alg,
                "--out",
                &format!("{name}.key"),
                "--passphrase-env",
                "PW",
                "--iterations",
                "600000",
            ],
        );
        ok(
            dir,
            &[
                "cert",
                "self-sign",
                "--key",
                &format!("{name}.key"),
                "--passphrase-env",
                "PW",
                "--subject",
                &format!("CN={name} 受信者,O=テスト省"),
                "--profile",
                "encryption",
                "--out",
                &format!("{name}.crt"),
            ],
        );
    }
    ok(
        dir,
        &[
            "key",
            "public",
            "p384.key",
            "--passphrase-env",
            "PW",
            "--out",
            "p384.pub",
        ],
    );
    ok(
        dir,
        &[
            "key",
            "gen",
            "--alg",
            "symmetric",
            "--unencrypted",
            "--out",
            "sym.key",
        ],
    );
}

fn only_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn every_recipient_type_and_size_round_trips() {
    let dir = tempdir();
    recipients(&dir);
    for n in [0, 1, MIB - 1, MIB, MIB + 1, 3 * MIB + 5] {
        std::fs::write(dir.join("in.bin"), data(n)).unwrap();
        let before = std::fs::read(dir.join("in.bin")).unwrap();
        ok(
            &dir,
            &[
                "encrypt", "in.bin", "-r", "rsa.crt", "-r", "p256.crt", "-r", "p384.pub", "-o",
                "in.kagi", "--force",
            ],
        );
        assert_eq!(
            std::fs::read(dir.join("in.bin")).unwrap(),
            before,
            "the input is untouched"
        );
        for key in ["rsa.key", "p256.key", "p384.key"] {
            ok(
                &dir,
                &[
                    "decrypt",
                    "in.kagi",
                    "-i",
                    key,
                    "--identity-passphrase-env",
                    "PW",
                    "-o",
                    "out.bin",
                    "--force",
                ],
            );
            assert_eq!(
                std::fs::read(dir.join("out.bin")).unwrap(),
                before,
                "{n} bytes, {key}"
            );
            assert_eq!(
                std::fs::metadata(dir.join("out.bin"))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777,
                0o600
            );
        }
    }
    // A passphrase, and a key file.
    std::fs::write(dir.join("in.bin"), data(MIB + 1)).unwrap();
    ok(
        &dir,
        &[
            "encrypt",
            "in.bin",
            "--passphrase-env",
            "PW",
            "--iterations",
            "600000",
            "-o",
            "p.kagi",
        ],
    );
    ok(
        &dir,
        &["decrypt", "p.kagi", "--passphrase-env", "PW", "-o", "p.out"],
    );
    assert_eq!(std::fs::read(dir.join("p.out")).unwrap(), data(MIB + 1));
    ok(&dir, &["encrypt", "in.bin", "--key-file", "sym.key"]);
    ok(
        &dir,
        &[
            "decrypt",
            "in.bin.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "k.out",
        ],
    );
    assert_eq!(std::fs::read(dir.join("k.out")).unwrap(), data(MIB + 1));
}

#[test]
fn every_cipher_round_trips_and_inspect_needs_no_key() {
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
        ],
    );
    std::fs::write(dir.join("in.bin"), data(MIB + 17)).unwrap();
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_650_000_000);
    std::fs::File::options()
        .write(true)
        .open(dir.join("in.bin"))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    for cipher in [
        "aes-256-gcm",
        "aes-128-gcm",
        "camellia-128-gcm",
        "camellia-256-gcm",
        "chacha20-poly1305",
    ] {
        ok(
            &dir,
            &[
                "encrypt",
                "in.bin",
                "--key-file",
                "sym.key",
                "--cipher",
                cipher,
                "--label",
                "機密性3,完全性1,可用性2",
                "--handling",
                "関係者限り 複製禁止",
                "-o",
                "c.kagi",
                "--force",
            ],
        );
        let shown = ok(&dir, &["inspect", "c.kagi", "--json"]);
        let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(v["cipher"], cipher);
        assert_eq!(v["label"]["confidentiality"], 3);
        assert_eq!(v["label"]["integrity"], 1);
        assert_eq!(v["label"]["handling"], "関係者限り 複製禁止");
        assert_eq!(v["plaintext_bytes"], MIB + 17);
        ok(
            &dir,
            &[
                "decrypt",
                "c.kagi",
                "--key-file",
                "sym.key",
                "-o",
                "c.out",
                "--force",
            ],
        );
        assert_eq!(
            std::fs::read(dir.join("c.out")).unwrap(),
            data(MIB + 17),
            "{cipher}"
        );
        assert_eq!(
            std::fs::metadata(dir.join("c.out"))
                .unwrap()
                .modified()
                .unwrap(),
            mtime,
            "the mtime travels"
        );
    }
}

#[test]
fn stdin_to_stdout_round_trips() {
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
        ],
    );
    std::fs::write(dir.join("in.bin"), data(2 * MIB + 3)).unwrap();
    let sh = |cmd: &str| {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .current_dir(&*dir)
            .env("K", env!("CARGO_BIN_EXE_kagi"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    sh("\"$K\" encrypt --key-file sym.key < in.bin > piped.kagi");
    sh("\"$K\" decrypt --key-file sym.key < piped.kagi > piped.out");
    assert_eq!(
        std::fs::read(dir.join("piped.out")).unwrap(),
        data(2 * MIB + 3)
    );
}

#[test]
fn a_directory_tree_round_trips_with_modes_mtimes_and_links() {
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
        ],
    );
    let t = dir.join("送付資料");
    std::fs::create_dir_all(t.join("報告書/2026")).unwrap();
    std::fs::write(t.join("報告書/2026/a.pdf"), data(MIB + 9)).unwrap();
    std::fs::write(t.join("b.txt"), b"second").unwrap();
    std::fs::write(t.join("empty"), b"").unwrap();
    std::fs::set_permissions(t.join("b.txt"), std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("b.txt", t.join("link")).unwrap();
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    std::fs::File::options()
        .write(true)
        .open(t.join("b.txt"))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    ok(&dir, &["encrypt", "送付資料", "--key-file", "sym.key"]);
    ok(
        &dir,
        &[
            "decrypt",
            "送付資料.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "戻り",
        ],
    );
    let back = dir.join("戻り");
    assert_eq!(
        std::fs::read(back.join("報告書/2026/a.pdf")).unwrap(),
        data(MIB + 9)
    );
    assert_eq!(std::fs::read(back.join("b.txt")).unwrap(), b"second");
    assert_eq!(std::fs::read(back.join("empty")).unwrap(), b"");
    assert_eq!(
        std::fs::metadata(back.join("b.txt"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o640
    );
    assert_eq!(
        std::fs::metadata(back.join("b.txt"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
    assert_eq!(
        std::fs::read_link(back.join("link")).unwrap(),
        Path::new("b.txt")
    );
    // A tampered tree leaves nothing behind, not even the hidden unpacking directory.
    let mut enc = std::fs::read(dir.join("送付資料.kagi")).unwrap();
    let n = enc.len();
    enc[n - 100] ^= 1;
    std::fs::write(dir.join("bad.kagi"), enc).unwrap();
    let r = kagi_in(
        &dir,
        &["decrypt", "bad.kagi", "--key-file", "sym.key", "-o", "bad"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        !only_files(&dir)
            .iter()
            .any(|f| f.starts_with("bad") && f != "bad.kagi" || f.starts_with(".bad")),
        "{:?}",
        only_files(&dir)
    );
}

#[test]
fn a_loop_device_image_round_trips() {
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
        ],
    );
    let img = dir.join("media.img");
    let mut bytes = data(8 * MIB);
    bytes[..16].copy_from_slice(b"media boot block");
    std::fs::write(&img, &bytes).unwrap();
    // Detached when dropped, also if the test panics.
    let dev = Loop::new(&img);
    let r = kagi_in(
        &dir,
        &[
            "encrypt",
            &dev.0,
            "--key-file",
            "sym.key",
            "-o",
            "media.kagi",
        ],
    );
    drop(dev);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["inspect", "media.kagi", "--json"])).unwrap();
    assert_eq!(v["plaintext_bytes"], 8 * MIB);
    ok(
        &dir,
        &[
            "decrypt",
            "media.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "back.img",
        ],
    );
    assert_eq!(std::fs::read(dir.join("back.img")).unwrap(), bytes);
}

#[test]
fn attacks_fail_clearly_and_leave_nothing() {
    let dir = tempdir();
    recipients(&dir);
    std::fs::write(dir.join("in.bin"), data(3 * MIB + 5)).unwrap();
    ok(
        &dir,
        &[
            "encrypt",
            "in.bin",
            "-r",
            "p256.crt",
            "--label",
            "機密性3",
            "-o",
            "x.kagi",
        ],
    );
    let good = std::fs::read(dir.join("x.kagi")).unwrap();
    let header_len = 13 + u32::from_be_bytes([good[9], good[10], good[11], good[12]]) as usize + 32;
    let try_file = |name: &str, bytes: &[u8], code: i32, why: &str| {
        std::fs::write(dir.join(name), bytes).unwrap();
        let r = kagi_in(
            &dir,
            &[
                "decrypt",
                name,
                "-i",
                "p256.key",
                "--identity-passphrase-env",
                "PW",
                "-o",
                "out.bin",
            ],
        );
        assert_eq!(r.code, code, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(why),
            "{name}: wanted {why:?} in {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(!dir.join("out.bin").exists(), "{name}: no output");
        assert!(
            !only_files(&dir).iter().any(|f| f.starts_with(".out.bin")),
            "{name}: no temporary file"
        );
    };
    // The label lowered from 機密性3 to 1.
    let mut b = good.clone();
    let label_at = 13 + 2 + 16;
    assert_eq!(b[label_at], 3);
    b[label_at] = 1;
    try_file("label.kagi", &b, 1, "header is not authentic");
    // A flipped bit in the recipient entry.
    let mut b = good.clone();
    b[label_at + 3 + 2 + 10] ^= 0x10;
    try_file("recipient.kagi", &b, 2, "none of the given keys");
    // A flipped bit in the MAC, in the first chunk, in the last chunk.
    for (name, at) in [
        ("mac.kagi", header_len - 5),
        ("chunk0.kagi", header_len + 100),
        ("last.kagi", good.len() - 3),
    ] {
        let mut b = good.clone();
        b[at] ^= 1;
        try_file(name, &b, 1, "not authentic");
    }
    // Truncated at a chunk boundary and in the middle; bytes appended; chunks swapped.
    let chunk = MIB + 16;
    try_file(
        "cut.kagi",
        &good[..header_len + 2 * chunk],
        1,
        "final chunk",
    );
    try_file("cut2.kagi", &good[..good.len() - 7], 1, "not authentic");
    try_file("header-only.kagi", &good[..header_len], 1, "truncated");
    try_file("short.kagi", &good[..20], 2, "truncated");
    let mut b = good.clone();
    b.extend_from_slice(b"appended");
    try_file("append.kagi", &b, 1, "not authentic");
    let mut b = good[..header_len].to_vec();
    b.extend_from_slice(&good[header_len + chunk..header_len + 2 * chunk]);
    b.extend_from_slice(&good[header_len..header_len + chunk]);
    b.extend_from_slice(&good[header_len + 2 * chunk..]);
    try_file("swap.kagi", &b, 1, "chunk 0 does not authenticate");
    try_file(
        "junk.kagi",
        b"hello, not an envelope",
        2,
        "not a kagi encrypted file",
    );
    // The wrong key, the wrong passphrase.
    let r = kagi_in(
        &dir,
        &[
            "decrypt",
            "x.kagi",
            "-i",
            "p384.key",
            "--identity-passphrase-env",
            "PW",
            "-o",
            "out.bin",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("none of the given keys is a recipient"),
        "{}",
        r.stderr
    );
    ok(
        &dir,
        &[
            "encrypt",
            "in.bin",
            "--passphrase-env",
            "PW",
            "--iterations",
            "600000",
            "-o",
            "p.kagi",
        ],
    );
    std::fs::write(dir.join("wrong"), "not the passphrase\n").unwrap();
    let r = kagi_in(
        &dir,
        &[
            "decrypt",
            "p.kagi",
            "--passphrase-file",
            "wrong",
            "-o",
            "out.bin",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("wrong passphrase"), "{}", r.stderr);
    assert!(!dir.join("out.bin").exists());
    // To stdout, only authenticated chunks are released: two whole chunks, then exit 1.
    let mut b = good.clone();
    b[header_len + 2 * chunk + 50] ^= 1;
    std::fs::write(dir.join("third.kagi"), &b).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kagi"))
        .args([
            "decrypt",
            "third.kagi",
            "-i",
            "p256.key",
            "--identity-passphrase-env",
            "PW",
            "-o",
            "-",
        ])
        .current_dir(&*dir)
        .env("PW", PW)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout.len(), 2 * MIB);
    assert_eq!(&out.stdout[..], &data(3 * MIB + 5)[..2 * MIB]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped at the last authentic chunk"));
}

#[test]
fn refusals_name_the_rule_and_nothing_is_overwritten() {
    let dir = tempdir();
    recipients(&dir);
    std::fs::write(dir.join("in.bin"), b"data").unwrap();
    // A signing-only certificate is not a recipient.
    ok(
        &dir,
        &[
            "cert",
            "self-sign",
            "--key",
            "p256.key",
            "--passphrase-env",
            "PW",
            "--subject",
            "CN=Signer",
            "--out",
            "sign.crt",
        ],
    );
    let r = kagi_in(&dir, &["encrypt", "in.bin", "-r", "sign.crt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("keyAgreement"), "{}", r.stderr);
    // RSA-2048 after 2030, and Camellia under egov-high (allowed) vs a cipher name typo.
    openssl(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "r2.key",
        ],
    );
    openssl(
        &dir,
        &["pkey", "-in", "r2.key", "-pubout", "-out", "r2.pub"],
    );
    let r = kagi_in(
        &dir,
        &["encrypt", "in.bin", "-r", "r2.pub", "--as-of", "2031-01-01"],
    );
    // A recipient the policy refuses answers "no": exit 1, as every policy refusal.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("LS-0003"), "{}", r.stderr);
    assert!(!dir.join("in.bin.kagi").exists());
    // Before 2031 it is permitted, with the note `key gen` gives.
    let r = kagi_in(
        &dir,
        &[
            "encrypt",
            "in.bin",
            "-r",
            "r2.pub",
            "--as-of",
            "2030-06-01",
            "-o",
            "r2.kagi",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("r2.pub: note: rsa-2048 may protect new data only until 2030-12-31"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(dir.join("r2.kagi")).unwrap();
    let r = kagi_in(
        &dir,
        &[
            "encrypt",
            "in.bin",
            "--key-file",
            "sym.key",
            "--cipher",
            "aes-256-cbc",
        ],
    );
    assert_eq!(r.code, 2);
    // A passphrase with other recipients, a bad label.
    let r = kagi_in(
        &dir,
        &[
            "encrypt",
            "in.bin",
            "-r",
            "p256.crt",
            "--passphrase-env",
            "PW",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("only recipient"), "{}", r.stderr);
    let r = kagi_in(
        &dir,
        &[
            "encrypt",
            "in.bin",
            "--key-file",
            "sym.key",
            "--label",
            "機密性4",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("1-3"), "{}", r.stderr);
    assert!(!dir.join("in.bin.kagi").exists());
    // No overwrite without --force, in either direction.
    ok(&dir, &["encrypt", "in.bin", "--key-file", "sym.key"]);
    let before = std::fs::read(dir.join("in.bin.kagi")).unwrap();
    let r = kagi_in(&dir, &["encrypt", "in.bin", "--key-file", "sym.key"]);
    assert_eq!(r.code, 2);
    assert_eq!(std::fs::read(dir.join("in.bin.kagi")).unwrap(), before);
    let r = kagi_in(&dir, &["decrypt", "in.bin.kagi", "--key-file", "sym.key"]);
    assert_eq!(r.code, 2, "in.bin exists");
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("in.bin")).unwrap(), b"data");
}

#[test]
fn four_gib_round_trip_in_bounded_memory() {
    // 4 GiB of zeros through encrypt and decrypt in a pipe; each process's peak RSS measured by
    // GNU time (.ci/run installs it). SHA-256 of 2^32 zero bytes, from `head -c 4G /dev/zero | sha256sum`.
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
        ],
    );
    let script = r#"set -o pipefail
head -c 4G /dev/zero \
 | /usr/bin/time -f "%M" -o enc.rss "$K" encrypt --key-file sym.key -o - \
 | /usr/bin/time -f "%M" -o dec.rss "$K" decrypt --key-file sym.key -o - \
 | sha256sum | cut -d' ' -f1"#;
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(&*dir)
        .env("K", env!("CARGO_BIN_EXE_kagi"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "8479e43911dc45e89f934fe48d01297e16f51d17aa561d4d1c216b1ae0fcddca"
    );
    for f in ["enc.rss", "dec.rss"] {
        let kb: u64 = std::fs::read_to_string(dir.join(f))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(kb < 64 * 1024, "{f}: peak RSS {kb} KiB");
    }
}

#[test]
fn sign_then_encrypt_is_checked_on_decrypt() {
    let dir = tempdir();
    recipients(&dir);
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ecdsa-p384",
            "--out",
            "ca.key",
            "--unencrypted",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "self-sign",
            "--key",
            "ca.key",
            "--subject",
            "CN=署名 CA",
            "--ca",
            "--out",
            "ca.crt",
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
            "signer.key",
            "--unencrypted",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "request",
            "--key",
            "signer.key",
            "--subject",
            "CN=差出人",
            "--out",
            "signer.csr",
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
            "ca.key",
            "--csr",
            "signer.csr",
            "--out",
            "signer.crt",
        ],
    );
    std::fs::write(dir.join("doc.txt"), "署名してから暗号化\n").unwrap();
    ok(
        &dir,
        &[
            "encrypt",
            "doc.txt",
            "-r",
            "p256.crt",
            "--sign",
            "signer.key",
            "--sign-cert",
            "signer.crt",
            "-o",
            "doc.kagi",
        ],
    );
    let dec = |out: &str, trust: Option<&str>| {
        let mut args = vec![
            "decrypt",
            "doc.kagi",
            "-i",
            "p256.key",
            "--identity-passphrase-env",
            "PW",
            "-o",
            out,
        ];
        if let Some(t) = trust {
            args.extend(["--trust", t]);
        }
        kagi_in(&dir, &args)
    };
    let r = dec("a.txt", Some("ca.crt"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("signature valid: signed by CN=差出人"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("a.txt")).unwrap(),
        "署名してから暗号化\n"
    );
    // Trusting another CA: a "no", and nothing written.
    ok(
        &dir,
        &[
            "cert",
            "self-sign",
            "--key",
            "p256.key",
            "--passphrase-env",
            "PW",
            "--subject",
            "CN=Other",
            "--ca",
            "--out",
            "other.crt",
        ],
    );
    let r = dec("b.txt", Some("other.crt"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("untrusted") && r.stderr.contains("nothing was written"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("b.txt").exists());
    // Without trust anchors: decrypted, the signer reported as unchecked.
    let r = dec("c.txt", None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("NOT checked against a trust anchor"),
        "{}",
        r.stderr
    );
    // Signing needs a file input.
    let r = kagi_in(
        &dir,
        &[
            "encrypt",
            "-",
            "-r",
            "p256.crt",
            "--sign",
            "signer.key",
            "--sign-cert",
            "signer.crt",
            "-o",
            "x.kagi",
        ],
    );
    assert_eq!(r.code, 2);
}

#[test]
fn a_hybrid_post_quantum_recipient_round_trips_and_only_its_key_opens() {
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
        ],
    );
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "hybrid-p384-mlkem1024",
            "--unencrypted",
            "--out",
            "other.key",
        ],
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join("pq.key")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    std::fs::write(
        dir.join("plan.txt"),
        "2035年までに耐量子計算機暗号へ移行する".repeat(1000),
    )
    .unwrap();
    ok(
        &dir,
        &["encrypt", "plan.txt", "-r", "pq.key.pub", "-o", "plan.kagi"],
    );
    let shown = ok(&dir, &["inspect", "plan.kagi"]);
    assert!(shown.contains("ML-KEM-1024"), "{shown}");
    let r = kagi_in(
        &dir,
        &["decrypt", "plan.kagi", "-i", "other.key", "-o", "wrong.txt"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!dir.join("wrong.txt").exists());
    ok(
        &dir,
        &["decrypt", "plan.kagi", "-i", "pq.key", "-o", "back.txt"],
    );
    assert_eq!(
        std::fs::read(dir.join("back.txt")).unwrap(),
        std::fs::read(dir.join("plan.txt")).unwrap()
    );
    // The audit judges both halves of the key and of the envelope's recipient.
    let a = kagi_in(
        &dir,
        &["audit", "plan.kagi", "pq.key.pub", "--format", "json"],
    );
    assert_eq!(a.code, 0, "{}{}", a.stdout, a.stderr);
    let v: serde_json::Value = serde_json::from_str(&a.stdout).unwrap();
    let algs: Vec<&str> = v["artefacts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| {
            x["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["algorithm"].as_str().unwrap())
        })
        .collect();
    assert!(
        algs.contains(&"ml-kem-1024") && algs.contains(&"ecdh-p384"),
        "{algs:?}"
    );
}

#[test]
fn labels_take_every_form_the_help_offers_and_decrypt_help_tells_the_truth() {
    let dir = tempdir();
    std::fs::write(dir.join("in.txt"), b"data").unwrap();
    for (label, shown) in [
        ("C 3,I 2,A 1", "機密性3 完全性2 可用性1"),
        ("3,2,2", "機密性3 完全性2 可用性2"),
        ("機密性３", "機密性3 完全性2 可用性2"),
        ("Ｃ３，Ｉ１", "機密性3 完全性1 可用性2"),
    ] {
        let r = kagi_in(
            &dir,
            &[
                "encrypt",
                "in.txt",
                "--passphrase-env",
                "PW",
                "--iterations",
                "600000",
                "--label",
                label,
                "-o",
                "l.kagi",
                "--force",
            ],
        );
        assert_eq!(r.code, 0, "{label}: {}", r.stderr);
        assert!(r.stderr.contains(shown), "{label}: {}", r.stderr);
    }
    let help = ok(&dir, &["encrypt", "--help"]);
    assert!(
        help.contains("C 3,I 2,A 1") && help.contains("3,2,2"),
        "{help}"
    );
    let help = ok(&dir, &["decrypt", "--help"]);
    assert!(!help.contains("nothing is released before"), "{help}");
    assert!(help.contains("-o FILE") && help.contains("chunk"), "{help}");
}
