//! Manifests of directory trees: every regular file (SHA-256, size, path), every symbolic link
//! (its target, not followed) and every special file (FIFO, socket, device), as text, to be
//! signed (a detached CMS signature over the manifest's bytes). The chain-of-custody record for
//! media that travels: verifying one lists what was added, removed or changed.
//!
//! ```text
//! kagi-manifest 2
//! root: DIRNAME
//! files: N
//! links: M
//! special: K
//! <sha256 hex>  <size>  <path relative to the root, `/`-separated>    (N lines, by path)
//! link  <target>  <path>                                               (M lines, by path)
//! <fifo|socket|char-device|block-device>  -  <path>                    (K lines, by path)
//! ```
//!
//! Paths and targets are UTF-8; `\` and newline are written `\\` and `\n`, and in a link's
//! target a space is written `\s` (so the two-space separator stays unambiguous).
//!
//! Format 1 (`kagi-manifest 1`: the header's first three lines and the file lines only) is still
//! read. It did not record symbolic links or special files, so a format-1 manifest cannot say
//! whether one was added: [`Diff::unchecked`] lists those found in the tree.
//!
//! Files are hashed by a bounded pool of threads (at most one per core, never one per file);
//! the manifest is the same whatever order they finish in.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cryptrec::{Algorithm, Use};

use crate::Error;
use crate::hash::{HashAlgorithm, Hasher};
use crate::provider::Provider;

const MAGIC_V1: &str = "kagi-manifest 1";
const MAGIC_V2: &str = "kagi-manifest 2";
/// The first line every manifest starts with, whatever its version.
pub const MAGIC_PREFIX: &str = "kagi-manifest ";
/// The most threads that hash at once.
const MAX_WORKERS: usize = 8;

/// One file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content.
    pub sha256: [u8; 32],
}

/// A file that is neither regular, a directory nor a symbolic link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
}

impl Special {
    const ALL: [Special; 4] = [
        Special::Fifo,
        Special::Socket,
        Special::CharDevice,
        Special::BlockDevice,
    ];

    /// The word in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Special::Fifo => "fifo",
            Special::Socket => "socket",
            Special::CharDevice => "char-device",
            Special::BlockDevice => "block-device",
        }
    }

    fn of(ty: std::fs::FileType) -> Option<Special> {
        use std::os::unix::fs::FileTypeExt as _;
        if ty.is_fifo() {
            Some(Special::Fifo)
        } else if ty.is_socket() {
            Some(Special::Socket)
        } else if ty.is_char_device() {
            Some(Special::CharDevice)
        } else if ty.is_block_device() {
            Some(Special::BlockDevice)
        } else {
            None
        }
    }
}

/// A manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The format version (1 or 2); [`Manifest::build`] writes 2.
    pub version: u32,
    /// The directory's name.
    pub root: String,
    /// Regular files by relative path.
    pub files: BTreeMap<String, Entry>,
    /// Symbolic links by relative path, with their targets (format 2).
    pub links: BTreeMap<String, String>,
    /// Special files by relative path (format 2).
    pub specials: BTreeMap<String, Special>,
}

/// What differs between a manifest and the tree now. Each list holds relative paths; a path
/// whose kind changed (a file replaced by a link) or a link pointing elsewhere is `changed`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Diff {
    /// In the tree, not in the manifest.
    pub added: Vec<String>,
    /// In the manifest, not in the tree.
    pub missing: Vec<String>,
    /// In both, with different content, size, link target or kind.
    pub changed: Vec<String>,
    /// Links and special files in the tree that a format-1 manifest could not record: neither
    /// matched nor mismatched.
    pub unchecked: Vec<String>,
}

impl Diff {
    /// Whether the tree matches the manifest (`unchecked` aside).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.missing.is_empty() && self.changed.is_empty()
    }
}

/// Backslash, newline and carriage return are escaped: a name ending in `\r` written raw
/// would read back without it, as the end of a CRLF line (found by fuzzing `manifest`).
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn escape_field(s: &str) -> String {
    escape(s).replace(' ', "\\s")
}

