//! `kagi erase crypto`: destroy the keys of LUKS volumes and kagi envelopes, with a certificate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use erase::certificate::{self, DeviceRecord, Document};
use erase::crypto_erase::{self, Format, KeyMaterial};
use erase::engine::{Plan, Verify};
use erase::ledger::Ledger;
use erase::target::{RegularFile, Target};
use serde_json::json;

use super::certify::{self, CertConfig, Credentials};
use super::erase::{confirm, err, open_target};
use super::key::provider;
use crate::Outcome;
use crate::args::{CertifyArgs, PolicyArgs};
use crate::output::{CliError, print, print_json};

pub struct Args {
    pub targets: Vec<PathBuf>,
    pub first_write: bool,
    pub no_copies: bool,
    pub key_files: Vec<PathBuf>,
    pub yes: bool,
    pub state_dir: PathBuf,
    pub certify: CertifyArgs,
    pub policy: PolicyArgs,
    pub json: bool,
}

struct Job {
    path: PathBuf,
    device: Option<erase::discover::BlockDevice>,
    target: Box<dyn Target>,
    found: KeyMaterial,
    sample: crypto_erase::DataSample,
    asset_tag: Option<String>,
}

pub fn run(a: &Args) -> Result<Outcome, CliError> {
    let provider = provider(&a.policy)?;
    let config = CertConfig::from_args(&a.certify, None)?;
    // Everything is checked, found, confirmed and unlocked before anything is written.
    for k in &a.key_files {
        super::envelope::check_key_file(k)?;
    }
    let mut jobs = Vec::new();
    for (i, path) in a.targets.iter().enumerate() {
        let md = std::fs::metadata(path).map_err(|e| CliError::File {
            path: path.clone(),
            source: e,
        })?;
        let device = if md.is_file() {
            None
        } else {
            Some(erase::safety::check(path).map_err(err)?)
        };
        let mut target = open_target(path, true)?;
        let found = crypto_erase::locate(target.as_mut()).map_err(err)?;
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
        // The data area, sampled before anything is written: data that is not ciphertext
        // survives a crypto-erase readable, and no level is claimed for it.
        let sample = crypto_erase::sample_data(target.as_mut(), found.data).map_err(err)?;
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
            confirm(path, device.as_ref().and_then(|d| d.serial.as_deref()))?;
        }
        jobs.push(Job {
            path: path.clone(),
            device,
            target,
            found,
            sample,
            asset_tag: a
                .certify
                .asset_tags
                .get(i)
                .cloned()
                .or(config.asset_tag.clone()),
        });
    }
    let creds = if config.wanted() {
        config.context()?;
        Some(Credentials::load(&config, &a.certify, &provider)?)
    } else {
        eprintln!(
            "kagi: no deletion certificate will be issued (give --sign-key and --sign-cert, or --certificate-config)"
        );
        None
    };
    let signer = match &creds {
        Some(c) => Some(c.signer(&provider)?),
        None => None,
    };
    if creds.is_some() {
        certify::check_issuing(&provider, &config, Ledger::in_dir(&a.state_dir).path())?;
    }

    // Key files first: they are shared by every envelope made for them.
    let mut destroyed_keys = Vec::new();
    for k in &a.key_files {
        let mut t = RegularFile::open(k).map_err(err)?;
        let plan = Plan::parse(Some("random"), None, Verify::Full).map_err(err)?;
        let r = erase::engine::run_plan(&provider, &mut t, &plan).map_err(err)?;
        drop(t);
        if !r.complete() {
            return Err(CliError::No(format!(
                "{}: the key file could not be overwritten and verified; it was kept",
                k.display()
            )));
        }
        std::fs::remove_file(k).map_err(|e| CliError::File {
            path: k.clone(),
            source: e,
        })?;
        destroyed_keys.push(
            std::path::absolute(k)
                .unwrap_or_else(|_| k.clone())
                .display()
                .to_string(),
        );
    }

    let mut all_ok = true;
    let mut text = String::new();
    let mut results = Vec::new();
    for mut job in jobs {
        let outcome = crypto_erase::run(&provider, job.target.as_mut(), &job.found, job.sample)
            .map_err(err)?;
        let complete = outcome.complete();
        all_ok &= complete;
        let mut cert = None;
        if complete && let (Some(creds), Some(signer)) = (&creds, &signer) {
            let device = match &job.device {
                Some(d) => DeviceRecord::from_device(d),
                None => DeviceRecord::from_file(
                    &std::path::absolute(&job.path)
                        .unwrap_or_else(|_| job.path.clone())
                        .display()
                        .to_string(),
                    job.target.size(),
                ),
            };
            let mut cfg = config.clone();
            cfg.asset_tag = job.asset_tag.clone();
            let doc = Document::from_crypto_erase(
                &provider,
                &outcome,
                device,
                cfg.context()?,
                a.first_write,
                a.no_copies,
                destroyed_keys.clone(),
                &certificate::signer_algorithms(signer),
            )
            .map_err(err)?;
            let level = doc.sanitization.nist_level.clone();
            let (p, seq) = certify::issue_document(
                &provider,
                signer,
                creds,
                &cfg,
                Ledger::in_dir(&a.state_dir).path(),
                doc,
            )?;
            cert = Some((p, seq, level));
        }
        render(&mut text, &job.path, &outcome, cert.as_ref());
        results.push(json!({
            "target": job.path,
            "complete": complete,
            "outcome": outcome,
            "certificate": cert.as_ref().map(|(p, s, l)| json!({"path": p, "ledger_seq": s, "nist_level": l})),
        }));
    }
    if a.json {
        print_json(
            &json!({"complete": all_ok, "key_files_destroyed": destroyed_keys, "results": results}),
        )?;
    } else {
        for k in &destroyed_keys {
            let _ = writeln!(
                text,
                "key file destroyed: {k} (overwritten, verified, removed)"
            );
        }
        print(&text)?;
    }
    Ok(if all_ok { Outcome::Yes } else { Outcome::No })
}

fn render(
    s: &mut String,
    path: &Path,
    o: &crypto_erase::Outcome,
    cert: Option<&(PathBuf, u64, String)>,
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
    if let Some((p, seq, level)) = cert {
        let _ = writeln!(
            s,
            "  certificate: {} (signed; NIST SP 800-88 {level}; ledger entry {seq})",
            p.display()
        );
    }
}
