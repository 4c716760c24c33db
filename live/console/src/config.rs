//! What the operator's stick says: `kagi-live.toml` (how to erase, unattended mode) and
//! `certificate.toml` (kagi's `--certificate-config`: organisation, operator, role, contract,
//! signing key and certificate), both on the KAGI-DATA partition; and the kernel command line
//! (`kagi.unattended`, `kagi.method=`, …), which overrides the file — for PXE, where the stick
//! may not be the place to set it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The console's own settings (`kagi-live.toml` on KAGI-DATA). Every key is optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LiveConfig {
    /// One-pass method for `kagi erase run --method` (default: kagi's, random).
    pub method: Option<String>,
    /// A multi-pass scheme or list for `--passes` (instead of `method`).
    pub passes: Option<String>,
    /// `--verify`: `full` (default) or `sample[:PERCENT]`. `off` is refused: no certificate.
    pub verify: Option<String>,
    /// The organisation's CA certificate(s), to verify and render each certificate after it is
    /// issued (relative to the stick).
    pub trust: Option<PathBuf>,
    /// Erase all internal drives without asking, after a countdown, then power off.
    #[serde(default)]
    pub unattended: bool,
    /// Seconds of countdown before an unattended erase (default 30).
    pub countdown: Option<u64>,
    /// Unattended only: the file holding the signing key's passphrase (relative to the stick).
    pub passphrase_file: Option<PathBuf>,
}

/// Settings from the kernel command line (`kagi.*`); each overrides the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cmdline {
    /// `kagi.unattended` (or `=1`, `=yes`); `=0`/`=no` turns a file's setting off.
    pub unattended: Option<bool>,
    /// `kagi.method=`.
    pub method: Option<String>,
    /// `kagi.passes=`.
    pub passes: Option<String>,
    /// `kagi.verify=`.
    pub verify: Option<String>,
    /// `kagi.countdown=SECONDS`.
    pub countdown: Option<u64>,
    /// `kagi.boot=none`: booted without a medium (PXE), so none is looked for.
    pub no_boot_medium: bool,
}

impl Cmdline {
    /// Parses `/proc/cmdline`; an unknown or malformed `kagi.` option is an error (a typo must
    /// not silently turn unattended erasure into something else).
    pub fn parse(line: &str) -> Result<Cmdline, String> {
        let mut c = Cmdline::default();
        for word in line.split_whitespace() {
            let Some(opt) = word.strip_prefix("kagi.") else {
                continue;
            };
            let (key, value) = match opt.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (opt, None),
            };
            let text = |v: Option<&str>| {
                v.filter(|v| !v.is_empty())
                    .map(str::to_string)
                    .ok_or_else(|| format!("kernel option kagi.{key} needs a value"))
            };
            match key {
                "unattended" => {
                    c.unattended = Some(match value {
                        None | Some("1" | "yes" | "true") => true,
                        Some("0" | "no" | "false") => false,
                        Some(v) => {
                            return Err(format!("kernel option kagi.unattended={v}: use 1 or 0"));
                        }
                    })
                }
                "method" => c.method = Some(text(value)?),
                "passes" => c.passes = Some(text(value)?),
                "verify" => c.verify = Some(text(value)?),
                "countdown" => {
                    c.countdown = Some(text(value)?.parse().map_err(|_| {
                        format!(
                            "kernel option kagi.countdown={}: not a number of seconds",
                            value.unwrap_or("")
                        )
                    })?)
                }
                "boot" => match value {
                    Some("none") => c.no_boot_medium = true,
                    _ => return Err("kernel option kagi.boot: only kagi.boot=none is known".into()),
                },
                _ => return Err(format!("unknown kernel option kagi.{key}")),
            }
        }
        Ok(c)
    }
}

/// The settings in force: the file overlaid with the command line, paths made absolute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `--method`, if any.
    pub method: Option<String>,
    /// `--passes`, if any.
    pub passes: Option<String>,
    /// `--verify`.
    pub verify: String,
    /// CA bundle to verify issued certificates against.
    pub trust: Option<PathBuf>,
    /// Run unattended.
    pub unattended: bool,
    /// Countdown seconds.
    pub countdown: u64,
    /// Passphrase file for unattended runs.
    pub passphrase_file: Option<PathBuf>,
}

