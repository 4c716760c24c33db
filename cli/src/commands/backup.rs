//! `kagi key backup` (shares or escrow), `kagi key backup verify`, `kagi key restore`.

use std::fmt::Write as _;
use std::path::Path;

use crypto_core::Provider;
use crypto_core::keys::escrow::{self, Escrow};
use crypto_core::keys::shares::{self, Share};
use crypto_core::keys::{KeyMaterial, PrivateKey, PublicKey};
use crypto_core::pki::Certificate;
use serde_json::json;

use super::key::{load_private, provider, write_private};
use crate::Outcome;
use crate::args::{BackupArgs, BackupCommand, PolicyArgs, RestoreFrom};
use crate::files::{self, Mode};
use crate::output::{CliError, print, print_json};
use crate::passphrase::PassphraseOut;

pub fn run(args: BackupArgs) -> Result<Outcome, CliError> {
    match &args.verify {
        Some(BackupCommand::Verify {
            from,
            expect,
            policy,
            json,
        }) => verify_backup(from, expect.as_deref(), policy, *json),
        None => backup(&args),
    }
}

fn backup(a: &BackupArgs) -> Result<Outcome, CliError> {
    let provider = provider(&a.policy)?;
    let key_path = a
        .key
        .as_deref()
        .ok_or_else(|| CliError::Msg("kagi key backup KEY: which key?".into()))?;
    let key = load_private(key_path, &a.passphrase, &provider)?;
    let fp = key.public_key().fingerprint();
    if let (Some(n), Some(k), Some(dir)) = (a.shares, a.threshold, a.out_dir.as_deref()) {
        if n > 16 {
            return Err(CliError::Msg(format!(
                "--shares {n}: kagi makes at most 16 shares"
            )));
        }
        let set = shares::split(&key, k, n, a.label.as_deref().unwrap_or(""))?;
        prepare_dir(dir, a.force)?;
        let mut written = Vec::new();
        for s in &set {
            let path = dir.join(format!("share-{}-of-{}.txt", s.index, s.total));
            if let Err(e) = files::write_new(&path, s.to_text().expose(), Mode::Secret, a.force) {
                for p in &written {
                    let _ = std::fs::remove_file(p);
                }
                return Err(e);
            }
            written.push(path);
        }
        let mut out = format!(
            "wrote {n} shares of set {} to {} (any {k} restore the key)\n",
            set[0].set_id(),
            dir.display()
        );
        let _ = writeln!(out, "key:         {} {}", key.kind(), fp.hex());
        let _ = writeln!(
            out,
            "verified:    shares 1–{k} restore this key (checked before writing)"
        );
        let _ = writeln!(
            out,
            "next:        give each custodian one share; run `kagi key backup verify SHARE…` with {k} of them before relying on the backup"
        );
        print(&out)?;
        return Ok(Outcome::Yes);
    }
    if let (Some(to), Some(out)) = (a.to.as_deref(), a.out.as_deref()) {
        let certs = files::certificates(to)?;
        let recovery = &certs[0];
        let e = escrow::seal(&provider, &key, recovery)?;
        // Prove it opens before anyone relies on it? Only the recovery key can: say so.
        files::write_new(out, e.to_json()?.as_bytes(), Mode::Secret, a.force)?;
        print(&format!(
            "wrote {} ({} {} escrowed to \"{}\", {})\nnext:        the holder of the recovery key runs `kagi key backup verify --escrow {} --key RECOVERY-KEY`\n",
            out.display(),
            key.kind(),
            fp.hex(),
            recovery.subject,
            e.header.scheme,
            out.display()
        ))?;
        return Ok(Outcome::Yes);
    }
    Err(CliError::Msg(
        "give --shares N --threshold K --out-dir DIR, or --to CERT --out FILE".into(),
    ))
}

fn prepare_dir(dir: &Path, force: bool) -> Result<(), CliError> {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(CliError::Msg(format!(
                    "{}: not empty (use --force to write shares into it)",
                    dir.display()
                )));
            }
            Ok(())
        }
        Err(_) => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| CliError::File {
                path: dir.to_path_buf(),
                source: e,
            }),
    }
}

