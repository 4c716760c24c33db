//! `kagi key gen | show | public | backup | restore`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crypto_core::Provider;
use crypto_core::envelope::hybrid::{HybridPrivateKey, HybridPublicKey};
use crypto_core::keys::text::{EncryptedTextKey, TextKeyKind};
use crypto_core::keys::{self, KeyAlg, KeyMaterial, PrivateKey, PublicKey, pbes2};
use crypto_core::pki::Certificate;
use crypto_core::secret::SecretBytes;
use cryptrec::{Status, Verdict, parse_date};
use serde_json::json;

use crate::Outcome;
use crate::args::{KeyCommand, PolicyArgs};
use crate::files::{self, Mode};
use crate::output::{CliError, print, print_json};
use crate::passphrase::{PassphraseIn, PassphraseOut, can_prompt};

pub fn run(cmd: KeyCommand) -> Result<Outcome, CliError> {
    match cmd {
        KeyCommand::Gen {
            alg,
            out,
            force,
            passphrase,
            iterations,
            policy,
            json,
        } => gen_key(
            &alg,
            &out,
            force,
            &passphrase.into(),
            iterations,
            &policy,
            json,
        ),
        KeyCommand::Show {
            file,
            passphrase,
            policy,
            json,
        } => show(&file, &passphrase, &policy, json),
        KeyCommand::Public {
            file,
            out,
            force,
            passphrase,
        } => public(&file, out.as_deref(), force, &passphrase),
        KeyCommand::Backup(args) => super::backup::run(args),
        KeyCommand::Restore {
            from,
            out,
            force,
            new_passphrase,
            iterations,
            policy,
        } => super::backup::restore(&from, &out, force, &new_passphrase, iterations, &policy),
    }
}

/// A provider for the chosen policy and date.
pub fn provider(args: &PolicyArgs) -> Result<Provider, CliError> {
    let policy = super::policy::load_policy(&args.policy)?;
    let p = Provider::new(policy)?;
    Ok(match &args.as_of {
        Some(d) => p.at_date(parse_date(d)?),
        None => p,
    })
}

/// Reads a private key, asking for its passphrase if it is encrypted.
pub fn load_private(
    path: &Path,
    pass: &PassphraseIn,
    provider: &Provider,
) -> Result<PrivateKey, CliError> {
    let bytes = files::read(path)?;
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    match keys::read(&bytes).map_err(ctx)? {
        KeyMaterial::Private(k) => Ok(k),
        KeyMaterial::Encrypted(enc) => {
            enc.info(provider).map_err(ctx)?;
            let p = pass.get(&path.display().to_string())?;
            Ok(enc.decrypt(provider, p.as_bytes()).map_err(ctx)?.0)
        }
        KeyMaterial::Public(_) => Err(CliError::Msg(format!(
            "{}: holds a public key, not a private key",
            path.display()
        ))),
        KeyMaterial::Certificate(_) => Err(CliError::Msg(format!(
            "{}: holds a certificate, not a private key",
            path.display()
        ))),
    }
}

/// Writes a private key: encrypted PKCS#8 PEM unless `--unencrypted`, mode 0600.
pub fn write_private(
    provider: &Provider,
    key: &PrivateKey,
    out: &Path,
    force: bool,
    pass: &PassphraseOut,
    iterations: Option<u32>,
) -> Result<Option<u32>, CliError> {
    if !force && std::fs::symlink_metadata(out).is_ok() {
        return Err(CliError::Msg(format!(
            "{}: already exists (use --force to replace it)",
            out.display()
        )));
    }
    match pass.get(&out.display().to_string())? {
        None => {
            let pem = key.to_pkcs8_pem()?;
            files::write_new(out, pem.expose(), Mode::Secret, force)?;
            Ok(None)
        }
        Some(p) => {
            let n = iterations.unwrap_or_else(|| pbes2::calibrate(Duration::from_secs(1)));
            let pem = zeroize::Zeroizing::new(key.to_encrypted_pem(provider, p.as_bytes(), n)?);
            files::write_new(out, pem.as_bytes(), Mode::Secret, force)?;
            Ok(Some(n))
        }
    }
}

