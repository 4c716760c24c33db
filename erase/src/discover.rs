//! Block devices from sysfs (`/sys/block`): identity, geometry, transport, partitions,
//! holders, and whether kagi would refuse each.

use std::path::Path;

use serde::Serialize;

/// A partition.
#[derive(Clone, Debug, Serialize)]
pub struct Partition {
    /// Kernel name (`sda1`).
    pub name: String,
    /// `major:minor`.
    pub dev: String,
    /// Size in bytes.
    pub size: u64,
    /// Holders (dm, md).
    pub holders: Vec<String>,
}

/// A whole block device.
#[derive(Clone, Debug, Serialize)]
pub struct BlockDevice {
    /// Kernel name (`sda`, `nvme0n1`, `loop0`).
    pub name: String,
    /// `/dev/NAME`.
    pub path: String,
    /// `major:minor`.
    pub dev: String,
    /// Size in bytes.
    pub size: u64,
    /// Model, when the device reports one.
    pub model: Option<String>,
    /// Serial number, when reported (never invented).
    pub serial: Option<String>,
    /// World-wide name, when reported.
    pub wwn: Option<String>,
    /// Logical sector size.
    pub logical_sector: u32,
    /// Physical sector size.
    pub physical_sector: u32,
    /// Spinning disk.
    pub rotational: bool,
    /// Removable medium.
    pub removable: bool,
    /// NVMe, SATA/SCSI, USB, virtio, loop, dm, md, or unknown.
    pub transport: String,
    /// A loop device's backing file.
    pub backing_file: Option<String>,
    /// The kernel marks it read-only (sysfs `ro`): nothing can be written.
    pub read_only: bool,
    /// Partitions.
    pub partitions: Vec<Partition>,
    /// Holders of the whole device.
    pub holders: Vec<String>,
    /// For a partition: the whole device it is part of (`/dev/sda`); model, serial and
    /// sectors are then that device's.
    pub partition_of: Option<String>,
    /// For a partition: its first byte on the whole device.
    pub start: Option<u64>,
    /// Why kagi would refuse to erase it, if it would.
    pub refused: Option<String>,
}

fn read(p: &Path) -> Option<String> {
    let s = std::fs::read_to_string(p).ok()?;
    let t = s.trim().trim_matches(char::from(0)).trim();
    // Only printable text: a missing or garbage identifier is None, never garbage.
    (!t.is_empty() && t.chars().all(|c| !c.is_control())).then(|| t.to_string())
}

/// The unit serial number of a SCSI VPD page 0x80 (how SATA disks behind libata, and SCSI
/// and many USB disks, report their serial): a 4-byte header with the length, then the
/// serial in ASCII, space-padded.
fn vpd_serial(p: &Path) -> Option<String> {
    let b = std::fs::read(p).ok()?;
    let len = usize::from(u16::from_be_bytes([*b.get(2)?, *b.get(3)?]));
    if b.get(1) != Some(&0x80) {
        return None;
    }
    let s = std::str::from_utf8(b.get(4..4 + len)?).ok()?;
    let t = s.trim().trim_matches(char::from(0)).trim();
    (!t.is_empty() && t.chars().all(|c| c.is_ascii_graphic() || c == ' ')).then(|| t.to_string())
}

fn num(p: &Path) -> Option<u64> {
    read(p)?.parse().ok()
}

