//! `kagi erase list | run | resume | verify`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crypto_core::Provider;
use erase::engine::{self, Ended, Plan, Report, State};
use erase::journal::{self, Identity, Journal};
use erase::method::Method;
use erase::target::{Device, RegularFile, Target};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;

use super::certify::{self, CertConfig, Credentials};
use super::key::provider;
use crate::Outcome;
use crate::args::{CertifyArgs, EraseCommand};
use crate::output::{CliError, print, print_json};
use crypto_core::cms::Signer;
use erase::certificate::DeviceRecord;
use erase::ledger::Ledger;

pub(super) fn err(e: erase::Error) -> CliError {
    CliError::Msg(e.to_string())
}

pub fn run(cmd: EraseCommand) -> Result<Outcome, CliError> {
    match cmd {
        EraseCommand::List { json } => list(json),
        EraseCommand::Run {
            targets,
            method,
            passes,
            verify,
            yes,
            restart,
            discard,
            state,
            certify,
            policy,
            json,
        } => {
            let verify: engine::Verify = verify.parse().map_err(err)?;
            let mut plan =
                Plan::parse(method.as_deref(), passes.as_deref(), verify).map_err(err)?;
            plan.discard = discard;
            let provider = provider(&policy)?;
            let dir = state.state_dir.unwrap_or_else(journal::default_dir);
            if certify.asset_tags.len() > targets.len() {
                return Err(CliError::Msg(format!(
                    "{} asset tags for {} targets",
                    certify.asset_tags.len(),
                    targets.len()
                )));
            }
            let config = CertConfig::from_args(&certify, None)?;
            if config.wanted() && verify == engine::Verify::Off {
                return Err(CliError::Msg(
                    "a deletion certificate is issued only for a verified run: --verify off gets none; use full or sample".into(),
                ));
            }
            // Every target is checked, confirmed and opened before anything is written, so a
            // refusal of one leaves all untouched; then they run in parallel.
            distinct(&targets)?;
            let described = format!(
                "method {} ({} pass{}: {}), verify {}",
                plan.name,
                plan.passes.len(),
                if plan.passes.len() == 1 { "" } else { "es" },
                plan.passes
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                plan.verify
            );
            let mut jobs = Vec::new();
            for (i, path) in targets.iter().enumerate() {
                let identity = Identity::of(path).map_err(err)?;
                let journal = Journal::new(&dir, &identity.path);
                if let Some(entry) = journal.load().map_err(err)? {
                    if !restart {
                        return Err(CliError::Msg(format!(
                            "{}: an interrupted run is pending ({}); `kagi erase resume {}` continues it, --restart starts again",
                            path.display(),
                            standing(&entry.state),
                            path.display()
                        )));
                    }
                }
                let Opened {
                    is_file,
                    device,
                    target,
                } = prepare(path, yes, &described)?;
                let state = State::new(target.as_ref(), &plan).map_err(err)?;
                let mut cfg = config.clone();
                if let Some(tag) = certify.asset_tags.get(i) {
                    cfg.asset_tag = Some(tag.clone());
                }
                jobs.push(Job {
                    path: path.clone(),
                    is_file,
                    device,
                    identity,
                    journal,
                    state,
                    target,
                    certify: cfg,
                });
            }
            execute(jobs, &provider, &certify, &dir, json)
        }
        EraseCommand::Resume {
            targets,
            yes,
            state,
            certify,
            policy,
            json,
        } => {
            let provider = provider(&policy)?;
            let dir = state.state_dir.unwrap_or_else(journal::default_dir);
            let pending: Vec<(Journal, journal::Entry)> = if targets.is_empty() {
                let all = Journal::pending(&dir).map_err(err)?;
                if all.is_empty() {
                    return Err(CliError::Msg(format!(
                        "no interrupted erase runs in {}",
                        dir.display()
                    )));
                }
                all
            } else {
                targets
                    .iter()
                    .map(|path| {
                        let identity = Identity::of(path).map_err(err)?;
                        let journal = Journal::new(&dir, &identity.path);
                        match journal.load().map_err(err)? {
                            Some(entry) => Ok((journal, entry)),
                            None => Err(CliError::Msg(format!(
                                "{}: no interrupted run in {}",
                                path.display(),
                                dir.display()
                            ))),
                        }
                    })
                    .collect::<Result<_, _>>()?
            };
            let mut jobs = Vec::new();
            for (journal, entry) in pending {
                let path = PathBuf::from(&entry.identity.path);
                let now = Identity::of(&path).map_err(err)?;
                if let Some(why) = entry.identity.mismatch(&now) {
                    return Err(CliError::Msg(format!(
                        "{}: not the target the journal {} was written for: {why}; nothing was written",
                        path.display(),
                        journal.path().display()
                    )));
                }
                let described = format!(
                    "resuming method {} ({}), verify {}, at {}",
                    entry.state.scheme,
                    entry.state.passes.join(", "),
                    entry.state.verify,
                    standing(&entry.state)
                );
                let Opened {
                    is_file,
                    device,
                    target,
                } = prepare(&path, yes, &described)?;
                let mut state = entry.state;
                state.resuming();
                let base = entry.certify.as_ref().and_then(CertConfig::from_value);
                let cfg = CertConfig::from_args(&certify, base)?;
                jobs.push(Job {
                    path,
                    is_file,
                    device,
                    identity: entry.identity,
                    journal,
                    state,
                    target,
                    certify: cfg,
                });
            }
            execute(jobs, &provider, &certify, &dir, json)
        }
        EraseCommand::Crypto {
            targets,
            attest_encrypted_from_first_write,
            attest_no_key_copies,
            key_files,
            yes,
            state,
            certify,
            policy,
            json,
        } => super::crypto_erase::run(&super::crypto_erase::Args {
            targets,
            first_write: attest_encrypted_from_first_write,
            no_copies: attest_no_key_copies,
            key_files,
            yes,
            state_dir: state.state_dir.unwrap_or_else(journal::default_dir),
            certify,
            policy,
            json,
        }),
        EraseCommand::Verify {
            target,
            expect,
            json,
        } => {
            let method: Method = expect.parse().map_err(err)?;
            let provider = crypto_core::Provider::egov()?;
            let mut t = open_target(&target, false)?;
            let r = engine::check(&provider, t.as_mut(), &method, &mut |_| {}).map_err(err)?;
            if json {
                print_json(&r)?;
            } else {
                print(&render(&r))?;
            }
            Ok(if r.complete() {
                Outcome::Yes
            } else {
                Outcome::No
            })
        }
    }
}

