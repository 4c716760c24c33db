//! TLS endpoints: which protocol versions (SSL 3.0 to TLS 1.3), cipher suites and key-exchange
//! groups a server accepts, and its certificate chain — found as testssl.sh and nmap do, by
//! sending hand-built ClientHellos and reading the ServerHello or alert. TLS 1.3 is probed
//! with an empty key share, so the server answers with a HelloRetryRequest naming its suite and
//! group; no handshake is completed and no key is made. Suites are enumerated by removing each
//! accepted one and asking again. For TLS ≤ 1.2 the Certificate and ServerKeyExchange messages
//! are plaintext and give the chain, the ECDHE group or DHE modulus, and the signature scheme.
//! For a TLS 1.3-only server the chain comes from a rustls handshake with a verifier that only
//! records it. Every probe is bounded in time and the connections per host are counted.
//!
//! A [`Target`] may name a STARTTLS protocol, made before every ClientHello ([`starttls`]), and
//! an SNI. After the enumeration the chain is checked ([`chain`]) and the classic weaknesses
//! are named ([`weakness`]); [`batch`] probes many targets at once, bounded per host.

use std::time::{Duration, Instant};

use cryptrec::Algorithm;
use cryptrec::audit::{judge, unknown};

use super::Artefact;

pub mod batch;
pub mod chain;
mod flight;
mod judge;
mod registry;
pub mod starttls;
pub mod target;
pub mod weakness;
mod wire;

pub use chain::TrustAnchors;
pub use starttls::Starttls;
pub use target::Target;

use judge::*;
use registry::*;
use wire::*;

use crate::Error;
use crate::pki::Certificate;
use crate::provider::Provider;
pub use wire::parse_flight;

/// At most this many connections to one endpoint.
pub const MAX_CONNECTIONS: usize = 400;

/// How endpoints are probed.
#[derive(Clone, Debug)]
pub struct Options {
    /// The bound on each connection (and each STARTTLS exchange).
    pub timeout: Duration,
    /// The anchors served chains are validated to, or why there are none (every chain is then
    /// reported as not checked).
    pub trust: Result<TrustAnchors, String>,
}

