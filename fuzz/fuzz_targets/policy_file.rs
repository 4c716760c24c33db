#![no_main]
//! Any text as a policy file: an error or a policy, never a panic; a policy evaluates.
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;

static DATASET: OnceLock<Arc<cryptrec::Dataset>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let ds =
        DATASET.get_or_init(|| Arc::new(cryptrec::Dataset::embedded().expect("embedded dataset")));
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(p) = cryptrec::Policy::parse(s, "fuzz.toml", ds.clone()) {
            let alg: cryptrec::Algorithm = "aes-256-gcm".parse().expect("known name");
            let _ = p.evaluate(&alg, cryptrec::Use::Protect, cryptrec::Policy::today());
        }
    }
});
