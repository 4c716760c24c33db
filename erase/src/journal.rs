//! The journal: a run's [`State`] kept in a state directory, off the target, after every
//! checkpoint, so `kagi erase resume` continues an interrupted run. It holds the plan, the
//! pass and offset verified so far, the report so far, the target's identity, the typed
//! certificate configuration and, for a crypto-erase, what was found and sampled before the
//! first byte — never a key. Each save replaces the file atomically (temporary file, fsync,
//! rename, fsync of the directory), so a crash leaves the previous checkpoint or the new one,
//! never a torn file. [`crate::session`] decides when it is written and removed.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::certify::CertConfig;
use crate::crypto_erase::{DataSample, KeyMaterial};
use crate::engine::State;
use crate::identity::Identity;

/// What a crypto-erase journal adds: the key material found and the data area sampled before
/// the first byte was written (after it, the header no longer parses and could not be found
/// again), and the operator's attestations for the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CryptoRecord {
    /// Where the keys are: the area the run's state overwrites.
    pub found: KeyMaterial,
    /// The data area's sample.
    pub data: DataSample,
    /// The operator attested encryption from the first write.
    pub attested_encrypted_from_first_write: bool,
    /// The operator attested that no copy of the keys exists elsewhere.
    pub attested_no_key_copies: bool,
    /// Key files destroyed before this target (absolute paths).
    pub key_files_destroyed: Vec<String>,
}

/// A journal entry: which target, and where its run stands.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Always `kagi erase journal`.
    pub kind: String,
    /// The target.
    pub identity: Identity,
    /// The run (for a crypto-erase: the overwrite of the key area).
    pub state: State,
    /// What the certificate needs when the run completes (who, for whom, which signing key
    /// and certificate by path — never a key or passphrase); `None` when none was asked for.
    /// A value that does not parse is an error, never dropped.
    #[serde(default)]
    pub certify: Option<CertConfig>,
    /// For a crypto-erase: what was found and attested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto: Option<CryptoRecord>,
}

/// An entry by reference, for saving at every checkpoint without copying the state.
#[derive(Serialize)]
struct EntryRef<'a> {
    kind: &'static str,
    identity: &'a Identity,
    state: &'a State,
    certify: Option<&'a CertConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crypto: Option<&'a CryptoRecord>,
}

const KIND: &str = "kagi erase journal";

impl Entry {
    /// Parses and checks a journal's bytes: the kind, the version, a plan that parses, a
    /// state `run` can carry on and a certificate configuration that parses.
    pub fn parse(bytes: &[u8]) -> Result<Entry, Error> {
        let entry: Entry = serde_json::from_slice(bytes)
            .map_err(|e| Error::Invalid(format!("not a kagi erase journal: {e}")))?;
        entry.check()?;
        Ok(entry)
    }

    fn check(&self) -> Result<(), Error> {
        if self.kind != KIND || self.state.version != 1 {
            return Err(Error::Invalid("not a version 1 kagi erase journal".into()));
        }
        let inconsistent = |why: &str| {
            Err(Error::Invalid(format!(
                "the erase journal is inconsistent: {why}"
            )))
        };
        match &self.crypto {
            None if self.state.report.size != self.identity.size => {
                return inconsistent("its sizes differ");
            }
            Some(c)
                if self.state.report.size != c.found.area.end
                    || c.found.area.start != 0
                    || c.found.area.end != c.found.data.start
                    || c.found.data.end != self.identity.size =>
            {
                return inconsistent("its key area does not fit the target");
            }
            _ => {}
        }
        self.state.plan()?;
        self.state.validate()
    }
}

/// The journal file of one target.
#[derive(Clone, Debug)]
pub struct Journal {
    path: PathBuf,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io(path.display().to_string(), e)
}

impl Journal {
    /// The journal for the target at `resolved` (a canonical path) in `dir`.
    pub fn new(dir: &Path, resolved: &str) -> Journal {
        let file = crate::state_dir::file_safe(resolved.trim_start_matches('/'));
        Journal {
            path: dir.join("erase").join(format!("{file}.json")),
        }
    }

    /// Where it is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The entry, if a run is pending. A journal that does not parse or check — a
    /// certificate configuration with a wrong or unknown field included — is an error.
    pub fn load(&self) -> Result<Option<Entry>, Error> {
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&self.path)(e)),
        };
        Entry::parse(&text)
            .map(Some)
            .map_err(|e| Error::Invalid(format!("{}: {e}", self.path.display())))
    }

    /// Replaces the journal with the entry made of these parts, durably and atomically.
    pub fn save(
        &self,
        identity: &Identity,
        state: &State,
        certify: Option<&CertConfig>,
        crypto: Option<&CryptoRecord>,
    ) -> Result<(), Error> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io(dir))?;
        let entry = EntryRef {
            kind: KIND,
            identity,
            state,
            certify,
            crypto,
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
        j.save(&id, &state, None, None).unwrap();
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
            // A certificate configuration that does not parse is refused, not dropped.
            ("/certify", serde_json::json!("sign with the usual key")),
            ("/certify", serde_json::json!({"sign_key": 5})),
            ("/certify", serde_json::json!({"organization": "misspelt"})),
        ] {
            let mut bad = v.clone();
            *bad.pointer_mut(field).unwrap() = value;
            assert!(
                Entry::parse(bad.to_string().as_bytes()).is_err(),
                "{field} accepted"
            );
        }
        // Through the file, too: a resume gets the error, naming the journal.
        let mut bad = v.clone();
        bad["certify"] = serde_json::json!({"organisation": "A", "sign_kee": "/k.pem"});
        std::fs::write(j.path(), bad.to_string()).unwrap();
        let e = j.load().unwrap_err().to_string();
        assert!(
            e.contains(&j.path().display().to_string()) && e.contains("sign_kee"),
            "{e}"
        );
        // A typed configuration round-trips.
        let cfg = CertConfig {
            organisation: Some("A".into()),
            sign_key: Some("/k.pem".into()),
            ..CertConfig::default()
        };
        j.save(&id, &state, Some(&cfg), None).unwrap();
        assert_eq!(j.load().unwrap().unwrap().certify, Some(cfg));
        j.remove().unwrap();
        assert!(Journal::pending(&dir).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
