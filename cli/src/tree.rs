//! Directory trees inside an envelope (a tar stream): what `kagi encrypt` puts in, what
//! `kagi decrypt` accepts, and how it unpacks it.
//!
//! A tree holds regular files, directories, symbolic links and hard links to files of the same
//! tree; nothing else. Decrypting checks every entry of the (already authenticated) stream
//! before anything is created: a device, FIFO or socket entry, an absolute path, a `..`
//! component, an entry under a symbolic link or a file, a name used twice, or a hard link to
//! anything but an earlier file of the tree fails the whole decrypt. Modes keep their
//! permission bits only: setuid, setgid and sticky bits are cleared. Owners are not restored.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use crate::files::kind_of;
use crate::output::CliError;

/// The permission bits kept from a tree entry's mode.
const PERMISSIONS: u32 = 0o777;

/// What a directory tree to encrypt holds that kagi will not carry, or will carry without its
/// special mode bits.
#[derive(Debug, Default)]
pub struct SourceCheck {
    /// Entries with setuid, setgid or sticky bits (they are not restored on decrypt).
    pub special_bits: Vec<String>,
    /// Symbolic links whose target is outside the tree (absolute, or climbing above its
    /// root): carried as links, not as what they point to (`path → target`).
    pub outside_links: Vec<String>,
}

/// Whether a link at `rel` (relative to the tree's root) pointing to `target` leaves the tree.
fn leaves_tree(rel: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return true;
    }
    // Depth of the directory holding the link, then walk the target.
    let mut depth = rel.components().count() as i64 - 1;
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// Walks a tree before it is encrypted: a device, FIFO or socket in it is refused (it cannot
/// be carried and decrypt would refuse it), naming the first few.
pub fn check_source(root: &Path) -> Result<SourceCheck, CliError> {
    let mut refused = Vec::new();
    let mut check = SourceCheck::default();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| CliError::File {
            path: dir.clone(),
            source: e,
        })?;
        for e in entries {
            let e = e.map_err(|e| CliError::File {
                path: dir.clone(),
                source: e,
            })?;
            let path = e.path();
            let md = fs::symlink_metadata(&path).map_err(|e| CliError::File {
                path: path.clone(),
                source: e,
            })?;
            let ft = md.file_type();
            if ft.is_dir() {
                stack.push(path.clone());
            } else if !ft.is_file() && !ft.is_symlink() {
                refused.push(format!("{} ({})", path.display(), kind_of(ft)));
            }
            if ft.is_symlink() {
                let target = fs::read_link(&path).map_err(|e| CliError::File {
                    path: path.clone(),
                    source: e,
                })?;
                let rel = path.strip_prefix(root).unwrap_or(&path);
                if leaves_tree(rel, &target) {
                    check
                        .outside_links
                        .push(format!("{} → {}", path.display(), target.display()));
                }
            }
            if !ft.is_symlink() && md.mode() & 0o7000 != 0 {
                check.special_bits.push(path.display().to_string());
            }
        }
    }
    if !refused.is_empty() {
        refused.sort();
        let more = if refused.len() > 3 {
            format!(" and {} more", refused.len() - 3)
        } else {
            String::new()
        };
        refused.truncate(3);
        return Err(CliError::Msg(format!(
            "{}: holds {}{more}; a tree may hold only regular files, directories and symbolic links (remove them or encrypt a copy without them)",
            root.display(),
            refused.join(", ")
        )));
    }
    check.special_bits.sort();
    check.outside_links.sort();
    Ok(check)
}

/// Whether a tree may be unpacked at `dest`: a new directory, or an existing empty one.
/// Anything else is refused whatever the flags: kagi never deletes what it did not create.
pub fn check_output(dest: &Path) -> Result<(), CliError> {
    check_output_but(dest, &[])
}

