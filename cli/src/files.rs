//! Reading inputs and writing outputs: never overwrite without `--force`, never leave a partial
//! file behind, secrets written 0600.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::output::CliError;

/// The largest key, certificate, share or escrow file read (a CA bundle is a few hundred KiB):
/// naming a disk by mistake gives an error, not an attempt to read it all into memory.
const MAX_SMALL_FILE: u64 = 64 << 20;

/// Reads a whole small file (key, certificate, share, escrow, passphrase), naming it in errors.
pub fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let err = |e| CliError::File {
        path: path.to_path_buf(),
        source: e,
    };
    let mut data = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_SMALL_FILE + 1).read_to_end(&mut data))
        .map_err(err)?;
    if data.len() as u64 > MAX_SMALL_FILE {
        return Err(CliError::Msg(format!(
            "{}: larger than 64 MiB; not a key, certificate, share or escrow file",
            path.display()
        )));
    }
    Ok(data)
}

/// Every certificate of a PEM bundle or a DER file, naming the file in errors.
pub fn certificates(path: &Path) -> Result<Vec<crypto_core::pki::Certificate>, CliError> {
    crypto_core::pki::certificates(&read(path)?)
        .map_err(|e| CliError::Msg(format!("{}: {e}", path.display())))
}

/// The DER certificates of an optional bundle (`--chain`, `--trust`); none when absent.
pub fn bundle(path: Option<&Path>) -> Result<Vec<Vec<u8>>, CliError> {
    Ok(match path {
        Some(p) => certificates(p)?.into_iter().map(|c| c.der).collect(),
        None => Vec::new(),
    })
}

/// The DER certificates of every bundle given (`--chain A --chain B`), in order.
pub fn bundles(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, CliError> {
    let mut all = Vec::new();
    for p in paths {
        all.extend(bundle(Some(p))?);
    }
    Ok(all)
}

/// `path` with `ext` appended (`report.pdf` → `report.pdf.p7s`).
pub fn with_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

/// Who may read an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Keys, shares: owner only (0600).
    Secret,
    /// Public keys, certificates (0644, less the umask).
    Public,
}

/// A fresh hidden name beside `path` (`.NAME.kagi-RANDOM.tmp`), for outputs that are written
/// whole and then renamed into place.
pub fn temp_beside(path: &Path) -> Result<PathBuf, CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Msg(format!("{}: not a file name", path.display())))?;
    let nonce: [u8; 6] = crypto_core::rand::array()?;
    Ok(dir.join(format!(
        ".{}.kagi-{}.tmp",
        name.to_string_lossy(),
        hex::encode(nonce)
    )))
}

/// An output written into a temporary file beside its destination and moved into place by
/// [`AtomicFile::finish`] only when complete (hard link when not forcing, so an existing file is
/// never replaced silently); dropped unfinished, the temporary file is removed.
pub struct AtomicFile {
    tmp: Option<PathBuf>,
    dest: PathBuf,
    file: fs::File,
    force: bool,
}

impl AtomicFile {
    /// Starts an output at `dest`; refuses an existing one unless `force`.
    pub fn create(dest: &Path, force: bool) -> Result<AtomicFile, CliError> {
        if !force && fs::symlink_metadata(dest).is_ok() {
            return Err(CliError::Msg(format!(
                "{}: already exists (use --force to replace it)",
                dest.display()
            )));
        }
        let tmp = temp_beside(dest)?;
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| CliError::File {
                path: tmp.clone(),
                source: e,
            })?;
        Ok(AtomicFile {
            tmp: Some(tmp),
            dest: dest.to_path_buf(),
            file,
            force,
        })
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut fs::File {
        &mut self.file
    }

    /// Syncs, sets the mode and moves the file into place.
    pub fn finish(mut self, mode: Mode) -> Result<(), CliError> {
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        let bits = match mode {
            Mode::Secret => 0o600,
            Mode::Public => 0o644,
        };
        let result = self
            .file
            .sync_all()
            .and_then(|()| fs::set_permissions(&tmp, fs::Permissions::from_mode(bits)))
            .and_then(|()| {
                if self.force {
                    fs::rename(&tmp, &self.dest)
                } else {
                    // hard_link fails if `dest` appeared meanwhile: no silent overwrite.
                    fs::hard_link(&tmp, &self.dest).and_then(|()| fs::remove_file(&tmp))
                }
            });
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(|e| CliError::File {
            path: self.dest.clone(),
            source: e,
        })
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(t) = &self.tmp {
            let _ = fs::remove_file(t);
        }
    }
}

/// Writes `data` to `path` as an [`AtomicFile`]: the output appears whole or not at all.
pub fn write_new(path: &Path, data: &[u8], mode: Mode, force: bool) -> Result<(), CliError> {
    let mut out = AtomicFile::create(path, force)?;
    out.file().write_all(data).map_err(|e| CliError::File {
        path: path.to_path_buf(),
        source: e,
    })?;
    out.finish(mode)
}
