//! The envelope: kagi's encrypted-file format (`docs/FORMAT.md` specifies every byte).
//!
//! ```text
//! "KAGIENC\0" ‖ version (1) ‖ header length (u32 BE) ‖ header ‖ HMAC-SHA-256 of all before
//! ‖ payload: 1 MiB chunks, each sealed with the payload AEAD under a STREAM nonce
//! ```
//!
//! A random 256-bit file key is wrapped for each recipient (RSA-OAEP-SHA-256; ephemeral-static
//! ECDH P-256/P-384 → HKDF → AES-256-GCM; PBKDF2-HMAC-SHA-256 for a passphrase; HKDF for a
//! symmetric key file). From the file key, HKDF derives the header MAC key, the payload key and
//! the metadata key. The classification label (第23条) is in the clear, so `kagi inspect` reads
//! it without a key, and is authenticated by the header MAC.

mod header;
pub mod hybrid;
mod recipient;
mod stream;

pub use header::{Header, Label, PayloadAlg, RecipientInfo};
pub use recipient::{Identity, Recipient};
pub use stream::{CHUNK, Opener, Sealer};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::aead::{AeadAlgorithm, AeadKey};
use crate::kdf::hkdf_unchecked;
use crate::mac::HmacAlgorithm;
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// The file's first eight bytes.
pub const MAGIC: &[u8; 8] = b"KAGIENC\0";
/// The format version this code writes and reads.
pub const VERSION: u8 = 1;

/// What was encrypted, sealed under the metadata key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// `file`, `stdin`, `directory` (a tar stream) or `device` (a block device's bytes).
    pub kind: String,
    /// The original name (last path component), if any.
    pub name: Option<String>,
    /// The plaintext size in bytes, when known in advance.
    pub size: Option<u64>,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: Option<i64>,
    /// Sign-then-encrypt: a detached CMS SignedData (DER, hex) over the plaintext, made before
    /// encryption and checked after decryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

struct Keys {
    mac: SecretBytes,
    payload: SecretBytes,
    metadata: SecretBytes,
}

fn derive(file_key: &[u8], salt: &[u8], alg: PayloadAlg) -> Result<Keys, Error> {
    let h = |info: &[u8], len| hkdf_unchecked(HmacAlgorithm::Sha256, salt, file_key, info, len);
    Ok(Keys {
        mac: h(b"kagi-envelope v1 header mac", 32)?,
        payload: h(b"kagi-envelope v1 payload", alg.aead().key_len())?,
        metadata: h(b"kagi-envelope v1 metadata", 32)?,
    })
}

fn header_mac(provider: &Provider, key: &[u8], bytes: &[u8]) -> Result<Vec<u8>, Error> {
    crate::mac::HmacKey::new(provider, HmacAlgorithm::Sha256, key)?.sign(bytes)
}

/// Starts an encryption: returns the bytes that open the file (preamble, header, MAC) and the
/// payload sealer.
pub fn seal(
    provider: &Provider,
    recipients: &[Recipient],
    alg: PayloadAlg,
    label: Label,
    metadata: &Metadata,
) -> Result<(Vec<u8>, Sealer), Error> {
    if recipients.is_empty() {
        return Err(Error::InvalidInput("no recipients"));
    }
    let passphrases = recipients
        .iter()
        .filter(|r| matches!(r, Recipient::Passphrase { .. }))
        .count();
    if passphrases > 0 && recipients.len() > 1 {
        return Err(Error::InvalidInput(
            "a passphrase must be the only recipient (as in age: mixing it with others would let one recipient learn whether another's key opens the file)",
        ));
    }
    if recipients.len() > 255 {
        return Err(Error::InvalidInput("at most 255 recipients"));
    }
    provider.check(&alg.aead().algorithm(), cryptrec::Use::Protect)?;
    label.validate()?;
    let file_key = SecretBytes::new(crate::rand::array::<32>()?.to_vec());
    let salt: [u8; 16] = crate::rand::array()?;
    let keys = derive(file_key.expose(), &salt, alg)?;
    let infos = recipients
        .iter()
        .map(|r| r.wrap(provider, file_key.expose()))
        .collect::<Result<Vec<_>, _>>()?;
    let meta_key = AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, keys.metadata.expose())?;
    let mut meta =
        serde_json::to_vec(metadata).map_err(|e| Error::Malformed(format!("metadata: {e}")))?;
    meta_key.seal_in_place(&[0u8; 12], b"kagi-envelope v1 metadata", &mut meta)?;
    let header = Header {
        alg,
        chunk_log2: stream::CHUNK_LOG2,
        salt,
        label,
        recipients: infos,
        metadata: meta,
    };
    let mut out = header.encode()?;
    let mac = header_mac(provider, keys.mac.expose(), &out)?;
    out.extend_from_slice(&mac);
    let sealer = Sealer::new(AeadKey::new(provider, alg.aead(), keys.payload.expose())?);
    Ok((out, sealer))
}

