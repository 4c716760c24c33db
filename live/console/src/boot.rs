//! Finding the medium kagi-live booted from: the block device (CD, or the USB stick the image
//! was written to with `dd`) whose ISO 9660 primary volume descriptor carries the volume id
//! the build stamped (`KAGI_LIVE_<hash of the image's inputs>`, in `/etc/kagi-live/volume-id`
//! inside the image). That device and every partition on it are never offered and refused if
//! named; it is also mounted read-only, so `kagi erase` refuses it by itself.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Byte offset of the primary volume descriptor (sector 16 of 2048 bytes).
const PVD_OFFSET: u64 = 16 * 2048;

/// The volume id of an ISO 9660 file system at the start of `path`, if it has one.
pub fn iso_volume_id(path: &Path) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(PVD_OFFSET)).ok()?;
    let mut pvd = [0u8; 2048];
    f.read_exact(&mut pvd).ok()?;
    volume_id_of(&pvd)
}

/// The volume id in a primary volume descriptor (type 1, `CD001`, version 1; bytes 40..72,
/// space-padded), if `pvd` is one.
pub fn volume_id_of(pvd: &[u8]) -> Option<String> {
    if pvd.len() < 72 || pvd[0] != 1 || &pvd[1..6] != b"CD001" || pvd[6] != 1 {
        return None;
    }
    let id = std::str::from_utf8(&pvd[40..72]).ok()?.trim_end();
    (!id.is_empty()).then(|| id.to_string())
}

/// A block device carrying the stamped file system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootMedium {
    /// The device or partition holding the ISO 9660 file system (`sr0`, `sdc`, `sdc1`).
    pub holder: String,
    /// The whole device it is on (`sr0`, `sdc`).
    pub whole: String,
}

/// The whole device a kernel block name belongs to (itself, or a partition's parent).
pub fn whole_device(sys_class_block: &Path, name: &str) -> String {
    let dir = sys_class_block.join(name);
    if dir.join("partition").exists()
        && let Ok(real) = std::fs::canonicalize(&dir)
        && let Some(parent) = real.parent().and_then(|p| p.file_name())
    {
        return parent.to_string_lossy().into_owned();
    }
    name.to_string()
}

/// Every block device or partition (from `/sys/class/block`, opened under `/dev`) whose ISO
/// 9660 volume id is `volume_id`.
pub fn find(volume_id: &str) -> Vec<BootMedium> {
    let sys = Path::new("/sys/class/block");
    let mut names: Vec<String> = std::fs::read_dir(sys)
        .map(|it| {
            it.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .filter(|n| iso_volume_id(&Path::new("/dev").join(n)).as_deref() == Some(volume_id))
        .map(|n| BootMedium {
            whole: whole_device(sys, &n),
            holder: n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pvd(id: &str) -> Vec<u8> {
        let mut v = vec![0u8; 2048];
        v[0] = 1;
        v[1..6].copy_from_slice(b"CD001");
        v[6] = 1;
        v[40..72].fill(b' ');
        v[40..40 + id.len()].copy_from_slice(id.as_bytes());
        v
    }

    #[test]
    fn reads_the_volume_id_of_an_iso_image() {
        let path = std::env::temp_dir().join(format!("kagi-live-pvd-{}", std::process::id()));
        let mut img = vec![0u8; PVD_OFFSET as usize];
        img.extend(pvd("KAGI_LIVE_0123456789ABCDEF"));
        std::fs::write(&path, &img).unwrap();
        assert_eq!(
            iso_volume_id(&path).as_deref(),
            Some("KAGI_LIVE_0123456789ABCDEF")
        );
        // Not ISO 9660: a zeroed disk, a truncated one, another descriptor type.
        std::fs::write(&path, vec![0u8; 40_000]).unwrap();
        assert_eq!(iso_volume_id(&path), None);
        std::fs::write(&path, &img[..PVD_OFFSET as usize + 10]).unwrap();
        assert_eq!(iso_volume_id(&path), None);
        let mut other = pvd("X");
        other[0] = 2;
        assert_eq!(volume_id_of(&other), None);
        assert_eq!(volume_id_of(&pvd("")), None);
        std::fs::remove_file(&path).unwrap();
    }
}
