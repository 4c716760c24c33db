#![no_main]
//! Any text as a ledger: never a panic; an empty problem list means every line is an entry
//! whose chain and hash hold.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let provider = crypto_core::Provider::egov().expect("provider");
        if let Ok(c) = erase::ledger::check(&provider, text) {
            assert!(!c.problems.is_empty() || c.entries as usize == text.lines().count());
        }
    }
});
