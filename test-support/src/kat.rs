//! The self-tests `kagi selftest` must report, worked out from the vector files
//! (`test-vectors/kat/*.toml`) independently of crypto-core's own reading of them.

use std::path::PathBuf;

/// The vector kinds (arrays of tables) the self-tests run, one test per vector. A kind in the
/// files that is not here fails [`expected_selftests`]: a vector nobody runs is a gap.
pub const VECTOR_KINDS: &[&str] = &[
    "aead", "block", "cbc", "mode", "ccm", "cmac", "xts", "mlkem", "stream", "dsa", "hash", "hmac",
    "hkdf", "pbkdf2", "ed25519", "verify", "oaep", "ecdh",
];

/// Self-tests computed rather than read from a file (pairwise consistency, DH agreement,
/// entity-authentication rounds): their names.
pub const COMPUTED: &[&str] = &[
    "pairwise RsaPssSha256",
    "pairwise RsaPkcs1Sha256",
    "pairwise EcdsaP256Sha256",
    "pairwise EcdsaP384Sha384",
    "pairwise dh ffdhe2048",
    "entity-auth ISO/IEC 9798-4",
    "entity-auth ISO/IEC 9798-2",
    "entity-auth ISO/IEC 9798-3",
];

/// The repository's `test-vectors/kat` directory.
pub fn kat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/kat")
}

/// Every self-test as `(name, Some(source))` for a vector from the files (a `verify` vector
/// is named `verify NAME`) or `(name, None)` for a computed one, sorted.
pub fn expected_selftests() -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for file in ["published.toml", "wycheproof.toml"] {
        let path = kat_dir().join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (kind, value) in doc {
            assert!(
                VECTOR_KINDS.contains(&kind.as_str()),
                "{file}: vectors of kind [[{kind}]] are not among the kinds the self-tests run"
            );
            for v in value.as_array().unwrap() {
                let field = |k: &str| {
                    v.get(k)
                        .and_then(|x| x.as_str())
                        .unwrap_or_else(|| panic!("{file} [[{kind}]]: a vector without {k}"))
                        .to_string()
                };
                let name = if kind == "verify" {
                    format!("verify {}", field("name"))
                } else {
                    field("name")
                };
                out.push((name, Some(field("source"))));
            }
        }
    }
    out.extend(COMPUTED.iter().map(|n| (n.to_string(), None)));
    out.sort();
    out
}
