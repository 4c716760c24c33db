//! Whether a target may be erased. A block device is refused when it (or a partition of it)
//! is mounted, is active swap, has holders (LVM, md, dm-crypt), is read-only, or — for a loop
//! device — when its backing file is also behind another loop device that is in use. The
//! running root and boot file systems are mounted, so they are caught by the first rule. A
//! regular file is refused when it backs a loop device, is an active swap file, or is open for
//! writing by another process.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::discover::{self, BlockDevice};

/// A file's identity on this machine: (device number, inode).
type FileId = (u64, u64);

fn file_id(path: &Path) -> std::io::Result<FileId> {
    let md = std::fs::metadata(path)?;
    Ok((md.dev(), md.ino()))
}

/// Why `dev` must not be erased, or `None` if it may be. A mount or swap table that cannot be
/// read is itself a refusal: erase never guesses that a device is free.
pub fn refusal(dev: &BlockDevice) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo");
    let swaps = std::fs::read_to_string("/proc/swaps");
    let own = refusal_given(dev, clone(&mounts), clone(&swaps));
    if own.is_some() {
        return own;
    }
    // A loop device attached over this device (or one of its partitions) serves what is on
    // it, like a holder: erasing would destroy that.
    if let Some(why) = layered_loop(dev) {
        return Some(why);
    }
    // A loop device (or a partition of one) shares its backing file with every other loop
    // device over the same file: erasing it destroys what they serve.
    let whole = dev
        .partition_of
        .as_deref()
        .and_then(|p| p.strip_prefix("/dev/"))
        .unwrap_or(&dev.name);
    if !whole.starts_with("loop") {
        return None;
    }
    let all = loops();
    let mine = match all.iter().find(|(n, _)| n == whole) {
        Some((_, Ok(id))) => *id,
        Some((_, Err(why))) => {
            return Some(format!(
                "cannot tell which file is behind /dev/{whole}, so not whether other loop devices share it: {why}"
            ));
        }
        None => return None,
    };
    for (other, backing) in &all {
        if other == whole {
            continue;
        }
        match backing {
            Ok(id) if *id == mine => {
                if let Some(d) = discover::device_unjudged(other)
                    && let Some(why) = refusal_given(&d, clone(&mounts), clone(&swaps))
                {
                    return Some(format!(
                        "its backing file is also behind /dev/{other}, and {why}"
                    ));
                }
            }
            Err(why) => {
                return Some(format!(
                    "cannot tell whether /dev/{other} shares its backing file: {why}"
                ));
            }
            Ok(_) => {}
        }
    }
    None
}

/// A loop device whose backing file is this block device or one of its partitions.
fn layered_loop(dev: &BlockDevice) -> Option<String> {
    use std::os::unix::fs::FileTypeExt;
    let mut ours = vec![dev.dev.clone()];
    ours.extend(dev.partitions.iter().map(|p| p.dev.clone()));
    for (name, shown) in bound_loops() {
        let Ok(md) = std::fs::metadata(&shown) else {
            continue;
        };
        if !md.file_type().is_block_device() {
            continue;
        }
        let rdev = md.rdev();
        let devno = format!("{}:{}", rustix::fs::major(rdev), rustix::fs::minor(rdev));
        if ours.contains(&devno) {
            return Some(format!(
                "/dev/{name} is attached over it (its backing file is {shown}): detach it first (losetup -d /dev/{name})"
            ));
        }
    }
    None
}

fn clone(r: &std::io::Result<String>) -> std::io::Result<String> {
    match r {
        Ok(s) => Ok(s.clone()),
        Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
    }
}

/// Every bound loop device: its kernel name and the identity of the file behind it (from
/// `LOOP_GET_STATUS64`, or the path sysfs shows), or why that could not be told.
fn loops() -> Vec<(String, Result<FileId, String>)> {
    bound_loops()
        .into_iter()
        .map(|(name, shown)| {
            let by_ioctl = std::fs::File::open(format!("/dev/{name}"))
                .and_then(|f| crate::sys::loop_backing(&f));
            let id = by_ioctl.or_else(|e| {
                file_id(Path::new(shown.trim_end_matches(" (deleted)"))).map_err(|_| e)
            });
            (name, id.map_err(|e| e.to_string()))
        })
        .collect()
}

