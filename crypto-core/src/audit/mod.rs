//! `kagi audit`'s scanners: what algorithms deployed artefacts rely on, judged by
//! [`cryptrec::audit`] under the provider's policy and date.
//!
//! Files: X.509 certificates and bundles (PEM or DER), CSRs, private keys (PKCS#8 plain or
//! encrypted, PKCS#1, SEC1, OpenSSH), public keys (SPKI, PKCS#1, OpenSSH and `authorized_keys`
//! lines), CMS/PKCS#7 signatures and kagi envelopes. Directories are walked and scanned in
//! parallel; unreadable files are noted, unknown ones skipped. A certificate's signature is
//! judged with its issuer's key when the issuer is among the scanned certificates; a trust
//! anchor's self-signature is reported but does not count. TLS endpoints: [`tls`].

mod asn1;
mod read;
pub mod report;
pub mod ssh;
pub mod tls;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cryptrec::audit::{self as judge_mod, Finding, Severity, judge};
use cryptrec::{Algorithm, Curve, HashAlg};
use serde::Serialize;

use crate::envelope::{RecipientInfo, Sealed};
use crate::keys::{self, KeyMaterial};
use crate::pki::Certificate;
use crate::provider::Provider;

/// One thing that was scanned: a certificate (of a bundle), a key, a signature, an envelope, a
/// TLS endpoint.
#[derive(Clone, Debug, Serialize)]
pub struct Artefact {
    /// Where: a file path, or `host:port`.
    pub location: String,
    /// Its position in the file (from 1), for files holding several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// Other files holding the same certificate or key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_at: Vec<String>,
    /// `certificate`, `CSR`, `private key`, `encrypted private key`, `public key`,
    /// `SSH public key`, `OpenSSH private key`, `CMS signature`, `kagi envelope`, `TLS endpoint`.
    pub kind: String,
    /// Subject, comment, label or host.
    pub name: Option<String>,
    /// The public key (`RSA-2048`, `EC P-256`, …), when there is one.
    pub public_key: Option<String>,
    /// A certificate's or CSR's signature algorithm OID.
    pub signature_algorithm: Option<String>,
    /// SHA-256 of the certificate (DER) or of the public key (SPKI).
    pub fingerprint: Option<String>,
    /// A certificate's notAfter (RFC 3339).
    pub not_after: Option<String>,
    /// Every judged aspect.
    pub findings: Vec<Finding>,
    /// Why it looks cryptographic but could not be judged (`kagi audit` exits 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_judged: Option<String>,
    /// A TLS endpoint: everything the probe saw it accept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Box<tls::Enumeration>>,
    #[serde(skip)]
    pending: Option<PendingSignature>,
    /// The TLS endpoint it was found at (`host:port`), for what a server sent.
    #[serde(skip)]
    endpoint: Option<String>,
}

#[derive(Clone, Debug)]
struct PendingSignature {
    subject: String,
    issuer: String,
    oid: String,
    pss: Option<HashAlg>,
    own_key: Option<Algorithm>,
    is_ca: bool,
}

impl Artefact {
    fn new(location: &str, kind: &str) -> Artefact {
        Artefact {
            location: location.to_string(),
            index: None,
            also_at: Vec::new(),
            kind: kind.to_string(),
            name: None,
            public_key: None,
            signature_algorithm: None,
            fingerprint: None,
            not_after: None,
            findings: Vec::new(),
            not_judged: None,
            tls: None,
            pending: None,
            endpoint: None,
        }
    }

    /// Whether any finding refuses it.
    pub fn refused(&self) -> bool {
        self.findings.iter().any(|f| f.refused)
    }

    /// The worst severity of its findings.
    pub fn severity(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info)
    }

    /// `location#index`.
    pub fn id(&self) -> String {
        match self.index {
            Some(i) => format!("{}#{i}", self.location),
            None => self.location.clone(),
        }
    }
}