/// Rebuilds the key from shares or escrow, in memory.
fn rebuild(from: &RestoreFrom, provider: &Provider) -> Result<(PrivateKey, String), CliError> {
    if let Some(esc) = from.escrow.as_deref() {
        let key_path = from
            .key
            .as_deref()
            .ok_or_else(|| CliError::Msg("--escrow needs --key RECOVERY-KEY".into()))?;
        let e = Escrow::parse(&files::read(esc)?)
            .map_err(|e| CliError::Msg(format!("{}: {e}", esc.display())))?;
        let recovery = load_private(key_path, &from.passphrase, provider)?;
        let key = e
            .open(provider, &recovery)
            .map_err(|e| CliError::Msg(format!("{}: {e}", esc.display())))?;
        return Ok((key, format!("escrow file {}", esc.display())));
    }
    if from.shares.is_empty() {
        return Err(CliError::Msg(
            "give share files, or --escrow FILE --key RECOVERY-KEY".into(),
        ));
    }
    let mut parsed = Vec::new();
    for path in &from.shares {
        let text = zeroize::Zeroizing::new(files::read(path)?);
        let text = std::str::from_utf8(&text)
            .map_err(|_| CliError::Msg(format!("{}: not a text share", path.display())))?;
        parsed.push(
            Share::parse(text).map_err(|e| CliError::Msg(format!("{}: {e}", path.display())))?,
        );
    }
    let key = shares::combine(&parsed)?;
    Ok((
        key,
        format!("{} share(s) of set {}", parsed.len(), parsed[0].set_id()),
    ))
}

fn expected_key(
    path: &Path,
    pass: &crate::passphrase::PassphraseIn,
    provider: &Provider,
) -> Result<PublicKey, CliError> {
    let bytes = files::read(path)?;
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    match crypto_core::keys::read(&bytes).map_err(ctx)? {
        KeyMaterial::Private(k) => Ok(k.public_key().clone()),
        KeyMaterial::Public(p) => Ok(p),
        KeyMaterial::Certificate(der) => Certificate::from_der(&der)
            .map_err(ctx)?
            .public_key
            .map_err(|e| CliError::Msg(format!("{}: {e}", path.display()))),
        KeyMaterial::Encrypted(_) => Ok(load_private(path, pass, provider)?.public_key().clone()),
    }
}

fn verify_backup(
    from: &RestoreFrom,
    expect: Option<&Path>,
    policy: &PolicyArgs,
    json: bool,
) -> Result<Outcome, CliError> {
    let provider = provider(policy)?;
    let (key, source) = rebuild(from, &provider)?;
    let fp = key.public_key().fingerprint();
    let matches = match expect {
        Some(p) => Some(expected_key(p, &from.passphrase, &provider)?.fingerprint() == fp),
        None => None,
    };
    if json {
        print_json(&json!({
            "restores": true,
            "source": source,
            "kind": key.kind().to_string(),
            "fingerprint": fp.hex(),
            "matches_expected": matches,
        }))?;
    } else {
        let mut s = format!("ok: {source} restore {} {}\n", key.kind(), fp.hex());
        let _ = writeln!(s, "read aloud:  {}", fp.spoken());
        match matches {
            Some(true) => s.push_str("matches:     the expected key\n"),
            Some(false) => s.push_str("MISMATCH:    this is not the expected key\n"),
            None => {}
        }
        s.push_str("nothing was written\n");
        print(&s)?;
    }
    Ok(if matches == Some(false) {
        Outcome::No
    } else {
        Outcome::Yes
    })
}

pub fn restore(
    from: &RestoreFrom,
    out: &Path,
    force: bool,
    pass: &PassphraseOut,
    iterations: Option<u32>,
    policy: &PolicyArgs,
) -> Result<Outcome, CliError> {
    let provider = provider(policy)?;
    let (key, source) = rebuild(from, &provider)?;
    let used = write_private(&provider, &key, out, force, pass, iterations)?;
    let fp = key.public_key().fingerprint();
    print(&format!(
        "restored {} {} from {source}\nwrote {} ({}, mode 0600)\n",
        key.kind(),
        fp.hex(),
        out.display(),
        match used {
            Some(n) => format!("PBES2 PBKDF2-HMAC-SHA-256 × {n}, AES-256-CBC"),
            None => "UNENCRYPTED".to_string(),
        }
    ))?;
    Ok(Outcome::Yes)
}
