#![no_main]
//! Any bytes as a TLS server's first flight: the probe's parser never panics or reads past
//! the records it was given.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = crypto_core::audit::tls::parse_flight(data);
});
