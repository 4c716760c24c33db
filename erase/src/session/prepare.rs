//! Before anything is written: the real target behind a name, the safety checks, opening.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::discover::BlockDevice;
use crate::target::Target;

/// A target that passed the safety checks, opened for writing.
pub(super) struct Opened {
    pub real: PathBuf,
    pub device: Option<BlockDevice>,
    pub target: Box<dyn Target>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io(path.display().to_string(), e)
}

/// The safety checks and opening, before anything is written: a device or partition must pass
/// [`crate::safety::check`]; a regular file [`crate::safety::file_refusal`] when `file_checks`
/// (an overwrite; a crypto-erase of an envelope file overwrites only its header).
pub(super) fn open_checked(path: &Path, file_checks: bool) -> Result<Opened, Error> {
    let real = std::fs::canonicalize(path).map_err(io(path))?;
    let md = std::fs::metadata(&real).map_err(io(path))?;
    let device = if md.is_file() {
        if file_checks && let Some(why) = crate::safety::file_refusal(&real) {
            return Err(Error::Refused(path.display().to_string(), why));
        }
        None
    } else {
        Some(crate::safety::check(path)?)
    };
    let target = crate::target::open(&real, true)?;
    Ok(Opened {
        real,
        device,
        target,
    })
}

/// Refuses a target named twice (under any name), before any is checked or written.
pub fn distinct(targets: &[PathBuf]) -> Result<(), Error> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for t in targets {
        let real = std::fs::canonicalize(t).map_err(io(t))?;
        if let Some((_, first)) = seen.iter().find(|(r, _)| *r == real) {
            return Err(Error::Invalid(format!(
                "{} is named twice ({} and {} are the same target); name each target once; nothing was written",
                real.display(),
                first.display(),
                t.display()
            )));
        }
        seen.push((real, t));
    }
    Ok(())
}
