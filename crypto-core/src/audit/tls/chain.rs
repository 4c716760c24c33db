//! The served chain as a client would judge it: a path to the system trust store or to
//! `--trust` (built by rustls-webpki through crypto-core's path validation, every signature
//! checked under the policy, serverAuth required when the leaf restricts its use), at the
//! audit date; the host name; where revocation can be checked (OCSP responder, CRL
//! distribution points); and whether an OCSP response is stapled, with what it says.

use cryptrec::Status;
use cryptrec::audit::{Finding, Severity};
use time::OffsetDateTime;

use crate::Error;
use crate::provider::Provider;

/// The aspects of the findings made here: statements about the chain, not algorithms.
pub const ASPECTS: [&str; 4] = [
    "certificate chain",
    "host name",
    "revocation",
    "OCSP stapling",
];

/// The certificates a chain must lead to.
#[derive(Clone, Debug)]
pub struct TrustAnchors {
    /// The anchors (DER).
    pub certs: Vec<Vec<u8>>,
    /// Where they came from, for the report.
    pub source: String,
}

impl TrustAnchors {
    /// The system trust store: `SSL_CERT_FILE`/`SSL_CERT_DIR` if set, else the distribution's
    /// bundle. An empty or unreadable store is an error, never "no anchors, nothing trusted".
    pub fn system() -> Result<TrustAnchors, Error> {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() {
            let why = found
                .errors
                .first()
                .map_or("no certificates found".to_string(), |e| e.to_string());
            return Err(Error::Endpoint(format!(
                "the system trust store could not be read ({why}); give --trust"
            )));
        }
        Ok(TrustAnchors {
            certs: found.certs.into_iter().map(|c| c.to_vec()).collect(),
            source: "the system trust store".into(),
        })
    }

    /// The certificates of a PEM bundle or one DER certificate (`--trust FILE`).
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<TrustAnchors, Error> {
        let certs = crate::pki::certificates(bytes)?;
        Ok(TrustAnchors {
            certs: certs.into_iter().map(|c| c.der).collect(),
            source: source.to_string(),
        })
    }
}

fn finding(aspect: &str, what: String, bad: Option<Severity>, why: &str) -> Finding {
    let status = if bad.is_some_and(|s| s >= Severity::Medium) {
        Status::Refused
    } else {
        Status::Permitted
    };
    Finding {
        aspect: aspect.into(),
        algorithm: what,
        protect: status,
        process: status,
        protect_until: None,
        strength: 0,
        severity: bad.unwrap_or(Severity::Info),
        refused: status == Status::Refused,
        sources: vec![why.into()],
        note: None,
    }
}

/// The moment the chain is judged at: now, or noon UTC of the audit date when it is not today.
fn moment(provider: &Provider) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    if provider.date() == now.date() {
        now
    } else {
        provider
            .date()
            .with_hms(12, 0, 0)
            .map_or(now, |d| d.assume_utc())
    }
}

/// Findings on the chain (leaf first) served for `name`; and what could not be checked.
pub(super) fn check(
    provider: &Provider,
    chain: &[Vec<u8>],
    trust: Result<&TrustAnchors, &str>,
    name: &str,
    stapled: Option<Option<Vec<u8>>>,
) -> (Vec<Finding>, Vec<String>) {
    let mut out = Vec::new();
    let mut not_checked = Vec::new();
    let Some(leaf) = chain.first() else {
        not_checked.push("the server's certificate chain was not obtained".to_string());
        return (out, not_checked);
    };
    match trust {
        Err(why) => not_checked.push(format!("the chain could not be checked: {why}")),
        Ok(anchors) => out.push(
            match crate::pki::path::validate_server(
                provider,
                leaf,
                &chain[1..],
                &anchors.certs,
                moment(provider),
            ) {
                Ok(p) => finding(
                    "certificate chain",
                    format!("valid to {}", p.anchor),
                    None,
                    &format!(
                        "RFC 5280 §6 path validation to {} as of {}",
                        anchors.source,
                        provider.date()
                    ),
                ),
                Err(e) => finding(
                    "certificate chain",
                    format!("not valid: {}", explain(&e)),
                    Some(Severity::High),
                    &format!(
                        "RFC 5280 §6 path validation to {} as of {}: a client relying on it refuses the server",
                        anchors.source,
                        provider.date()
                    ),
                ),
            },
        ),
    }
    out.push(host_name(leaf, name));
    let (ocsp, crl) = revocation_locations(leaf);
    out.push(if ocsp.is_empty() && crl.is_empty() {
        finding(
            "revocation",
            "no OCSP responder and no CRL distribution point".into(),
            Some(Severity::Low),
            "RFC 5280 §4.2.2.1, §4.2.1.13: without them a client cannot learn that the certificate was revoked",
        )
    } else {
        let mut parts: Vec<String> = ocsp.iter().map(|u| format!("OCSP {u}")).collect();
        parts.extend(crl.iter().map(|u| format!("CRL {u}")));
        finding(
            "revocation",
            parts.join(", "),
            None,
            "RFC 5280 §4.2.2.1 (authorityInfoAccess), §4.2.1.13 (cRLDistributionPoints)",
        )
    });
    match stapled {
        None => not_checked.push("OCSP stapling: the status_request hello got no answer".into()),
        Some(None) => out.push(finding(
            "OCSP stapling",
            "no stapled OCSP response".into(),
            Some(Severity::Low),
            "RFC 6066 §8: the server does not staple its certificate's status; each client must ask the responder itself",
        )),
        Some(Some(der)) => out.push(stapled_finding(&der, leaf)),
    }
    (out, not_checked)
}

