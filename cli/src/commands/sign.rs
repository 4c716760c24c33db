//! `kagi sign` and `kagi verify`: detached CMS signatures and signed manifests.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crypto_core::Provider;
use crypto_core::cms::{Report, Signature, Signer, VerifyOptions};
use crypto_core::hash::{HashAlgorithm, digest_reader};
use crypto_core::manifest::Manifest;
use serde_json::json;
use time::OffsetDateTime;

use super::key::{check_protect, load_private, provider, until_note};
use crate::Outcome;
use crate::args::{SignArgs, VerifyArgs};
use crate::files::{self, Mode};
use crate::output::{CliError, print, print_json};
use crypto_core::keys::PrivateKey;

/// The digest of a file, read once in a streaming pass.
pub fn hash_file(
    provider: &Provider,
    alg: HashAlgorithm,
    path: &Path,
) -> Result<Vec<u8>, CliError> {
    let mut f = std::fs::File::open(path).map_err(|e| CliError::File {
        path: path.to_path_buf(),
        source: e,
    })?;
    digest_reader(provider, alg, &mut f).map_err(|e| match e {
        crypto_core::Error::Io(source) => CliError::File {
            path: path.to_path_buf(),
            source,
        },
        e => e.into(),
    })
}

/// A CMS signer for a key and its certificate, refused before anything is written when the
/// policy refuses the key (naming the key file) or when `kagi verify` would reject the
/// certificate at `at` (expired, not yet valid, not for signing). A key the policy permits only
/// until a date adds the note `key gen` gives.
pub fn signer<'a>(
    provider: &Provider,
    (key, key_path): (&PrivateKey, &Path),
    (cert_der, cert_path): (&'a [u8], &Path),
    rsa_hash: HashAlgorithm,
    at: OffsetDateTime,
    notes: &mut Vec<String>,
) -> Result<Signer<'a>, CliError> {
    // The signature row of the key (ECDSA, EdDSA, or the RSA key-size row).
    if let Some(alg) = key.kind().algorithms().first() {
        let v = check_protect(provider, alg, key_path)?;
        if let Some(note) = until_note(&v) {
            notes.push(note);
        }
    }
    let signer = Signer::new(provider, key, cert_der, rsa_hash)
        .map_err(|e| CliError::about(cert_path, e))?;
    signer.check_certificate(at).map_err(|e| {
        CliError::No(format!(
            "{}: {e}; kagi verify would reject the signature, so nothing was signed",
            cert_path.display()
        ))
    })?;
    Ok(signer)
}

pub fn sign(a: &SignArgs) -> Result<Outcome, CliError> {
    let provider = provider(&a.policy)?;
    let rsa_hash = match a.hash.as_str() {
        "sha256" | "sha-256" => HashAlgorithm::Sha256,
        "sha384" | "sha-384" => HashAlgorithm::Sha384,
        other => return Err(CliError::Msg(format!("--hash {other}: sha256 or sha384"))),
    };
    let key = load_private(&a.key, &a.passphrase, &provider)?;
    let cert_der = files::bundle(Some(&a.cert))?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::Msg(format!("{}: no certificate", a.cert.display())))?;
    let chain = files::bundles(&a.chain)?;
    let now = OffsetDateTime::now_utc();
    let mut notes = Vec::new();
    let signer = signer(
        &provider,
        (&key, &a.key),
        (&cert_der, &a.cert),
        rsa_hash,
        now,
        &mut notes,
    )?;
    if let Some(dir) = &a.manifest {
        let m = Manifest::build(&provider, dir)
            .map_err(|e| CliError::Msg(format!("{}: {e}", dir.display())))?;
        let out = a.out.clone().unwrap_or_else(|| {
            files::with_ext(
                dir.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches('/')
                    .as_ref(),
                ".manifest",
            )
        });
        let text = m.to_text();
        let digest = {
            let mut h = crypto_core::hash::Hasher::new(&provider, signer.digest_algorithm())?;
            h.update(text.as_bytes());
            h.finish()
        };
        let sig = signer.sign(&digest, &chain, now)?;
        let sig_path = files::with_ext(&out, ".p7s");
        if !a.force {
            for p in [&out, &sig_path] {
                if std::fs::symlink_metadata(p).is_ok() {
                    return Err(CliError::Msg(format!(
                        "{}: already exists (use --force to replace it)",
                        p.display()
                    )));
                }
            }
        }
        files::write_new(&out, text.as_bytes(), Mode::Public, a.force)?;
        if let Err(e) = files::write_new(&sig_path, &sig, Mode::Public, a.force) {
            let _ = std::fs::remove_file(&out);
            return Err(e);
        }
        let mut s = format!(
            "signed manifest of {} ({}) → {} and {} ({})\n",
            dir.display(),
            counts(&m),
            out.display(),
            sig_path.display(),
            signer.algorithm()
        );
        for note in &notes {
            let _ = writeln!(s, "{note}");
        }
        print(&s)?;
        return Ok(Outcome::Yes);
    }
    if a.out.is_some() && a.files.len() != 1 {
        return Err(CliError::Msg(
            "-o/--out names one signature: sign one file with it".into(),
        ));
    }
    // Check every output first, so a refusal leaves nothing half done.
    let outs: Vec<PathBuf> = a
        .files
        .iter()
        .map(|f| a.out.clone().unwrap_or_else(|| files::with_ext(f, ".p7s")))
        .collect();
    if !a.force
        && let Some(p) = outs.iter().find(|p| std::fs::symlink_metadata(p).is_ok())
    {
        return Err(CliError::Msg(format!(
            "{}: already exists (use --force to replace it)",
            p.display()
        )));
    }
    let mut report = String::new();
    for (file, out) in a.files.iter().zip(&outs) {
        let digest = hash_file(&provider, signer.digest_algorithm(), file)?;
        let sig = signer.sign(&digest, &chain, now)?;
        files::write_new(out, &sig, Mode::Public, a.force)?;
        let _ = writeln!(
            report,
            "signed {} → {} ({}, {})",
            file.display(),
            out.display(),
            signer.algorithm(),
            signer.digest_algorithm().hash_alg().entry()
        );
    }
    for note in &notes {
        let _ = writeln!(report, "{note}");
    }
    if key.kind() == crypto_core::keys::KeyKind::Ed25519 {
        report.push_str(
            "note: OpenSSL 3.0 cannot verify CMS signatures made with Ed25519 (RFC 8419); for recipients who verify with openssl, sign with an ECDSA or RSA key\n",
        );
    }
    print(&report)?;
    Ok(Outcome::Yes)
}

