//! Audit findings: what the CRYPTREC list and the LS-0003 timeline say of an algorithm found in
//! a deployed artefact (a certificate, a key, an encrypted file, a TLS server), as of a date —
//! with the date it stops being permitted, the entries and compromise events behind it, and a
//! severity. The scanners that find the algorithms live in crypto-core (`crypto_core::audit`);
//! this module only judges, so every tool that links `cryptrec` judges the same way.

use serde::Serialize;
use time::Date;

use crate::{Algorithm, Effect, Policy, Status, Use};

/// How urgent a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Permitted, with no end date within five years.
    Info,
    /// Permitted, but it stops being permitted to protect new data within five years.
    Low,
    /// It may no longer protect new data; existing data may still be processed.
    Medium,
    /// Refused even to process existing data.
    High,
    /// Broken: no security left (collisions in seconds, keys factored, RC4, …).
    Critical,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// One judged aspect of an artefact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What in the artefact: `public key`, `signature`, `key protection`, `cipher suite`,
    /// `protocol`, `validity`, `payload`, `recipient`, `key exchange group`, …
    pub aspect: String,
    /// The algorithm's canonical name (or what was found, when it is not one kagi knows).
    pub algorithm: String,
    /// May it protect new data, as of the date.
    pub protect: Status,
    /// May it process existing data.
    pub process: Status,
    /// The last day it may protect new data, if there is one.
    #[serde(serialize_with = "ser_opt_date")]
    pub protect_until: Option<Date>,
    /// Security strength in bits (0 = broken).
    pub strength: u16,
    /// How urgent.
    pub severity: Severity,
    /// Whether this finding makes the artefact fail (`kagi audit` exits 1).
    pub refused: bool,
    /// The list entries, key-length rows, notes and compromise events behind the verdict.
    pub sources: Vec<String>,
    /// A remark (why a finding does not count, what the value was).
    pub note: Option<String>,
}

fn ser_opt_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// Below this many bits of strength a refused algorithm is `critical` (broken): no list has
/// accepted less than 80 bits (SHA-1 signatures: 63, DES: 56, MD5, RC4 and 40-bit keys: 0).
pub const BROKEN_BELOW: u16 = 80;

/// How far ahead a protect end date makes a finding `low` rather than `info`.
pub const SOON_YEARS: i32 = 5;

/// Judges `alg` as found in `aspect` of an artefact, under `policy` on `as_of`.
pub fn judge(policy: &Policy, alg: &Algorithm, aspect: &str, as_of: Date) -> Finding {
    let protect = policy.evaluate(alg, Use::Protect, as_of);
    let process = policy.evaluate(alg, Use::Process, as_of);
    let protect_until = match protect.status {
        Status::PermittedUntil { until } => Some(until),
        _ => None,
    };
    let strength = protect.strength.min(process.strength);
    let severity = match (protect.status, process.status) {
        (Status::Refused | Status::LegacyProcessOnly, _) if strength < BROKEN_BELOW => {
            Severity::Critical
        }
        (_, Status::Refused) => Severity::High,
        (Status::Refused | Status::LegacyProcessOnly, _) => Severity::Medium,
        (Status::PermittedUntil { until }, _) if until.year() - as_of.year() < SOON_YEARS => {
            Severity::Low
        }
        _ => Severity::Info,
    };
    let mut sources: Vec<String> = protect
        .reasons
        .iter()
        .chain(&process.reasons)
        .filter(|r| r.effect != Effect::Permits || r.source.contains("row"))
        .map(|r| format!("{}: {}", r.source, r.text))
        .collect();
    if sources.is_empty() {
        sources = protect
            .reasons
            .iter()
            .map(|r| format!("{}: {}", r.source, r.text))
            .collect();
    }
    let mut seen = std::collections::HashSet::new();
    sources.retain(|s| seen.insert(s.clone()));
    Finding {
        aspect: aspect.to_string(),
        algorithm: protect.algorithm.clone(),
        protect: protect.status,
        process: process.status,
        protect_until,
        strength,
        refused: !protect.status.allows() || protect.status == Status::LegacyProcessOnly,
        severity,
        sources,
        note: None,
    }
}

/// A finding about something kagi cannot name as an algorithm (an unknown OID, a suite it
/// does not know): never permitted, never silently passed.
pub fn unknown(aspect: &str, what: &str) -> Finding {
    Finding {
        aspect: aspect.to_string(),
        algorithm: what.to_string(),
        protect: Status::Refused,
        process: Status::Refused,
        protect_until: None,
        strength: 0,
        severity: Severity::High,
        refused: true,
        sources: vec!["not an algorithm of the CRYPTREC Ciphers List that kagi knows".into()],
        note: None,
    }
}

