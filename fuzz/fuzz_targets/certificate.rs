#![no_main]
//! Any bytes as a certificate bundle or CSR: never a panic, and a self-issued certificate's
//! signature check returns rather than panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(provider) = crypto_core::Provider::egov() else { return };
    if let Ok(certs) = crypto_core::pki::certificates(data) {
        for c in &certs {
            let _ = c.verify_issued_by(&provider, c);
        }
    }
    let _ = crypto_core::pki::Csr::parse(&provider, data);
});
