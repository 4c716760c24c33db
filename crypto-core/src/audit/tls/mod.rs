//! TLS endpoints: which protocol versions (SSL 2.0 to TLS 1.3), cipher suites, key-exchange
//! groups and signature schemes a server accepts, and its certificate chain — found as
//! sslscan and nmap do, by sending hand-built ClientHellos and reading the ServerHello or
//! alert. Every assigned IANA cipher suite is offered, in batches of [`BATCH`]: the accepted
//! one is removed and the server asked again until it refuses. TLS 1.3 is probed with an empty
//! key share, so the server answers with a HelloRetryRequest naming its suite and group; its
//! signature schemes are asked one at a time with a real key share (a ServerHello, not an
//! alert, is the server's acceptance). No handshake is completed and no key is made. For
//! TLS ≤ 1.2 the Certificate and ServerKeyExchange messages are plaintext and give the chain,
//! the ECDHE group or DHE modulus, and the signature scheme. SSL 2.0 is asked with its own
//! CLIENT-HELLO. For a TLS 1.3-only server the chain comes from a rustls handshake with a
//! verifier that only records it. Every probe is bounded in time and the connections per host
//! are counted.
//!
//! A [`Target`] may name a STARTTLS protocol, made before every ClientHello ([`starttls`]), and
//! an SNI. After the enumeration the chain is checked ([`chain`]) and the classic weaknesses
//! are named ([`weakness`]); [`batch`] probes many targets at once, bounded per host.

use std::time::{Duration, Instant};

use cryptrec::Algorithm;
use cryptrec::audit::{Finding, judge, unknown};

use super::Artefact;

pub mod batch;
pub mod chain;
#[cfg(test)]
mod enum_tests;
mod flight;
mod judge;
mod record;
mod registry;
pub mod starttls;
pub mod target;
pub mod weakness;
mod wire;

pub use chain::TrustAnchors;
pub use starttls::Starttls;
pub use target::Target;

use judge::*;
pub use record::{Enumeration, Seen, SuiteSeen};
use registry::*;
use wire::*;

use crate::Error;
use crate::pki::Certificate;
use crate::provider::Provider;
pub use wire::{Ssl2Hello, parse_flight, parse_ssl2_server_hello};

/// At most this many connections to one endpoint.
pub const MAX_CONNECTIONS: usize = 400;

/// At most this many cipher suites in one ClientHello (nmap and sslscan offer large batches
/// too; some servers refuse a ClientHello with hundreds).
pub const BATCH: usize = 128;

/// One endpoint's connections, counted against [`MAX_CONNECTIONS`].
struct Prober<'a> {
    dialer: target::Dialer,
    sni: Option<&'a str>,
    timeout: Duration,
    connections: usize,
    /// A question was left unasked at the bound: never "ok" then.
    truncated: bool,
}

impl Prober<'_> {
    /// One ClientHello and its answer; `None` once the bound is reached.
    fn ask(&mut self, hello: &Hello<'_>, full: bool) -> Result<Option<Answer>, Error> {
        if self.connections >= MAX_CONNECTIONS {
            self.truncated = true;
            return Ok(None);
        }
        self.connections += 1;
        ask(&self.dialer, hello, full, self.timeout).map(Some)
    }

    /// Every suite of `candidates` the server accepts in `version`, with its answer: each batch
    /// offered until the server refuses, the accepted suite removed each time.
    fn suites(&mut self, version: u16, candidates: &[u16]) -> Result<Vec<(u16, Answer)>, Error> {
        let mut accepted = Vec::new();
        for batch in candidates.chunks(BATCH) {
            let mut offered = batch.to_vec();
            while !offered.is_empty() {
                let hello = Hello::new(self.sni, version, &offered, &GROUPS);
                let Some(a) = self.ask(&hello, version != 0x0304)? else {
                    return Ok(accepted);
                };
                match (a.version, a.suite) {
                    (Some(v), Some(s)) if v == version && offered.contains(&s) => {
                        offered.retain(|c| *c != s);
                        accepted.push((s, a));
                    }
                    // Another version chosen, or protocol_version (70) before any suite was
                    // accepted: the version is off, and no other batch changes that.
                    (Some(v), _) if v != version => return Ok(accepted),
                    _ if a.alert == Some(70) && accepted.is_empty() => return Ok(accepted),
                    _ => break,
                }
            }
        }
        Ok(accepted)
    }
}

