//! Issuing deletion certificates: the typed configuration a journal keeps (who, for whom, which
//! signing key and certificate by path — never a key or passphrase), the signer made ready and
//! checked before anything is written, the pre-flight check of the ledger and certificate
//! directory, and issuing into the ledger afterwards.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crypto_core::Provider;
use crypto_core::cms::Signer;
use crypto_core::hash::HashAlgorithm;
use crypto_core::keys::PrivateKey;
use crypto_core::pki::Certificate;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::certificate::{self, Context, Document, LedgerPosition};
use crate::ledger::Ledger;

/// Everything a certificate needs except the key's passphrase; kept in the journal so a
/// resumed run issues the same certificate. Unknown fields are refused, so a journal or
/// configuration file with a misspelt or damaged field is an error, never silently dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertConfig {
    /// The organisation performing the erasure.
    pub organisation: Option<String>,
    /// Its unit or department.
    pub unit: Option<String>,
    /// Where the erasure takes place.
    pub location: Option<String>,
    /// The operator's name.
    pub operator: Option<String>,
    /// The operator's role or title.
    pub role: Option<String>,
    /// How to reach the operator.
    pub contact: Option<String>,
    /// The asset tag or media property number.
    pub asset_tag: Option<String>,
    /// The lease or contract reference.
    pub contract: Option<String>,
    /// Where the medium goes next.
    pub destination: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// The operator's private key (a path; the key itself is never kept).
    pub sign_key: Option<PathBuf>,
    /// The operator's certificate.
    pub sign_cert: Option<PathBuf>,
    /// Intermediate certificates to embed.
    pub chain: Option<PathBuf>,
    /// Where certificates are written.
    pub certificate_dir: Option<PathBuf>,
    /// The ledger (default: `ledger.jsonl` in the state directory).
    pub ledger: Option<PathBuf>,
}

fn absolute(p: Option<PathBuf>) -> Option<PathBuf> {
    p.map(|p| std::path::absolute(&p).unwrap_or(p))
}

impl CertConfig {
    /// Every field `o` sets replaces this one's.
    pub fn overlay(&mut self, o: CertConfig) {
        macro_rules! take {
            ($($f:ident),*) => { $( if o.$f.is_some() { self.$f = o.$f; } )* };
        }
        take!(
            organisation,
            unit,
            location,
            operator,
            role,
            contact,
            asset_tag,
            contract,
            destination,
            notes,
            sign_key,
            sign_cert,
            chain,
            certificate_dir,
            ledger
        );
    }

    /// Relative paths made relative to `base` (the directory of a configuration file).
    pub fn relative_to(&mut self, base: &Path) {
        for p in self.paths_mut() {
            if let Some(x) = p.as_mut()
                && x.is_relative()
            {
                *x = base.join(&*x);
            }
        }
    }

    /// Every path made absolute (a journal must not depend on the directory a resume runs
    /// in); the certificate directory defaults to the current one.
    pub fn absolutized(mut self) -> CertConfig {
        if self.certificate_dir.is_none() {
            self.certificate_dir = Some(PathBuf::from("."));
        }
        for p in self.paths_mut() {
            *p = absolute(p.take());
        }
        self
    }

    fn paths_mut(&mut self) -> [&mut Option<PathBuf>; 5] {
        [
            &mut self.sign_key,
            &mut self.sign_cert,
            &mut self.chain,
            &mut self.certificate_dir,
            &mut self.ledger,
        ]
    }

    /// Whether a certificate was asked for (a signing key or certificate named).
    pub fn wanted(&self) -> bool {
        self.sign_key.is_some() || self.sign_cert.is_some()
    }

    /// The certificate context, or what is missing.
    pub fn context(&self) -> Result<Context, Error> {
        let need = |v: &Option<String>, flag: &str| {
            v.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                Error::Invalid(format!(
                    "a deletion certificate needs {flag} (or it in --certificate-config); nothing was written"
                ))
            })
        };
        Ok(Context {
            organisation: need(&self.organisation, "--organisation")?,
            unit: self.unit.clone(),
            location: self.location.clone(),
            operator: need(&self.operator, "--operator")?,
            role: need(&self.role, "--role")?,
            contact: self.contact.clone(),
            asset_tag: self.asset_tag.clone(),
            contract: self.contract.clone(),
            destination: self.destination.clone(),
            notes: self.notes.clone(),
        })
    }

    /// The directory certificates go to.
    fn directory(&self) -> PathBuf {
        self.certificate_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The ledger certificates are recorded in: the configured one, else `default`.
    pub fn ledger_or(&self, default: &Path) -> Ledger {
        Ledger::new(self.ledger.as_deref().unwrap_or(default))
    }
}

