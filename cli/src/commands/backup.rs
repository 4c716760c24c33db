//! `kagi key backup` (shares or escrow), `kagi key backup verify`, `kagi key restore`.

use std::fmt::Write as _;
use std::path::Path;

use crypto_core::Provider;
use crypto_core::keys::escrow::{self, Escrow};
use crypto_core::keys::shares::{self, Share};
use crypto_core::keys::text::TextKeyKind;
use crypto_core::keys::{BackupKey, Fingerprint, KeyMaterial};
use crypto_core::pki::Certificate;
use serde_json::json;

use super::key::{load_private, provider, text_encryption, write_private, write_text_key};
use crate::Outcome;
use crate::args::{BackupArgs, BackupCommand, PolicyArgs, RestoreFrom};
use crate::files::{self, Mode};
use crate::output::{CliError, print, print_json};
use crate::passphrase::{PassphraseIn, PassphraseOut};

/// Reads any key kagi makes: a symmetric or hybrid key file (encrypted or not), or a private
/// key (PKCS#8 and the formats openssl writes).
fn load_backup_key(
    path: &Path,
    pass: &PassphraseIn,
    provider: &Provider,
) -> Result<BackupKey, CliError> {
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    match super::envelope::read_text_key(path, pass, provider)? {
        Some((TextKeyKind::Symmetric, _)) => Ok(BackupKey::Symmetric(
            super::envelope::read_key_file(path, pass, provider)?,
        )),
        Some((TextKeyKind::HybridPrivate, text)) => {
            let text = std::str::from_utf8(text.expose()).unwrap_or_default();
            crypto_core::envelope::hybrid::HybridPrivateKey::from_text(provider, text)
                .map_err(ctx)?
                .map(BackupKey::Hybrid)
                .ok_or_else(|| CliError::Msg(format!("{}: not a hybrid key", path.display())))
        }
        None => Ok(BackupKey::Private(load_private(path, pass, provider)?)),
    }
}

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
    let key = load_backup_key(key_path, &a.passphrase, &provider)?;
    let fp = key.fingerprint(&provider)?;
    if let (Some(n), Some(k), Some(dir)) = (a.shares, a.threshold, a.out_dir.as_deref()) {
        if n > 16 {
            return Err(CliError::Msg(format!(
                "--shares {n}: kagi makes at most 16 shares"
            )));
        }
        let set = shares::split_any(&provider, &key, k, n, a.label.as_deref().unwrap_or(""))?;
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
        let e = escrow::seal_any(&provider, &key, recovery)?;
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
fn rebuild(from: &RestoreFrom, provider: &Provider) -> Result<(BackupKey, String), CliError> {
    if let Some(esc) = from.escrow.as_deref() {
        let key_path = from
            .key
            .as_deref()
            .ok_or_else(|| CliError::Msg("--escrow needs --key RECOVERY-KEY".into()))?;
        let e = Escrow::parse(&files::read(esc)?)
            .map_err(|e| CliError::Msg(format!("{}: {e}", esc.display())))?;
        let recovery = load_private(key_path, &from.passphrase, provider)?;
        let key = e
            .open_any(provider, &recovery)
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
    let key = shares::combine_any(provider, &parsed)?;
    Ok((
        key,
        format!("{} share(s) of set {}", parsed.len(), parsed[0].set_id()),
    ))
}

/// The fingerprint of the key a backup should restore: from a key of any kind kagi makes, a
/// public key, a certificate or a hybrid public key file.
fn expected_key(
    path: &Path,
    pass: &PassphraseIn,
    provider: &Provider,
) -> Result<Fingerprint, CliError> {
    let bytes = files::read(path)?;
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    if let Ok(text) = std::str::from_utf8(&bytes)
        && let Some(k) =
            crypto_core::envelope::hybrid::HybridPublicKey::from_text(text).map_err(ctx)?
    {
        return Ok(Fingerprint(k.id()));
    }
    let text = std::str::from_utf8(&bytes).unwrap_or_default();
    if TextKeyKind::of_plain(text).is_some()
        || matches!(
            crypto_core::keys::text::EncryptedTextKey::parse(text),
            Ok(Some(_))
        )
    {
        return load_backup_key(path, pass, provider)?
            .fingerprint(provider)
            .map_err(ctx);
    }
    match crypto_core::keys::read(&bytes).map_err(ctx)? {
        KeyMaterial::Private(k) => Ok(k.public_key().fingerprint()),
        KeyMaterial::Public(p) => Ok(p.fingerprint()),
        KeyMaterial::Certificate(der) => Certificate::from_der(&der)
            .map_err(ctx)?
            .public_key
            .map(|k| k.fingerprint())
            .map_err(|e| CliError::Msg(format!("{}: {e}", path.display()))),
        KeyMaterial::Encrypted(_) => Ok(load_private(path, pass, provider)?
            .public_key()
            .fingerprint()),
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
    let fp = key.fingerprint(&provider)?;
    let matches = match expect {
        Some(p) => Some(expected_key(p, &from.passphrase, &provider)? == fp),
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
    let fp = key.fingerprint(&provider)?;
    let (used, extra) = match &key {
        BackupKey::Private(k) => (
            write_private(&provider, k, out, force, pass, iterations)?.map_or_else(
                || "UNENCRYPTED".to_string(),
                |n| format!("PBES2 PBKDF2-HMAC-SHA-256 × {n}, AES-256-CBC"),
            ),
            String::new(),
        ),
        BackupKey::Symmetric(k) => {
            let text = crypto_core::keys::text::symmetric_to_text(k.expose());
            let used = write_text_key(&provider, &text, out, force, pass, iterations)?;
            (text_encryption(used), String::new())
        }
        BackupKey::Hybrid(k) => {
            let pub_path = files::with_ext(out, ".pub");
            files::check_output(&pub_path, force)?;
            let used = write_text_key(&provider, &k.to_text(), out, force, pass, iterations)?;
            let public = k.public_key(&provider)?.to_text();
            files::write_new(&pub_path, public.as_bytes(), Mode::Public, force)?;
            (
                text_encryption(used),
                format!("wrote {} (its public key)\n", pub_path.display()),
            )
        }
    };
    print(&format!(
        "restored {} {} from {source}\nwrote {} ({used}, mode 0600)\n{extra}",
        key.kind(),
        fp.hex(),
        out.display(),
    ))?;
    Ok(Outcome::Yes)
}