/// How endpoints are probed.
#[derive(Clone, Debug)]
pub struct Options {
    /// The bound on each connection (and each STARTTLS exchange).
    pub timeout: Duration,
    /// The anchors served chains are validated to, or why there are none (every chain is then
    /// reported as not checked).
    pub trust: Result<TrustAnchors, String>,
}

/// Probes `target`: versions, suites, groups, signature schemes, the chain (validated, host
/// name, revocation, stapling) and the named weaknesses. Returns the endpoint's artefact and
/// its certificates.
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
    let mut p = Prober {
        dialer,
        sni,
        timeout,
        connections: 1,
        truncated: false,
    };
    // (version, suite) pairs accepted, for the named weaknesses.
    let mut pairs: Vec<(u16, u16)> = Vec::new();
    let mut endpoint = Artefact::new(target, "TLS endpoint");
    endpoint.endpoint = Some(target.to_string());
    endpoint.name = Some(description);
    let mut seen = Enumeration::default();
    let mut not_judged: Vec<String> = Vec::new();
    let mut chain: Vec<Vec<u8>> = Vec::new();
    for (code, name) in VERSIONS {
        let candidates: Vec<u16> = SUITES
            .iter()
            .filter(|s| s.tls13 == (code == 0x0304))
            .map(|s| s.code)
            .collect();
        let accepted = p.suites(code, &candidates)?;
        if accepted.is_empty() {
            continue;
        }
        seen.protocols.push(name.to_string());
        pairs.extend(accepted.iter().map(|(c, _)| (code, *c)));
        endpoint.findings.push(version_finding(code, name));
        if chain.is_empty() {
            if let Some((_, a)) = accepted.iter().find(|(_, a)| !a.chain.is_empty()) {
                chain = a.chain.clone();
            }
        }
        for (code_s, a) in &accepted {
            let Some(suite) = suite(*code_s) else {
                continue;
            };
            let kx = kx_finding(provider, suite, a, &chain);
            if matches!(suite.kx, Dhe | DhePsk) {
                dhe_group_finding(provider, &mut endpoint, a.dh_bits, name);
            }
            endpoint
                .findings
                .push(suite_finding(provider, suite, kx, name));
            if let Some(sch) = a.sig_scheme {
                scheme_finding(provider, &mut endpoint, sch, &chain);
            }
            seen.suites.push(SuiteSeen {
                version: name.to_string(),
                code: format!("0x{:04X}", suite.code),
                name: suite.name.to_string(),
                // TLS 1.3: the group its HelloRetryRequest named for the full offer.
                group: matches!(suite.kx, Ecdhe | EcdhePsk | Tls13)
                    .then(|| a.group.map(|g| group(g).0.to_string()))
                    .flatten(),
                dh_bits: a.dh_bits,
                rsa_bits: matches!(suite.kx, Rsa | RsaPsk)
                    .then(|| leaf_rsa_bits(&chain))
                    .flatten(),
            });
        }
        if code == 0x0303 {
            tls12_schemes(
                provider,
                &mut p,
                &mut endpoint,
                &mut seen,
                &accepted,
                &chain,
            )?;
            tls12_groups(
                provider,
                &mut p,
                &mut endpoint,
                &mut seen,
                &accepted,
                &chain,
            )?;
        }
        if code == 0x0304 {
            let suites13: Vec<u16> = accepted.iter().map(|(c, _)| *c).collect();
            let groups = tls13_groups(provider, &mut p, &mut endpoint, &mut seen, &suites13)?;
            if let Some(why) = tls13_schemes(
                provider,
                &mut p,
                &mut endpoint,
                &mut seen,
                &suites13,
                &groups,
                &chain,
            )? {
                not_judged.push(why);
            }
        }
    }
    // SSL 2.0: its own CLIENT-HELLO; the SERVER-HELLO lists every cipher spec it offers.
    if p.connections < MAX_CONNECTIONS {
        p.connections += 1;
        if let Some((specs, cert)) = ask_ssl2(&p.dialer, timeout)? {
            seen.protocols.push("SSL 2.0".into());
            endpoint.findings.push(version_finding(0x0002, "SSL 2.0"));
            for spec in specs {
                let name = SSL2_CIPHERS
                    .iter()
                    .find(|(c, _)| *c == spec)
                    .map_or("unknown SSL 2.0 cipher spec", |(_, n)| n);
                endpoint.findings.push(ssl2_cipher_finding(spec, name));
                seen.suites.push(SuiteSeen {
                    version: "SSL 2.0".into(),
                    code: format!("0x{spec:06X}"),
                    name: name.to_string(),
                    group: None,
                    dh_bits: None,
                    rsa_bits: None,
                });
            }
            if chain.is_empty() && !cert.is_empty() {
                chain = vec![cert];
            }
        }
    } else {
        p.truncated = true;
    }
    if p.truncated {
        not_judged.push(format!(
            "the probe stopped at its bound of {MAX_CONNECTIONS} connections before every suite, group and scheme was asked"
        ));
    }
    if !not_judged.is_empty() {
        endpoint.not_judged = Some(not_judged.join("; "));
    }
    if seen.protocols.is_empty() {
        return Err(Error::Endpoint(format!(
            "{target}: no TLS or SSL version was accepted (not a TLS server?)"
        )));
    }
    let found = weakness::check(&p.dialer, sni, &pairs, timeout);
    let mut stapled = found.stapled;
    if chain.is_empty() || stapled.is_none() {
        let (c, ocsp) = tls13_chain(&p.dialer, sni, timeout).unwrap_or_default();
        if chain.is_empty() {
            chain = c;
        }
        if stapled.is_none() && !chain.is_empty() {
            stapled = Some((!ocsp.is_empty()).then_some(ocsp));
        }
    }
    let tls13_only = seen.protocols == ["TLS 1.3"];
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
    seen.connections = p.connections;
    endpoint.tls = Some(Box::new(seen));
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

