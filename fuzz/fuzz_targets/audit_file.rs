#![no_main]
//! Any bytes as a file `kagi audit` meets: never a panic; every artefact found is judged (has
//! findings) or says why it is not (`kagi audit` then exits 2): nothing is passed silently.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// Built once per process: building a provider (policy, dataset, self-tests) per input made
/// the target run at ~130 inputs/s.
fn provider() -> &'static crypto_core::Provider {
    static P: OnceLock<crypto_core::Provider> = OnceLock::new();
    P.get_or_init(|| crypto_core::Provider::egov().expect("provider"))
}

fuzz_target!(|data: &[u8]| {
    let provider = provider();
    let scan = crypto_core::audit::scan_one(provider, "fuzz", data);
    for a in &scan.artefacts {
        // A certs-only PKCS#7 bundle is a container: its certificates are artefacts of
        // their own.
        assert!(
            !a.findings.is_empty()
                || a.not_judged.is_some()
                || a.kind == "PKCS#7 certificate bundle",
            "{} at {}: neither judged nor said why not",
            a.kind,
            a.location
        );
    }
    let _ = crypto_core::audit::report::sarif(&scan);
    let _ = crypto_core::audit::report::cbom(&scan);
});
