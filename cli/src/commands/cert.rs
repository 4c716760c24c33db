//! `kagi cert self-sign | request | issue | show`.

use std::fmt::Write as _;
use std::path::Path;

use crypto_core::pki::{self, Certificate, Csr, Profile};
use cryptrec::{Status, Use};
use serde_json::json;

use super::key::{load_private, provider};
use crate::Outcome;
use crate::args::{CertCommand, PolicyArgs};
use crate::files::{self, Mode};
use crate::output::{CliError, print, print_json};

pub fn run(cmd: CertCommand) -> Result<Outcome, CliError> {
    match cmd {
        CertCommand::SelfSign {
            key,
            subject,
            days,
            ca,
            profile,
            out,
            force,
            passphrase,
            policy,
        } => {
            let provider = provider(&policy)?;
            let profile = if ca {
                Profile::Ca
            } else {
                profile.parse().map_err(CliError::Msg)?
            };
            let key = load_private(&key, &passphrase, &provider)?;
            let der = pki::self_signed(&provider, &key, &subject, days, profile)?;
            write_cert(&der, &out, force)
        }
        CertCommand::Request {
            key,
            subject,
            out,
            force,
            passphrase,
            policy,
        } => {
            let provider = provider(&policy)?;
            let key = load_private(&key, &passphrase, &provider)?;
            let der = pki::request(&provider, &key, &subject)?;
            let pem =
                der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, &der)
                    .map_err(|e| CliError::Msg(format!("PEM: {e}")))?;
            files::write_new(&out, pem.as_bytes(), Mode::Public, force)?;
            print(&format!(
                "wrote {} (certificate request for {subject})\n",
                out.display()
            ))?;
            Ok(Outcome::Yes)
        }
        CertCommand::Issue {
            ca_cert,
            ca_key,
            csr,
            days,
            profile,
            out,
            force,
            passphrase,
            policy,
        } => {
            let provider = provider(&policy)?;
            let profile: Profile = profile.parse().map_err(CliError::Msg)?;
            let csr_parsed =
                Csr::parse(&provider, &files::read(&csr)?).map_err(|e| CliError::about(&csr, e))?;
            let ca_certs = files::certificates(&ca_cert)?;
            let key = load_private(&ca_key, &passphrase, &provider)?;
            let der = pki::issue(
                &provider,
                &ca_certs[0].der,
                &key,
                &csr_parsed,
                days,
                profile,
            )
            .map_err(|e| CliError::Msg(format!("issuing: {e}")))?;
            write_cert(&der, &out, force)
        }
        CertCommand::Show { file, policy, json } => show(&file, &policy, json),
    }
}

fn write_cert(der: &[u8], out: &Path, force: bool) -> Result<Outcome, CliError> {
    let pem = pki::to_pem(der)?;
    files::write_new(out, pem.as_bytes(), Mode::Public, force)?;
    let c = Certificate::from_der(der)?;
    print(&format!(
        "wrote {}\nsubject:     {}\nissuer:      {}\nvalid:       {} to {}\nfingerprint: {} (certificate)\n",
        out.display(),
        c.subject,
        c.issuer,
        c.not_before.date(),
        c.not_after.date(),
        c.fingerprint.hex()
    ))?;
    Ok(Outcome::Yes)
}

