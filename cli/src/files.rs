//! Reading inputs and writing outputs: never overwrite without `--force`, never leave a partial
//! file behind, secrets written 0600.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
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
        hex_lower(&nonce)
    )))
}

/// Writes `data` to `path` through a temporary file in the same directory, so the output
/// appears whole or not at all. Refuses to replace an existing file unless `force`.
pub fn write_new(path: &Path, data: &[u8], mode: Mode, force: bool) -> Result<(), CliError> {
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(CliError::Msg(format!(
            "{}: already exists (use --force to replace it)",
            path.display()
        )));
    }
    let tmp = temp_beside(path)?;
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(match mode {
                Mode::Secret => 0o600,
                Mode::Public => 0o644,
            })
            .open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        if force {
            fs::rename(&tmp, path)
        } else {
            // hard_link fails if `path` appeared meanwhile: no silent overwrite.
            fs::hard_link(&tmp, path).and_then(|()| fs::remove_file(&tmp))
        }
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        CliError::File {
            path: path.to_path_buf(),
            source: e,
        }
    })
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