/// "pass 1 of 3, 256 of 1024 MiB verified".
fn standing(s: &State) -> String {
    format!(
        "pass {} of {}, {} of {} MiB done",
        (s.pass + 1).min(s.passes.len()),
        s.passes.len(),
        s.done >> 20,
        s.report.size >> 20
    )
}

/// One target, ready to run: checked, confirmed, opened, its journal and state at hand.
struct Job {
    path: PathBuf,
    is_file: bool,
    device: Option<erase::discover::BlockDevice>,
    identity: Identity,
    journal: Journal,
    state: State,
    target: Box<dyn Target>,
    /// The certificate this run gets when it completes, if one was asked for.
    certify: CertConfig,
}

enum Done {
    Finished(Report, Option<(PathBuf, u64)>),
    Stopped(PathBuf, State),
}

/// The signer all jobs share, ready before anything is written.
struct Issuer<'a> {
    signer: Signer<'a>,
    creds: &'a Credentials,
    ledger: PathBuf,
}

/// Ctrl-C, SIGTERM and SIGHUP set the flag (the engine stops between I/Os and the journal
/// keeps the last checkpoint); a second signal ends the process at once (exit 130).
fn stop_flag() -> Result<Arc<AtomicBool>, CliError> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&flag))?;
        signal_hook::flag::register(sig, Arc::clone(&flag))?;
    }
    Ok(flag)
}