/// The operator's key, certificate and chain, read by the caller (who asks for the passphrase)
/// before any target is touched.
pub struct Credentials {
    key: PrivateKey,
    cert_der: Vec<u8>,
    chain: Vec<Vec<u8>>,
    cert_name: String,
}

impl Credentials {
    /// `key` and its certificate `cert_der` (named `cert_name` in messages), with the
    /// intermediate certificates `chain` to embed.
    pub fn new(
        key: PrivateKey,
        cert_der: Vec<u8>,
        chain: Vec<Vec<u8>>,
        cert_name: &str,
    ) -> Credentials {
        Credentials {
            key,
            cert_der,
            chain,
            cert_name: cert_name.to_string(),
        }
    }

    /// A signer, checked now as `kagi certificate verify` will check it (so a certificate
    /// that would be rejected stops the run before anything is written): the policy, the
    /// signer's certificate as `kagi sign` checks it (validity, not a CA, key usage, extended
    /// key usage, extensions), valid for at least a day more (a run must end inside the
    /// validity), and — where the chain holds a self-signed root, or the certificate is
    /// self-signed — a path that validates as verify will validate it.
    pub fn issuer<'a>(
        &'a self,
        provider: &Provider,
        ledger_default: &Path,
    ) -> Result<Issuer<'a>, Error> {
        let at = time::OffsetDateTime::now_utc();
        let name = &self.cert_name;
        let refuse = |why: String| {
            Error::Invalid(format!(
                "{name}: {why}; `kagi certificate verify` would reject every certificate it signs, so nothing was written"
            ))
        };
        let signer = Signer::new(provider, &self.key, &self.cert_der, HashAlgorithm::Sha256)
            .map_err(|e| Error::Invalid(format!("{name}: {e}")))?;
        signer
            .check_certificate(at)
            .map_err(|e| refuse(e.to_string()))?;
        let c = Certificate::from_der(&self.cert_der)
            .map_err(|e| Error::Invalid(format!("{name}: {e}")))?;
        if at + time::Duration::days(1) > c.not_after {
            return Err(refuse(format!(
                "it expires {} (a run must end, and its certificate be issued, inside the validity)",
                c.not_after.date()
            )));
        }
        // A path to the operator's CA, where one is at hand.
        let self_signed = |x: &Certificate| x.subject == x.issuer;
        let chain: Vec<Certificate> = self
            .chain
            .iter()
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect();
        let (mut anchors, intermediates): (Vec<_>, Vec<_>) =
            chain.into_iter().partition(|x| self_signed(x));
        if self_signed(&c) {
            anchors.push(c.clone());
        }
        let ders =
            |v: &[Certificate]| -> Vec<Vec<u8>> { v.iter().map(|x| x.der.clone()).collect() };
        if !anchors.is_empty()
            && let Err(e) = crypto_core::pki::path::validate(
                provider,
                &c.der,
                &ders(&intermediates),
                &ders(&anchors),
                at,
            )
        {
            return Err(refuse(crypto_core::pki::path::explain(&e)));
        }
        Ok(Issuer {
            signer,
            chain: &self.chain,
            ledger_default: ledger_default.to_path_buf(),
        })
    }
}

/// A checked signer and where its certificates are recorded by default: what every target of
/// one session shares.
pub struct Issuer<'a> {
    signer: Signer<'a>,
    chain: &'a [Vec<u8>],
    ledger_default: PathBuf,
}

/// A certificate issued: its file and its ledger position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issued {
    /// The certificate file.
    pub path: PathBuf,
    /// Its ledger entry.
    pub ledger_seq: u64,
    /// The NIST SP 800-88 level it claims.
    pub nist_level: String,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io(path.display().to_string(), e)
}