/// A finding about an algorithm the list does not name (a curve, a cipher, a key derivation
/// kagi can name but the list does not have): refused, `high`, or `critical` when it is
/// `broken` outright (MD2, MD4, 40-bit keys); `why` is the source.
pub fn not_listed(aspect: &str, what: &str, why: &str, broken: bool) -> Finding {
    Finding {
        aspect: aspect.to_string(),
        algorithm: what.to_string(),
        protect: Status::Refused,
        process: Status::Refused,
        protect_until: None,
        strength: 0,
        severity: if broken {
            Severity::Critical
        } else {
            Severity::High
        },
        refused: true,
        sources: vec![why.to_string()],
        note: None,
    }
}

/// A finding that is not about an algorithm: a certificate's validity period.
pub fn expiry(not_after: Date, as_of: Date) -> Finding {
    let expired = not_after < as_of;
    let soon = !expired && (not_after - as_of).whole_days() <= 90;
    Finding {
        aspect: "validity".into(),
        algorithm: format!("not after {not_after}"),
        protect: if expired {
            Status::Refused
        } else {
            Status::PermittedUntil { until: not_after }
        },
        process: Status::Permitted,
        protect_until: Some(not_after),
        strength: 0,
        severity: if expired {
            Severity::Medium
        } else if soon {
            Severity::Low
        } else {
            Severity::Info
        },
        refused: expired,
        sources: vec![if expired {
            "RFC 5280 §4.1.2.5: the certificate has expired".into()
        } else {
            "RFC 5280 §4.1.2.5: validity period".into()
        }],
        note: soon.then(|| "expires within 90 days".into()),
    }
}

