//! The ledger: every erasure certificate issued on a host, one JSON line each, chained by
//! SHA-256 — each entry's hash covers the previous entry's hash and its own fields — so a
//! removed, reordered, inserted or edited entry breaks the chain (第111条: logs that show
//! tampering). Removing entries from the end leaves a shorter valid chain; that is caught
//! against a head an auditor recorded earlier (`--head`) or against the certificates, each of
//! which names its ledger position.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crypto_core::Provider;
use crypto_core::hash::HashAlgorithm;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"kagi-ledger/1\n";

/// One line of the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Position, from 1.
    pub seq: u64,
    /// When it was recorded (RFC 3339).
    pub time: String,
    /// The certificate's id.
    pub certificate: String,
    /// SHA-256 of the certificate file.
    pub certificate_sha256: String,
    /// The device: serial if reported, else path.
    pub device: String,
    /// The technique (`overwrite`, `crypto-erase`).
    pub technique: String,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev: String,
    /// SHA-256 over the domain, `prev` and the other fields.
    pub hash: String,
}

#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    time: &'a str,
    certificate: &'a str,
    certificate_sha256: &'a str,
    device: &'a str,
    technique: &'a str,
    prev: &'a str,
}

impl Entry {
    /// The hash this entry must carry.
    pub fn expected_hash(&self, provider: &Provider) -> Result<String, Error> {
        let body = serde_json::to_vec(&Hashed {
            seq: self.seq,
            time: &self.time,
            certificate: &self.certificate,
            certificate_sha256: &self.certificate_sha256,
            device: &self.device,
            technique: &self.technique,
            prev: &self.prev,
        })
        .map_err(|e| Error::Invalid(format!("ledger: {e}")))?;
        let mut m = DOMAIN.to_vec();
        m.extend_from_slice(&body);
        Ok(hex::encode(crypto_core::hash::digest(
            provider,
            HashAlgorithm::Sha256,
            &m,
        )?))
    }
}

/// What a check of the whole ledger found.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// Entries read.
    pub entries: u64,
    /// The last entry's hash (the head to record), [`GENESIS`] when empty.
    pub head: String,
    /// Every break, by line; empty when the chain holds.
    pub problems: Vec<String>,
}

/// Checks a ledger's text: every line parses, sequence numbers run 1, 2, 3…, each `prev` is
/// the hash before it, and each hash is right.
pub fn check(provider: &Provider, text: &str) -> Result<Check, Error> {
    let mut c = Check {
        entries: 0,
        head: GENESIS.into(),
        problems: Vec::new(),
    };
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            c.problems.push(format!("line {n}: empty line"));
            continue;
        }
        let e: Entry = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(err) => {
                c.problems
                    .push(format!("line {n}: not a ledger entry ({err})"));
                continue;
            }
        };
        c.entries += 1;
        if e.seq != c.entries {
            c.problems.push(format!(
                "line {n}: entry {} where {} was expected (removed, inserted or reordered)",
                e.seq, c.entries
            ));
        }
        if e.prev != c.head {
            c.problems.push(format!(
                "line {n}: entry {} does not follow the entry before it (chain broken)",
                e.seq
            ));
        }
        if e.expected_hash(provider)? != e.hash {
            c.problems.push(format!(
                "line {n}: entry {} was edited (hash mismatch)",
                e.seq
            ));
        }
        c.head = e.hash.clone();
    }
    if !text.is_empty() && !text.ends_with('\n') {
        c.problems.push("the last line is cut short".into());
    }
    Ok(c)
}

/// The ledger file of a host.
#[derive(Clone, Debug)]
pub struct Ledger {
    path: PathBuf,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io(path.display().to_string(), e)
}

impl Ledger {
    /// The ledger at `path` (created on first append).
    pub fn new(path: &Path) -> Ledger {
        Ledger {
            path: path.to_path_buf(),
        }
    }

    /// The default: `ledger.jsonl` in the state directory.
    pub fn in_dir(dir: &Path) -> Ledger {
        Ledger::new(&dir.join("ledger.jsonl"))
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn text(&self) -> Result<String, Error> {
        match std::fs::read_to_string(&self.path) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(io(&self.path)(e)),
        }
    }

