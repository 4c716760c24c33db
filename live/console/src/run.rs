//! Erasing: one `kagi erase run --yes --json` over every chosen drive (kagi runs them in
//! parallel, checks every target and unlocks the signing key before writing anything), its
//! JSON progress shown per drive, its report and certificates collected, each certificate
//! verified and rendered as HTML beside it, and the final table.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use zeroize::Zeroizing;

use crate::config::{CertSetup, Settings};
use crate::drives::Drive;
use crate::log::Log;

/// The environment variable the passphrase reaches kagi through (never the command line).
pub const PASSPHRASE_ENV: &str = "KAGI_LIVE_PASSPHRASE";

/// Where the signing key's passphrase comes from.
pub enum Passphrase {
    /// Typed at the console.
    Typed(Zeroizing<String>),
    /// A file on the stick (unattended mode).
    File(PathBuf),
}

impl Passphrase {
    fn apply(&self, c: &mut Command) {
        match self {
            Passphrase::Typed(p) => {
                c.env(PASSPHRASE_ENV, p.as_str())
                    .args(["--passphrase-env", PASSPHRASE_ENV]);
            }
            Passphrase::File(f) => {
                c.arg("--passphrase-file").arg(f);
            }
        }
    }
}

/// Whether the passphrase unlocks `key` (`kagi key public`); kagi's message when not.
pub fn unlocks(kagi: &Path, key: &Path, pass: &Passphrase) -> Result<(), String> {
    let mut c = Command::new(kagi);
    c.args(["key", "public"]).arg(key);
    pass.apply(&mut c);
    let out = c
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", kagi.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(first_line(&out.stderr))
    }
}

fn first_line(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .lines()
        .next()
        .unwrap_or("(no message)")
        .to_string()
}

/// Where the stick keeps what a session produces.
pub struct Stick {
    /// The mounted KAGI-DATA partition.
    pub data: PathBuf,
}

impl Stick {
    /// Signed certificates and their HTML pages.
    pub fn certificates(&self) -> PathBuf {
        self.data.join("certificates")
    }
    /// kagi's state directory: journals and the ledger (`ledger.jsonl`).
    pub fn state(&self) -> PathBuf {
        self.data.join("state")
    }
    /// Session logs and reports.
    pub fn sessions(&self) -> PathBuf {
        self.data.join("sessions")
    }
}

/// One row of the final table.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    /// The device erased.
    pub device: String,
    /// Its serial number, if reported.
    pub serial: Option<String>,
    /// The method or scheme.
    pub method: String,
    /// The NIST SP 800-88 level the certificate claims (`-` without one).
    pub level: String,
    /// Verification outcome.
    pub verified: String,
    /// The certificate id, or why there is none.
    pub certificate: String,
    /// The certificate file, if one was issued.
    pub file: Option<PathBuf>,
    /// Whether the certificate verified against the configured trust anchors afterwards.
    pub signature: String,
}

/// The outcome of one erase.
pub struct Outcome {
    /// One row per drive.
    pub rows: Vec<Row>,
    /// Every drive erased, verified and (when asked for) certified.
    pub all_ok: bool,
    /// kagi's report as it printed it.
    pub report: Value,
}