/// Every loop device with something bound to it, and the backing path sysfs shows for it,
/// sorted by name.
fn bound_loops() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir("/sys/block")
        .map(|it| {
            it.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with("loop"))
                .filter_map(|e| {
                    let shown = std::fs::read_to_string(e.path().join("loop/backing_file")).ok()?;
                    Some((
                        e.file_name().to_string_lossy().into_owned(),
                        shown.trim_end().to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// What identifies the file behind a loop device (or the loop device a partition is on): its
/// `major:minor:inode` and, when its path still names it, its size.
pub fn loop_backing(dev: &BlockDevice) -> Option<(String, Option<u64>)> {
    let whole = dev
        .partition_of
        .as_deref()
        .and_then(|p| p.strip_prefix("/dev/"))
        .unwrap_or(&dev.name);
    let (_, id) = loops().into_iter().find(|(n, _)| n == whole)?;
    let (d, ino) = id.ok()?;
    let size = dev
        .backing_file
        .as_deref()
        .and_then(|p| std::fs::metadata(p.trim_end_matches(" (deleted)")).ok())
        .filter(|md| (md.dev(), md.ino()) == (d, ino))
        .map(|md| md.len());
    Some((
        format!("{}:{}:{ino}", rustix::fs::major(d), rustix::fs::minor(d)),
        size,
    ))
}

/// Why the regular file at `path` must not be erased, or `None` if it may be: it backs a loop
/// device, is an active swap file, or another process has it open for writing (as far as
/// `/proc` shows).
pub fn file_refusal(path: &Path) -> Option<String> {
    let name = path.display();
    let id = match file_id(path) {
        Ok(id) => id,
        Err(e) => return Some(format!("cannot examine {name}: {e}")),
    };
    for (dev, backing) in loops() {
        match backing {
            Ok(b) if b == id => {
                let state = discover::device(&dev)
                    .and_then(|d| d.refused)
                    .map(|why| format!(" ({why})"))
                    .unwrap_or_default();
                return Some(format!(
                    "{name} is the backing file of /dev/{dev}{state}: erasing it would destroy what the loop device serves; detach it first (losetup -d /dev/{dev})"
                ));
            }
            Err(why) => {
                return Some(format!(
                    "cannot tell whether {name} is the backing file of /dev/{dev}: {why}"
                ));
            }
            Ok(_) => {}
        }
    }
    let swaps = match std::fs::read_to_string("/proc/swaps") {
        Ok(s) => s,
        Err(e) => {
            return Some(format!(
                "cannot read /proc/swaps to tell whether {name} is an active swap file: {e}"
            ));
        }
    };
    for line in swaps.lines().skip(1) {
        let p = unescape_octal(line.split_whitespace().next().unwrap_or(""));
        if file_id(Path::new(&p)).ok() == Some(id) {
            return Some(format!("{name} is an active swap file (swapoff it first)"));
        }
    }
    if let Some((pid, comm)) = writer(id) {
        return Some(format!(
            "{name} is open for writing by process {pid} ({comm}): stop it first"
        ));
    }
    None
}

/// `/proc/swaps` and `/proc/mounts` write a space, tab, newline and backslash as `\040` etc.
fn unescape_octal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = b[i + 1..i + 4]
                .iter()
                .fold(0u32, |v, c| v * 8 + u32::from(c - b'0'));
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Another process that has the file `id` open for writing, as `/proc/PID/fd` and `fdinfo`
/// show it (processes whose descriptors this user cannot see are not seen).
fn writer(id: FileId) -> Option<(u32, String)> {
    let me = std::process::id();
    for p in std::fs::read_dir("/proc").ok()?.filter_map(|e| e.ok()) {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        for fd in fds.filter_map(|e| e.ok()) {
            if file_id(&fd.path()).ok() != Some(id) {
                continue;
            }
            let info = std::fs::read_to_string(p.path().join("fdinfo").join(fd.file_name()))
                .unwrap_or_default();
            let flags = info
                .lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
            // O_WRONLY = 1, O_RDWR = 2; an unreadable fdinfo counts as writing.
            if flags.is_none_or(|f| f & 3 != 0) {
                let comm = std::fs::read_to_string(p.path().join("comm"))
                    .map(|c| c.trim().to_string())
                    .unwrap_or_else(|_| "?".into());
                return Some((pid, comm));
            }
        }
    }
    None
}

/// [`refusal`] against the given contents of `/proc/self/mountinfo` and `/proc/swaps`.
fn refusal_given(
    dev: &BlockDevice,
    mounts: std::io::Result<String>,
    swaps: std::io::Result<String>,
) -> Option<String> {
    let mounts = match mounts {
        Ok(m) => m,
        Err(e) => {
            return Some(format!(
                "cannot read /proc/self/mountinfo to tell whether /dev/{} is mounted: {e}",
                dev.name
            ));
        }
    };
    let swaps = match swaps {
        Ok(s) => s,
        Err(e) => {
            return Some(format!(
                "cannot read /proc/swaps to tell whether /dev/{} is active swap: {e}",
                dev.name
            ));
        }
    };
    let mut all = vec![(dev.name.clone(), dev.dev.clone(), dev.holders.clone())];
    for p in &dev.partitions {
        all.push((p.name.clone(), p.dev.clone(), p.holders.clone()));
    }
    if dev.read_only {
        return Some(format!(
            "/dev/{} is read-only (the kernel marks it so): nothing could be written",
            dev.name
        ));
    }
    for (name, devno, holders) in &all {
        if devno.is_empty() {
            return Some(format!(
                "cannot read the device number of /dev/{name} to tell whether it is mounted"
            ));
        }
        for line in mounts.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            if f.get(2) == Some(&devno.as_str()) {
                let at = f.get(4).copied().unwrap_or("?");
                return Some(format!("/dev/{name} is mounted at {at}"));
            }
        }
        for line in swaps.lines().skip(1) {
            let path = line.split_whitespace().next().unwrap_or("");
            if path == format!("/dev/{name}")
                || std::fs::canonicalize(path).ok().as_deref()
                    == Some(Path::new(&format!("/dev/{name}")))
            {
                return Some(format!("/dev/{name} is active swap"));
            }
        }
        if !holders.is_empty() {
            return Some(format!(
                "/dev/{name} is held by {} (LVM, md or dm-crypt): release it first",
                holders.join(", ")
            ));
        }
    }
    None
}

/// The device or partition for a path (`/dev/loop3`), or the reason it is refused.
pub fn check(path: &Path) -> Result<BlockDevice, crate::Error> {
    let name = path.display().to_string();
    let dev = discover::find(path).ok_or_else(|| {
        crate::Error::Invalid(format!(
            "{name}: not a block device or partition kagi can see in /sys/class/block"
        ))
    })?;
    if let Some(why) = refusal(&dev) {
        return Err(crate::Error::Refused(name, why));
    }
    Ok(dev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Partition;

    fn disk() -> BlockDevice {
        BlockDevice {
            name: "sdz".into(),
            path: "/dev/sdz".into(),
            dev: "8:240".into(),
            size: 1 << 30,
            model: None,
            serial: None,
            wwn: None,
            logical_sector: 512,
            physical_sector: 512,
            rotational: false,
            removable: false,
            transport: "sata".into(),
            backing_file: None,
            read_only: false,
            partitions: vec![Partition {
                name: "sdz1".into(),
                dev: "8:241".into(),
                size: 1 << 29,
                holders: vec![],
            }],
            holders: vec![],
            partition_of: None,
            start: None,
            refused: None,
        }
    }

    const MOUNTS: &str = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
    const SWAPS: &str = "Filename\tType\tSize\tUsed\tPriority\n";

    #[test]
    fn swap_paths_are_unescaped_as_the_kernel_escapes_them() {
        assert_eq!(
            unescape_octal(r"/srv/my\040swap\011file"),
            "/srv/my swap\tfile"
        );
        assert_eq!(unescape_octal(r"/a\134b"), r"/a\b");
        assert_eq!(unescape_octal(r"/end\04"), r"/end\04");
    }

    #[test]
    fn a_read_only_device_is_refused() {
        let mut ro = disk();
        ro.read_only = true;
        let why = refusal_given(&ro, Ok(MOUNTS.into()), Ok(SWAPS.into())).unwrap();
        assert!(why.contains("read-only"), "{why}");
    }

    #[test]
    fn a_free_device_may_be_erased() {
        assert_eq!(
            refusal_given(&disk(), Ok(MOUNTS.into()), Ok(SWAPS.into())),
            None
        );
    }

    #[test]
    fn a_mounted_partition_refuses_the_whole_device() {
        let mounts = format!("{MOUNTS}40 22 8:241 / /mnt/data rw - ext4 /dev/sdz1 rw\n");
        let why = refusal_given(&disk(), Ok(mounts), Ok(SWAPS.into())).unwrap();
        assert_eq!(why, "/dev/sdz1 is mounted at /mnt/data");
    }

    #[test]
    fn active_swap_and_holders_refuse() {
        let swaps = format!("{SWAPS}/dev/sdz\tpartition\t1024\t0\t-2\n");
        let why = refusal_given(&disk(), Ok(MOUNTS.into()), Ok(swaps)).unwrap();
        assert_eq!(why, "/dev/sdz is active swap");
        let mut held = disk();
        held.partitions[0].holders = vec!["dm-0".into()];
        let why = refusal_given(&held, Ok(MOUNTS.into()), Ok(SWAPS.into())).unwrap();
        assert!(why.starts_with("/dev/sdz1 is held by dm-0"), "{why}");
    }

    #[test]
    fn unreadable_tables_refuse_rather_than_guess() {
        let gone = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let why = refusal_given(&disk(), Err(gone()), Ok(SWAPS.into())).unwrap();
        assert!(why.starts_with("cannot read /proc/self/mountinfo"), "{why}");
        let why = refusal_given(&disk(), Ok(MOUNTS.into()), Err(gone())).unwrap();
        assert!(why.starts_with("cannot read /proc/swaps"), "{why}");
        let mut unknown = disk();
        unknown.partitions[0].dev = String::new();
        let why = refusal_given(&unknown, Ok(MOUNTS.into()), Ok(SWAPS.into())).unwrap();
        assert!(
            why.starts_with("cannot read the device number of /dev/sdz1"),
            "{why}"
        );
    }
}
