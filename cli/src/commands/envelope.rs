//! `kagi encrypt`, `kagi decrypt`, `kagi inspect`: the envelope on files, stdin, directory trees
//! (a tar stream) and block devices.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, IsTerminal, Read, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crypto_core::Provider;
use crypto_core::envelope::{self, Identity, Label, Metadata, PayloadAlg, Recipient, Sealed};
use crypto_core::keys::text::{self, EncryptedTextKey, TextKeyKind};
use crypto_core::keys::{self, KeyMaterial, pbes2};
use crypto_core::pki::Certificate;
use crypto_core::secret::SecretBytes;
use serde_json::json;

use super::key::{load_private, provider};
use crate::Outcome;
use crate::args::{DecryptArgs, EncryptArgs};
use crate::cleanup;
use crate::files::{self, AtomicFile, Mode};
use crate::output::{CliError, print, print_json};
use crate::passphrase::{PassphraseIn, can_prompt, obtain};
use crate::pipe::pipe;
use crate::tree;

fn is_stdio(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Maps crypto errors: authentication failures answer "no" (exit 1), others are errors.
fn crypto(e: crypto_core::Error) -> CliError {
    match e {
        crypto_core::Error::NotAuthentic => CliError::No(
            "the file's header is not authentic: its label or recipients were altered, or it is damaged".into(),
        ),
        crypto_core::Error::PayloadNotAuthentic(m) => CliError::No(format!("the encrypted data is not authentic: {m}")),
        e => e.into(),
    }
}

/// A kagi key file (symmetric or hybrid private key), as its unencrypted text: decrypted with
/// the passphrase when it is encrypted. `None` when the file is not one.
pub fn read_text_key(
    path: &Path,
    pass: &PassphraseIn,
    provider: &Provider,
) -> Result<Option<(TextKeyKind, SecretBytes)>, CliError> {
    let bytes = SecretBytes::new(files::read(path)?);
    let Ok(text) = std::str::from_utf8(bytes.expose()) else {
        return Ok(None);
    };
    if let Some(kind) = TextKeyKind::of_plain(text) {
        let kind_and_text = (kind, SecretBytes::new(bytes.expose().to_vec()));
        return Ok(Some(kind_and_text));
    }
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    match EncryptedTextKey::parse(text).map_err(ctx)? {
        Some(enc) => {
            enc.info(provider).map_err(ctx)?;
            let p = pass.get(&path.display().to_string())?;
            let plain = enc.decrypt(provider, p.as_bytes()).map_err(ctx)?;
            Ok(Some((enc.kind(), plain)))
        }
        None => Ok(None),
    }
}

/// A symmetric key file: `KAGI SYMMETRIC KEY 1` and 64 hex digits, or its encrypted form
/// (`KAGI ENCRYPTED SYMMETRIC KEY 1`), whose passphrase `pass` gives or the terminal asks.
pub fn read_key_file(
    path: &Path,
    pass: &PassphraseIn,
    provider: &Provider,
) -> Result<SecretBytes, CliError> {
    match read_text_key(path, pass, provider)? {
        Some((TextKeyKind::Symmetric, text)) => {
            let text = std::str::from_utf8(text.expose()).unwrap_or_default();
            text::symmetric_from_text(text).map_err(|e| CliError::about(path, e))
        }
        Some((TextKeyKind::HybridPrivate, _)) => Err(CliError::Msg(format!(
            "{}: holds a hybrid private key, not a symmetric key (give it to decrypt with -i, or its .pub to encrypt with -r)",
            path.display()
        ))),
        None => Err(CliError::Msg(format!(
            "{}: not a kagi symmetric key file (make one with `kagi key gen --alg symmetric`)",
            path.display()
        ))),
    }
}

/// Checks that a file is a kagi symmetric key file, encrypted or not, without asking for a
/// passphrase (`kagi erase crypto` destroys it and needs no key).
pub fn check_key_file(path: &Path) -> Result<(), CliError> {
    let bytes = SecretBytes::new(files::read(path)?);
    let text = std::str::from_utf8(bytes.expose()).unwrap_or_default();
    let plain = TextKeyKind::of_plain(text) == Some(TextKeyKind::Symmetric)
        && text::symmetric_from_text(text).is_ok();
    let encrypted = matches!(
        EncryptedTextKey::parse(text),
        Ok(Some(e)) if e.kind() == TextKeyKind::Symmetric
    );
    if plain || encrypted {
        Ok(())
    } else {
        Err(CliError::Msg(format!(
            "{}: not a kagi symmetric key file (make one with `kagi key gen --alg symmetric`)",
            path.display()
        )))
    }
}

/// The text of a new symmetric key file.
pub fn new_key_file() -> Result<SecretBytes, CliError> {
    let k = zeroize::Zeroizing::new(crypto_core::rand::array::<32>()?);
    Ok(text::symmetric_to_text(k.as_slice()))
}

/// A recipient named by `-r`; a note when its key may protect only until a date.
fn recipient(
    provider: &Provider,
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<Recipient, CliError> {
    let ctx = |e: crypto_core::Error| CliError::about(path, e);
    let bytes = files::read(path)?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && let Some(k) = envelope::hybrid::HybridPublicKey::from_text(text).map_err(ctx)?
    {
        return Ok(Recipient::Hybrid(k));
    }
    let (key, subject) = match keys::read(&bytes).map_err(ctx)? {
        KeyMaterial::Public(k) => (k, String::new()),
        KeyMaterial::Certificate(der) => {
            let c = Certificate::from_der(&der).map_err(ctx)?;
            let usage = |u: &str| c.key_usage.is_empty() || c.key_usage.contains(&u);
            // Read the key again for its typed error: a refused key answers "no" (exit 1).
            let key = match &c.public_key {
                Ok(k) => k.clone(),
                Err(_) => keys::PublicKey::from_spki_der(&c.spki).map_err(ctx)?,
            };
            let wanted = match key.kind() {
                keys::KeyKind::Rsa { .. } => "keyEncipherment",
                _ => "keyAgreement",
            };
            if !usage(wanted) {
                return Err(CliError::Msg(format!(
                    "{}: the certificate's key usage ({}) does not allow {wanted}: it is not an encryption certificate",
                    path.display(),
                    c.key_usage.join(", ")
                )));
            }
            let now = time::OffsetDateTime::now_utc();
            if now > c.not_after || now < c.not_before {
                return Err(CliError::Msg(format!(
                    "{}: the certificate is not valid now ({} to {})",
                    path.display(),
                    c.not_before.date(),
                    c.not_after.date()
                )));
            }
            (key, c.subject)
        }
        KeyMaterial::Private(k) => (k.public_key().clone(), String::new()),
        KeyMaterial::Encrypted(_) => {
            return Err(CliError::Msg(format!(
                "{}: an encrypted private key; give the recipient's certificate or public key",
                path.display()
            )));
        }
    };
    // The key-size row (RSA) or the curve's ECDH row carries the refusal or the date limit.
    if let Some(alg) = key.kind().algorithms().last() {
        let v = super::key::check_protect(provider, alg, path)?;
        if let Some(note) = super::key::until_note(&v) {
            notes.push(format!("{}: {note}", path.display()));
        }
    }
    Ok(Recipient::PublicKey { key, subject })
}

/// What is being encrypted.
enum Source {
    Stdin,
    File(PathBuf, Metadata),
    Directory(PathBuf, Metadata),
    Device(PathBuf, Metadata),
}

fn source(input: &Path) -> Result<Source, CliError> {
    if is_stdio(input) {
        return Ok(Source::Stdin);
    }
    let md = fs::metadata(input).map_err(|e| CliError::File {
        path: input.to_path_buf(),
        source: e,
    })?;
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned());
    let mtime = md
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    let meta = |kind: &str, size| Metadata {
        kind: kind.into(),
        name: name.clone(),
        size,
        mtime,
        signature: None,
    };
    let ft = md.file_type();
    Ok(if ft.is_dir() {
        Source::Directory(input.to_path_buf(), meta("directory", None))
    } else if ft.is_block_device() {
        let size = File::open(input)
            .and_then(|mut f| io::Seek::seek(&mut f, io::SeekFrom::End(0)))
            .ok();
        Source::Device(input.to_path_buf(), meta("device", size))
    } else if ft.is_file() {
        Source::File(input.to_path_buf(), meta("file", Some(md.len())))
    } else {
        return Err(CliError::Msg(format!(
            "{}: not a file, directory or block device",
            input.display()
        )));
    })
}

/// A detached CMS signature over a file, for sign-then-encrypt.
fn sign_file(
    provider: &Provider,
    path: &Path,
    key: &Path,
    cert: &Path,
    a: &EncryptArgs,
    notes: &mut Vec<String>,
) -> Result<Vec<u8>, CliError> {
    let pass = PassphraseIn {
        passphrase_file: None,
        passphrase_env: a.sign_passphrase_env.clone(),
    };
    let key_path = key;
    let key = load_private(key_path, &pass, provider)?;
    let cert_der = files::certificates(cert)?.remove(0).der;
    let now = time::OffsetDateTime::now_utc();
    // The checks `kagi sign` applies: the key's row, and a certificate verify would accept.
    let signer = super::sign::signer(
        provider,
        (&key, key_path),
        (&cert_der, cert),
        crypto_core::hash::HashAlgorithm::Sha256,
        now,
        notes,
    )?;
    let digest = super::sign::hash_file(provider, signer.digest_algorithm(), path)?;
    let chain = files::bundle(a.sign_chain.as_deref())?;
    Ok(signer.sign(&digest, &chain, now)?)
}

/// Hashes what passes through to the inner writer (the plaintext of a signed envelope).
struct HashingWriter<W> {
    inner: W,
    hasher: crypto_core::hash::Hasher,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(b)?;
        self.hasher.update(&b[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Checks a signed envelope's signature over the decrypted plaintext's digest. With trust
/// anchors, anything but a valid, trusted signature is a "no"; without, a signature that
/// matches is reported with its signer unchecked.
fn check_inner_signature(
    provider: &Provider,
    sig: &crypto_core::cms::Signature,
    digest: &[u8],
    trust: Option<&Path>,
) -> Result<String, CliError> {
    let anchors = files::bundle(trust)?;
    let opts = crypto_core::cms::VerifyOptions {
        trust: &anchors,
        extra: &[],
        at: time::OffsetDateTime::now_utc(),
    };
    let report = sig.verify(provider, digest, &opts);
    let who = report
        .signer
        .as_ref()
        .map(|s| s.subject.clone())
        .unwrap_or_else(|| "(unknown signer)".into());
    let untrusted_only = report
        .problems
        .iter()
        .all(|p| p.contains("no trust anchors"));
    if report.valid() {
        Ok(format!(
            "signature valid: signed by {who}, trusted via {}",
            report.trust_anchor.unwrap_or_default()
        ))
    } else if trust.is_none() && untrusted_only {
        Ok(format!(
            "signed by {who}; the signature matches the content, but the signer was NOT checked against a trust anchor (give --trust)"
        ))
    } else {
        Err(CliError::No(format!(
            "the inner signature is not valid: {}; nothing was written",
            report.problems.join("; ")
        )))
    }
}

struct StdoutGuard;

fn stdout_for_binary() -> Result<StdoutGuard, CliError> {
    if io::stdout().is_terminal() {
        return Err(CliError::Msg(
            "refusing to write binary data to a terminal: use -o FILE".into(),
        ));
    }
    Ok(StdoutGuard)
}

pub fn encrypt(a: &EncryptArgs) -> Result<Outcome, CliError> {
    let provider = provider(&a.policy)?;
    let alg: PayloadAlg = a.cipher.parse().map_err(CliError::Msg)?;
    let label = Label::parse(&a.label, &a.handling).map_err(CliError::Msg)?;
    let mut recipients = Vec::new();
    let mut notes = Vec::new();
    for r in &a.recipients {
        recipients.push(recipient(&provider, r, &mut notes)?);
    }
    for k in &a.key_files {
        recipients.push(Recipient::KeyFile(read_key_file(
            k,
            &(&a.key_file_passphrase).into(),
            &provider,
        )?));
    }
    let wants_pass = a.passphrase || a.passphrase_file.is_some() || a.passphrase_env.is_some();
    if wants_pass {
        if !recipients.is_empty() {
            return Err(CliError::Msg(
                "a passphrase must be the only recipient (mixing it with keys would weaken both); encrypt twice if you need both".into(),
            ));
        }
        let p = obtain(
            a.passphrase_file.as_ref(),
            a.passphrase_env.as_deref(),
            "the encrypted file",
            true,
        )?;
        let iterations = a
            .iterations
            .unwrap_or_else(|| pbes2::calibrate(Duration::from_secs(1)));
        recipients.push(Recipient::Passphrase {
            passphrase: SecretBytes::new(p.as_bytes().to_vec()),
            iterations,
        });
    }
    if recipients.is_empty() {
        return Err(CliError::Msg(
            "no recipients: give -r CERT, --key-file F or --passphrase".into(),
        ));
    }
    let src = source(&a.input)?;
    if let Source::Directory(dir, _) = &src {
        let check = tree::check_source(dir)?;
        if !check.special_bits.is_empty() {
            eprintln!(
                "kagi: note: setuid, setgid and sticky bits are not kept (decrypt clears them): {}",
                check.special_bits.join(", ")
            );
        }
        if !check.outside_links.is_empty() {
            eprintln!(
                "kagi: note: {} symbolic link(s) point outside the tree and are kept as links, not the files they point to: {}",
                check.outside_links.len(),
                check.outside_links.join(", ")
            );
        }
    }
    let mut meta = match &src {
        Source::Stdin => Metadata {
            kind: "stdin".into(),
            ..Metadata::default()
        },
        Source::File(_, m) | Source::Directory(_, m) | Source::Device(_, m) => m.clone(),
    };
    if let (Some(key), Some(cert)) = (&a.sign, &a.sign_cert) {
        let Source::File(path, _) = &src else {
            return Err(CliError::Msg(
                "--sign needs a file input: the signature is made over the file before it is encrypted".into(),
            ));
        };
        meta.signature = Some(hex::encode(sign_file(
            &provider, path, key, cert, a, &mut notes,
        )?));
    }
    for note in &notes {
        eprintln!("kagi: {note}");
    }
    let (head, sealer) =
        envelope::seal(&provider, &recipients, alg, label.clone(), &meta).map_err(crypto)?;
    let out_path = match (&a.out, &src) {
        (Some(o), _) => o.clone(),
        (None, Source::Stdin) => PathBuf::from("-"),
        (None, _) => files::with_ext(
            a.input
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches('/')
                .as_ref(),
            ".kagi",
        ),
    };
    let mut input: Box<dyn Read + Send> = match &src {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p, _) | Source::Device(p, _) => {
            Box::new(File::open(p).map_err(|e| CliError::File {
                path: p.clone(),
                source: e,
            })?)
        }
        Source::Directory(..) => Box::new(io::empty()),
    };
    let mut tar_thread = None;
    if let Source::Directory(dir, _) = &src {
        let (w, r) = pipe();
        let dir = dir.clone();
        tar_thread = Some(std::thread::spawn(move || -> io::Result<()> {
            tree::pack(&dir, w)?.close()
        }));
        input = Box::new(r);
    }
    let plain = if is_stdio(&out_path) {
        let _g = stdout_for_binary()?;
        let mut out = io::stdout();
        out.write_all(&head)?;
        sealer.seal(&mut input, &mut out).map_err(crypto)?
    } else {
        let mut out = AtomicFile::create(&out_path, a.force)?;
        out.file().write_all(&head).map_err(|e| CliError::File {
            path: out_path.clone(),
            source: e,
        })?;
        let n = sealer.seal(&mut input, out.file()).map_err(crypto)?;
        if let Some(t) = tar_thread.take() {
            t.join()
                .map_err(|_| CliError::Msg("the tar thread panicked".into()))?
                .map_err(|e| CliError::Msg(format!("{}: {e}", a.input.display())))?;
        }
        out.finish(Mode::Public)?;
        n
    };
    if let Some(t) = tar_thread {
        t.join()
            .map_err(|_| CliError::Msg("the tar thread panicked".into()))?
            .map_err(|e| CliError::Msg(format!("{}: {e}", a.input.display())))?;
    }
    if !is_stdio(&out_path) {
        eprintln!(
            "kagi: encrypted {} ({} bytes{}) → {} with {}, label {}",
            if is_stdio(&a.input) {
                "stdin".to_string()
            } else {
                a.input.display().to_string()
            },
            plain,
            if meta.kind == "directory" {
                " of tar"
            } else {
                ""
            },
            out_path.display(),
            alg.name(),
            label
        );
    }
    Ok(Outcome::Yes)
}

fn identities(
    a: &DecryptArgs,
    provider: &Provider,
    sealed: &Sealed,
) -> Result<Vec<Identity>, CliError> {
    let mut ids = Vec::new();
    let key_pass = PassphraseIn {
        passphrase_file: a.identity_passphrase_file.clone(),
        passphrase_env: a.identity_passphrase_env.clone(),
    };
    for path in &a.identities {
        match read_text_key(path, &key_pass, provider)? {
            Some((TextKeyKind::HybridPrivate, text)) => {
                let text = std::str::from_utf8(text.expose()).unwrap_or_default();
                if let Some(k) = envelope::hybrid::HybridPrivateKey::from_text(provider, text)
                    .map_err(|e| CliError::about(path, e))?
                {
                    ids.push(Identity::Hybrid(k));
                    continue;
                }
            }
            Some((TextKeyKind::Symmetric, _)) => {
                return Err(CliError::Msg(format!(
                    "{}: a symmetric key file: give it with --key-file, not -i",
                    path.display()
                )));
            }
            None => {}
        }
        ids.push(Identity::PrivateKey(load_private(
            path, &key_pass, provider,
        )?));
    }
    for k in &a.key_files {
        ids.push(Identity::KeyFile(read_key_file(
            k,
            &(&a.key_file_passphrase).into(),
            provider,
        )?));
    }
    let has_pass_entry = sealed
        .header
        .recipients
        .iter()
        .any(|r| matches!(r, envelope::RecipientInfo::Passphrase { .. }));
    let pass_given = a.passphrase_file.is_some() || a.passphrase_env.is_some();
    if pass_given || (has_pass_entry && ids.is_empty() && can_prompt()) {
        let p = obtain(
            a.passphrase_file.as_ref(),
            a.passphrase_env.as_deref(),
            "the encrypted file",
            false,
        )?;
        ids.push(Identity::Passphrase(SecretBytes::new(
            p.as_bytes().to_vec(),
        )));
    }
    if ids.is_empty() {
        return Err(CliError::Msg(if has_pass_entry {
            "the file is encrypted to a passphrase: give --passphrase-file or --passphrase-env (no terminal to ask on)".into()
        } else {
            "no keys given: use -i KEY (a recipient's private key) or --key-file F".into()
        }));
    }
    Ok(ids)
}

pub fn decrypt(a: &DecryptArgs) -> Result<Outcome, CliError> {
    let provider = provider(&a.policy)?;
    let mut input: Box<dyn Read + Send> = if is_stdio(&a.input) {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(&a.input).map_err(|e| CliError::File {
            path: a.input.clone(),
            source: e,
        })?)
    };
    let name = if is_stdio(&a.input) {
        "stdin".to_string()
    } else {
        a.input.display().to_string()
    };
    let sealed = Sealed::read(&mut input).map_err(|e| CliError::Msg(format!("{name}: {e}")))?;
    let ids = identities(a, &provider, &sealed)?;
    let (meta, opener) = sealed.open(&provider, &ids).map_err(|e| match crypto(e) {
        CliError::No(m) => CliError::No(format!("{name}: {m}")),
        CliError::Crypto(e) => CliError::Msg(format!("{name}: {e}")),
        other => other,
    })?;
    let default_out = || -> Result<PathBuf, CliError> {
        let s = a.input.as_os_str().to_string_lossy();
        match s.strip_suffix(".kagi") {
            Some(base) if !is_stdio(&a.input) => Ok(PathBuf::from(base)),
            _ if meta.kind != "directory" && is_stdio(&a.input) => Ok(PathBuf::from("-")),
            _ => Err(CliError::Msg(format!(
                "{name}: give -o OUT (the name does not end in .kagi)"
            ))),
        }
    };
    let out_path = match &a.out {
        Some(o) => o.clone(),
        None => default_out()?,
    };
    let fail = |e: crypto_core::Error| match crypto(e) {
        CliError::No(m) => CliError::No(format!("{name}: {m}; nothing was written")),
        other => other,
    };
    if meta.kind == "directory" {
        if is_stdio(&out_path) {
            return Err(CliError::Msg(
                "a directory tree cannot go to stdout: give -o DIR".into(),
            ));
        }
        return unpack(&out_path, &mut input, opener, &name);
    }
    let inner_sig = match &meta.signature {
        Some(h) => Some(
            hex::decode(h)
                .map_err(|_| CliError::No(format!("{name}: the inner signature is not hex")))
                .and_then(|d| {
                    crypto_core::cms::Signature::parse(&d)
                        .map_err(|e| CliError::No(format!("{name}: the inner signature: {e}")))
                })?,
        ),
        None => None,
    };
    if is_stdio(&out_path) {
        let _g = stdout_for_binary()?;
        let stopped = |e| match crypto(e) {
            CliError::No(m) => CliError::No(format!(
                "{name}: {m}; the output stopped at the last authentic chunk"
            )),
            other => other,
        };
        // Only authenticated chunks reach stdout; a failure ends the stream with exit 1.
        if let Some(sig) = &inner_sig {
            let alg = sig
                .digest_algorithm(&provider)
                .map_err(|e| CliError::No(format!("{name}: the inner signature: {e}")))?;
            let mut w = HashingWriter {
                inner: io::stdout(),
                hasher: crypto_core::hash::Hasher::new(&provider, alg)?,
            };
            opener.open(&mut input, &mut w).map_err(stopped)?;
            let note =
                check_inner_signature(&provider, sig, &w.hasher.finish(), a.trust.as_deref())
                    .map_err(|e| match e {
                        CliError::No(m) => CliError::No(m.replace(
                            "nothing was written",
                            "the output is complete but its signature failed",
                        )),
                        other => other,
                    })?;
            eprintln!("kagi: {name}: {note}");
        } else {
            let mut out = io::stdout();
            opener.open(&mut input, &mut out).map_err(stopped)?;
        }
        return Ok(Outcome::Yes);
    }
    let mut out = AtomicFile::create(&out_path, a.force)?;
    let mut signed_note = None;
    let n = match &inner_sig {
        Some(sig) => {
            let alg = sig
                .digest_algorithm(&provider)
                .map_err(|e| CliError::No(format!("{name}: the inner signature: {e}")))?;
            let mut w = HashingWriter {
                inner: out.file(),
                hasher: crypto_core::hash::Hasher::new(&provider, alg)?,
            };
            let n = opener.open(&mut input, &mut w).map_err(fail)?;
            // Checked before the output is moved into place: a bad signature leaves nothing.
            signed_note = Some(check_inner_signature(
                &provider,
                sig,
                &w.hasher.finish(),
                a.trust.as_deref(),
            )?);
            n
        }
        None => opener.open(&mut input, out.file()).map_err(fail)?,
    };
    if let Some(t) = meta.mtime {
        let _ = out
            .file()
            .set_modified(std::time::UNIX_EPOCH + Duration::from_secs(t.max(0) as u64));
    }
    out.finish(Mode::Secret)?;
    if let Some(note) = signed_note {
        eprintln!("kagi: {name}: {note}");
    }
    eprintln!(
        "kagi: decrypted {name} → {} ({n} bytes, {})",
        out_path.display(),
        meta.kind
    );
    Ok(Outcome::Yes)
}

/// Decrypts a tree: the tar stream into an unnamed scratch file (nothing of it survives an
/// interruption), then, only once the last chunk has authenticated, every entry is checked
/// ([`tree::plan`]) and the tree unpacked into a hidden directory beside `dest`, which is
/// renamed into place (a new name; see [`tree::check_output`]). An existing empty directory —
/// perhaps the mount point of another file system — is filled from a hidden directory made
/// inside it, so every rename stays within its file system.
fn unpack(
    dest: &Path,
    input: &mut (dyn Read + Send),
    opener: envelope::Opener,
    name: &str,
) -> Result<Outcome, CliError> {
    tree::check_output(dest)?;
    let fill = fs::symlink_metadata(dest).is_ok_and(|m| m.is_dir());
    // Staging goes where the tree will live: on the file system of `dest`.
    let mut scratch = if fill {
        files::Scratch::beside(&dest.join(".kagi"))?
    } else {
        files::Scratch::beside(dest)?
    };
    let n = opener
        .open(input, scratch.file())
        .map_err(|e| match crypto(e) {
            CliError::No(m) => CliError::No(format!("{name}: {m}; nothing was written")),
            other => other,
        })?;
    let plan = tree::plan(scratch.file()).map_err(|why| {
        CliError::No(format!(
            "{name}: the tree is refused: {why}; nothing was written"
        ))
    })?;
    let tmp = if fill {
        files::temp_within(dest)?
    } else {
        files::temp_beside(dest)?
    };
    let watch = files::watched(cleanup::Leftover::Dir(tmp.clone()))?;
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&tmp)
        .map_err(|e| CliError::File {
            path: tmp.clone(),
            source: e,
        })?;
    let placed = plan
        .unpack(scratch.file(), &tmp)
        .map_err(|e| CliError::Msg(format!("{name}: unpacking the tree: {e}; nothing was kept")))
        .and_then(|_| {
            // The check again, then a rename that never replaces anything but an empty directory.
            let named = scratch.name().map(Path::to_path_buf);
            let mut ours = vec![tmp.as_path()];
            ours.extend(named.as_deref());
            tree::check_output_but(dest, &ours)?;
            watch
                .settle(|| files::place_tree(&tmp, dest))
                .map_err(|e| CliError::File {
                    path: dest.to_path_buf(),
                    source: e,
                })
        });
    if placed.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    placed?;
    eprintln!(
        "kagi: decrypted {name} → {}/ ({n} bytes of tar, unpacked)",
        dest.display()
    );
    Ok(Outcome::Yes)
}

pub fn inspect(path: &Path, json: bool) -> Result<Outcome, CliError> {
    let mut f = File::open(path).map_err(|e| CliError::File {
        path: path.to_path_buf(),
        source: e,
    })?;
    let sealed =
        Sealed::read(&mut f).map_err(|e| CliError::Msg(format!("{}: {e}", path.display())))?;
    let h = &sealed.header;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let payload = total.saturating_sub(sealed.header_len());
    let chunks = payload.div_ceil((envelope::CHUNK + 16) as u64).max(1);
    let plain = payload.saturating_sub(chunks * 16);
    let recipients: Vec<String> = h.recipients.iter().map(|r| r.describe()).collect();
    if json {
        print_json(&json!({
            "file": path.display().to_string(),
            "format": "kagi envelope",
            "version": envelope::VERSION,
            "cipher": h.alg.name(),
            "chunk_size": envelope::CHUNK,
            "label": h.label,
            "label_authenticated": false,
            "recipients": recipients,
            "plaintext_bytes": plain,
        }))?;
    } else {
        let mut s = format!(
            "{}: kagi envelope, version {}
",
            path.display(),
            envelope::VERSION
        );
        let _ = writeln!(s, "  label:       {}", h.label);
        let _ = writeln!(
            s,
            "               (authenticated when the file is opened with a key)"
        );
        let _ = writeln!(
            s,
            "  cipher:      {}, {} MiB chunks (STREAM)",
            h.alg.name(),
            envelope::CHUNK >> 20
        );
        let _ = writeln!(s, "  plaintext:   {plain} bytes");
        for r in &recipients {
            let _ = writeln!(s, "  recipient:   {r}");
        }
        print(&s)?;
    }
    Ok(Outcome::Yes)
}
