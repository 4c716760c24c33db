//! Renderings of a [`Scan`]: a readable table, a summary, SARIF 2.1.0 (for code-scanning
//! dashboards) and a CycloneDX 1.6 cryptographic bill of materials.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cryptrec::audit::{Finding, Severity};
use cryptrec::{Algorithm, Mode, Status};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Artefact, Scan};

/// Counts for the summary line and the JSON `summary`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Artefacts found.
    pub artefacts: usize,
    /// Artefacts with a refused finding.
    pub refused: usize,
    /// Artefacts by kind.
    pub by_kind: BTreeMap<String, usize>,
    /// Artefacts by their worst severity.
    pub by_severity: BTreeMap<String, usize>,
    /// Certificates by signature algorithm OID and public key.
    pub certificates: BTreeMap<String, usize>,
    /// Files that could not be read and endpoints that could not be reached.
    pub errors: usize,
    /// Things that look cryptographic but could not be judged.
    pub not_judged: usize,
}

/// The summary of a scan.
pub fn summary(scan: &Scan) -> Summary {
    let mut s = Summary {
        artefacts: scan.artefacts.len(),
        errors: scan.errors.len(),
        ..Summary::default()
    };
    for a in &scan.artefacts {
        if a.not_judged.is_some() {
            s.not_judged += 1;
        }
        *s.by_kind.entry(a.kind.clone()).or_default() += 1;
        *s.by_severity.entry(a.severity().to_string()).or_default() += 1;
        if a.refused() {
            s.refused += 1;
        }
        if a.kind == "certificate" {
            let k = format!(
                "{} / {}",
                a.signature_algorithm.as_deref().unwrap_or("?"),
                a.public_key.as_deref().unwrap_or("?")
            );
            *s.certificates.entry(k).or_default() += 1;
        }
    }
    s
}

fn status(st: &Status) -> String {
    st.to_string()
}

/// The readable table: one line per artefact, its findings that are not plain `info` below
/// it (all with `verbose`), then the summary.
pub fn table(scan: &Scan, verbose: bool) -> String {
    let mut s = String::new();
    for a in &scan.artefacts {
        let _ = writeln!(
            s,
            "{:<8} {:<8} {:<22} {}{}",
            if a.not_judged.is_some() {
                "NOT JUDGED"
            } else if a.refused() {
                "REFUSED"
            } else {
                "ok"
            },
            a.severity(),
            a.kind,
            a.id(),
            a.name
                .as_deref()
                .map(|n| format!("  {n}"))
                .unwrap_or_default()
        );
        if let Some(why) = &a.not_judged {
            let _ = writeln!(s, "           not judged: {why}");
        }
        for f in &a.findings {
            if !verbose && f.severity == Severity::Info && !f.refused {
                continue;
            }
            let _ = writeln!(
                s,
                "           {:<16} {:<28} protect {}; process {}{}",
                f.aspect,
                f.algorithm,
                status(&f.protect),
                status(&f.process),
                f.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            );
            if f.refused || f.severity >= Severity::Medium {
                for src in f.sources.iter().take(3) {
                    let _ = writeln!(s, "             ← {src}");
                }
            }
        }
        if verbose && !a.also_at.is_empty() {
            let _ = writeln!(s, "           also at {}", a.also_at.join(", "));
        }
    }
    for e in &scan.errors {
        let _ = writeln!(s, "error    {}: {}", e.path, e.reason);
    }
    if verbose {
        for e in &scan.skipped {
            let _ = writeln!(s, "skipped  {}: {}", e.path, e.reason);
        }
    }
    let sum = summary(scan);
    let sev: Vec<String> = ["critical", "high", "medium", "low", "info"]
        .iter()
        .filter_map(|k| sum.by_severity.get(*k).map(|n| format!("{n} {k}")))
        .collect();
    let _ = writeln!(
        s,
        "{} artefacts: {} refused; {}{} — {} policy, {}, as of {}",
        sum.artefacts,
        sum.refused,
        if sev.is_empty() {
            "nothing found".to_string()
        } else {
            sev.join(", ")
        },
        if sum.errors > 0 {
            format!("; {} could not be read", sum.errors)
        } else {
            String::new()
        } + &if sum.not_judged > 0 {
            format!("; {} not judged", sum.not_judged)
        } else {
            String::new()
        },
        scan.policy,
        scan.dataset,
        scan.as_of
    );
    s
}

