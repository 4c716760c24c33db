//! Findings on what a probe saw: a suite by its worst part, a protocol version, a group, a
//! signature scheme (with the leaf certificate's RSA size).

use cryptrec::audit::{Finding, Severity, judge, unknown};
use cryptrec::{Algorithm, BlockCipher, HashAlg, Mode, Status};

use super::Artefact;
use super::registry::*;
use crate::pki::Certificate;
use crate::provider::Provider;

/// The finding on a key-exchange group: its algorithm; a hybrid's weaker half; a group the
/// list does not name, refused with the reason.
pub(super) fn group_finding(provider: &Provider, code: u16) -> Finding {
    let (name, alg) = group(code);
    let j = |a: &Algorithm| judge(provider.policy(), a, "key exchange group", provider.date());
    if let Some(a) = alg {
        return j(&a);
    }
    if let Some(halves) = hybrid(code) {
        let parts: Vec<Finding> = halves.iter().map(j).collect();
        let mut worst = parts
            .iter()
            .max_by_key(|f| (f.refused, f.severity))
            .cloned()
            .unwrap_or_else(|| unknown("key exchange group", name));
        worst.note = Some(format!(
            "hybrid {name}: {} and {}, judged by the weaker",
            parts[0].algorithm, parts[1].algorithm
        ));
        return worst;
    }
    cryptrec::audit::not_listed(
        "key exchange group",
        name,
        &format!(
            "{name} is not a group of the CRYPTREC Ciphers List (its ECDH uses the NIST curves P-256, P-384, P-521; DH the finite-field groups)"
        ),
        false,
    )
}

pub(super) fn component_findings(
    provider: &Provider,
    suite: &Suite,
    kx_alg: Option<Algorithm>,
) -> Vec<Finding> {
    let j = |a: &Algorithm| judge(provider.policy(), a, "cipher suite", provider.date());
    let mut v = Vec::new();
    match suite.enc {
        Aes(bits, mode) => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::Aes,
            key_bits: bits,
            mode: Some(mode),
        })),
        Camellia(bits, mode) => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::Camellia,
            key_bits: bits,
            mode: Some(mode),
        })),
        Aria(bits) => v.push(cryptrec::audit::not_listed(
            "cipher suite",
            &format!("ARIA-{bits}-GCM"),
            "ARIA (RFC 6209) is not on the CRYPTREC Ciphers List",
            false,
        )),
        ChaCha => v.push(j(&Algorithm::ChaCha20Poly1305)),
        TripleDes => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::TripleDes,
            key_bits: 168,
            mode: Some(Mode::Cbc),
        })),
        Des => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::Des,
            key_bits: 56,
            mode: Some(Mode::Cbc),
        })),
        Rc4 => v.push(j(&Algorithm::Rc4)),
        Null => {
            let mut f = unknown("cipher suite", "no encryption (NULL)");
            f.severity = Severity::Critical;
            v.push(f);
        }
    }
    match suite.mac {
        Aead => {}
        Sha1 => v.push(j(&Algorithm::Hmac(HashAlg::Sha1))),
        Sha256 => v.push(j(&Algorithm::Hmac(HashAlg::Sha256))),
        Sha384 => v.push(j(&Algorithm::Hmac(HashAlg::Sha384))),
        Md5 => v.push(j(&Algorithm::Hmac(HashAlg::Md5))),
    }
    if let Some(k) = kx_alg {
        v.push(j(&k));
    }
    if matches!(suite.kx, DhAnon | EcdhAnon) {
        v.push(cryptrec::audit::not_listed(
            "cipher suite",
            "anonymous key exchange",
            "anonymous (EC)DH authenticates no server: anyone in the path can impersonate it (RFC 5246 §A.5, RFC 8422 §2.5 — never for general use)",
            true,
        ));
    }
    v
}

/// The suite's finding: the worst of its parts, named by the suite.
pub(super) fn suite_finding(
    provider: &Provider,
    suite: &Suite,
    kx_alg: Option<Algorithm>,
    version: &str,
) -> Finding {
    let parts = component_findings(provider, suite, kx_alg);
    let worst = parts
        .iter()
        .max_by_key(|f| (f.refused, f.severity, u8::from(f.protect_until.is_some())))
        .cloned()
        .unwrap_or_else(|| unknown("cipher suite", suite.name));
    let mut f = worst;
    f.aspect = "cipher suite".into();
    f.note = Some(format!("{} 0x{:04X} ({version})", suite.name, suite.code));
    f
}

pub(super) fn version_finding(code: u16, name: &str) -> Finding {
    let (status, severity, source) = match code {
        0x0300 => (
            Status::Refused,
            Severity::Critical,
            "RFC 7568 (2015): SSL 3.0 must not be used (POODLE, CVE-2014-3566)",
        ),
        0x0301 | 0x0302 => (
            Status::Refused,
            Severity::High,
            "RFC 8996 (2021): TLS 1.0 and TLS 1.1 are deprecated and must not be negotiated",
        ),
        _ => (
            Status::Permitted,
            Severity::Info,
            "RFC 8446 / RFC 5246: a current protocol version",
        ),
    };
    Finding {
        aspect: "protocol".into(),
        algorithm: name.to_string(),
        protect: status,
        process: status,
        protect_until: None,
        strength: 0,
        severity,
        refused: status == Status::Refused,
        sources: vec![source.into()],
        note: None,
    }
}

/// Adds the finding on a signature scheme the server signed with, once.
pub(super) fn scheme_finding(
    provider: &Provider,
    endpoint: &mut Artefact,
    sch: u16,
    chain: &[Vec<u8>],
) {
    let (sname, alg) = scheme(sch);
    if endpoint
        .findings
        .iter()
        .any(|f| f.aspect == "signature scheme" && f.note.as_deref() == Some(sname))
    {
        return;
    }
    let mut f = match alg.map(|x| with_leaf_bits(x, chain)) {
        Some(x) => judge(provider.policy(), &x, "signature scheme", provider.date()),
        None => unknown("signature scheme", sname),
    };
    f.note = Some(sname.to_string());
    endpoint.findings.push(f);
}

pub(super) fn leaf_rsa_bits(chain: &[Vec<u8>]) -> Option<u32> {
    let c = Certificate::from_der(chain.first()?).ok()?;
    match c.public_key.ok()?.kind() {
        crate::keys::KeyKind::Rsa { bits } => Some(bits),
        _ => None,
    }
}

pub(super) fn with_leaf_bits(alg: Algorithm, chain: &[Vec<u8>]) -> Algorithm {
    match alg {
        Algorithm::RsaPss { hash, .. } => Algorithm::RsaPss {
            bits: leaf_rsa_bits(chain).unwrap_or(2048),
            hash,
        },
        Algorithm::RsaPkcs1Sign { hash, .. } => Algorithm::RsaPkcs1Sign {
            bits: leaf_rsa_bits(chain).unwrap_or(2048),
            hash,
        },
        other => other,
    }
}
