#![no_main]
//! Any bytes as a file `kagi audit` meets: never a panic; every artefact found has findings.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let provider = crypto_core::Provider::egov().expect("provider");
    let scan = crypto_core::audit::scan_one(&provider, "fuzz", data);
    for a in &scan.artefacts {
        assert!(!a.findings.is_empty() || a.kind == "certificate");
    }
    let _ = crypto_core::audit::report::sarif(&scan);
    let _ = crypto_core::audit::report::cbom(&scan);
});