/// What a file system object is, in words, for a refusal.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "a regular file"
    }
}

/// Whether a file can be created in `dir` (made if missing): an unnamed `O_TMPFILE` where the
/// file system has one, else a named probe removed at once.
fn writable(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let unnamed = rustix::fs::openat(
        rustix::fs::CWD,
        dir,
        rustix::fs::OFlags::TMPFILE | rustix::fs::OFlags::RDWR | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::from_raw_mode(0o600),
    );
    match unnamed {
        Ok(_) => Ok(()),
        Err(e)
            if [
                rustix::io::Errno::OPNOTSUPP,
                rustix::io::Errno::ISDIR,
                rustix::io::Errno::INVAL,
            ]
            .contains(&e) =>
        {
            let probe = dir.join(format!(
                ".kagi-probe-{}",
                hex::encode(crypto_core::rand::array::<8>()?)
            ));
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&probe)
                .map_err(io(dir))?;
            std::fs::remove_file(&probe).map_err(io(&probe))
        }
        Err(e) => Err(io(dir)(e.into())),
    }
}

/// The ledger a certificate will be recorded in must check, and the certificate directory take
/// a file, before anything is written: either found only after an erase would leave a
/// verified run without its certificate.
pub fn check_issuing(
    provider: &Provider,
    config: &CertConfig,
    ledger_default: &Path,
) -> Result<(), Error> {
    let dir = config.directory();
    writable(&dir).map_err(|e| {
        Error::Invalid(format!(
            "certificates cannot be written to {} ({e}); nothing was written",
            dir.display()
        ))
    })?;
    let ledger = config.ledger_or(ledger_default);
    if let Ok(md) = std::fs::metadata(ledger.path())
        && !md.is_file()
    {
        return Err(Error::Invalid(format!(
            "the ledger {} is {}, not a regular file: a certificate could not be recorded in it, so nothing was written",
            ledger.path().display(),
            kind_of(md.file_type())
        )));
    }
    let check = ledger.check(provider).map_err(|e| {
        Error::Invalid(format!(
            "the ledger cannot be read ({e}); fix it before erasing (`kagi ledger verify`); nothing was written"
        ))
    })?;
    if let Some(first) = check.problems.first() {
        return Err(Error::Invalid(format!(
            "the ledger is broken ({first}{}): a certificate could not be recorded in {}, so nothing was written (`kagi ledger verify` lists every break)",
            if check.problems.len() > 1 {
                format!(", and {} more", check.problems.len() - 1)
            } else {
                String::new()
            },
            ledger.path().display()
        )));
    }
    Ok(())
}

/// Writes `bytes` at `path`, which must not exist: into an unnamed file in its directory,
/// synced, then linked at `path` (or, without `O_TMPFILE`, a hidden named file renamed there
/// with `RENAME_NOREPLACE`), so the certificate appears whole or not at all.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let unnamed = rustix::fs::openat(
        rustix::fs::CWD,
        dir,
        rustix::fs::OFlags::TMPFILE | rustix::fs::OFlags::RDWR | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::from_raw_mode(0o644),
    );
    let fill = |f: &mut std::fs::File| -> std::io::Result<()> {
        f.write_all(bytes)?;
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        f.sync_all()
    };
    match unnamed {
        Ok(fd) => {
            let mut f = std::fs::File::from(fd);
            fill(&mut f).map_err(io(path))?;
            use std::os::fd::AsRawFd;
            let proc_path = format!("/proc/self/fd/{}", f.as_raw_fd());
            rustix::fs::linkat(
                rustix::fs::CWD,
                proc_path.as_str(),
                rustix::fs::CWD,
                path,
                rustix::fs::AtFlags::SYMLINK_FOLLOW,
            )
            .or_else(|_| {
                rustix::fs::linkat(
                    &f,
                    "",
                    rustix::fs::CWD,
                    path,
                    rustix::fs::AtFlags::EMPTY_PATH,
                )
            })
            .map_err(|e| io(path)(e.into()))?;
        }
        Err(_) => {
            let tmp = dir.join(format!(
                ".kagi-{}.tmp",
                hex::encode(crypto_core::rand::array::<8>()?)
            ));
            // No O_TMPFILE (FAT on the kagi-live stick, found by its QEMU test): a hidden
            // file, written and synced, renamed into place without replacing anything — FAT
            // has neither hard links nor Unix modes, so neither is asked of it.
            let placed = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .open(&tmp)
                .and_then(|mut f| {
                    f.write_all(bytes)?;
                    f.sync_all()
                })
                .and_then(|()| {
                    rustix::fs::renameat_with(
                        rustix::fs::CWD,
                        &tmp,
                        rustix::fs::CWD,
                        path,
                        rustix::fs::RenameFlags::NOREPLACE,
                    )
                    .map_err(Into::into)
                });
            let _ = std::fs::remove_file(&tmp);
            placed.map_err(io(path))?;
        }
    }
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

