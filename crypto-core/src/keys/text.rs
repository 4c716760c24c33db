//! kagi's own key files, for the keys PKCS#8 has no place for: the 256-bit symmetric key
//! (`KAGI SYMMETRIC KEY 1`) and the hybrid private key (`KAGI HYBRID PRIVATE KEY 1`). Each is
//! written unencrypted only when asked (`--unencrypted`), and otherwise passphrase-encrypted
//! (`docs/FORMAT.md`):
//!
//! ```text
//! KAGI ENCRYPTED SYMMETRIC KEY 1          (or KAGI ENCRYPTED HYBRID PRIVATE KEY 1)
//! kdf:    pbkdf2-hmac-sha-256 600000 <salt: 32 hex digits>
//! cipher: aes-256-gcm <nonce: 24 hex digits>
//! data:   <base64 of the AES-256-GCM ciphertext and tag>
//! ```
//!
//! The plaintext is the unencrypted key file's text, so the inner format stays the one already
//! documented; the first three lines (each ending in a newline) are the associated data, so
//! the kind, the iteration count, the salt and the nonce cannot be altered unnoticed. The key
//! is PBKDF2-HMAC-SHA-256 (at least [`MIN_ITERATIONS`]) over the passphrase, as for the
//! envelope's passphrase recipient and for encrypted PKCS#8 keys.

use base64ct::{Base64, Encoding};

use super::pbes2::{MAX_ITERATIONS, MIN_ITERATIONS};
use crate::Error;
use crate::aead::{AeadAlgorithm, AeadKey};
use crate::mac::HmacAlgorithm;
use crate::provider::Provider;
use crate::secret::SecretBytes;

/// The header of an unencrypted symmetric key file.
pub const SYMMETRIC_HEADER: &str = "KAGI SYMMETRIC KEY 1";
const HYBRID_HEADER: &str = "KAGI HYBRID PRIVATE KEY 1";
const KDF: &str = "pbkdf2-hmac-sha-256";
const CIPHER: &str = "aes-256-gcm";

/// Which kagi key a text file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKeyKind {
    /// A 256-bit symmetric key (`kagi encrypt --key-file`).
    Symmetric,
    /// A hybrid ECDH P-384 + ML-KEM-1024 private key (`kagi decrypt -i`).
    HybridPrivate,
}

impl TextKeyKind {
    fn plain_header(self) -> &'static str {
        match self {
            TextKeyKind::Symmetric => SYMMETRIC_HEADER,
            TextKeyKind::HybridPrivate => HYBRID_HEADER,
        }
    }

    fn encrypted_header(self) -> &'static str {
        match self {
            TextKeyKind::Symmetric => "KAGI ENCRYPTED SYMMETRIC KEY 1",
            TextKeyKind::HybridPrivate => "KAGI ENCRYPTED HYBRID PRIVATE KEY 1",
        }
    }

    /// In words.
    pub fn describe(self) -> &'static str {
        match self {
            TextKeyKind::Symmetric => "symmetric key",
            TextKeyKind::HybridPrivate => "hybrid private key",
        }
    }

    /// The kind of an unencrypted kagi key file's text, from its first line.
    pub fn of_plain(text: &str) -> Option<TextKeyKind> {
        let first = text.lines().next().map(str::trim)?;
        [TextKeyKind::Symmetric, TextKeyKind::HybridPrivate]
            .into_iter()
            .find(|k| k.plain_header() == first)
    }
}

/// A passphrase-encrypted kagi key file, parsed but not opened.
pub struct EncryptedTextKey {
    kind: TextKeyKind,
    iterations: u32,
    salt: [u8; 16],
    nonce: [u8; 12],
    data: Vec<u8>,
}

fn aad(kind: TextKeyKind, iterations: u32, salt: &[u8], nonce: &[u8]) -> String {
    format!(
        "{}\nkdf:    {KDF} {iterations} {}\ncipher: {CIPHER} {}\n",
        kind.encrypted_header(),
        hex::encode(salt),
        hex::encode(nonce)
    )
}

fn derive(iterations: u32, salt: &[u8], passphrase: &[u8]) -> Result<SecretBytes, Error> {
    crate::kdf::pbkdf2_unchecked(HmacAlgorithm::Sha256, iterations, salt, passphrase, 32)
}

