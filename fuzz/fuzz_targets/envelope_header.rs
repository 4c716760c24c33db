#![no_main]
//! Any bytes as an envelope: reading the header never panics; opening it with a fixed key file
//! and streaming the payload fails cleanly.
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
    let mut r = data;
    if let Ok(sealed) = crypto_core::envelope::Sealed::read(&mut r) {
        let ids = [crypto_core::envelope::Identity::KeyFile(
            crypto_core::secret::SecretBytes::new(vec![0x42; 32]),
        )];
        if let Ok((_, opener)) = sealed.open(provider, &ids) {
            let _ = opener.open(&mut r, &mut std::io::sink());
        }
    }
});
