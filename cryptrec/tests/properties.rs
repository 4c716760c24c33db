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

}

/// Moving the date later can only keep or worsen a protect verdict: every example algorithm,
/// every year from 2022 to 2080 against every later year, exhaustively (the random version
/// rarely reached its assertion: most pairs are permitted at both dates).
#[test]
fn verdicts_never_improve_with_time_for_protect() {
    let p = Policy::default_policy().unwrap();
    let mut refused_then = 0;
    for name in Algorithm::examples() {
        let alg: Algorithm = name.parse().unwrap();
        let allows: Vec<bool> = (2022..=2080)
            .map(|y| {
                p.evaluate(
                    &alg,
                    Use::Protect,
                    parse_date(&format!("{y}-01-01")).unwrap(),
                )
                .allows()
            })
            .collect();
        for (i, early) in allows.iter().enumerate() {
            if !early {
                refused_then += 1;
                assert!(
                    allows[i..].iter().all(|a| !a),
                    "{alg}: refused in {} but permitted later",
                    2022 + i
                );
            }
        }
    }
    // The assertion ran: many (algorithm, year) pairs are refused on the timeline.
    assert!(refused_then > 100, "only {refused_then} refused pairs");
}

/// Every example name parses, and its display form parses back to the same algorithm: the
/// round trip the random name-shaped texts above reach only when one happens to parse.
#[test]
fn every_example_name_round_trips() {
    let names = Algorithm::examples();
    assert!(names.len() > 20, "{}", names.len());
    for name in names {
        let alg: Algorithm = name.parse().unwrap();
        let again: Algorithm = alg.to_string().parse().unwrap();
        assert_eq!(alg, again, "{name}");
    }
}
