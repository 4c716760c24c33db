//! A CRYPTREC-only rustls [`CryptoProvider`], built from a
//! policy: exactly the cipher suites, key-exchange groups and signature schemes the policy
//! permits — and nothing else. Its [`TlsProvider::status`] is the weakest verdict of its parts,
//! as rustls's `fips()` reports on a FIPS provider.
//!
//! - Cipher suites: TLS 1.3 AES-128/256-GCM and ChaCha20-Poly1305; TLS 1.2 ECDHE (ECDSA or
//!   RSA) with AES-GCM or ChaCha20-Poly1305 — each kept only if its AEAD and its HMAC/HKDF hash
//!   are permitted to protect data. (rustls offers no CBC, static-RSA or DHE suites.)
//! - Groups: secp256r1 and secp384r1 when ECDH on them is permitted; never X25519, which the
//!   list does not name.
//! - Signatures: every certificate and handshake signature is verified by crypto-core under
//!   the policy — with the key's real size, so RSA-1024 fails even where RSA-2048 passes.
//!
//! [`client_config`] and [`server_config`] build rustls configurations from it; errors are
//! returned, nothing panics, and no process-wide default provider is ever installed.
//!
//! ```
//! use crypto_core::{Provider, tls};
//! let provider = Provider::egov()?;
//! let tls = tls::TlsProvider::new(&provider)?;
//! assert!(tls.parts.iter().any(|p| p.name == "TLS13_AES_256_GCM_SHA384"));
//! assert!(!tls.parts.iter().any(|p| p.name.contains("X25519")));
//! # Ok::<(), crypto_core::Error>(())
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cryptrec::{Algorithm, Status, Use};
use pki_types::{CertificateDer, PrivateKeyDer};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, ring};
use rustls::{SignatureScheme as Tls, SupportedCipherSuite};
use serde::Serialize;

use crate::Error;
use crate::provider::Provider;
use crate::sig::SignatureScheme;

/// One part of the provider and the verdicts that admitted it.
#[derive(Clone, Debug, Serialize)]
pub struct Part {
    /// `cipher suite`, `key exchange group` or `signature scheme`.
    pub kind: &'static str,
    /// The rustls / IANA name.
    pub name: String,
    /// The algorithms it relies on.
    pub algorithms: Vec<String>,
    /// The weakest of their verdicts for protecting data today.
    pub status: Status,
}

/// The provider and what it is made of.
#[derive(Debug)]
pub struct TlsProvider {
    /// The rustls provider; hand it to `ClientConfig::builder_with_provider` or use
    /// [`client_config`] / [`server_config`].
    pub provider: Arc<CryptoProvider>,
    /// Every suite, group and scheme it contains, with the verdicts behind it.
    pub parts: Vec<Part>,
    /// The weakest verdict of its parts (like rustls's `fips()`).
    pub status: Status,
    /// The policy it was built from.
    pub policy: String,
}

fn name(alg: &str) -> Result<Algorithm, Error> {
    alg.parse::<Algorithm>().map_err(Error::from)
}

/// The weakest protect verdict of `algs`, or `None` if one is refused.
fn judge(p: &Provider, algs: &[&str]) -> Result<Option<Status>, Error> {
    let mut status = Status::Permitted;
    for a in algs {
        let v = p.policy().evaluate(&name(a)?, Use::Protect, p.date());
        if matches!(v.status, Status::Refused | Status::LegacyProcessOnly) {
            return Ok(None);
        }
        status = status.worst(v.status);
    }
    Ok(Some(status))
}

fn suite_algorithms(s: &SupportedCipherSuite) -> Option<&'static [&'static str]> {
    use rustls::CipherSuite as C;
    Some(match s.suite() {
        C::TLS13_AES_128_GCM_SHA256 => &["aes-128-gcm", "hmac-sha-256"],
        C::TLS13_AES_256_GCM_SHA384 => &["aes-256-gcm", "hmac-sha-384"],
        C::TLS13_CHACHA20_POLY1305_SHA256 => &["chacha20-poly1305", "hmac-sha-256"],
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 | C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => {
            &["aes-128-gcm", "hmac-sha-256"]
        }
        C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 | C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => {
            &["aes-256-gcm", "hmac-sha-384"]
        }
        C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        | C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => &["chacha20-poly1305", "hmac-sha-256"],
        _ => return None,
    })
}

