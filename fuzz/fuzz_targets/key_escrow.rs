#![no_main]
//! Any bytes as an escrow file: never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = crypto_core::keys::escrow::Escrow::parse(data);
});