fn unescape(s: &str, spaces: bool) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                's' if spaces => out.push(' '),
                _ => return None,
            }
        } else if spaces && c == ' ' {
            return None;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// What a path is, in a manifest or in the tree.
enum Node<'a> {
    File(&'a Entry),
    Link(&'a str),
    Special(Special),
}

impl Manifest {
    fn node(&self, path: &str) -> Option<Node<'_>> {
        if let Some(e) = self.files.get(path) {
            Some(Node::File(e))
        } else if let Some(t) = self.links.get(path) {
            Some(Node::Link(t))
        } else {
            self.specials.get(path).map(|s| Node::Special(*s))
        }
    }

    fn paths(&self) -> impl Iterator<Item = &String> {
        self.files
            .keys()
            .chain(self.links.keys())
            .chain(self.specials.keys())
    }

    /// What `path` is, for a report: `file, 12 bytes`, `symbolic link → /etc/passwd`, `fifo`.
    pub fn describe(&self, path: &str) -> Option<String> {
        Some(match self.node(path)? {
            Node::File(e) => format!("file, {} bytes", e.size),
            Node::Link(t) => format!("symbolic link → {t}"),
            Node::Special(s) => s.name().to_string(),
        })
    }

    /// Records every entry under `dir`, hashing regular files on a bounded pool of threads.
    pub fn build(provider: &Provider, dir: &Path) -> Result<Manifest, Error> {
        provider.check(
            &Algorithm::Hash(HashAlgorithm::Sha256.hash_alg()),
            Use::Process,
        )?;
        let root = dir
            .canonicalize()
            .map_err(Error::Io)?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "/".into());
        let mut m = Manifest {
            version: 2,
            root,
            files: BTreeMap::new(),
            links: BTreeMap::new(),
            specials: BTreeMap::new(),
        };
        let mut to_hash = Vec::new();
        walk(dir, "", &mut m, &mut to_hash)?;
        for (rel, entry) in hash_all(&to_hash)? {
            m.files.insert(rel, entry);
        }
        Ok(m)
    }

    /// The manifest as text (the bytes that are signed).
    pub fn to_text(&self) -> String {
        let mut s = if self.version == 1 {
            format!(
                "{MAGIC_V1}\nroot: {}\nfiles: {}\n",
                escape(&self.root),
                self.files.len()
            )
        } else {
            format!(
                "{MAGIC_V2}\nroot: {}\nfiles: {}\nlinks: {}\nspecial: {}\n",
                escape(&self.root),
                self.files.len(),
                self.links.len(),
                self.specials.len()
            )
        };
        for (path, e) in &self.files {
            s.push_str(&format!(
                "{}  {}  {}\n",
                hex::encode(e.sha256),
                e.size,
                escape(path)
            ));
        }
        for (path, target) in &self.links {
            s.push_str(&format!(
                "link  {}  {}\n",
                escape_field(target),
                escape(path)
            ));
        }
        for (path, kind) in &self.specials {
            s.push_str(&format!("{}  -  {}\n", kind.name(), escape(path)));
        }
        s
    }

    /// Parses a manifest's text (format 1 or 2).
    pub fn parse(text: &str) -> Result<Manifest, Error> {
        let bad = |n: usize, what: &str| Error::Malformed(format!("manifest, line {n}: {what}"));
        // Lines end at `\n` only: `str::lines` would also drop a `\r` before it, which is
        // part of a name in manifests written before `\r` was escaped.
        let mut lines = text.split_terminator('\n');
        let version = match lines.next() {
            Some(MAGIC_V1) => 1,
            Some(MAGIC_V2) => 2,
            Some(l) if l.starts_with(MAGIC_PREFIX) => {
                return Err(bad(
                    1,
                    "a manifest format this kagi does not know (it reads formats 1 and 2)",
                ));
            }
            _ => {
                return Err(bad(
                    1,
                    "not a kagi manifest (expected `kagi-manifest 2` or `kagi-manifest 1`)",
                ));
            }
        };
        let root = lines
            .next()
            .and_then(|l| l.strip_prefix("root: "))
            .and_then(|r| unescape(r, false))
            .ok_or_else(|| bad(2, "expected `root: NAME`"))?;
        let mut count = |n: usize, key: &str| -> Result<usize, Error> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(key))
                .and_then(|v| v.strip_prefix(": "))
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| bad(n, &format!("expected `{key}: N`")))
        };
        let files_n = count(3, "files")?;
        let (links_n, specials_n) = if version == 2 {
            (count(4, "links")?, count(5, "special")?)
        } else {
            (0, 0)
        };
        let first = if version == 2 { 6 } else { 4 };
        let mut m = Manifest {
            version,
            root,
            files: BTreeMap::new(),
            links: BTreeMap::new(),
            specials: BTreeMap::new(),
        };
        // Sections in order (files, links, special), each sorted by path, no path twice.
        let mut section = 0;
        let mut last: Option<String> = None;
        for (i, line) in text.split_terminator('\n').skip(first - 1).enumerate() {
            let n = i + first;
            let mut parts = line.splitn(3, "  ");
            let (Some(a), Some(b), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad(n, "expected `SHA256  SIZE  PATH`"));
            };
            let path = unescape(path, false).ok_or_else(|| bad(n, "bad escape in path"))?;
            let special = Special::ALL.into_iter().find(|s| s.name() == a);
            let this = if version == 2 && a == "link" {
                let target =
                    unescape(b, true).ok_or_else(|| bad(n, "bad escape in link target"))?;
                m.links.insert(path.clone(), target);
                1
            } else if version == 2
                && let Some(kind) = special
            {
                if b != "-" {
                    return Err(bad(n, "expected `KIND  -  PATH`"));
                }
                m.specials.insert(path.clone(), kind);
                2
            } else {
                let sha256: [u8; 32] = hex::decode(a)
                    .ok()
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(|| bad(n, "bad SHA-256"))?;
                let size = b.parse().map_err(|_| bad(n, "bad size"))?;
                m.files.insert(path.clone(), Entry { size, sha256 });
                0
            };
            if this < section {
                return Err(bad(
                    n,
                    "out of order (files, then links, then special files)",
                ));
            }
            if this > section {
                last = None;
            }
            section = this;
            if last.as_ref().is_some_and(|l| *l >= path) {
                return Err(bad(n, "paths not sorted, or a path listed twice"));
            }
            last = Some(path);
        }
        if m.files.len() != files_n || m.links.len() != links_n || m.specials.len() != specials_n {
            return Err(Error::Malformed(format!(
                "manifest: the header counts {files_n} files, {links_n} links and {specials_n} special files; the body lists {}, {} and {}",
                m.files.len(),
                m.links.len(),
                m.specials.len()
            )));
        }
        if m.files
            .keys()
            .any(|p| m.links.contains_key(p) || m.specials.contains_key(p))
            || m.links.keys().any(|p| m.specials.contains_key(p))
        {
            return Err(Error::Malformed(
                "manifest: a path listed twice, with two kinds".into(),
            ));
        }
        Ok(m)
    }

    /// What changed from `self` (as signed) to `now`. A format-1 manifest compares regular
    /// files only; the links and special files in `now` go to [`Diff::unchecked`].
    pub fn diff(&self, now: &Manifest) -> Diff {
        let mut d = Diff::default();
        let v1 = self.version == 1;
        for p in self.paths() {
            let same = match (self.node(p), now.node(p)) {
                (_, None) => {
                    d.missing.push(p.clone());
                    continue;
                }
                (Some(Node::File(a)), Some(Node::File(b))) => a == b,
                (Some(Node::Link(a)), Some(Node::Link(b))) => a == b,
                (Some(Node::Special(a)), Some(Node::Special(b))) => a == b,
                // A format-1 manifest's file is now a link or a special file: missing as a file.
                (Some(_), Some(_)) if v1 => {
                    d.missing.push(p.clone());
                    continue;
                }
                _ => false,
            };
            if !same {
                d.changed.push(p.clone());
            }
        }
        for p in now.paths() {
            if self.node(p).is_some() {
                continue;
            }
            if v1 && !now.files.contains_key(p) {
                d.unchecked.push(p.clone());
            } else {
                d.added.push(p.clone());
            }
        }
        for list in [
            &mut d.added,
            &mut d.missing,
            &mut d.changed,
            &mut d.unchecked,
        ] {
            list.sort();
        }
        d
    }
}

