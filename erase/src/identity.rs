//! What identifies an erase target across runs: size, model, serial, WWN, a loop device's
//! backing file and a regular file's inode. A journal records it so a resumed run refuses a
//! different target; a certificate records it so a later re-check refuses a different device.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

/// What the journal remembers of the target, to refuse resuming onto a different one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The path named on the command line, resolved.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Model, if reported.
    pub model: Option<String>,
    /// Serial number, if reported.
    pub serial: Option<String>,
    /// World-wide name, if reported.
    pub wwn: Option<String>,
    /// A loop device's backing file.
    pub backing_file: Option<String>,
    /// A regular file's `device:inode`.
    pub inode: Option<String>,
}

impl Identity {
    /// The identity of the block device, partition or regular file at `path`.
    pub fn of(path: &Path) -> Result<Identity, Error> {
        let name = path.display().to_string();
        let real = std::fs::canonicalize(path).map_err(|e| Error::Io(name.clone(), e))?;
        let md = std::fs::metadata(&real).map_err(|e| Error::Io(name.clone(), e))?;
        if md.is_file() {
            return Ok(Identity {
                path: real.display().to_string(),
                size: md.len(),
                model: None,
                serial: None,
                wwn: None,
                backing_file: None,
                inode: Some(format!("{}:{}", md.dev(), md.ino())),
            });
        }
        let d = crate::discover::find(&real)
            .ok_or_else(|| Error::Invalid(format!("{name}: not a block device kagi can see")))?;
        // A loop device is known by the file behind it (its inode), not by its kernel name.
        let inode = crate::safety::loop_backing(&d).map(|b| b.0);
        Ok(Identity {
            path: real.display().to_string(),
            size: d.size,
            model: d.model,
            serial: d.serial,
            wwn: d.wwn,
            backing_file: d.backing_file,
            inode,
        })
    }

    /// How `now` differs from this identity, if it does.
    pub fn mismatch(&self, now: &Identity) -> Option<String> {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        let fields: [(&str, String, String); 6] = [
            ("size", self.size.to_string(), now.size.to_string()),
            ("model", shown(&self.model), shown(&now.model)),
            ("serial", shown(&self.serial), shown(&now.serial)),
            ("WWN", shown(&self.wwn), shown(&now.wwn)),
            (
                "backing file",
                shown(&self.backing_file),
                shown(&now.backing_file),
            ),
            ("inode", shown(&self.inode), shown(&now.inode)),
        ];
        fields
            .into_iter()
            .find(|(_, a, b)| a != b)
            .map(|(what, a, b)| format!("its {what} is {b}, the recorded one is {a}"))
    }
}
