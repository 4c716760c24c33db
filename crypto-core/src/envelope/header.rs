//! The envelope header: a small, strict binary encoding (every length checked, no trailing
//! bytes, unknown values refused).

use std::io::Read;

use crate::Error;
use crate::aead::AeadAlgorithm;

use super::{MAGIC, VERSION};

/// The largest header kagi reads (a few hundred recipients fit in far less).
const MAX_HEADER: u32 = 1 << 20;

/// The payload cipher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadAlg {
    /// AES-256-GCM (the default).
    Aes256Gcm,
    /// AES-128-GCM.
    Aes128Gcm,
    /// Camellia-128-GCM.
    Camellia128Gcm,
    /// Camellia-256-GCM.
    Camellia256Gcm,
    /// ChaCha20-Poly1305.
    ChaCha20Poly1305,
}

impl PayloadAlg {
    const ALL: [(PayloadAlg, u8, &'static str); 5] = [
        (PayloadAlg::Aes256Gcm, 1, "aes-256-gcm"),
        (PayloadAlg::Aes128Gcm, 2, "aes-128-gcm"),
        (PayloadAlg::Camellia128Gcm, 3, "camellia-128-gcm"),
        (PayloadAlg::Camellia256Gcm, 4, "camellia-256-gcm"),
        (PayloadAlg::ChaCha20Poly1305, 5, "chacha20-poly1305"),
    ];

    /// The AEAD.
    pub fn aead(self) -> AeadAlgorithm {
        match self {
            PayloadAlg::Aes256Gcm => AeadAlgorithm::Aes256Gcm,
            PayloadAlg::Aes128Gcm => AeadAlgorithm::Aes128Gcm,
            PayloadAlg::Camellia128Gcm => AeadAlgorithm::Camellia128Gcm,
            PayloadAlg::Camellia256Gcm => AeadAlgorithm::Camellia256Gcm,
            PayloadAlg::ChaCha20Poly1305 => AeadAlgorithm::ChaCha20Poly1305,
        }
    }

    fn code(self) -> u8 {
        Self::ALL
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|x| x.1)
            .unwrap_or(0)
    }

    fn from_code(c: u8) -> Option<PayloadAlg> {
        Self::ALL.iter().find(|(_, n, _)| *n == c).map(|x| x.0)
    }

    /// The name (`aes-256-gcm`).
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|x| x.2)
            .unwrap_or("?")
    }
}

impl std::str::FromStr for PayloadAlg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .find(|(_, _, n)| *n == s.to_ascii_lowercase())
            .map(|x| x.0)
            .ok_or_else(|| {
                format!("unknown cipher `{s}` (aes-256-gcm, aes-128-gcm, camellia-128-gcm, camellia-256-gcm, chacha20-poly1305)")
            })
    }
}

/// The classification label of 第23条: 機密性 (confidentiality) 1–3, 完全性 (integrity) 1–2,
/// 可用性 (availability) 1–2, and free-text handling restrictions (取扱制限).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    /// 機密性 1–3.
    pub confidentiality: u8,
    /// 完全性 1–2.
    pub integrity: u8,
    /// 可用性 1–2.
    pub availability: u8,
    /// 取扱制限, free text (may be empty), at most 1000 bytes.
    pub handling: String,
}

impl Default for Label {
    fn default() -> Self {
        Label {
            confidentiality: 2,
            integrity: 2,
            availability: 2,
            handling: String::new(),
        }
    }
}