/// Probes `target`: versions, suites, groups, the signature scheme, the chain (validated,
/// host name, revocation, stapling) and the named weaknesses. Returns the endpoint's artefact
/// and its certificates.
pub fn probe(
    provider: &Provider,
    target: &Target,
    options: &Options,
) -> Result<Vec<Artefact>, Error> {
    let timeout = options.timeout;
    let dialer = target.dialer()?;
    let sni = target.server_name();
    let label = target.label();
    let description = target.description();
    let check_name = target.check_name().to_string();
    let target = label.as_str();
    // Is anything there (and does it agree to STARTTLS)?
    dialer.connect(timeout)?;
    let mut connections = 1;
    // (version, suite) pairs accepted, for the named weaknesses.
    let mut seen: Vec<(u16, u16)> = Vec::new();
    // Stopping at the connection bound leaves suites or groups unasked: never "ok" then.
    let mut truncated = false;
    let mut endpoint = Artefact::new(target, "TLS endpoint");
    endpoint.endpoint = Some(target.to_string());
    endpoint.name = Some(description);
    let mut chain: Vec<Vec<u8>> = Vec::new();
    let mut versions_found = Vec::new();
    for (code, name) in VERSIONS {
        let candidates: Vec<&Suite> = SUITES
            .iter()
            .filter(|s| {
                if code == 0x0304 {
                    s.kx == Tls13
                } else if code == 0x0303 {
                    s.kx != Tls13
                } else {
                    s.kx != Tls13 && !s.tls12
                }
            })
            .collect();
        let mut offered: Vec<u16> = candidates.iter().map(|s| s.code).collect();
        let mut accepted = Vec::new();
        while !offered.is_empty() {
            if connections >= MAX_CONNECTIONS {
                truncated = true;
                break;
            }
            connections += 1;
            // TLS <= 1.2: read every flight to its ServerKeyExchange, so the (EC)DHE group and
            // size of every accepted suite are judged, not only the first one's (a 1024-bit
            // DHE group behind a preferred ECDHE suite is LOGJAM-weak).
            let full = code != 0x0304 || chain.is_empty() || accepted.is_empty();
            let a = ask(
                &dialer,
                &Hello::new(sni, code, &offered, &GROUPS),
                full,
                timeout,
            )?;
            let (Some(v), Some(suite)) = (a.version, a.suite) else {
                break;
            };
            if v != code || !offered.contains(&suite) {
                break;
            }
            if chain.is_empty() && !a.chain.is_empty() {
                chain = a.chain.clone();
            }
            accepted.push((suite, a));
            offered.retain(|c| *c != suite);
        }
        if accepted.is_empty() {
            continue;
        }
        versions_found.push(name);
        seen.extend(accepted.iter().map(|(c, _)| (code, *c)));
        endpoint.findings.push(version_finding(code, name));
        for (code_s, a) in &accepted {
            let Some(suite) = SUITES.iter().find(|s| s.code == *code_s) else {
                continue;
            };
            let kx_alg = match suite.kx {
                Ecdhe | EcdhAnon => a.group.and_then(|g| group(g).1),
                Dhe | DhAnon => a.dh_bits.map(|bits| Algorithm::Dh { bits }),
                Rsa => leaf_rsa_bits(&chain).map(|bits| Algorithm::RsaPkcs1Encrypt { bits }),
                Tls13 => None,
            };
            if matches!(suite.kx, Dhe | DhAnon) {
                // The DHE group as its own finding, once per size and version, as the
                // reference scanners report it ("dh 1024").
                let f = match kx_alg {
                    Some(x) => {
                        let mut f =
                            judge(provider.policy(), &x, "key exchange group", provider.date());
                        f.note = Some(format!("DHE {x} ({name})"));
                        f
                    }
                    None => {
                        let mut f = unknown("key exchange group", "DHE group not read");
                        f.note = Some(format!(
                            "the server's DHE parameters were not read ({name})"
                        ));
                        f
                    }
                };
                if !endpoint
                    .findings
                    .iter()
                    .any(|g| g.aspect == f.aspect && g.note == f.note)
                {
                    endpoint.findings.push(f);
                }
            }
            endpoint
                .findings
                .push(suite_finding(provider, suite, kx_alg, name));
            if let Some(sch) = a.sig_scheme {
                scheme_finding(provider, &mut endpoint, sch, &chain);
            }
        }
        if code == 0x0303 {
            // Every signature scheme the server accepts, one offered at a time over its
            // (EC)DHE suites (whose ServerKeyExchange is signed): a server that would sign
            // with rsa_pkcs1_sha1 shows itself even when it prefers another.
            let kx: Vec<u16> = accepted
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| {
                    SUITES
                        .iter()
                        .any(|s| s.code == *c && matches!(s.kx, Ecdhe | Dhe))
                })
                .collect();
            for sch in if kx.is_empty() {
                &[][..]
            } else {
                &SIG_SCHEMES_12[..]
            } {
                if connections >= MAX_CONNECTIONS {
                    truncated = true;
                    break;
                }
                connections += 1;
                let hello = Hello {
                    schemes: std::slice::from_ref(sch),
                    ..Hello::new(sni, code, &kx, &GROUPS)
                };
                if ask(&dialer, &hello, true, timeout)?.sig_scheme == Some(*sch) {
                    scheme_finding(provider, &mut endpoint, *sch, &chain);
                }
            }
        }
        if code == 0x0303 || code == 0x0304 {
            // Key-exchange groups, one offered at a time (TLS 1.3: by HelloRetryRequest).
            let suites: Vec<u16> = candidates.iter().map(|s| s.code).collect();
            let groups: &[u16] = if code == 0x0304 { &GROUPS } else { &GROUPS_12 };
            for &g in groups {
                if connections >= MAX_CONNECTIONS {
                    truncated = true;
                    break;
                }
                connections += 1;
                let a = ask(
                    &dialer,
                    &Hello::new(sni, code, &suites, &[g]),
                    false,
                    timeout,
                )?;
                let chosen = if code == 0x0304 {
                    a.group
                } else {
                    // TLS 1.2: the group shows in the ServerKeyExchange; read on.
                    connections += 1;
                    ask(
                        &dialer,
                        &Hello::new(sni, code, &ecdhe_and_dhe(&suites), &[g]),
                        true,
                        timeout,
                    )?
                    .group
                };
                if chosen == Some(g) {
                    let (gname, _) = group(g);
                    let label = format!("{gname} ({name})");
                    if endpoint.findings.iter().any(|f| {
                        f.aspect == "key exchange group" && f.note.as_deref() == Some(&label)
                    }) {
                        continue;
                    }
                    let mut f = group_finding(provider, g);
                    f.note = Some(match f.note {
                        Some(n) => format!("{label}; {n}"),
                        None => label,
                    });
                    endpoint.findings.push(f);
                }
            }
        }
    }
    if truncated {
        endpoint.not_judged = Some(format!(
            "the probe stopped at its bound of {MAX_CONNECTIONS} connections before every suite and group was asked"
        ));
    }
    if versions_found.is_empty() {
        return Err(Error::Endpoint(format!(
            "{target}: no TLS or SSL version was accepted (not a TLS server?)"
        )));
    }
    let found = weakness::check(&dialer, sni, &seen, timeout);
    let mut stapled = found.stapled;
    if chain.is_empty() || stapled.is_none() {
        let (c, ocsp) = tls13_chain(&dialer, sni, timeout).unwrap_or_default();
        if chain.is_empty() {
            chain = c;
        }
        if stapled.is_none() && !chain.is_empty() {
            stapled = Some((!ocsp.is_empty()).then_some(ocsp));
        }
    }
    let tls13_only = versions_found == ["TLS 1.3"];
    let (chain_findings, mut not_checked) = chain::check(
        provider,
        &chain,
        options.trust.as_ref().map_err(|e| e.as_str()),
        &check_name,
        stapled,
    );
    if chain.is_empty() && tls13_only {
        for n in not_checked.iter_mut() {
            n.push_str(
                " (TLS 1.3 encrypts it, and kagi's handshake, with X25519, P-256 and P-384, did not complete)",
            );
        }
    }
    endpoint.findings.extend(chain_findings);
    endpoint.findings.extend(found.findings);
    not_checked.extend(found.not_checked);
    if !not_checked.is_empty() {
        let why = not_checked.join("; ");
        endpoint.not_judged = Some(match endpoint.not_judged.take() {
            Some(w) => format!("{w}; {why}"),
            None => why,
        });
    }
    endpoint.public_key = chain
        .first()
        .and_then(|d| Certificate::from_der(d).ok())
        .and_then(|c| c.public_key.ok())
        .map(|k| k.kind().to_string());
    let mut out = vec![endpoint];
    for (i, der) in chain.iter().enumerate() {
        if let Ok(c) = Certificate::from_der(der) {
            let mut a = super::certificate(provider, target, Some(i + 1), &c);
            a.endpoint = Some(target.to_string());
            out.push(a);
        }
    }
    Ok(out)
}

