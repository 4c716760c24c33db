//! # crypto-core — the only place in kagi where cryptography happens
//!
//! Every operation takes a [`Provider`], built from a [`cryptrec::Policy`]. Creating the
//! provider runs the known-answer self-tests once per process; if one fails, no provider can be
//! made and nothing runs. Every constructor asks the policy for a verdict and returns
//! [`Error::Refused`] carrying it when the algorithm, key size or use is not permitted.
//!
//! Which part to use:
//!
//! - To encrypt a file, a stream or a buffer for someone: [`envelope`] (kagi's authenticated,
//!   chunked format; recipients by certificate, passphrase or key file). For a raw AEAD on
//!   bytes you manage yourself: [`aead::AeadKey`] (AES-GCM, Camellia-GCM, ChaCha20-Poly1305).
//! - To sign a document so others can verify it (openssl too): [`cms::Signer`], and
//!   [`cms::Signature::verify`] with certification-path validation through [`pki::path`].
//! - To speak TLS with only CRYPTREC algorithms: [`tls`] (a rustls `CryptoProvider` from a
//!   policy, and client/server configurations).
//! - To find what deployed artefacts rely on and what the list says of it: [`audit`].
//! - To check an algorithm chosen at run time: [`Provider::check`], or
//!   [`cryptrec::Policy::evaluate`] for the full verdict.
//! - To hash: [`hash::Hasher`] or [`hash::digest`]; SHAKE with [`hash::shake`].
//! - To authenticate with a shared key: [`mac::HmacKey`].
//! - To derive keys: [`kdf::hkdf`], [`kdf::pbkdf2`].
//! - To sign and verify: [`sig::SigningKey`] and [`sig::verify`].
//! - To encrypt to an RSA key: [`rsa_oaep`]; to agree on a key: [`ecdh::EcdhPrivateKey`].
//! - To make, read and store keys: [`keys::PrivateKey`], [`keys::read`]; back them up with
//!   [`keys::shares`] or [`keys::escrow`].
//! - To issue or read X.509 certificates: [`pki`].
//! - Random bytes: [`rand::fill`].
//!
//! ```
//! use crypto_core::{Provider, aead::{AeadAlgorithm, AeadKey}};
//! let provider = Provider::egov()?;
//! let key = AeadKey::new(&provider, AeadAlgorithm::Aes256Gcm, &[7u8; 32])?;
//! let mut buf = "confidential (機密性2)".as_bytes().to_vec();
//! key.seal_in_place(&[0u8; 12], b"header", &mut buf)?;
//! let plain = key.open_in_place(&[0u8; 12], b"header", &mut buf)?;
//! assert_eq!(plain, "confidential (機密性2)".as_bytes());
//!
//! // A refused algorithm is an error that carries the verdict and its citation.
//! let err = provider.check(&"sha-1".parse()?, cryptrec::Use::Protect).unwrap_err();
//! assert!(err.to_string().contains("Monitored"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Encrypting to a recipient and opening it again:
//!
//! ```
//! use crypto_core::{Provider, envelope::{self, Identity, Label, Metadata, PayloadAlg, Recipient, Sealed}};
//! use crypto_core::keys::{KeyAlg, PrivateKey};
//! let provider = Provider::egov()?;
//! let key = PrivateKey::generate(&provider, KeyAlg::Ecdh(cryptrec::Curve::P256))?;
//! let to = [Recipient::PublicKey { key: key.public_key().clone(), subject: String::new() }];
//! let meta = Metadata { kind: "file".into(), name: None, size: None, mtime: None, signature: None };
//! let (mut file, sealer) = envelope::seal(&provider, &to, PayloadAlg::Aes256Gcm, Label::default(), &meta)?;
//! sealer.seal(&mut &b"report"[..], &mut file)?;
//! let mut r = &file[..];
//! let (_, opener) = Sealed::read(&mut r)?.open(&provider, &[Identity::PrivateKey(key)])?;
//! let mut out = Vec::new();
//! opener.open(&mut r, &mut out)?;
//! assert_eq!(out, b"report");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod aead;
pub mod audit;
pub mod cms;
pub mod dataset;
pub mod dh;
pub mod dsa;
pub mod ecdh;
pub mod entity_auth;
pub mod envelope;
mod error;
mod ffdhe;
pub mod hash;
pub mod kcipher2;
pub mod kdf;
pub mod kem;
pub mod keys;
pub mod keystream;
pub mod mac;
pub mod manifest;
pub mod modes;
mod oaep;
pub mod pki;
mod provider;
pub mod rand;
pub mod rsa_oaep;
mod rsa_util;
pub mod secret;
pub mod selftest;
pub mod sig;
#[cfg(feature = "tls")]
pub mod tls;

