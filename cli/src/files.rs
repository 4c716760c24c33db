//! Reading inputs and writing outputs: kagi creates or replaces only regular files (never a
//! device, FIFO, socket, directory or symbolic link), never overwrites without `--force`, never
//! leaves a partial or temporary file behind (not after an error, a signal or `kill -9`), and
//! writes secrets 0600.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::cleanup;
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
    let mut f = fs::File::open(path).map_err(err)?;
    let ft = f.metadata().map_err(err)?.file_type();
    if ft.is_dir() || ft.is_block_device() || ft.is_socket() {
        return Err(CliError::Msg(format!(
            "{}: {}, not a key, certificate, share or escrow file",
            path.display(),
            kind_of(ft)
        )));
    }
    (&mut f)
        .take(MAX_SMALL_FILE + 1)
        .read_to_end(&mut data)
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
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Msg(format!("{}: not a file name", path.display())))?;
    let nonce: [u8; 6] = crypto_core::rand::array()?;
    Ok(parent_dir(path).join(format!(
        ".{}.kagi-{}.tmp",
        name.to_string_lossy(),
        hex::encode(nonce)
    )))
}

/// A hidden, unused name inside the directory `dir`, for staging a tree that is to fill it.
pub fn temp_within(dir: &Path) -> Result<PathBuf, CliError> {
    let nonce: [u8; 6] = crypto_core::rand::array()?;
    Ok(dir.join(format!(".kagi-{}.tmp", hex::encode(nonce))))
}

/// The directory `path` is in (`.` for a bare name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What a path names, in words, for refusals.
pub fn kind_of(ft: fs::FileType) -> &'static str {
    if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_dir() {
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

/// Whether an output may be written at `dest`: kagi only creates regular files, or replaces
/// one with `force`. Anything else already there (a device, FIFO, socket, directory or
/// symbolic link) is refused whatever the flags, and left untouched.
pub fn check_output(dest: &Path, force: bool) -> Result<(), CliError> {
    match fs::symlink_metadata(dest) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CliError::File {
            path: dest.to_path_buf(),
            source: e,
        }),
        Ok(md) if md.file_type().is_file() => {
            if force {
                Ok(())
            } else {
                Err(CliError::Msg(format!(
                    "{}: already exists (use --force to replace it)",
                    dest.display()
                )))
            }
        }
        Ok(md) => Err(CliError::Msg(format!(
            "{}: {}; kagi only creates or replaces regular files, so it leaves it untouched ({})",
            dest.display(),
            kind_of(md.file_type()),
            if md.file_type().is_block_device() {
                "write an image file, then copy that to the device"
            } else {
                "name a new file"
            }
        ))),
    }
}

/// A temporary file in the directory of `dest`, read-write: an unnamed file (`O_TMPFILE`),
/// so nothing of it survives the process however it ends (`kill -9`, a power cut), or, on
/// filesystems without `O_TMPFILE`, a hidden named file removed when dropped and on a signal.
pub struct Scratch {
    file: fs::File,
    name: Option<(PathBuf, cleanup::Registered)>,
}

impl Scratch {
    /// A new, empty temporary file beside `dest`.
    ///
    /// `KAGI_STAGING=named` forces the named file, as on a filesystem without `O_TMPFILE`
    /// (the tests use it to attack that path with signals).
    pub fn beside(dest: &Path) -> Result<Scratch, CliError> {
        let dir = parent_dir(dest);
        let unnamed = if std::env::var_os("KAGI_STAGING").is_some_and(|v| v == "named") {
            Err(rustix::io::Errno::OPNOTSUPP)
        } else {
            rustix::fs::openat(
                rustix::fs::CWD,
                &dir,
                rustix::fs::OFlags::TMPFILE
                    | rustix::fs::OFlags::RDWR
                    | rustix::fs::OFlags::CLOEXEC,
                rustix::fs::Mode::from_raw_mode(0o600),
            )
        };
        match unnamed {
            Ok(fd) => Ok(Scratch {
                file: fs::File::from(fd),
                name: None,
            }),
            Err(e)
                if e == rustix::io::Errno::OPNOTSUPP
                    || e == rustix::io::Errno::ISDIR
                    || e == rustix::io::Errno::INVAL =>
            {
                let tmp = temp_beside(dest)?;
                let reg = watched(cleanup::Leftover::File(tmp.clone()))?;
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&tmp)
                    .map_err(file_err(&tmp))?;
                Ok(Scratch {
                    file,
                    name: Some((tmp, reg)),
                })
            }
            Err(e) => Err(file_err(&dir)(e.into())),
        }
    }

    /// The file.
    pub fn file(&mut self) -> &mut fs::File {
        &mut self.file
    }

    /// Its name, when it has one (no `O_TMPFILE` on this file system).
    pub fn name(&self) -> Option<&Path> {
        self.name.as_ref().map(|(p, _)| p.as_path())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some((t, _)) = &self.name {
            let _ = fs::remove_file(t);
        }
    }
}

