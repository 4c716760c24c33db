#![no_main]
//! Any bytes as a signed dataset package: never a panic, and never accepted without a valid
//! trusted signature (no trust anchors here, so nothing may open).
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
    assert!(crypto_core::dataset::open(provider, data, &[]).is_err());
});