/// The JSON document (`--format json`): the scan and its summary.
pub fn json(scan: &Scan) -> Value {
    json!({
        "tool": {"name": "kagi", "version": env!("CARGO_PKG_VERSION")},
        "policy": scan.policy,
        "dataset": scan.dataset,
        "as_of": scan.as_of,
        "refused": scan.refused(),
        "summary": summary(scan),
        "artefacts": scan.artefacts,
        "errors": scan.errors,
        "skipped": scan.skipped,
    })
}

fn rule_id(f: &Finding) -> &'static str {
    if f.aspect == super::tls::weakness::ASPECT && f.refused {
        return "KAGI-TLS-WEAKNESS";
    }
    if super::tls::chain::ASPECTS.contains(&f.aspect.as_str()) {
        return "KAGI-TLS-CHAIN";
    }
    if f.aspect == "validity" {
        return if f.refused {
            "KAGI-EXPIRED"
        } else {
            "KAGI-EXPIRES-SOON"
        };
    }
    match (f.severity, f.refused) {
        (Severity::Critical, _) => "KAGI-BROKEN",
        (Severity::High, _) => "KAGI-REFUSED",
        (_, true) => "KAGI-PROTECT-REFUSED",
        (Severity::Low, _) => "KAGI-PROTECT-ENDS-SOON",
        _ => "KAGI-NOTE",
    }
}

const RULES: [(&str, &str, &str); 10] = [
    (
        "KAGI-NOT-JUDGED",
        "Cryptographic artefact not judged",
        "The input looks cryptographic (a PEM block, a certificate, key, CSR, CMS or PKCS#7 structure) but kagi could not read what it relies on; it has not been checked.",
    ),
    (
        "KAGI-BROKEN",
        "Broken algorithm",
        "The algorithm has no security left (e.g. MD5, SHA-1 collisions for signatures, RC4, factored key sizes); the CRYPTREC list refuses it even to process existing data.",
    ),
    (
        "KAGI-REFUSED",
        "Algorithm refused by the CRYPTREC list",
        "The CRYPTREC Ciphers List or the LS-0003 key-length timeline refuses this algorithm even to process existing data.",
    ),
    (
        "KAGI-PROTECT-REFUSED",
        "Algorithm no longer permitted to protect data",
        "The algorithm may only process (decrypt, verify) data protected earlier; it must not protect new data.",
    ),
    (
        "KAGI-PROTECT-ENDS-SOON",
        "Algorithm stops being permitted within five years",
        "The LS-0003 timeline ends this algorithm's or key length's permission to protect new data within five years.",
    ),
    (
        "KAGI-EXPIRED",
        "Certificate expired",
        "The certificate's validity period has ended.",
    ),
    (
        "KAGI-EXPIRES-SOON",
        "Certificate expires soon",
        "The certificate expires within 90 days.",
    ),
    ("KAGI-NOTE", "Permitted", "Permitted by the policy."),
    (
        "KAGI-TLS-WEAKNESS",
        "Known TLS weakness",
        "The TLS server shows a weakness known by name (SWEET32, RC4, FREAK, LOGJAM, POODLE, BEAST, insecure renegotiation, no TLS_FALLBACK_SCSV, CRIME, Heartbleed); the message names what was seen and the CVE.",
    ),
    (
        "KAGI-TLS-CHAIN",
        "TLS certificate chain problem",
        "The served chain does not validate to the trust anchors, does not name the host, gives clients no revocation location, or has no usable stapled OCSP response.",
    ),
];

