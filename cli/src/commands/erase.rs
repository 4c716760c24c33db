//! `kagi erase list | run | resume | verify`: arguments, confirmation, progress and printing.
//! What is checked, in which order, and what happens to journals, certificates and the ledger
//! is `erase::session`'s.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crypto_core::Provider;
use erase::certify::Issued;
use erase::engine::{self, Plan, Progress, Report, State};
use erase::method::Method;
use erase::session::{self, Done, Job, Observer, Session};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;

use super::certify;
use super::key::provider;
use crate::Outcome;
use crate::args::{CertifyArgs, EraseCommand};
use crate::output::{CliError, print, print_json};

/// An erase error as the CLI reports it: an erasure that did not complete, or a policy
/// refusal, answers "no" (exit 1); anything else is an error (exit 2).
pub(super) fn err(e: erase::Error) -> CliError {
    match e {
        erase::Error::Incomplete(m) => CliError::No(m),
        // A policy refusal answers "no" (exit 1), as everywhere in kagi.
        erase::Error::Crypto(c) => CliError::Crypto(c),
        e => CliError::Msg(e.to_string()),
    }
}

fn state_dir(a: crate::args::StateArgs) -> PathBuf {
    a.state_dir.unwrap_or_else(erase::state_dir::default_dir)
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
            let dir = state_dir(state);
            if certify.asset_tags.len() > targets.len() {
                return Err(CliError::Msg(format!(
                    "{} asset tags for {} targets",
                    certify.asset_tags.len(),
                    targets.len()
                )));
            }
            let config = certify::config(&certify, None)?;
            session::check_plan(&plan, &config).map_err(err)?;
            // Every target is checked, confirmed and opened before anything is written, so a
            // refusal of one leaves all untouched; then they run in parallel.
            session::distinct(&targets).map_err(err)?;
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
            let mut s = Session::new(&provider, &dir);
            for (i, path) in targets.iter().enumerate() {
                let mut cfg = config.clone();
                if let Some(tag) = certify.asset_tags.get(i) {
                    cfg.asset_tag = Some(tag.clone());
                }
                let job = s.add_run(path, &plan, restart, cfg).map_err(err)?;
                confirm_job(job, yes, &described)?;
            }
            execute(s, &provider, &certify, json, false)
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
            let dir = state_dir(state);
            let mut s = Session::new(&provider, &dir);
            for (journal, entry) in session::pending(&dir, &targets).map_err(err)? {
                let st = &entry.state;
                let described = match &entry.crypto {
                    Some(c) => format!(
                        "resuming the crypto-erase of its {} key area (bytes 0..{}), at {}",
                        c.found.format,
                        c.found.area.end,
                        session::standing(st)
                    ),
                    None => format!(
                        "resuming method {} ({}), verify {}, at {}",
                        st.scheme,
                        st.passes.join(", "),
                        st.verify,
                        session::standing(st)
                    ),
                };
                let cfg = certify::config(&certify, entry.certify.clone())?;
                let job = s.add_resume(journal, entry, cfg).map_err(err)?;
                confirm_job(job, yes, &described)?;
            }
            execute(s, &provider, &certify, json, false)
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
            attested: session::Attestations {
                encrypted_from_first_write: attest_encrypted_from_first_write,
                no_key_copies: attest_no_key_copies,
            },
            key_files,
            yes,
            state_dir: state_dir(state),
            certify,
            policy,
            json,
        }),
        EraseCommand::Verify {
            target,
            expect,
            policy,
            json,
        } => {
            let method: Method = expect.parse().map_err(err)?;
            let provider = provider(&policy)?;
            let mut t = erase::target::open(&target, false).map_err(err)?;
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

/// Shows the operator what is about to happen to a prepared job and, without `--yes`, asks
/// for confirmation.
fn confirm_job(job: &Job, yes: bool, plan: &str) -> Result<(), CliError> {
    eprintln!(
        "kagi: {}",
        summary(
            job.path(),
            job.real(),
            job.device(),
            job.size(),
            plan,
            job.crypto().is_some()
        )
    );
    if !yes {
        confirm(job.path(), job.device().and_then(|d| d.serial.as_deref()))?;
    }
    Ok(())
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

/// Progress as bars on a terminal, or JSON lines on stderr with `--json`; notices as
/// `kagi: …` lines. A crypto-erase (a few MiB) shows no progress.
struct Show {
    _multi: Option<MultiProgress>,
    bars: Vec<Option<ProgressBar>>,
    names: Vec<String>,
    shown: Vec<bool>,
    json: bool,
    last: Mutex<Vec<(Instant, &'static str)>>,
}

impl Show {
    fn new(jobs: &[Job], json: bool) -> Show {
        let multi = (!json && std::io::stderr().is_terminal()).then(MultiProgress::new);
        let shown: Vec<bool> = jobs.iter().map(|j| j.crypto().is_none()).collect();
        let bars = jobs
            .iter()
            .zip(&shown)
            .map(|(j, &on)| {
                multi
                    .as_ref()
                    .filter(|_| on)
                    .map(|m| m.add(bar_for(j.path(), j.state().report.size)))
            })
            .collect();
        Show {
            _multi: multi,
            bars,
            names: jobs
                .iter()
                .map(|j| j.path().display().to_string())
                .collect(),
            shown,
            json,
            last: Mutex::new(vec![(Instant::now(), ""); jobs.len()]),
        }
    }
}

impl Observer for Show {
    fn progress(&self, job: usize, p: &Progress) {
        if let Some(b) = &self.bars[job] {
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
        } else if self.json && self.shown[job] {
            let now = Instant::now();
            let Ok(mut last) = self.last.lock() else {
                return;
            };
            let l = &mut last[job];
            if p.phase == "checkpoint"
                || p.phase != l.1
                || now.duration_since(l.0) >= Duration::from_millis(500)
            {
                *l = (now, p.phase);
                eprintln!(
                    "{}",
                    json!({"event": if p.phase == "checkpoint" { "checkpoint" } else { "progress" },
                        "target": self.names[job], "pass": p.pass, "passes": p.passes,
                        "phase": p.phase, "done": p.done, "total": p.total})
                );
            }
        }
    }

    fn notice(&self, _job: usize, text: &str) {
        eprintln!("kagi: {text}");
    }

    fn ended(&self, job: usize, stopped: bool) {
        if let Some(b) = &self.bars[job] {
            // An interrupted run's bar stays where it stopped (finish() would draw it at 100 %).
            if stopped {
                b.abandon();
            } else {
                b.finish();
            }
        }
    }
}

/// What the jobs of one command ended with, for printing.
#[derive(Default)]
pub(super) struct Ended {
    pub all_ok: bool,
    pub reports: Vec<(Report, Option<Issued>)>,
    pub crypto: Vec<(PathBuf, erase::crypto_erase::Outcome, Option<Issued>)>,
    pub stopped: Vec<(PathBuf, State)>,
    pub first_error: Option<CliError>,
    pub key_files_destroyed: Vec<String>,
}

/// Runs a prepared session: credentials read (the passphrase asked) before anything is
/// written, signals caught, every job run by the library, then the results printed.
/// `crypto` chooses the output of `kagi erase crypto`.
pub(super) fn execute(
    s: Session<'_>,
    provider: &Provider,
    args: &CertifyArgs,
    json: bool,
    crypto: bool,
) -> Result<Outcome, CliError> {
    let creds = match s.wanted_certificate().map_err(err)? {
        Some(c) => Some(certify::credentials(c, args, provider)?),
        None => {
            eprintln!(
                "kagi: no deletion certificate will be issued (give --sign-key and --sign-cert, or --certificate-config)"
            );
            None
        }
    };
    let show = Show::new(s.jobs(), json);
    let stop = stop_flag()?;
    let ran = s.run(creds.as_ref(), &stop, &show).map_err(err)?;
    let mut e = Ended {
        all_ok: true,
        key_files_destroyed: ran.key_files_destroyed,
        ..Ended::default()
    };
    for r in ran.jobs {
        match r.result {
            Ok(Done::Overwritten {
                report,
                certificate,
            }) => {
                e.all_ok &= report.complete();
                e.reports.push((report, certificate));
            }
            Ok(Done::CryptoErased {
                outcome,
                certificate,
            }) => {
                e.all_ok &= outcome.complete();
                e.crypto.push((r.path, outcome, certificate));
            }
            Ok(Done::Stopped { state }) => e.stopped.push((r.path, state)),
            Err(x) => {
                e.first_error.get_or_insert(err(x));
            }
        }
    }
    if crypto {
        super::crypto_erase::print_results(&e, json)?;
    } else {
        print_results(&e, json)?;
    }
    if let Some(x) = e.first_error {
        return Err(x);
    }
    if !e.stopped.is_empty() {
        let what: Vec<String> = e
            .stopped
            .iter()
            .map(|(p, s)| format!("{} ({})", p.display(), session::standing(s)))
            .collect();
        return Err(CliError::Msg(format!(
            "interrupted: {}; `kagi erase resume` continues from the last verified checkpoint",
            what.join(", ")
        )));
    }
    Ok(if e.all_ok { Outcome::Yes } else { Outcome::No })
}

fn print_results(e: &Ended, json: bool) -> Result<(), CliError> {
    if json {
        let interrupted: Vec<_> = e
            .stopped
            .iter()
            .map(|(p, s)| json!({"target": p, "pass": s.pass + 1, "passes": s.passes.len(), "done": s.done}))
            .collect();
        let reports: Vec<_> = e.reports.iter().map(|(r, _)| r).collect();
        let certs: Vec<_> = e
            .reports
            .iter()
            .map(|(_, c)| {
                c.as_ref()
                    .map(|c| json!({"path": c.path, "ledger_seq": c.ledger_seq}))
            })
            .collect();
        let mut out = json!({"complete": e.all_ok && e.stopped.is_empty() && e.first_error.is_none(), "reports": reports, "certificates": certs, "interrupted": interrupted});
        if !e.crypto.is_empty() {
            out["crypto_erased"] = super::crypto_erase::results_json(&e.crypto);
        }
        print_json(&out)
    } else {
        let mut s = String::new();
        for (r, c) in &e.reports {
            s.push_str(&render(r));
            if let Some(c) = c {
                let _ = writeln!(
                    s,
                    "  certificate: {} (signed; ledger entry {})",
                    c.path.display(),
                    c.ledger_seq
                );
            }
        }
        for (p, o, c) in &e.crypto {
            super::crypto_erase::render(&mut s, p, o, c.as_ref());
        }
        print(&s)
    }
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
/// verification, and what becomes of a file and of a link (a crypto-erase leaves the file).
fn summary(
    path: &Path,
    real: &Path,
    device: Option<&erase::discover::BlockDevice>,
    size: u64,
    plan: &str,
    crypto: bool,
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
        None if crypto => {
            s.push_str(", a regular file (its key material is destroyed; the file stays)")
        }
        None => s.push_str(", a regular file (removed after it is overwritten and verified)"),
    }
    let _ = write!(s, "; {plan}");
    if is_link && device.is_none() && !crypto {
        let _ = write!(
            s,
            "; {} is a symbolic link: {} is erased and removed, the link itself is left in place",
            path.display(),
            real.display()
        );
    }
    s
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
