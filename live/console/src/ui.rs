//! The console: find and mount the media, list the drives, take the operator's choice (or run
//! unattended), erase, and show the final table.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::boot::{self, BootMedium};
use crate::config::{CertSetup, Cmdline, Settings};
use crate::drives::{self, Drive, Verdict};
use crate::log::Log;
use crate::run::{self, Passphrase, Stick};

/// The label of the stick's data partition.
pub const DATA_LABEL: &str = "KAGI-DATA";

/// Command-line options of `kagi-live console`.
#[derive(Debug)]
pub struct Options {
    kagi: PathBuf,
    volume_id_file: PathBuf,
    cmdline: PathBuf,
    mnt: PathBuf,
    interactive: bool,
    wait: u64,
}

impl Options {
    /// Parses `--kagi`, `--volume-id-file`, `--cmdline`, `--mnt`, `--wait`, `--interactive`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            kagi: "kagi".into(),
            volume_id_file: "/etc/kagi-live/volume-id".into(),
            cmdline: "/proc/cmdline".into(),
            mnt: "/run/kagi-live".into(),
            interactive: false,
            wait: 30,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{a} needs a value"))
            };
            match a.as_str() {
                "--kagi" => o.kagi = value()?.into(),
                "--volume-id-file" => o.volume_id_file = value()?.into(),
                "--cmdline" => o.cmdline = value()?.into(),
                "--mnt" => o.mnt = value()?.into(),
                "--wait" => {
                    o.wait = value()?
                        .parse()
                        .map_err(|_| "--wait: a number of seconds".to_string())?
                }
                "--interactive" => o.interactive = true,
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(o)
    }
}

/// What was found at boot.
struct Media {
    /// The volume id the build stamped.
    volume_id: String,
    /// Devices carrying it (empty with `kagi.boot=none`, or when not found).
    boot: Vec<BootMedium>,
    /// Booted without a medium (PXE), as the command line says.
    no_boot_medium: bool,
    /// The data partition's device and the whole device it is on.
    data: Option<(String, String)>,
    /// Where it is mounted.
    data_dir: Option<PathBuf>,
}

impl Media {
    fn boot_names(&self) -> Vec<String> {
        self.boot.iter().map(|b| b.whole.clone()).collect()
    }

    /// Why nothing may be erased, if so: the boot medium was not found, so kagi-live cannot
    /// tell which drive it must not touch.
    fn blocked(&self) -> Option<String> {
        (self.boot.is_empty() && !self.no_boot_medium).then(|| {
            format!(
                "the boot medium (ISO 9660 volume {}) was not found, so kagi-live cannot tell which drive it booted from and erases nothing; rescan when it has appeared (booted over the network? add kagi.boot=none to the kernel command line)",
                self.volume_id
            )
        })
    }
}

fn findfs_label(label: &str) -> Option<String> {
    let out = Command::new("findfs")
        .arg(format!("LABEL={label}"))
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let dev = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && dev.starts_with("/dev/")).then_some(dev)
}

fn mounted_at(dir: &Path) -> bool {
    std::fs::read_to_string("/proc/mounts").is_ok_and(|m| {
        m.lines()
            .any(|l| l.split_whitespace().nth(1) == Some(&*dir.to_string_lossy()))
    })
}

/// Mounts `dev` at `dir` (unless something is mounted there); failures are shown when `say`.
fn mount(log: &Log, dev: &str, dir: &Path, opts: &[&str], say: bool) -> bool {
    if mounted_at(dir) {
        return true;
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        log.say(format!("{}: {e}", dir.display()));
        return false;
    }
    match Command::new("mount").args(opts).arg(dev).arg(dir).output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            if say {
                log.say(format!(
                    "mount {dev}: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
            }
            false
        }
        Err(e) => {
            if say {
                log.say(format!("mount {dev}: {e}"));
            }
            false
        }
    }
}

