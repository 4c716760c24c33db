//! Inputs the fuzzers found (`test-vectors/fuzz/`, named `TARGET-what.ext`), replayed through
//! the same invariant their target checks, so a finding stays fixed in the normal suite.
#![allow(clippy::unwrap_used)]

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/fuzz");
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{target}-")))
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    found.sort();
    found
}

/// `audit_file`: every artefact is judged or says why not; the reports render.
#[test]
fn audit_file_findings_stay_fixed() {
    let provider = crypto_core::Provider::egov().unwrap();
    let found = inputs("audit_file");
    assert!(
        !found.is_empty(),
        "no audit_file inputs in test-vectors/fuzz"
    );
    for (name, data) in found {
        let scan = crypto_core::audit::scan_one(&provider, "fuzz", &data);
        assert!(!scan.artefacts.is_empty(), "{name}: looked at nothing");
        for a in &scan.artefacts {
            // A certs-only PKCS#7 bundle is a container: its certificates are artefacts of
            // their own.
            assert!(
                !a.findings.is_empty()
                    || a.not_judged.is_some()
                    || a.kind == "PKCS#7 certificate bundle",
                "{name}: {} neither judged nor said why not",
                a.kind
            );
        }
        crypto_core::audit::report::sarif(&scan);
        crypto_core::audit::report::cbom(&scan);
    }
}