/// A file that was not scanned, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    /// The path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The result of a scan.
#[derive(Clone, Debug, Serialize)]
pub struct Scan {
    /// The policy's name.
    pub policy: String,
    /// The dataset revisions it judged with.
    pub dataset: String,
    /// The date judged at.
    pub as_of: String,
    /// Everything found, in path order, certificates and keys deduplicated.
    pub artefacts: Vec<Artefact>,
    /// Files skipped as not cryptographic (listed with `verbose`).
    pub skipped: Vec<Note>,
    /// Files and endpoints that could not be read or reached: never findings.
    pub errors: Vec<Note>,
}

impl Scan {
    /// An empty scan under `provider`'s policy and date.
    pub fn new(provider: &Provider) -> Scan {
        let dataset = provider
            .policy()
            .evaluate(
                &Algorithm::Hash(HashAlg::Sha256),
                cryptrec::Use::Protect,
                provider.date(),
            )
            .dataset;
        Scan {
            policy: provider.policy().name().to_string(),
            dataset,
            as_of: provider.date().to_string(),
            artefacts: Vec::new(),
            skipped: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Whether any artefact is refused.
    pub fn refused(&self) -> bool {
        self.artefacts.iter().any(Artefact::refused)
    }

    /// The artefacts that look cryptographic but could not be judged.
    pub fn not_judged(&self) -> impl Iterator<Item = &Artefact> {
        self.artefacts.iter().filter(|a| a.not_judged.is_some())
    }
}

fn j(provider: &Provider, alg: &Algorithm, aspect: &str) -> Finding {
    judge(provider.policy(), alg, aspect, provider.date())
}

fn error_finding(aspect: &str, e: &crate::Error) -> Finding {
    match e {
        // Refused by name and reason: `high`, like every other unlisted algorithm.
        crate::Error::NotListed(why) => judge_mod::not_listed(aspect, &e.to_string(), why, false),
        _ => judge_mod::unknown(aspect, &e.to_string()),
    }
}

/// A traditional OpenSSL-encrypted PEM key (`Proc-Type: 4,ENCRYPTED`): its key derivation
/// (EVP_BytesToKey, one MD5 iteration: broken as a password KDF) and its `DEK-Info` cipher.
fn traditional_encrypted(provider: &Provider, location: &str, block: &str) -> Artefact {
    let mut a = Artefact::new(location, "encrypted private key");
    let mut kdf = judge_mod::not_listed(
        "key protection",
        "EVP_BytesToKey with MD5",
        "OpenSSL's traditional PEM encryption derives the key with one MD5 iteration (EVP_BytesToKey), not on the CRYPTREC Ciphers List (PBKDF2 is); convert with `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256`",
        true,
    );
    kdf.note = Some("traditional PEM key derivation".into());
    a.findings.push(kdf);
    let dek = block
        .lines()
        .find_map(|l| l.strip_prefix("DEK-Info:"))
        .and_then(|v| v.trim().split(',').next())
        .map(|c| c.trim().to_ascii_lowercase());
    a.findings.push(match dek.as_deref() {
        Some(c) => {
            let name = match c {
                "des-ede3-cbc" => "3des-cbc".to_string(),
                "des-cbc" => "des-cbc".to_string(),
                other => other.to_string(),
            };
            let mut f = match name.parse::<Algorithm>() {
                Ok(alg) => j(provider, &alg, "key protection"),
                Err(_) => judge_mod::not_listed(
                    "key protection",
                    c,
                    "not a cipher of the CRYPTREC Ciphers List that kagi knows",
                    false,
                ),
            };
            f.note = Some(format!("DEK-Info cipher {c}"));
            f
        }
        None => judge_mod::unknown("key protection", "DEK-Info cipher not given"),
    });
    a
}

fn key_findings(provider: &Provider, kind: keys::KeyKind) -> Vec<Finding> {
    kind.algorithms()
        .into_iter()
        .take(1)
        .map(|a| j(provider, &a, "public key"))
        .collect()
}

pub(crate) fn certificate(
    provider: &Provider,
    location: &str,
    index: Option<usize>,
    c: &Certificate,
) -> Artefact {
    let mut a = Artefact::new(location, "certificate");
    a.index = index;
    a.name = Some(c.subject.clone());
    a.fingerprint = Some(c.fingerprint.hex());
    a.signature_algorithm = Some(c.signature_oid.clone());
    a.not_after = c
        .not_after
        .format(&time::format_description::well_known::Rfc3339)
        .ok();
    let own_key = match &c.public_key {
        Ok(k) => {
            a.public_key = Some(k.kind().to_string());
            a.findings.extend(key_findings(provider, k.kind()));
            k.kind().algorithms().into_iter().next()
        }
        Err(_) => match asn1::spki(&c.spki) {
            // A key crypto-core does not implement is still judged from the policy data.
            Some(k) => {
                a.public_key = Some(k.description.clone());
                a.findings
                    .push(read::key_finding(provider, &k, "public key"));
                k.algorithm.ok()
            }
            None => {
                a.findings.push(judge_mod::not_listed(
                    "public key",
                    "unreadable SubjectPublicKeyInfo",
                    "the certificate's public key cannot be read, so it cannot be judged",
                    false,
                ));
                None
            }
        },
    };
    a.findings
        .push(judge_mod::expiry(c.not_after.date(), provider.date()));
    a.pending = Some(PendingSignature {
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        oid: c.signature_oid.clone(),
        pss: c.pss_hash,
        own_key,
        is_ca: c.is_ca,
    });
    a
}

/// A certificate (DER): through crypto-core's reader, or from the DER when that refuses it.
pub(crate) fn certificate_der(
    provider: &Provider,
    location: &str,
    index: Option<usize>,
    der: &[u8],
) -> Artefact {
    match Certificate::from_der(der) {
        Ok(c) => certificate(provider, location, index, &c),
        Err(e) => read::raw_certificate(provider, location, index, der, &e.to_string()),
    }
}

/// Judges the signatures of the scanned certificates and CRLs, with issuers found among them.
fn resolve_signatures(provider: &Provider, artefacts: &mut [Artefact]) {
    let mut keys: HashMap<String, Algorithm> = HashMap::new();
    for a in artefacts.iter() {
        if let Some(p) = &a.pending
            && let Some(k) = &p.own_key
        {
            keys.entry(p.subject.clone()).or_insert(*k);
        }
    }
    for a in artefacts.iter_mut() {
        let Some(p) = a.pending.take() else { continue };
        let self_signed = p.subject == p.issuer;
        let issuer_key = if self_signed {
            p.own_key
        } else {
            keys.get(&p.issuer).cloned()
        };
        let mut f = read::signature_finding(provider, &p.oid, p.pss, issuer_key.as_ref());
        if f.aspect == "signature hash" {
            f.note = Some(
                "the issuer's certificate was not among those scanned: its key is not judged"
                    .into(),
            );
        }
        // Nobody verifies a trust anchor's self-signature, whatever its algorithm (MD2 too).
        a.findings.push(if self_signed && p.is_ca {
            f.informational("the self-signature of a trust anchor is not relied on")
        } else {
            f
        });
    }
}

fn key_material(provider: &Provider, location: &str, m: KeyMaterial) -> Vec<Artefact> {
    match m {
        KeyMaterial::Private(k) => {
            let mut a = Artefact::new(location, "private key");
            a.public_key = Some(k.kind().to_string());
            a.fingerprint = Some(k.public_key().fingerprint().hex());
            a.findings.extend(key_findings(provider, k.kind()));
            vec![a]
        }
        KeyMaterial::Public(k) => {
            let mut a = Artefact::new(location, "public key");
            a.public_key = Some(k.kind().to_string());
            a.fingerprint = Some(k.fingerprint().hex());
            a.findings.extend(key_findings(provider, k.kind()));
            vec![a]
        }
        KeyMaterial::Encrypted(e) => match read::encrypted_key(provider, location, e.der()) {
            Some(a) => vec![a],
            None => vec![read::not_judged(
                location,
                None,
                "encrypted private key",
                "the EncryptedPrivateKeyInfo cannot be read",
            )],
        },
        KeyMaterial::Certificate(der) => vec![certificate_der(provider, location, None, &der)],
    }
}

fn envelope(provider: &Provider, location: &str, bytes: &[u8]) -> Option<Artefact> {
    let mut r = bytes;
    let sealed = Sealed::read(&mut r).ok()?;
    let h = &sealed.header;
    let mut a = Artefact::new(location, "kagi envelope");
    a.name = Some(h.label.to_string());
    a.findings
        .push(j(provider, &h.alg.aead().algorithm(), "payload"));
    for rec in &h.recipients {
        let (alg, note) = match rec {
            RecipientInfo::RsaOaep {
                wrapped, subject, ..
            } => (
                Algorithm::RsaOaep {
                    bits: (wrapped.len() * 8) as u32,
                    hash: HashAlg::Sha256,
                },
                subject.clone(),
            ),
            RecipientInfo::Ecdh {
                ephemeral, subject, ..
            } => (
                Algorithm::Ecdh(if ephemeral.len() > 65 {
                    Curve::P384
                } else {
                    Curve::P256
                }),
                subject.clone(),
            ),
            RecipientInfo::Passphrase { iterations, .. } => (
                Algorithm::Pbkdf2(HashAlg::Sha256),
                format!("passphrase, {iterations} PBKDF2 iterations"),
            ),
            RecipientInfo::KeyFile { .. } => (
                Algorithm::Hkdf(HashAlg::Sha256),
                "symmetric key file".to_string(),
            ),
            RecipientInfo::Hybrid { .. } => {
                // Both halves are judged; the ML-KEM half here, the ECDH half below.
                let mut f = j(provider, &Algorithm::Ecdh(Curve::P384), "recipient");
                f.note = Some("hybrid recipient, classical half".into());
                a.findings.push(f);
                (
                    Algorithm::MlKem(1024),
                    "hybrid recipient, post-quantum half".to_string(),
                )
            }
        };
        let mut f = j(provider, &alg, "recipient");
        if !note.is_empty() {
            f.note = Some(note);
        }
        a.findings.push(f);
    }
    Some(a)
}

fn openssh_private(provider: &Provider, location: &str, block: &str) -> Option<Artefact> {
    // OpenSSH wraps at 70 columns, which strict RFC 7468 decoders refuse: decode by hand.
    let b64: String = block
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).ok()?;
    let mut b: &[u8] = der.strip_prefix(b"openssh-key-v1\0")?;
    let field = |b: &mut &[u8]| -> Option<Vec<u8>> {
        let n = u32::from_be_bytes(b.get(..4)?.try_into().ok()?) as usize;
        let v = b.get(4..4 + n)?.to_vec();
        *b = &b[4 + n..];
        Some(v)
    };
    let cipher = String::from_utf8(field(&mut b)?).ok()?;
    let kdf = String::from_utf8(field(&mut b)?).ok()?;
    let _kdf_options = field(&mut b)?;
    b = b.get(4..)?; // number of keys
    let public = field(&mut b)?;
    let key_type = {
        let mut p: &[u8] = &public;
        String::from_utf8(field(&mut p)?).ok()?
    };
    let line = format!(
        "{key_type} {}",
        <base64ct::Base64 as base64ct::Encoding>::encode_string(&public)
    );
    let k = ssh::keys(&line)?.pop()?;
    let mut a = Artefact::new(location, "OpenSSH private key");
    a.public_key = Some(k.description.clone());
    a.fingerprint = k.fingerprint.clone();
    a.findings.push(match &k.algorithm {
        Ok(alg) => j(provider, alg, "public key"),
        Err(e) => judge_mod::unknown("public key", e),
    });
    if cipher != "none" {
        // OpenSSH cipher names (PROTOCOL, ssh(1) -Q cipher).
        let named = match cipher.as_str() {
            "aes128-ctr" => Some("aes-128-ctr"),
            "aes192-ctr" => Some("aes-192-ctr"),
            "aes256-ctr" => Some("aes-256-ctr"),
            "aes128-cbc" => Some("aes-128-cbc"),
            "aes192-cbc" => Some("aes-192-cbc"),
            "aes256-cbc" => Some("aes-256-cbc"),
            "aes128-gcm@openssh.com" => Some("aes-128-gcm"),
            "aes256-gcm@openssh.com" => Some("aes-256-gcm"),
            "chacha20-poly1305@openssh.com" => Some("chacha20-poly1305"),
            "3des-cbc" => Some("3des-cbc"),
            _ => None,
        };
        let mut f = match named.and_then(|n| n.parse::<Algorithm>().ok()) {
            Some(alg) => j(provider, &alg, "key protection"),
            None => judge_mod::not_listed(
                "key protection",
                &cipher,
                "not a cipher of the CRYPTREC Ciphers List that kagi knows",
                false,
            ),
        };
        f.note = Some(format!("cipher {cipher}"));
        a.findings.push(f);
        a.findings.push(judge_mod::not_listed(
            "key protection",
            &format!("{kdf} KDF"),
            &format!("the {kdf} key derivation is not on the CRYPTREC Ciphers List (PBKDF2 is)"),
            false,
        ));
    }
    Some(a)
}

/// The DER of a PEM block; OpenSSH-style and other loosely wrapped base64 is accepted.
fn pem_der(block: &str) -> Option<Vec<u8>> {
    if let Ok((_, der)) = der::pem::decode_vec(block.as_bytes()) {
        return Some(der);
    }
    let b64: String = block
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
        .map(str::trim)
        .collect();
    <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).ok()
}