fn execute(
    jobs: Vec<Job>,
    provider: &Provider,
    args: &CertifyArgs,
    state_dir: &Path,
    json: bool,
) -> Result<Outcome, CliError> {
    // Certificates: the key is unlocked and the signer checked against the policy now, before
    // anything is written. All targets of one command share one signer.
    let wanted: Vec<&CertConfig> = jobs
        .iter()
        .map(|j| &j.certify)
        .filter(|c| c.wanted())
        .collect();
    if let Some(first) = wanted.first() {
        if wanted.len() != jobs.len()
            || wanted
                .iter()
                .any(|c| (&c.sign_key, &c.sign_cert) != (&first.sign_key, &first.sign_cert))
        {
            return Err(CliError::Msg(
                "these runs name different signing keys; resume them one at a time".into(),
            ));
        }
        for c in &wanted {
            c.context()?;
        }
    } else {
        eprintln!(
            "kagi: no deletion certificate will be issued (give --sign-key and --sign-cert, or --certificate-config)"
        );
    }
    let creds = match wanted.first() {
        Some(c) => Some(Credentials::load(c, args, provider)?),
        None => None,
    };
    let issuer = match &creds {
        Some(creds) => Some(Issuer {
            signer: creds.signer(provider)?,
            creds,
            ledger: Ledger::in_dir(state_dir).path().to_path_buf(),
        }),
        None => None,
    };
    let issuer = issuer.as_ref();
    if let Some(i) = issuer {
        for c in &wanted {
            certify::check_issuing(provider, c, &i.ledger)?;
        }
    }
    let stop = stop_flag()?;
    let bars = (!json && std::io::stderr().is_terminal()).then(MultiProgress::new);
    let results: Vec<Result<Done, CliError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .into_iter()
            .map(|job| {
                let stop = &stop;
                let bar = bars
                    .as_ref()
                    .map(|m| m.add(bar_for(&job.path, job.state.report.size)));
                scope.spawn(move || one(job, provider, issuer, stop, json, bar))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(CliError::Msg("an erase thread panicked".into())))
            })
            .collect()
    });
    let mut all_ok = true;
    let mut reports = Vec::new();
    let mut certificates = Vec::new();
    let mut stopped = Vec::new();
    let mut first_error = None;
    for r in results {
        match r {
            Ok(Done::Finished(r, cert)) => {
                all_ok &= r.complete();
                certificates.push(cert);
                reports.push(r);
            }
            Ok(Done::Stopped(path, state)) => stopped.push((path, state)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if json {
        let interrupted: Vec<_> = stopped
            .iter()
            .map(|(p, s)| json!({"target": p, "pass": s.pass + 1, "passes": s.passes.len(), "done": s.done}))
            .collect();
        let certs: Vec<_> = certificates
            .iter()
            .map(|c| {
                c.as_ref()
                    .map(|(p, seq)| json!({"path": p, "ledger_seq": seq}))
            })
            .collect();
        print_json(
            &json!({"complete": all_ok && stopped.is_empty() && first_error.is_none(), "reports": reports, "certificates": certs, "interrupted": interrupted}),
        )?;
    } else {
        let mut s = String::new();
        for (r, c) in reports.iter().zip(&certificates) {
            s.push_str(&render(r));
            if let Some((p, seq)) = c {
                let _ = writeln!(
                    s,
                    "  certificate: {} (signed; ledger entry {seq})",
                    p.display()
                );
            }
        }
        print(&s)?;
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if !stopped.is_empty() {
        let what: Vec<String> = stopped
            .iter()
            .map(|(p, s)| format!("{} ({})", p.display(), standing(s)))
            .collect();
        return Err(CliError::Msg(format!(
            "interrupted: {}; `kagi erase resume` continues from the last verified checkpoint",
            what.join(", ")
        )));
    }
    Ok(if all_ok { Outcome::Yes } else { Outcome::No })
}

fn bar_for(path: &Path, size: u64) -> ProgressBar {
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} {msg:14} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(path.display().to_string());
    bar
}

/// Runs one job to its end or to a stop, keeping the journal after every checkpoint.
fn one(
    mut job: Job,
    provider: &Provider,
    issuer: Option<&Issuer<'_>>,
    stop: &AtomicBool,
    json: bool,
    bar: Option<ProgressBar>,
) -> Result<Done, CliError> {
    // The journal exists before the first byte is written: a crash at any point can resume.
    let certify = job
        .certify
        .wanted()
        .then(|| job.certify.to_value())
        .flatten();
    job.journal
        .save(&job.identity, &job.state, certify.as_ref())
        .map_err(err)?;
    let name = job.path.display().to_string();
    let mut last = (std::time::Instant::now(), "");
    let mut progress = |p: engine::Progress| {
        if let Some(b) = &bar {
            if b.length() != Some(p.total) {
                b.set_length(p.total);
            }
            // Windows are written, then read back: the bar follows the writes (it never moves
            // backwards) and the message says which phase is running.
            if p.phase != "checkpoint" {
                b.set_message(format!("pass {}/{} {}", p.pass, p.passes, p.phase));
            }
            if p.phase != "verify" {
                b.set_position(p.done);
            }
        } else if json {
            let now = std::time::Instant::now();
            if p.phase == "checkpoint"
                || p.phase != last.1
                || now.duration_since(last.0) >= std::time::Duration::from_millis(500)
            {
                last = (now, p.phase);
                eprintln!(
                    "{}",
                    json!({"event": if p.phase == "checkpoint" { "checkpoint" } else { "progress" },
                        "target": name, "pass": p.pass, "passes": p.passes,
                        "phase": p.phase, "done": p.done, "total": p.total})
                );
            }
        }
    };
    let (journal, identity, certify) = (&job.journal, &job.identity, certify.as_ref());
    let ended = engine::run(
        provider,
        job.target.as_mut(),
        &mut job.state,
        stop,
        &mut |s| journal.save(identity, s, certify),
        &mut progress,
    )
    .map_err(err)?;
    if let Some(b) = &bar {
        // An interrupted run's bar stays where it stopped (finish() would draw it at 100 %).
        if ended == Ended::Stopped {
            b.abandon();
        } else {
            b.finish();
        }
    }
    if ended == Ended::Stopped {
        return Ok(Done::Stopped(job.path, job.state));
    }
    // A complete run gets its certificate before the journal goes: if issuing fails, the
    // journal (now finished) stays, and `kagi erase resume` issues it.
    let mut issued = None;
    if job.state.report.complete()
        && let Some(issuer) = issuer
    {
        job.journal
            .save(&job.identity, &job.state, certify)
            .map_err(err)?;
        let device = match &job.device {
            Some(d) => DeviceRecord::from_device(d),
            None => DeviceRecord::from_file(&job.identity.path, job.state.report.size),
        };
        issued = Some(
            certify::issue(
                provider,
                &issuer.signer,
                issuer.creds,
                &job.certify,
                &issuer.ledger,
                &job.state.report,
                device,
            )
            .map_err(|e| {
                CliError::Msg(format!(
                    "{}: erased and verified, but {e}; `kagi erase resume {}` issues it",
                    job.path.display(),
                    job.path.display()
                ))
            })?,
        );
    }
    let report = job.state.report;
    job.journal.remove().map_err(err)?;
    let had_partitions = job
        .device
        .as_ref()
        .is_some_and(|d| !d.partitions.is_empty());
    if report.complete() && had_partitions {
        if let Err(e) = job.target.rescan() {
            eprintln!(
                "kagi: {}: the kernel still lists the old partitions ({e}); `partx -d {}` removes them",
                job.path.display(),
                job.path.display()
            );
        }
    }
    if report.complete() {
        if let Some(parent) = job.device.as_ref().and_then(|d| d.partition_of.as_deref()) {
            eprintln!(
                "kagi: {} is a partition of {parent}: only the partition was erased, not the rest of {parent}",
                job.path.display()
            );
        }
    }
    drop(job.target);
    finish(Path::new(&job.identity.path), job.is_file, &report)?;
    Ok(Done::Finished(report, issued))
}

pub(super) fn open_target(path: &Path, write: bool) -> Result<Box<dyn Target>, CliError> {
    let md = std::fs::metadata(path).map_err(|e| CliError::File {
        path: path.to_path_buf(),
        source: e,
    })?;
    if md.is_file() {
        return Ok(Box::new(RegularFile::open(path).map_err(err)?));
    }
    let dev = if write {
        Device::open(path)
    } else {
        Device::open_read_only(path)
    };
    Ok(Box::new(dev.map_err(err)?))
}

pub(super) fn confirm(path: &Path, serial: Option<&str>) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Msg(format!(
            "{}: erasing destroys everything on it; confirm at a terminal, or pass --yes in scripts",
            path.display()
        )));
    }
    let want = match serial {
        Some(s) => format!("{} {s}", path.display()),
        None => path.display().to_string(),
    };
    eprint!(
        "Everything on {} will be destroyed. Type `{want}` to continue: ",
        path.display()
    );
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    if line.trim() != want {
        return Err(CliError::Msg("not confirmed; nothing was written".into()));
    }
    Ok(())
}