impl Label {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=3).contains(&self.confidentiality)
            || !(1..=2).contains(&self.integrity)
            || !(1..=2).contains(&self.availability)
        {
            return Err(Error::InvalidInput(
                "label: 機密性 (confidentiality) is 1-3, 完全性 (integrity) and 可用性 (availability) 1-2",
            ));
        }
        if self.handling.len() > 1000 || self.handling.contains(['\n', '\r']) {
            return Err(Error::InvalidInput(
                "label: handling restrictions are one line of at most 1000 bytes",
            ));
        }
        Ok(())
    }

    /// Parses a label as `--label` takes it: named parts `機密性2,完全性1,可用性2`, `C2,I1,A2` or
    /// `C 2, I 1, A 2` (any order, separated by commas, 、 or spaces; a part not given is 2),
    /// or three levels in order `2,1,2`. The text is NFKC-normalised first, so the full-width
    /// digits and letters a Japanese IME types (`機密性３`, `Ｃ３`) read as ASCII.
    pub fn parse(s: &str, handling: &str) -> Result<Label, String> {
        use unicode_normalization::UnicodeNormalization;
        let mut l = Label {
            handling: handling.to_string(),
            ..Label::default()
        };
        let norm: String = s.nfkc().collect();
        let tokens: Vec<&str> = norm
            .split([',', ' ', '、', '\t'])
            .filter(|t| !t.is_empty())
            .collect();
        let level = |part: &str, digits: &str| -> Result<u8, String> {
            digits
                .parse()
                .map_err(|_| format!("label part `{part}`: the level is one digit"))
        };
        let mut named: Vec<(String, u8)> = Vec::new();
        let mut in_order: Vec<u8> = Vec::new();
        let mut i = 0;
        while let Some(&t) = tokens.get(i) {
            i += 1;
            let name = t.trim_end_matches(|c: char| c.is_ascii_digit());
            let digits = &t[name.len()..];
            if name.is_empty() {
                in_order.push(level(t, digits)?);
            } else if !digits.is_empty() {
                named.push((name.to_string(), level(t, digits)?));
            } else {
                // `C 3`: the name, then its level as the next token.
                match tokens.get(i) {
                    Some(d) if !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()) => {
                        i += 1;
                        named.push((name.to_string(), level(&format!("{t} {d}"), d)?));
                    }
                    _ => return Err(format!("label part `{t}`: a level digit must follow it")),
                }
            }
        }
        match (named.is_empty(), in_order.len()) {
            (true, 0) => {}
            (true, 3) => {
                l.confidentiality = in_order[0];
                l.integrity = in_order[1];
                l.availability = in_order[2];
            }
            (true, _) => {
                return Err(format!(
                    "label `{s}`: give three levels in order (機密性,完全性,可用性, e.g. 2,2,2) or named parts (C 2,I 2,A 2)"
                ));
            }
            (false, 0) => {
                let mut given = [None; 3];
                for (name, n) in named {
                    let at = match name.to_ascii_uppercase().as_str() {
                        "機密性" | "C" => 0,
                        "完全性" | "I" => 1,
                        "可用性" | "A" => 2,
                        _ => {
                            return Err(format!(
                                "label part `{name}{n}`: 機密性/C, 完全性/I or 可用性/A"
                            ));
                        }
                    };
                    if given[at].replace(n).is_some() {
                        return Err(format!("label `{s}`: `{name}` is given twice"));
                    }
                }
                l.confidentiality = given[0].unwrap_or(l.confidentiality);
                l.integrity = given[1].unwrap_or(l.integrity);
                l.availability = given[2].unwrap_or(l.availability);
            }
            (false, _) => {
                return Err(format!(
                    "label `{s}`: either named parts (C 3,I 2,A 1) or three levels in order (3,2,2), not both"
                ));
            }
        }
        l.validate().map_err(|e| e.to_string())?;
        Ok(l)
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "機密性{} 完全性{} 可用性{}",
            self.confidentiality, self.integrity, self.availability
        )?;
        if !self.handling.is_empty() {
            write!(f, " 取扱制限: {}", self.handling)?;
        }
        Ok(())
    }
}