fn level(f: &Finding) -> &'static str {
    match f.severity {
        Severity::Critical | Severity::High => "error",
        _ if f.refused => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// SARIF 2.1.0: one result per finding that is not plain `info`.
pub fn sarif(scan: &Scan) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, text)| {
            json!({
                "id": id,
                "name": name.replace(' ', ""),
                "shortDescription": {"text": name},
                "fullDescription": {"text": text},
                "helpUri": "https://www.cryptrec.go.jp/list.html",
            })
        })
        .collect();
    let mut results = Vec::new();
    for a in &scan.artefacts {
        if let Some(why) = &a.not_judged {
            results.push(json!({
                "ruleId": "KAGI-NOT-JUDGED",
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": format!("{} {}: not judged: {why}", a.kind, a.id())},
                "locations": [location(a)],
                "properties": {"artefact": a.id(), "kind": a.kind},
            }));
        }
        for f in &a.findings {
            if f.severity == Severity::Info && !f.refused {
                continue;
            }
            let id = rule_id(f);
            let loc = location(a);
            results.push(json!({
                "ruleId": id,
                "ruleIndex": RULES.iter().position(|r| r.0 == id).unwrap_or(0),
                "level": level(f),
                "message": {"text": format!(
                    "{} {}{}: {} — protect {}, process {}{}",
                    a.kind,
                    a.name.as_deref().map(|n| format!("{n}: ")).unwrap_or_default(),
                    f.aspect,
                    f.algorithm,
                    status(&f.protect),
                    status(&f.process),
                    f.sources.first().map(|s| format!(" ({s})")).unwrap_or_default(),
                )},
                "locations": [loc],
                "properties": {
                    "severity": f.severity,
                    "algorithm": f.algorithm,
                    "aspect": f.aspect,
                    "artefact": a.id(),
                    "kind": a.kind,
                    "protect": status(&f.protect),
                    "process": status(&f.process),
                    "protectUntil": f.protect_until.map(|d| d.to_string()),
                    "sources": f.sources,
                },
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kagi",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://www.cryptrec.go.jp/list.html",
                "rules": rules,
            }},
            "results": results,
            "properties": {"policy": scan.policy, "dataset": scan.dataset, "asOf": scan.as_of},
        }],
    })
}

/// An artefact's location as a SARIF `artifactLocation`: files as `file:` URIs (absolute) or
/// relative references, percent-encoded (RFC 3986); TLS endpoints and what they served as
/// `tls://host:port`, so every `uri` is a valid URI reference (SARIF1002).
fn location(a: &Artefact) -> Value {
    let uri = match &a.endpoint {
        Some(e) => format!("tls://{e}"),
        None => {
            let path = a
                .location
                .strip_suffix(" (embedded)")
                .unwrap_or(&a.location);
            if path.starts_with('/') {
                format!("file://{}", encode_uri(path))
            } else {
                encode_uri(path)
            }
        }
    };
    let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": uri}}});
    if a.kind == "SSH public key"
        && let Some(line) = a.index
    {
        loc["physicalLocation"]["region"] = json!({"startLine": line});
    }
    loc
}

