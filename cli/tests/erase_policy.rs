//! `--policy` and `--as-of` reach `erase verify`, `certificate verify | render` and
//! `ledger verify | export` (they judged by a hard-coded `egov` before): a certificate valid
//! under `egov` is refused under `pqc` (whose Table 2 has no SHA-256 or ECDSA), an unknown
//! policy or a malformed date is an error. A regular file stands in for a device.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A fresh directory, removed when dropped.
struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir() -> Dir {
    let d = std::env::temp_dir().join(format!("kagi-erase-policy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Dir(d)
}

fn kagi(dir: &Path, args: &[&str]) -> Run {
    // A cleared environment that keeps the CI's faked clock (test_support::process).
    let out = test_support::process::clean_command(env!("CARGO_BIN_EXE_kagi"))
        .args(args)
        .current_dir(dir)
        .env("KAGI_STATE_DIR", dir.join("state"))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(dir: &Path, args: &[&str]) -> Run {
    let r = kagi(dir, args);
    assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    r
}

#[test]
fn verify_render_and_the_ledger_judge_by_the_policy_they_are_given() {
    let d = dir();
    let d = d.0.as_path();
    ok(
        d,
        &[
            "key",
            "gen",
            "--alg",
            "ecdsa-p256",
            "--unencrypted",
            "--out",
            "op.key",
        ],
    );
    ok(
        d,
        &[
            "cert",
            "self-sign",
            "--key",
            "op.key",
            "--subject",
            "CN=Op,O=T",
            "--profile",
            "erase",
            "--days",
            "30",
            "--out",
            "op.crt",
        ],
    );
    std::fs::write(d.join("f.bin"), vec![0x3c; 1 << 20]).unwrap();
    ok(
        d,
        &[
            "erase",
            "run",
            "f.bin",
            "--yes",
            "--sign-key",
            "op.key",
            "--sign-cert",
            "op.crt",
            "--organisation",
            "T",
            "--operator",
            "O",
            "--role",
            "R",
            "--certificate-dir",
            "certs",
        ],
    );
    let cert = std::fs::read_dir(d.join("certs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .unwrap();
    let cert = cert.to_str().unwrap();

    // egov (the default) and an explicit --as-of: valid.
    ok(d, &["certificate", "verify", cert, "--trust", "op.crt"]);
    ok(
        d,
        &[
            "certificate",
            "render",
            cert,
            "--html",
            "a.html",
            "--trust",
            "op.crt",
            "--as-of",
            "2027-01-01",
        ],
    );
    ok(d, &["ledger", "verify", "--policy", "egov"]);
    ok(
        d,
        &[
            "ledger",
            "export",
            "--out",
            "copy.jsonl",
            "--as-of",
            "2027-01-01",
        ],
    );

    // pqc: the same certificate and ledger are refused, each a "no" (exit 1) naming why.
    let r = kagi(
        d,
        &[
            "certificate",
            "verify",
            cert,
            "--trust",
            "op.crt",
            "--policy",
            "pqc",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("INVALID") && r.stdout.contains("not on Table 2"),
        "{}",
        r.stdout
    );
    for args in [
        &[
            "certificate",
            "render",
            cert,
            "--html",
            "b.html",
            "--trust",
            "op.crt",
            "--policy",
            "pqc",
        ][..],
        &["ledger", "verify", "--policy", "pqc"][..],
        &[
            "ledger",
            "export",
            "--out",
            "copy2.jsonl",
            "--policy",
            "pqc",
        ][..],
    ] {
        let r = kagi(d, args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("policy `pqc`"), "{args:?}: {}", r.stderr);
    }

    // Bad flags are errors (exit 2), not ignored.
    std::fs::write(d.join("z.bin"), vec![0u8; 1 << 20]).unwrap();
    ok(
        d,
        &[
            "erase",
            "verify",
            "z.bin",
            "--expect",
            "zero",
            "--policy",
            "egov-high",
        ],
    );
    for args in [
        &[
            "erase", "verify", "z.bin", "--expect", "zero", "--policy", "nosuch",
        ][..],
        &[
            "certificate",
            "render",
            cert,
            "--html",
            "c.html",
            "--as-of",
            "someday",
        ][..],
        &["ledger", "verify", "--as-of", "2027-13-45"][..],
    ] {
        let r = kagi(d, args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("nosuch") || r.stderr.contains("not a date"),
            "{args:?}: {}",
            r.stderr
        );
    }
}