    /// Runs `issue(position)` under an exclusive lock with the next position, then appends
    /// the entry it returns: so a certificate can name its own ledger position. A broken
    /// ledger is refused before anything is issued.
    pub fn append_with(
        &self,
        provider: &Provider,
        issue: impl FnOnce(u64, &str) -> Result<(String, String, String, String), Error>,
    ) -> Result<Entry, Error> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(io(&self.path))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| io(&self.path)(e.into()))?;
        let c = check(provider, &self.text()?)?;
        if !c.problems.is_empty() {
            return Err(Error::Invalid(format!(
                "{}: the ledger is broken ({}); nothing was recorded",
                self.path.display(),
                c.problems[0]
            )));
        }
        let seq = c.entries + 1;
        let (certificate, certificate_sha256, device, technique) = issue(seq, &c.head)?;
        let mut e = Entry {
            seq,
            time: crate::engine::now(),
            certificate,
            certificate_sha256,
            device,
            technique,
            prev: c.head,
            hash: String::new(),
        };
        e.hash = e.expected_hash(provider)?;
        let mut line =
            serde_json::to_vec(&e).map_err(|err| Error::Invalid(format!("ledger: {err}")))?;
        line.push(b'\n');
        file.write_all(&line).map_err(io(&self.path))?;
        file.sync_all().map_err(io(&self.path))?;
        Ok(e)
    }

    /// Checks the whole ledger.
    pub fn check(&self, provider: &Provider) -> Result<Check, Error> {
        check(provider, &self.text()?)
    }

    /// The entries (of a ledger that checks).
    pub fn entries(&self) -> Result<Vec<Entry>, Error> {
        self.text()?
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| Error::Invalid(format!("{}: {e}", self.path.display())))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn ledger_text(n: usize) -> String {
        let dir = std::env::temp_dir().join(format!(
            "kagi-ledger-{}-{}",
            std::process::id(),
            crypto_core::rand::array::<4>().map(hex::encode).unwrap()
        ));
        let l = Ledger::in_dir(&dir);
        let p = Provider::egov().unwrap();
        for i in 0..n {
            l.append_with(&p, |seq, _| {
                Ok((
                    format!("id{i}"),
                    hex::encode([i as u8; 32]),
                    format!("SERIAL{seq}"),
                    "overwrite".into(),
                ))
            })
            .unwrap();
        }
        let t = std::fs::read_to_string(l.path()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        t
    }

    #[test]
    fn a_fresh_ledger_checks_and_grows() {
        let p = Provider::egov().unwrap();
        let t = ledger_text(4);
        let c = check(&p, &t).unwrap();
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.entries, 4);
        assert_ne!(c.head, GENESIS);
        assert!(check(&p, "").unwrap().problems.is_empty());
    }

    /// Any changed byte of any line is detected: every byte of every line of a fixed ledger
    /// has its low bit flipped (the random version drew 64 of them and let "the same entry"
    /// excuse any); an edit JSON ignores would be excused, and they are counted: there are
    /// none, since every byte of a compact entry carries meaning.
    #[test]
    fn every_edit_is_detected() {
        let p = Provider::egov().unwrap();
        let t = ledger_text(5);
        let (mut detected, mut same_entry) = (0usize, 0usize);
        let originals: Vec<&str> = t.lines().collect();
        for (line, original) in originals.iter().enumerate() {
            for i in 0..original.len() {
                let mut bytes = original.as_bytes().to_vec();
                bytes[i] ^= 1;
                let mut lines: Vec<String> = originals.iter().map(|l| l.to_string()).collect();
                lines[line] = String::from_utf8_lossy(&bytes).into_owned();
                let edited = lines.join("\n") + "\n";
                let c = check(&p, &edited).unwrap();
                if c.problems.is_empty() {
                    // Only a change that leaves the same entry may pass.
                    let same = serde_json::from_str::<Entry>(&lines[line]).ok()
                        == serde_json::from_str::<Entry>(original).ok();
                    assert!(same, "line {line} byte {i} changed: not detected");
                    same_entry += 1;
                } else {
                    detected += 1;
                }
            }
        }
        let total: usize = originals.iter().map(|l| l.len()).sum();
        assert_eq!(detected + same_entry, total);
        assert_eq!(same_entry, 0, "edits that left the same entry");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Removing any entry but the last, swapping any two, or duplicating one is detected.
        #[test]
        fn removals_reorderings_and_insertions_are_detected(a in 0usize..5, b in 0usize..5) {
            let p = Provider::egov().unwrap();
            let t = ledger_text(5);
            let lines: Vec<&str> = t.lines().collect();
            if a < 4 {
                let mut v = lines.clone();
                v.remove(a);
                prop_assert!(!check(&p, &(v.join("\n") + "\n")).unwrap().problems.is_empty());
            }
            if a != b {
                let mut v = lines.clone();
                v.swap(a, b);
                prop_assert!(!check(&p, &(v.join("\n") + "\n")).unwrap().problems.is_empty());
            }
            let mut v = lines.clone();
            v.insert(b, lines[a]);
            prop_assert!(!check(&p, &(v.join("\n") + "\n")).unwrap().problems.is_empty());
        }
    }
}