/// The finding on what an accepted TLS ≤ 1.2 suite's key exchange used: the ECDHE group, the
/// DHE size, the certificate's RSA or EC key; `None` where the suite has no such part.
fn kx_finding(
    provider: &Provider,
    suite: &Suite,
    a: &Answer,
    chain: &[Vec<u8>],
) -> Option<Finding> {
    let j = |x: Algorithm| judge(provider.policy(), &x, "cipher suite", provider.date());
    let not_read = |what: &str| Some(unknown("cipher suite", what));
    match suite.kx {
        Ecdhe | EcdhePsk => match a.group {
            Some(g) => Some(group_finding(provider, g)),
            None => not_read("ECDHE group not read"),
        },
        Dhe | DhePsk => match a.dh_bits {
            Some(bits) => Some(j(Algorithm::Dh { bits })),
            None => not_read("DHE group not read"),
        },
        Rsa | RsaPsk => match leaf_rsa_bits(chain) {
            Some(bits) => Some(j(Algorithm::RsaPkcs1Encrypt { bits })),
            None => not_read("RSA key transport without an RSA certificate read"),
        },
        Ecdh => match leaf_ec_curve(chain) {
            Some(c) => Some(j(Algorithm::Ecdh(c))),
            None => not_read("static ECDH without an EC certificate read"),
        },
        Dh => not_read("static DH: the certificate's DH key is not read"),
        _ => None,
    }
}