fn show(path: &Path, policy: &PolicyArgs, json: bool) -> Result<Outcome, CliError> {
    let provider = provider(policy)?;
    let certs = files::certificates(path)?;
    let mut any_refused = false;
    let mut text = String::new();
    let mut items = Vec::new();
    for (i, c) in certs.iter().enumerate() {
        // The issuer: itself when self-issued, else a certificate of the bundle named by it.
        let issuer = if c.self_issued() {
            Some(c)
        } else {
            certs
                .iter()
                .find(|x| x.subject == c.issuer && !std::ptr::eq(*x, c))
        };
        let sig_alg = issuer
            .and_then(|iss| iss.public_key.as_ref().ok())
            .and_then(|k| c.signature_algorithm(k));
        let sig_verdict = sig_alg
            .as_ref()
            .map(|a| provider.policy().evaluate(a, Use::Process, provider.date()));
        // A refused algorithm is not run at all: the verdict is the answer.
        let signed = match &sig_verdict {
            Some(v) if !v.allows() => None,
            _ => issuer.map(|iss| c.verify_issued_by(&provider, iss)),
        };
        let key_verdicts = c
            .public_key
            .as_ref()
            .map(|k| k.verdicts(&provider))
            .unwrap_or_default();
        let refused = sig_verdict.as_ref().is_some_and(|v| !v.allows())
            || key_verdicts.iter().any(|(_, p)| !p.allows())
            || c.public_key.is_err()
            || matches!(signed, Some(Err(_)));
        any_refused |= refused;
        let signed_text = match (&signed, issuer) {
            (Some(Ok(_)), Some(iss)) if std::ptr::eq(iss, c) => {
                "self-signed, signature valid".to_string()
            }
            (Some(Ok(_)), Some(iss)) => format!("signed by \"{}\", signature valid", iss.subject),
            (Some(Err(e)), _) => format!("NOT VERIFIED: {e}"),
            _ if sig_verdict.as_ref().is_some_and(|v| !v.allows()) => {
                "not checked: the signature algorithm is refused".to_string()
            }
            _ => "issuer not in this file".to_string(),
        };
        if json {
            items.push(json!({
                "subject": c.subject, "issuer": c.issuer, "serial": c.serial,
                "not_before": c.not_before.to_string(), "not_after": c.not_after.to_string(),
                "is_ca": c.is_ca, "key_usage": c.key_usage, "extended_key_usage": c.extended_key_usage,
                "fingerprint": c.fingerprint.hex(),
                "public_key": c.public_key.as_ref().map(|k| json!({
                    "kind": k.kind().to_string(), "fingerprint": k.fingerprint().hex(),
                    "verdicts": key_verdicts.iter().map(|(pr, pc)| json!({"protect": pr, "process": pc})).collect::<Vec<_>>(),
                })).unwrap_or_else(|e| json!({"unsupported": e})),
                "signature_algorithm": sig_alg.map(|a| a.to_string()).unwrap_or_else(|| c.signature_oid.clone()),
                "signature_verdict": sig_verdict,
                "signature": signed_text,
            }));
            continue;
        }
        let _ = writeln!(text, "certificate {} of {}", i + 1, certs.len());
        let _ = writeln!(text, "  subject:     {}", c.subject);
        let _ = writeln!(text, "  issuer:      {}", c.issuer);
        let _ = writeln!(text, "  serial:      {}", c.serial);
        let _ = writeln!(
            text,
            "  valid:       {} to {}",
            utc(c.not_before),
            utc(c.not_after)
        );
        if c.is_ca {
            let _ = writeln!(text, "  CA:          yes");
        }
        if !c.key_usage.is_empty() {
            let _ = writeln!(text, "  key usage:   {}", c.key_usage.join(", "));
        }
        if !c.extended_key_usage.is_empty() {
            let _ = writeln!(text, "  ext. usage:  {}", c.extended_key_usage.join(", "));
        }
        match &c.public_key {
            Ok(k) => {
                let _ = writeln!(
                    text,
                    "  key:         {} {}",
                    k.kind(),
                    k.fingerprint().hex()
                );
                for (protect, process) in &key_verdicts {
                    let _ = writeln!(
                        text,
                        "    {}: protect {}; process {}",
                        protect.algorithm,
                        brief(protect),
                        brief(process)
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(text, "  key:         unsupported: {e}");
            }
        }
        match (&sig_alg, &sig_verdict) {
            (Some(a), Some(v)) => {
                let _ = writeln!(text, "  signature:   {a}: {}", brief(v));
            }
            _ => {
                let named = cryptrec::oid::signature(&c.signature_oid)
                    .map(|s| format!("{s:?}"))
                    .unwrap_or_else(|| c.signature_oid.clone());
                let _ = writeln!(
                    text,
                    "  signature:   {named} (size unknown without the issuer's key)"
                );
            }
        }
        let _ = writeln!(text, "  checked:     {signed_text}");
        let _ = writeln!(text, "  fingerprint: {} (certificate)", c.fingerprint.hex());
    }
    if json {
        print_json(&json!({"file": path.display().to_string(), "certificates": items}))?;
    } else {
        print(&text)?;
    }
    Ok(if any_refused {
        Outcome::No
    } else {
        Outcome::Yes
    })
}

fn utc(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    t.format(&f).unwrap_or_else(|_| t.to_string())
}

fn brief(v: &cryptrec::Verdict) -> String {
    match v.status {
        Status::Refused => format!("REFUSED ({})", v.refusal_summary()),
        s => s.to_string(),
    }
}
