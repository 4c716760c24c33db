//! Sign bytes with a policy-permitted key and verify the signature.
//!
//! `cargo run -p crypto-core --example sign_verify`

use crypto_core::Provider;
use crypto_core::keys::{KeyAlg, PrivateKey};
use crypto_core::sig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = Provider::egov()?;
    let key = PrivateKey::generate(&provider, KeyAlg::Ecdsa(cryptrec::Curve::P256))?;
    let scheme = key.kind().default_signature()?;
    let signer = key.signing_key(&provider, scheme)?;
    let message = "決裁文書 2026-11 第42号".as_bytes();
    let signature = signer.sign(message)?;
    let public = key.public_key().raw()?;
    let verdict = sig::verify(&provider, scheme, &public, message, &signature)?;
    println!("{}: valid ({})", verdict.algorithm, verdict.status);
    assert!(sig::verify(&provider, scheme, &public, b"another message", &signature).is_err());
    println!("a different message does not verify");
    // An algorithm the policy refuses is refused before any key is made.
    assert!(PrivateKey::generate(&provider, KeyAlg::Rsa(1024)).is_err());
    println!("RSA-1024 keys are refused by the policy");
    Ok(())
}
