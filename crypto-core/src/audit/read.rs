//! Reading artefacts from their DER when crypto-core's typed readers cannot (an algorithm it
//! does not implement, an encoding it refuses): CSRs, CMS/PKCS#7 (signed, certs-only,
//! encrypted, enveloped), PKCS#12, CRLs, cross-certificate pairs, keys of any type and
//! password-protected keys. Everything found is judged from the policy data; what cannot be
//! judged becomes a "not judged" artefact with the reason, never nothing.

use cryptrec::audit::{self as judge_mod, Finding};
use cryptrec::{Algorithm, HashAlg};

use super::asn1::{self, KeyDesc, Tlv, Unlisted};
use super::{Artefact, PendingSignature, j};
use crate::keys::Fingerprint;
use crate::provider::Provider;

const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ENVELOPED_DATA: &str = "1.2.840.113549.1.7.3";
const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const DATA: &str = "1.2.840.113549.1.7.1";

/// A finding for something the list does not name.
pub(crate) fn unlisted(aspect: &str, u: &Unlisted) -> Finding {
    judge_mod::not_listed(aspect, &u.what, &u.why, u.broken)
}

/// The finding on a key.
pub(crate) fn key_finding(provider: &Provider, k: &KeyDesc, aspect: &str) -> Finding {
    match &k.algorithm {
        Ok(a) => j(provider, a, aspect),
        Err(u) => unlisted(aspect, u),
    }
}

/// An artefact that looks cryptographic but could not be judged, and why.
pub(crate) fn not_judged(location: &str, index: Option<usize>, kind: &str, why: &str) -> Artefact {
    let mut a = Artefact::new(location, kind);
    a.index = index;
    a.not_judged = Some(why.to_string());
    a
}

fn name(raw: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    x509_parser::x509::X509Name::from_der(raw)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|_| format!("(unreadable name {})", hex::encode(Fingerprint::of(raw).0)))
}

/// What a signed DER object (SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signed {
    Certificate,
    Csr,
    Crl,
}

/// Classifies a signed object by its to-be-signed part; `None` if it is not one.
pub(crate) fn signed_kind(der: &[u8]) -> Option<Signed> {
    let outer = asn1::seq(&asn1::next(&mut &der[..])?)?;
    if outer.len() != 3 || asn1::alg_id(&outer[1]).is_none() || outer[2].tag != 0x03 {
        return None;
    }
    let tbs = asn1::seq(&outer[0])?;
    let is_alg = |t: Option<&Tlv<'_>>| t.and_then(asn1::alg_id).is_some();
    let tag = |i: usize| tbs.get(i).map(|t| t.tag);
    // A CRL's tbs: [version,] signature, issuer, thisUpdate (a time); a certificate's has the
    // validity SEQUENCE there.
    let skip = usize::from(tag(0) == Some(0x02));
    if is_alg(tbs.get(skip)) && matches!(tag(skip + 2), Some(0x17 | 0x18)) {
        return Some(Signed::Crl);
    }
    if tag(0) == Some(0xa0) || (tag(0) == Some(0x02) && is_alg(tbs.get(1)) && tbs.len() >= 6) {
        return Some(Signed::Certificate);
    }
    if tag(0) == Some(0x02) && tag(1) == Some(0x30) && tag(2) == Some(0x30) && tag(3) == Some(0xa0)
    {
        return Some(Signed::Csr);
    }
    None
}

