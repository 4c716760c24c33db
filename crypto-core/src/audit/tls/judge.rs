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

/// A part the list does not name, refused with the reason (`broken`: critical).
fn unlisted(what: &str, why: &str, broken: bool) -> Finding {
    cryptrec::audit::not_listed("cipher suite", what, why, broken)
}

/// The findings on a suite's parts: cipher, MAC, key exchange (`kx`: the judged group, DH
/// size or RSA key, as the server used it), export, anonymity.
pub(super) fn component_findings(
    provider: &Provider,
    suite: &Suite,
    kx: Option<Finding>,
) -> Vec<Finding> {
    let j = |a: &Algorithm| judge(provider.policy(), a, "cipher suite", provider.date());
    let cipher = |cipher, key_bits, mode| {
        j(&Algorithm::Cipher {
            cipher,
            key_bits,
            mode: Some(mode),
        })
    };
    let mut v = Vec::new();
    v.push(match suite.enc {
        Aes(bits, mode) => cipher(BlockCipher::Aes, bits, mode),
        Camellia(bits, mode) => cipher(BlockCipher::Camellia, bits, mode),
        Aria(bits, mode) => unlisted(
            &format!("ARIA-{bits}-{}", mode_name(mode)),
            "ARIA (RFC 6209) is not on the CRYPTREC Ciphers List",
            false,
        ),
        ChaCha => j(&Algorithm::ChaCha20Poly1305),
        TripleDes => cipher(BlockCipher::TripleDes, 168, Mode::Cbc),
        Des(56) => cipher(BlockCipher::Des, 56, Mode::Cbc),
        Des(bits) => unlisted(
            &format!("DES-{bits}-CBC (export)"),
            "export DES with a 40-bit key: searched exhaustively in hours (RFC 5469; never on the list)",
            true,
        ),
        Rc4(128) => j(&Algorithm::Rc4),
        Rc4(bits) => unlisted(
            &format!("RC4-{bits} (export)"),
            "RC4 (RFC 7465 prohibits it in TLS) with a 40-bit export key",
            true,
        ),
        Rc2(bits) => unlisted(
            &format!("RC2-{bits}-CBC (export)"),
            "RC2 is not on the CRYPTREC Ciphers List; a 40-bit export key is searched exhaustively in hours",
            true,
        ),
        Idea => unlisted(
            "IDEA-CBC",
            "IDEA is not on the CRYPTREC Ciphers List (the IESG moved the TLS IDEA and DES suites to Historic)",
            false,
        ),
        Seed => unlisted(
            "SEED-CBC",
            "SEED (RFC 4162) is not on the CRYPTREC Ciphers List",
            false,
        ),
        Sm4(mode) => unlisted(
            &format!("SM4-{}", mode_name(mode)),
            "SM4 (RFC 8998) is not on the CRYPTREC Ciphers List",
            false,
        ),
        Aegis(bits) => unlisted(
            &format!("AEGIS-{bits}"),
            "AEGIS (draft-irtf-cfrg-aegis-aead) is not on the CRYPTREC Ciphers List",
            false,
        ),
        Kuznyechik => unlisted(
            "Kuznyechik",
            "GOST R 34.12-2015 Kuznyechik (RFC 9189) is not on the CRYPTREC Ciphers List",
            false,
        ),
        Magma => unlisted(
            "Magma",
            "GOST R 34.12-2015 Magma (64-bit block, RFC 9189) is not on the CRYPTREC Ciphers List",
            false,
        ),
        Gost89 => unlisted(
            "GOST 28147-89",
            "GOST 28147-89 (64-bit block) is not on the CRYPTREC Ciphers List",
            false,
        ),
        Enc::Null => {
            let mut f = unknown("cipher suite", "no encryption (NULL)");
            f.severity = Severity::Critical;
            f
        }
    });
    match suite.mac {
        Mac::Aead => {}
        Mac::Sha1 => v.push(j(&Algorithm::Hmac(HashAlg::Sha1))),
        Mac::Sha256 => v.push(j(&Algorithm::Hmac(HashAlg::Sha256))),
        Mac::Sha384 => v.push(j(&Algorithm::Hmac(HashAlg::Sha384))),
        Mac::Md5 => v.push(j(&Algorithm::Hmac(HashAlg::Md5))),
        Mac::Gost => v.push(unlisted(
            "GOST MAC",
            "GOST 28147-89 IMIT, GOST OMAC and HMAC-GOST R 34.11 are not on the CRYPTREC Ciphers List",
            false,
        )),
        Mac::Null => v.push(unlisted(
            "no MAC (NULL)",
            "TLS_NULL_WITH_NULL_NULL protects nothing: no key exchange, no encryption, no MAC",
            true,
        )),
    }
    match suite.kx {
        Kx::Null => v.push(unlisted(
            "no key exchange (NULL)",
            "TLS_NULL_WITH_NULL_NULL establishes no key",
            true,
        )),
        Psk | DhePsk | EcdhePsk | RsaPsk => v.push(unlisted(
            "pre-shared key (PSK)",
            "TLS-PSK (RFC 4279, 5487, 5489) is not a key-establishment or entity-authentication scheme of the CRYPTREC Ciphers List, and a pre-shared key's strength cannot be judged from the wire",
            false,
        )),
        Srp => v.push(unlisted(
            "SRP",
            "SRP (RFC 5054) is not on the CRYPTREC Ciphers List",
            false,
        )),
        Krb5 => v.push(unlisted(
            "Kerberos (KRB5)",
            "Kerberos key exchange (RFC 2712) is not on the CRYPTREC Ciphers List",
            false,
        )),
        EccPwd => v.push(unlisted(
            "ECCPWD",
            "password-authenticated ECC key exchange (RFC 8492) is not on the CRYPTREC Ciphers List",
            false,
        )),
        Gost => v.push(unlisted(
            "GOST R 34.10 key exchange",
            "GOST R 34.10 (VKO) key agreement is not on the CRYPTREC Ciphers List",
            false,
        )),
        Rsa | Dh | Dhe | Ecdh | Ecdhe | Tls13 => {}
    }
    match kx {
        Some(k) => v.push(k),
        // What the key exchange uses was not seen: never passed as fine.
        None if matches!(
            suite.kx,
            Rsa | Dh | Dhe | Ecdh | Ecdhe | DhePsk | EcdhePsk | RsaPsk
        ) =>
        {
            v.push(unknown("cipher suite", "key exchange parameters not read"))
        }
        None => {}
    }
    if suite.export {
        v.push(unlisted(
            "export key exchange",
            "export suites limit the key exchange to 512-bit RSA or DH (FREAK, CVE-2015-0204; Logjam, CVE-2015-4000)",
            true,
        ));
    }
    if suite.auth == Auth::Anon {
        v.push(cryptrec::audit::not_listed(
            "cipher suite",
            "anonymous key exchange",
            "anonymous (EC)DH authenticates no server: anyone in the path can impersonate it (RFC 5246 §A.5, RFC 8422 §2.5 — never for general use)",
            true,
        ));
    }
    v
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Gcm => "GCM",
        Mode::Ccm => "CCM",
        Mode::Cbc => "CBC",
        Mode::Cfb => "CFB",
        Mode::Ctr => "CTR",
        Mode::Ofb => "OFB",
        Mode::Xts => "XTS",
        Mode::Ecb => "ECB",
        _ => "?",
    }
}

