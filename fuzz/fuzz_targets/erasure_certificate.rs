#![no_main]
//! Any bytes as an erasure certificate file: never a panic; a file that opens has a document
//! whose consistency check runs, and it verifies without panicking (it cannot be valid: no
//! trust anchors).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sealed) = erase::certificate::open(data) {
        let _ = sealed.document.problems();
        let provider = crypto_core::Provider::egov().expect("provider");
        let v = erase::certificate::verify(&provider, &sealed, &[], time::OffsetDateTime::now_utc());
        assert!(!v.valid());
    }
});
