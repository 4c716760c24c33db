//! Whether a block device may be erased: refuse one that (or a partition of which) is mounted,
//! is active swap, or has holders (LVM, md, dm-crypt). The running root and boot file systems
//! are mounted, so they are caught by the first rule.

use std::path::Path;

use crate::discover::{self, BlockDevice};

/// Why `dev` must not be erased, or `None` if it may be.
pub fn refusal(dev: &BlockDevice) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let swaps = std::fs::read_to_string("/proc/swaps").unwrap_or_default();
    let mut all = vec![(dev.name.clone(), dev.dev.clone(), dev.holders.clone())];
    for p in &dev.partitions {
        all.push((p.name.clone(), p.dev.clone(), p.holders.clone()));
    }
    for (name, devno, holders) in &all {
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
