//! The journal: a run's [`State`] kept in a state directory, off the target, after every
//! checkpoint, so `kagi erase resume` continues an interrupted run. It holds the plan, the
//! pass and offset verified so far, the report so far and the target's identity — never a key.
//! Each save replaces the file atomically (temporary file, fsync, rename, fsync of the
//! directory), so a crash leaves the previous checkpoint or the new one, never a torn file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::engine::State;

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

/// A journal entry: which target, and where its run stands.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Always `kagi erase journal`.
    pub kind: String,
    /// The target.
    pub identity: Identity,
    /// The run.
    pub state: State,
    /// What the caller needs to issue the certificate when the run completes (who, for whom,
    /// which signing key and certificate by path — never a key or passphrase).
    #[serde(default)]
    pub certify: Option<serde_json::Value>,
}

const KIND: &str = "kagi erase journal";

impl Entry {
    /// Parses and checks a journal's bytes: the kind, the version, a plan that parses and a
    /// state `run` can carry on.
    pub fn parse(bytes: &[u8]) -> Result<Entry, Error> {
        let entry: Entry = serde_json::from_slice(bytes)
            .map_err(|e| Error::Invalid(format!("not a kagi erase journal: {e}")))?;
        if entry.kind != KIND || entry.state.version != 1 {
            return Err(Error::Invalid("not a version 1 kagi erase journal".into()));
        }
        if entry.state.report.size != entry.identity.size {
            return Err(Error::Invalid(
                "the erase journal is inconsistent: its sizes differ".into(),
            ));
        }
        entry.state.plan()?;
        entry.state.validate()?;
        Ok(entry)
    }
}

/// The journal file of one target.
#[derive(Clone, Debug)]
pub struct Journal {
    path: PathBuf,
}

/// The state directory: `$KAGI_STATE_DIR`, else `/var/lib/kagi` for root, else
/// `$XDG_STATE_HOME/kagi` or `~/.local/state/kagi`.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KAGI_STATE_DIR") {
        return PathBuf::from(d);
    }
    if rustix::process::geteuid().is_root() {
        return PathBuf::from("/var/lib/kagi");
    }
    match (std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME")) {
        (Some(x), _) => PathBuf::from(x).join("kagi"),
        (None, Some(h)) => PathBuf::from(h).join(".local/state/kagi"),
        (None, None) => PathBuf::from("/var/lib/kagi"),
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io(path.display().to_string(), e)
}

/// `s` with every character but ASCII letters, digits, `.` and `-` made `_`: a file name part
/// from a device path or serial.
pub fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Journal {
    /// The journal for the target at `resolved` (a canonical path) in `dir`.
    pub fn new(dir: &Path, resolved: &str) -> Journal {
        let file = file_safe(resolved.trim_start_matches('/'));
        Journal {
            path: dir.join("erase").join(format!("{file}.json")),
        }
    }

    /// Where it is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The entry, if a run is pending.
    pub fn load(&self) -> Result<Option<Entry>, Error> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&self.path)(e)),
        };
        let entry: Entry = serde_json::from_str(&text).map_err(|e| {
            Error::Invalid(format!(
                "{}: not a kagi erase journal: {e}",
                self.path.display()
            ))
        })?;
        if entry.kind != KIND || entry.state.version != 1 {
            return Err(Error::Invalid(format!(
                "{}: not a version 1 kagi erase journal",
                self.path.display()
            )));
        }
        Ok(Some(entry))
    }

    /// Replaces the journal with `entry`, durably and atomically.
    pub fn save(
        &self,
        identity: &Identity,
        state: &State,
        certify: Option<&serde_json::Value>,
    ) -> Result<(), Error> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io(dir))?;
        let entry = Entry {
            kind: KIND.into(),
            identity: identity.clone(),
            state: state.clone(),
            certify: certify.cloned(),
        };
        let text = serde_json::to_vec_pretty(&entry)
            .map_err(|e| Error::Invalid(format!("journal: {e}")))?;
        let tmp = self.path.with_extension("json.tmp");
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io(&tmp))?;
        f.write_all(&text).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, &self.path).map_err(io(&self.path))?;
        File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
    }

    /// Removes the journal (the run finished, or is abandoned).
    pub fn remove(&self) -> Result<(), Error> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&self.path)(e)),
            _ => Ok(()),
        }
    }

    /// Every pending run in `dir`.
    pub fn pending(dir: &Path) -> Result<Vec<(Journal, Entry)>, Error> {
        let sub = dir.join("erase");
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&sub) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io(&sub)(e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let j = Journal { path };
            if let Some(entry) = j.load()? {
                out.push((j, entry));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::engine::{Plan, Verify};
    use crate::target::Faulty;

    #[test]
    fn saves_loads_and_lists_without_a_key() {
        let dir = std::env::temp_dir().join(format!("kagi-journal-{}", std::process::id()));
        let t = Faulty::new(1 << 20, 0, vec![]);
        let plan = Plan::parse(None, Some("dod-short"), Verify::Sample(5)).unwrap();
        let state = State::new(&t, &plan).unwrap();
        let id = Identity {
            path: "/dev/loop9".into(),
            size: 1 << 20,
            model: None,
            serial: Some("S1".into()),
            wwn: None,
            backing_file: None,
            inode: None,
        };
        let j = Journal::new(&dir, "/dev/loop9");
        assert!(j.load().unwrap().is_none());
        j.save(&id, &state, None).unwrap();
        let back = j.load().unwrap().unwrap();
        assert_eq!(back.identity, id);
        assert_eq!(back.state.plan().unwrap(), plan);
        assert_eq!(back.state.report.sample_seed, state.report.sample_seed);
        let listed = Journal::pending(&dir).unwrap();
        assert_eq!(listed.len(), 1);
        let mut other = id.clone();
        other.serial = Some("S2".into());
        assert!(id.mismatch(&other).unwrap().contains("serial"));
        assert!(id.mismatch(&id).is_none());
        // Inconsistent journals are refused, not carried on.
        let good = std::fs::read(j.path()).unwrap();
        assert!(Entry::parse(&good).is_ok());
        let v: serde_json::Value = serde_json::from_slice(&good).unwrap();
        for (field, value) in [
            ("/state/pass", serde_json::json!(9)),
            ("/state/done", serde_json::json!(4096)),
            ("/state/window", serde_json::json!(1000)),
            ("/state/passes", serde_json::json!(["zero"])),
            ("/state/passes", serde_json::json!(["zero", "one", "bogus"])),
            ("/identity/size", serde_json::json!(1)),
            ("/kind", serde_json::json!("something else")),
        ] {
            let mut bad = v.clone();
            *bad.pointer_mut(field).unwrap() = value;
            assert!(
                Entry::parse(bad.to_string().as_bytes()).is_err(),
                "{field} accepted"
            );
        }
        j.remove().unwrap();
        assert!(Journal::pending(&dir).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
