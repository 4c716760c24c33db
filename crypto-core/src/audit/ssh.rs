//! OpenSSH public keys (`id_*.pub`, `authorized_keys`, `known_hosts`-style lines): the key
//! type and size from the base64 blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709).

use base64ct::{Base64, Encoding};
use cryptrec::{Algorithm, Curve, Edwards, HashAlg};

/// One key found on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshKey {
    /// Line number (from 1).
    pub line: usize,
    /// The key type as written (`ssh-rsa`, `ecdsa-sha2-nistp256`, …).
    pub key_type: String,
    /// The comment, if any.
    pub comment: Option<String>,
    /// What the key is, as an algorithm to judge; `Err` names what kagi cannot judge.
    pub algorithm: Result<Algorithm, String>,
    /// A short description (`RSA-3072`).
    pub description: String,
    /// SHA-256 of the key blob (of the certified key, for a certificate), hex: the same key in
    /// a private key file, its `.pub` and `authorized_keys` has the same one.
    pub fingerprint: Option<String>,
    /// For an OpenSSH certificate: the CA's key, judged too.
    pub ca: Option<(Result<Algorithm, String>, String)>,
}

/// The SSH key-blob fingerprint kagi uses to recognise the same key in several files.
pub fn blob_fingerprint(blob: &[u8]) -> String {
    crate::keys::Fingerprint::of(blob).hex()
}

/// An OpenSSH certificate (`*-cert-v01@openssh.com`, PROTOCOL.certkeys): the certified key's
/// blob (rebuilt as a plain key blob) and the CA's key blob.
fn certificate(key_type: &str, blob: &[u8]) -> Option<(String, Vec<u8>, Vec<u8>)> {
    let plain = key_type.strip_suffix("-cert-v01@openssh.com")?.to_string();
    let mut b = blob;
    if field(&mut b)? != key_type.as_bytes() {
        return None;
    }
    let _nonce = field(&mut b)?;
    let n = match plain.as_str() {
        "ssh-rsa" => 2,
        "ssh-dss" => 4,
        "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" => 2,
        "ssh-ed25519" | "ssh-ed448" => 1,
        _ => return None,
    };
    let mut key = Vec::new();
    key.extend_from_slice(&(plain.len() as u32).to_be_bytes());
    key.extend_from_slice(plain.as_bytes());
    let mut fields = Vec::new();
    for _ in 0..n {
        fields.push(field(&mut b)?);
    }
    // RSA certificates carry e, n in the key-blob order.
    for f in fields {
        key.extend_from_slice(&(f.len() as u32).to_be_bytes());
        key.extend_from_slice(f);
    }
    // serial (u64), type (u32), key id, principals, valid after/before (u64 each),
    // critical options, extensions, reserved, then the signature key.
    b = b.get(12..)?;
    field(&mut b)?;
    field(&mut b)?;
    b = b.get(16..)?;
    for _ in 0..3 {
        field(&mut b)?;
    }
    let ca = field(&mut b)?.to_vec();
    Some((plain, key, ca))
}

const TYPES: [&str; 9] = [
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ssh-ed448",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ssh-ed25519@openssh.com",
];

/// Reads an SSH string or mpint (u32 length, bytes).
fn field<'a>(blob: &mut &'a [u8]) -> Option<&'a [u8]> {
    if blob.len() < 4 {
        return None;
    }
    let n = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
    let rest = blob.get(4..4 + n)?;
    *blob = &blob[4 + n..];
    Some(rest)
}

fn mpint_bits(m: &[u8]) -> u32 {
    let m: &[u8] = {
        let start = m.iter().position(|&b| b != 0).unwrap_or(m.len());
        &m[start..]
    };
    match m.first() {
        None => 0,
        Some(&top) => (m.len() as u32 - 1) * 8 + (8 - top.leading_zeros()),
    }
}