/// The TLS signature schemes kagi can verify through crypto-core, the crypto-core scheme, the
/// webpki algorithm identifiers, and the smallest instance the policy must permit.
fn schemes() -> Vec<(Tls, SignatureScheme, &'static str)> {
    use SignatureScheme::*;
    vec![
        (
            Tls::ECDSA_NISTP256_SHA256,
            EcdsaP256Sha256,
            "ecdsa-p256-sha256",
        ),
        (
            Tls::ECDSA_NISTP384_SHA384,
            EcdsaP384Sha384,
            "ecdsa-p384-sha384",
        ),
        (Tls::ED25519, Ed25519, "ed25519"),
        (Tls::RSA_PSS_SHA256, RsaPssSha256, "rsa-pss-2048-sha256"),
        (Tls::RSA_PSS_SHA384, RsaPssSha384, "rsa-pss-2048-sha384"),
        (Tls::RSA_PSS_SHA512, RsaPssSha512, "rsa-pss-2048-sha512"),
        (
            Tls::RSA_PKCS1_SHA256,
            RsaPkcs1Sha256,
            "rsassa-pkcs1-2048-sha256",
        ),
        (
            Tls::RSA_PKCS1_SHA384,
            RsaPkcs1Sha384,
            "rsassa-pkcs1-2048-sha384",
        ),
        (
            Tls::RSA_PKCS1_SHA512,
            RsaPkcs1Sha512,
            "rsassa-pkcs1-2048-sha512",
        ),
    ]
}

/// RSA schemes are admitted at 3072 bits when the policy refuses 2048 (egov-high); the key's
/// real size is judged again at every verification.
fn scheme_status(p: &Provider, base: &str) -> Result<Option<(Status, String)>, Error> {
    match judge(p, &[base])? {
        Some(s) => Ok(Some((s, base.to_string()))),
        None if base.contains("-2048-") => {
            let larger = base.replace("-2048-", "-3072-");
            Ok(judge(p, &[&larger])?.map(|s| (s, larger)))
        }
        None => Ok(None),
    }
}

type Algs = &'static WebPkiSupportedAlgorithms;

/// The verification algorithms of a policy on a date, made once and kept (rustls needs
/// `'static` tables).
fn verification(p: &Provider, admitted: &[(Tls, SignatureScheme)]) -> Algs {
    static CACHE: OnceLock<Mutex<HashMap<String, Algs>>> = OnceLock::new();
    let key = format!(
        "{}|{}|{}|{:?}",
        p.policy().name(),
        p.policy().dataset().revision,
        p.date(),
        admitted
            .iter()
            .map(|(t, _)| u16::from(*t))
            .collect::<Vec<_>>()
    );
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(map) = cache.lock()
        && let Some(found) = map.get(&key)
    {
        return found;
    }
    let mut all: Vec<&'static dyn pki_types::SignatureVerificationAlgorithm> = Vec::new();
    let mut mapping: Vec<(
        Tls,
        &'static [&'static dyn pki_types::SignatureVerificationAlgorithm],
    )> = Vec::new();
    for (tls, scheme) in admitted {
        let algs: Vec<&'static dyn pki_types::SignatureVerificationAlgorithm> =
            crate::pki::path::policy_algorithms(p, *scheme)
                .into_iter()
                .map(|a| {
                    &*Box::leak(Box::new(a))
                        as &'static dyn pki_types::SignatureVerificationAlgorithm
                })
                .collect();
        all.extend(algs.iter().copied());
        mapping.push((*tls, Box::leak(algs.into_boxed_slice())));
    }
    let table: Algs = Box::leak(Box::new(WebPkiSupportedAlgorithms {
        all: Box::leak(all.into_boxed_slice()),
        mapping: Box::leak(mapping.into_boxed_slice()),
    }));
    if let Ok(mut map) = cache.lock() {
        map.insert(key, table);
    }
    table
}