/// Percent-encodes what RFC 3986 does not allow in a path (keeps `/` and `:` after the start).
fn encode_uri(s: &str) -> String {
    let mut out = String::new();
    for (i, b) in s.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
                    | b'['
                    | b']'
            )
            || (b == b':' && i > 0 && s.starts_with('/'));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn primitive(a: &Algorithm) -> (&'static str, Option<&'static str>, Vec<&'static str>) {
    use Algorithm::*;
    match a {
        Cipher { mode, .. } => {
            let m = match mode {
                Some(Mode::Gcm) => Some("gcm"),
                Some(Mode::Ccm) => Some("ccm"),
                Some(Mode::Cbc) => Some("cbc"),
                Some(Mode::Ctr) => Some("ctr"),
                Some(Mode::Cfb) => Some("cfb"),
                Some(Mode::Ofb) => Some("ofb"),
                Some(Mode::Ecb) => Some("ecb"),
                _ => None,
            };
            let p = if matches!(m, Some("gcm" | "ccm")) {
                "ae"
            } else {
                "block-cipher"
            };
            (p, m, vec!["encrypt", "decrypt"])
        }
        ChaCha20Poly1305 => ("ae", None, vec!["encrypt", "decrypt"]),
        KCipher2 | Rc4 => ("stream-cipher", None, vec!["encrypt", "decrypt"]),
        Hash(h) if h.entry().starts_with("SHAKE") => ("xof", None, vec!["digest"]),
        Hash(_) => ("hash", None, vec!["digest"]),
        Hmac(_) | Cmac { .. } | CbcMac { .. } => ("mac", None, vec!["tag"]),
        Hkdf(_) | Pbkdf2(_) => ("kdf", None, vec!["keyderive"]),
        RsaPss { .. } | RsaPkcs1Sign { .. } | Ecdsa { .. } | EdDsa(_) | Dsa { .. } => {
            ("signature", None, vec!["sign", "verify"])
        }
        RsaOaep { .. } | RsaPkcs1Encrypt { .. } => ("pke", None, vec!["encrypt", "decrypt"]),
        RsaKey { .. } => ("pke", None, vec!["other"]),
        Ecdh(_) | Dh { .. } | Xdh(_) => ("key-agree", None, vec!["keygen"]),
        MlKem(_) => ("kem", None, vec!["encapsulate", "decapsulate"]),
        _ => ("other", None, vec!["other"]),
    }
}

fn alg_ref(name: &str) -> String {
    format!("crypto/algorithm/{name}")
}

fn algorithm_component(f: &Finding) -> Value {
    let parsed = f.algorithm.parse::<Algorithm>().ok();
    let (prim, mode, funcs) =
        parsed
            .as_ref()
            .map(primitive)
            .unwrap_or(("unknown", None, vec!["unknown"]));
    let mut props = json!({
        "primitive": prim,
        "cryptoFunctions": funcs,
        "classicalSecurityLevel": f.strength,
        "nistQuantumSecurityLevel": 0,
    });
    if let Some(m) = mode {
        props["mode"] = json!(m);
    }
    json!({
        "type": "cryptographic-asset",
        "bom-ref": alg_ref(&f.algorithm),
        "name": f.algorithm,
        "cryptoProperties": {"assetType": "algorithm", "algorithmProperties": props},
        "properties": [
            {"name": "kagi:cryptrec:protect", "value": status(&f.protect)},
            {"name": "kagi:cryptrec:process", "value": status(&f.process)},
            {"name": "kagi:severity", "value": f.severity.to_string()},
        ],
    })
}

/// Whether a finding names an algorithm (an algorithm component), rather than a validity, a
/// protocol version or a description of something unreadable.
fn is_algorithm(f: &Finding) -> bool {
    !matches!(f.aspect.as_str(), "validity" | "protocol")
        && f.aspect != super::tls::weakness::ASPECT
        && !super::tls::chain::ASPECTS.contains(&f.aspect.as_str())
        && (f.algorithm.parse::<Algorithm>().is_ok()
            || !(f.algorithm.contains(": ") || f.algorithm.starts_with("unreadable")))
}

fn cbom_time(s: &str) -> String {
    // `notValidAfter` is a date-time; kagi's are RFC 3339 already.
    s.to_string()
}