/// Encrypts an unencrypted kagi key file's text with `passphrase`; returns the file's text.
pub fn encrypt(
    provider: &Provider,
    plain: &[u8],
    passphrase: &[u8],
    iterations: u32,
) -> Result<String, Error> {
    let kind = std::str::from_utf8(plain)
        .ok()
        .and_then(TextKeyKind::of_plain)
        .ok_or(Error::InvalidInput(
            "not a kagi symmetric or hybrid key file",
        ))?;
    if iterations < MIN_ITERATIONS {
        return Err(Error::InvalidInput(
            "kagi writes key files with at least 600000 PBKDF2 iterations",
        ));
    }
    if passphrase.is_empty() {
        return Err(Error::InvalidInput("the passphrase is empty"));
    }
    let salt: [u8; 16] = crate::rand::array()?;
    let nonce: [u8; 12] = crate::rand::array()?;
    let key = crate::kdf::pbkdf2(
        provider,
        HmacAlgorithm::Sha256,
        iterations,
        &salt,
        passphrase,
        32,
    )?;
    let head = aad(kind, iterations, &salt, &nonce);
    let mut buf = zeroize::Zeroizing::new(plain.to_vec());
    AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, key.expose())?.seal_in_place(
        &nonce,
        head.as_bytes(),
        &mut buf,
    )?;
    Ok(format!("{head}data:   {}\n", Base64::encode_string(&buf)))
}

impl EncryptedTextKey {
    /// Reads an encrypted kagi key file (`Ok(None)` when the text is not one).
    pub fn parse(text: &str) -> Result<Option<EncryptedTextKey>, Error> {
        let mut lines = text.lines().map(str::trim);
        let first = lines.next().unwrap_or_default();
        let Some(kind) = [TextKeyKind::Symmetric, TextKeyKind::HybridPrivate]
            .into_iter()
            .find(|k| k.encrypted_header() == first)
        else {
            return Ok(None);
        };
        let bad =
            |what: &str| Error::Malformed(format!("encrypted kagi {}: {what}", kind.describe()));
        let mut field = |name: &str| -> Result<Vec<String>, Error> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(':'))
                .map(|l| l.split_whitespace().map(str::to_string).collect())
                .ok_or_else(|| bad(&format!("expected the `{name}:` line")))
        };
        let kdf = field("kdf")?;
        let cipher = field("cipher")?;
        let data = field("data")?;
        let [k, n, salt] = &kdf[..] else {
            return Err(bad("the kdf line is `pbkdf2-hmac-sha-256 ITERATIONS SALT`"));
        };
        if k != KDF {
            return Err(Error::Unsupported(format!(
                "key derivation `{k}` (kagi writes {KDF})"
            )));
        }
        let iterations: u32 = n.parse().map_err(|_| bad("the iteration count"))?;
        if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
            return Err(Error::Unsupported(format!(
                "{iterations} PBKDF2 iterations (kagi reads {MIN_ITERATIONS} to {MAX_ITERATIONS})"
            )));
        }
        let salt: [u8; 16] = hex::decode(salt)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| bad("the salt is not 32 hex digits"))?;
        let [c, nonce] = &cipher[..] else {
            return Err(bad("the cipher line is `aes-256-gcm NONCE`"));
        };
        if c != CIPHER {
            return Err(Error::Unsupported(format!(
                "cipher `{c}` (kagi writes {CIPHER})"
            )));
        }
        let nonce: [u8; 12] = hex::decode(nonce)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| bad("the nonce is not 24 hex digits"))?;
        let [data] = &data[..] else {
            return Err(bad("the data line holds one base64 string"));
        };
        let data = Base64::decode_vec(data)
            .ok()
            .filter(|d| d.len() > 16)
            .ok_or_else(|| bad("the data is not base64"))?;
        Ok(Some(EncryptedTextKey {
            kind,
            iterations,
            salt,
            nonce,
            data,
        }))
    }

    /// What it holds.
    pub fn kind(&self) -> TextKeyKind {
        self.kind
    }

    /// How it is encrypted, in words; refused when the policy does not permit processing it.
    pub fn info(&self, provider: &Provider) -> Result<String, Error> {
        provider.check(
            &cryptrec::Algorithm::Pbkdf2(cryptrec::HashAlg::Sha256),
            cryptrec::Use::Process,
        )?;
        provider.check(
            &AeadAlgorithm::Aes256Gcm.algorithm(),
            cryptrec::Use::Process,
        )?;
        Ok(format!(
            "PBKDF2-HMAC-SHA-256 × {} iterations, AES-256-GCM",
            self.iterations
        ))
    }

    /// The iteration count.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The unencrypted key file's text. A wrong passphrase and a damaged file are one error.
    pub fn decrypt(&self, provider: &Provider, passphrase: &[u8]) -> Result<SecretBytes, Error> {
        self.info(provider)?;
        let key = derive(self.iterations, &self.salt, passphrase)?;
        let k = AeadKey::new(provider, AeadAlgorithm::Aes256Gcm, key.expose())?;
        let head = aad(self.kind, self.iterations, &self.salt, &self.nonce);
        let mut buf = SecretBytes::new(self.data.clone());
        let plain = k
            .open_in_place(&self.nonce, head.as_bytes(), buf.expose_mut())
            .map_err(|_| Error::BadPassphrase)?;
        let plain = SecretBytes::new(plain.to_vec());
        let inner = std::str::from_utf8(plain.expose())
            .ok()
            .and_then(TextKeyKind::of_plain);
        if inner != Some(self.kind) {
            return Err(Error::Malformed(format!(
                "encrypted kagi {}: the decrypted text is not one",
                self.kind.describe()
            )));
        }
        Ok(plain)
    }
}

