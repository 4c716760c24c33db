//! Encrypt a buffer to a recipient's public key as a kagi envelope, then decrypt it.
//!
//! `cargo run -p crypto-core --example encrypt_buffer`

use crypto_core::Provider;
use crypto_core::envelope::{self, Identity, Label, Metadata, PayloadAlg, Recipient, Sealed};
use crypto_core::keys::{KeyAlg, PrivateKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = Provider::egov()?;
    // The recipient's key pair (in practice: their certificate's key, and their key file).
    let recipient = PrivateKey::generate(&provider, KeyAlg::Ecdh(cryptrec::Curve::P384))?;
    let plaintext = "移送する文書の本文 — the text to carry".repeat(1000);

    let meta = Metadata {
        kind: "file".into(),
        name: Some("文書.txt".into()),
        size: Some(plaintext.len() as u64),
        mtime: None,
        signature: None,
    };
    let to = [Recipient::PublicKey {
        key: recipient.public_key().clone(),
        subject: "CN=受信者".into(),
    }];
    let (mut file, sealer) = envelope::seal(
        &provider,
        &to,
        PayloadAlg::Aes256Gcm,
        Label::default(),
        &meta,
    )?;
    sealer.seal(&mut plaintext.as_bytes(), &mut file)?;
    println!("sealed {} bytes into {} bytes", plaintext.len(), file.len());

    // Decrypt: nothing is released unless every chunk authenticates.
    let mut reader = &file[..];
    let sealed = Sealed::read(&mut reader)?;
    let ids = [Identity::PrivateKey(recipient)];
    let (meta, opener) = sealed.open(&provider, &ids)?;
    let mut out = Vec::new();
    opener.open(&mut reader, &mut out)?;
    assert_eq!(out, plaintext.as_bytes());
    println!("opened {:?}: {} bytes, identical", meta.name, out.len());

    // One flipped bit in the payload: the chunk does not authenticate, nothing is released.
    let middle = file.len() / 2;
    file[middle] ^= 1;
    let mut reader = &file[..];
    let sealed = Sealed::read(&mut reader)?;
    let (_, opener) = sealed.open(&provider, &ids)?;
    let mut released = Vec::new();
    assert!(opener.open(&mut reader, &mut released).is_err());
    println!(
        "a tampered file does not open ({} bytes released before the bad chunk)",
        released.len()
    );
    // Another key does not open it either.
    let other = PrivateKey::generate(&provider, KeyAlg::Ecdh(cryptrec::Curve::P384))?;
    let mut reader = &file[..];
    let sealed = Sealed::read(&mut reader)?;
    assert!(
        sealed
            .open(&provider, &[Identity::PrivateKey(other)])
            .is_err()
    );
    println!("a file for someone else does not open");
    Ok(())
}