/// A CycloneDX 1.6 CBOM: algorithms (with their CRYPTREC verdicts as properties),
/// certificates, keys and TLS protocols, linked by references.
pub fn cbom(scan: &Scan) -> Value {
    let mut algorithms: BTreeMap<String, Value> = BTreeMap::new();
    let mut components = Vec::new();
    let mut vulnerabilities = Vec::new();
    let mut add_alg = |f: &Finding| {
        algorithms
            .entry(f.algorithm.clone())
            .or_insert_with(|| algorithm_component(f));
        alg_ref(&f.algorithm)
    };
    for (n, a) in scan.artefacts.iter().enumerate() {
        let id = a.fingerprint.clone().unwrap_or_else(|| n.to_string());
        let find = |aspect: &str| a.findings.iter().find(|f| f.aspect.starts_with(aspect));
        let key_ref = find("public key")
            .filter(|f| is_algorithm(f))
            .map(&mut add_alg);
        let sig_ref = find("signature")
            .filter(|f| is_algorithm(f))
            .map(&mut add_alg);
        for f in &a.findings {
            if is_algorithm(f) {
                add_alg(f);
            }
        }
        let properties = json!([
            {"name": "kagi:location", "value": a.id()},
            {"name": "kagi:kind", "value": a.kind},
            {"name": "kagi:refused", "value": a.refused().to_string()},
            {"name": "kagi:severity", "value": a.severity().to_string()},
        ]);
        match a.kind.as_str() {
            "certificate" => {
                let mut props = json!({"certificateFormat": "X.509"});
                if let Some(name) = &a.name {
                    props["subjectName"] = json!(name);
                }
                if let Some(t) = &a.not_after {
                    props["notValidAfter"] = json!(cbom_time(t));
                }
                if let Some(r) = &sig_ref {
                    props["signatureAlgorithmRef"] = json!(r);
                }
                let key_bom = format!("crypto/key/{id}");
                if key_ref.is_some() {
                    props["subjectPublicKeyRef"] = json!(key_bom);
                    components.push(key_component(&key_bom, a, key_ref.as_deref()));
                }
                components.push(json!({
                    "type": "cryptographic-asset",
                    "bom-ref": format!("crypto/certificate/{id}"),
                    "name": a.name.clone().unwrap_or_else(|| "certificate".into()),
                    "cryptoProperties": {"assetType": "certificate", "certificateProperties": props},
                    "properties": properties,
                }));
            }
            "TLS endpoint" => {
                let first_protocol = a
                    .findings
                    .iter()
                    .find(|f| f.aspect == "protocol")
                    .map(|v| protocol_ref(a, v));
                vulnerabilities.extend(
                    a.findings
                        .iter()
                        .filter(|f| f.aspect == super::tls::weakness::ASPECT && f.refused)
                        .map(|f| vulnerability(a, f, first_protocol.as_deref())),
                );
                // One protocol component per version (CycloneDX `version` is one version),
                // each with the suites accepted under it.
                for v in a.findings.iter().filter(|f| f.aspect == "protocol") {
                    let tag = format!("({})", v.algorithm);
                    let suites: Vec<Value> = a
                        .findings
                        .iter()
                        .filter(|f| f.aspect == "cipher suite")
                        .filter_map(|f| {
                            let note = f.note.as_deref()?;
                            let name = note.strip_suffix(&tag)?.split(' ').next()?;
                            Some(json!({"name": name, "algorithms": [alg_ref(&f.algorithm)]}))
                        })
                        .collect();
                    let version = v.algorithm.trim_start_matches("TLS ").trim_start_matches("SSL ");
                    components.push(json!({
                        "type": "cryptographic-asset",
                        "bom-ref": protocol_ref(a, v),
                        "name": format!("{} at {}", v.algorithm, a.location),
                        "cryptoProperties": {"assetType": "protocol", "protocolProperties": {
                            "type": if v.algorithm.starts_with("SSL") { "other" } else { "tls" },
                            "version": version,
                            "cipherSuites": suites,
                        }},
                        "properties": properties,
                    }));
                }
            }
            "private key" | "public key" | "SSH public key" | "OpenSSH private key" | "CSR" => {
                components.push(key_component(&format!("crypto/key/{id}-{n}"), a, key_ref.as_deref()));
            }
            _ => components.push(json!({
                "type": "cryptographic-asset",
                "bom-ref": format!("crypto/material/{n}"),
                "name": format!("{} {}", a.kind, a.id()),
                "cryptoProperties": {"assetType": "related-crypto-material", "relatedCryptoMaterialProperties": {
                    "type": if a.kind == "kagi envelope" { "ciphertext" } else if a.kind == "CMS signature" { "signature" } else { "other" },
                }},
                "properties": properties,
            })),
        }
    }
    let mut all: Vec<Value> = algorithms.into_values().collect();
    all.extend(components);
    let serial = crate::rand::array::<16>()
        .map(|b| {
            let h = hex::encode(b);
            format!(
                "urn:uuid:{}-{}-4{}-a{}-{}",
                &h[0..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..32]
            )
        })
        .unwrap_or_default();
    let mut bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": time::OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .ok()
                .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
            "tools": {"components": [{"type": "application", "name": "kagi", "version": env!("CARGO_PKG_VERSION")}]},
            "properties": [
                {"name": "kagi:policy", "value": scan.policy},
                {"name": "kagi:dataset", "value": scan.dataset},
                {"name": "kagi:as-of", "value": scan.as_of},
            ],
        },
        "components": all,
    });
    if !vulnerabilities.is_empty() {
        bom["vulnerabilities"] = json!(vulnerabilities);
    }
    bom
}

