//! Property tests: the parsers never panic, and names round-trip.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use cryptrec::{Algorithm, Dataset, Policy, Use, parse_date};
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_text_parses_or_errs_without_panicking(s in "\\PC{0,40}") {
        if let Ok(alg) = s.parse::<Algorithm>() {
            let again: Algorithm = alg.to_string().parse().unwrap();
            prop_assert_eq!(alg, again);
        }
    }

    #[test]
    fn name_shaped_text_round_trips(s in "(aes|camellia|sha|sha3|shake128|hmac|rsa|pss|oaep|ecdsa|ecdh|p256|p384|dh|dsa|ml|kem|gcm|cbc|xts|[0-9]{1,5}|-){1,7}") {
        if let Ok(alg) = s.parse::<Algorithm>() {
            let again: Algorithm = alg.to_string().parse().unwrap();
            prop_assert_eq!(alg, again);
        }
    }

    #[test]
    fn any_policy_text_errs_or_evaluates(s in "\\PC{0,200}") {
        let ds = Arc::new(Dataset::embedded().unwrap());
        if let Ok(p) = Policy::parse(&s, "p.toml", ds) {
            let _ = p.evaluate(&"aes-256-gcm".parse().unwrap(), Use::Protect, parse_date("2026-01-01").unwrap());
        }
    }

    #[test]
    fn verdicts_never_improve_with_time_for_protect(year in 2022i32..2080, alg in prop::sample::select(Algorithm::examples())) {
        // Moving the date later can only keep or worsen a protect verdict.
        let p = Policy::default_policy().unwrap();
        let alg: Algorithm = alg.parse().unwrap();
        let early = p.evaluate(&alg, Use::Protect, parse_date(&format!("{year}-01-01")).unwrap());
        let late = p.evaluate(&alg, Use::Protect, parse_date(&format!("{}-01-01", year + 5)).unwrap());
        if !early.allows() {
            prop_assert!(!late.allows(), "{alg}: refused in {year} but permitted later");
        }
    }
}
