#![no_main]
//! Any text as a ledger: never a panic; an empty problem list means every line is an entry
//! whose chain and hash hold.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// Built once per process: building a provider (policy, dataset, self-tests) per input made
/// the target run at ~130 inputs/s.
fn provider() -> &'static crypto_core::Provider {
    static P: OnceLock<crypto_core::Provider> = OnceLock::new();
    P.get_or_init(|| crypto_core::Provider::egov().expect("provider"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let provider = provider();
        if let Ok(c) = erase::ledger::check(provider, text) {
            assert!(!c.problems.is_empty() || c.entries as usize == text.lines().count());
        }
    }
});
