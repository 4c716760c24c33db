//! Issuing erasure certificates from `kagi erase run | resume`: the config (file, then flags),
//! a signer made ready before anything is written, and issuing into the ledger afterwards.

use std::path::{Path, PathBuf};

use crypto_core::Provider;
use crypto_core::cms::Signer;
use crypto_core::hash::HashAlgorithm;
use crypto_core::keys::PrivateKey;
use erase::certificate::{self, Context, DeviceRecord, Document, LedgerPosition};
use erase::engine::Report;
use erase::ledger::Ledger;
use serde::{Deserialize, Serialize};

use super::key::load_private;
use crate::args::CertifyArgs;
use crate::files::{self, Mode};
use crate::output::CliError;

/// Everything a certificate needs except the key's passphrase; kept in the journal so a
/// resumed run issues the same certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertConfig {
    pub organisation: Option<String>,
    pub unit: Option<String>,
    pub location: Option<String>,
    pub operator: Option<String>,
    pub role: Option<String>,
    pub contact: Option<String>,
    pub asset_tag: Option<String>,
    pub contract: Option<String>,
    pub destination: Option<String>,
    pub notes: Option<String>,
    pub sign_key: Option<PathBuf>,
    pub sign_cert: Option<PathBuf>,
    pub chain: Option<PathBuf>,
    pub certificate_dir: Option<PathBuf>,
    pub ledger: Option<PathBuf>,
}

fn absolute(p: Option<PathBuf>) -> Option<PathBuf> {
    p.map(|p| std::path::absolute(&p).unwrap_or(p))
}

impl CertConfig {
    /// The config file (if any) overlaid with the flags; `base` (from a journal) underneath.
    pub fn from_args(a: &CertifyArgs, base: Option<CertConfig>) -> Result<CertConfig, CliError> {
        let mut c = base.unwrap_or_default();
        if let Some(path) = &a.certificate_config {
            let text = String::from_utf8(files::read(path)?)
                .map_err(|_| CliError::Msg(format!("{}: not UTF-8", path.display())))?;
            let mut file: CertConfig = toml::from_str(&text)
                .map_err(|e| CliError::Msg(format!("{}: {}", path.display(), e.message())))?;
            // Paths in the file are relative to the file.
            let base = path.parent().unwrap_or(Path::new("."));
            for p in [
                &mut file.sign_key,
                &mut file.sign_cert,
                &mut file.chain,
                &mut file.certificate_dir,
                &mut file.ledger,
            ] {
                if let Some(x) = p.as_mut()
                    && x.is_relative()
                {
                    *x = base.join(&*x);
                }
            }
            c.overlay(file);
        }
        c.overlay(CertConfig {
            organisation: a.organisation.clone(),
            unit: a.unit.clone(),
            location: a.location.clone(),
            operator: a.operator.clone(),
            role: a.role.clone(),
            contact: a.contact.clone(),
            asset_tag: None,
            contract: a.contract.clone(),
            destination: a.destination.clone(),
            notes: a.notes.clone(),
            sign_key: a.sign_key.clone(),
            sign_cert: a.sign_cert.clone(),
            chain: a.chain.clone(),
            certificate_dir: a.certificate_dir.clone(),
            ledger: a.ledger.clone(),
        });
        c.sign_key = absolute(c.sign_key);
        c.sign_cert = absolute(c.sign_cert);
        c.chain = absolute(c.chain);
        c.certificate_dir = absolute(c.certificate_dir.or_else(|| Some(PathBuf::from("."))));
        c.ledger = absolute(c.ledger);
        Ok(c)
    }