fn explain(e: &webpki::Error) -> String {
    match e {
        webpki::Error::RequiredEkuNotFoundContext(_) => {
            "the certificate's extended key usage does not include serverAuth".into()
        }
        webpki::Error::UnknownIssuer => {
            "no path from the server's certificate to a trust anchor (untrusted)".into()
        }
        webpki::Error::CaUsedAsEndEntity => "the server presents a CA certificate".into(),
        e => crate::pki::path::explain(e),
    }
}

fn host_name(leaf: &[u8], name: &str) -> Finding {
    let der = pki_types::CertificateDer::from(leaf);
    let checked = pki_types::ServerName::try_from(name)
        .map_err(|_| "not a valid host name or address".to_string())
        .and_then(|n| {
            webpki::EndEntityCert::try_from(&der)
                .map_err(|e| crate::pki::path::explain(&e))
                .map(|ee| ee.verify_is_valid_for_subject_name(&n).is_ok())
        });
    match checked {
        Ok(true) => finding(
            "host name",
            format!("valid for {name}"),
            None,
            "RFC 6125 / RFC 9525: the certificate's subjectAltName names the host",
        ),
        Ok(false) => finding(
            "host name",
            format!("not valid for {name}"),
            Some(Severity::High),
            "RFC 6125 / RFC 9525: the certificate's subjectAltName does not name the host; clients refuse it",
        ),
        Err(why) => finding(
            "host name",
            format!("not valid for {name}: {why}"),
            Some(Severity::High),
            "RFC 6125 / RFC 9525: the host name could not be matched",
        ),
    }
}