fn as_of_time(a: &VerifyArgs, provider: &Provider) -> OffsetDateTime {
    match &a.policy.as_of {
        Some(_) => provider.date().midnight().assume_utc(),
        None => OffsetDateTime::now_utc(),
    }
}

fn check_signature(
    provider: &Provider,
    content: &[u8],
    content_path: Option<&Path>,
    sig_path: &Path,
    a: &VerifyArgs,
) -> Result<Report, CliError> {
    let sig = Signature::parse(&files::read(sig_path)?)
        .map_err(|e| CliError::Msg(format!("{}: {e}", sig_path.display())))?;
    let trust = files::bundle(a.trust.as_deref())?;
    let extra = files::bundles(&a.chain)?;
    let opts = VerifyOptions {
        trust: &trust,
        extra: &extra,
        at: as_of_time(a, provider),
    };
    let digest = match sig.digest_algorithm(provider) {
        Ok(alg) => match content_path {
            Some(p) => hash_file(provider, alg, p)?,
            None => {
                let mut h = crypto_core::hash::Hasher::new(provider, alg)?;
                h.update(content);
                h.finish()
            }
        },
        // A refused digest (SHA-1): the report says so; the content is not hashed.
        Err(_) => Vec::new(),
    };
    Ok(sig.verify(provider, &digest, &opts))
}

/// The report; `of` names what the verdict is about ("" for a file, "signature " for a
/// manifest, whose tree gets its own verdict).
fn render(what: &Path, r: &Report, of: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{of}{}: {}",
        if r.valid() { "valid" } else { "INVALID" },
        what.display()
    );
    if let Some(signer) = &r.signer {
        let _ = writeln!(s, "  signed by:   {}", signer.subject);
        let _ = writeln!(
            s,
            "  issuer:      {} (serial {})",
            signer.issuer, signer.serial
        );
    }
    if let Some(t) = &r.signing_time {
        let _ = writeln!(s, "  signed at:   {t}");
    }
    let _ = writeln!(
        s,
        "  algorithms:  {}{}",
        r.digest_algorithm,
        r.signature_algorithm
            .as_ref()
            .map(|a| format!(", {a}"))
            .unwrap_or_default()
    );
    if let Some(anchor) = &r.trust_anchor {
        let mut chain = r.chain.clone();
        chain.push(format!("{anchor} (trust anchor)"));
        let _ = writeln!(s, "  chain:       {}", chain.join(" → "));
    }
    let mut seen = std::collections::BTreeSet::new();
    let verdicts: Vec<String> = r
        .verdicts
        .iter()
        .filter(|v| seen.insert(v.algorithm.clone()))
        .map(|v| format!("{} {}", v.algorithm, v.status))
        .collect();
    if !verdicts.is_empty() {
        let _ = writeln!(
            s,
            "  policy:      {} ({})",
            verdicts.join("; "),
            r.verdicts[0].policy
        );
    }
    for l in &r.legacy {
        let _ = writeln!(s, "  legacy:      {l}");
    }
    for p in &r.problems {
        let _ = writeln!(s, "  problem:     {p}");
    }
    s
}