/// One PEM block, judged or "not judged" with the reason.
fn pem_block(
    provider: &Provider,
    location: &str,
    label: &str,
    block: &str,
    index: Option<usize>,
) -> Vec<Artefact> {
    let nj = |why: &str| {
        vec![read::not_judged(
            location,
            index,
            &format!("PEM {label}"),
            why,
        )]
    };
    if label == "OPENSSH PRIVATE KEY" {
        return match openssh_private(provider, location, block) {
            Some(a) => vec![a],
            None => nj("the OpenSSH private key cannot be read"),
        };
    }
    let Some(der) = pem_der(block) else {
        return nj("the PEM block's base64 cannot be decoded");
    };
    match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
            // A TRUSTED CERTIFICATE carries openssl's trust settings after the certificate.
            let mut b = &der[..];
            match asn1::next(&mut b) {
                Some(c) => vec![certificate_der(provider, location, index, c.raw)],
                None => nj("the certificate is not DER"),
            }
        }
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            vec![read::csr(provider, location, &der)]
        }
        "X509 CRL" => vec![read::crl(location, index, &der)],
        "PKCS7" | "CMS" | "PKCS #7 SIGNED DATA" => read::content_info(provider, location, &der)
            .unwrap_or_else(|| nj("not a CMS ContentInfo")),
        "EC PARAMETERS" | "DH PARAMETERS" | "X9.42 DH PARAMETERS" | "DSA PARAMETERS" => {
            read::parameters(provider, location, label, &der)
                .map(|a| vec![a])
                .unwrap_or_else(|| nj("the parameters cannot be read"))
        }
        "ENCRYPTED PRIVATE KEY" => read::encrypted_key(provider, location, &der)
            .map(|a| vec![a])
            .unwrap_or_else(|| nj("the EncryptedPrivateKeyInfo cannot be read")),
        _ if block.contains("Proc-Type: 4,ENCRYPTED") => {
            vec![traditional_encrypted(provider, location, block)]
        }
        "PRIVATE KEY" | "PUBLIC KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "RSA PUBLIC KEY"
        | "DSA PRIVATE KEY" => match keys::read(block.as_bytes()) {
            Ok(m) => key_material(provider, location, m),
            Err(e) => match read::key(provider, location, Some(label), &der) {
                Some(a) => vec![a],
                None => nj(&format!("the key cannot be read ({e})")),
            },
        },
        "PKCS12" => {
            read::pkcs12(provider, location, &der).unwrap_or_else(|| nj("not a PKCS#12 PFX"))
        }
        _ => match der_artefacts(provider, location, &der) {
            Some(found) => found,
            None => nj(&format!("kagi audit does not read `{label}` PEM blocks")),
        },
    }
}