/// The DHE group as its own finding, once per size and version, as the reference scanners
/// report it ("dh 1024").
fn dhe_group_finding(
    provider: &Provider,
    endpoint: &mut Artefact,
    dh_bits: Option<u32>,
    version: &str,
) {
    let f = match dh_bits {
        Some(bits) => {
            let x = Algorithm::Dh { bits };
            let mut f = judge(provider.policy(), &x, "key exchange group", provider.date());
            f.note = Some(format!("DHE {x} ({version})"));
            f
        }
        None => {
            let mut f = unknown("key exchange group", "DHE group not read");
            f.note = Some(format!(
                "the server's DHE parameters were not read ({version})"
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

/// Adds a group the server chose in `version`, once.
fn add_group(
    provider: &Provider,
    endpoint: &mut Artefact,
    seen: &mut Enumeration,
    g: u16,
    version: &str,
) {
    let (gname, _) = group(g);
    let label = format!("{gname} ({version})");
    if endpoint
        .findings
        .iter()
        .any(|f| f.aspect == "key exchange group" && f.note.as_deref() == Some(&label))
    {
        return;
    }
    let mut f = group_finding(provider, g);
    f.note = Some(match f.note {
        Some(n) => format!("{label}; {n}"),
        None => label,
    });
    endpoint.findings.push(f);
    seen.groups.push(Seen::new(version, g, gname));
}

/// TLS 1.2: every signature scheme the server accepts, one offered at a time over its
/// signed (EC)DHE suites: a server that would sign with rsa_pkcs1_sha1 shows itself even when
/// it prefers another.
fn tls12_schemes(
    provider: &Provider,
    p: &mut Prober<'_>,
    endpoint: &mut Artefact,
    seen: &mut Enumeration,
    accepted: &[(u16, Answer)],
    chain: &[Vec<u8>],
) -> Result<(), Error> {
    let signed: Vec<u16> = accepted
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| {
            suite(*c).is_some_and(|s| {
                matches!(s.kx, Ecdhe | Dhe) && matches!(s.auth, Auth::Rsa | Auth::Dss | Auth::Ecdsa)
            })
        })
        .collect();
    if signed.is_empty() {
        return Ok(());
    }
    for sch in SIG_SCHEMES_12 {
        let hello = Hello {
            schemes: &[sch],
            ..Hello::new(p.sni, 0x0303, &signed, &GROUPS)
        };
        let Some(a) = p.ask(&hello, true)? else {
            break;
        };
        if a.sig_scheme == Some(sch) {
            scheme_finding(provider, endpoint, sch, chain);
            seen.signature_schemes
                .push(Seen::new("TLS 1.2", sch, scheme(sch).0));
        }
    }
    Ok(())
}

/// TLS 1.2: every ECDHE curve the server chooses when offered alone (the ServerKeyExchange
/// names it), and every curve an accepted suite was seen to use; asked only when an ECDHE
/// suite was accepted. With an ECDSA certificate a curve is asked again with the
/// certificate's curve beside it (after it): the client's curves also name the curves it can
/// verify (RFC 8422 §5.1), so a server cannot answer a curve offered alone that is not its
/// certificate's.
fn tls12_groups(
    provider: &Provider,
    p: &mut Prober<'_>,
    endpoint: &mut Artefact,
    seen: &mut Enumeration,
    accepted: &[(u16, Answer)],
    chain: &[Vec<u8>],
) -> Result<(), Error> {
    let ecdhe: Vec<u16> = accepted
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| suite(*c).is_some_and(|s| matches!(s.kx, Ecdhe | EcdhePsk)))
        .collect();
    if ecdhe.is_empty() {
        return Ok(());
    }
    let mut found: Vec<u16> = Vec::new();
    let cert_curve = leaf_ec_curve(chain).and_then(|c| {
        GROUPS_12
            .iter()
            .copied()
            .find(|g| group(*g).1 == Some(Algorithm::Ecdh(c)))
    });
    for g in GROUPS_12 {
        let Some(a) = p.ask(&Hello::new(p.sni, 0x0303, &ecdhe, &[g]), true)? else {
            break;
        };
        if a.group == Some(g) {
            found.push(g);
            continue;
        }
        if let Some(c) = cert_curve.filter(|c| *c != g) {
            let Some(a) = p.ask(&Hello::new(p.sni, 0x0303, &ecdhe, &[g, c]), true)? else {
                break;
            };
            if a.group == Some(g) {
                found.push(g);
            }
        }
    }
    for (_, a) in accepted {
        if let Some(g) = a.group.filter(|g| !found.contains(g)) {
            found.push(g);
        }
    }
    for g in GROUPS_12.iter().filter(|g| found.contains(g)) {
        add_group(provider, endpoint, seen, *g, "TLS 1.2");
    }
    Ok(())
}

/// TLS 1.3: every group the server chooses when offered alone (by HelloRetryRequest).
fn tls13_groups(
    provider: &Provider,
    p: &mut Prober<'_>,
    endpoint: &mut Artefact,
    seen: &mut Enumeration,
    suites: &[u16],
) -> Result<Vec<u16>, Error> {
    let mut found = Vec::new();
    for g in GROUPS {
        let Some(a) = p.ask(&Hello::new(p.sni, 0x0304, suites, &[g]), false)? else {
            break;
        };
        if a.version == Some(0x0304) && a.group == Some(g) {
            add_group(provider, endpoint, seen, g, "TLS 1.3");
            found.push(g);
        }
    }
    Ok(found)
}

/// TLS 1.3: every signature scheme the server accepts. The CertificateVerify is encrypted, so
/// each scheme is offered alone with a real key share for a group the server chose: a server
/// with a certificate and scheme for it answers with a ServerHello (RFC 8446 §4.4.2.2, §4.4.3:
/// it must sign with an offered scheme), one without aborts with an alert. A control offer of
/// a scheme no server has comes first: a server that answers it too does not honour
/// signature_algorithms, and its schemes are not judged. Returns why they could not be told.
fn tls13_schemes(
    provider: &Provider,
    p: &mut Prober<'_>,
    endpoint: &mut Artefact,
    seen: &mut Enumeration,
    suites: &[u16],
    groups: &[u16],
    chain: &[Vec<u8>],
) -> Result<Option<String>, Error> {
    let Some(&g) = groups.iter().find(|g| key_share(**g).is_some()) else {
        return Ok(Some(
            "TLS 1.3 signature schemes not asked: kagi cannot make a key share for any group the server chose".into(),
        ));
    };
    let only = [g];
    let accepts = |p: &mut Prober<'_>, sch: u16| -> Result<Option<bool>, Error> {
        let hello = Hello {
            schemes: &[sch],
            key_share: Some(g),
            ..Hello::new(p.sni, 0x0304, suites, &only)
        };
        Ok(p.ask(&hello, false)?.map(|a| {
            a.version == Some(0x0304) && !a.hrr && a.suite.is_some_and(|s| suites.contains(&s))
        }))
    };
    match accepts(p, SIG_SCHEME_CONTROL)? {
        None => return Ok(None),
        Some(true) => {
            return Ok(Some(format!(
                "TLS 1.3 signature schemes not judged: the server answered a ClientHello offering only the unassigned scheme 0x{SIG_SCHEME_CONTROL:04X}, so it does not honour signature_algorithms"
            )));
        }
        Some(false) => {}
    }
    let mut any = false;
    for sch in SIG_SCHEMES_13 {
        match accepts(p, sch)? {
            None => return Ok(None),
            Some(true) => {
                any = true;
                scheme_finding(provider, endpoint, sch, chain);
                seen.signature_schemes
                    .push(Seen::new("TLS 1.3", sch, scheme(sch).0));
            }
            Some(false) => {}
        }
    }
    Ok((!any).then(|| {
        "TLS 1.3 signature schemes not judged: the server accepted none of them offered alone"
            .into()
    }))
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
