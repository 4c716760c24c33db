//! The classic TLS weaknesses a reader expects by name, each a finding with its CVE, derived
//! only from what was probed: SWEET32, RC4, POODLE and BEAST from the suites the enumeration
//! saw accepted; FREAK and the export half of LOGJAM by offering the export suites; LOGJAM's
//! DH size and common primes from the ServerKeyExchange of the DHE suites; secure
//! renegotiation from renegotiation_info in the ServerHello; TLS_FALLBACK_SCSV by a downgraded
//! hello; CRIME by offering DEFLATE; Heartbleed by a heartbeat claiming more than it carries,
//! sent after ServerHelloDone. A check that got no answer it can read says so (not judged).

use std::time::Duration;

use cryptrec::Status;
use cryptrec::audit::{Finding, Severity};

use super::flight::{self, Flight, Offer};
use super::registry::*;
use super::target::Dialer;

/// The aspect of every finding made here.
pub const ASPECT: &str = "weakness";

/// Export suites (RSA: FREAK; DH: LOGJAM), which no registry of current suites carries.
const EXPORT: [(u16, &str, bool); 13] = [
    (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", true),
    (0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", true),
    (0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", true),
    (0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", true),
    (0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", true),
    (0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", false),
    (0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", false),
    (0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", false),
    (0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", false),
    (0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", false),
    (0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", false),
    (0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", false),
    (0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", false),
];

/// The Oakley group 2 prime (RFC 2409 §6.2, "second Oakley group", 1024 bits):
/// 2^1024 − 2^960 − 1 + 2^64 · (⌊2^894 π⌋ + 129093).
const OAKLEY_2: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";
/// The RFC 5114 §2.1 1024-bit MODP group with a 160-bit prime order subgroup.
const RFC5114_1024: &str = "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371";

/// The widely shared 1024-bit primes a precomputation breaks for everyone (Adrian et al.,
/// "Imperfect Forward Secrecy", 2015), by value.
fn common_prime(p: &[u8]) -> Option<&'static str> {
    let h = hex::encode_upper(p);
    [
        (OAKLEY_2, "Oakley group 2 (RFC 2409), 1024 bits"),
        (RFC5114_1024, "RFC 5114 §2.1 1024-bit MODP group"),
    ]
    .into_iter()
    .find(|(v, _)| *v == h)
    .map(|(_, n)| n)
}

/// What the named checks found: findings, what they could not tell, and the stapled OCSP
/// response seen on the way (for the chain checks).
#[derive(Default)]
pub(super) struct Found {
    pub(super) findings: Vec<Finding>,
    pub(super) not_checked: Vec<String>,
    /// `Some(None)`: asked (status_request) and nothing stapled; `None`: not asked (no TLS ≤ 1.2).
    pub(super) stapled: Option<Option<Vec<u8>>>,
}

fn vulnerable(name: &str, severity: Severity, evidence: String, why: &str) -> Finding {
    Finding {
        aspect: ASPECT.into(),
        algorithm: name.into(),
        protect: Status::Refused,
        process: Status::Refused,
        protect_until: None,
        strength: 0,
        severity,
        refused: true,
        sources: vec![why.into()],
        note: Some(evidence),
    }
}

fn clear(name: &str, evidence: String, why: &str) -> Finding {
    Finding {
        aspect: ASPECT.into(),
        algorithm: name.into(),
        protect: Status::Permitted,
        process: Status::Permitted,
        protect_until: None,
        strength: 0,
        severity: Severity::Info,
        refused: false,
        sources: vec![why.into()],
        note: Some(format!("not vulnerable: {evidence}")),
    }
}

fn version_name(v: u16) -> &'static str {
    VERSIONS
        .iter()
        .find(|(c, _)| *c == v)
        .map_or("?", |(_, n)| n)
}

fn suite(code: u16) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.code == code)
}

fn is_cbc(s: &Suite) -> bool {
    matches!(
        s.enc,
        Aes(_, cryptrec::Mode::Cbc) | Camellia(_, cryptrec::Mode::Cbc) | TripleDes | Des(_)
    )
}

fn list(accepted: &[(u16, u16)], pick: impl Fn(u16, &Suite) -> bool) -> Vec<String> {
    accepted
        .iter()
        .filter_map(|&(v, c)| {
            let s = suite(c)?;
            pick(v, s).then(|| format!("{} ({})", s.name, version_name(v)))
        })
        .collect()
}

fn shown(v: &[String]) -> String {
    let mut s = v.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
    if v.len() > 4 {
        s.push_str(&format!(" and {} more", v.len() - 4));
    }
    s
}

/// Runs every named check. `accepted`: (version, suite) pairs the enumeration saw accepted.
pub(super) fn check(
    dialer: &Dialer,
    host: Option<&str>,
    accepted: &[(u16, u16)],
    timeout: Duration,
) -> Found {
    let mut out = Found::default();
    let mut versions: Vec<u16> = accepted.iter().map(|(v, _)| *v).collect();
    versions.sort_unstable();
    versions.dedup();
    let legacy: Vec<u16> = versions.iter().copied().filter(|v| *v <= 0x0303).collect();
    let at = |v: u16| -> Vec<u16> {
        accepted
            .iter()
            .filter(|(w, _)| *w == v)
            .map(|(_, c)| *c)
            .collect()
    };
    let f = &mut out.findings;

    // From the suites seen.
    let weak64 = list(accepted, |_, s| matches!(s.enc, TripleDes | Des(_)));
    f.push(if weak64.is_empty() {
        clear(
            "SWEET32 (CVE-2016-2183, CVE-2016-6329)",
            "no 64-bit block cipher (3DES, DES) suite was accepted".into(),
            "Sweet32 (2016): birthday attacks on 64-bit block ciphers in long sessions",
        )
    } else {
        vulnerable(
            "SWEET32 (CVE-2016-2183, CVE-2016-6329)",
            Severity::High,
            format!("64-bit block cipher suites accepted: {}", shown(&weak64)),
            "Sweet32 (2016): birthday attacks on 64-bit block ciphers (3DES, DES) recover plaintext from long sessions",
        )
    });
    let rc4 = list(accepted, |_, s| matches!(s.enc, Rc4(_)));
    f.push(if rc4.is_empty() {
        clear(
            "RC4 (CVE-2013-2566, CVE-2015-2808)",
            "no RC4 suite was accepted".into(),
            "RFC 7465 (2015): RC4 must not be used in TLS",
        )
    } else {
        vulnerable(
            "RC4 (CVE-2013-2566, CVE-2015-2808)",
            Severity::Critical,
            format!("RC4 suites accepted: {}", shown(&rc4)),
            "RFC 7465 (2015): RC4 keystream biases recover plaintext; RC4 must not be used in TLS",
        )
    });
    let ssl3_cbc = list(accepted, |v, s| v == 0x0300 && is_cbc(s));
    f.push(if ssl3_cbc.is_empty() {
        clear(
            "POODLE (CVE-2014-3566)",
            if versions.contains(&0x0300) {
                "SSL 3.0 is accepted, but with no CBC suite".into()
            } else {
                "SSL 3.0 is not accepted".into()
            },
            "POODLE (2014): SSL 3.0's CBC padding is not checked",
        )
    } else {
        vulnerable(
            "POODLE (CVE-2014-3566)",
            Severity::High,
            format!("SSL 3.0 CBC suites accepted: {}", shown(&ssl3_cbc)),
            "POODLE (2014): SSL 3.0's unchecked CBC padding lets an attacker decrypt a byte per 256 requests (RFC 7568)",
        )
    });
    let beast = list(accepted, |v, s| v <= 0x0301 && is_cbc(s));
    f.push(if beast.is_empty() {
        clear(
            "BEAST (CVE-2011-3389)",
            "no CBC suite is accepted under TLS 1.0 or SSL 3.0".into(),
            "BEAST (2011): predictable CBC IVs in SSL 3.0 and TLS 1.0",
        )
    } else {
        vulnerable(
            "BEAST (CVE-2011-3389)",
            Severity::Medium,
            format!("CBC suites accepted under TLS 1.0 or SSL 3.0: {}", shown(&beast)),
            "BEAST (2011): SSL 3.0 and TLS 1.0 chain CBC IVs from the previous record, so a chosen-plaintext attacker can decrypt cookies (fixed in TLS 1.1, RFC 4346)",
        )
    });

    // Export suites, offered at every version up to TLS 1.2 the server speaks.
    let mut export_rsa = Vec::new();
    let mut export_dh = Vec::new();
    for &v in &legacy {
        let mut offer: Vec<u16> = EXPORT.iter().map(|e| e.0).collect();
        while !offer.is_empty() {
            let o = Offer {
                version: v,
                suites: offer.clone(),
                host,
                ..Offer::default()
            };
            let Ok((fl, _)) = flight::exchange(dialer, &o, timeout) else {
                out.not_checked.push(format!(
                    "export suites at {}: no connection",
                    version_name(v)
                ));
                break;
            };
            let Some(e) = fl
                .suite
                .filter(|_| fl.version == Some(v))
                .and_then(|c| EXPORT.iter().find(|e| e.0 == c))
            else {
                break;
            };
            let s = format!("{} ({})", e.1, version_name(v));
            if e.2 {
                export_rsa.push(s);
            } else {
                export_dh.push(s);
            }
            offer.retain(|c| *c != e.0);
        }
    }
    f.push(if export_rsa.is_empty() {
        clear(
            "FREAK (CVE-2015-0204)",
            if legacy.is_empty() {
                "only TLS 1.3 is accepted, which has no export suites".into()
            } else {
                "no RSA export suite was accepted when offered alone".into()
            },
            "FREAK (2015): 512-bit RSA export key exchange",
        )
    } else {
        vulnerable(
            "FREAK (CVE-2015-0204)",
            Severity::Critical,
            format!("RSA export suites accepted: {}", shown(&export_rsa)),
            "FREAK (2015): a server accepting RSA_EXPORT suites can be made to use a 512-bit RSA key, factored in hours",
        )
    });

    // LOGJAM: DH export suites, DHE groups of 1024 bits or fewer, and the shared primes.
    let mut logjam = export_dh
        .iter()
        .map(|s| format!("DH export suite accepted: {s}"))
        .collect::<Vec<_>>();
    let mut dh_seen = Vec::new();
    for &v in &legacy {
        let dhe: Vec<u16> = at(v)
            .into_iter()
            .filter(|c| suite(*c).is_some_and(|s| matches!(s.kx, Dhe)))
            .collect();
        if dhe.is_empty() {
            continue;
        }
        let o = Offer {
            version: v,
            suites: dhe,
            host,
            ..Offer::default()
        };
        let prime = flight::exchange(dialer, &o, timeout)
            .ok()
            .and_then(|(fl, _)| fl.message(12).and_then(flight::dh_prime));
        match prime {
            Some(p) => {
                let bits = p.len() * 8 - p.first().map_or(8, |b| b.leading_zeros() as usize);
                if let Some(name) = common_prime(&p) {
                    logjam.push(format!(
                        "the DHE group is the widely shared {name} ({})",
                        version_name(v)
                    ));
                } else if bits <= 1024 {
                    logjam.push(format!("a {bits}-bit DHE group ({})", version_name(v)));
                }
                dh_seen.push(format!("{bits}-bit ({})", version_name(v)));
            }
            None => out.not_checked.push(format!(
                "LOGJAM: the DHE parameters at {} were not read",
                version_name(v)
            )),
        }
    }
    f.push(if logjam.is_empty() {
        clear(
            "LOGJAM (CVE-2015-4000)",
            if dh_seen.is_empty() {
                "no DHE or DH export suite was accepted".into()
            } else {
                format!("DHE groups {}, none common or of 1024 bits or fewer", dh_seen.join(", "))
            },
            "Logjam (2015): export and 1024-bit DH groups",
        )
    } else {
        logjam.dedup();
        vulnerable(
            "LOGJAM (CVE-2015-4000)",
            if export_dh.is_empty() {
                Severity::High
            } else {
                Severity::Critical
            },
            logjam.join("; "),
            "Logjam (2015, \"Imperfect Forward Secrecy\"): DH export groups are broken outright, and one precomputation breaks every connection over a shared 1024-bit prime",
        )
    });

    // Renegotiation, stapling and Heartbleed over one connection at the highest version ≤ 1.2.
    let Some(&top) = legacy.iter().filter(|v| **v >= 0x0301).max() else {
        let why = if legacy.is_empty() {
            "only TLS 1.3 is accepted, which has no renegotiation, compression or heartbeat"
        } else {
            "only SSL 3.0 is accepted below TLS 1.3, which carries no extensions"
        };
        for n in [
            "insecure renegotiation (CVE-2009-3555)",
            "CRIME (CVE-2012-4929)",
            "Heartbleed (CVE-2014-0160)",
        ] {
            f.push(clear(n, why.into(), "not applicable"));
        }
        fallback(&mut out, dialer, host, &versions, &at, timeout);
        return out;
    };
    let o = Offer {
        version: top,
        suites: at(top),
        host,
        status_request: true,
        heartbeat: true,
        ..Offer::default()
    };
    match flight::exchange(dialer, &o, timeout) {
        Ok((fl, mut conn)) if fl.done && fl.version == Some(top) => {
            out.findings.push(renegotiation(&fl, top));
            out.stapled = Some(fl.message(22).and_then(|b| {
                // CertificateStatus: status_type ocsp(1), then a 24-bit length.
                (b.first() == Some(&1) && b.len() > 4).then(|| b[4..].to_vec())
            }));
            out.findings.push(heartbleed(&mut conn, top, &fl, timeout));
        }
        Ok((fl, _)) => out.not_checked.push(format!(
            "renegotiation, OCSP stapling and Heartbleed: the server did not finish its first flight at {} ({})",
            version_name(top),
            match fl.alert {
                Some(a) => format!("alert {a}"),
                None => "no ServerHelloDone".into(),
            }
        )),
        Err(e) => out
            .not_checked
            .push(format!("renegotiation, OCSP stapling and Heartbleed: {e}")),
    }

    // CRIME: DEFLATE offered first at every version up to TLS 1.2.
    let mut compressed = Vec::new();
    let mut asked = 0;
    for &v in &legacy {
        let o = Offer {
            version: v,
            suites: at(v),
            compression: vec![1, 0],
            host,
            ..Offer::default()
        };
        match flight::exchange(dialer, &o, timeout) {
            Ok((fl, _)) if fl.version == Some(v) && fl.compression.is_some() => {
                asked += 1;
                if fl.compression == Some(1) {
                    compressed.push(version_name(v));
                }
            }
            _ => out.not_checked.push(format!(
                "CRIME: no ServerHello to a hello offering DEFLATE at {}",
                version_name(v)
            )),
        }
    }
    if asked > 0 || !compressed.is_empty() {
        out.findings.push(if compressed.is_empty() {
            clear(
                "CRIME (CVE-2012-4929)",
                "the server chose no compression when DEFLATE was offered first".into(),
                "CRIME (2012): TLS compression",
            )
        } else {
            vulnerable(
                "CRIME (CVE-2012-4929)",
                Severity::High,
                format!("the server chose DEFLATE compression under {}", compressed.join(", ")),
                "CRIME (2012): TLS-level compression leaks secrets (cookies) through the compressed length",
            )
        });
    }
    fallback(&mut out, dialer, host, &versions, &at, timeout);
    out
}

fn renegotiation(fl: &Flight, v: u16) -> Finding {
    let name = "insecure renegotiation (CVE-2009-3555)";
    match fl.extension(0xff01) {
        Some(_) => clear(
            name,
            format!(
                "renegotiation_info in the ServerHello ({}): RFC 5746 secure renegotiation",
                version_name(v)
            ),
            "RFC 5746 (2010): secure renegotiation",
        ),
        None => vulnerable(
            name,
            Severity::High,
            format!(
                "no renegotiation_info in the ServerHello ({}) although the hello carried TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
                version_name(v)
            ),
            "RFC 5746 (2010): without secure renegotiation an attacker can prefix a victim's session with its own data (CVE-2009-3555)",
        ),
    }
}

/// Heartbleed: a heartbeat request of 3 bytes whose payload_length claims 16 384, sent
/// unencrypted after ServerHelloDone; a reply longer than what was sent is memory.
fn heartbleed(conn: &mut flight::Open, v: u16, fl: &Flight, timeout: Duration) -> Finding {
    use std::io::Write;
    let name = "Heartbleed (CVE-2014-0160)";
    let [hi, lo] = v.to_be_bytes();
    let probe = [0x18, hi, lo, 0x00, 0x03, 0x01, 0x40, 0x00];
    if conn.stream.write_all(&probe).is_err() {
        return clear(
            name,
            "the server closed the connection before the heartbeat".into(),
            "Heartbleed (2014)",
        );
    }
    conn.extend(timeout);
    let offered = if fl.extension(0x000f).is_some() {
        "the server offered heartbeat"
    } else {
        "the server did not offer heartbeat"
    };
    match conn.record() {
        Some((0x18, body)) if body.len() > 3 => vulnerable(
            name,
            Severity::Critical,
            format!(
                "a 3-byte heartbeat claiming 16384 bytes was answered with {} bytes of server memory ({offered})",
                body.len()
            ),
            "Heartbleed (2014): the heartbeat answer copies as many bytes as the request claims, disclosing keys and data from the server's memory",
        ),
        Some((kind, _)) => clear(
            name,
            format!("the malformed heartbeat got a record of type {kind}, not memory ({offered})"),
            "Heartbleed (2014)",
        ),
        None => clear(
            name,
            format!("the malformed heartbeat got no answer ({offered})"),
            "Heartbleed (2014)",
        ),
    }
}

/// TLS_FALLBACK_SCSV: a hello at the version below the highest, with the SCSV, must get
/// inappropriate_fallback (86).
fn fallback(
    out: &mut Found,
    dialer: &Dialer,
    host: Option<&str>,
    versions: &[u16],
    at: &dyn Fn(u16) -> Vec<u16>,
    timeout: Duration,
) {
    let name = "no TLS_FALLBACK_SCSV (RFC 7507)";
    let (Some(&high), Some(&low)) = (versions.last(), versions.iter().rev().nth(1)) else {
        out.findings.push(clear(
            name,
            "only one protocol version is accepted: there is nothing to fall back to".into(),
            "RFC 7507 (2015): downgrade protection",
        ));
        return;
    };
    let o = Offer {
        version: low,
        suites: at(low),
        host,
        fallback: true,
        ..Offer::default()
    };
    let old = versions.iter().any(|v| *v < 0x0303);
    match flight::exchange(dialer, &o, timeout) {
        Ok((fl, _)) if fl.alert == Some(86) => out.findings.push(clear(
            name,
            format!(
                "a {} hello with TLS_FALLBACK_SCSV got inappropriate_fallback (the server speaks {})",
                version_name(low),
                version_name(high)
            ),
            "RFC 7507 (2015): downgrade protection",
        )),
        Ok((fl, _)) if fl.version == Some(low) => {
            let mut f = vulnerable(
                name,
                if old { Severity::Medium } else { Severity::Low },
                format!(
                    "a {} hello with TLS_FALLBACK_SCSV was accepted although the server speaks {}",
                    version_name(low),
                    version_name(high)
                ),
                "RFC 7507 (2015): without TLS_FALLBACK_SCSV an attacker who breaks connections can push clients that retry down to an older version",
            );
            // The downgrade only lands somewhere refused when a version below TLS 1.2 is
            // accepted; between TLS 1.2 and 1.3 the 1.3 downgrade sentinel protects.
            if !old {
                f.refused = false;
                f.protect = Status::Permitted;
                f.process = Status::Permitted;
            }
            out.findings.push(f);
        }
        Ok((fl, _)) => out.not_checked.push(format!(
            "TLS_FALLBACK_SCSV: a {} hello with the SCSV got {}",
            version_name(low),
            match fl.alert {
                Some(a) => format!("alert {a}, not inappropriate_fallback (86)"),
                None => "no answer".into(),
            }
        )),
        Err(e) => out.not_checked.push(format!("TLS_FALLBACK_SCSV: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_primes_are_1024_bits_and_found_by_value() {
        for h in [OAKLEY_2, RFC5114_1024] {
            let p = hex::decode(h).unwrap_or_default();
            assert_eq!(p.len(), 128, "{h}");
            assert!(common_prime(&p).is_some());
            let mut q = p.clone();
            q[64] ^= 1;
            assert!(common_prime(&q).is_none());
        }
        // Oakley group 2 is 2^1024 - 2^960 - 1 + 2^64·k: 64 one bits at each end.
        assert!(OAKLEY_2.starts_with("FFFFFFFFFFFFFFFF") && OAKLEY_2.ends_with("FFFFFFFFFFFFFFFF"));
    }

    #[test]
    fn named_weaknesses_come_only_from_accepted_suites() {
        let sweet = list(&[(0x0303, 0x000A), (0x0303, 0xC02F)], |_, s| {
            matches!(s.enc, TripleDes | Des(_))
        });
        assert_eq!(
            sweet,
            vec!["TLS_RSA_WITH_3DES_EDE_CBC_SHA (TLS 1.2)".to_string()]
        );
        assert!(
            list(&[(0x0303, 0xC02F)], |_, s| matches!(
                s.enc,
                TripleDes | Des(_)
            ))
            .is_empty()
        );
        let beast = list(&[(0x0301, 0x002F), (0x0303, 0x002F)], |v, s| {
            v <= 0x0301 && is_cbc(s)
        });
        assert_eq!(beast.len(), 1);
    }
}
