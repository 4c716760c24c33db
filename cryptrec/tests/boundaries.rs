//! Verdicts and policy rules at their exact boundaries: the last permitted day, a strength or key
//! size exactly at a limit, a policy value equal to its base's. Each test here was written
//! against a mutant that the broader tests in `verdicts.rs` let through (see docs/TESTING.md).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use cryptrec::{
    Algorithm, Base, Dataset, Effect, ListKind, Policy, Status, Use, Verdict, parse_date, strength,
};

fn alg(name: &str) -> Algorithm {
    name.parse().unwrap()
}

fn eval(policy: &Policy, name: &str, use_: Use, date: &str) -> Verdict {
    policy.evaluate(&alg(name), use_, parse_date(date).unwrap())
}

fn egov() -> Policy {
    Policy::default_policy().unwrap()
}

fn parse_policy(text: &str) -> Result<Policy, cryptrec::Error> {
    Policy::parse(text, "org.toml", Arc::new(Dataset::embedded().unwrap()))
}

fn until(date: &str) -> Status {
    Status::PermittedUntil {
        until: parse_date(date).unwrap(),
    }
}

fn texts(v: &Verdict, effect: Effect) -> Vec<String> {
    v.reasons
        .iter()
        .filter(|r| r.effect == effect)
        .map(|r| format!("{} [{}]", r.text, r.source))
        .collect()
}

// ------------------------------------------------------------------ policy files

#[test]
fn min_strength_equal_to_the_base_minimum_is_accepted() {
    let p = parse_policy("name = \"x\"\nbase = \"egov-high\"\nmin_strength = 128\n").unwrap();
    assert_eq!(p.min_strength(), 128);
    let p = parse_policy("name = \"x\"\nbase = \"egov\"\nmin_strength = 112\n").unwrap();
    assert_eq!(p.min_strength(), 112);
    // One step below the base is the widening the parser refuses.
    let err = parse_policy("name = \"x\"\nbase = \"egov-high\"\nmin_strength = 112\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("min_strength 112 would widen base `egov-high` (its minimum is 128)"),
        "{err}"
    );
}

#[test]
fn min_strength_reports_the_base_or_the_narrowed_value() {
    assert_eq!(egov().min_strength(), 112);
    assert_eq!(Policy::named("egov-high").unwrap().min_strength(), 128);
    assert_eq!(Policy::named("pqc").unwrap().min_strength(), 112);
    let p = parse_policy("name = \"x\"\nbase = \"egov\"\nmin_strength = 192\n").unwrap();
    assert_eq!(p.min_strength(), 192);
    // The narrowed minimum is enforced: 128-bit AES is refused, citing the rule.
    let v = eval(&p, "aes-128-gcm", Use::Protect, "2026-11-25");
    assert_eq!(v.status, Status::Refused);
    let refusals = texts(&v, Effect::Refuses);
    assert!(
        refusals
            .iter()
            .any(|t| t.contains("this policy requires at least 192")),
        "{refusals:?}"
    );
    assert!(eval(&p, "aes-192-gcm", Use::Protect, "2026-11-25").allows());
}

#[test]
fn authenticated_encryption_only_may_repeat_or_tighten_its_base() {
    // `false` over a base that does not require it changes nothing and is accepted.
    let p = parse_policy("name = \"x\"\nbase = \"egov\"\nauthenticated_encryption_only = false\n")
        .unwrap();
    assert!(eval(&p, "aes-256-cbc", Use::Protect, "2026-11-25").allows());
    // `true` over a base that already requires it is accepted too.
    let p =
        parse_policy("name = \"x\"\nbase = \"egov-high\"\nauthenticated_encryption_only = true\n")
            .unwrap();
    assert_eq!(
        eval(&p, "aes-256-cbc", Use::Protect, "2026-11-25").status,
        Status::Refused
    );
}

#[test]
fn authenticated_encryption_only_narrows_egov() {
    let p = parse_policy("name = \"x\"\nbase = \"egov\"\nauthenticated_encryption_only = true\n")
        .unwrap();
    let v = eval(&p, "aes-256-cbc", Use::Protect, "2026-11-25");
    assert_eq!(v.status, Status::Refused);
    let refusals = texts(&v, Effect::Refuses);
    assert!(
        refusals
            .iter()
            .any(|t| t.contains("policy x (org.toml): authenticated encryption only")),
        "{refusals:?}"
    );
    assert_eq!(
        eval(&p, "aes-256-gcm", Use::Protect, "2026-11-25").status,
        Status::Permitted
    );
}