/// The leaf's OCSP responder URIs and CRL distribution point URIs.
fn revocation_locations(leaf: &[u8]) -> (Vec<String>, Vec<String>) {
    use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
    let (mut ocsp, mut crl) = (Vec::new(), Vec::new());
    let Ok((_, c)) = x509_parser::parse_x509_certificate(leaf) else {
        return (ocsp, crl);
    };
    for e in c.extensions() {
        match e.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in aia.iter() {
                    if d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.1"
                        && let GeneralName::URI(u) = d.access_location
                    {
                        ocsp.push(u.to_string());
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for p in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &p.distribution_point {
                        for n in names {
                            if let GeneralName::URI(u) = n {
                                crl.push(u.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (ocsp, crl)
}

/// A DER TLV: (tag, contents, rest).
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, at) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let mut l = 0usize;
        for i in 0..n {
            l = (l << 8) | usize::from(*b.get(2 + i)?);
        }
        (l, 2 + n)
    };
    let end = at.checked_add(len)?;
    Some((tag, b.get(at..end)?, b.get(end..)?))
}

/// The stapled response's status and the leaf's certStatus in it (RFC 6960 §4.2.1). Its
/// signature is not verified here: a client does that; the finding says what was stapled.
fn ocsp_status(der: &[u8], serial: &[u8]) -> Result<&'static str, String> {
    let malformed = || "a malformed OCSP response".to_string();
    let (_, resp, _) = tlv(der).ok_or_else(malformed)?;
    let (t, status, rest) = tlv(resp).ok_or_else(malformed)?;
    if t != 0x0A || status.len() != 1 {
        return Err(malformed());
    }
    if status[0] != 0 {
        return Err(format!(
            "the responder answered {}",
            match status[0] {
                1 => "malformedRequest",
                2 => "internalError",
                3 => "tryLater",
                5 => "sigRequired",
                6 => "unauthorized",
                _ => "an unknown status",
            }
        ));
    }
    // responseBytes [0] { SEQUENCE { OID, OCTET STRING BasicOCSPResponse } }
    let (_, rb, _) = tlv(rest).ok_or_else(malformed)?;
    let (_, rb, _) = tlv(rb).ok_or_else(malformed)?;
    let (_, _oid, rest) = tlv(rb).ok_or_else(malformed)?;
    let (_, basic, _) = tlv(rest).ok_or_else(malformed)?;
    let (_, basic, _) = tlv(basic).ok_or_else(malformed)?;
    let (_, tbs, _) = tlv(basic).ok_or_else(malformed)?;
    // tbsResponseData: [0] version?, responderID, producedAt, responses, ...
    let mut p = tbs;
    let mut responses = None;
    while let Some((tag, body, rest)) = tlv(p) {
        if tag == 0x30 {
            responses = Some(body);
            break;
        }
        p = rest;
    }
    let mut single = responses.ok_or_else(malformed)?;
    while let Some((_, sr, rest)) = tlv(single) {
        let (_, cert_id, after) = tlv(sr).ok_or_else(malformed)?;
        // CertID: hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber.
        let mut f = cert_id;
        let mut last = None;
        while let Some((tag, body, rest)) = tlv(f) {
            if tag == 0x02 {
                last = Some(body);
            }
            f = rest;
        }
        let strip = |s: &[u8]| -> Vec<u8> {
            let lead = s.iter().position(|&x| x != 0).unwrap_or(s.len());
            s[lead..].to_vec()
        };
        if last.map(strip) == Some(strip(serial)) {
            return match after.first() {
                Some(0x80) => Ok("good"),
                Some(0xA1) => Ok("revoked"),
                Some(0x82) => Ok("unknown"),
                _ => Err(malformed()),
            };
        }
        single = rest;
    }
    Err("the stapled response does not name the server's certificate".into())
}

fn stapled_finding(der: &[u8], leaf: &[u8]) -> Finding {
    let serial = x509_parser::parse_x509_certificate(leaf)
        .map(|(_, c)| c.tbs_certificate.raw_serial().to_vec())
        .unwrap_or_default();
    let why = "RFC 6066 §8, RFC 6960: a stapled OCSP response (its signature is checked by clients, not by this audit)";
    match ocsp_status(der, &serial) {
        Ok("good") => finding(
            "OCSP stapling",
            "stapled OCSP response: good".into(),
            None,
            why,
        ),
        Ok(s) => finding(
            "OCSP stapling",
            format!("stapled OCSP response: {s}"),
            Some(if s == "revoked" {
                Severity::Critical
            } else {
                Severity::High
            }),
            why,
        ),
        Err(e) => finding(
            "OCSP stapling",
            format!("stapled OCSP response unusable: {e}"),
            Some(Severity::High),
            why,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocsp_status_reads_the_leaf_and_refuses_garbage() {
        // OCSPResponse { successful, [0] { SEQUENCE { id-pkix-ocsp-basic, OCTET STRING {
        //   SEQUENCE { tbs { [1] responderID, producedAt, SEQUENCE { SingleResponse } } } } } } }
        let single = |serial: u8, status: &[u8]| -> Vec<u8> {
            let cert_id = [vec![0x30, 0x00, 0x04, 0x00, 0x04, 0x00, 0x02, 0x01, serial]].concat();
            let mut s = vec![0x30, cert_id.len() as u8];
            s.extend(cert_id);
            s.extend(status);
            s.extend([0x18, 0x00]);
            let mut out = vec![0x30, s.len() as u8];
            out.extend(s);
            out
        };
        let wrap = |tag: u8, b: Vec<u8>| {
            let mut v = vec![tag, b.len() as u8];
            v.extend(b);
            v
        };
        let resp = |srs: Vec<u8>| {
            let tbs = wrap(
                0x30,
                [vec![0xA1, 0x00, 0x18, 0x00], wrap(0x30, srs)].concat(),
            );
            let basic = wrap(0x30, tbs);
            let rb = wrap(
                0xA0,
                wrap(0x30, [vec![0x06, 0x00], wrap(0x04, basic)].concat()),
            );
            wrap(0x30, [vec![0x0A, 0x01, 0x00], rb].concat())
        };
        let r = resp([single(9, &[0x80, 0x00]), single(7, &[0xA1, 0x00])].concat());
        assert_eq!(ocsp_status(&r, &[7]), Ok("revoked"));
        assert_eq!(ocsp_status(&r, &[0, 9]), Ok("good"));
        assert!(ocsp_status(&r, &[8]).is_err());
        assert!(
            ocsp_status(&[0x30, 0x03, 0x0A, 0x01, 0x03], &[7])
                .is_err_and(|e| e.contains("tryLater"))
        );
        for cut in 0..r.len() {
            let _ = ocsp_status(&r[..cut], &[7]);
        }
    }
}
