//! `kagi erase crypto`: destroy the keys of LUKS volumes and kagi envelopes, with a
//! certificate. The lifecycle (checks, key files, journal, certificate) is `erase::session`'s.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use erase::certify::Issued;
use erase::crypto_erase::{self, Format};
use erase::session::{Attestations, Session};
use serde_json::json;

use super::erase::{Ended, confirm, err, execute};
use super::key::provider;
use crate::Outcome;
use crate::args::{CertifyArgs, PolicyArgs};
use crate::output::{CliError, print, print_json};

pub struct Args {
    pub targets: Vec<PathBuf>,
    pub attested: Attestations,
    pub key_files: Vec<PathBuf>,
    pub yes: bool,
    pub state_dir: PathBuf,
    pub certify: CertifyArgs,
    pub policy: PolicyArgs,
    pub json: bool,
}

pub fn run(a: &Args) -> Result<Outcome, CliError> {
    let provider = provider(&a.policy)?;
    let config = super::certify::config(&a.certify, None)?;
    // Everything is checked, found, confirmed and unlocked before anything is written.
    for k in &a.key_files {
        super::envelope::check_key_file(k)?;
    }
    let mut s = Session::new(&provider, &a.state_dir);
    for (i, path) in a.targets.iter().enumerate() {
        let mut cfg = config.clone();
        if let Some(tag) = a.certify.asset_tags.get(i) {
            cfg.asset_tag = Some(tag.clone());
        }
        let job = s.add_crypto(path, a.attested, cfg).map_err(err)?;
        let Some(c) = job.crypto() else {
            return Err(CliError::Msg(format!(
                "{}: not prepared as a crypto-erase",
                path.display()
            )));
        };
        let found = &c.found;
        eprintln!(
            "kagi: {}: {}{} with {} {}; bytes 0..{} hold its keys",
            path.display(),
            found.format,
            found
                .uuid
                .as_deref()
                .map(|u| format!(" (UUID {u})"))
                .unwrap_or_default(),
            found.key_holders,
            if found.format == Format::KagiEnvelope {
                "recipient(s)"
            } else {
                "keyslot(s)"
            },
            found.area.end
        );
        // The data area was sampled before anything is written: data that is not ciphertext
        // survives a crypto-erase readable, and no level is claimed for it.
        let sample = &c.data;
        if sample.readable_data() {
            eprintln!(
                "kagi: {}: the data area does not look encrypted: {} of {} sampled sectors hold data that is not ciphertext (the first at byte {}); it stays readable after the keys are destroyed, and no NIST SP 800-88 level will be claimed",
                path.display(),
                sample.readable,
                sample.sectors,
                sample.first_readable.unwrap_or_default()
            );
        }
        if !a.yes {
            confirm(path, job.device().and_then(|d| d.serial.as_deref()))?;
        }
    }
    for k in &a.key_files {
        s.add_key_file(k);
    }
    execute(s, &provider, &a.certify, a.json, true)
}

/// The crypto-erase results as JSON.
pub(super) fn results_json(
    results: &[(PathBuf, crypto_erase::Outcome, Option<Issued>)],
) -> serde_json::Value {
    results
        .iter()
        .map(|(p, o, c)| {
            json!({
                "target": p,
                "complete": o.complete(),
                "outcome": o,
                "certificate": c.as_ref().map(|c| json!({"path": c.path, "ledger_seq": c.ledger_seq, "nist_level": c.nist_level})),
            })
        })
        .collect()
}

/// What `kagi erase crypto` prints.
pub(super) fn print_results(e: &Ended, json: bool) -> Result<(), CliError> {
    if json {
        let mut out = json!({"complete": e.all_ok && e.stopped.is_empty() && e.first_error.is_none(), "key_files_destroyed": e.key_files_destroyed, "results": results_json(&e.crypto)});
        if !e.stopped.is_empty() {
            out["interrupted"] = e
                .stopped
                .iter()
                .map(|(p, s)| json!({"target": p, "done": s.done}))
                .collect();
        }
        return print_json(&out);
    }
    let mut text = String::new();
    for (p, o, c) in &e.crypto {
        render(&mut text, p, o, c.as_ref());
    }
    for k in &e.key_files_destroyed {
        let _ = writeln!(
            text,
            "key file destroyed: {k} (overwritten, verified, removed)"
        );
    }
    print(&text)
}

pub(super) fn render(
    s: &mut String,
    path: &Path,
    o: &crypto_erase::Outcome,
    cert: Option<&Issued>,
) {
    let f = &o.found;
    let _ = writeln!(
        s,
        "{}: {} — {}",
        if o.complete() {
            "crypto-erased"
        } else {
            "FAILED"
        },
        path.display(),
        f.format
    );
    let _ = writeln!(
        s,
        "  destroyed:   bytes 0..{} ({} {}), overwritten with a random keystream and read back{}",
        f.area.end,
        f.key_holders,
        match f.format {
            Format::KagiEnvelope => "recipient(s)",
            Format::Luks1 => "keyslot(s), the header",
            Format::Luks2 => "keyslot(s), both headers",
        },
        if o.report.complete() {
            " equal"
        } else {
            " WITH ERRORS"
        }
    );
    let _ = writeln!(
        s,
        "  header:      {}",
        if o.header_gone {
            "no longer parses"
        } else {
            "STILL PARSES"
        }
    );
    for (what, e) in [
        ("first write error", &o.report.first_write_error),
        ("first read error", &o.report.first_read_error),
    ] {
        if let Some(e) = e {
            let _ = writeln!(s, "  {what}: {e}");
        }
    }
    let d = &o.data;
    if d.readable_data() {
        let _ = writeln!(
            s,
            "  left:        bytes {}..{}, NOT ciphertext: {} of {} sampled sectors hold readable data (the first at byte {}); it was not erased and stays readable",
            f.data.start,
            f.data.end,
            d.readable,
            d.sectors,
            d.first_readable.unwrap_or_default()
        );
    } else {
        let _ = writeln!(
            s,
            "  left:        bytes {}..{}, not overwritten: {} of {} sampled sectors look like ciphertext, {} were never written (one repeated byte)",
            f.data.start, f.data.end, d.ciphertext_like, d.sectors, d.unwritten
        );
    }
    if f.format != Format::KagiEnvelope {
        s.push_str("  warning:     LUKS header backups (cryptsetup luksHeaderBackup) and keys held elsewhere defeat this: destroy them too\n");
    } else {
        s.push_str("  warning:     other copies of this envelope can still be opened by its recipients: destroy them too, or use --key-file for key-file recipients\n");
    }
    if let Some(c) = cert {
        let _ = writeln!(
            s,
            "  certificate: {} (signed; NIST SP 800-88 {}; ledger entry {})",
            c.path.display(),
            c.nist_level,
            c.ledger_seq
        );
    }
}
