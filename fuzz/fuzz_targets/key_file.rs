#![no_main]
//! Any bytes as a key file (PEM or DER, every format kagi reads): never a panic; an encrypted
//! key's parameters are inspected and a decryption attempted without panicking.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(provider) = crypto_core::Provider::egov() else { return };
    if let Ok(crypto_core::keys::KeyMaterial::Encrypted(e)) = crypto_core::keys::read(data) {
        if let Ok(info) = e.info(&provider) {
            // Bounded work: only try small iteration counts.
            if info.iterations <= 10_000 {
                let _ = e.decrypt(&provider, b"fuzz");
            }
        }
    }
});