/// A recipient entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecipientInfo {
    /// RSA-OAEP-SHA-256 of the file key.
    RsaOaep {
        /// SHA-256 of the recipient's SubjectPublicKeyInfo.
        key: [u8; 32],
        /// The certificate subject, or empty for a bare public key.
        subject: String,
        /// The OAEP ciphertext.
        wrapped: Vec<u8>,
    },
    /// Ephemeral-static ECDH.
    Ecdh {
        /// SHA-256 of the recipient's SubjectPublicKeyInfo.
        key: [u8; 32],
        /// The certificate subject, or empty.
        subject: String,
        /// The ephemeral public point (uncompressed).
        ephemeral: Vec<u8>,
        /// AES-256-GCM of the file key (48 bytes).
        wrapped: Vec<u8>,
    },
    /// A passphrase.
    Passphrase {
        /// PBKDF2 salt.
        salt: [u8; 16],
        /// PBKDF2 iterations.
        iterations: u32,
        /// AES-256-GCM of the file key (48 bytes).
        wrapped: Vec<u8>,
    },
    /// A symmetric key file.
    KeyFile {
        /// The key's identifier (8 bytes of a hash of it).
        id: [u8; 8],
        /// HKDF salt.
        salt: [u8; 16],
        /// AES-256-GCM of the file key (48 bytes).
        wrapped: Vec<u8>,
    },
    /// A hybrid ECDH P-384 + ML-KEM-1024 recipient ([`super::hybrid`]).
    Hybrid {
        /// The recipient's hybrid key identifier.
        key: [u8; 32],
        /// The ephemeral P-384 point (uncompressed).
        ephemeral: Vec<u8>,
        /// The ML-KEM-1024 ciphertext.
        kem_ct: Vec<u8>,
        /// AES-256-GCM of the file key (48 bytes).
        wrapped: Vec<u8>,
    },
}

/// The header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The payload cipher.
    pub alg: PayloadAlg,
    /// log2 of the chunk size (20 in version 1).
    pub chunk_log2: u8,
    /// The HKDF salt for the file's keys.
    pub salt: [u8; 16],
    /// The classification label.
    pub label: Label,
    /// The recipients.
    pub recipients: Vec<RecipientInfo>,
    /// The sealed metadata.
    pub metadata: Vec<u8>,
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: usize) -> Result<(), Error> {
        let v = u16::try_from(v).map_err(|_| Error::InvalidInput("envelope field too long"))?;
        self.0.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }
    fn bytes16(&mut self, b: &[u8]) -> Result<(), Error> {
        self.u16(b.len())?;
        self.0.extend_from_slice(b);
        Ok(())
    }
}

struct R<'a> {
    b: &'a [u8],
    what: &'static str,
}