/// Writes a kagi key file (symmetric or hybrid private key, unencrypted text given):
/// passphrase-encrypted (`KAGI ENCRYPTED … KEY 1`) unless `--unencrypted`, mode 0600.
pub fn write_text_key(
    provider: &Provider,
    plain: &crypto_core::secret::SecretBytes,
    out: &Path,
    force: bool,
    pass: &PassphraseOut,
    iterations: Option<u32>,
) -> Result<Option<u32>, CliError> {
    // The output is judged (not a device, a link, an existing file without --force) before
    // anyone is asked for a passphrase.
    files::check_output(out, force)?;
    match pass.get(&out.display().to_string())? {
        None => {
            files::write_new(out, plain.expose(), Mode::Secret, force)?;
            Ok(None)
        }
        Some(p) => {
            let n = iterations.unwrap_or_else(|| pbes2::calibrate(Duration::from_secs(1)));
            let text = keys::text::encrypt(provider, plain.expose(), p.as_bytes(), n)?;
            files::write_new(out, text.as_bytes(), Mode::Secret, force)?;
            Ok(Some(n))
        }
    }
}

/// How `write_text_key` wrote the key, in words.
pub fn text_encryption(used: Option<u32>) -> String {
    match used {
        Some(n) => format!("PBKDF2-HMAC-SHA-256 × {n}, AES-256-GCM"),
        None => "UNENCRYPTED".into(),
    }
}

fn gen_key(
    alg: &str,
    out: &Path,
    force: bool,
    pass: &PassphraseOut,
    iterations: Option<u32>,
    policy: &PolicyArgs,
    json: bool,
) -> Result<Outcome, CliError> {
    let provider = provider(policy)?;
    if let Some(n) = iterations
        && n < pbes2::MIN_ITERATIONS
    {
        return Err(CliError::Msg(format!(
            "--iterations {n}: kagi writes keys with at least {} PBKDF2 iterations",
            pbes2::MIN_ITERATIONS
        )));
    }
    if alg == "symmetric" {
        // A 256-bit key for `kagi encrypt --key-file`: AES-256-GCM key wrapping, 256-bit row.
        provider.check(&"aes-256-gcm".parse()?, cryptrec::Use::Protect)?;
        let text = super::envelope::new_key_file()?;
        let used = write_text_key(&provider, &text, out, force, pass, iterations)?;
        print(&format!(
            "wrote {} (256-bit symmetric key for kagi encrypt --key-file, {}, mode 0600)\n",
            out.display(),
            text_encryption(used)
        ))?;
        return Ok(Outcome::Yes);
    }
    if alg == "hybrid-p384-mlkem1024" || alg == "hybrid" {
        // ECDH P-384 + ML-KEM-1024: an envelope recipient that stays confidential if either
        // holds (post-quantum protection for data sealed now).
        let key = crypto_core::envelope::hybrid::HybridPrivateKey::generate(&provider)?;
        let public = key.public_key(&provider)?;
        let pub_path = files::with_ext(out, ".pub");
        files::check_output(&pub_path, force)?;
        let used = write_text_key(&provider, &key.to_text(), out, force, pass, iterations)?;
        files::write_new(&pub_path, public.to_text().as_bytes(), Mode::Public, force)?;
        print(&format!(
            "wrote {} (hybrid ECDH P-384 + ML-KEM-1024 private key, {}, mode 0600) and {} (its public key: kagi encrypt -r {})\n",
            out.display(),
            text_encryption(used),
            pub_path.display(),
            pub_path.display()
        ))?;
        return Ok(Outcome::Yes);
    }
    let alg: KeyAlg = alg
        .parse()
        .map_err(|e| CliError::Msg(format!("{e}, symmetric or hybrid-p384-mlkem1024")))?;
    let verdict = provider.check(&alg.algorithm(), cryptrec::Use::Protect)?;
    let key = PrivateKey::generate(&provider, alg)?;
    let used = write_private(&provider, &key, out, force, pass, iterations)?;
    let fp = key.public_key().fingerprint();
    if json {
        print_json(&json!({
            "file": out.display().to_string(),
            "kind": key.kind().to_string(),
            "encrypted": used.is_some(),
            "pbkdf2_iterations": used,
            "fingerprint": fp.hex(),
            "fingerprint_spoken": fp.spoken(),
            "verdict": verdict,
        }))?;
    } else {
        let mut s = format!("wrote {} ({}", out.display(), key.kind());
        match used {
            Some(n) => {
                let _ = write!(s, ", PBES2 PBKDF2-HMAC-SHA-256 × {n}, AES-256-CBC");
            }
            None => s.push_str(", UNENCRYPTED"),
        }
        let _ = writeln!(s, ", mode 0600)");
        let _ = writeln!(s, "fingerprint: {}", fp.hex());
        let _ = writeln!(s, "read aloud:  {}", fp.spoken());
        if let Some(note) = until_note(&verdict) {
            let _ = writeln!(s, "{note}");
        }
        print(&s)?;
    }
    Ok(Outcome::Yes)
}