/// [`check_output`], counting as empty a directory that holds only kagi's own staging entries
/// `ours` (hidden names it made inside `dest` for this decrypt).
pub fn check_output_but(dest: &Path, ours: &[&Path]) -> Result<(), CliError> {
    match fs::symlink_metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CliError::File {
            path: dest.to_path_buf(),
            source: e,
        }),
        Ok(md) if md.file_type().is_dir() => {
            let empty = fs::read_dir(dest)
                .map_err(|e| CliError::File {
                    path: dest.to_path_buf(),
                    source: e,
                })?
                .find(|e| {
                    e.as_ref()
                        .map_or(true, |e| !ours.iter().any(|o| *o == e.path()))
                })
                .is_none();
            if empty {
                Ok(())
            } else {
                Err(CliError::Msg(format!(
                    "{}: a directory that is not empty; a tree unpacks only into a new or an empty directory, and kagi never deletes what is there (--force does not change this)",
                    dest.display()
                )))
            }
        }
        Ok(md) => Err(CliError::Msg(format!(
            "{}: {}; a tree unpacks only into a new or an empty directory",
            dest.display(),
            kind_of(md.file_type())
        ))),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    Symlink(PathBuf),
    HardLink(PathBuf),
}

/// One checked entry.
#[derive(Debug)]
struct Item {
    /// Relative, with only normal components; empty for the tree's root.
    path: PathBuf,
    kind: Kind,
    mode: u32,
    mtime: u64,
}

/// A tree's entries, every one checked.
#[derive(Debug)]
pub struct Plan {
    items: Vec<Item>,
}

/// A path inside the tree: relative, with only normal (and `.`) components.
fn inside(p: &Path, what: &str) -> Result<PathBuf, String> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!("{what} {} has a `..` component", p.display()));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("{what} {} is an absolute path", p.display()));
            }
        }
    }
    Ok(out)
}

/// Reads every header of the tar stream in `file` and checks it (see the module
/// documentation); nothing is created. The error says which entry and why.
pub fn plan(file: &mut File) -> Result<Plan, String> {
    file.seek(io::SeekFrom::Start(0))
        .map_err(|e| format!("reading the tree: {e}"))?;
    let mut archive = tar::Archive::new(file);
    let mut items = Vec::new();
    let mut seen: BTreeMap<PathBuf, Kind> = BTreeMap::new();
    let entries = archive
        .entries_with_seek()
        .map_err(|e| format!("reading the tree: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading the tree: {e}"))?;
        let header = entry.header();
        let raw = entry
            .path()
            .map_err(|e| format!("reading the tree: an entry's name: {e}"))?
            .into_owned();
        let path = inside(&raw, "entry")?;
        let link = || -> Result<PathBuf, String> {
            entry
                .link_name()
                .map_err(|e| format!("reading the tree: {e}"))?
                .map(|l| l.into_owned())
                .ok_or_else(|| format!("entry {} is a link without a target", raw.display()))
        };
        let kind = match header.entry_type() {
            tar::EntryType::Regular => Kind::File,
            tar::EntryType::Directory => Kind::Dir,
            tar::EntryType::Symlink => Kind::Symlink(link()?),
            tar::EntryType::Link => {
                let target = inside(&link()?, "hard link target")?;
                if seen.get(&target) != Some(&Kind::File) {
                    return Err(format!(
                        "entry {} is a hard link to {}, which is not a file earlier in the tree",
                        raw.display(),
                        target.display()
                    ));
                }
                Kind::HardLink(target)
            }
            tar::EntryType::XGlobalHeader => continue,
            other => {
                let what = match other {
                    tar::EntryType::Char => "a character device".to_string(),
                    tar::EntryType::Block => "a block device".to_string(),
                    tar::EntryType::Fifo => "a FIFO".to_string(),
                    other => format!("of tar type {:?}", other.as_byte() as char),
                };
                return Err(format!(
                    "entry {} is {what}; a tree holds only regular files, directories and links",
                    raw.display()
                ));
            }
        };
        if path.as_os_str().is_empty() {
            if kind != Kind::Dir {
                return Err(format!("entry {} names the tree's root", raw.display()));
            }
        } else {
            for a in path.ancestors().skip(1) {
                if let Some(k) = seen.get(a)
                    && *k != Kind::Dir
                {
                    return Err(format!(
                        "entry {} lies under {}, which is not a directory",
                        raw.display(),
                        a.display()
                    ));
                }
            }
            if seen.insert(path.clone(), kind.clone()).is_some() {
                return Err(format!("entry {} appears twice", raw.display()));
            }
        }
        items.push(Item {
            path,
            kind,
            mode: header
                .mode()
                .map_err(|e| format!("reading the tree: {e}"))?
                & PERMISSIONS,
            mtime: header.mtime().unwrap_or(0),
        });
    }
    Ok(Plan { items })
}

