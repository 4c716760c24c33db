//! `kagi audit`: scan files, directories and TLS endpoints; report in the chosen format.

use crypto_core::audit::{self, report};

use super::key::provider;
use crate::Outcome;
use crate::args::{AuditArgs, AuditFormat};
use crate::files::{self, Mode};
use crate::output::{CliError, print};

pub fn run(a: &AuditArgs) -> Result<Outcome, CliError> {
    if a.paths.is_empty() && a.tls.is_empty() {
        return Err(CliError::Msg(
            "what to audit? kagi audit PATH... [--tls HOST:PORT]...".into(),
        ));
    }
    let provider = provider(&a.policy)?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let mut scan = if a.paths.is_empty() {
        audit::Scan::new(&provider)
    } else {
        audit::scan_paths(&provider, &a.paths, threads)
    };
    for target in &a.tls {
        match audit::tls::probe(
            &provider,
            target,
            std::time::Duration::from_secs(a.timeout.max(1)),
        ) {
            Ok(found) => audit::extend(&provider, &mut scan, found),
            Err(e) => scan.errors.push(audit::Note {
                path: target.clone(),
                reason: e.to_string(),
            }),
        }
    }
    let text = match a.format {
        AuditFormat::Table => report::table(&scan, a.verbose),
        AuditFormat::Json => pretty(&report::json(&scan))?,
        AuditFormat::Sarif => pretty(&report::sarif(&scan))?,
        AuditFormat::Cbom => pretty(&report::cbom(&scan))?,
    };
    match &a.out {
        Some(path) => files::write_new(path, text.as_bytes(), Mode::Public, true)?,
        None => print(&text)?,
    }
    if !scan.errors.is_empty() {
        let first = &scan.errors[0];
        return Err(CliError::Msg(format!(
            "{} could not be scanned (first: {}: {}); the report covers the rest",
            scan.errors.len(),
            first.path,
            first.reason
        )));
    }
    let not_judged: Vec<_> = scan.not_judged().collect();
    if let Some(first) = not_judged.first() {
        return Err(CliError::Msg(format!(
            "{} looked cryptographic but could not be judged (first: {}: {}); the report covers the rest",
            not_judged.len(),
            first.id(),
            first.not_judged.as_deref().unwrap_or_default()
        )));
    }
    Ok(if scan.refused() {
        Outcome::No
    } else {
        Outcome::Yes
    })
}

fn pretty(v: &serde_json::Value) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    Ok(s)
}