    fn overlay(&mut self, o: CertConfig) {
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

    /// Whether a certificate was asked for (a signing key or certificate named).
    pub fn wanted(&self) -> bool {
        self.sign_key.is_some() || self.sign_cert.is_some()
    }

    /// The certificate context, or what is missing.
    pub fn context(&self) -> Result<Context, CliError> {
        let need = |v: &Option<String>, flag: &str| {
            v.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                CliError::Msg(format!(
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

    pub fn to_value(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }

    pub fn from_value(v: &serde_json::Value) -> Option<CertConfig> {
        serde_json::from_value(v.clone()).ok()
    }
}

/// The operator's key, certificate and chain, loaded (and the passphrase asked) before any
/// target is touched.
pub struct Credentials {
    key: PrivateKey,
    cert_der: Vec<u8>,
    chain: Vec<Vec<u8>>,
    cert_path: PathBuf,
}

impl Credentials {
    pub fn load(
        c: &CertConfig,
        a: &CertifyArgs,
        provider: &Provider,
    ) -> Result<Credentials, CliError> {
        let (Some(key_path), Some(cert_path)) = (&c.sign_key, &c.sign_cert) else {
            return Err(CliError::Msg(
                "a deletion certificate needs both --sign-key and --sign-cert; nothing was written"
                    .into(),
            ));
        };
        let key = load_private(key_path, &a.passphrase, provider)?;
        let cert_der = files::bundle(Some(cert_path))?
            .into_iter()
            .next()
            .ok_or_else(|| CliError::Msg(format!("{}: no certificate", cert_path.display())))?;
        let chain = files::bundle(c.chain.as_deref())?;
        Ok(Credentials {
            key,
            cert_der,
            chain,
            cert_path: cert_path.clone(),
        })
    }

    /// A signer, checked now as `kagi certificate verify` will check it (so a certificate
    /// that would be rejected stops the run before anything is written): the policy, the
    /// signer's certificate as `kagi sign` checks it (validity, not a CA, key usage, extended
    /// key usage, extensions), valid for at least a day more (a run must end inside the
    /// validity), and — where `--chain` holds a self-signed root, or the certificate is
    /// self-signed — a path that validates as verify will validate it.
    pub fn signer(&self, provider: &Provider) -> Result<Signer<'_>, CliError> {
        let at = time::OffsetDateTime::now_utc();
        let name = self.cert_path.display();
        let refuse = |why: String| {
            CliError::Msg(format!(
                "{name}: {why}; `kagi certificate verify` would reject every certificate it signs, so nothing was written"
            ))
        };
        let signer = Signer::new(provider, &self.key, &self.cert_der, HashAlgorithm::Sha256)
            .map_err(|e| CliError::Msg(format!("{name}: {e}")))?;
        signer
            .check_certificate(at)
            .map_err(|e| refuse(e.to_string()))?;
        let c = crypto_core::pki::Certificate::from_der(&self.cert_der)
            .map_err(|e| CliError::Msg(format!("{name}: {e}")))?;
        if at + time::Duration::days(1) > c.not_after {
            return Err(refuse(format!(
                "it expires {} (a run must end, and its certificate be issued, inside the validity)",
                c.not_after.date()
            )));
        }
        // A path to the operator's CA, where one is at hand.
        let self_signed = |x: &crypto_core::pki::Certificate| x.subject == x.issuer;
        let chain: Vec<crypto_core::pki::Certificate> = self
            .chain
            .iter()
            .filter_map(|d| crypto_core::pki::Certificate::from_der(d).ok())
            .collect();
        let (mut anchors, intermediates): (Vec<_>, Vec<_>) =
            chain.into_iter().partition(|x| self_signed(x));
        if self_signed(&c) {
            anchors.push(c.clone());
        }
        let ders = |v: &[crypto_core::pki::Certificate]| -> Vec<Vec<u8>> {
            v.iter().map(|x| x.der.clone()).collect()
        };
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
        Ok(signer)
    }
}

/// The ledger a certificate will be recorded in must check, and the certificate directory take
/// a file, before anything is written: either found only after an erase would leave a
/// verified run without its certificate.
pub fn check_issuing(
    provider: &Provider,
    config: &CertConfig,
    ledger_default: &Path,
) -> Result<(), CliError> {
    let dir = config
        .certificate_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::File {
            path: dir.clone(),
            source: e,
        })
        .and_then(|()| files::Scratch::beside(&dir.join("probe")).map(drop))
        .map_err(|e| {
            CliError::Msg(format!(
                "certificates cannot be written to {} ({e}); nothing was written",
                dir.display()
            ))
        })?;
    let ledger = Ledger::new(config.ledger.as_deref().unwrap_or(ledger_default));
    if let Ok(md) = std::fs::metadata(ledger.path())
        && !md.is_file()
    {
        return Err(CliError::Msg(format!(
            "the ledger {} is {}, not a regular file: a certificate could not be recorded in it, so nothing was written",
            ledger.path().display(),
            files::kind_of(md.file_type())
        )));
    }
    let check = ledger.check(provider).map_err(|e| {
        CliError::Msg(format!(
            "the ledger cannot be read ({e}); fix it before erasing (`kagi ledger verify`); nothing was written"
        ))
    })?;
    if let Some(first) = check.problems.first() {
        return Err(CliError::Msg(format!(
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

/// Issues the certificate of a completed overwrite run.
pub fn issue(
    provider: &Provider,
    signer: &Signer<'_>,
    creds: &Credentials,
    config: &CertConfig,
    ledger_default: &Path,
    report: &Report,
    device: DeviceRecord,
) -> Result<(PathBuf, u64), CliError> {
    let doc = Document::from_run(
        provider,
        report,
        device,
        config.context()?,
        &certificate::signer_algorithms(signer),
    )
    .map_err(|e| CliError::Msg(e.to_string()))?;
    issue_document(provider, signer, creds, config, ledger_default, doc)
}

/// Signs `doc`, records it in the ledger (under its lock) with its position inside the signed
/// document, and writes it beside the others. Returns its path and ledger position.
pub fn issue_document(
    provider: &Provider,
    signer: &Signer<'_>,
    creds: &Credentials,
    config: &CertConfig,
    ledger_default: &Path,
    mut doc: Document,
) -> Result<(PathBuf, u64), CliError> {
    let label = doc.device.ledger_name();
    let dir = config
        .certificate_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::File {
        path: dir.clone(),
        source: e,
    })?;
    let ledger = Ledger::new(config.ledger.as_deref().unwrap_or(ledger_default));
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
    let safe = erase::journal::file_safe(&short);
    let path = dir.join(format!("erasure-{safe}-{stamp}Z-{}.erasure", &doc.id[..8]));
    let mut written: Option<String> = None;
    let entry = ledger
        .append_with(provider, |seq, prev| {
            doc.ledger = Some(LedgerPosition {
                seq,
                prev: prev.to_string(),
            });
            let bytes = certificate::seal(provider, &doc, signer, &creds.chain)?;
            files::write_new(&path, &bytes, Mode::Public, false)
                .map_err(|e| erase::Error::Invalid(e.to_string()))?;
            written = Some(path.display().to_string());
            Ok((
                doc.id.clone(),
                certificate::file_hash(provider, &bytes)?,
                label.clone(),
                doc.sanitization.technique.clone(),
            ))
        })
        .map_err(|e| {
            // The certificate exists only if the ledger recorded it.
            if written.is_some() {
                let _ = std::fs::remove_file(&path);
            }
            CliError::Msg(format!("no certificate was issued: {e}"))
        })?;
    Ok((path, entry.seq))
}
