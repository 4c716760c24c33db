//! Whether a block device may be erased: refuse one that (or a partition of which) is mounted,
//! is active swap, or has holders (LVM, md, dm-crypt). The running root and boot file systems
//! are mounted, so they are caught by the first rule.

use std::path::Path;

use crate::discover::{self, BlockDevice};

/// Why `dev` must not be erased, or `None` if it may be. A mount or swap table that cannot be
/// read is itself a refusal: erase never guesses that a device is free.
pub fn refusal(dev: &BlockDevice) -> Option<String> {
    refusal_given(
        dev,
        std::fs::read_to_string("/proc/self/mountinfo"),
        std::fs::read_to_string("/proc/swaps"),
    )
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