/// DER of a kind recognised by its structure; `None` if it is none kagi knows.
fn der_artefacts(provider: &Provider, location: &str, bytes: &[u8]) -> Option<Vec<Artefact>> {
    match read::signed_kind(bytes) {
        Some(read::Signed::Certificate) => {
            return Some(vec![certificate_der(provider, location, None, bytes)]);
        }
        Some(read::Signed::Csr) => return Some(vec![read::csr(provider, location, bytes)]),
        Some(read::Signed::Crl) => return Some(vec![read::crl(location, None, bytes)]),
        None => {}
    }
    if let Some(found) = read::content_info(provider, location, bytes) {
        return Some(found);
    }
    if let Some(found) = read::pkcs12(provider, location, bytes) {
        return Some(found);
    }
    if let Some(found) = read::certificate_pair(provider, location, bytes) {
        return Some(found);
    }
    match keys::read(bytes) {
        Ok(m) => return Some(key_material(provider, location, m)),
        Err(e @ crate::Error::NotListed(_)) => {
            let mut a = Artefact::new(location, "key");
            a.findings.push(error_finding("key", &e));
            return Some(vec![a]);
        }
        Err(_) => {}
    }
    read::key(provider, location, None, bytes).map(|a| vec![a])
}

/// Scans one file's bytes; `None` when nothing in it looks cryptographic. Whatever does look
/// cryptographic (a PEM block of any type, DER shaped like a certificate, key, CSR, CRL, CMS,
/// PKCS#7 or PKCS#12, an OpenSSH key or certificate) is judged or reported as not judged.
pub fn scan_bytes(provider: &Provider, location: &str, bytes: &[u8]) -> Option<Vec<Artefact>> {
    if bytes.starts_with(crate::envelope::MAGIC) {
        return Some(vec![envelope(provider, location, bytes).unwrap_or_else(
            || {
                read::not_judged(
                    location,
                    None,
                    "kagi envelope",
                    "the envelope header cannot be read",
                )
            },
        )]);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains("-----BEGIN ") {
            let blocks = keys::pem_blocks(text);
            let mut out = Vec::new();
            let many = blocks.len() > 1;
            let certs = blocks
                .iter()
                .filter(|(l, _)| {
                    matches!(
                        *l,
                        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
                    )
                })
                .count();
            let mut n = 0;
            for (i, (label, block)) in blocks.iter().enumerate() {
                let index = if matches!(
                    *label,
                    "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
                ) {
                    n += 1;
                    (certs > 1).then_some(n)
                } else {
                    many.then_some(i + 1)
                };
                out.extend(pem_block(provider, location, label, block, index));
            }
            if blocks.is_empty() || text.matches("-----BEGIN ").count() > blocks.len() {
                out.push(read::not_judged(
                    location,
                    None,
                    "PEM",
                    "a PEM BEGIN line without its matching END line",
                ));
            }
            return Some(out);
        }
        if let Ok(Some(k)) = crate::envelope::hybrid::HybridPublicKey::from_text(text) {
            let mut a = Artefact::new(location, "hybrid public key");
            a.public_key = Some("ECDH P-384 + ML-KEM-1024".into());
            a.fingerprint = Some(hex::encode(k.id()));
            a.findings
                .push(j(provider, &Algorithm::Ecdh(Curve::P384), "public key"));
            a.findings
                .push(j(provider, &Algorithm::MlKem(1024), "public key"));
            return Some(vec![a]);
        }
        if let Some(keys) = ssh::keys(text) {
            return Some(
                keys.into_iter()
                    .map(|k| ssh_artefact(provider, location, k))
                    .collect(),
            );
        }
    }
    if let Some(found) = der_artefacts(provider, location, bytes) {
        return Some(found);
    }
    // Any other single, complete DER SEQUENCE looks cryptographic: never dropped silently.
    asn1::whole(bytes)
        .filter(|t| t.tag == asn1::SEQUENCE)
        .map(|_| {
            vec![read::not_judged(
                location,
                None,
                "DER",
                "a DER structure kagi audit does not recognise (not a certificate, CSR, CRL, key, CMS, PKCS#7 or PKCS#12)",
            )]
        })
}

