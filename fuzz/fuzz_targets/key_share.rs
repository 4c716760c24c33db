#![no_main]
//! Any text as a key share: never a panic; whatever parses prints back to text that parses to
//! the same share.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(share) = crypto_core::keys::shares::Share::parse(text) {
            let again = share.to_text();
            let reparsed = crypto_core::keys::shares::Share::parse(
                std::str::from_utf8(again.expose()).expect("shares print as UTF-8"),
            )
            .expect("a printed share parses");
            assert!(reparsed == share);
        }
    }
});
