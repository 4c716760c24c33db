#![no_main]
//! Any bytes as a certificate bundle or CSR: never a panic, and a self-issued certificate's
//! signature check returns rather than panics.
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
    if let Ok(certs) = crypto_core::pki::certificates(data) {
        for c in &certs {
            let _ = c.verify_issued_by(provider, c);
        }
    }
    let _ = crypto_core::pki::Csr::parse(provider, data);
});
