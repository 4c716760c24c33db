//! The harness for CLI tests: the real `kagi` binary (and `openssl`), run in a fresh temp dir
//! with a scrubbed environment. The helpers live in the `test-support` crate (shared with
//! crypto-core's and erase's tests); this module binds them to this package's `kagi` binary
//! and keeps the names the test files use.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use std::path::Path;

pub use test_support::tools::{require, skip};
pub use test_support::{Ca, Kagi, Loop, PW, Run, TempDir, tempdir};

/// The `kagi` binary of this package.
pub fn bin() -> Kagi {
    Kagi::new(env!("CARGO_BIN_EXE_kagi"))
}

/// Runs kagi in `dir` (clean environment, `PW`, `KAGI_STATE_DIR=dir/state`).
pub fn kagi_in(dir: &Path, args: &[&str]) -> Run {
    bin().run(dir, args)
}

/// Starts kagi in `dir` (same environment as `kagi_in`) with stderr piped, for tests that
/// interrupt it.
pub fn spawn_kagi(dir: &Path, args: &[&str]) -> std::process::Child {
    bin().spawn(dir, args)
}

/// Runs kagi in a fresh directory.
pub fn kagi(args: &[&str]) -> Run {
    kagi_in(&tempdir(), args)
}

/// Runs kagi and insists on exit 0.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    bin().ok(dir, args)
}

/// Runs openssl and insists on exit 0.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let r = test_support::run_in("openssl", dir, args, &[("PW", PW)]);
    assert_eq!(r.code, 0, "openssl {args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

/// `openssl dgst -sha256` of the DER SubjectPublicKeyInfo of a key file, as kagi prints it.
pub fn openssl_fingerprint(dir: &Path, key: &str, encrypted: bool) -> String {
    let mut args = vec![
        "pkey", "-in", key, "-pubout", "-outform", "DER", "-out", "spki.der",
    ];
    if encrypted {
        args.extend(["-passin", "env:PW"]);
    }
    openssl(dir, &args);
    let out = openssl(dir, &["dgst", "-sha256", "-r", "spki.der"]);
    format!("sha256:{}", out.split_whitespace().next().unwrap())
}
