//! A certificate authority made with the `kagi` binary — the "key gen + cert self-sign --ca"
//! setup many CLI tests need — and end-entity certificates it issues from kagi CSRs.
//!
//! ```no_run
//! # use test_support::{Ca, kagi::Kagi, tempdir};
//! let kagi = Kagi::new("target/debug/kagi");
//! let dir = tempdir();
//! let ca = Ca::new("ca").alg("ecdsa-p384").subject("CN=テスト CA,O=テスト省,C=JP").create(&kagi, &dir);
//! let op = ca.leaf("op").alg("ecdsa-p256").profile("erase").encrypted().create(&kagi, &dir);
//! assert!(dir.join(&op.cert).exists());
//! ```

use std::path::Path;

use crate::kagi::Kagi;

/// What to make: a key (`NAME.key`) and a certificate (`NAME.crt`). Defaults: ECDSA P-384
/// (permitted through 2070, so the setup does not depend on the date the suite runs),
/// unencrypted, 3650 days.
#[derive(Debug, Clone)]
pub struct Spec {
    name: String,
    alg: String,
    subject: String,
    days: u32,
    encrypted: bool,
    profile: Option<String>,
    extra: Vec<String>,
}

impl Spec {
    fn named(name: &str, subject: String) -> Spec {
        Spec {
            name: name.to_string(),
            alg: "ecdsa-p384".into(),
            subject,
            days: 3650,
            encrypted: false,
            profile: None,
            extra: Vec::new(),
        }
    }

    /// The key algorithm (`kagi key gen --alg`).
    pub fn alg(mut self, alg: &str) -> Self {
        self.alg = alg.into();
        self
    }

    /// The subject distinguished name.
    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = subject.into();
        self
    }

    /// Days of validity.
    pub fn days(mut self, days: u32) -> Self {
        self.days = days;
        self
    }

    /// The key file is encrypted with the passphrase in `$PW`
    /// ([`PW`](crate::kagi::PW), 600 000 PBKDF2 iterations).
    pub fn encrypted(mut self) -> Self {
        self.encrypted = true;
        self
    }

    /// The certificate profile (`--profile`, e.g. `erase`, `encryption`).
    pub fn profile(mut self, profile: &str) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Extra arguments for every kagi command of the setup (e.g. `--as-of`, `--policy`).
    pub fn args(mut self, args: &[&str]) -> Self {
        self.extra.extend(args.iter().map(|s| s.to_string()));
        self
    }

    fn key_gen(&self, kagi: &Kagi, dir: &Path) -> String {
        let key = format!("{}.key", self.name);
        let mut a = vec!["key", "gen", "--alg", &self.alg, "--out", &key, "--force"];
        if self.encrypted {
            a.extend(["--passphrase-env", "PW", "--iterations", "600000"]);
        } else {
            a.push("--unencrypted");
        }
        a.extend(self.extra.iter().map(String::as_str));
        kagi.ok(dir, &a);
        key
    }

    fn pass(&self) -> &'static [&'static str] {
        if self.encrypted {
            &["--passphrase-env", "PW"]
        } else {
            &[]
        }
    }

    /// Makes the CA: `kagi key gen`, then `kagi cert self-sign --ca`.
    pub fn create(self, kagi: &Kagi, dir: &Path) -> Ca {
        let key = self.key_gen(kagi, dir);
        let cert = format!("{}.crt", self.name);
        let days = self.days.to_string();
        let mut a = vec!["cert", "self-sign", "--key", &key];
        a.extend(self.pass());
        a.extend([
            "--subject",
            &self.subject,
            "--ca",
            "--days",
            &days,
            "--out",
            &cert,
            "--force",
        ]);
        a.extend(self.extra.iter().map(String::as_str));
        kagi.ok(dir, &a);
        Ca {
            key,
            cert,
            encrypted: self.encrypted,
        }
    }
}

/// A CA's key and certificate files (relative to the directory it was made in).
#[derive(Debug, Clone)]
pub struct Ca {
    /// `NAME.key`.
    pub key: String,
    /// `NAME.crt`.
    pub cert: String,
    /// Whether the key is encrypted with `$PW`.
    pub encrypted: bool,
}

impl Ca {
    /// A CA named `name` (files `NAME.key`, `NAME.crt`), subject `CN=NAME`; see [`Spec`].
    // A constructor of a builder, not of `Ca`: `Ca::new("ca")...create()` reads as it runs.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(name: &str) -> Spec {
        Spec::named(name, format!("CN={name}"))
    }

    /// An end-entity certificate issued by this CA: files `NAME.key`, `NAME.csr`, `NAME.crt`;
    /// default 365 days; see [`Leaf`].
    pub fn leaf(&self, name: &str) -> Leaf<'_> {
        Leaf {
            ca: self,
            spec: Spec::named(name, format!("CN={name}")).days(365),
        }
    }
}

/// An end-entity certificate to issue: `kagi key gen`, `kagi cert request`,
/// `kagi cert issue` by the CA.
#[derive(Debug)]
pub struct Leaf<'a> {
    ca: &'a Ca,
    spec: Spec,
}

/// An issued certificate's files.
#[derive(Debug, Clone)]
pub struct Issued {
    /// `NAME.key`.
    pub key: String,
    /// `NAME.csr`.
    pub csr: String,
    /// `NAME.crt`.
    pub cert: String,
}

impl Leaf<'_> {
    /// The key algorithm.
    pub fn alg(mut self, alg: &str) -> Self {
        self.spec = self.spec.alg(alg);
        self
    }
    /// The subject distinguished name.
    pub fn subject(mut self, subject: &str) -> Self {
        self.spec = self.spec.subject(subject);
        self
    }
    /// Days of validity.
    pub fn days(mut self, days: u32) -> Self {
        self.spec = self.spec.days(days);
        self
    }
    /// The leaf's key is encrypted with `$PW`.
    pub fn encrypted(mut self) -> Self {
        self.spec = self.spec.encrypted();
        self
    }
    /// The certificate profile (`--profile` of `cert issue`).
    pub fn profile(mut self, profile: &str) -> Self {
        self.spec = self.spec.profile(profile);
        self
    }
    /// Extra arguments for every kagi command of the issue.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.spec = self.spec.args(args);
        self
    }

    /// Generates the key, requests and issues the certificate.
    pub fn create(self, kagi: &Kagi, dir: &Path) -> Issued {
        let s = &self.spec;
        let key = s.key_gen(kagi, dir);
        let csr = format!("{}.csr", s.name);
        let cert = format!("{}.crt", s.name);
        let mut a = vec!["cert", "request", "--key", &key];
        a.extend(s.pass());
        a.extend(["--subject", &s.subject, "--out", &csr, "--force"]);
        a.extend(s.extra.iter().map(String::as_str));
        kagi.ok(dir, &a);
        let days = s.days.to_string();
        let mut a = vec![
            "cert",
            "issue",
            "--ca-cert",
            &self.ca.cert,
            "--ca-key",
            &self.ca.key,
        ];
        if self.ca.encrypted {
            a.extend(["--passphrase-env", "PW"]);
        }
        a.extend(["--csr", &csr, "--days", &days, "--out", &cert, "--force"]);
        if let Some(p) = &s.profile {
            a.extend(["--profile", p]);
        }
        a.extend(s.extra.iter().map(String::as_str));
        kagi.ok(dir, &a);
        Issued { key, csr, cert }
    }
}
