#![no_main]
//! Any bytes as a key file (PEM or DER, every format kagi reads): never a panic; an encrypted
//! key's parameters are inspected and a decryption attempted without panicking.
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
    if let Ok(crypto_core::keys::KeyMaterial::Encrypted(e)) = crypto_core::keys::read(data) {
        if let Ok(info) = e.info(provider) {
            // Bounded work: only try small iteration counts.
            if info.iterations <= 10_000 {
                let _ = e.decrypt(provider, b"fuzz");
            }
        }
    }
});