impl Issuer<'_> {
    /// The signer, for the algorithms a document records.
    pub fn signer(&self) -> &Signer<'_> {
        &self.signer
    }

    /// Signs `doc`, records it in the ledger (under its lock) with its position inside the
    /// signed document, and writes it into the configured directory. The certificate exists
    /// only if the ledger recorded it: a file written for an entry that failed is removed.
    pub fn issue(
        &self,
        provider: &Provider,
        config: &CertConfig,
        mut doc: Document,
    ) -> Result<Issued, Error> {
        let label = doc.device.ledger_name();
        let dir = config.directory();
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let ledger = config.ledger_or(&self.ledger_default);
        let stamp = doc.issued.get(..19).unwrap_or("").replace([':', '-'], "");
        // The file name: the serial, a loop device's backing file name, or the device name.
        let short = doc.device.serial.clone().unwrap_or_else(|| {
            doc.device
                .backing_file
                .as_deref()
                .and_then(|b| Path::new(b).file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| doc.device.path.trim_start_matches("/dev/").to_string())
        });
        let safe = crate::state_dir::file_safe(&short);
        let id8 = doc.id.get(..8).unwrap_or(&doc.id).to_string();
        let path = dir.join(format!("erasure-{safe}-{stamp}Z-{id8}.erasure"));
        let nist_level = doc.sanitization.nist_level.clone();
        let mut written = false;
        let entry = ledger
            .append_with(provider, |seq, prev| {
                doc.ledger = Some(LedgerPosition {
                    seq,
                    prev: prev.to_string(),
                });
                let bytes = certificate::seal(provider, &doc, &self.signer, self.chain)?;
                write_new(&path, &bytes)?;
                written = true;
                Ok((
                    doc.id.clone(),
                    certificate::file_hash(provider, &bytes)?,
                    label.clone(),
                    doc.sanitization.technique.clone(),
                ))
            })
            .map_err(|e| {
                if written {
                    let _ = std::fs::remove_file(&path);
                }
                Error::Invalid(format!("no certificate was issued: {e}"))
            })?;
        Ok(Issued {
            path,
            ledger_seq: entry.seq,
            nist_level,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_config_overlays_resolves_and_refuses_unknown_fields() {
        let mut c = CertConfig {
            organisation: Some("A".into()),
            sign_key: Some("k.pem".into()),
            ..CertConfig::default()
        };
        c.relative_to(Path::new("/etc/kagi"));
        assert_eq!(c.sign_key.as_deref(), Some(Path::new("/etc/kagi/k.pem")));
        c.overlay(CertConfig {
            organisation: Some("B".into()),
            ..CertConfig::default()
        });
        assert_eq!(c.organisation.as_deref(), Some("B"));
        assert!(c.wanted());
        let c = c.absolutized();
        assert!(c.certificate_dir.as_deref().is_some_and(Path::is_absolute));
        // The operator and role are missing.
        assert!(c.context().unwrap_err().to_string().contains("--operator"));
        let v = serde_json::to_value(&c).unwrap();
        let back: CertConfig = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back, c);
        let mut bad = v;
        bad["organization"] = serde_json::json!("misspelt");
        assert!(serde_json::from_value::<CertConfig>(bad).is_err());
        assert!(serde_json::from_value::<CertConfig>(serde_json::json!({"operator": 7})).is_err());
    }
}