#[test]
fn pqc_base_accepts_table_2_entries_modes_macs_hashes_and_ecdh_in_allow() {
    for entry in ["ML-KEM", "AES", "GCM", "HMAC", "SHA-256", "SHA-384", "ECDH"] {
        let text = format!("name = \"x\"\nbase = \"pqc\"\nallow = [\"{entry}\"]\n");
        if let Err(e) = parse_policy(&text) {
            panic!("{entry}: {e}");
        }
    }
}

#[test]
fn pqc_base_refuses_to_allow_other_table_1_primitives_and_monitored_entries() {
    for entry in [
        "Camellia",
        "ChaCha20-Poly1305",
        "ECDSA",
        "RSA-PSS",
        "SHA-1",
        "CBC-MAC",
    ] {
        let text = format!("name = \"x\"\nbase = \"pqc\"\nallow = [\"{entry}\"]\n");
        let err = parse_policy(&text).unwrap_err().to_string();
        assert!(
            err.starts_with("org.toml:3:") && err.contains("would widen base `pqc`"),
            "{entry}: {err}"
        );
    }
}

#[test]
fn a_policy_reports_its_name_origin_and_legacy_allowance() {
    let p = egov();
    assert_eq!(p.name(), "egov");
    assert_eq!(p.origin(), "built-in");
    assert_eq!(p.base(), Base::Egov);
    assert_eq!(p.legacy_process(), (Vec::<String>::new(), None));

    let p = parse_policy(
        "name = \"archive\"\nbase = \"egov-high\"\n[legacy_process]\nentries = [\"SHA-1\"]\nreason = \"verify archived records\"\n",
    )
    .unwrap();
    assert_eq!(p.name(), "archive");
    assert_eq!(p.origin(), "org.toml");
    assert_eq!(p.base(), Base::EgovHigh);
    assert_eq!(
        p.legacy_process(),
        (vec!["SHA-1".to_string()], Some("verify archived records"))
    );
}

#[test]
fn each_base_describes_what_it_permits() {
    let described: Vec<&str> = Base::ALL.iter().map(|b| b.description()).collect();
    assert!(described[0].contains("e-Government Recommended Ciphers List"));
    assert!(described[0].contains("LS-0003"));
    assert!(described[1].contains("128-bit security strength"));
    assert!(described[1].contains("authenticated encryption only"));
    assert!(described[2].contains("ML-KEM-768/1024"));
    assert!(described[2].contains("hybrid"));
}

// ------------------------------------------------------------------ dates at the last day

#[test]
fn the_last_day_of_a_strength_row_still_permits_new_protection() {
    let p = egov();
    assert_eq!(
        eval(&p, "rsa-pss-2048-sha256", Use::Protect, "2030-12-31").status,
        until("2030-12-31")
    );
    assert_eq!(
        eval(&p, "aes-128-gcm", Use::Protect, "2050-12-31").status,
        until("2050-12-31")
    );
    assert_eq!(
        eval(&p, "aes-128-gcm", Use::Protect, "2051-01-01").status,
        Status::Refused
    );
}

#[test]
fn the_migration_period_starts_the_day_after_the_usable_period_ends() {
    let p = egov();
    let migration = |date: &str| {
        let v = eval(&p, "aes-128-gcm", Use::Protect, date);
        assert_eq!(v.status, until("2050-12-31"), "{date}");
        texts(&v, Effect::Limits)
            .iter()
            .any(|t| t.contains("is in its migration period"))
    };
    assert!(!migration("2026-11-25"));
    assert!(!migration("2040-12-31"));
    assert!(migration("2041-01-01"));
    assert!(migration("2050-12-31"));
}

#[test]
fn the_last_day_of_protect_until_still_permits_new_protection() {
    let p =
        parse_policy("name = \"x\"\nbase = \"egov\"\nprotect_until = \"2029-03-31\"\n").unwrap();
    assert_eq!(
        eval(&p, "aes-256-gcm", Use::Protect, "2029-03-31").status,
        until("2029-03-31")
    );
    let v = eval(&p, "aes-256-gcm", Use::Protect, "2029-04-01");
    assert_eq!(v.status, Status::Refused);
    assert!(
        texts(&v, Effect::Refuses)
            .iter()
            .any(|t| t.contains("new protection only through 2029-03-31")),
        "{:?}",
        v.reasons
    );
}

// ------------------------------------------------------------------ list entries and notes