impl Settings {
    /// Combines `kagi-live.toml` (if present in `data`) with the command line.
    pub fn load(data: Option<&Path>, cmd: &Cmdline) -> Result<Settings, String> {
        let file = match data.map(|d| d.join("kagi-live.toml")) {
            Some(p) if p.exists() => {
                let text =
                    std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                toml::from_str::<LiveConfig>(&text)
                    .map_err(|e| format!("{}: {}", p.display(), e.message()))?
            }
            _ => LiveConfig::default(),
        };
        let on_stick = |p: Option<PathBuf>| match (p, data) {
            (Some(p), Some(d)) if p.is_relative() => Some(d.join(p)),
            (p, _) => p,
        };
        let passes = cmd.passes.clone().or(file.passes);
        let method = cmd.method.clone().or(file.method);
        if method.is_some() && passes.is_some() {
            return Err("both a method and passes are set; choose one".into());
        }
        let verify = cmd
            .verify
            .clone()
            .or(file.verify)
            .unwrap_or_else(|| "full".into());
        if verify == "off" {
            return Err(
                "verify = off: an unverified erasure gets no certificate; use full or sample"
                    .into(),
            );
        }
        Ok(Settings {
            method,
            passes,
            verify,
            trust: on_stick(file.trust),
            unattended: cmd.unattended.unwrap_or(file.unattended),
            countdown: cmd.countdown.or(file.countdown).unwrap_or(30),
            passphrase_file: on_stick(file.passphrase_file),
        })
    }

    /// The `kagi erase run` arguments for method, passes and verification.
    pub fn erase_args(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(m) = &self.method {
            v.extend(["--method".to_string(), m.clone()]);
        }
        if let Some(p) = &self.passes {
            v.extend(["--passes".to_string(), p.clone()]);
        }
        v.extend(["--verify".to_string(), self.verify.clone()]);
        v
    }

    /// `random, verify full` — the plan in words.
    pub fn describe(&self) -> String {
        let how = match (&self.method, &self.passes) {
            (Some(m), _) => m.clone(),
            (_, Some(p)) => format!("passes {p}"),
            _ => "random".into(),
        };
        format!("{how}, verify {}", self.verify)
    }
}

/// The certificate configuration (`certificate.toml`), as far as the console needs it: who
/// signs, and whether a certificate can be issued at all. kagi reads the file itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSetup {
    /// The file.
    pub path: PathBuf,
    /// Organisation, operator, role (for the header).
    pub who: String,
    /// The signing key, resolved against the file's directory.
    pub sign_key: Option<PathBuf>,
    /// The signer's certificate, resolved likewise.
    pub sign_cert: Option<PathBuf>,
}