fn ssh_artefact(provider: &Provider, location: &str, k: ssh::SshKey) -> Artefact {
    let mut a = Artefact::new(location, "SSH public key");
    a.index = Some(k.line);
    a.name = k.comment.clone();
    a.public_key = Some(k.description.clone());
    a.fingerprint = k.fingerprint.clone();
    a.findings.push(match &k.algorithm {
        Ok(alg) => j(provider, alg, "public key"),
        Err(e) => judge_mod::unknown("public key", e),
    });
    if let Some((ca, desc)) = &k.ca {
        a.kind = "OpenSSH certificate".into();
        let mut f = match ca {
            Ok(alg) => j(provider, alg, "CA key"),
            Err(e) => judge_mod::unknown("CA key", e),
        };
        f.note = Some(format!("signed by a {desc} CA key"));
        a.findings.push(f);
    }
    a
}

/// How much of a file is read: whole up to this size; beyond it only an envelope's header.
const MAX_READ: u64 = 16 << 20;

fn scan_file(provider: &Provider, path: &Path) -> Result<Option<Vec<Artefact>>, String> {
    use std::io::Read;
    let location = path.display().to_string();
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    let mut bytes = Vec::new();
    (&mut f)
        .take(if len > MAX_READ { 1 << 20 } else { MAX_READ })
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if len > MAX_READ && !bytes.starts_with(crate::envelope::MAGIC) {
        return Ok(None);
    }
    Ok(scan_bytes(provider, &location, &bytes))
}

