//! Files under `test-vectors/` that tests read.

use std::path::PathBuf;

/// The repository's `test-vectors` directory.
pub fn test_vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

/// A fixed CA bundle: the 142 Mozilla roots of Debian 12's ca-certificates 20230311+deb12u1
/// (`test-vectors/ca-bundle/README.md` has the provenance and SHA-256), for exact
/// assertions that do not depend on the host's bundle.
pub fn ca_bundle() -> PathBuf {
    test_vectors().join("ca-bundle/mozilla-debian-20230311.crt")
}

/// The date tests judge [`ca_bundle`] on (explicit, so the verdicts do not move with the
/// clock).
pub const CA_BUNDLE_AS_OF: &str = "2026-06-01";

/// The host's CA bundle (Debian's ca-certificates); tests on it assert only agreement with
/// openssl.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