impl<'a> R<'a> {
    fn err(&self) -> Error {
        Error::Malformed(format!(
            "envelope header: {} is cut short or malformed",
            self.what
        ))
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.b.len() < n {
            return Err(self.err());
        }
        let (a, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<usize, Error> {
        let b = self.take(2)?;
        Ok(usize::from(u16::from_be_bytes([b[0], b[1]])))
    }
    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn bytes16(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u16()?;
        self.take(n)
    }
    fn string16(&mut self) -> Result<String, Error> {
        let b = self.bytes16()?;
        String::from_utf8(b.to_vec()).map_err(|_| self.err())
    }
}

impl Header {
    /// Preamble and header bytes (the MAC is appended by the caller).
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut w = W(Vec::new());
        w.u8(self.alg.code());
        w.u8(self.chunk_log2);
        w.0.extend_from_slice(&self.salt);
        w.u8(self.label.confidentiality);
        w.u8(self.label.integrity);
        w.u8(self.label.availability);
        w.bytes16(self.label.handling.as_bytes())?;
        w.u8(u8::try_from(self.recipients.len())
            .map_err(|_| Error::InvalidInput("at most 255 recipients"))?);
        for r in &self.recipients {
            let mut body = W(Vec::new());
            let kind = match r {
                RecipientInfo::RsaOaep {
                    key,
                    subject,
                    wrapped,
                } => {
                    body.0.extend_from_slice(key);
                    body.bytes16(subject.as_bytes())?;
                    body.bytes16(wrapped)?;
                    1
                }
                RecipientInfo::Ecdh {
                    key,
                    subject,
                    ephemeral,
                    wrapped,
                } => {
                    body.0.extend_from_slice(key);
                    body.bytes16(subject.as_bytes())?;
                    body.bytes16(ephemeral)?;
                    body.bytes16(wrapped)?;
                    2
                }
                RecipientInfo::Passphrase {
                    salt,
                    iterations,
                    wrapped,
                } => {
                    body.0.extend_from_slice(salt);
                    body.0.extend_from_slice(&iterations.to_be_bytes());
                    body.bytes16(wrapped)?;
                    3
                }
                RecipientInfo::KeyFile { id, salt, wrapped } => {
                    body.0.extend_from_slice(id);
                    body.0.extend_from_slice(salt);
                    body.bytes16(wrapped)?;
                    4
                }
                RecipientInfo::Hybrid {
                    key,
                    ephemeral,
                    kem_ct,
                    wrapped,
                } => {
                    body.0.extend_from_slice(key);
                    body.bytes16(ephemeral)?;
                    body.bytes16(kem_ct)?;
                    body.bytes16(wrapped)?;
                    5
                }
            };
            w.u8(kind);
            w.bytes16(&body.0)?;
        }
        let meta_len = u32::try_from(self.metadata.len())
            .map_err(|_| Error::InvalidInput("metadata too long"))?;
        w.0.extend_from_slice(&meta_len.to_be_bytes());
        w.0.extend_from_slice(&self.metadata);
        let len = u32::try_from(w.0.len()).map_err(|_| Error::InvalidInput("header too long"))?;
        let mut out = MAGIC.to_vec();
        out.push(VERSION);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&w.0);
        Ok(out)
    }

    /// Reads the preamble and header; returns them parsed and as raw bytes (for the MAC).
    pub fn read(reader: &mut dyn Read) -> Result<(Header, Vec<u8>), Error> {
        let mut pre = [0u8; 13];
        read_exact(reader, &mut pre, "its preamble")?;
        if &pre[..8] != MAGIC {
            return Err(Error::Malformed(
                "not a kagi encrypted file (no KAGIENC magic)".into(),
            ));
        }
        if pre[8] != VERSION {
            return Err(Error::Malformed(format!(
                "envelope version {} (this kagi reads version {VERSION})",
                pre[8]
            )));
        }
        let len = u32::from_be_bytes([pre[9], pre[10], pre[11], pre[12]]);
        if len > MAX_HEADER {
            return Err(Error::Malformed("envelope header longer than 1 MiB".into()));
        }
        let mut body = vec![0u8; len as usize];
        read_exact(reader, &mut body, "its header")?;
        let header = Self::decode(&body)?;
        let mut raw = pre.to_vec();
        raw.extend_from_slice(&body);
        Ok((header, raw))
    }