/// A header read from a file, not yet opened.
pub struct Sealed {
    /// The parsed header (label and recipients readable without a key).
    pub header: Header,
    raw: Vec<u8>,
    mac: [u8; 32],
}

impl Sealed {
    /// Reads the preamble, header and MAC from the start of `reader`, leaving it at the payload.
    pub fn read(reader: &mut dyn std::io::Read) -> Result<Sealed, Error> {
        let (header, raw) = Header::read(reader)?;
        let mut mac = [0u8; 32];
        reader.read_exact(&mut mac).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                Error::Malformed("envelope: truncated in its header MAC".into())
            }
            _ => Error::Io(e),
        })?;
        Ok(Sealed { header, raw, mac })
    }

    /// Bytes before the payload: preamble, header and MAC.
    pub fn header_len(&self) -> u64 {
        (self.raw.len() + self.mac.len()) as u64
    }

    /// Finds the recipient an identity opens, checks the header MAC, and returns the metadata
    /// and the payload opener. A wrong key, a wrong passphrase and an edited header are told
    /// apart only as far as is safe: "no recipient", "not authentic".
    pub fn open(
        &self,
        provider: &Provider,
        identities: &[Identity],
    ) -> Result<(Metadata, Opener), Error> {
        let h = &self.header;
        let passphrases = h
            .recipients
            .iter()
            .filter(|r| matches!(r, RecipientInfo::Passphrase { .. }))
            .count();
        if passphrases > 0 && h.recipients.len() > 1 {
            return Err(Error::Malformed(
                "envelope: a passphrase recipient beside others (kagi never writes this)".into(),
            ));
        }
        provider.check(&h.alg.aead().algorithm(), cryptrec::Use::Process)?;
        let mut last_err = None;
        for id in identities {
            for r in &h.recipients {
                let file_key = match r.unwrap(provider, id) {
                    Ok(Some(k)) => k,
                    Ok(None) => continue,
                    Err(e) => {
                        last_err = Some(e);
                        continue;
                    }
                };
                let keys = derive(file_key.expose(), &h.salt, h.alg)?;
                let mac =
                    crate::mac::HmacKey::new(provider, HmacAlgorithm::Sha256, keys.mac.expose())?;
                if mac.verify(&self.raw, &self.mac).is_err() {
                    return Err(Error::NotAuthentic);
                }
                let meta_key =
                    AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, keys.metadata.expose())?;
                let mut meta = h.metadata.clone();
                let plain =
                    meta_key.open_in_place(&[0u8; 12], b"kagi-envelope v1 metadata", &mut meta)?;
                let metadata: Metadata = serde_json::from_slice(plain)
                    .map_err(|e| Error::Malformed(format!("envelope metadata: {e}")))?;
                let opener =
                    Opener::new(AeadKey::new(provider, h.alg.aead(), keys.payload.expose())?);
                return Ok((metadata, opener));
            }
        }
        Err(last_err.unwrap_or(Error::NoRecipient))
    }
}

#[cfg(test)]
mod tests;