/// The note `key gen`, `encrypt` and `sign` give when a key may protect new data only until a
/// date (RSA-2048: until 2030-12-31).
pub fn until_note(v: &Verdict) -> Option<String> {
    match v.status {
        Status::PermittedUntil { until } => Some(format!(
            "note: {} may protect new data only until {until} ({})",
            v.algorithm,
            limit_sources(v)
        )),
        _ => None,
    }
}

/// The policy's word on a key that is to protect new data (sign, or be encrypted to): a
/// refusal names the file and answers "no" (exit 1), as `key show` does.
pub fn check_protect(
    provider: &Provider,
    alg: &cryptrec::Algorithm,
    path: &Path,
) -> Result<Verdict, CliError> {
    provider
        .check(alg, cryptrec::Use::Protect)
        .map_err(|e| CliError::about(path, e))
}

fn limit_sources(v: &Verdict) -> String {
    v.reasons
        .iter()
        .filter(|r| {
            matches!(
                r.effect,
                cryptrec::Effect::Limits | cryptrec::Effect::Refuses
            )
        })
        .map(|r| r.source.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a key file holds, read as far as the passphrase allows.
struct Loaded {
    what: &'static str,
    /// Why the key itself is refused when kagi cannot even represent it (X25519, secp256k1).
    refused: Option<String>,
    public: Option<PublicKey>,
    encryption: Option<Result<pbes2::Pbes2Info, String>>,
    cert: Option<Certificate>,
}

fn load_any(path: &Path, pass: &PassphraseIn, provider: &Provider) -> Result<Loaded, CliError> {
    let bytes = files::read(path)?;
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    let material = match keys::read(&bytes) {
        Err(e @ crypto_core::Error::NotListed(_)) => {
            return Ok(Loaded {
                what: "key",
                refused: Some(e.to_string()),
                public: None,
                encryption: None,
                cert: None,
            });
        }
        other => other.map_err(ctx)?,
    };
    Ok(match material {
        KeyMaterial::Private(k) => Loaded {
            what: "private key (unencrypted PKCS#8 or equivalent)",
            refused: None,
            public: Some(k.public_key().clone()),
            encryption: None,
            cert: None,
        },
        KeyMaterial::Encrypted(enc) => {
            let info = enc.info(provider).map_err(|e| e.to_string());
            let public = if info.is_ok() && (pass.given() || can_prompt()) {
                let p = pass.get(&path.display().to_string())?;
                Some(
                    enc.decrypt(provider, p.as_bytes())
                        .map_err(ctx)?
                        .0
                        .public_key()
                        .clone(),
                )
            } else {
                None
            };
            Loaded {
                what: "private key (encrypted PKCS#8)",
                refused: None,
                public,
                encryption: Some(info),
                cert: None,
            }
        }
        KeyMaterial::Public(p) => Loaded {
            what: "public key",
            refused: None,
            public: Some(p),
            encryption: None,
            cert: None,
        },
        KeyMaterial::Certificate(der) => {
            let cert = Certificate::from_der(&der).map_err(ctx)?;
            // A key off the list (secp256k1) is a refusal to show, as for a bare key; any
            // other unreadable key is an error.
            let (public, refused) = match &cert.public_key {
                Ok(k) => (Some(k.clone()), None),
                Err(e) => match crypto_core::keys::PublicKey::from_spki_der(&cert.spki) {
                    Err(crypto_core::Error::NotListed(_)) => {
                        (None, Some(format!("the certificate's key: {e}")))
                    }
                    _ => {
                        return Err(CliError::Msg(format!(
                            "{}: the certificate's key: {e}",
                            path.display()
                        )));
                    }
                },
            };
            Loaded {
                what: "certificate",
                refused,
                public,
                encryption: None,
                cert: Some(cert),
            }
        }
    })
}

fn status_line(v: &Verdict) -> String {
    match v.status {
        Status::Refused => format!("refused: {}", v.refusal_summary()),
        s => s.to_string(),
    }
}

/// A kagi key file (symmetric or hybrid private key), read without its passphrase: what it
/// holds and how it is encrypted (`None`: the file is not one).
struct TextKey {
    kind: TextKeyKind,
    /// `None`: unencrypted; else the scheme in words, or why it is refused.
    encryption: Option<Result<String, String>>,
    /// The file's text when unencrypted, or the encrypted key to open.
    content: Result<SecretBytes, EncryptedTextKey>,
}

fn text_key(path: &Path, provider: &Provider) -> Result<Option<TextKey>, CliError> {
    let bytes = SecretBytes::new(files::read(path)?);
    let Ok(text) = std::str::from_utf8(bytes.expose()) else {
        return Ok(None);
    };
    if let Some(kind) = TextKeyKind::of_plain(text) {
        return Ok(Some(TextKey {
            kind,
            encryption: None,
            content: Ok(SecretBytes::new(bytes.expose().to_vec())),
        }));
    }
    Ok(EncryptedTextKey::parse(text)
        .map_err(|e| CliError::about(path, e))?
        .map(|enc| TextKey {
            kind: enc.kind(),
            encryption: Some(enc.info(provider).map_err(|e| e.to_string())),
            content: Err(enc),
        }))
}

/// The hybrid public key of a hybrid private key file, decrypting it when needed (and a
/// passphrase can be had).
fn hybrid_public(
    path: &Path,
    key: &TextKey,
    pass: &PassphraseIn,
    provider: &Provider,
) -> Result<Option<HybridPublicKey>, CliError> {
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    let decrypted;
    let plain = match &key.content {
        Ok(text) => text,
        Err(enc) if pass.given() || can_prompt() => {
            enc.info(provider).map_err(ctx)?;
            let p = pass.get(&path.display().to_string())?;
            decrypted = enc.decrypt(provider, p.as_bytes()).map_err(ctx)?;
            &decrypted
        }
        Err(_) => return Ok(None),
    };
    let text = std::str::from_utf8(plain.expose()).unwrap_or_default();
    let private = HybridPrivateKey::from_text(provider, text)
        .map_err(ctx)?
        .ok_or_else(|| CliError::Msg(format!("{}: not a hybrid key", path.display())))?;
    Ok(Some(private.public_key(provider).map_err(ctx)?))
}

fn show_text_key(
    path: &Path,
    key: &TextKey,
    pass: &PassphraseIn,
    provider: &Provider,
    json: bool,
) -> Result<Outcome, CliError> {
    let (holds, use_) = match key.kind {
        TextKeyKind::Symmetric => (
            "kagi symmetric key (256 bits)",
            "kagi encrypt/decrypt --key-file (AES-256-GCM)",
        ),
        TextKeyKind::HybridPrivate => (
            "kagi hybrid private key (ECDH P-384 + ML-KEM-1024)",
            "kagi decrypt -i; its public key: kagi key public",
        ),
    };
    let public = match key.kind {
        TextKeyKind::HybridPrivate if !matches!(key.encryption, Some(Err(_))) => {
            hybrid_public(path, key, pass, provider)?
        }
        _ => None,
    };
    let refused = matches!(key.encryption, Some(Err(_)));
    if json {
        print_json(&json!({
            "file": path.display().to_string(),
            "holds": holds,
            "encryption": match &key.encryption {
                None => json!(null),
                Some(Ok(scheme)) => json!({"scheme": scheme}),
                Some(Err(e)) => json!({"refused": e}),
            },
            "public_key_id": public.as_ref().map(|p| hex::encode(p.id())),
        }))?;
    } else {
        let mut s = String::new();
        let _ = writeln!(s, "file:        {}", path.display());
        let _ = writeln!(s, "holds:       {holds}");
        let _ = writeln!(s, "used by:     {use_}");
        match &key.encryption {
            None => s.push_str("encryption:  none (UNENCRYPTED; keep it 0600, or re-create it with a passphrase)\n"),
            Some(Ok(scheme)) => {
                let _ = writeln!(s, "encryption:  {scheme}");
            }
            Some(Err(e)) => {
                let _ = writeln!(s, "encryption:  refused: {e}");
            }
        }
        match (&public, key.kind) {
            (Some(p), _) => {
                let _ = writeln!(
                    s,
                    "public id:   {}  (SHA-256 of both public keys; recipients are matched by it)",
                    hex::encode(p.id())
                );
            }
            (None, TextKeyKind::HybridPrivate) if !refused => s.push_str(
                "public id:   (encrypted; give --passphrase-file or --passphrase-env to show it)\n",
            ),
            _ => {}
        }
        print(&s)?;
    }
    Ok(if refused { Outcome::No } else { Outcome::Yes })
}

fn show(
    path: &Path,
    pass: &PassphraseIn,
    policy: &PolicyArgs,
    json: bool,
) -> Result<Outcome, CliError> {
    let provider = provider(policy)?;
    if let Some(key) = text_key(path, &provider)? {
        return show_text_key(path, &key, pass, &provider, json);
    }
    let loaded = load_any(path, pass, &provider)?;
    let verdicts = loaded
        .public
        .as_ref()
        .map(|p| p.verdicts(&provider))
        .unwrap_or_default();
    let refused = verdicts.iter().any(|(_, process)| !process.allows())
        || matches!(loaded.encryption, Some(Err(_)))
        || loaded.refused.is_some();
    if json {
        let public = loaded.public.as_ref().map(|p| {
            let fp = p.fingerprint();
            json!({
                "kind": p.kind().to_string(),
                "strength": verdicts.first().map(|(v, _)| v.strength),
                "fingerprint": fp.hex(),
                "fingerprint_spoken": fp.spoken(),
                "verdicts": verdicts.iter().map(|(pr, pc)| json!({
                    "algorithm": pr.algorithm, "protect": pr, "process": pc,
                })).collect::<Vec<_>>(),
            })
        });
        print_json(&json!({
            "file": path.display().to_string(),
            "holds": loaded.what,
            "refused": loaded.refused,
            "encryption": loaded.encryption.as_ref().map(|e| match e {
                Ok(i) => json!({"scheme": i.to_string(), "iterations": i.iterations,
                    "below_kagi_minimum": i.iterations < pbes2::MIN_ITERATIONS}),
                Err(e) => json!({"refused": e}),
            }),
            "certificate": loaded.cert.as_ref().map(|c| json!({
                "subject": c.subject, "issuer": c.issuer,
                "not_before": c.not_before.to_string(), "not_after": c.not_after.to_string(),
                "fingerprint": c.fingerprint.hex(),
            })),
            "public_key": public,
        }))?;
    } else {
        let mut s = String::new();
        let _ = writeln!(s, "file:        {}", path.display());
        let _ = writeln!(s, "holds:       {}", loaded.what);
        if let Some(why) = &loaded.refused {
            let _ = writeln!(s, "refused:     {why}");
        }
        match &loaded.encryption {
            Some(Ok(info)) => {
                let _ = writeln!(s, "encryption:  {info}");
                if info.iterations < pbes2::MIN_ITERATIONS {
                    let _ = writeln!(
                        s,
                        "  warning:   {} iterations is below kagi's minimum of {}: re-encrypt it (kagi key restore or openssl pkcs8 -iter)",
                        info.iterations,
                        pbes2::MIN_ITERATIONS
                    );
                }
            }
            Some(Err(e)) => {
                let _ = writeln!(s, "encryption:  refused: {e}");
            }
            None => {}
        }
        if let Some(c) = &loaded.cert {
            let _ = writeln!(s, "subject:     {}", c.subject);
            let _ = writeln!(s, "issuer:      {}", c.issuer);
            let _ = writeln!(
                s,
                "valid:       {} to {}",
                c.not_before.date(),
                c.not_after.date()
            );
        }
        match &loaded.public {
            Some(p) => {
                let fp = p.fingerprint();
                let _ = writeln!(s, "key:         {}", p.kind());
                if let Some((v, _)) = verdicts.first() {
                    let _ = writeln!(s, "strength:    {} bits", v.strength);
                }
                for (protect, process) in &verdicts {
                    let _ = writeln!(s, "{}:", protect.algorithm);
                    let _ = writeln!(
                        s,
                        "  protect:   {} (as of {})",
                        status_line(protect),
                        protect.as_of
                    );
                    let _ = writeln!(s, "  process:   {}", status_line(process));
                }
                let _ = writeln!(
                    s,
                    "fingerprint: {}  (SHA-256 of the SubjectPublicKeyInfo)",
                    fp.hex()
                );
                let _ = writeln!(s, "read aloud:  {}", fp.spoken());
            }
            None if loaded.refused.is_some() => {}
            None if matches!(loaded.encryption, Some(Err(_))) => {
                s.push_str("key:         (not decrypted: its encryption is refused)\n");
            }
            None => {
                s.push_str(
                    "key:         (encrypted; give --passphrase-file or --passphrase-env to show it)\n",
                );
            }
        }
        print(&s)?;
    }
    Ok(if refused { Outcome::No } else { Outcome::Yes })
}

fn public(
    path: &Path,
    out: Option<&Path>,
    force: bool,
    pass: &PassphraseIn,
) -> Result<Outcome, CliError> {
    let provider = Provider::egov()?;
    if let Some(key) = text_key(path, &provider)? {
        if key.kind == TextKeyKind::Symmetric {
            return Err(CliError::Msg(format!(
                "{}: a symmetric key has no public part (whoever decrypts needs the key itself: back it up with kagi key backup)",
                path.display()
            )));
        }
        if let Some(Some(Err(e))) = Some(&key.encryption) {
            return Err(CliError::Msg(format!("{}: {e}", path.display())));
        }
        let public = hybrid_public(path, &key, pass, &provider)?.ok_or_else(|| {
            CliError::Msg(format!(
                "{}: encrypted; give --passphrase-file or --passphrase-env",
                path.display()
            ))
        })?;
        let text = public.to_text();
        match out {
            Some(o) => files::write_new(o, text.as_bytes(), Mode::Public, force)?,
            None => print(&text)?,
        }
        return Ok(Outcome::Yes);
    }
    let loaded = load_any(path, pass, &provider)?;
    if let Some(Err(e)) = &loaded.encryption {
        return Err(CliError::Msg(format!("{}: {e}", path.display())));
    }
    if let Some(why) = &loaded.refused {
        return Err(CliError::Msg(format!("{}: {why}", path.display())));
    }
    let key = loaded.public.ok_or_else(|| {
        CliError::Msg(format!(
            "{}: encrypted; give --passphrase-file or --passphrase-env",
            path.display()
        ))
    })?;
    let pem = key.to_pem()?;
    match out {
        Some(o) => files::write_new(o, pem.as_bytes(), Mode::Public, force)?,
        None => print(&pem)?,
    }
    Ok(Outcome::Yes)
}