#[test]
fn a_monitored_entry_is_refused_with_the_reason_for_its_use() {
    let p = egov();
    let protect = texts(
        &eval(&p, "hmac-sha-1", Use::Protect, "2026-11-25"),
        Effect::Refuses,
    );
    assert!(
        protect.iter().any(|t| t.contains("never new protection")),
        "{protect:?}"
    );
    assert!(
        !protect.iter().any(|t| t.contains("[legacy_process]")),
        "{protect:?}"
    );
    let process = texts(
        &eval(&p, "hmac-sha-1", Use::Process, "2026-11-25"),
        Effect::Refuses,
    );
    assert!(
        process
            .iter()
            .any(|t| t.contains("has no [legacy_process] allowance")),
        "{process:?}"
    );
    assert!(
        !process.iter().any(|t| t.contains("never new protection")),
        "{process:?}"
    );
}

#[test]
fn a_candidate_list_entry_is_refused() {
    // No name in the vocabulary maps to a Candidate-only entry of LS-0001-2022R2, so move
    // Camellia there in a copy of the dataset: the rule, not the data, is under test.
    let mut ds = Dataset::embedded().unwrap();
    for e in ds.entries.iter_mut().filter(|e| e.name == "Camellia") {
        e.list = ListKind::Candidate;
    }
    let p = Policy::builtin_with(Base::Egov, Arc::new(ds));
    let v = eval(&p, "camellia-256-gcm", Use::Protect, "2026-11-25");
    assert_eq!(v.status, Status::Refused);
    let refusals = texts(&v, Effect::Refuses);
    assert!(
        refusals.iter().any(|t| t.contains(
            "Camellia is on the Candidate Recommended list, not the e-Government Recommended list"
        )),
        "{refusals:?}"
    );
}

#[test]
fn the_lists_notes_on_an_entry_are_cited_as_background() {
    let v = eval(&egov(), "shake256-512", Use::Protect, "2026-11-25");
    assert!(v.allows());
    assert!(
        v.reasons
            .iter()
            .any(|r| r.effect == Effect::Informs && r.source == "LS-0001-2022R2 注4"),
        "{:?}",
        v.reasons
    );
}

#[test]
fn shake_output_of_exactly_256_bits_is_permitted() {
    let p = egov();
    let v = eval(&p, "shake128-256", Use::Protect, "2026-11-25");
    assert!(v.allows(), "{:?}", v.reasons);
    assert!(texts(&v, Effect::Refuses).is_empty(), "{:?}", v.reasons);
    let v = eval(&p, "shake256-248", Use::Protect, "2026-11-25");
    assert_eq!(v.status, Status::Refused);
    assert!(
        texts(&v, Effect::Refuses)
            .iter()
            .any(|t| t.contains("at least 256 bits")),
        "{:?}",
        v.reasons
    );
}

#[test]
fn xts_takes_128_and_256_bit_keys_only() {
    let p = egov();
    for name in ["aes-128-xts", "aes-256-xts"] {
        let v = eval(&p, name, Use::Protect, "2026-11-25");
        assert!(v.allows(), "{name}: {:?}", v.reasons);
        assert!(
            texts(&v, Effect::Limits)
                .iter()
                .any(|t| t.contains("storage-device encryption only")),
            "{name}: {:?}",
            v.reasons
        );
    }
    let v = eval(&p, "aes-192-xts", Use::Protect, "2026-11-25");
    assert_eq!(v.status, Status::Refused);
    assert!(
        texts(&v, Effect::Refuses)
            .iter()
            .any(|t| t.contains("SP 800-38E")),
        "{:?}",
        v.reasons
    );
}

// ------------------------------------------------------------------ key sizes and strengths

fn has_event(v: &Verdict, id: &str) -> bool {
    v.reasons
        .iter()
        .any(|r| r.effect == Effect::Informs && r.source.starts_with(&format!("event {id} ")))
}

#[test]
fn key_size_events_apply_strictly_below_their_limit() {
    let p = egov();
    let at = |name: &str| eval(&p, name, Use::Process, "2026-11-25");
    // rsa-768-factored: below 1024 bits.
    assert!(has_event(&at("rsa-1023"), "rsa-768-factored"));
    assert!(!has_event(&at("rsa-1024"), "rsa-768-factored"));
    assert!(!has_event(&at("rsa-2048"), "rsa-768-factored"));
    // rsa-250-factored: below 830 bits, for every RSA scheme.
    for name in [
        "rsa-pss-829-sha256",
        "rsassa-pkcs1-829-sha256",
        "rsa-oaep-829-sha256",
        "rsaes-pkcs1-829",
        "rsa-829",
    ] {
        let v = at(name);
        assert!(has_event(&v, "rsa-250-factored"), "{name}: {:?}", v.reasons);
        assert!(has_event(&v, "rsa-768-factored"), "{name}");
    }
    assert!(!has_event(&at("rsa-830"), "rsa-250-factored"));
    // Events without a size limit apply to every use of the entry.
    assert!(has_event(&at("sha-1"), "shattered"));
}