/// Runs the erase of `drives` and collects the result.
pub fn erase(
    kagi: &Path,
    log: &Log,
    drives: &[&Drive],
    settings: &Settings,
    certify: Option<(&CertSetup, &Passphrase, &Stick)>,
    state_dir: &Path,
) -> Result<Outcome, String> {
    let mut c = Command::new(kagi);
    c.args(["erase", "run"])
        .args(drives.iter().map(|d| d.path.as_str()))
        .args(["--yes", "--json"])
        .args(settings.erase_args())
        .arg("--state-dir")
        .arg(state_dir);
    if let Some((cert, pass, stick)) = certify {
        c.arg("--certificate-config")
            .arg(&cert.path)
            .arg("--certificate-dir")
            .arg(stick.certificates());
        pass.apply(&mut c);
    }
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", kagi.display()))?;
    let stderr = child.stderr.take().ok_or("no stderr from kagi")?;
    let progress_log = log.clone();
    let watcher = std::thread::spawn(move || show_progress(stderr, &progress_log));
    let mut out = String::new();
    child
        .stdout
        .take()
        .ok_or("no stdout from kagi")?
        .read_to_string(&mut out)
        .map_err(|e| format!("reading kagi's report: {e}"))?;
    let status = child.wait().map_err(|e| format!("kagi: {e}"))?;
    let _ = watcher.join();
    let report: Value = serde_json::from_str(&out).map_err(|_| {
        format!(
            "kagi erase stopped before erasing (exit {}): see its message above",
            status.code().unwrap_or(-1)
        )
    })?;
    let mut rows = Vec::new();
    let empty = Vec::new();
    let reports = report["reports"].as_array().unwrap_or(&empty);
    let certs = report["certificates"].as_array().unwrap_or(&empty);
    let mut all_ok = status.success() && reports.len() == drives.len();
    for (i, r) in reports.iter().enumerate() {
        let target = r["target"].as_str().unwrap_or("?").to_string();
        let drive = drives.iter().find(|d| d.path == target);
        let cert_path = certs
            .get(i)
            .and_then(|c| c["path"].as_str())
            .map(PathBuf::from);
        let complete = report_complete(r);
        let row = match cert_path {
            Some(p) => from_certificate(&p)?,
            None => {
                all_ok &= certify.is_none() && complete;
                Row {
                    device: target.clone(),
                    serial: drive.and_then(|d| d.serial.clone()),
                    method: r["method"].as_str().unwrap_or("?").to_string(),
                    level: "-".into(),
                    verified: if complete {
                        format!("yes ({})", r["verification"].as_str().unwrap_or("?"))
                    } else {
                        "FAILED".into()
                    },
                    certificate: if certify.is_some() {
                        "NONE (not issued)".into()
                    } else {
                        "none (no signing key configured)".into()
                    },
                    file: None,
                    signature: "-".into(),
                }
            }
        };
        rows.push(row);
    }
    for d in drives {
        if !rows.iter().any(|r| r.device == d.path) {
            all_ok = false;
            rows.push(Row {
                device: d.path.clone(),
                serial: d.serial.clone(),
                method: "-".into(),
                level: "-".into(),
                verified: "NOT FINISHED".into(),
                certificate: "NONE".into(),
                file: None,
                signature: "-".into(),
            });
        }
    }
    if !status.success() {
        log.say(format!(
            "kagi erase exited with status {} — not every drive was erased and certified",
            status.code().unwrap_or(-1)
        ));
    }
    Ok(Outcome {
        rows,
        all_ok,
        report,
    })
}

/// The report's own verdict: finished, no failure ranges, everything planned read back.
fn report_complete(r: &Value) -> bool {
    let empty = |k: &str| r[k].as_array().is_some_and(|a| a.is_empty());
    !r["finished"].is_null()
        && empty("write_failures")
        && empty("read_failures")
        && empty("mismatches")
        && r["bytes_verified"] == r["verify_planned"]
}

/// A row from the signed document itself (what the certificate says, not what was intended).
fn from_certificate(path: &Path) -> Result<Row, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json = text.split("-----BEGIN CMS-----").next().unwrap_or_default();
    let d: Value = serde_json::from_str(json).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Row {
        device: d["device"]["path"].as_str().unwrap_or("?").to_string(),
        serial: d["device"]["serial"].as_str().map(str::to_string),
        method: d["sanitization"]["scheme"]
            .as_str()
            .unwrap_or("?")
            .to_string(),
        level: d["sanitization"]["nist_level"]
            .as_str()
            .unwrap_or("?")
            .to_string(),
        verified: format!(
            "yes ({}, {} B)",
            d["verification"]["mode"].as_str().unwrap_or("?"),
            d["verification"]["verified_bytes"]
        ),
        certificate: d["id"].as_str().unwrap_or("?").to_string(),
        file: Some(path.to_path_buf()),
        signature: "not checked".into(),
    })
}