impl TlsProvider {
    /// The provider `provider`'s policy permits on its date.
    pub fn new(provider: &Provider) -> Result<TlsProvider, Error> {
        let mut parts = Vec::new();
        let mut suites = Vec::new();
        for s in ring::ALL_CIPHER_SUITES {
            let Some(algs) = suite_algorithms(s) else {
                continue;
            };
            if let Some(status) = judge(provider, algs)? {
                suites.push(*s);
                parts.push(Part {
                    kind: "cipher suite",
                    name: format!("{:?}", s.suite()),
                    algorithms: algs.iter().map(|a| a.to_string()).collect(),
                    status,
                });
            }
        }
        let mut groups: Vec<&'static dyn rustls::crypto::SupportedKxGroup> = Vec::new();
        for (g, alg) in [
            (ring::kx_group::SECP256R1, "ecdh-p256"),
            (ring::kx_group::SECP384R1, "ecdh-p384"),
            (ring::kx_group::X25519, "x25519"),
        ] {
            if let Some(status) = judge(provider, &[alg])? {
                groups.push(g);
                parts.push(Part {
                    kind: "key exchange group",
                    name: format!("{:?}", g.name()),
                    algorithms: vec![alg.into()],
                    status,
                });
            }
        }
        let mut admitted = Vec::new();
        for (tls, scheme, base) in schemes() {
            if let Some((status, alg)) = scheme_status(provider, base)? {
                admitted.push((tls, scheme));
                parts.push(Part {
                    kind: "signature scheme",
                    name: format!("{tls:?}"),
                    algorithms: vec![alg],
                    status,
                });
            }
        }
        if suites.is_empty() || groups.is_empty() || admitted.is_empty() {
            return Err(Error::NotListed(format!(
                "the policy `{}` leaves no complete TLS configuration ({} suites, {} groups, {} signature schemes)",
                provider.policy().name(),
                suites.len(),
                groups.len(),
                admitted.len()
            )));
        }
        let status = parts
            .iter()
            .fold(Status::Permitted, |acc, p| acc.worst(p.status));
        let base = ring::default_provider();
        let rustls_provider = CryptoProvider {
            cipher_suites: suites,
            kx_groups: groups,
            signature_verification_algorithms: *verification(provider, &admitted),
            secure_random: base.secure_random,
            key_provider: base.key_provider,
        };
        Ok(TlsProvider {
            provider: Arc::new(rustls_provider),
            parts,
            status,
            policy: provider.policy().name().to_string(),
        })
    }

    fn versions(&self) -> Vec<&'static rustls::SupportedProtocolVersion> {
        let has = |v: rustls::ProtocolVersion| {
            self.provider
                .cipher_suites
                .iter()
                .any(|s| s.version().version == v)
        };
        let mut v = Vec::new();
        if has(rustls::ProtocolVersion::TLSv1_3) {
            v.push(&rustls::version::TLS13);
        }
        if has(rustls::ProtocolVersion::TLSv1_2) {
            v.push(&rustls::version::TLS12);
        }
        v
    }
}

fn tls_err(e: rustls::Error) -> Error {
    Error::Unsupported(format!("TLS configuration: {e}"))
}

/// A client configuration: the provider's suites, groups and schemes, server certificates
/// validated against `roots` with every signature checked under the policy.
pub fn client_config(
    tls: &TlsProvider,
    roots: rustls::RootCertStore,
) -> Result<rustls::ClientConfig, Error> {
    Ok(
        rustls::ClientConfig::builder_with_provider(tls.provider.clone())
            .with_protocol_versions(&tls.versions())
            .map_err(tls_err)?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// A server configuration presenting `chain` (leaf first) with `key`. The leaf's key must be
/// permitted by the policy (an RSA-1024 or X25519 certificate is refused here).
pub fn server_config(
    provider: &Provider,
    tls: &TlsProvider,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ServerConfig, Error> {
    let leaf = chain
        .first()
        .ok_or(Error::InvalidInput("a server needs a certificate"))?;
    let cert = crate::pki::Certificate::from_der(leaf)?;
    let public = cert
        .public_key
        .map_err(|e| Error::Unsupported(format!("the server certificate's key: {e}")))?;
    for alg in public.kind().algorithms().into_iter().take(1) {
        provider.check(&alg, Use::Protect)?;
    }
    rustls::ServerConfig::builder_with_provider(tls.provider.clone())
        .with_protocol_versions(&tls.versions())
        .map_err(tls_err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(tls_err)
}
