#![no_main]
//! Any bytes as a signed dataset package: never a panic, and never accepted without a valid
//! trusted signature (no trust anchors here, so nothing may open).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let provider = crypto_core::Provider::egov().expect("provider");
    assert!(crypto_core::dataset::open(&provider, data, &[]).is_err());
});