impl Plan {
    /// Unpacks the checked stream in `file` into `root`, a new empty directory of ours.
    /// Directories get their modes and times last, so a read-only one can still be filled.
    pub fn unpack(&self, file: &mut File, root: &Path) -> io::Result<u64> {
        file.seek(io::SeekFrom::Start(0))?;
        let mut archive = tar::Archive::new(file);
        let mut items = self.items.iter();
        let mut dirs = Vec::new();
        let mut files = 0u64;
        for entry in archive.entries_with_seek()? {
            let mut entry = entry?;
            if entry.header().entry_type() == tar::EntryType::XGlobalHeader {
                continue;
            }
            let item = items
                .next()
                .ok_or_else(|| io::Error::other("the tree changed between two reads"))?;
            let at = root.join(&item.path);
            let time = UNIX_EPOCH + Duration::from_secs(item.mtime);
            match &item.kind {
                Kind::Dir => {
                    if !item.path.as_os_str().is_empty() {
                        match fs::DirBuilder::new().create(&at) {
                            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                            r => r?,
                        }
                    }
                    dirs.push((at, item.mode, time));
                }
                Kind::File => {
                    if let Some(parent) = at.parent() {
                        fs::create_dir_all(parent)?;
                    }
                    let mut out = OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(&at)?;
                    io::copy(&mut entry, &mut out)?;
                    out.set_permissions(fs::Permissions::from_mode(item.mode))?;
                    out.set_modified(time)?;
                    files += 1;
                }
                Kind::Symlink(target) => {
                    if let Some(parent) = at.parent() {
                        fs::create_dir_all(parent)?;
                    }
                    std::os::unix::fs::symlink(target, &at)?;
                }
                Kind::HardLink(target) => {
                    if let Some(parent) = at.parent() {
                        fs::create_dir_all(parent)?;
                    }
                    fs::hard_link(root.join(target), &at)?;
                }
            }
        }
        for (at, mode, time) in dirs.iter().rev() {
            File::open(at)?.set_modified(*time)?;
            fs::set_permissions(at, fs::Permissions::from_mode(*mode))?;
        }
        Ok(files)
    }
}

/// Writes the tree at `root` as a tar stream to `out`, reading every entry through a
/// descriptor opened relative to its directory with `O_NOFOLLOW`: an entry swapped for a
/// symbolic link, a FIFO or a device between the walk and the read makes the run fail, and
/// nothing outside the tree is ever read through a link.
pub fn pack<W: std::io::Write>(root: &Path, out: W) -> io::Result<W> {
    use rustix::fs::{Mode, OFlags};
    let mut b = tar::Builder::new(out);
    b.mode(tar::HeaderMode::Complete);
    b.follow_symlinks(false);
    let fd = rustix::fs::open(
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let md = File::from(fd.try_clone()?).metadata()?;
    let mut h = tar::Header::new_gnu();
    h.set_metadata_in_mode(&md, tar::HeaderMode::Complete);
    b.append_data(&mut h, ".", io::empty())?;
    pack_dir(&mut b, &fd, Path::new("."))?;
    b.into_inner()
}

fn changed(rel: &Path, why: &str) -> io::Error {
    io::Error::other(format!(
        "{} {why} while it was being read; nothing was encrypted",
        rel.display()
    ))
}

fn pack_dir<W: std::io::Write>(
    b: &mut tar::Builder<W>,
    dirfd: &std::os::fd::OwnedFd,
    rel: &Path,
) -> io::Result<()> {
    use rustix::fs::{AtFlags, FileType, Mode, OFlags};
    let mut names = Vec::new();
    for e in rustix::fs::Dir::read_from(dirfd)? {
        let e = e?;
        let n = e.file_name().to_bytes();
        if n != b"." && n != b".." {
            names.push(std::ffi::OsStr::from_bytes(n).to_os_string());
        }
    }
    names.sort();
    for name in names {
        let path = rel.join(&name);
        let st = rustix::fs::statat(dirfd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW)?;
        match FileType::from_raw_mode(st.st_mode) {
            FileType::Directory => {
                let fd = rustix::fs::openat(
                    dirfd,
                    name.as_os_str(),
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|_| changed(&path, "stopped being a directory"))?;
                let md = File::from(fd.try_clone()?).metadata()?;
                if md.ino() != st.st_ino {
                    return Err(changed(&path, "was replaced"));
                }
                let mut h = tar::Header::new_gnu();
                h.set_metadata_in_mode(&md, tar::HeaderMode::Complete);
                b.append_data(&mut h, &path, io::empty())?;
                pack_dir(b, &fd, &path)?;
            }
            FileType::RegularFile => {
                let fd = rustix::fs::openat(
                    dirfd,
                    name.as_os_str(),
                    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|_| changed(&path, "stopped being a regular file"))?;
                let file = File::from(fd);
                let md = file.metadata()?;
                if !md.is_file() || md.ino() != st.st_ino {
                    return Err(changed(&path, "was replaced"));
                }
                let mut h = tar::Header::new_gnu();
                h.set_metadata_in_mode(&md, tar::HeaderMode::Complete);
                // Exactly the size recorded: a file that shrinks meanwhile fails (one that
                // grows is cut at the size the header gives).
                let mut body = Exact {
                    inner: io::Read::take(&file, md.len()),
                    left: md.len(),
                    path: &path,
                };
                b.append_data(&mut h, &path, &mut body)?;
            }
            FileType::Symlink => {
                let target = rustix::fs::readlinkat(dirfd, name.as_os_str(), Vec::new())?;
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                h.set_mode(0o777);
                h.set_mtime(u64::try_from(st.st_mtime).unwrap_or(0));
                h.set_uid(u64::from(st.st_uid));
                h.set_gid(u64::from(st.st_gid));
                b.append_link(
                    &mut h,
                    &path,
                    std::ffi::OsStr::from_bytes(target.to_bytes()),
                )?;
            }
            _ => return Err(changed(&path, "became a device, FIFO or socket")),
        }
    }
    Ok(())
}

/// A reader that fails if its input ends before `left` bytes.
struct Exact<'a, R> {
    inner: R,
    left: u64,
    path: &'a Path,
}