fn judge_blob(key_type: &str, blob: &[u8]) -> (Result<Algorithm, String>, String) {
    let mut b = blob;
    if field(&mut b).map(|t| t == key_type.as_bytes()) != Some(true) {
        return (
            Err("the key blob does not match its type".into()),
            "malformed".into(),
        );
    }
    match key_type {
        "ssh-rsa" => {
            let _e = field(&mut b);
            let bits = field(&mut b).map(mpint_bits).unwrap_or(0);
            (Ok(Algorithm::RsaKey { bits }), format!("RSA-{bits}"))
        }
        "ssh-dss" => {
            let p = field(&mut b).map(mpint_bits).unwrap_or(0);
            let q = field(&mut b).map(mpint_bits).unwrap_or(0);
            (
                Ok(Algorithm::Dsa {
                    l: p,
                    n: q,
                    hash: Some(HashAlg::Sha1),
                }),
                format!("DSA-{p}"),
            )
        }
        "ssh-ed25519" | "sk-ssh-ed25519@openssh.com" => {
            (Ok(Algorithm::EdDsa(Edwards::Ed25519)), "Ed25519".into())
        }
        "ssh-ed448" => (Ok(Algorithm::EdDsa(Edwards::Ed448)), "Ed448".into()),
        "ecdsa-sha2-nistp256" | "sk-ecdsa-sha2-nistp256@openssh.com" => (
            Ok(Algorithm::Ecdsa {
                curve: Curve::P256,
                hash: Some(HashAlg::Sha256),
            }),
            "ECDSA P-256".into(),
        ),
        "ecdsa-sha2-nistp384" => (
            Ok(Algorithm::Ecdsa {
                curve: Curve::P384,
                hash: Some(HashAlg::Sha384),
            }),
            "ECDSA P-384".into(),
        ),
        "ecdsa-sha2-nistp521" => (
            Ok(Algorithm::Ecdsa {
                curve: Curve::P521,
                hash: Some(HashAlg::Sha512),
            }),
            "ECDSA P-521".into(),
        ),
        other => (Err(format!("SSH key type {other}")), other.into()),
    }
}

/// The SSH public keys in `text`, or `None` if no line holds one.
pub fn keys(text: &str) -> Option<Vec<SshKey>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // authorized_keys lines may start with options; the type is the first known token.
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| {
            TYPES.contains(w)
                || w.strip_suffix("-cert-v01@openssh.com")
                    .is_some_and(|t| TYPES.contains(&t))
        }) else {
            continue;
        };
        let Some(b64) = words.get(at + 1) else {
            continue;
        };
        let Ok(blob) = Base64::decode_vec(b64) else {
            continue;
        };
        let comment = (words.len() > at + 2).then(|| words[at + 2..].join(" "));
        let (algorithm, description, fingerprint, ca) =
            if words[at].ends_with("-cert-v01@openssh.com") {
                match certificate(words[at], &blob) {
                    Some((plain, key, ca_blob)) => {
                        let (alg, desc) = judge_blob(&plain, &key);
                        let ca_type = {
                            let mut c: &[u8] = &ca_blob;
                            field(&mut c)
                                .map(|t| String::from_utf8_lossy(t).into_owned())
                                .unwrap_or_default()
                        };
                        let ca = judge_blob(&ca_type, &ca_blob);
                        (
                            alg,
                            format!("{desc} (OpenSSH certificate)"),
                            Some(blob_fingerprint(&key)),
                            Some(ca),
                        )
                    }
                    None => (
                        Err(format!("unreadable OpenSSH certificate {}", words[at])),
                        "malformed".into(),
                        None,
                        None,
                    ),
                }
            } else {
                let (alg, desc) = judge_blob(words[at], &blob);
                (alg, desc, Some(blob_fingerprint(&blob)), None)
            };
        out.push(SshKey {
            line: i + 1,
            key_type: words[at].to_string(),
            comment,
            algorithm,
            description,
            fingerprint,
            ca,
        });
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(parts: &[&[u8]]) -> String {
        let mut v = Vec::new();
        for p in parts {
            v.extend_from_slice(&(p.len() as u32).to_be_bytes());
            v.extend_from_slice(p);
        }
        Base64::encode_string(&v)
    }

    #[test]
    fn types_and_sizes_from_the_blob() {
        let mut n = vec![0u8];
        n.extend(vec![0xffu8; 256]);
        let rsa = blob(&[b"ssh-rsa", &[1, 0, 1], &n]);
        let ed = blob(&[b"ssh-ed25519", &[7u8; 32]]);
        let text = format!(
            "# keys\nssh-rsa {rsa} alice@host\nfrom=\"10.0.0.1\",no-pty ssh-ed25519 {ed} bob\nnot a key\n"
        );
        let k = keys(&text).unwrap_or_default();
        assert_eq!(k.len(), 2);
        assert_eq!(k[0].description, "RSA-2048");
        assert_eq!(k[0].comment.as_deref(), Some("alice@host"));
        assert_eq!(k[1].line, 3);
        assert_eq!(k[1].algorithm, Ok(Algorithm::EdDsa(Edwards::Ed25519)));
        assert!(keys("hello world\n").is_none());
        // A blob whose type does not match its line is malformed, not trusted.
        let bad = format!("ssh-rsa {ed}\n");
        assert!(keys(&bad).unwrap_or_default()[0].algorithm.is_err());
    }
}