fn ecdhe_and_dhe(suites: &[u16]) -> Vec<u16> {
    suites
        .iter()
        .copied()
        .filter(|c| SUITES.iter().any(|s| s.code == *c && s.kx == Ecdhe))
        .collect()
}

/// The chain of a TLS 1.3-only server, and the OCSP response it stapled (empty if none), from
/// a rustls handshake whose verifier only records them.
fn tls13_chain(
    dialer: &target::Dialer,
    sni: Option<&str>,
    timeout: Duration,
) -> Option<(Vec<Vec<u8>>, Vec<u8>)> {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use std::sync::{Arc, Mutex};

    #[derive(Debug)]
    struct Recorder(
        Mutex<(Vec<Vec<u8>>, Vec<u8>)>,
        Arc<rustls::crypto::CryptoProvider>,
    );
    impl ServerCertVerifier for Recorder {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            ocsp: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if let Ok(mut v) = self.0.lock() {
                v.0.push(end_entity.to_vec());
                v.0.extend(intermediates.iter().map(|c| c.to_vec()));
                v.1 = ocsp.to_vec();
            }
            // Record only: the audit judges the chain, and no data is sent.
            Err(rustls::Error::General("recorded".into()))
        }
        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(rustls::Error::General("recorded".into()))
        }
        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(rustls::Error::General("recorded".into()))
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.1.signature_verification_algorithms.supported_schemes()
        }
    }

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(Recorder(
        Mutex::new((Vec::new(), Vec::new())),
        provider.clone(),
    ));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let mut config = config;
    // No SNI for an address (as the probe's hellos): the name below then only fills the API.
    config.enable_sni = sni.is_some();
    let name = ServerName::try_from(sni.unwrap_or("localhost").to_string()).ok()?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
    let mut sock = dialer.connect(timeout).ok()?;
    sock.set_read_timeout(Some(timeout)).ok()?;
    sock.set_write_timeout(Some(timeout)).ok()?;
    let deadline = Instant::now() + timeout;
    while conn.is_handshaking() && Instant::now() < deadline {
        if conn.complete_io(&mut sock).is_err() {
            break;
        }
    }
    let v = recorder.0.lock().ok()?.clone();
    (!v.0.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hellos_are_well_formed_records() {
        for (v, _) in VERSIONS {
            let r = client_hello(&Hello::new(
                Some("example.jp"),
                v,
                &[0x1301, 0xC02F],
                &GROUPS,
            ));
            assert_eq!(r[0], 0x16);
            assert_eq!(usize::from(u16::from_be_bytes([r[3], r[4]])), r.len() - 5);
            assert_eq!(r[5], 1, "a ClientHello");
            assert_eq!(be24(&r[6..9]), r.len() - 9);
        }
    }

    #[test]
    fn a_hello_retry_request_gives_version_suite_and_group() {
        let mut b = u16be(0x0303).to_vec();
        b.extend_from_slice(&HRR);
        b.push(0);
        b.extend(u16be(0x1302));
        b.push(0);
        let mut exts = ext(0x002b, &[0x03, 0x04]);
        exts.extend(ext(0x0033, &u16be(24)));
        b.extend(with_len16(&exts));
        let mut a = Answer::default();
        assert!(server_hello(&b, &mut a).is_some());
        assert_eq!(
            (a.version, a.suite, a.group),
            (Some(0x0304), Some(0x1302), Some(24))
        );
    }

    #[test]
    fn a_tls12_flight_gives_version_suite_curve_and_chain() {
        let mut sh = u16be(0x0303).to_vec();
        sh.extend_from_slice(&[1u8; 32]);
        sh.push(0);
        sh.extend(u16be(0xC02F));
        sh.push(0);
        let msg = |kind: u8, body: &[u8]| {
            let mut m = vec![kind];
            m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
            m.extend_from_slice(body);
            m
        };
        let cert = vec![0x30u8, 0x03, 1, 2, 3];
        let mut certs = (cert.len() as u32).to_be_bytes()[1..].to_vec();
        certs.extend(&cert);
        let mut cmsg = ((certs.len()) as u32).to_be_bytes()[1..].to_vec();
        cmsg.extend(certs);
        let mut ske = vec![3u8];
        ske.extend(u16be(24));
        ske.push(1);
        ske.push(4);
        ske.extend(u16be(0x0804));
        let mut hs = msg(2, &sh);
        hs.extend(msg(11, &cmsg));
        hs.extend(msg(12, &ske));
        hs.extend(msg(14, &[]));
        let mut rec = vec![0x16, 3, 3];
        rec.extend(with_len16(&hs));
        assert_eq!(
            parse_flight(&rec),
            (Some(0x0303), Some(0xC02F), Some(24), 1)
        );
        // Cut anywhere: no panic, and never more than was there.
        for cut in 0..rec.len() {
            let (_, _, _, n) = parse_flight(&rec[..cut]);
            assert!(n <= 1);
        }
    }

    #[test]
    fn groups_are_judged_hybrids_by_the_weaker_half() {
        let provider = Provider::egov()
            .unwrap_or_else(|e| panic!("{e}"))
            .at_date(time::macros::date!(2026 - 12 - 01));
        let f = |g| group_finding(&provider, g);
        assert_eq!(f(259).algorithm, "dh-6144");
        assert_eq!(f(260).algorithm, "dh-8192");
        assert!(!f(0x11ED).refused, "P-384 + ML-KEM-1024: {:?}", f(0x11ED));
        // X25519 is not named by the list: the hybrid is refused for its classical half.
        let x = f(0x11EC);
        assert!(
            x.refused && x.note.as_deref().is_some_and(|n| n.contains("x25519")),
            "{x:?}"
        );
        let k1 = f(22);
        assert!(k1.refused && k1.algorithm == "secp256k1", "{k1:?}");
        for g in GROUPS.iter().chain(&GROUPS_12) {
            assert_ne!(group(*g).0, "unknown group", "{g}");
            assert_ne!(group(*g).0, "", "{g}");
        }
    }

    #[test]
    fn every_suite_code_is_unique_and_named() {
        let mut codes: Vec<u16> = SUITES.iter().map(|s| s.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), SUITES.len());
        assert!(SUITES.iter().all(|s| s.name.starts_with("TLS_")));
    }
}