fn walk(
    dir: &Path,
    prefix: &str,
    m: &mut Manifest,
    to_hash: &mut Vec<(String, PathBuf)>,
) -> Result<(), Error> {
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
        // The entry itself, never what a link points to.
        let ty = e.file_type().map_err(Error::Io)?;
        if ty.is_dir() {
            walk(&e.path(), &rel, m, to_hash)?;
        } else if ty.is_file() {
            to_hash.push((rel, e.path()));
        } else if ty.is_symlink() {
            let target = std::fs::read_link(e.path()).map_err(Error::Io)?;
            let target = target.to_str().ok_or_else(|| {
                Error::Malformed(format!(
                    "manifest: the target of the link {rel} is not UTF-8"
                ))
            })?;
            m.links.insert(rel, target.to_string());
        } else if let Some(kind) = Special::of(ty) {
            m.specials.insert(rel, kind);
        } else {
            return Err(Error::Malformed(format!(
                "manifest: {rel} is of a kind kagi cannot record"
            )));
        }
    }
    Ok(())
}

/// Hashes `files` on at most one thread per core (and at most [`MAX_WORKERS`]); the result is
/// in the input's order. On an error the workers stop early, and the error of the first
/// failing file in input order is returned, so a run's outcome does not depend on timing.
fn hash_all(files: &[(String, PathBuf)]) -> Result<Vec<(String, Entry)>, Error> {
    let workers = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, MAX_WORKERS)
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<Entry, std::io::Error>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut buf = vec![0u8; 256 * 1024];
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((_, path)) = files.get(i) else {
                        return;
                    };
                    let r = hash_one(path, &mut buf);
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(r);
                    }
                }
            });
        }
    });
    let results = results
        .into_inner()
        .map_err(|_| Error::Io(std::io::Error::other("a hashing thread failed")))?;
    let mut out = Vec::with_capacity(files.len());
    for ((rel, _), r) in files.iter().zip(results) {
        match r {
            Some(Ok(e)) => out.push((rel.clone(), e)),
            Some(Err(e)) => {
                return Err(Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("{rel}: {e}"),
                )));
            }
            // Not reached: a worker failed first on an earlier file, whose error is above.
            None => {
                return Err(Error::Io(std::io::Error::other(format!(
                    "{rel}: not hashed"
                ))));
            }
        }
    }
    Ok(out)
}