/// A target that passed the safety checks and confirmation, opened for writing.
struct Opened {
    is_file: bool,
    device: Option<erase::discover::BlockDevice>,
    target: Box<dyn Target>,
}

/// `1073741824 bytes (1.07 GB, 1.00 GiB)`.
pub(super) fn size_words(bytes: u64) -> String {
    format!(
        "{bytes} bytes ({:.2} GB, {:.2} GiB)",
        bytes as f64 / 1e9,
        bytes as f64 / (1u64 << 30) as f64
    )
}

/// What is about to happen to `path`, as the operator must see it before confirming: the real
/// target behind a symbolic link, its size, model, serial and kind, the method, passes and
/// verification, and what becomes of a file and of a link.
fn summary(
    path: &Path,
    real: &Path,
    device: Option<&erase::discover::BlockDevice>,
    size: u64,
    plan: &str,
) -> String {
    let mut s = format!("{}", path.display());
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        let _ = write!(s, " → {}", real.display());
    }
    let _ = write!(s, ": {}", size_words(size));
    match device {
        Some(d) => {
            let kind = if d.transport == "loop" {
                format!(
                    "loopback device over {}",
                    d.backing_file.as_deref().unwrap_or("?")
                )
            } else {
                format!(
                    "{} {}",
                    d.transport,
                    if d.rotational {
                        "rotational"
                    } else {
                        "solid-state"
                    }
                )
            };
            let _ = write!(
                s,
                ", {kind}, model {}, serial {}",
                d.model.as_deref().unwrap_or("(none reported)"),
                d.serial.as_deref().unwrap_or("(none reported)")
            );
            if let Some(parent) = &d.partition_of {
                let _ = write!(s, ", a partition of {parent}");
            }
        }
        None => s.push_str(", a regular file (removed after it is overwritten and verified)"),
    }
    let _ = write!(s, "; {plan}");
    if is_link && device.is_none() {
        let _ = write!(
            s,
            "; {} is a symbolic link: {} is erased and removed, the link itself is left in place",
            path.display(),
            real.display()
        );
    }
    s
}

