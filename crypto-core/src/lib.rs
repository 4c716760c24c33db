//! # crypto-core — the only place in kagi where cryptography happens
//!
//! Every operation takes a [`Provider`], built from a [`cryptrec::Policy`]. Creating the
//! provider runs the known-answer self-tests once per process; if one fails, no provider can be
//! made and nothing runs. Every constructor asks the policy for a verdict and returns
//! [`Error::Refused`] carrying it when the algorithm, key size or use is not permitted.
//!
//! - To encrypt a buffer: [`aead::AeadKey`] (AES-GCM, Camellia-GCM, ChaCha20-Poly1305).
//! - To hash: [`hash::Hasher`] or [`hash::digest`]; SHAKE with [`hash::shake`].
//! - To authenticate with a shared key: [`mac::HmacKey`].
//! - To derive keys: [`kdf::hkdf`], [`kdf::pbkdf2`].
//! - To sign and verify: [`sig::SigningKey`] and [`sig::verify`].
//! - To encrypt to an RSA key: [`rsa_oaep`]; to agree on a key: [`ecdh::EcdhPrivateKey`].
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

#![forbid(unsafe_code)]

pub mod aead;
pub mod ecdh;
mod error;
pub mod hash;
pub mod kdf;
pub mod mac;
mod oaep;
mod provider;
pub mod rand;
pub mod rsa_oaep;
mod rsa_util;
pub mod secret;
pub mod selftest;
pub mod sig;

pub use error::Error;
pub use provider::Provider;
