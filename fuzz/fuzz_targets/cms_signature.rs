#![no_main]
//! Any bytes as a detached CMS signature: parsing and verifying against fixed content never
//! panics.
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
    if let Ok(sig) = crypto_core::cms::Signature::parse(data) {
        let opts = crypto_core::cms::VerifyOptions {
            trust: sig.certificates(),
            extra: &[],
            at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let _ = sig.verify(provider, &[0u8; 32], &opts);
    }
});