fn holders(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("holders"))
        .map(|it| {
            it.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn transport(name: &str, sys: &Path) -> String {
    let real = std::fs::canonicalize(sys)
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let t = if name.starts_with("loop") {
        "loop"
    } else if name.starts_with("nvme") {
        "NVMe"
    } else if name.starts_with("vd") || real.contains("/virtio") {
        "virtio"
    } else if name.starts_with("dm-") {
        "dm"
    } else if name.starts_with("md") {
        "md"
    } else if real.contains("/usb") {
        "USB"
    } else if name.starts_with("sd") {
        "SATA/SCSI"
    } else {
        "unknown"
    };
    t.to_string()
}

/// One device by kernel name, with [`BlockDevice::refused`] filled in.
pub fn device(name: &str) -> Option<BlockDevice> {
    let mut d = device_unjudged(name)?;
    d.refused = crate::safety::refusal(&d);
    if d.size == 0 && d.refused.is_none() {
        d.refused = Some("no medium (size 0)".into());
    }
    Some(d)
}

/// One device by kernel name, without judging it (`refused` is `None`).
pub(crate) fn device_unjudged(name: &str) -> Option<BlockDevice> {
    let sys = Path::new("/sys/block").join(name);
    let dev = read(&sys.join("dev"))?;
    let size = num(&sys.join("size")).unwrap_or(0) * 512;
    let mut partitions = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&sys) {
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.join("partition").exists() {
                partitions.push(Partition {
                    name: e.file_name().to_string_lossy().into_owned(),
                    dev: read(&p.join("dev")).unwrap_or_default(),
                    size: num(&p.join("size")).unwrap_or(0) * 512,
                    holders: holders(&p),
                });
            }
        }
    }
    partitions.sort_by(|a, b| a.name.cmp(&b.name));
    Some(BlockDevice {
        name: name.to_string(),
        path: format!("/dev/{name}"),
        dev,
        size,
        model: read(&sys.join("device/model")),
        serial: read(&sys.join("device/serial"))
            .or_else(|| read(&sys.join("serial")))
            .or_else(|| vpd_serial(&sys.join("device/vpd_pg80"))),
        wwn: read(&sys.join("device/wwid")).or_else(|| read(&sys.join("wwid"))),
        logical_sector: num(&sys.join("queue/logical_block_size")).unwrap_or(512) as u32,
        physical_sector: num(&sys.join("queue/physical_block_size")).unwrap_or(512) as u32,
        rotational: num(&sys.join("queue/rotational")) == Some(1),
        removable: num(&sys.join("removable")) == Some(1),
        transport: transport(name, &sys),
        backing_file: read(&sys.join("loop/backing_file")),
        read_only: num(&sys.join("ro")) == Some(1),
        partitions,
        holders: holders(&sys),
        partition_of: None,
        start: None,
        refused: None,
    })
}

/// Every block device.
pub fn list() -> Vec<BlockDevice> {
    let mut names: Vec<String> = std::fs::read_dir("/sys/block")
        .map(|it| {
            it.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.iter().filter_map(|n| device(n)).collect()
}

/// The whole device or partition a `/dev/...` path names (symlinks resolved), if it is one.
pub fn find(path: &Path) -> Option<BlockDevice> {
    let real = std::fs::canonicalize(path).ok()?;
    let name = real.file_name()?.to_string_lossy().into_owned();
    device(&name).or_else(|| partition(&name))
}

/// A partition by kernel name (`sda1`, `loop0p1`), described as a device of its own: only its
/// own mounts, swap and holders decide whether it is refused.
pub fn partition(name: &str) -> Option<BlockDevice> {
    let sys = Path::new("/sys/class/block").join(name);
    if !sys.join("partition").exists() {
        return None;
    }
    let parent_name = std::fs::canonicalize(&sys)
        .ok()?
        .parent()?
        .file_name()?
        .to_string_lossy()
        .into_owned();
    let parent = device(&parent_name)?;
    let part = parent.partitions.iter().find(|p| p.name == name)?.clone();
    let mut d = BlockDevice {
        name: name.to_string(),
        path: format!("/dev/{name}"),
        dev: part.dev,
        size: part.size,
        partitions: Vec::new(),
        holders: part.holders,
        partition_of: Some(parent.path.clone()),
        start: num(&sys.join("start")).map(|s| s * 512),
        refused: None,
        read_only: parent.read_only || num(&sys.join("ro")) == Some(1),
        ..parent
    };
    d.refused = crate::safety::refusal(&d);
    Some(d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn serial_from_vpd_page_0x80() {
        let p = std::env::temp_dir().join(format!("kagi-vpd80-{}", std::process::id()));
        let page = |code: u8, body: &[u8]| {
            let mut v = vec![0, code, 0, body.len() as u8];
            v.extend_from_slice(body);
            v
        };
        std::fs::write(&p, page(0x80, b"      KAGI-SATA-0001")).unwrap();
        assert_eq!(vpd_serial(&p).as_deref(), Some("KAGI-SATA-0001"));
        for bad in [
            page(0x83, b"KAGI-SATA-0001"),
            page(0x80, b"        "),
            page(0x80, b"a\x01b"),
            vec![0, 0x80, 0, 40, b'x'],
        ] {
            std::fs::write(&p, bad).unwrap();
            assert_eq!(vpd_serial(&p), None);
        }
        std::fs::remove_file(&p).unwrap();
        assert_eq!(vpd_serial(Path::new("/nonexistent/vpd_pg80")), None);
    }
}