impl CertSetup {
    /// Reads `certificate.toml` from the stick.
    pub fn load(data: &Path) -> Result<CertSetup, String> {
        let path = data.join("certificate.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: {e} — the stick needs the organisation's certificate configuration",
                path.display()
            )
        })?;
        let t: toml::Table =
            toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
        let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let file = |k: &str| {
            s(k).map(|p| {
                let p = PathBuf::from(p);
                if p.is_relative() { data.join(p) } else { p }
            })
        };
        let who = [s("organisation"), s("operator"), s("role")]
            .into_iter()
            .map(|x| x.unwrap_or_else(|| "(not set)".into()))
            .collect::<Vec<_>>()
            .join(" / ");
        Ok(CertSetup {
            who,
            sign_key: file("sign_key"),
            sign_cert: file("sign_cert"),
            path,
        })
    }

    /// Why no certificate could be signed with this configuration, if so.
    pub fn missing(&self) -> Option<String> {
        for (what, p) in [("sign_key", &self.sign_key), ("sign_cert", &self.sign_cert)] {
            match p {
                None => {
                    return Some(format!(
                        "{} sets no {what}: no certificate could be signed",
                        self.path.display()
                    ));
                }
                Some(p) if !p.is_file() => {
                    return Some(format!("{what} {} is not on the stick", p.display()));
                }
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn stick(tag: &str, files: &[(&str, &str)]) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kagi-live-cfg-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        for (n, v) in files {
            std::fs::write(d.join(n), v).unwrap();
        }
        d
    }

    #[test]
    fn command_line_options() {
        let c = Cmdline::parse(
            "BOOT_IMAGE=/boot/vmlinuz quiet kagi.unattended kagi.method=zero kagi.countdown=5 console=ttyS0",
        )
        .unwrap();
        assert_eq!(c.unattended, Some(true));
        assert_eq!(c.method.as_deref(), Some("zero"));
        assert_eq!(c.countdown, Some(5));
        assert_eq!(Cmdline::parse("quiet").unwrap(), Cmdline::default());
        assert_eq!(
            Cmdline::parse("kagi.unattended=0").unwrap().unattended,
            Some(false)
        );
        assert!(Cmdline::parse("kagi.boot=none").unwrap().no_boot_medium);
        for bad in [
            "kagi.unatended",
            "kagi.unattended=maybe",
            "kagi.countdown=soon",
            "kagi.method=",
            "kagi.boot=cd",
        ] {
            assert!(Cmdline::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_then_command_line() {
        let d = stick(
            "file",
            &[(
                "kagi-live.toml",
                "unattended = true\ncountdown = 10\npasses = \"dod-short\"\ntrust = \"ca.crt\"\npassphrase_file = \"pw\"\n",
            )],
        );
        let s = Settings::load(Some(&d), &Cmdline::default()).unwrap();
        assert!(s.unattended);
        assert_eq!(s.countdown, 10);
        assert_eq!(s.trust, Some(d.join("ca.crt")));
        assert_eq!(s.passphrase_file, Some(d.join("pw")));
        assert_eq!(
            s.erase_args(),
            ["--passes", "dod-short", "--verify", "full"]
        );
        let off = Cmdline::parse("kagi.unattended=0 kagi.countdown=3").unwrap();
        let s = Settings::load(Some(&d), &off).unwrap();
        assert!(!s.unattended);
        assert_eq!(s.countdown, 3);
        // Both a method and passes: refused, not guessed.
        let both = Cmdline::parse("kagi.method=zero").unwrap();
        assert!(Settings::load(Some(&d), &both).is_err());
        std::fs::remove_dir_all(&d).unwrap();
        let d = stick("off", &[("kagi-live.toml", "verify = \"off\"\n")]);
        assert!(
            Settings::load(Some(&d), &Cmdline::default())
                .unwrap_err()
                .contains("no certificate")
        );
        std::fs::write(d.join("kagi-live.toml"), "unatended = true\n").unwrap();
        assert!(Settings::load(Some(&d), &Cmdline::default()).is_err());
        std::fs::remove_dir_all(&d).unwrap();
        let s = Settings::load(None, &Cmdline::default()).unwrap();
        assert_eq!(s.describe(), "random, verify full");
        assert!(!s.unattended);
    }

    #[test]
    fn certificate_setup_needs_key_and_certificate_on_the_stick() {
        let d = stick(
            "cert",
            &[(
                "certificate.toml",
                "organisation = \"O\"\noperator = \"Op\"\nrole = \"R\"\nsign_key = \"op.key\"\nsign_cert = \"op.crt\"\n",
            )],
        );
        let c = CertSetup::load(&d).unwrap();
        assert_eq!(c.who, "O / Op / R");
        assert!(c.missing().unwrap().contains("op.key"));
        std::fs::write(d.join("op.key"), "k").unwrap();
        std::fs::write(d.join("op.crt"), "c").unwrap();
        assert_eq!(c.missing(), None);
        std::fs::write(d.join("certificate.toml"), "organisation = \"O\"\n").unwrap();
        assert!(
            CertSetup::load(&d)
                .unwrap()
                .missing()
                .unwrap()
                .contains("no sign_key")
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