#[test]
fn strength_below_the_table_names_the_bits_or_says_broken() {
    let p = egov();
    let v = eval(&p, "rsa-1024", Use::Protect, "2026-11-25");
    assert_eq!(v.strength, 80);
    assert!(
        texts(&v, Effect::Refuses)
            .iter()
            .any(|t| t.contains("rsa-1024 gives 80-bit strength (1024-bit RSA modulus)")),
        "{:?}",
        v.reasons
    );
    let v = eval(&p, "rc4", Use::Process, "2026-11-25");
    assert_eq!(v.strength, 0);
    assert!(
        texts(&v, Effect::Refuses)
            .iter()
            .any(|t| t.contains("gives no meaningful strength (broken)")),
        "{:?}",
        v.reasons
    );
}

#[test]
fn a_signature_hash_as_strong_as_the_key_does_not_limit_it() {
    let ds = Dataset::embedded().unwrap();
    assert_eq!(
        strength(&ds, &alg("ecdsa-p256-sha256")),
        (128, "256-bit curve order".to_string())
    );
    let (bits, basis) = strength(&ds, &alg("ecdsa-p384-sha256"));
    assert_eq!(bits, 128);
    assert!(
        basis.contains("limited to 128 by the collision resistance"),
        "{basis}"
    );
}

#[test]
fn ml_kem_strength_follows_its_nist_category() {
    let ds = Dataset::embedded().unwrap();
    assert_eq!(
        strength(&ds, &alg("ml-kem-512")),
        (128, "NIST PQC category 1".to_string())
    );
    assert_eq!(
        strength(&ds, &alg("ml-kem-768")),
        (192, "NIST PQC category 3".to_string())
    );
    assert_eq!(
        strength(&ds, &alg("ml-kem-1024")),
        (256, "NIST PQC category 5".to_string())
    );
}

// ------------------------------------------------------------------ verdict and use types

#[test]
fn a_refused_verdict_does_not_allow_and_summarises_its_refusals() {
    let p = egov();
    let v = eval(&p, "md5", Use::Protect, "2026-11-25");
    assert!(!v.allows());
    let summary = v.refusal_summary();
    assert!(
        summary.starts_with("MD5 has never been on a CRYPTREC list")
            && summary.contains("(LS-0001-2022R2 (not listed))"),
        "{summary}"
    );
    // Two refusals are joined on one line.
    assert!(summary.contains("; md5 gives"), "{summary}");
    let ok = eval(&p, "aes-256-gcm", Use::Protect, "2026-11-25");
    assert!(ok.allows());
    assert_eq!(ok.refusal_summary(), "");
    // A limited verdict still allows.
    assert!(eval(&p, "aes-128-gcm", Use::Process, "2051-01-01").allows());
}

#[test]
fn uses_parse_from_and_print_as_their_names() {
    for u in [Use::Protect, Use::Process] {
        assert_eq!(u.as_str().parse::<Use>().unwrap(), u);
    }
    assert_eq!(Use::Protect.as_str(), "protect");
    assert_eq!(Use::Process.as_str(), "process");
    assert_eq!("protect".parse::<Use>().unwrap(), Use::Protect);
    assert_eq!("process".parse::<Use>().unwrap(), Use::Process);
    let err = "decrypt".parse::<Use>().unwrap_err().to_string();
    assert_eq!(err, "unknown use `decrypt` (protect, process)");
}

#[test]
fn statuses_print_as_the_cli_shows_them() {
    assert_eq!(Status::Permitted.to_string(), "permitted");
    assert_eq!(
        until("2030-12-31").to_string(),
        "permitted until 2030-12-31"
    );
    assert_eq!(Status::LegacyProcessOnly.to_string(), "legacy-process-only");
    assert_eq!(Status::Refused.to_string(), "refused");
}

#[test]
fn the_worse_status_wins_and_the_earlier_date_of_two_limits() {
    let order = [
        Status::Permitted,
        until("2030-12-31"),
        Status::LegacyProcessOnly,
        Status::Refused,
    ];
    for (i, a) in order.iter().enumerate() {
        for (j, b) in order.iter().enumerate() {
            assert_eq!(a.worst(*b), order[i.max(j)], "{a} vs {b}");
        }
    }
    assert_eq!(
        until("2050-12-31").worst(until("2030-12-31")),
        until("2030-12-31")
    );
}