/// Parses a symmetric key file's text: `KAGI SYMMETRIC KEY 1` and 64 hex digits.
pub fn symmetric_from_text(text: &str) -> Result<SecretBytes, Error> {
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some(SYMMETRIC_HEADER) {
        return Err(Error::Malformed(
            "not a kagi symmetric key file (make one with `kagi key gen --alg symmetric`)".into(),
        ));
    }
    let hexed = zeroize::Zeroizing::new(lines.next().unwrap_or_default().trim().to_string());
    hex::decode(hexed.as_bytes())
        .ok()
        .filter(|k| k.len() == 32)
        .map(SecretBytes::new)
        .ok_or_else(|| Error::Malformed("the key line is not 64 hex digits".into()))
}

/// The text of a symmetric key file for `key` (32 bytes).
pub fn symmetric_to_text(key: &[u8]) -> SecretBytes {
    SecretBytes::new(format!("{SYMMETRIC_HEADER}\n{}\n", hex::encode(key)).into_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_wrong_passphrase_and_tampering() {
        let provider = Provider::egov().unwrap();
        let plain = symmetric_to_text(&[7u8; 32]);
        let text = encrypt(&provider, plain.expose(), b"correct horse", MIN_ITERATIONS).unwrap();
        assert!(
            text.starts_with("KAGI ENCRYPTED SYMMETRIC KEY 1\nkdf:    pbkdf2-hmac-sha-256 600000 ")
        );
        let e = EncryptedTextKey::parse(&text).unwrap().unwrap();
        assert_eq!(e.kind(), TextKeyKind::Symmetric);
        assert!(e.decrypt(&provider, b"correct horse").unwrap() == plain);
        assert!(matches!(
            e.decrypt(&provider, b"wrong horse"),
            Err(Error::BadPassphrase)
        ));
        // Claiming another kind, or more iterations, breaks the tag.
        let swapped = text.replace("SYMMETRIC KEY", "HYBRID PRIVATE KEY");
        let e = EncryptedTextKey::parse(&swapped).unwrap().unwrap();
        assert!(e.decrypt(&provider, b"correct horse").is_err());
        let more = text.replace(" 600000 ", " 600001 ");
        let e = EncryptedTextKey::parse(&more).unwrap().unwrap();
        assert!(matches!(
            e.decrypt(&provider, b"correct horse"),
            Err(Error::BadPassphrase)
        ));
        // Below kagi's floor is refused before any work.
        assert!(EncryptedTextKey::parse(&text.replace(" 600000 ", " 1000 ")).is_err());
        assert!(
            EncryptedTextKey::parse(plain_str(&plain))
                .unwrap()
                .is_none()
        );
        assert!(encrypt(&provider, b"hello", b"x", MIN_ITERATIONS).is_err());
        assert!(encrypt(&provider, plain.expose(), b"x", 1000).is_err());
    }

    fn plain_str(p: &SecretBytes) -> &str {
        std::str::from_utf8(p.expose()).unwrap()
    }
}
