#![no_main]
//! Any text as a manifest: never a panic; whatever parses prints back to the same manifest.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = crypto_core::manifest::Manifest::parse(text) {
            let again = crypto_core::manifest::Manifest::parse(&m.to_text())
                .expect("printed manifests parse");
            assert_eq!(again, m);
        }
    }
});
