//! `kagi audit`: scan files, directories and TLS endpoints; report in the chosen format.

use crypto_core::audit::{self, report, tls};

use super::key::provider;
use crate::Outcome;
use crate::args::{AuditArgs, AuditFormat};
use crate::files::{self, Mode};
use crate::output::{CliError, print};

pub fn run(a: &AuditArgs) -> Result<Outcome, CliError> {
    if a.paths.is_empty() && a.tls.is_empty() && a.tls_file.is_none() {
        return Err(CliError::Msg(
            "what to audit? kagi audit PATH... [--tls HOST:PORT]... [--tls-file FILE]".into(),
        ));
    }
    let targets = targets(a)?;
    if targets.is_empty() && (a.starttls.is_some() || a.sni.is_some() || a.trust.is_some()) {
        return Err(CliError::Msg(
            "--starttls, --sni and --trust apply to TLS endpoints: give --tls or --tls-file".into(),
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
    if !targets.is_empty() {
        let trust = match &a.trust {
            Some(path) => Ok(tls::TrustAnchors::from_bytes(
                &files::read(path)?,
                &path.display().to_string(),
            )
            .map_err(|e| CliError::about(path, e))?),
            None => tls::TrustAnchors::system().map_err(|e| e.to_string()),
        };
        let options = tls::Options {
            timeout: std::time::Duration::from_secs(a.timeout.max(1)),
            trust,
        };
        let results = tls::batch::probe_all(
            &provider,
            &targets,
            &options,
            usize::from(a.tls_jobs),
            usize::from(a.tls_per_host),
        );
        for (t, r) in targets.iter().zip(results) {
            match r {
                Ok(found) => audit::extend(&provider, &mut scan, found),
                Err(e) => scan.errors.push(audit::Note {
                    path: t.label(),
                    reason: e.to_string(),
                }),
            }
        }
    }
    let text = match a.format {
        AuditFormat::Table => report::table(&scan, a.verbose),
        AuditFormat::Json => pretty(&report::json(&scan))?,
        AuditFormat::Sarif => pretty(&report::sarif(&scan))?,
        AuditFormat::Cbom => pretty(&report::cbom(&scan))?,
    };
    match &a.out {
        Some(path) => {
            if a.force {
                refuse_audited(path, &a.paths)?;
            }
            files::write_new(path, text.as_bytes(), Mode::Public, a.force)?
        }
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

/// The endpoints of `--tls` and `--tls-file`, with `--starttls` and `--sni` applied; a bad
/// target or list line is an error naming it.
fn targets(a: &AuditArgs) -> Result<Vec<tls::Target>, CliError> {
    let mut out = Vec::new();
    for t in &a.tls {
        let mut target = tls::Target::parse(t).map_err(|e| CliError::Msg(format!("--tls {e}")))?;
        target.sni = a.sni.clone();
        target.starttls = a.starttls;
        out.push(target);
    }
    if let Some(path) = &a.tls_file {
        let bytes = files::read(path)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| CliError::Msg(format!("{}: not UTF-8 text", path.display())))?;
        let default = tls::Target {
            host: String::new(),
            port: 0,
            sni: a.sni.clone(),
            starttls: a.starttls,
        };
        let list = tls::target::parse_list(text, &default)
            .map_err(|e| CliError::Msg(format!("{}: {e}", path.display())))?;
        if list.is_empty() {
            return Err(CliError::Msg(format!(
                "{}: lists no endpoint (one HOST:PORT a line)",
                path.display()
            )));
        }
        out.extend(list);
    }
    Ok(out)
}

fn pretty(v: &serde_json::Value) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    Ok(s)
}

/// With `--force`, the report must not replace a file that was audited: one named, or one
/// inside a directory named (found by an attacker: the report replaced a private key).
fn refuse_audited(out: &std::path::Path, paths: &[std::path::PathBuf]) -> Result<(), CliError> {
    let Ok(out_real) = std::fs::canonicalize(out) else {
        return Ok(()); // not there: nothing to replace
    };
    for p in paths {
        if let Ok(real) = std::fs::canonicalize(p)
            && (out_real == real || out_real.starts_with(&real))
        {
            return Err(CliError::Msg(format!(
                "{}: is among what is being audited ({}); the report is not written over it",
                out.display(),
                p.display()
            )));
        }
    }
    Ok(())
}
