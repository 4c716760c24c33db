//! Manifests of directory trees: the SHA-256, size and path of every regular file, as text, to
//! be signed (a detached CMS signature over the manifest's bytes). The chain-of-custody record
//! for media that travels: verifying one lists what was added, removed or changed.
//!
//! ```text
//! kagi-manifest 1
//! root: DIRNAME
//! files: N
//! <sha256 hex>  <size>  <path relative to the root, `/`-separated>
//! ```
//!
//! Paths are UTF-8; `\` and newline in a name are written `\\` and `\n`. Lines are sorted by
//! path. Symbolic links and special files are not followed and are listed in `skipped`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::Error;
use crate::hash::{HashAlgorithm, digest_reader};
use crate::provider::Provider;

const MAGIC: &str = "kagi-manifest 1";

/// One file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content.
    pub sha256: [u8; 32],
}

/// A manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The directory's name.
    pub root: String,
    /// Files by relative path.
    pub files: BTreeMap<String, Entry>,
    /// What was not recorded (symbolic links, sockets, devices), by relative path.
    pub skipped: Vec<String>,
}

/// What differs between a manifest and the tree now.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Diff {
    /// In the tree, not in the manifest.
    pub added: Vec<String>,
    /// In the manifest, not in the tree.
    pub missing: Vec<String>,
    /// In both, with different content or size.
    pub changed: Vec<String>,
}

impl Diff {
    /// Whether the tree matches the manifest.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.missing.is_empty() && self.changed.is_empty()
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

impl Manifest {
    /// Hashes every regular file under `dir`.
    pub fn build(provider: &Provider, dir: &Path) -> Result<Manifest, Error> {
        let root = dir
            .canonicalize()
            .map_err(Error::Io)?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "/".into());
        let mut m = Manifest {
            root,
            files: BTreeMap::new(),
            skipped: Vec::new(),
        };
        walk(provider, dir, "", &mut m)?;
        Ok(m)
    }

    /// The manifest as text (the bytes that are signed).
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{MAGIC}\nroot: {}\nfiles: {}\n",
            escape(&self.root),
            self.files.len()
        );
        for (path, e) in &self.files {
            s.push_str(&format!(
                "{}  {}  {}\n",
                hex::encode(e.sha256),
                e.size,
                escape(path)
            ));
        }
        s
    }

    /// Parses a manifest's text.
    pub fn parse(text: &str) -> Result<Manifest, Error> {
        let bad = |n: usize, what: &str| Error::Malformed(format!("manifest, line {n}: {what}"));
        let mut lines = text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(bad(1, "not a kagi manifest (expected `kagi-manifest 1`)"));
        }
        let root = lines
            .next()
            .and_then(|l| l.strip_prefix("root: "))
            .and_then(unescape)
            .ok_or_else(|| bad(2, "expected `root: NAME`"))?;
        let count: usize = lines
            .next()
            .and_then(|l| l.strip_prefix("files: "))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| bad(3, "expected `files: N`"))?;
        let mut files = BTreeMap::new();
        for (i, line) in lines.enumerate() {
            let n = i + 4;
            let mut parts = line.splitn(3, "  ");
            let (Some(h), Some(size), Some(path)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad(n, "expected `SHA256  SIZE  PATH`"));
            };
            let sha256: [u8; 32] = hex::decode(h)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| bad(n, "bad SHA-256"))?;
            let size = size.parse().map_err(|_| bad(n, "bad size"))?;
            let path = unescape(path).ok_or_else(|| bad(n, "bad escape in path"))?;
            if files.insert(path, Entry { size, sha256 }).is_some() {
                return Err(bad(n, "path listed twice"));
            }
        }
        if files.len() != count {
            return Err(Error::Malformed(format!(
                "manifest: says {count} files, lists {}",
                files.len()
            )));
        }
        Ok(Manifest {
            root,
            files,
            skipped: Vec::new(),
        })
    }

    /// What changed from `self` (as signed) to `now`.
    pub fn diff(&self, now: &Manifest) -> Diff {
        let mut d = Diff::default();
        for (p, e) in &self.files {
            match now.files.get(p) {
                None => d.missing.push(p.clone()),
                Some(n) if n != e => d.changed.push(p.clone()),
                Some(_) => {}
            }
        }
        for p in now.files.keys() {
            if !self.files.contains_key(p) {
                d.added.push(p.clone());
            }
        }
        d
    }
}

fn walk(provider: &Provider, dir: &Path, prefix: &str, m: &mut Manifest) -> Result<(), Error> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(Error::Io)?
        .collect::<Result<_, _>>()
        .map_err(Error::Io)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let name = name.to_str().ok_or_else(|| {
            Error::Malformed(format!(
                "manifest: a name under {} is not UTF-8",
                dir.display()
            ))
        })?;
        let rel = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        let ty = e.file_type().map_err(Error::Io)?;
        if ty.is_dir() {
            walk(provider, &e.path(), &rel, m)?;
        } else if ty.is_file() {
            let mut f = std::fs::File::open(e.path()).map_err(Error::Io)?;
            let size = f.metadata().map_err(Error::Io)?.len();
            let d = digest_reader(provider, HashAlgorithm::Sha256, &mut f)?;
            let mut sha256 = [0u8; 32];
            sha256.copy_from_slice(&d);
            m.files.insert(rel, Entry { size, sha256 });
        } else {
            m.skipped.push(rel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn text_round_trips_odd_names() {
        let mut files = BTreeMap::new();
        files.insert(
            "a b/c\\d\ne.txt".to_string(),
            Entry {
                size: 3,
                sha256: [7; 32],
            },
        );
        files.insert(
            "機密/報告書.pdf".to_string(),
            Entry {
                size: 0,
                sha256: [0; 32],
            },
        );
        let m = Manifest {
            root: "媒体".into(),
            files,
            skipped: vec![],
        };
        assert_eq!(Manifest::parse(&m.to_text()).unwrap(), m);
        let mut t = m.to_text();
        t.push_str(&format!("{}  1  extra\n", hex::encode([1u8; 32])));
        assert!(Manifest::parse(&t).is_err(), "count mismatch");
    }
}
