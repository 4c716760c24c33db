//! `kagi selftest`: every known-answer test, its result and time.

use std::fmt::Write as _;

use crypto_core::selftest;

use crate::Outcome;
use crate::output::{CliError, print, print_json};

pub fn run(json: bool) -> Result<Outcome, CliError> {
    let report = selftest::run();
    if json {
        print_json(&report)?;
    } else {
        let mut out = String::new();
        for r in &report.results {
            let status = if r.passed { "ok  " } else { "FAIL" };
            let _ = writeln!(
                out,
                "{status} {:<28} {:>8} µs  {}",
                r.name, r.micros, r.source
            );
            if let Some(why) = &r.failure {
                let _ = writeln!(out, "     {why}");
            }
        }
        let failed = report.results.iter().filter(|r| !r.passed).count();
        let _ = writeln!(
            out,
            "{} self-tests: {} passed, {failed} failed",
            report.results.len(),
            report.results.len() - failed
        );
        print(&out)?;
    }
    Ok(if report.passed() {
        Outcome::Yes
    } else {
        Outcome::No
    })
}