/// Registers a path for removal on a signal; a process that cannot watch for signals writes
/// nothing it could leave behind.
pub fn watched(what: cleanup::Leftover) -> Result<cleanup::Registered, CliError> {
    cleanup::register(what).map_err(|e| {
        CliError::Msg(format!(
            "cannot watch for signals ({e}); nothing was written"
        ))
    })
}

/// An output written into a [`Scratch`] file beside its destination and moved into place by
/// [`AtomicFile::finish`] only when complete (never over anything but a regular file, and only
/// with `force` over an existing one); dropped unfinished, nothing of it remains.
pub struct AtomicFile {
    scratch: Scratch,
    dest: PathBuf,
    force: bool,
}

fn file_err(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::File {
        path: path.to_path_buf(),
        source,
    }
}

impl AtomicFile {
    /// Starts an output at `dest`; refuses an existing one unless `force`, and anything that
    /// is not a regular file always (see [`check_output`]).
    pub fn create(dest: &Path, force: bool) -> Result<AtomicFile, CliError> {
        check_output(dest, force)?;
        Ok(AtomicFile {
            scratch: Scratch::beside(dest)?,
            dest: dest.to_path_buf(),
            force,
        })
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut fs::File {
        self.scratch.file()
    }

    /// Syncs, sets the mode and moves the file into place: a new name is never taken from
    /// under someone who created it meanwhile, and with `force` only a regular file is replaced.
    pub fn finish(mut self, mode: Mode) -> Result<(), CliError> {
        let bits = match mode {
            Mode::Secret => 0o600,
            Mode::Public => 0o644,
        };
        let dest = self.dest.clone();
        let file = &self.scratch.file;
        file.sync_all()
            .and_then(|()| file.set_permissions(fs::Permissions::from_mode(bits)))
            .map_err(file_err(&dest))?;
        // The check again, just before the file appears: the path may have changed meanwhile.
        check_output(&dest, self.force)?;
        match self.scratch.name.take() {
            None => self.link_unnamed(),
            Some((tmp, reg)) => {
                let placed = reg.settle(|| place(&tmp, &dest, self.force));
                if placed.is_err() {
                    let _ = fs::remove_file(&tmp);
                }
                placed.map_err(file_err(&dest))
            }
        }
    }

    /// Gives the unnamed file its name. Without `force` it is linked at `dest` directly (which
    /// fails if anything appeared there); with `force` it is linked at a hidden name and renamed
    /// over `dest`, the only moment a named copy exists, and it is complete and authentic then.
    fn link_unnamed(&self) -> Result<(), CliError> {
        let dest = &self.dest;
        if !self.force {
            return link_fd(&self.scratch.file, dest).map_err(file_err(dest));
        }
        let tmp = temp_beside(dest)?;
        let reg = watched(cleanup::Leftover::File(tmp.clone()))?;
        link_fd(&self.scratch.file, &tmp).map_err(file_err(dest))?;
        let placed = reg.settle(|| replace(&tmp, dest));
        if placed.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        placed.map_err(file_err(dest))
    }
}

/// Links an `O_TMPFILE` file at `path` (which must not exist): through `/proc/self/fd`, or with
/// `AT_EMPTY_PATH` where `/proc` is not mounted (that needs CAP_DAC_READ_SEARCH).
fn link_fd(file: &fs::File, path: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    let via_proc = rustix::fs::linkat(
        rustix::fs::CWD,
        proc_path.as_str(),
        rustix::fs::CWD,
        path,
        rustix::fs::AtFlags::SYMLINK_FOLLOW,
    );
    match via_proc {
        Err(e) if e == rustix::io::Errno::NOENT && !Path::new("/proc/self/fd").exists() => {
            rustix::fs::linkat(
                file,
                "",
                rustix::fs::CWD,
                path,
                rustix::fs::AtFlags::EMPTY_PATH,
            )
            .map_err(Into::into)
        }
        r => r.map_err(Into::into),
    }
}

/// Moves a directory tree kagi made at `tmp` to `dest`: renamed to a new name, or, into an
/// existing empty directory, entry by entry, so that directory — its inode, owner and mode —
/// stays the user's. Nothing already at a name is replaced; on a failure the entries moved so
/// far (kagi's own) are removed again.
pub fn place_tree(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    // Staged inside `dest` (it was an empty directory, perhaps a mount point): only the
    // entries move, within one file system.
    if tmp.parent() != Some(dest) {
        match place(tmp, dest, false) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            r => return r,
        }
    }
    if !fs::symlink_metadata(dest)?.is_dir() {
        return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
    }
    let mut moved = Vec::new();
    for e in fs::read_dir(tmp)? {
        let name = e?.file_name();
        if let Err(err) = place(&tmp.join(&name), &dest.join(&name), false) {
            for n in &moved {
                let p = dest.join(n);
                let _ = fs::remove_dir_all(&p).or_else(|_| fs::remove_file(&p));
            }
            return Err(err);
        }
        moved.push(name);
    }
    fs::remove_dir(tmp)
}