    fn decode(body: &[u8]) -> Result<Header, Error> {
        let mut r = R {
            b: body,
            what: "the header",
        };
        r.what = "the payload algorithm";
        let alg_code = r.u8()?;
        let alg = PayloadAlg::from_code(alg_code).ok_or_else(|| {
            Error::Malformed(format!(
                "envelope header: unknown payload algorithm {alg_code}"
            ))
        })?;
        let chunk_log2 = r.u8()?;
        if chunk_log2 != super::stream::CHUNK_LOG2 {
            return Err(Error::Malformed(format!(
                "envelope header: chunk size 2^{chunk_log2} (version 1 fixes 2^{})",
                super::stream::CHUNK_LOG2
            )));
        }
        r.what = "the salt";
        let salt = r.array::<16>()?;
        r.what = "the label";
        let label = Label {
            confidentiality: r.u8()?,
            integrity: r.u8()?,
            availability: r.u8()?,
            handling: r.string16()?,
        };
        label
            .validate()
            .map_err(|_| Error::Malformed("envelope header: label out of range".into()))?;
        r.what = "the recipients";
        let n = r.u8()?;
        if n == 0 {
            return Err(Error::Malformed("envelope header: no recipients".into()));
        }
        let mut recipients = Vec::new();
        for _ in 0..n {
            let kind = r.u8()?;
            let body = r.bytes16()?;
            let mut b = R {
                b: body,
                what: "a recipient",
            };
            let info = match kind {
                1 => RecipientInfo::RsaOaep {
                    key: b.array()?,
                    subject: b.string16()?,
                    wrapped: b.bytes16()?.to_vec(),
                },
                2 => RecipientInfo::Ecdh {
                    key: b.array()?,
                    subject: b.string16()?,
                    ephemeral: b.bytes16()?.to_vec(),
                    wrapped: b.bytes16()?.to_vec(),
                },
                3 => RecipientInfo::Passphrase {
                    salt: b.array()?,
                    iterations: b.u32()?,
                    wrapped: b.bytes16()?.to_vec(),
                },
                4 => RecipientInfo::KeyFile {
                    id: b.array()?,
                    salt: b.array()?,
                    wrapped: b.bytes16()?.to_vec(),
                },
                5 => RecipientInfo::Hybrid {
                    key: b.array()?,
                    ephemeral: b.bytes16()?.to_vec(),
                    kem_ct: b.bytes16()?.to_vec(),
                    wrapped: b.bytes16()?.to_vec(),
                },
                other => {
                    return Err(Error::Malformed(format!(
                        "envelope header: unknown recipient type {other}"
                    )));
                }
            };
            if !b.b.is_empty() {
                return Err(Error::Malformed(
                    "envelope header: a recipient has trailing bytes".into(),
                ));
            }
            recipients.push(info);
        }
        r.what = "the metadata";
        let meta_len = r.u32()? as usize;
        let metadata = r.take(meta_len)?.to_vec();
        if !r.b.is_empty() {
            return Err(Error::Malformed("envelope header: trailing bytes".into()));
        }
        Ok(Header {
            alg,
            chunk_log2,
            salt,
            label,
            recipients,
            metadata,
        })
    }
}

fn read_exact(reader: &mut dyn Read, buf: &mut [u8], what: &str) -> Result<(), Error> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            Error::Malformed(format!("envelope: truncated in {what}"))
        }
        _ => Error::Io(e),
    })
}

#[cfg(test)]
mod label_tests {
    use super::Label;

    fn levels(s: &str) -> (u8, u8, u8) {
        let l = Label::parse(s, "").unwrap_or_else(|e| panic!("{s}: {e}"));
        (l.confidentiality, l.integrity, l.availability)
    }

    #[test]
    fn every_form_the_help_offers_parses() {
        assert_eq!(levels(""), (2, 2, 2));
        assert_eq!(levels("機密性3,完全性2,可用性1"), (3, 2, 1));
        assert_eq!(levels("C3,I2,A1"), (3, 2, 1));
        assert_eq!(levels("C 3,I 2,A 1"), (3, 2, 1));
        assert_eq!(levels("C 3, I 2, A 1"), (3, 2, 1));
        assert_eq!(levels("3,2,2"), (3, 2, 2));
        assert_eq!(levels("2,2,2"), (2, 2, 2));
        assert_eq!(levels("a1 c3"), (3, 2, 1));
        // What a Japanese IME types: full-width digits, letters and commas (NFKC).
        assert_eq!(levels("機密性３"), (3, 2, 2));
        assert_eq!(levels("機密性３，完全性１"), (3, 1, 2));
        assert_eq!(levels("Ｃ３、Ｉ１"), (3, 1, 2));
        assert_eq!(levels("３，２，１"), (3, 2, 1));
    }

    #[test]
    fn malformed_labels_say_what_is_wrong() {
        for (bad, why) in [
            ("3,2", "three levels"),
            ("C3,2,2", "not both"),
            ("C3,C2", "twice"),
            ("X3", "機密性/C"),
            ("C", "level digit"),
            ("C4", "1-3"),
            ("12,2,2", "1-3"),
        ] {
            let e = Label::parse(bad, "").unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
