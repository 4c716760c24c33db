//! The verdicts the foundation issue names, and the policy-file rules.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use cryptrec::{Algorithm, Dataset, Effect, Policy, Status, Use, parse_date};

fn eval(policy: &Policy, alg: &str, use_: Use, date: &str) -> cryptrec::Verdict {
    let alg: Algorithm = alg.parse().unwrap();
    policy.evaluate(&alg, use_, parse_date(date).unwrap())
}

fn egov() -> Policy {
    Policy::default_policy().unwrap()
}

fn refusal_text(v: &cryptrec::Verdict) -> String {
    v.reasons
        .iter()
        .filter(|r| r.effect == Effect::Refuses)
        .map(|r| format!("{} [{}]", r.text, r.source))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn rsa_2048_follows_the_ls0003_112_bit_row() {
    let p = egov();
    let v = eval(&p, "rsa-pss-2048-sha256", Use::Protect, "2030-06-01");
    assert_eq!(
        v.status,
        Status::PermittedUntil {
            until: parse_date("2030-12-31").unwrap()
        }
    );
    let v = eval(&p, "rsa-pss-2048-sha256", Use::Protect, "2031-01-01");
    assert_eq!(v.status, Status::Refused);
    assert!(refusal_text(&v).contains("LS-0003"), "{}", refusal_text(&v));
    let v = eval(&p, "rsa-pss-2048-sha256", Use::Process, "2031-01-01");
    assert_eq!(v.status, Status::LegacyProcessOnly);
    let v = eval(&p, "rsa-pss-2048-sha256", Use::Process, "2030-12-31");
    assert_eq!(v.status, Status::Permitted);
}

#[test]
fn the_usual_suspects_are_refused_with_their_true_reasons() {
    let p = egov();
    let cases = [
        ("sha-1", "Monitored"),
        ("3des", "Monitored"),
        ("rc4", "removed"),
        ("md5", "never been on"),
        ("rsa-1024", "below 112-bit"),
        ("x25519", "SP 800-56A"),
        ("sha-224", "not on the list"),
        ("ml-kem-512", "ML-KEM-512"),
        ("aes-256-ecb", "ECB"),
        ("shake128-128", "at least 256 bits"),
        ("3des-xts", "128-bit block"),
    ];
    for (alg, why) in cases {
        let v = eval(&p, alg, Use::Protect, "2026-11-25");
        assert_eq!(v.status, Status::Refused, "{alg}");
        let text = refusal_text(&v);
        assert!(text.contains(why), "{alg}: expected {why:?} in {text}");
    }
}

#[test]
fn approved_algorithms_are_permitted() {
    let p = egov();
    for alg in [
        "camellia-256-gcm",
        "sha3-256",
        "ml-kem-768",
        "ed25519",
        "aes-256-gcm",
        "chacha20-poly1305",
        "ecdsa-p384-sha384",
        "rsa-oaep-3072-sha256",
        "hmac-sha-256",
        "hkdf-sha-256",
        "pbkdf2-sha-256",
        "ecdh-p256",
        "shake256-512",
        "aes-128-gcm",
        "kcipher-2",
    ] {
        let v = eval(&p, alg, Use::Protect, "2026-11-25");
        assert!(v.allows(), "{alg}: {:?}", v.reasons);
    }
    // 256-bit algorithms carry no end date; 128-bit ones end with their migration period.
    assert_eq!(
        eval(&p, "aes-256-gcm", Use::Protect, "2026-11-25").status,
        Status::Permitted
    );
    assert_eq!(
        eval(&p, "aes-128-gcm", Use::Protect, "2026-11-25").status,
        Status::PermittedUntil {
            until: parse_date("2050-12-31").unwrap()
        }
    );
    assert_eq!(
        eval(&p, "aes-128-gcm", Use::Protect, "2051-01-01").status,
        Status::Refused
    );
    assert_eq!(
        eval(&p, "aes-128-gcm", Use::Process, "2051-01-01").status,
        Status::LegacyProcessOnly
    );
}

#[test]
fn signature_strength_is_limited_by_its_hash() {
    let p = egov();
    let v = eval(&p, "rsa-pss-3072-sha1", Use::Protect, "2026-11-25");
    assert_eq!(v.status, Status::Refused);
    assert!(v.strength < 80);
    let v = eval(&p, "ecdsa-p384-sha256", Use::Protect, "2026-11-25");
    assert_eq!(v.strength, 128);
}

#[test]
fn egov_high_requires_128_bits_and_authenticated_encryption() {
    let p = Policy::named("egov-high").unwrap();
    assert_eq!(
        eval(&p, "rsa-pss-2048-sha256", Use::Protect, "2026-11-25").status,
        Status::Refused
    );
    assert_eq!(
        eval(&p, "aes-256-cbc", Use::Protect, "2026-11-25").status,
        Status::Refused
    );
    assert!(eval(&p, "aes-256-gcm", Use::Protect, "2026-11-25").allows());
    assert!(eval(&p, "rsa-pss-3072-sha256", Use::Protect, "2026-11-25").allows());
}

#[test]
fn pqc_permits_the_hybrid_as_a_whole_and_ecdh_only_inside_it() {
    let day = parse_date("2026-11-25").unwrap();
    let ecdh: Algorithm = "ecdh-p384".parse().unwrap();
    let mlkem: Algorithm = "ml-kem-1024".parse().unwrap();
    let p = Policy::named("pqc").unwrap();
    let v = p.evaluate_hybrid(&ecdh, &mlkem, Use::Protect, day);
    assert!(v.allows(), "{}", refusal_text(&v));
    assert!(v.reasons.iter().any(|r| r.text.contains("classical half")));
    // Alone, ECDH stays refused, citing Table 2.
    let alone = p.evaluate(&ecdh, Use::Protect, day);
    assert_eq!(alone.status, Status::Refused);
    assert!(refusal_text(&alone).contains("Table 2"));
    // A refused KEM refuses the hybrid; an organisation's deny of ECDH does too.
    let weak: Algorithm = "ml-kem-512".parse().unwrap();
    assert_eq!(
        p.evaluate_hybrid(&ecdh, &weak, Use::Protect, day).status,
        Status::Refused
    );
    let org = Policy::parse(
        "name = \"no-ecdh\"\nbase = \"pqc\"\ndeny = [\"ECDH\"]\n",
        "t.toml",
        Arc::new(Dataset::embedded().unwrap()),
    )
    .unwrap();
    assert_eq!(
        org.evaluate_hybrid(&ecdh, &mlkem, Use::Protect, day).status,
        Status::Refused
    );
    // egov: both halves permitted on their own, as before.
    assert!(
        egov()
            .evaluate_hybrid(&ecdh, &mlkem, Use::Protect, day)
            .allows()
    );
}

#[test]
fn pqc_policy_is_table_2() {
    let p = Policy::named("pqc").unwrap();
    for ok in [
        "ml-kem-1024",
        "aes-256-gcm",
        "aes-192-gcm",
        "sha-384",
        "sha3-512",
        "hmac-sha-384",
        // Table 1 MACs and KDFs around any listed hash: the envelope's header MAC, key-file
        // and passphrase derivations.
        "hmac-sha-256",
        "hkdf-sha-256",
        "pbkdf2-sha-256",
        "hkdf-sha-384",
    ] {
        let v = eval(&p, ok, Use::Protect, "2026-11-25");
        assert!(v.allows(), "{ok}: {}", refusal_text(&v));
    }
    let v = eval(&p, "hkdf-sha-256", Use::Protect, "2026-11-25");
    assert!(
        v.reasons
            .iter()
            .any(|r| r.effect == Effect::Limits && r.text.contains("only keyed inside HMAC")),
        "{:?}",
        v.reasons
    );
    for no in [
        "aes-128-gcm",
        "sha-256",
        "ecdsa-p256-sha256",
        "chacha20-poly1305",
        "ecdh-p384",
        "camellia-256-gcm",
    ] {
        assert_eq!(
            eval(&p, no, Use::Protect, "2026-11-25").status,
            Status::Refused,
            "{no}"
        );
    }
}

fn parse_policy(text: &str) -> Result<Policy, cryptrec::Error> {
    Policy::parse(text, "org.toml", Arc::new(Dataset::embedded().unwrap()))
}

#[test]
fn an_organisation_policy_narrows() {
    let p = parse_policy(
        r#"
name = "ministry"
base = "egov"
min_strength = 128
allow = ["AES", "GCM", "SHA-256", "SHA-384", "HMAC", "ECDSA", "RSA-PSS", "ECDH"]
deny = ["CBC"]
protect_until = "2029-03-31"
"#,
    )
    .unwrap();
    assert_eq!(
        eval(&p, "camellia-256-gcm", Use::Protect, "2026-11-25").status,
        Status::Refused
    );
    assert_eq!(
        eval(&p, "rsa-pss-2048-sha256", Use::Protect, "2026-11-25").status,
        Status::Refused
    );
    assert_eq!(
        eval(&p, "aes-256-gcm", Use::Protect, "2026-11-25").status,
        Status::PermittedUntil {
            until: parse_date("2029-03-31").unwrap()
        }
    );
    assert_eq!(
        eval(&p, "aes-256-gcm", Use::Protect, "2029-04-01").status,
        Status::Refused
    );
    assert!(eval(&p, "aes-256-gcm", Use::Process, "2029-04-01").allows());
}

#[test]
fn legacy_process_is_visible_and_process_only() {
    let p = parse_policy(
        "name = \"archive\"\nbase = \"egov\"\n[legacy_process]\nentries = [\"SHA-1\"]\nreason = \"verify signatures on archived records\"\n",
    )
    .unwrap();
    let v = eval(&p, "sha-1", Use::Process, "2026-11-25");
    // SHA-1's collision strength is below the table, so even legacy processing of SHA-1 as a
    // collision-resistant hash is refused; HMAC-SHA-1 is the legacy use that remains.
    assert_eq!(v.status, Status::Refused);
    let v = eval(&p, "hmac-sha-1", Use::Process, "2026-11-25");
    assert_eq!(v.status, Status::LegacyProcessOnly, "{:?}", v.reasons);
    assert!(
        v.reasons
            .iter()
            .any(|r| r.text.contains("archived records"))
    );
    assert_eq!(
        eval(&p, "hmac-sha-1", Use::Protect, "2026-11-25").status,
        Status::Refused
    );
    assert_eq!(
        eval(&egov(), "hmac-sha-1", Use::Process, "2026-11-25").status,
        Status::Refused
    );
}

#[test]
fn widening_policies_are_rejected_at_the_line_at_fault() {
    let cases = [
        (
            "name = \"x\"\nbase = \"egov\"\nallow = [\"AES\",\n  \"SHA-1\"]\n",
            4,
            "widen",
        ),
        (
            "name = \"x\"\nbase = \"egov-high\"\nmin_strength = 112\n",
            3,
            "widen",
        ),
        (
            "name = \"x\"\nbase = \"egov-high\"\nauthenticated_encryption_only = false\n",
            3,
            "widen",
        ),
        (
            "name = \"x\"\nbase = \"pqc\"\nallow = [\"Camellia\"]\n",
            3,
            "widen",
        ),
        (
            "name = \"x\"\nbase = \"egov\"\n[legacy_process]\nentries = [\"AES\"]\nreason = \"r\"\n",
            4,
            "Monitored",
        ),
        (
            "name = \"x\"\nbase = \"egov\"\nallow = [\"MD5\"]\n",
            3,
            "MD5",
        ),
        ("name = \"x\"\nbase = \"everything\"\n", 2, "unknown base"),
        (
            "name = \"x\"\nbase = \"egov\"\nmax_strength = 3\n",
            3,
            "unknown field",
        ),
        (
            "name = \"x\"\nbase = \"egov\"\nprotect_until = \"soon\"\n",
            3,
            "not a date",
        ),
    ];
    for (text, line, what) in cases {
        let err = parse_policy(text).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("org.toml:{line}:")),
            "{text}\n=> {err}"
        );
        assert!(err.contains(what), "{text}\n=> {err}");
    }
}