/// Safety checks, confirmation and opening, before anything is written. `plan` describes the
/// method, passes and verification for the confirmation.
fn prepare(path: &Path, yes: bool, plan: &str) -> Result<Opened, CliError> {
    let file_err = |e| CliError::File {
        path: path.to_path_buf(),
        source: e,
    };
    let real = std::fs::canonicalize(path).map_err(file_err)?;
    let md = std::fs::metadata(&real).map_err(file_err)?;
    let is_file = md.is_file();
    let device = if is_file {
        if let Some(why) = erase::safety::file_refusal(&real) {
            return Err(err(erase::Error::Refused(path.display().to_string(), why)));
        }
        None
    } else {
        Some(erase::safety::check(path).map_err(err)?)
    };
    let target = open_target(&real, true)?;
    eprintln!(
        "kagi: {}",
        summary(path, &real, device.as_ref(), target.size(), plan)
    );
    if !yes {
        confirm(path, device.as_ref().and_then(|d| d.serial.as_deref()))?;
    }
    Ok(Opened {
        is_file,
        device,
        target,
    })
}

/// The real paths of `targets`, refusing one named twice (under any name).
fn distinct(targets: &[PathBuf]) -> Result<(), CliError> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for t in targets {
        let real = std::fs::canonicalize(t).map_err(|e| CliError::File {
            path: t.clone(),
            source: e,
        })?;
        if let Some((_, first)) = seen.iter().find(|(r, _)| *r == real) {
            return Err(CliError::Msg(format!(
                "{} is named twice ({} and {} are the same target); name each target once; nothing was written",
                real.display(),
                first.display(),
                t.display()
            )));
        }
        seen.push((real, t));
    }
    Ok(())
}