/// A certificate crypto-core's parser refused, read from its DER: the key and signature
/// algorithm are judged; the validity, unreadable, refuses it.
pub(crate) fn raw_certificate(
    provider: &Provider,
    location: &str,
    index: Option<usize>,
    der: &[u8],
    why: &str,
) -> Artefact {
    let parsed = (|| {
        let outer = asn1::seq(&asn1::next(&mut &der[..])?)?;
        let (sig_oid, sig_params) = asn1::alg_id(outer.get(1)?)?;
        let tbs = asn1::seq(outer.first()?)?;
        let skip = usize::from(tbs.first()?.tag == 0xa0);
        let issuer = tbs.get(skip + 2)?.raw;
        let subject = tbs.get(skip + 4)?.raw;
        let spki = tbs.get(skip + 5)?.raw;
        Some((
            sig_oid,
            sig_params.map(|p| p.raw.to_vec()),
            issuer,
            subject,
            spki,
        ))
    })();
    let Some((sig_oid, sig_params, issuer, subject, spki)) = parsed else {
        return not_judged(
            location,
            index,
            "certificate",
            &format!("the certificate cannot be read ({why})"),
        );
    };
    let mut a = Artefact::new(location, "certificate");
    a.index = index;
    a.name = Some(name(subject));
    a.fingerprint = Some(Fingerprint::of(der).hex());
    a.signature_algorithm = Some(sig_oid.clone());
    let key = asn1::spki(spki);
    let own_key = match &key {
        Some(k) => {
            a.public_key = Some(k.description.clone());
            a.findings.push(key_finding(provider, k, "public key"));
            k.algorithm.clone().ok()
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
    };
    let mut v = judge_mod::not_listed(
        "validity",
        "unreadable",
        &format!("the certificate does not parse ({why}), so whether it has expired is unknown"),
        false,
    );
    v.note = Some("key and signature algorithm read from the DER".into());
    a.findings.push(v);
    a.pending = Some(PendingSignature {
        subject: name(subject),
        issuer: name(issuer),
        oid: sig_oid,
        pss: sig_params.as_deref().and_then(pss_hash),
        own_key,
        is_ca: subject == issuer,
    });
    a
}

/// The hash of RSASSA-PSS-params (SHA-1 when absent, RFC 4055).
pub(crate) fn pss_hash(params: &[u8]) -> Option<HashAlg> {
    let v = asn1::seq(&asn1::whole(params)?)?;
    match v.iter().find(|e| e.tag == 0xa0) {
        Some(h) => asn1::alg_id(&asn1::whole(h.body)?).and_then(|(o, _)| asn1::hash(&o).ok()),
        None => Some(HashAlg::Sha1),
    }
}

/// A CSR: its key and its signature algorithm (with its own key).
pub(crate) fn csr(provider: &Provider, location: &str, der: &[u8]) -> Artefact {
    let parsed = (|| {
        let outer = asn1::seq(&asn1::whole(der)?)?;
        let (sig_oid, sig_params) = asn1::alg_id(outer.get(1)?)?;
        let info = asn1::seq(outer.first()?)?;
        Some((
            sig_oid,
            sig_params.map(|p| p.raw.to_vec()),
            info.get(1)?.raw,
            info.get(2)?.raw,
        ))
    })();
    let Some((sig_oid, sig_params, subject, spki)) = parsed else {
        return not_judged(
            location,
            None,
            "CSR",
            "the certificate request cannot be read",
        );
    };
    let mut a = Artefact::new(location, "CSR");
    a.name = Some(name(subject));
    a.signature_algorithm = Some(sig_oid.clone());
    a.fingerprint = Some(Fingerprint::of(spki).hex());
    let key = asn1::spki(spki);
    match &key {
        Some(k) => {
            a.public_key = Some(k.description.clone());
            a.findings.push(key_finding(provider, k, "public key"));
        }
        None => a.findings.push(judge_mod::not_listed(
            "public key",
            "unreadable SubjectPublicKeyInfo",
            "the request's public key cannot be read, so it cannot be judged",
            false,
        )),
    }
    let own = key.and_then(|k| k.algorithm.ok());
    a.findings.push(signature_finding(
        provider,
        &sig_oid,
        sig_params.as_deref().and_then(pss_hash),
        own.as_ref(),
    ));
    a
}

/// A signature algorithm OID judged with the signer's key, or by its hash without it.
pub(crate) fn signature_finding(
    provider: &Provider,
    oid: &str,
    pss: Option<HashAlg>,
    key: Option<&Algorithm>,
) -> Finding {
    let sig = match asn1::signature(oid) {
        Ok(s) => s,
        Err(u) => return unlisted("signature", &u),
    };
    if let Some(alg) = key.and_then(|k| sig.algorithm(k, pss)) {
        return j(provider, &alg, "signature");
    }
    use cryptrec::oid::SignatureOid::*;
    let hash = match sig {
        RsaPkcs1(h) | Ecdsa(h) | Dsa(h) => Some(h),
        RsaPss => Some(pss.unwrap_or(HashAlg::Sha1)),
        EdDsa(e) => return j(provider, &Algorithm::EdDsa(e), "signature"),
    };
    match hash {
        Some(h) => {
            let mut f = j(provider, &Algorithm::Hash(h), "signature hash");
            f.note =
                Some("the signer's key was not among those scanned: its key is not judged".into());
            f
        }
        None => judge_mod::unknown("signature", oid),
    }
}

/// A CRL: its signature (with the issuer's key when the issuer is among the scanned
/// certificates).
pub(crate) fn crl(location: &str, index: Option<usize>, der: &[u8]) -> Artefact {
    let parsed = (|| {
        let outer = asn1::seq(&asn1::next(&mut &der[..])?)?;
        let (sig_oid, sig_params) = asn1::alg_id(outer.get(1)?)?;
        let tbs = asn1::seq(outer.first()?)?;
        let skip = usize::from(tbs.first()?.tag == 0x02);
        Some((
            sig_oid,
            sig_params.map(|p| p.raw.to_vec()),
            tbs.get(skip + 1)?.raw,
        ))
    })();
    let Some((oid, params, issuer)) = parsed else {
        return not_judged(location, index, "CRL", "the CRL cannot be read");
    };
    let mut a = Artefact::new(location, "CRL");
    a.index = index;
    a.name = Some(name(issuer));
    a.signature_algorithm = Some(oid.clone());
    a.fingerprint = Some(Fingerprint::of(der).hex());
    a.pending = Some(PendingSignature {
        subject: String::new(),
        issuer: name(issuer),
        oid,
        pss: params.as_deref().and_then(pss_hash),
        own_key: None,
        is_ca: false,
    });
    a
}

/// Findings on a password-based encryption AlgorithmIdentifier, under `aspect`.
pub(crate) fn protection_findings(
    provider: &Provider,
    alg: &Tlv<'_>,
    aspect: &str,
) -> Vec<Finding> {
    let Some(p) = asn1::protection(alg) else {
        let what = asn1::alg_id(alg)
            .map(|(o, _)| format!("encryption scheme {o}"))
            .unwrap_or_else(|| "unreadable encryption scheme".into());
        return vec![judge_mod::not_listed(
            aspect,
            &what,
            "not a password-based encryption scheme of the CRYPTREC Ciphers List that kagi knows (PBES2 with PBKDF2 is)",
            false,
        )];
    };
    let mut out: Vec<Finding> = p
        .parts
        .iter()
        .map(|part| {
            let mut f = match &part.algorithm {
                Ok(a) => j(provider, a, aspect),
                Err(u) => unlisted(aspect, u),
            };
            f.note = Some(format!("{} {}", p.scheme, part.role));
            f
        })
        .collect();
    if let (Some(n), Some(first)) = (p.iterations, out.first_mut())
        && n < 600_000
    {
        first.note = Some(format!(
            "{} key derivation, {n} iterations; kagi writes at least 600 000",
            p.scheme
        ));
    }
    out
}

/// An `EncryptedPrivateKeyInfo`: how it is protected (the key inside is not visible).
pub(crate) fn encrypted_key(provider: &Provider, location: &str, der: &[u8]) -> Option<Artefact> {
    let v = asn1::seq(&asn1::whole(der)?)?;
    if v.len() != 2 || v[1].tag != 0x04 {
        return None;
    }
    let mut a = Artefact::new(location, "encrypted private key");
    a.findings = protection_findings(provider, &v[0], "key protection");
    Some(a)
}

/// A key read from the DER alone (`label` as in PEM; `None` for DER of unknown shape).
pub(crate) fn key(
    provider: &Provider,
    location: &str,
    label: Option<&str>,
    der: &[u8],
) -> Option<Artefact> {
    let (kind, k) = match label {
        Some("PUBLIC KEY") => ("public key", asn1::spki(der)?),
        Some("PRIVATE KEY") => ("private key", asn1::pkcs8(der)?),
        Some("EC PRIVATE KEY") => ("private key", asn1::sec1_private(der)?),
        Some("DSA PRIVATE KEY") => ("private key", asn1::dsa_private(der)?),
        Some("ENCRYPTED PRIVATE KEY") => return encrypted_key(provider, location, der),
        Some(_) => return None,
        None => {
            if let Some(k) = asn1::pkcs8(der) {
                ("private key", k)
            } else if let Some(k) = asn1::spki(der) {
                ("public key", k)
            } else if let Some(k) = asn1::dsa_private(der) {
                ("private key", k)
            } else if let Some(k) = asn1::sec1_private(der) {
                ("private key", k)
            } else {
                return encrypted_key(provider, location, der);
            }
        }
    };
    let mut a = Artefact::new(location, kind);
    a.public_key = Some(k.description.clone());
    if kind == "public key" {
        a.fingerprint = Some(Fingerprint::of(der).hex());
    }
    a.findings.push(key_finding(provider, &k, "public key"));
    Some(a)
}

/// Domain parameters (`EC PARAMETERS`, `DH PARAMETERS`, `DSA PARAMETERS`).
pub(crate) fn parameters(
    provider: &Provider,
    location: &str,
    label: &str,
    der: &[u8],
) -> Option<Artefact> {
    let t = asn1::whole(der)?;
    let k = match label {
        "EC PARAMETERS" => asn1::ec_key(Some(&t)),
        "DH PARAMETERS" | "X9.42 DH PARAMETERS" => {
            let v = asn1::seq(&t)?;
            KeyDesc {
                description: format!("DH-{}", asn1::int_bits(v.first()?)),
                algorithm: Ok(Algorithm::Dh {
                    bits: asn1::int_bits(v.first()?),
                }),
            }
        }
        "DSA PARAMETERS" => {
            let v = asn1::seq(&t)?;
            let (l, n) = (asn1::int_bits(v.first()?), asn1::int_bits(v.get(1)?));
            KeyDesc {
                description: format!("DSA-{l}"),
                algorithm: Ok(Algorithm::Dsa { l, n, hash: None }),
            }
        }
        _ => return None,
    };
    let mut a = Artefact::new(location, "domain parameters");
    a.public_key = Some(k.description.clone());
    a.findings.push(key_finding(provider, &k, "parameters"));
    Some(a)
}

/// The certificates of a SET/[0] of CertificateChoices, each judged (or not judged).
fn certificate_set(provider: &Provider, location: &str, set: &Tlv<'_>, out: &mut Vec<Artefact>) {
    for (i, c) in asn1::items(set.body).unwrap_or_default().iter().enumerate() {
        if c.tag == 0x30 {
            out.push(super::certificate_der(
                provider,
                location,
                Some(i + 1),
                c.raw,
            ));
        }
    }
}

/// A CMS/PKCS#7 ContentInfo: SignedData (attached, detached or certificates only),
/// EnvelopedData, EncryptedData. `None` if it is not a ContentInfo.
pub(crate) fn content_info(
    provider: &Provider,
    location: &str,
    der: &[u8],
) -> Option<Vec<Artefact>> {
    let v = asn1::seq(&asn1::next(&mut &der[..])?)?;
    let ct = asn1::oid(v.first()?)?;
    if !ct.starts_with("1.2.840.113549.1.7.") {
        return None;
    }
    let content = v
        .get(1)
        .filter(|t| t.tag == 0xa0)
        .and_then(|t| asn1::whole(t.body));
    let bad = |why: &str| Some(vec![not_judged(location, None, "CMS", why)]);
    let Some(content) = content else {
        return bad("a CMS ContentInfo without content");
    };
    let Some(items) = asn1::seq(&content) else {
        return bad("the CMS content cannot be read");
    };
    match ct.as_str() {
        SIGNED_DATA => Some(signed_data(provider, location, &items)),
        ENCRYPTED_DATA => {
            let mut a = Artefact::new(location, "CMS encrypted data");
            match items
                .get(1)
                .and_then(asn1::seq)
                .and_then(|eci| eci.get(1).copied())
            {
                Some(alg) => {
                    a.findings = protection_or_cipher(provider, &alg, "content encryption")
                }
                None => return bad("the EncryptedData cannot be read"),
            }
            Some(vec![a])
        }
        ENVELOPED_DATA => Some(vec![enveloped(provider, location, &items)]),
        other => bad(&format!(
            "CMS content type {other} is not one kagi audit reads"
        )),
    }
}

fn protection_or_cipher(provider: &Provider, alg: &Tlv<'_>, aspect: &str) -> Vec<Finding> {
    if asn1::protection(alg).is_some() {
        return protection_findings(provider, alg, aspect);
    }
    match asn1::alg_id(alg) {
        Some((o, _)) => vec![match asn1::cipher(&o) {
            Ok(c) => j(provider, &c, aspect),
            Err(u) => unlisted(aspect, &u),
        }],
        None => vec![judge_mod::unknown(aspect, "unreadable algorithm")],
    }
}

fn enveloped(provider: &Provider, location: &str, items: &[Tlv<'_>]) -> Artefact {
    let mut a = Artefact::new(location, "CMS enveloped data");
    let skip = usize::from(items.get(1).is_some_and(|t| t.tag == 0xa0));
    if let Some(eci) = items.get(2 + skip).and_then(asn1::seq)
        && let Some(alg) = eci.get(1)
    {
        a.findings
            .extend(protection_or_cipher(provider, alg, "content encryption"));
    }
    for ri in items
        .get(1 + skip)
        .and_then(|s| asn1::items(s.body))
        .unwrap_or_default()
    {
        // KeyTransRecipientInfo: version, rid, keyEncryptionAlgorithm, encryptedKey.
        let Some(v) = asn1::seq(&ri) else {
            a.findings.push(judge_mod::unknown(
                "recipient",
                "a recipient kind kagi audit does not read",
            ));
            continue;
        };
        let (Some((o, params)), Some(ek)) = (v.get(2).and_then(asn1::alg_id), v.get(3)) else {
            continue;
        };
        let bits = (ek.body.len() * 8) as u32;
        let f = match o.as_str() {
            cryptrec::oid::RSA_ENCRYPTION => {
                j(provider, &Algorithm::RsaPkcs1Encrypt { bits }, "recipient")
            }
            "1.2.840.113549.1.1.7" => {
                let hash = params
                    .and_then(|p| asn1::seq(&p))
                    .and_then(|p| p.into_iter().find(|e| e.tag == 0xa0))
                    .and_then(|h| asn1::whole(h.body))
                    .and_then(|h| asn1::alg_id(&h))
                    .and_then(|(o, _)| asn1::hash(&o).ok())
                    .unwrap_or(HashAlg::Sha1);
                j(provider, &Algorithm::RsaOaep { bits, hash }, "recipient")
            }
            other => judge_mod::unknown("recipient", &format!("key encryption {other}")),
        };
        a.findings.push(f);
    }
    if a.findings.is_empty() {
        a.not_judged = Some("the EnvelopedData names no algorithm kagi audit can read".into());
    }
    a
}

fn signed_data(provider: &Provider, location: &str, items: &[Tlv<'_>]) -> Vec<Artefact> {
    let embedded = format!("{location} (embedded)");
    let mut certs_out = Vec::new();
    let mut cert_keys: Vec<(Vec<u8>, Option<Algorithm>)> = Vec::new();
    if let Some(set) = items.iter().find(|t| t.tag == 0xa0) {
        certificate_set(provider, &embedded, set, &mut certs_out);
        for c in asn1::items(set.body).unwrap_or_default() {
            cert_keys.push((c.raw.to_vec(), cert_key(c.raw)));
        }
    }
    let signer_set = items.iter().rev().find(|t| t.tag == 0x31);
    let signers = signer_set
        .and_then(|s| asn1::items(s.body))
        .unwrap_or_default();
    // SignerInfos that are there but do not parse are a signature not judged, never a
    // certificate bundle (found by the audit_file fuzzer).
    if signers.is_empty() && signer_set.is_some_and(|s| !s.body.is_empty()) {
        let mut out = vec![not_judged(
            location,
            None,
            "CMS signature",
            "the SignerInfos cannot be read",
        )];
        out.extend(certs_out);
        return out;
    }
    let attached = items
        .get(2)
        .and_then(asn1::seq)
        .is_some_and(|e| e.len() > 1);
    let mut out = Vec::new();
    if signers.is_empty() {
        if certs_out.is_empty() {
            out.push(not_judged(
                location,
                None,
                "PKCS#7",
                "a SignedData with no signer and no certificate",
            ));
        } else {
            let mut a = Artefact::new(location, "PKCS#7 certificate bundle");
            a.name = Some(format!("{} certificates", certs_out.len()));
            out.push(a);
        }
    }
    for (i, si) in signers.iter().enumerate() {
        let mut a = Artefact::new(location, "CMS signature");
        a.index = (signers.len() > 1).then_some(i + 1);
        if attached {
            a.name = Some("content attached".into());
        }
        let Some(v) = asn1::seq(si) else {
            out.push(not_judged(
                location,
                a.index,
                "CMS signature",
                "the SignerInfo cannot be read",
            ));
            continue;
        };
        let digest = v.get(2).and_then(asn1::alg_id).map(|(o, _)| o);
        let sig_pos = if v.get(3).is_some_and(|t| t.tag == 0xa0) {
            4
        } else {
            3
        };
        let sig = v.get(sig_pos).and_then(asn1::alg_id);
        let (Some(digest), Some((sig_oid, sig_params))) = (digest, sig) else {
            out.push(not_judged(
                location,
                a.index,
                "CMS signature",
                "the SignerInfo cannot be read",
            ));
            continue;
        };
        let hash = asn1::hash(&digest);
        a.findings.push(match &hash {
            Ok(h) => j(provider, &Algorithm::Hash(*h), "digest"),
            Err(u) => unlisted("digest", u),
        });
        let signer = v.get(1).and_then(|sid| signer_key(sid, &cert_keys));
        if let Some(k) = &signer {
            a.findings.push(j(provider, k, "signer key"));
        }
        // rsaEncryption / id-ecPublicKey as a signature algorithm mean "with the digest".
        let oid = match (sig_oid.as_str(), &hash) {
            (cryptrec::oid::RSA_ENCRYPTION, Ok(h)) => rsa_with(*h),
            (cryptrec::oid::EC_PUBLIC_KEY, Ok(h)) => ecdsa_with(*h),
            (o, _) => Some(o.to_string()),
        };
        a.signature_algorithm = Some(sig_oid.clone());
        a.findings.push(match oid {
            Some(o) => signature_finding(
                provider,
                &o,
                sig_params.map(|p| p.raw).and_then(pss_hash),
                signer.as_ref(),
            ),
            None => judge_mod::unknown("signature", &sig_oid),
        });
        out.push(a);
    }
    out.extend(certs_out);
    out
}

fn rsa_with(h: HashAlg) -> Option<String> {
    Some(
        match h {
            HashAlg::Md5 => "1.2.840.113549.1.1.4",
            HashAlg::Sha1 => "1.2.840.113549.1.1.5",
            HashAlg::Sha224 => "1.2.840.113549.1.1.14",
            HashAlg::Sha256 => "1.2.840.113549.1.1.11",
            HashAlg::Sha384 => "1.2.840.113549.1.1.12",
            HashAlg::Sha512 => "1.2.840.113549.1.1.13",
            _ => return None,
        }
        .to_string(),
    )
}

fn ecdsa_with(h: HashAlg) -> Option<String> {
    Some(
        match h {
            HashAlg::Sha1 => "1.2.840.10045.4.1",
            HashAlg::Sha224 => "1.2.840.10045.4.3.1",
            HashAlg::Sha256 => "1.2.840.10045.4.3.2",
            HashAlg::Sha384 => "1.2.840.10045.4.3.3",
            HashAlg::Sha512 => "1.2.840.10045.4.3.4",
            _ => return None,
        }
        .to_string(),
    )
}

/// A certificate's (DER) key, and its issuer and serial for matching a signer.
fn cert_key(der: &[u8]) -> Option<Algorithm> {
    let outer = asn1::seq(&asn1::whole(der)?)?;
    let tbs = asn1::seq(outer.first()?)?;
    let skip = usize::from(tbs.first()?.tag == 0xa0);
    asn1::spki(tbs.get(skip + 5)?.raw)?.algorithm.ok()
}

fn issuer_serial(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let outer = asn1::seq(&asn1::whole(der)?)?;
    let tbs = asn1::seq(outer.first()?)?;
    let skip = usize::from(tbs.first()?.tag == 0xa0);
    Some((tbs.get(skip + 2)?.raw.to_vec(), tbs.get(skip)?.raw.to_vec()))
}

/// The signer's key: the certificate its IssuerAndSerialNumber names, or the only one.
fn signer_key(sid: &Tlv<'_>, certs: &[(Vec<u8>, Option<Algorithm>)]) -> Option<Algorithm> {
    if let Some(v) = asn1::seq(sid)
        && v.len() == 2
    {
        let want = (v[0].raw.to_vec(), v[1].raw.to_vec());
        if let Some((_, k)) = certs
            .iter()
            .find(|(d, _)| issuer_serial(d).as_ref() == Some(&want))
        {
            return *k;
        }
    }
    match certs {
        [(_, k)] => *k,
        _ => None,
    }
}

/// A PKCS#12 file (RFC 7292): its integrity MAC, how each part is encrypted, and the
/// certificates and keys that are not encrypted. `None` if it is not a PFX.
pub(crate) fn pkcs12(provider: &Provider, location: &str, der: &[u8]) -> Option<Vec<Artefact>> {
    let v = asn1::seq(&asn1::whole(der)?)?;
    if v.first().map(|t| t.body) != Some(&[3][..]) || v.len() < 2 {
        return None;
    }
    let auth = asn1::seq(&v[1])?;
    if asn1::oid(auth.first()?)? != DATA {
        return None;
    }
    let mut a = Artefact::new(location, "PKCS#12");
    let mut out = Vec::new();
    match v.get(2).and_then(asn1::seq) {
        Some(mac) => {
            let digest = mac
                .first()
                .and_then(asn1::seq)
                .and_then(|d| d.first().and_then(asn1::alg_id));
            let mut f = match digest.map(|(o, _)| asn1::hash(&o)) {
                Some(Ok(h)) => j(provider, &Algorithm::Hmac(h), "integrity"),
                Some(Err(u)) => unlisted("integrity", &u),
                None => judge_mod::unknown("integrity", "unreadable MAC"),
            };
            f.note = Some("PKCS#12 MAC (key from the PKCS#12 KDF)".into());
            a.findings.push(f);
        }
        None => a.findings.push(judge_mod::not_listed(
            "integrity",
            "no MAC",
            "the PKCS#12 file has no password integrity (MAC): nothing protects it from alteration",
            false,
        )),
    }
    let octets = auth
        .get(1)
        .filter(|t| t.tag == 0xa0)
        .and_then(|t| asn1::whole(t.body))
        .filter(|t| t.tag == 0x04)?;
    let safes = asn1::seq(&asn1::whole(octets.body)?)?;
    for ci in &safes {
        let Some(civ) = asn1::seq(ci) else { continue };
        let Some(ct) = civ.first().and_then(asn1::oid) else {
            continue;
        };
        let inner = civ
            .get(1)
            .filter(|t| t.tag == 0xa0)
            .and_then(|t| asn1::whole(t.body));
        match (ct.as_str(), inner) {
            (DATA, Some(o)) if o.tag == 0x04 => {
                if let Some(bags) = asn1::whole(o.body).and_then(|t| asn1::seq(&t)) {
                    for bag in &bags {
                        safe_bag(provider, location, bag, &mut a, &mut out);
                    }
                }
            }
            (ENCRYPTED_DATA, Some(ed)) => {
                if let Some(alg) = asn1::seq(&ed)
                    .and_then(|e| e.get(1).and_then(asn1::seq))
                    .and_then(|eci| eci.get(1).copied())
                {
                    a.findings
                        .extend(protection_or_cipher(provider, &alg, "content encryption"));
                }
            }
            _ => a.findings.push(judge_mod::unknown(
                "content",
                &format!("PKCS#12 content {ct} kagi audit does not read"),
            )),
        }
    }
    out.insert(0, a);
    Some(out)
}

fn safe_bag(
    provider: &Provider,
    location: &str,
    bag: &Tlv<'_>,
    a: &mut Artefact,
    out: &mut Vec<Artefact>,
) {
    let Some(v) = asn1::seq(bag) else { return };
    let id = v.first().and_then(asn1::oid).unwrap_or_default();
    let value = v
        .get(1)
        .filter(|t| t.tag == 0xa0)
        .and_then(|t| asn1::whole(t.body));
    let Some(value) = value else { return };
    match id.as_str() {
        "1.2.840.113549.1.12.10.1.1" => {
            if let Some(k) = key(provider, location, Some("PRIVATE KEY"), value.raw) {
                out.push(k);
            }
        }
        "1.2.840.113549.1.12.10.1.2" => {
            if let Some(alg) = asn1::seq(&value).and_then(|e| e.first().copied()) {
                a.findings
                    .extend(protection_findings(provider, &alg, "key protection"));
            }
        }
        "1.2.840.113549.1.12.10.1.3" => {
            let cert = asn1::seq(&value)
                .and_then(|c| c.get(1).copied())
                .filter(|t| t.tag == 0xa0)
                .and_then(|t| asn1::whole(t.body))
                .filter(|t| t.tag == 0x04);
            if let Some(c) = cert {
                out.push(super::certificate_der(
                    provider,
                    &format!("{location} (embedded)"),
                    None,
                    c.body,
                ));
            }
        }
        _ => {}
    }
}

/// A cross-certificate pair (X.509 CertificatePair: [0] forward, [1] reverse).
pub(crate) fn certificate_pair(
    provider: &Provider,
    location: &str,
    der: &[u8],
) -> Option<Vec<Artefact>> {
    let v = asn1::seq(&asn1::whole(der)?)?;
    if v.is_empty() || v.len() > 2 || v.iter().any(|t| t.tag != 0xa0 && t.tag != 0xa1) {
        return None;
    }
    let mut out = Vec::new();
    for (i, t) in v.iter().enumerate() {
        let c = asn1::whole(t.body)?;
        signed_kind(c.raw).filter(|k| *k == Signed::Certificate)?;
        out.push(super::certificate_der(
            provider,
            location,
            Some(i + 1),
            c.raw,
        ));
    }
    Some(out)
}