/// Replaces the regular file at `dest` with `tmp`, closing the gap between checking `dest` and
/// renaming over it: the two are exchanged atomically (`RENAME_EXCHANGE`), then what came out
/// of `dest` is looked at — a regular file is removed; anything else (a device or FIFO swapped
/// in meanwhile) is exchanged back, untouched, and the output refused.
fn replace(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, tmp, CWD, dest, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        // Nothing at `dest` any more: a new name.
        Err(e) if e == Errno::NOENT && tmp.exists() => return place(tmp, dest, false),
        // No exchange on this file system: the check just before is all there is.
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS => return fs::rename(tmp, dest),
        Err(e) => return Err(e.into()),
    }
    let old = fs::symlink_metadata(tmp)?;
    if old.file_type().is_file() {
        return fs::remove_file(tmp);
    }
    renameat_with(CWD, tmp, CWD, dest, RenameFlags::EXCHANGE)?;
    let _ = fs::remove_file(tmp);
    Err(std::io::Error::other(format!(
        "it became {} while kagi worked; it is left untouched and nothing was written",
        kind_of(old.file_type())
    )))
}

/// Moves a named temporary file to `dest`: a rename with `force`, otherwise a rename that
/// fails if `dest` exists.
fn place(tmp: &Path, dest: &Path, force: bool) -> std::io::Result<()> {
    if force {
        replace(tmp, dest)
    } else {
        rustix::fs::renameat_with(
            rustix::fs::CWD,
            tmp,
            rustix::fs::CWD,
            dest,
            rustix::fs::RenameFlags::NOREPLACE,
        )
        .or_else(|e| {
            if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS {
                // No RENAME_NOREPLACE here: a hard link also refuses an existing name.
                fs::hard_link(tmp, dest).and_then(|()| fs::remove_file(tmp))
            } else {
                Err(e.into())
            }
        })
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn scratch_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "kagi-files-{}-{}",
            std::process::id(),
            hex::encode(crypto_core::rand::array::<8>().unwrap())
        ));
        fs::create_dir(&d).unwrap();
        d
    }

    /// What `replace` does once the exchange has happened: a device or FIFO that was swapped
    /// in at the destination goes back, untouched; a regular file is replaced.
    #[test]
    fn replace_puts_back_anything_but_a_regular_file() {
        let d = scratch_dir();
        let (tmp, dest) = (d.join("tmp"), d.join("dest"));
        fs::write(&tmp, b"new").unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &dest,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = replace(&tmp, &dest).unwrap_err();
        assert!(e.to_string().contains("a FIFO"), "{e}");
        assert!(fs::symlink_metadata(&dest).unwrap().file_type().is_fifo());
        assert!(!tmp.exists());
        fs::remove_file(&dest).unwrap();
        fs::write(&dest, b"old").unwrap();
        fs::write(&tmp, b"new").unwrap();
        replace(&tmp, &dest).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"new");
        assert!(!tmp.exists());
        fs::remove_dir_all(&d).unwrap();
    }
}