/// A regular file is removed after a complete run, with the caveat. `path` is the erased file
/// itself (a symbolic link naming it is left alone).
fn finish(path: &Path, is_file: bool, r: &Report) -> Result<(), CliError> {
    if is_file && r.complete() {
        std::fs::remove_file(path).map_err(|e| CliError::File {
            path: path.to_path_buf(),
            source: e,
        })?;
        eprintln!(
            "kagi: {}: overwritten, verified and removed. On copy-on-write or journalled file systems and on flash, file-level overwrite may not reach every copy of the data: erase the whole medium for assurance.",
            path.display()
        );
    }
    Ok(())
}

fn render(r: &Report) -> String {
    let mut s = format!(
        "{}: {}\n",
        match (r.complete(), r.read_only) {
            (true, false) => "complete",
            (true, true) => "holds",
            (false, false) => "FAILED",
            (false, true) => "DIFFERS",
        },
        r.target
    );
    let _ = writeln!(
        s,
        "  method:      {} ({} bytes)",
        erase::method::abbreviate(&r.method),
        r.size
    );
    for (i, p) in r.passes.iter().enumerate() {
        for seg in &p.segments {
            if let Some(c) = &seg.key_commitment {
                let _ = writeln!(
                    s,
                    "  pass {} {}: bytes {}..{}, key commitment sha256:{c}",
                    i + 1,
                    p.method,
                    seg.start,
                    seg.end
                );
            }
        }
    }
    if r.passes
        .iter()
        .any(|p| p.segments.iter().any(|x| x.key_commitment.is_some()))
    {
        s.push_str("  (random keys are never stored; a resumed pass continues with a new key)\n");
    }
    let _ = writeln!(
        s,
        "  verify:      {}{}{}",
        r.verification,
        if r.passes.len() > 1 {
            " (last pass)"
        } else {
            ""
        },
        r.sample_seed
            .map(|x| format!(" (seed {x:#018x})"))
            .unwrap_or_default()
    );
    let direct = if r.direct_io {
        " (direct I/O, not the page cache)"
    } else {
        ""
    };
    let bytes = |v: &[engine::Range]| v.iter().map(|x| x.end - x.start).sum::<u64>();
    if r.read_only {
        // `kagi erase verify` wrote nothing: it read and compared.
        let _ = writeln!(
            s,
            "  read:        {} of {} bytes, compared with what `{}` writes{direct}",
            r.bytes_verified,
            r.size,
            erase::method::abbreviate(&r.method)
        );
    } else if r.complete() {
        let _ = writeln!(
            s,
            "  written:     {} bytes; verified: {} bytes{direct}",
            r.bytes_written, r.bytes_verified
        );
    } else {
        // A failed run: what was done, and what failed, never a bare "verified".
        let planned = r.size * r.passes.len() as u64;
        let _ = writeln!(
            s,
            "  written:     {} of {planned} bytes ({} bytes could not be written)",
            r.bytes_written,
            bytes(&r.write_failures)
        );
        let _ = writeln!(
            s,
            "  read back:   {} of {} planned bytes{direct}: {} bytes differ from what was written, {} bytes unreadable{} — not verified",
            r.bytes_verified,
            r.verify_planned,
            bytes(&r.mismatches),
            bytes(&r.read_failures),
            match r.recheck.as_ref().map(|c| bytes(&c.changed)) {
                Some(n) if n > 0 => format!(", {n} bytes changed since they were verified"),
                _ => String::new(),
            }
        );
    }
    for (what, e) in [
        ("first write error", &r.first_write_error),
        ("first read error", &r.first_read_error),
    ] {
        if let Some(e) = e {
            let _ = writeln!(s, "  {what}: {e}");
        }
    }
    if let Some(c) = &r.recheck {
        if c.changed.is_empty() {
            let _ = writeln!(
                s,
                "  re-checked:  {} window(s) verified before the interruption, {} bytes re-read: unchanged ({} digests{})",
                c.windows,
                c.bytes,
                c.algorithm,
                by_content(c)
            );
        } else {
            for x in &c.changed {
                let _ = writeln!(
                    s,
                    "  CHANGED:     window bytes {}..{} no longer reads back as when it was verified before the interruption ({} digest differs, or, with no digest recorded, its content is not what the last pass writes)",
                    x.start, x.end, c.algorithm
                );
            }
        }
    }
    if let Some(d) = &r.discard {
        let _ = writeln!(s, "  discard:     {d}");
    }
    if !r.resumed.is_empty() {
        let _ = writeln!(
            s,
            "  started {}, resumed {} time(s), finished {}",
            r.started,
            r.resumed.len(),
            r.finished.as_deref().unwrap_or("-")
        );
    }
    for (what, ranges) in [
        ("not written", &r.write_failures),
        ("not readable", &r.read_failures),
        ("mismatch", &r.mismatches),
    ] {
        for x in ranges {
            let _ = writeln!(s, "  {what}: bytes {}..{}", x.start, x.end);
        }
    }
    s
}