/// Verifies each issued certificate against `trust` (when configured) and renders its HTML
/// page beside it; records the result in the row.
pub fn check_and_render(kagi: &Path, log: &Log, rows: &mut [Row], trust: Option<&Path>) -> bool {
    let mut ok = true;
    for r in rows.iter_mut() {
        let Some(file) = r.file.clone() else {
            continue;
        };
        if let Some(t) = trust {
            let out = Command::new(kagi)
                .args(["certificate", "verify"])
                .arg(&file)
                .arg("--trust")
                .arg(t)
                .stdin(Stdio::null())
                .output();
            r.signature = match out {
                Ok(o) if o.status.success() => "valid".into(),
                Ok(o) => {
                    ok = false;
                    format!(
                        "NOT VALID: {}",
                        first_line(if o.stdout.is_empty() {
                            &o.stderr
                        } else {
                            &o.stdout
                        })
                    )
                }
                Err(e) => {
                    ok = false;
                    format!("not checked: {e}")
                }
            };
        }
        let html = file.with_extension("html");
        let mut c = Command::new(kagi);
        c.args(["certificate", "render"])
            .arg(&file)
            .arg("--html")
            .arg(&html);
        if let Some(t) = trust {
            c.arg("--trust").arg(t);
        }
        match c.stdin(Stdio::null()).output() {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                ok = false;
                log.say(format!(
                    "{}: the HTML page says NOT VALID: {}",
                    html.display(),
                    first_line(&o.stderr)
                ));
            }
            Err(e) => {
                ok = false;
                log.say(format!("{}: not rendered: {e}", html.display()));
            }
        }
    }
    ok
}

/// The final table, as lines.
pub fn table(rows: &[Row]) -> Vec<String> {
    let mut cells = vec![
        [
            "device",
            "serial",
            "method",
            "level",
            "verified",
            "signature",
            "certificate",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    cells.extend(rows.iter().map(|r| {
        vec![
            r.device.clone(),
            r.serial.clone().unwrap_or_else(|| "-".into()),
            r.method.clone(),
            r.level.clone(),
            r.verified.clone(),
            r.signature.clone(),
            r.certificate.clone(),
        ]
    }));
    columns(&cells)
}

/// Rows of cells as lines with aligned columns (two spaces apart).
pub fn columns(rows: &[Vec<String>]) -> Vec<String> {
    let mut width: Vec<usize> = Vec::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            let n = c.chars().count();
            match width.get_mut(i) {
                Some(w) => *w = (*w).max(n),
                None => width.push(n),
            }
        }
    }
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&width)
                .map(|(s, w)| format!("{s:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect()
}

/// Shows kagi's progress events per drive (at each phase change and every 10 %), and passes
/// its other lines (refusals, warnings) through.
fn show_progress(stderr: impl Read, log: &Log) {
    let mut last: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            log.say(line);
            continue;
        };
        if v["event"] != "progress" && v["event"] != "checkpoint" {
            log.say(line);
            continue;
        }
        let target = v["target"].as_str().unwrap_or("?").to_string();
        let phase = v["phase"].as_str().unwrap_or("?").to_string();
        let (done, total) = (
            v["done"].as_u64().unwrap_or(0),
            v["total"].as_u64().unwrap_or(0),
        );
        let pct = (done * 100).checked_div(total).unwrap_or(0);
        let step = pct / 10;
        let key = format!("{} {phase}", v["pass"]);
        let show = match last.get(&target) {
            Some((k, s)) => *k != key || *s != step,
            None => true,
        };
        if show && phase != "checkpoint" {
            last.insert(target.clone(), (key, step));
            log.say(format!(
                "  {target:<14} pass {}/{} {phase:<6} {pct:>3} %  ({} of {} MiB)",
                v["pass"],
                v["passes"],
                done >> 20,
                total >> 20
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let rows = vec![Row {
            device: "/dev/nvme0n1".into(),
            serial: Some("KAGI-NVME-1".into()),
            method: "random".into(),
            level: "Clear".into(),
            verified: "yes (full, 67108864 B)".into(),
            certificate: "0123abcd".into(),
            file: None,
            signature: "valid".into(),
        }];
        let t = table(&rows);
        assert_eq!(t.len(), 2);
        assert!(t[0].starts_with("device        serial       method"));
        assert!(t[1].starts_with("/dev/nvme0n1  KAGI-NVME-1  random"));
        assert!(t[1].ends_with("valid      0123abcd"), "{}", t[1]);
    }

    #[test]
    fn a_report_with_a_failure_is_not_complete() {
        let ok: Value = serde_json::json!({"finished":"t","write_failures":[],"read_failures":[],
            "mismatches":[],"bytes_verified":10,"verify_planned":10});
        assert!(report_complete(&ok));
        let mut bad = ok.clone();
        bad["mismatches"] = serde_json::json!([{"start":0,"end":512}]);
        assert!(!report_complete(&bad));
        let mut short = ok.clone();
        short["bytes_verified"] = serde_json::json!(5);
        assert!(!report_complete(&short));
        let mut unfinished = ok;
        unfinished["finished"] = Value::Null;
        assert!(!report_complete(&unfinished));
    }
}