fn protocol_ref(a: &Artefact, v: &Finding) -> String {
    format!(
        "crypto/protocol/{}/{}",
        a.location,
        v.algorithm.replace(' ', "")
    )
}

/// A named TLS weakness as a CycloneDX vulnerability: its first CVE as the id (the others as
/// references), what was seen as the detail, the endpoint's protocol component as affected.
fn vulnerability(a: &Artefact, f: &Finding, affects: Option<&str>) -> Value {
    let cves: Vec<&str> = f
        .algorithm
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("CVE-"))
        .collect();
    let nvd =
        |id: &str| json!({"name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{id}")});
    let mut v = json!({
        "bom-ref": format!("vulnerability/{}/{}", a.location, f.algorithm.split(' ').next().unwrap_or("weakness")),
        "id": cves.first().copied().unwrap_or(f.algorithm.as_str()),
        "description": format!("{}: {}", f.algorithm, f.sources.first().map(String::as_str).unwrap_or_default()),
        "detail": f.note.clone().unwrap_or_default(),
        "ratings": [{"severity": f.severity.to_string(), "method": "other"}],
        "properties": [{"name": "kagi:location", "value": a.id()}],
    });
    if let Some(id) = cves.first() {
        v["source"] = nvd(id);
    }
    if cves.len() > 1 {
        v["references"] = json!(
            cves[1..]
                .iter()
                .map(|id| json!({"id": id, "source": nvd(id)}))
                .collect::<Vec<_>>()
        );
    }
    if let Some(r) = affects {
        v["affects"] = json!([{"ref": r}]);
    }
    v
}

fn key_component(bom_ref: &str, a: &Artefact, alg: Option<&str>) -> Value {
    let size: Option<u32> = a
        .public_key
        .as_deref()
        .and_then(|k| k.rsplit(['-', ' ']).next().and_then(|n| n.parse().ok()));
    let mut props = json!({
        "type": if a.kind.contains("private") { "private-key" } else { "public-key" },
    });
    if let Some(r) = alg {
        props["algorithmRef"] = json!(r);
    }
    if let Some(s) = size {
        props["size"] = json!(s);
    }
    json!({
        "type": "cryptographic-asset",
        "bom-ref": bom_ref,
        "name": a.public_key.clone().unwrap_or_else(|| a.kind.clone()),
        "cryptoProperties": {"assetType": "related-crypto-material", "relatedCryptoMaterialProperties": props},
        "properties": [{"name": "kagi:location", "value": a.id()}],
    })
}
