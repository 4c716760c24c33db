#![no_main]
//! Any bytes as a detached CMS signature: parsing and verifying against fixed content never
//! panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(provider) = crypto_core::Provider::egov() else { return };
    if let Ok(sig) = crypto_core::cms::Signature::parse(data) {
        let opts = crypto_core::cms::VerifyOptions {
            trust: sig.certificates(),
            extra: &[],
            at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let _ = sig.verify(&provider, &[0u8; 32], &opts);
    }
});