fn hash_one(path: &Path, buf: &mut [u8]) -> Result<Entry, std::io::Error> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Hasher::unchecked(HashAlgorithm::Sha256);
    let mut size = 0u64;
    loop {
        let n = match f.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        size += n as u64;
    }
    let mut sha256 = [0u8; 32];
    sha256.copy_from_slice(&h.finish());
    Ok(Entry { size, sha256 })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn entry(size: u64, b: u8) -> Entry {
        Entry {
            size,
            sha256: [b; 32],
        }
    }

    /// Found by fuzzing (`manifest`): a link whose name ended in `\r` printed raw and read
    /// back without it. Every input that parses must print back to the same manifest.
    #[test]
    fn a_name_ending_in_cr_round_trips() {
        let crash = include_str!("../../test-vectors/fuzz/manifest-name-ends-in-cr.txt");
        let m = Manifest::parse(crash).unwrap();
        assert_eq!(Manifest::parse(&m.to_text()).unwrap(), m);

        let mut m = sample();
        m.files.insert("report\r".into(), entry(1, 9));
        m.links.insert("latest\r".into(), "report\r".into());
        let text = m.to_text();
        assert!(!text.contains('\r'), "{text:?}");
        assert_eq!(Manifest::parse(&text).unwrap(), m);
        // A raw `\r` (a manifest written before it was escaped) stays part of the name.
        let raw = text.replace("report\\r\n", "report\r\n");
        assert!(
            Manifest::parse(&raw)
                .unwrap()
                .files
                .contains_key("report\r")
        );
    }

    fn sample() -> Manifest {
        let mut m = Manifest {
            version: 2,
            root: "媒体".into(),
            files: BTreeMap::new(),
            links: BTreeMap::new(),
            specials: BTreeMap::new(),
        };
        m.files.insert("a b/c\\d\ne.txt".into(), entry(3, 7));
        m.files.insert("機密/報告書.pdf".into(), entry(0, 0));
        m.links
            .insert("to passwd".into(), "/etc/pass  wd\\x\n".into());
        m.links.insert("rel".into(), "../a b".into());
        m.specials.insert("pipe".into(), Special::Fifo);
        m
    }

    #[test]
    fn text_round_trips_odd_names_links_and_special_files() {
        let m = sample();
        assert_eq!(Manifest::parse(&m.to_text()).unwrap(), m);
        let mut t = m.to_text();
        t.push_str(&format!("{}  1  extra\n", hex::encode([1u8; 32])));
        assert!(Manifest::parse(&t).is_err(), "file after links");
        let t = m.to_text().replace("special: 1", "special: 2");
        assert!(Manifest::parse(&t).is_err(), "count mismatch");
        let t = m.to_text().replace("kagi-manifest 2", "kagi-manifest 3");
        let e = Manifest::parse(&t).unwrap_err().to_string();
        assert!(e.contains("formats 1 and 2"), "{e}");
    }

    #[test]
    fn format_1_is_read_and_prints_back_as_format_1() {
        let t = format!(
            "kagi-manifest 1\nroot: r\nfiles: 1\n{}  5  a.txt\n",
            hex::encode([9u8; 32])
        );
        let m = Manifest::parse(&t).unwrap();
        assert_eq!(m.version, 1);
        assert_eq!(m.to_text(), t);
        // `link` is not a keyword in format 1.
        let t1 = "kagi-manifest 1\nroot: r\nfiles: 1\nlink  x  y\n";
        assert!(Manifest::parse(t1).is_err());
    }

    #[test]
    fn links_added_removed_retargeted_and_special_files_are_differences() {
        let signed = sample();
        let mut now = sample();
        assert!(signed.diff(&now).is_empty());
        now.links.insert("rel".into(), "/etc/shadow".into());
        now.links.insert("new".into(), "/etc/passwd".into());
        now.links.remove("to passwd");
        now.specials.insert("dev".into(), Special::BlockDevice);
        now.files.remove("機密/報告書.pdf").unwrap();
        now.links.insert("機密/報告書.pdf".into(), "/tmp/x".into());
        let d = signed.diff(&now);
        assert_eq!(d.added, ["dev", "new"]);
        assert_eq!(d.missing, ["to passwd"]);
        assert_eq!(d.changed, ["rel", "機密/報告書.pdf"]);
        // Format 1: links and special files are neither matched nor mismatched; a file that
        // became a link is missing.
        let mut v1 = sample();
        v1.version = 1;
        v1.links.clear();
        v1.specials.clear();
        let d = v1.diff(&now);
        assert_eq!(d.missing, ["機密/報告書.pdf"]);
        assert!(d.added.is_empty() && d.changed.is_empty());
        assert_eq!(d.unchecked, ["dev", "new", "pipe", "rel"]);
    }

    #[test]
    fn the_pool_hashes_every_file_in_order_and_reports_the_first_failure() {
        let dir = std::env::temp_dir().join(format!("kagi-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut files = Vec::new();
        for i in 0..300 {
            let p = dir.join(format!("f{i:03}"));
            let data = vec![(i % 251) as u8; i * 97];
            std::fs::write(&p, &data).unwrap();
            files.push((format!("f{i:03}"), p, data));
        }
        let list: Vec<_> = files
            .iter()
            .map(|(r, p, _)| (r.clone(), p.clone()))
            .collect();
        let got = hash_all(&list).unwrap();
        assert_eq!(got.len(), 300);
        for ((rel, e), (r, _, data)) in got.iter().zip(&files) {
            assert_eq!(rel, r);
            assert_eq!(e.size, data.len() as u64);
            let want = crate::hash::digest_unchecked(HashAlgorithm::Sha256, data);
            assert_eq!(e.sha256.as_slice(), want.as_slice());
        }
        let mut broken = list.clone();
        broken[120].1 = dir.join("gone");
        let e = hash_all(&broken).unwrap_err().to_string();
        assert!(e.contains("f120"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