/// The suite's finding: the worst of its parts, named by the suite.
pub(super) fn suite_finding(
    provider: &Provider,
    suite: &Suite,
    kx: Option<Finding>,
    version: &str,
) -> Finding {
    let parts = component_findings(provider, suite, kx);
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
        0x0002 => (
            Status::Refused,
            Severity::Critical,
            "RFC 6176 (2011): SSL 2.0 must never be negotiated",
        ),
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

/// The finding on an SSL 2.0 cipher spec the server offered: every one is refused with SSL 2.0
/// itself, and broken (its MAC is MD5; export specs have 40-bit keys).
pub(super) fn ssl2_cipher_finding(code: u32, name: &str) -> Finding {
    let mut f = cryptrec::audit::not_listed(
        "cipher suite",
        name,
        "an SSL 2.0 cipher spec: SSL 2.0 must never be negotiated (RFC 6176); every spec authenticates records with MD5",
        true,
    );
    f.note = Some(format!("{name} 0x{code:06X} (SSL 2.0)"));
    f
}

/// The curve of the leaf certificate's EC key (a static-ECDH suite's key exchange).
pub(super) fn leaf_ec_curve(chain: &[Vec<u8>]) -> Option<cryptrec::Curve> {
    let c = Certificate::from_der(chain.first()?).ok()?;
    match c.public_key.ok()?.kind() {
        crate::keys::KeyKind::Ec(curve) => Some(curve),
        _ => None,
    }
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
