#![no_main]
//! Any text: parsing never panics, and whatever parses prints back to a name that parses to
//! the same algorithm.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(alg) = s.parse::<cryptrec::Algorithm>() {
            let again: cryptrec::Algorithm =
                alg.to_string().parse().expect("canonical name parses");
            assert_eq!(alg, again);
        }
    }
});