pub use error::Error;
pub use provider::Provider;

/// The CRYPTREC list entries crypto-core implements, with what of each.
pub const IMPLEMENTED: &[(&str, &str)] = &[
    (
        "AES",
        "AES-128 and AES-256 in GCM; AES-128/192/256 in CBC, CFB, OFB, CTR, CCM, CMAC; AES-128/256 in XTS",
    ),
    (
        "Camellia",
        "Camellia-128 and Camellia-256 in GCM; Camellia-128/192/256 in CBC, CFB, OFB, CTR, CCM, CMAC; 128/256 in XTS",
    ),
    ("GCM", "with AES and Camellia, 96-bit nonces, 128-bit tags"),
    (
        "CBC",
        "with AES and Camellia (128/192/256), PKCS#7 padding or none (SP 800-38A)",
    ),
    ("CFB", "CFB-128 with AES and Camellia (SP 800-38A)"),
    ("OFB", "with AES and Camellia (SP 800-38A)"),
    (
        "CTR",
        "128-bit big-endian counter, with AES and Camellia (SP 800-38A)",
    ),
    (
        "CCM",
        "with AES and Camellia, 7–13-byte nonces, 4–16-byte tags (SP 800-38C)",
    ),
    (
        "CMAC",
        "with AES and Camellia, tags of 64 to 128 bits (SP 800-38B)",
    ),
    (
        "XTS",
        "XTS-AES and XTS-Camellia, 128/256-bit key halves, storage only (SP 800-38E, 注5)",
    ),
    ("ChaCha20-Poly1305", "RFC 8439"),
    ("SHA-256", "streaming"),
    ("SHA-384", "streaming"),
    ("SHA-512", "streaming"),
    ("SHA-512/256", "streaming"),
    ("SHA3-256", "streaming"),
    ("SHA3-384", "streaming"),
    ("SHA3-512", "streaming"),
    ("SHAKE128", "output of at least 256 bits (注4)"),
    ("SHAKE256", "output of at least 256 bits (注4)"),
    ("HMAC", "HMAC-SHA-256/384/512; also under HKDF and PBKDF2"),
    ("ECDSA", "P-256 with SHA-256, P-384 with SHA-384"),
    ("EdDSA", "Ed25519"),
    ("RSA-PSS", "SHA-256/384/512, 2048 to 8192 bits"),
    ("RSASSA-PKCS1-v1_5", "SHA-256/384/512, 2048 to 8192 bits"),
    ("RSA-OAEP", "SHA-256/384/512 with MGF1 over the same hash"),
    ("ECDH", "P-256 and P-384, static or ephemeral"),
    (
        "ML-KEM",
        "ML-KEM-768 and ML-KEM-1024 (FIPS 203), seed-form private keys",
    ),
    (
        "DSA",
        "verification, and while the list keeps it (注1) key generation and RFC 6979 signing; L/N 2048/224, 2048/256, 3072/256",
    ),
    (
        "DH",
        "RFC 7919 ffdhe2048/3072/4096 with full public-value validation (SP 800-56A)",
    ),
    (
        "KCipher-2",
        "RFC 7008; for data only as KCipher-2 + HMAC-SHA-256, encrypt-then-MAC",
    ),
    (
        "ISO/IEC 9798-2",
        "unilateral two-pass with an AEAD (AES-GCM, Camellia-GCM, ChaCha20-Poly1305)",
    ),
    (
        "ISO/IEC 9798-3",
        "unilateral two-pass with a listed signature",
    ),
    ("ISO/IEC 9798-4", "unilateral two-pass with HMAC"),
];
