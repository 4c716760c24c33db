//! The CLI's part in erasure certificates: the configuration from `--certificate-config` and
//! the flags, and the operator's key (asking its passphrase), certificate and chain read from
//! files. Checking the signer, the ledger and the certificate directory, and issuing, are the
//! `erase` crate's (`erase::certify`, driven by `erase::session`).

use std::path::Path;

use crypto_core::Provider;
use erase::certify::{CertConfig, Credentials};

use super::key::load_private;
use crate::args::CertifyArgs;
use crate::files;
use crate::output::CliError;

/// The config file (if any) overlaid with the flags; `base` (from a journal) underneath.
/// Paths in the file are relative to the file; all paths end up absolute.
pub fn config(a: &CertifyArgs, base: Option<CertConfig>) -> Result<CertConfig, CliError> {
    let mut c = base.unwrap_or_default();
    if let Some(path) = &a.certificate_config {
        let text = String::from_utf8(files::read(path)?)
            .map_err(|_| CliError::Msg(format!("{}: not UTF-8", path.display())))?;
        let mut file: CertConfig = toml::from_str(&text)
            .map_err(|e| CliError::Msg(format!("{}: {}", path.display(), e.message())))?;
        file.relative_to(path.parent().unwrap_or(Path::new(".")));
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
    Ok(c.absolutized())
}

/// The operator's key, certificate and chain, read (and the passphrase asked) before any
/// target is touched.
pub fn credentials(
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
    Ok(Credentials::new(
        key,
        cert_der,
        chain,
        &cert_path.display().to_string(),
    ))
}