pub fn verify(a: &VerifyArgs) -> Result<Outcome, CliError> {
    let provider = provider(&a.policy)?;
    if let Some(manifest_path) = &a.manifest {
        return verify_manifest(&provider, manifest_path, a);
    }
    let file = a
        .file
        .as_deref()
        .ok_or_else(|| CliError::Msg("which file? kagi verify FILE --sig FILE.p7s".into()))?;
    // A manifest is known by its content, not by a flag: checking only its signature would
    // answer "valid" for a tree nobody looked at.
    if is_manifest(file) {
        return verify_manifest(&provider, file, a);
    }
    if let Some(dir) = &a.dir {
        return Err(CliError::Msg(format!(
            "--dir {}: {} is not a kagi manifest (its first line is not `kagi-manifest N`), so there is no tree to check",
            dir.display(),
            file.display()
        )));
    }
    let sig_path = a
        .sig
        .clone()
        .unwrap_or_else(|| files::with_ext(file, ".p7s"));
    let report = check_signature(&provider, &[], Some(file), &sig_path, a)?;
    if a.json {
        print_json(
            &json!({"file": file.display().to_string(), "valid": report.valid(), "report": report}),
        )?;
    } else {
        print(&render(file, &report, ""))?;
    }
    Ok(if report.valid() {
        Outcome::Yes
    } else {
        Outcome::No
    })
}

/// Whether `path` starts like a kagi manifest (read: its first bytes only). A byte-order mark
/// or blank space before the magic still counts (an editor may add them): the file is then
/// judged as a manifest, and refused as malformed, never passed as a plain signed file
/// without its tree checked.
fn is_manifest(path: &Path) -> bool {
    use std::io::Read as _;
    let prefix = crypto_core::manifest::MAGIC_PREFIX.as_bytes();
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let mut rest = head.as_slice();
    rest = rest.strip_prefix("\u{feff}".as_bytes()).unwrap_or(rest);
    let rest = rest.trim_ascii_start();
    rest.starts_with(prefix)
}

/// `3 files, 1 symbolic link, 0 special files`.
fn counts(m: &Manifest) -> String {
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    format!(
        "{}, {}, {}",
        n(m.files.len(), "file", "files"),
        n(m.links.len(), "symbolic link", "symbolic links"),
        n(m.specials.len(), "special file", "special files")
    )
}

fn verify_manifest(
    provider: &Provider,
    manifest_path: &Path,
    a: &VerifyArgs,
) -> Result<Outcome, CliError> {
    let text = files::read(manifest_path)?;
    let sig_path = a
        .sig
        .clone()
        .unwrap_or_else(|| files::with_ext(manifest_path, ".p7s"));
    let report = check_signature(provider, &text, None, &sig_path, a)?;
    let signed = std::str::from_utf8(&text)
        .map_err(|_| CliError::Msg(format!("{}: not UTF-8", manifest_path.display())))
        .and_then(|t| {
            Manifest::parse(t)
                .map_err(|e| CliError::Msg(format!("{}: {e}", manifest_path.display())))
        })?;
    let dir = a.dir.clone().unwrap_or_else(|| {
        manifest_path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&signed.root)
    });
    if !dir.is_dir() {
        return Err(CliError::Msg(format!(
            "{}: not a directory; the tree {} describes is checked with it (name it with --dir DIR)",
            dir.display(),
            manifest_path.display()
        )));
    }
    let now = Manifest::build(provider, &dir)
        .map_err(|e| CliError::Msg(format!("{}: {e}", dir.display())))?;
    let diff = signed.diff(&now);
    let ok = report.valid() && diff.is_empty();
    if a.json {
        print_json(&json!({
            "manifest": manifest_path.display().to_string(),
            "format": signed.version,
            "directory": dir.display().to_string(),
            "valid": ok,
            "signature": report,
            "files": signed.files.len(),
            "links": signed.links.len(),
            "special": signed.specials.len(),
            "added": diff.added, "missing": diff.missing, "changed": diff.changed,
            "not_checked": diff.unchecked,
        }))?;
    } else {
        let mut s = render(manifest_path, &report, "signature ");
        let _ = writeln!(
            s,
            "{}: {} ({} in the manifest)",
            if diff.is_empty() {
                "unchanged"
            } else {
                "CHANGED"
            },
            dir.display(),
            counts(&signed)
        );
        let what = |m: &Manifest, p: &str| m.describe(p).unwrap_or_default();
        for p in &diff.added {
            let _ = writeln!(s, "  added:       {p} ({})", what(&now, p));
        }
        for p in &diff.missing {
            let _ = writeln!(s, "  missing:     {p} ({})", what(&signed, p));
        }
        for p in &diff.changed {
            let (was, is) = (what(&signed, p), what(&now, p));
            if was == is {
                let _ = writeln!(s, "  changed:     {p}");
            } else {
                let _ = writeln!(s, "  changed:     {p} (was {was}, now {is})");
            }
        }
        if signed.version == 1 {
            let _ = writeln!(
                s,
                "  note:        a format-1 manifest recorded regular files only, not symbolic links or special files; {} such in the tree now, not checked (sign again for format 2)",
                diff.unchecked.len()
            );
            for p in &diff.unchecked {
                let _ = writeln!(s, "  not checked: {p} ({})", what(&now, p));
            }
        }
        print(&s)?;
    }
    Ok(if ok { Outcome::Yes } else { Outcome::No })
}