impl Finding {
    /// Keeps the verdict but does not let it fail the artefact (e.g. a trust anchor's
    /// self-signature, which no one verifies), saying why.
    pub fn informational(mut self, why: &str) -> Finding {
        if self.refused || self.severity > Severity::Low {
            self.refused = false;
            self.severity = Severity::Info;
            self.note = Some(why.to_string());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HashAlg, Policy};
    use time::macros::date;

    #[test]
    fn severities_follow_the_verdicts_and_the_date() {
        let p = Policy::named("egov").unwrap_or_else(|e| panic!("{e}"));
        let today = date!(2026 - 11 - 25);
        let rsa2048 = Algorithm::RsaPss {
            bits: 2048,
            hash: HashAlg::Sha256,
        };
        let f = judge(&p, &rsa2048, "signature", today);
        assert!(!f.refused);
        assert_eq!(f.protect_until, Some(date!(2030 - 12 - 31)));
        assert_eq!(f.severity, Severity::Low);
        let later = judge(&p, &rsa2048, "signature", date!(2031 - 01 - 01));
        assert!(later.refused);
        assert_eq!(later.severity, Severity::Medium);
        let sha1 = judge(&p, &Algorithm::Hash(HashAlg::Sha1), "digest", today);
        assert!(sha1.refused);
        assert!(
            sha1.sources.iter().any(|s| s.contains("shattered")),
            "{:?}",
            sha1.sources
        );
        let rc4 = judge(&p, &Algorithm::Rc4, "cipher", today);
        assert_eq!(rc4.severity, Severity::Critical);
        // One table: broken (below 80 bits) is critical, refused to process is high.
        let sev = |name: &str| {
            judge(
                &p,
                &name.parse().unwrap_or_else(|e| panic!("{e:?}")),
                "x",
                today,
            )
            .severity
        };
        assert_eq!(sev("rsassa-pkcs1-2048-sha1"), Severity::Critical);
        assert_eq!(sev("ecdsa-p256-sha1"), Severity::Critical);
        assert_eq!(sev("rsassa-pkcs1-2048-md5"), Severity::Critical);
        assert_eq!(sev("des-cbc"), Severity::Critical);
        assert_eq!(sev("pbkdf2-sha-1"), Severity::High);
        assert_eq!(sev("rsa-1024"), Severity::High);
        assert!(not_listed("x", "RC2-40-CBC", "why", true).severity == Severity::Critical);
        let aes = judge(
            &p,
            &"aes-256-gcm".parse().unwrap_or_else(|e| panic!("{e:?}")),
            "cipher",
            today,
        );
        assert_eq!(aes.severity, Severity::Info);
        assert!(!aes.refused);
        assert!(!expiry(date!(2027 - 01 - 01), today).refused);
        assert!(expiry(date!(2026 - 01 - 01), today).refused);
        assert!(
            !judge(&p, &Algorithm::Hash(HashAlg::Sha1), "x", today)
                .informational("trust anchor")
                .refused
        );
    }

    fn egov() -> Policy {
        Policy::named("egov").unwrap()
    }

    fn alg(name: &str) -> Algorithm {
        name.parse().unwrap()
    }

    #[test]
    fn a_protect_end_date_is_low_only_when_under_five_years_away() {
        let p = egov();
        let rsa2048 = alg("rsa-pss-2048-sha256"); // protect until 2030-12-31
        let sev = |as_of: Date| judge(&p, &rsa2048, "signature", as_of).severity;
        assert_eq!(sev(date!(2025 - 06 - 01)), Severity::Info); // 2030 - 2025 = 5 years
        assert_eq!(sev(date!(2026 - 01 - 01)), Severity::Low); // 4 years
        // A date decades away is info, however the years divide.
        let aes128 = judge(&p, &alg("aes-128-gcm"), "cipher", date!(2026 - 11 - 25));
        assert_eq!(aes128.protect_until, Some(date!(2050 - 12 - 31)));
        assert_eq!(aes128.severity, Severity::Info);
    }

    #[test]
    fn sources_keep_limits_refusals_background_and_rows_but_not_bare_listings() {
        let f = judge(
            &egov(),
            &alg("aes-256-gcm"),
            "cipher",
            date!(2026 - 11 - 25),
        );
        assert!(
            f.sources.iter().any(|s| s.contains("256-bit row")),
            "{:?}",
            f.sources
        );
        assert!(
            !f.sources
                .iter()
                .any(|s| s.contains("is on the e-Government Recommended")),
            "{:?}",
            f.sources
        );
        // Each source once, though protect and process both cite it.
        let unique: std::collections::HashSet<&String> = f.sources.iter().collect();
        assert_eq!(unique.len(), f.sources.len(), "{:?}", f.sources);
    }

    #[test]
    fn a_certificate_expires_the_day_after_not_after() {
        let d = date!(2026 - 11 - 25);
        let last_day = expiry(d, d);
        assert!(!last_day.refused);
        assert_eq!(last_day.protect, Status::PermittedUntil { until: d });
        assert_eq!(last_day.severity, Severity::Low);
        assert_eq!(last_day.note.as_deref(), Some("expires within 90 days"));
        let expired = expiry(date!(2026 - 11 - 24), d);
        assert!(expired.refused);
        assert_eq!(expired.protect, Status::Refused);
        assert_eq!(expired.severity, Severity::Medium);
        assert_eq!(expired.note, None);
    }

    #[test]
    fn expiry_within_90_days_is_low_and_noted() {
        let today = date!(2026 - 01 - 01);
        let in_days = |n: i64| expiry(today + time::Duration::days(n), today);
        for n in [1, 30, 90] {
            let f = in_days(n);
            assert_eq!(f.severity, Severity::Low, "{n} days");
            assert_eq!(
                f.note.as_deref(),
                Some("expires within 90 days"),
                "{n} days"
            );
        }
        let f = in_days(91);
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(f.note, None);
    }

    fn finding(refused: bool, severity: Severity) -> Finding {
        Finding {
            refused,
            severity,
            ..unknown("x", "y")
        }
    }

    #[test]
    fn informational_clears_a_failure_or_a_severity_above_low_and_says_why() {
        for (refused, severity) in [
            (true, Severity::Low),
            (true, Severity::Critical),
            (false, Severity::Medium),
            (false, Severity::High),
        ] {
            let f = finding(refused, severity).informational("trust anchor");
            assert!(!f.refused, "{refused} {severity}");
            assert_eq!(f.severity, Severity::Info, "{refused} {severity}");
            assert_eq!(
                f.note.as_deref(),
                Some("trust anchor"),
                "{refused} {severity}"
            );
        }
        for severity in [Severity::Info, Severity::Low] {
            let f = finding(false, severity).informational("trust anchor");
            assert_eq!(f, finding(false, severity), "{severity}");
        }
    }

    #[test]
    fn severities_print_in_lower_case() {
        let printed: Vec<String> = [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(printed, ["info", "low", "medium", "high", "critical"]);
    }
}