/// Every regular file under `paths` (symlinks followed, each real file once), sorted.
fn files(paths: &[PathBuf], scan: &mut Scan) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<PathBuf> = paths.iter().rev().cloned().collect();
    while let Some(p) = stack.pop() {
        let md = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                scan.errors.push(Note {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let real = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if !seen.insert(real) {
            continue;
        }
        if md.is_dir() {
            match std::fs::read_dir(&p) {
                Ok(it) => {
                    let mut children: Vec<PathBuf> =
                        it.filter_map(|e| e.ok().map(|e| e.path())).collect();
                    children.sort();
                    stack.extend(children.into_iter().rev());
                }
                Err(e) => scan.errors.push(Note {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                }),
            }
        } else if md.is_file() {
            out.push(p);
        } else {
            // A FIFO, socket or device is never read (it may block, or never end): named on
            // the command line that is an error, so nothing passes unread (found by an
            // attacker: `kagi audit <(cat key.pem)` said "nothing found", exit 0); met in a
            // walk it is listed as skipped.
            use std::os::unix::fs::FileTypeExt;
            let ft = md.file_type();
            let kind = if ft.is_fifo() {
                "a FIFO (pipe)"
            } else if ft.is_socket() {
                "a socket"
            } else if ft.is_block_device() {
                "a block device"
            } else if ft.is_char_device() {
                "a character device"
            } else {
                "not a regular file"
            };
            let note = Note {
                path: p.display().to_string(),
                reason: format!("{kind}: not read (kagi audit reads regular files)"),
            };
            if paths.contains(&p) {
                scan.errors.push(note);
            } else {
                scan.skipped.push(note);
            }
        }
    }
    out
}

/// Scans files and directories in parallel (`threads` workers), judging everything under the
/// provider's policy and date. Identical certificates and keys are reported once, with the
/// other places they were found.
pub fn scan_paths(provider: &Provider, paths: &[PathBuf], threads: usize) -> Scan {
    let mut scan = Scan::new(provider);
    let list = files(paths, &mut scan);
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Scanned = (usize, Result<Option<Vec<Artefact>>, String>);
    let results: Vec<Scanned> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(p) = list.get(i) else { break };
                        mine.push((i, scan_file(provider, p)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut ordered: Vec<_> = results;
    ordered.sort_by_key(|(i, _)| *i);
    let mut by_fingerprint: HashMap<(String, String), usize> = HashMap::new();
    for (i, r) in ordered {
        let path = list[i].display().to_string();
        match r {
            Err(reason) => scan.errors.push(Note { path, reason }),
            Ok(None) => scan.skipped.push(Note {
                path,
                reason: "nothing cryptographic kagi knows".into(),
            }),
            Ok(Some(found)) => {
                for a in found {
                    let key = a.fingerprint.clone().map(|f| (dedup_class(&a.kind), f));
                    match key.as_ref().and_then(|k| by_fingerprint.get(k)) {
                        Some(&at) => merge(&mut scan.artefacts[at], a),
                        None => {
                            if let Some(k) = key {
                                by_fingerprint.insert(k, scan.artefacts.len());
                            }
                            scan.artefacts.push(a);
                        }
                    }
                }
            }
        }
    }
    resolve_signatures(provider, &mut scan.artefacts);
    scan
}

/// Which artefacts are "the same key" when their fingerprints agree: an SSH key in a private
/// key file, its `.pub` and an `authorized_keys` line is one key.
fn dedup_class(kind: &str) -> String {
    match kind {
        "SSH public key" | "OpenSSH private key" => "SSH key".into(),
        k => k.into(),
    }
}

/// Reports `dup` as another place of `first`, keeping any finding only `dup` has (a private
/// key's protection) and the private kind.
fn merge(first: &mut Artefact, dup: Artefact) {
    let dup_id = dup.id();
    for f in dup.findings {
        if !first
            .findings
            .iter()
            .any(|g| g.aspect == f.aspect && g.algorithm == f.algorithm)
        {
            first.findings.push(f);
        }
    }
    if dup.kind.contains("private") && !first.kind.contains("private") {
        let old = first.id();
        first.kind = dup.kind;
        first.location = dup.location;
        first.index = dup.index;
        first.name = first.name.take().or(dup.name);
        first.also_at.push(old);
    } else {
        first.also_at.push(dup_id);
    }
}

/// Scans bytes already in memory (one file), resolving signatures within them.
pub fn scan_one(provider: &Provider, location: &str, bytes: &[u8]) -> Scan {
    let mut scan = Scan::new(provider);
    match scan_bytes(provider, location, bytes) {
        Some(found) => scan.artefacts = found,
        None => scan.skipped.push(Note {
            path: location.into(),
            reason: "nothing cryptographic kagi knows".into(),
        }),
    }
    resolve_signatures(provider, &mut scan.artefacts);
    scan
}

/// Adds artefacts found elsewhere (TLS endpoints) to a scan.
pub fn extend(provider: &Provider, scan: &mut Scan, mut found: Vec<Artefact>) {
    resolve_signatures(provider, &mut found);
    scan.artefacts.extend(found);
}