fn list(json: bool) -> Result<Outcome, CliError> {
    let devices = erase::discover::list();
    if json {
        print_json(&devices)?;
        return Ok(Outcome::Yes);
    }
    let mut s = String::new();
    for d in &devices {
        let _ = writeln!(
            s,
            "{:<12} {:>14} bytes  {:<9} {}  model {}  serial {}{}",
            d.path,
            d.size,
            d.transport,
            if d.rotational {
                "rotational"
            } else {
                "solid-state"
            },
            d.model.as_deref().unwrap_or("-"),
            d.serial.as_deref().unwrap_or("-"),
            d.backing_file
                .as_deref()
                .map(|b| format!("  backing {b}"))
                .unwrap_or_default()
        );
        for p in &d.partitions {
            let _ = writeln!(s, "  └ /dev/{} {} bytes", p.name, p.size);
        }
        match &d.refused {
            Some(why) => {
                let _ = writeln!(s, "  refused: {why}");
            }
            None => s.push_str("  may be erased (name it explicitly)\n"),
        }
    }
    print(&s)?;
    Ok(Outcome::Yes)
}

/// How many re-checked windows had no recorded digest and were judged by their content.
fn by_content(c: &engine::Recheck) -> String {
    if c.by_content == 0 {
        String::new()
    } else {
        format!(
            "; {} window(s) had no recorded digest and were judged by their content",
            c.by_content
        )
    }
}
