#![no_main]
//! Any bytes as an envelope: reading the header never panics; opening it with a fixed key file
//! and streaming the payload fails cleanly.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(provider) = crypto_core::Provider::egov() else { return };
    let mut r = data;
    if let Ok(sealed) = crypto_core::envelope::Sealed::read(&mut r) {
        let ids = [crypto_core::envelope::Identity::KeyFile(crypto_core::secret::SecretBytes::new(vec![0x42; 32]))];
        if let Ok((_, opener)) = sealed.open(&provider, &ids) {
            let _ = opener.open(&mut r, &mut std::io::sink());
        }
    }
});
