//! Evaluate an algorithm chosen at run time against a policy.
//!
//! `cargo run -p crypto-core --example policy_check -- rsa-pss-2048-sha256 [egov|egov-high|pqc|FILE] [YYYY-MM-DD]`
//! Exit 0 when the algorithm may protect new data on that day, 1 when it may not.

use cryptrec::{Algorithm, Policy, Use};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("aes-256-gcm");
    let policy = match args.get(1).map(String::as_str) {
        None => Policy::named("egov")?,
        Some(p) if std::path::Path::new(p).exists() => Policy::from_file(std::path::Path::new(p))?,
        Some(p) => Policy::named(p)?,
    };
    let date = match args.get(2) {
        Some(d) => cryptrec::parse_date(d)?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let alg: Algorithm = name.parse()?;
    let v = policy.evaluate(&alg, Use::Protect, date);
    println!(
        "{}: {} (policy {}, {date})",
        v.algorithm,
        v.status,
        policy.name()
    );
    for r in &v.reasons {
        println!("  {:?}: {} [{}]", r.effect, r.text, r.source);
    }
    std::process::exit(if v.allows() { 0 } else { 1 });
}