/// Waits (up to `wait` seconds) for the boot medium and the data partition, and mounts them:
/// the boot medium read-only (so `kagi erase` refuses it as mounted), the data partition
/// read-write.
fn discover(o: &Options, cmd: &Cmdline, log: &Log) -> Result<Media, String> {
    let volume_id = std::fs::read_to_string(&o.volume_id_file)
        .map_err(|e| format!("{}: {e}", o.volume_id_file.display()))?
        .trim()
        .to_string();
    let start = Instant::now();
    let mut said = false;
    let (boot, data) = loop {
        let boot = if cmd.no_boot_medium {
            Vec::new()
        } else {
            boot::find(&volume_id)
        };
        let data = findfs_label(DATA_LABEL);
        if ((!boot.is_empty() || cmd.no_boot_medium) && data.is_some())
            || start.elapsed() >= Duration::from_secs(o.wait)
        {
            break (boot, data);
        }
        if !said {
            log.say(format!(
                "waiting up to {} s for the boot medium and the {DATA_LABEL} partition …",
                o.wait
            ));
            said = true;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    // The first name found is the whole device where the file system starts at byte 0 (a
    // stick written with dd), else the partition holding it.
    if let Some(b) = boot.first() {
        mount(
            log,
            &format!("/dev/{}", b.holder),
            &o.mnt.join("boot"),
            &["-t", "iso9660", "-o", "ro"],
            true,
        );
    }
    let data_dir = o.mnt.join("data");
    let data = data.map(|dev| {
        let name = dev.trim_start_matches("/dev/").to_string();
        let whole = boot::whole_device(Path::new("/sys/class/block"), &name);
        (dev, whole)
    });
    // FAT and exFAT: files 0644 and directories 0755, so kagi's chmod of a certificate to
    // 0644 is no change (FAT refuses others, unless `quiet`); `quiet` is FAT-only.
    let mounted = match &data {
        Some((dev, _)) => [
            "rw,quiet,fmask=0133,dmask=0022",
            "rw,fmask=0133,dmask=0022",
            "rw",
        ]
        .iter()
        .enumerate()
        .any(|(i, o)| mount(log, dev, &data_dir, &["-o", o], i == 2)),
        None => false,
    };
    Ok(Media {
        volume_id,
        boot,
        no_boot_medium: cmd.no_boot_medium,
        data,
        data_dir: mounted.then_some(data_dir),
    })
}

/// The PC's firmware identity, as a line.
fn machine() -> (String, String) {
    let get = |f: &str| {
        std::fs::read_to_string(Path::new("/sys/class/dmi/id").join(f))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let serial = get("product_serial");
    let line = format!(
        "{} {}, serial {}, asset tag {}",
        get("sys_vendor"),
        get("product_name"),
        if serial.is_empty() { "-" } else { &serial },
        match get("chassis_asset_tag") {
            t if t.is_empty() => "-".to_string(),
            t => t,
        }
    );
    let safe: String = serial
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        line,
        if safe.is_empty() {
            "unknown".into()
        } else {
            safe
        },
    )
}

fn list(kagi: &Path, media: &Media) -> Result<Vec<(Drive, Verdict)>, String> {
    let out = Command::new(kagi)
        .args(["erase", "list", "--json"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", kagi.display()))?;
    if !out.status.success() {
        return Err(format!(
            "kagi erase list: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let all: Vec<Drive> =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("kagi erase list --json: {e}"))?;
    let boot = media.boot_names();
    let data = media.data.as_ref().map(|d| d.1.as_str());
    Ok(all
        .into_iter()
        .map(|d| {
            let v = drives::judge(&d, &boot, data);
            (d, v)
        })
        .collect())
}

fn show(log: &Log, drives: &[(Drive, Verdict)]) {
    let mut rows = vec![
        [
            "#",
            "device",
            "size",
            "transport",
            "model",
            "serial",
            "kagi-live would",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    for (i, (d, v)) in drives.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            d.path.clone(),
            drives::human_size(d.size),
            d.transport.clone(),
            d.model.clone().unwrap_or_else(|| "-".into()),
            d.serial.clone().unwrap_or_else(|| "-".into()),
            match v {
                Verdict::Internal => "ERASE (internal drive)".into(),
                Verdict::OnRequest(w) => format!("erase if picked ({w})"),
                Verdict::Excluded(w) => format!("leave: {w}"),
                Verdict::Refused(w) => format!("refused by kagi: {w}"),
            },
        ]);
    }
    for l in crate::run::columns(&rows) {
        log.say(format!("  {l}"));
    }
}

fn prompt(log: &Log, q: &str) -> Result<String, String> {
    print!("{q}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) => Err("the console closed (end of input)".into()),
        Ok(_) => {
            let a = line.trim().to_string();
            log.record(&format!("{q}{a}"));
            Ok(a)
        }
        Err(e) => Err(format!("console: {e}")),
    }
}

/// Why an unattended run must not start, if so: it needs the stick, a signing key and
/// certificate on it, and a passphrase file — a fleet erase without certificates is refused.
fn unattended_refusal(
    data: Option<&Path>,
    cert: Option<&Result<CertSetup, String>>,
    settings: &Settings,
) -> Option<String> {
    if data.is_none() {
        return Some(format!(
            "no {DATA_LABEL} partition: certificates would have nowhere to go"
        ));
    }
    let cert = match cert {
        Some(Ok(c)) => c,
        Some(Err(e)) => return Some(e.clone()),
        None => return Some("no certificate configuration".into()),
    };
    if let Some(why) = cert.missing() {
        return Some(why);
    }
    match &settings.passphrase_file {
        None => Some(
            "kagi-live.toml sets no passphrase_file for the signing key (an unattended run cannot ask)"
                .into(),
        ),
        Some(p) if !p.is_file() => Some(format!("passphrase_file {} is not on the stick", p.display())),
        Some(_) => None,
    }
}

/// Everything one console session holds.
struct Session {
    o: Options,
    log: Log,
    media: Media,
    settings: Settings,
    cert: Option<Result<CertSetup, String>>,
    machine: (String, String),
    stamp: String,
    passphrase: Option<Passphrase>,
    stop: Arc<AtomicBool>,
}

/// Runs the console; returns the exit status for `/init`.
pub fn console(o: Options) -> Result<u8, String> {
    let log = Log::default();
    let stop = Arc::new(AtomicBool::new(false));
    // Ctrl-C never kills the console: it cancels a countdown, and kagi (in the same process
    // group) stops its run cleanly at the next checkpoint.
    signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&stop))
        .map_err(|e| format!("signal handler: {e}"))?;
    log.say("kagi-live — erase this PC's drives; signed certificates go back on the stick");
    let cmdline = std::fs::read_to_string(&o.cmdline).unwrap_or_default();
    let (cmd, cmd_error) = match Cmdline::parse(&cmdline) {
        Ok(c) => (c, None),
        Err(e) => (Cmdline::default(), Some(e)),
    };
    let media = discover(&o, &cmd, &log)?;
    let machine = machine();
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    if let Some(d) = &media.data_dir {
        let path = d
            .join("sessions")
            .join(format!("{stamp}-{}.log", machine.1));
        if let Err(e) = log.to_file(&path) {
            log.say(format!("session log {}: {e}", path.display()));
        }
    }
    log.say(format!("machine:      {}", machine.0));
    match (&media.boot.first(), media.no_boot_medium) {
        (Some(b), _) => log.say(format!(
            "boot medium:  /dev/{} ({}) — never erased",
            b.whole, media.volume_id
        )),
        (None, true) => log.say("boot medium:  none (kagi.boot=none)"),
        (None, false) => log.say(format!(
            "boot medium:  NOT FOUND ({}) — nothing will be erased",
            media.volume_id
        )),
    }
    match (&media.data, &media.data_dir) {
        (Some((dev, _)), Some(d)) => log.say(format!(
            "data:         {dev} ({DATA_LABEL}) at {} — certificates, ledger, session log",
            d.display()
        )),
        (Some((dev, _)), None) => log.say(format!(
            "data:         {dev} ({DATA_LABEL}) could not be mounted — no certificates"
        )),
        (None, _) => log.say(format!(
            "data:         no {DATA_LABEL} partition found — no certificates, no log"
        )),
    }
    let settings = match Settings::load(media.data_dir.as_deref(), &cmd) {
        Ok(s) => s,
        Err(e) => {
            log.say(format!("settings: {e}; using the defaults"));
            Settings::load(None, &Cmdline::default())?
        }
    };
    let cert = media.data_dir.as_deref().map(CertSetup::load);
    match &cert {
        Some(Ok(c)) => {
            log.say(format!("certificates: signed as {}", c.who));
            if let Some(w) = c.missing() {
                log.say(format!("              but {w}"));
            }
        }
        Some(Err(e)) => log.say(format!("certificates: NONE — {e}")),
        None => {}
    }
    let mut s = Session {
        log: log.clone(),
        media,
        settings,
        cert,
        machine,
        stamp,
        passphrase: None,
        stop,
        o,
    };
    if let Some(e) = &cmd_error {
        log.say(format!(
            "kernel command line: {e}; its kagi.* options are ignored"
        ));
    }
    let code = if s.settings.unattended && !s.o.interactive {
        if cmd_error.is_some() {
            log.say("UNATTENDED run refused: the kernel command line has an error");
            1
        } else {
            s.unattended()?
        }
    } else {
        s.interactive()?
    };
    log.sync();
    Ok(code)
}

impl Session {
    fn cert_ready(&self) -> Option<&CertSetup> {
        match &self.cert {
            Some(Ok(c)) if c.missing().is_none() => Some(c),
            _ => None,
        }
    }

    fn state_dir(&self) -> PathBuf {
        match &self.media.data_dir {
            Some(d) => Stick { data: d.clone() }.state(),
            None => self.o.mnt.join("state"),
        }
    }

    fn unattended(&mut self) -> Result<u8, String> {
        let log = self.log.clone();
        log.say(format!(
            "UNATTENDED: erase every internal drive ({}), then power off",
            self.settings.describe()
        ));
        if let Some(why) = self.media.blocked() {
            log.say(format!("UNATTENDED run refused: {why}"));
            return Ok(1);
        }
        if let Some(why) = unattended_refusal(
            self.media.data_dir.as_deref(),
            self.cert.as_ref(),
            &self.settings,
        ) {
            log.say(format!("UNATTENDED run refused: {why}"));
            return Ok(1);
        }
        let (Some(cert), Some(pw)) = (self.cert_ready(), self.settings.passphrase_file.clone())
        else {
            return Ok(1);
        };
        let pass = Passphrase::File(pw);
        if let Some(key) = &cert.sign_key
            && let Err(e) = run::unlocks(&self.o.kagi, key, &pass)
        {
            log.say(format!(
                "UNATTENDED run refused: the passphrase file does not unlock {}: {e}",
                key.display()
            ));
            return Ok(1);
        }
        self.passphrase = Some(pass);
        let drives = list(&self.o.kagi, &self.media)?;
        show(&log, &drives);
        let chosen: Vec<&Drive> = drives
            .iter()
            .filter(|(_, v)| *v == Verdict::Internal)
            .map(|(d, _)| d)
            .collect();
        if chosen.is_empty() {
            log.say("UNATTENDED run refused: no internal drive to erase was found");
            return Ok(1);
        }
        let n = self.settings.countdown;
        log.say(format!(
            "erasing {} internal drive(s) in {n} s — press Ctrl-C to cancel",
            chosen.len()
        ));
        for left in (1..=n).rev() {
            if self.stop.swap(false, Ordering::SeqCst) {
                log.say("cancelled: nothing was written");
                return self.interactive();
            }
            if left <= 5 || left % 10 == 0 {
                log.say(format!("  {left} …"));
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        if self.stop.swap(false, Ordering::SeqCst) {
            log.say("cancelled: nothing was written");
            return self.interactive();
        }
        let ok = self.erase(&chosen)?;
        if ok {
            log.say("kagi-live: DONE — every internal drive erased, verified and certified; powering off");
            Ok(0)
        } else {
            log.say("kagi-live: FAILED — see the table above; not powering off");
            Ok(1)
        }
    }

    fn interactive(&mut self) -> Result<u8, String> {
        let log = self.log.clone();
        loop {
            let drives = list(&self.o.kagi, &self.media)?;
            log.say("");
            log.say(format!("drives of this PC ({}):", self.machine.0));
            show(&log, &drives);
            let internal: Vec<usize> = drives
                .iter()
                .enumerate()
                .filter(|(_, (_, v))| *v == Verdict::Internal)
                .map(|(i, _)| i + 1)
                .collect();
            log.say(format!(
                "plan: erase all {} internal drive(s) [{}] — {}; {}",
                internal.len(),
                internal
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                self.settings.describe(),
                match self.cert_ready() {
                    Some(c) => format!("certificates signed as {}", c.who),
                    None => "NO certificates (no signing key and certificate configured)".into(),
                }
            ));
            if let Some(why) = self.media.blocked() {
                log.say(format!("erasing is blocked: {why}"));
            }
            let a = prompt(
                &log,
                "[a] erase all internal drives  [p] pick drives  [r] rescan  [o] power off > ",
            )?;
            let chosen: Vec<&Drive> = match a.as_str() {
                "a" | "A" => {
                    if internal.is_empty() {
                        log.say("no internal drive to erase");
                        continue;
                    }
                    internal.iter().map(|i| &drives[i - 1].0).collect()
                }
                "p" | "P" => {
                    let which = prompt(&log, "drives to erase (numbers or names): ")?;
                    match drives::pick(&which, &drives) {
                        Ok(v) => v.into_iter().map(|(d, _)| d).collect(),
                        Err(e) => {
                            log.say(e);
                            continue;
                        }
                    }
                }
                "r" | "R" => {
                    if self.media.blocked().is_some() || self.media.data_dir.is_none() {
                        let cmd = Cmdline {
                            no_boot_medium: self.media.no_boot_medium,
                            ..Cmdline::default()
                        };
                        let wait = std::mem::replace(&mut self.o.wait, 0);
                        self.media = discover(&self.o, &cmd, &log)?;
                        self.o.wait = wait;
                    }
                    continue;
                }
                "o" | "O" | "q" | "Q" => return Ok(0),
                "" => continue,
                other => {
                    log.say(format!("{other}: choose a, p, r or o"));
                    continue;
                }
            };
            if let Some(why) = self.media.blocked() {
                log.say(format!("refused: {why}"));
                continue;
            }
            log.say("about to destroy everything on:");
            for d in &chosen {
                log.say(format!(
                    "  {}  {}  {}  model {}  serial {}",
                    d.path,
                    drives::human_size(d.size),
                    d.transport,
                    d.model.as_deref().unwrap_or("-"),
                    d.serial.as_deref().unwrap_or("-")
                ));
            }
            let yes = prompt(
                &log,
                &format!(
                    "type ERASE to erase {} drive(s) (anything else cancels): ",
                    chosen.len()
                ),
            )?;
            if yes != "ERASE" {
                log.say("cancelled: nothing was written");
                continue;
            }
            if self.cert_ready().is_some() && self.passphrase.is_none() && !self.ask_passphrase()? {
                continue;
            }
            self.erase(&chosen)?;
            prompt(&log, "press Enter for the menu ")?;
        }
    }

    /// Asks the signing key's passphrase once per session, checking that it unlocks the key.
    fn ask_passphrase(&mut self) -> Result<bool, String> {
        let Some(key) = self.cert_ready().and_then(|c| c.sign_key.clone()) else {
            return Ok(false);
        };
        for _ in 0..3 {
            let p = rpassword::prompt_password(format!(
                "passphrase of the signing key {}: ",
                key.display()
            ))
            .map_err(|e| format!("console: {e}"))?;
            let pass = Passphrase::Typed(zeroize::Zeroizing::new(p));
            match run::unlocks(&self.o.kagi, &key, &pass) {
                Ok(()) => {
                    self.log.say("the signing key is unlocked");
                    self.passphrase = Some(pass);
                    return Ok(true);
                }
                Err(e) => self.log.say(format!("not unlocked: {e}")),
            }
        }
        self.log.say("cancelled: nothing was written");
        Ok(false)
    }

    /// Erases `chosen`, shows and saves the table. True when every drive was erased,
    /// verified, certified (when configured) and its certificate checked.
    fn erase(&mut self, chosen: &[&Drive]) -> Result<bool, String> {
        let log = self.log.clone();
        let stick = self.media.data_dir.clone().map(|data| Stick { data });
        let certify = match (self.cert_ready(), &self.passphrase, &stick) {
            (Some(c), Some(p), Some(s)) => Some((c, p, s)),
            _ => None,
        };
        log.say(format!(
            "erasing {} in parallel — {}",
            chosen
                .iter()
                .map(|d| d.path.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            self.settings.describe()
        ));
        let state = self.state_dir();
        let mut outcome =
            match run::erase(&self.o.kagi, &log, chosen, &self.settings, certify, &state) {
                Ok(o) => o,
                Err(e) => {
                    log.say(format!("FAILED: {e}"));
                    return Ok(false);
                }
            };
        let checked = run::check_and_render(
            &self.o.kagi,
            &log,
            &mut outcome.rows,
            self.settings.trust.as_deref(),
        );
        log.say("");
        for l in run::table(&outcome.rows) {
            log.say(format!("  {l}"));
        }
        let ok = outcome.all_ok && checked;
        if let Some(s) = &stick {
            let path = s.sessions().join(format!(
                "{}-{}-{}.json",
                self.stamp,
                self.machine.1,
                chosen.len()
            ));
            let doc = serde_json::json!({
                "machine": self.machine.0,
                "settings": self.settings.describe(),
                "complete": ok,
                "rows": outcome.rows,
                "kagi_report": outcome.report,
            });
            let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            if let Err(e) = std::fs::create_dir_all(s.sessions())
                .and_then(|()| std::fs::write(&path, text + "\n"))
            {
                log.say(format!("{}: {e}", path.display()));
            }
            log.say(format!(
                "certificates, HTML pages and the ledger are on the stick: {}, {}",
                s.certificates().display(),
                s.state().join("ledger.jsonl").display()
            ));
        }
        log.sync();
        let _ = Command::new("sync").status();
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn unattended_needs_the_stick_a_signer_and_a_passphrase_file() {
        let d = std::env::temp_dir().join(format!("kagi-live-ua-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let settings = |pw: Option<&str>| Settings {
            passphrase_file: pw.map(|p| d.join(p)),
            ..Settings::load(None, &Cmdline::default()).unwrap()
        };
        let s = settings(Some("pw"));
        assert!(
            unattended_refusal(None, None, &s)
                .unwrap()
                .contains(DATA_LABEL)
        );
        let no_file = CertSetup::load(&d);
        assert!(
            unattended_refusal(Some(&d), Some(&no_file), &s)
                .unwrap()
                .contains("certificate.toml")
        );
        std::fs::write(d.join("certificate.toml"), "organisation = \"O\"\n").unwrap();
        let no_key = CertSetup::load(&d);
        assert!(
            unattended_refusal(Some(&d), Some(&no_key), &s)
                .unwrap()
                .contains("no sign_key")
        );
        std::fs::write(
            d.join("certificate.toml"),
            "sign_key = \"k\"\nsign_cert = \"c\"\n",
        )
        .unwrap();
        std::fs::write(d.join("k"), "k").unwrap();
        std::fs::write(d.join("c"), "c").unwrap();
        let ready = CertSetup::load(&d);
        assert!(
            unattended_refusal(Some(&d), Some(&ready), &settings(None))
                .unwrap()
                .contains("passphrase_file")
        );
        assert!(
            unattended_refusal(Some(&d), Some(&ready), &s)
                .unwrap()
                .contains("not on the stick")
        );
        std::fs::write(d.join("pw"), "secret\n").unwrap();
        assert_eq!(unattended_refusal(Some(&d), Some(&ready), &s), None);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn options() {
        let o =
            Options::parse(&["--kagi".into(), "/bin/kagi".into(), "--interactive".into()]).unwrap();
        assert_eq!(o.kagi, PathBuf::from("/bin/kagi"));
        assert!(o.interactive);
        assert!(Options::parse(&["--wait".into()]).is_err());
        assert!(Options::parse(&["--bogus".into()]).is_err());
    }
}
