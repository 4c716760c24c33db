//! `kagi erase list | run | verify`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use erase::engine::{self, Report};
use erase::method::Method;
use erase::target::{Device, RegularFile, Target};
use serde_json::json;

use super::key::provider;
use crate::Outcome;
use crate::args::EraseCommand;
use crate::output::{CliError, print, print_json};

fn err(e: erase::Error) -> CliError {
    CliError::Msg(e.to_string())
}

pub fn run(cmd: EraseCommand) -> Result<Outcome, CliError> {
    match cmd {
        EraseCommand::List { json } => list(json),
        EraseCommand::Run {
            targets,
            method,
            verify,
            yes,
            policy,
            json,
        } => {
            let method: Method = method.parse().map_err(err)?;
            let verify: engine::Verify = verify.parse().map_err(err)?;
            let provider = provider(&policy)?;
            // Every target is checked, confirmed and opened before anything is written, so a
            // refusal of one leaves all untouched; then they run in parallel.
            let prepared = targets
                .iter()
                .map(|t| prepare(t, yes))
                .collect::<Result<Vec<_>, _>>()?;
            let results: Vec<Result<Report, CliError>> = std::thread::scope(|scope| {
                let handles: Vec<_> = prepared
                    .into_iter()
                    .map(|mut p| {
                        let (provider, method) = (&provider, &method);
                        scope.spawn(move || {
                            let r = engine::run(
                                provider,
                                p.target.as_mut(),
                                method,
                                verify,
                                &mut |_| {},
                            )
                            .map_err(err)?;
                            drop(p.target);
                            finish(&p.path, p.is_file, &r)?;
                            Ok(r)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(CliError::Msg("an erase thread panicked".into()))
                        })
                    })
                    .collect()
            });
            let mut all_ok = true;
            let mut reports = Vec::new();
            for r in results {
                let r = r?;
                all_ok &= r.complete();
                reports.push(r);
            }
            if json {
                print_json(&json!({"complete": all_ok, "reports": reports}))?;
            } else {
                let mut s = String::new();
                for r in &reports {
                    s.push_str(&render(r));
                }
                print(&s)?;
            }
            Ok(if all_ok { Outcome::Yes } else { Outcome::No })
        }
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

fn open_target(path: &Path, write: bool) -> Result<Box<dyn Target>, CliError> {
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

fn confirm(path: &Path, serial: Option<&str>) -> Result<(), CliError> {
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

struct Prepared {
    path: std::path::PathBuf,
    is_file: bool,
    target: Box<dyn Target>,
}

/// Safety checks, confirmation and opening, before anything is written.
fn prepare(path: &Path, yes: bool) -> Result<Prepared, CliError> {
    let md = std::fs::metadata(path).map_err(|e| CliError::File {
        path: path.to_path_buf(),
        source: e,
    })?;
    let is_file = md.is_file();
    let serial = if is_file {
        None
    } else {
        erase::safety::check(path).map_err(err)?.serial
    };
    if !yes {
        confirm(path, serial.as_deref())?;
    }
    Ok(Prepared {
        path: path.to_path_buf(),
        is_file,
        target: open_target(path, true)?,
    })
}

/// A regular file is removed after a complete run, with the caveat.
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
        if r.complete() { "complete" } else { "FAILED" },
        r.target
    );
    let _ = writeln!(s, "  method:      {} ({} bytes)", r.method, r.size);
    if let Some(c) = &r.key_commitment {
        let _ = writeln!(
            s,
            "  key commitment: sha256:{c} (the key itself was never stored)"
        );
    }
    let _ = writeln!(
        s,
        "  verify:      {}{}",
        r.verification,
        r.sample_seed
            .map(|x| format!(" (seed {x:#018x})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "  written:     {} bytes; verified: {} bytes{}",
        r.bytes_written,
        r.bytes_verified,
        if r.direct_io {
            " (direct I/O, not the page cache)"
        } else {
            ""
        }
    );
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