impl<R: io::Read> io::Read for Exact<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(changed(self.path, "shrank"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn links_that_leave_the_tree_are_told_apart() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert!(super::leaves_tree(&p("a"), &p("/etc")));
        assert!(super::leaves_tree(&p("a"), &p("../x")));
        assert!(super::leaves_tree(&p("d/a"), &p("../../x")));
        assert!(super::leaves_tree(&p("d/a"), &p("e/../../../x")));
        assert!(!super::leaves_tree(&p("d/a"), &p("../x")));
        assert!(!super::leaves_tree(&p("a"), &p("d/e/../f")));
        assert!(!super::leaves_tree(&p("a"), &p("./b")));
    }

    fn archive(build: impl FnOnce(&mut tar::Builder<&mut File>)) -> File {
        let mut f = tempfile();
        {
            let mut b = tar::Builder::new(&mut f);
            build(&mut b);
            b.finish().unwrap();
        }
        f
    }

    fn tempfile() -> File {
        let p = std::env::temp_dir().join(format!(
            "kagi-tree-{}-{}",
            std::process::id(),
            hex::encode(crypto_core::rand::array::<8>().unwrap())
        ));
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&p)
            .unwrap();
        fs::remove_file(&p).unwrap();
        f
    }

    fn header(kind: tar::EntryType, mode: u32) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(0);
        h
    }

    /// Writes a name into the raw header field, bypassing the builder's own checks (an
    /// attacker builds tar streams by hand).
    fn raw_name(h: &mut tar::Header, name: &str) {
        let field = &mut h.as_old_mut().name;
        field.fill(0);
        field[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
    }

    fn append_raw(b: &mut tar::Builder<&mut File>, kind: tar::EntryType, name: &str, link: &str) {
        let mut h = header(kind, 0o644);
        raw_name(&mut h, name);
        if !link.is_empty() {
            let field = &mut h.as_old_mut().linkname;
            field.fill(0);
            field[..link.len()].copy_from_slice(link.as_bytes());
            h.set_cksum();
        }
        b.append(&h, io::empty()).unwrap();
    }

    fn refused(build: impl FnOnce(&mut tar::Builder<&mut File>), why: &str) {
        let mut f = archive(build);
        let e = plan(&mut f).unwrap_err();
        assert!(e.contains(why), "{e}");
    }

    #[test]
    fn every_hostile_entry_is_refused_with_its_reason() {
        refused(
            |b| append_raw(b, tar::EntryType::Char, "null", ""),
            "character device",
        );
        refused(
            |b| append_raw(b, tar::EntryType::Block, "sda", ""),
            "block device",
        );
        refused(|b| append_raw(b, tar::EntryType::Fifo, "p", ""), "FIFO");
        refused(
            |b| append_raw(b, tar::EntryType::Regular, "/etc/x", ""),
            "absolute path",
        );
        refused(
            |b| append_raw(b, tar::EntryType::Regular, "a/../../x", ""),
            "`..`",
        );
        refused(
            |b| append_raw(b, tar::EntryType::Link, "h", "../outside"),
            "`..`",
        );
        refused(
            |b| append_raw(b, tar::EntryType::Link, "h", "/etc/shadow"),
            "absolute path",
        );
        refused(
            |b| append_raw(b, tar::EntryType::Link, "h", "never-seen"),
            "not a file earlier",
        );
        refused(
            |b| {
                append_raw(b, tar::EntryType::Symlink, "l", "/etc");
                append_raw(b, tar::EntryType::Regular, "l/passwd", "");
            },
            "not a directory",
        );
        refused(
            |b| {
                append_raw(b, tar::EntryType::Symlink, "l", "/etc");
                append_raw(b, tar::EntryType::Link, "h", "l");
            },
            "not a file earlier",
        );
        refused(
            |b| {
                append_raw(b, tar::EntryType::Regular, "f", "");
                append_raw(b, tar::EntryType::Symlink, "f", "/etc/passwd");
            },
            "appears twice",
        );
    }

    #[test]
    fn pack_records_links_as_links_and_refuses_what_is_not_a_file() {
        let root = std::env::temp_dir().join(format!(
            "kagi-pack-{}-{}",
            std::process::id(),
            hex::encode(crypto_core::rand::array::<8>().unwrap())
        ));
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.txt"), b"abc").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("pw")).unwrap();
        let mut f = tempfile();
        pack(&root, &mut f).unwrap();
        let p = plan(&mut f).unwrap();
        let kinds: Vec<(String, Kind)> = p
            .items
            .iter()
            .map(|i| (i.path.display().to_string(), i.kind.clone()))
            .collect();
        assert!(kinds.contains(&("pw".into(), Kind::Symlink("/etc/passwd".into()))));
        let check = check_source(&root).unwrap();
        assert_eq!(check.outside_links.len(), 1, "{:?}", check.outside_links);
        assert!(check.outside_links[0].ends_with("pw → /etc/passwd"));
        assert!(kinds.contains(&("sub/a.txt".into(), Kind::File)));
        // A FIFO in the tree: packing fails, naming it.
        rustix::fs::mknodat(
            rustix::fs::CWD,
            root.join("sub/p"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = pack(&root, Vec::new()).unwrap_err();
        assert!(e.to_string().contains("sub/p"), "{e}");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn special_mode_bits_are_cleared_and_a_plain_tree_unpacks() {
        let mut f = archive(|b| {
            let mut h = header(tar::EntryType::Directory, 0o755);
            raw_name(&mut h, "./");
            b.append(&h, io::empty()).unwrap();
            let mut h = header(tar::EntryType::Regular, 0o4755);
            h.set_size(3);
            raw_name(&mut h, "./sub/suid");
            b.append(&h, &b"abc"[..]).unwrap();
            append_raw(b, tar::EntryType::Link, "./hard", "sub/suid");
            append_raw(b, tar::EntryType::Symlink, "./ln", "/etc/passwd");
        });
        let p = plan(&mut f).unwrap();
        let root = std::env::temp_dir().join(format!(
            "kagi-tree-out-{}-{}",
            std::process::id(),
            hex::encode(crypto_core::rand::array::<8>().unwrap())
        ));
        fs::create_dir(&root).unwrap();
        assert_eq!(p.unpack(&mut f, &root).unwrap(), 1);
        let md = fs::metadata(root.join("sub/suid")).unwrap();
        assert_eq!(md.mode() & 0o7777, 0o755);
        assert_eq!(fs::read(root.join("hard")).unwrap(), b"abc");
        assert_eq!(
            fs::read_link(root.join("ln")).unwrap(),
            Path::new("/etc/passwd")
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
