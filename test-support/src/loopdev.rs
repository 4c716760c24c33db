//! Loop devices over image files, detached when dropped — also when the test panics, so a
//! failing test does not leak `/dev/loopN` bindings into the next one (needs root, as CI).

use std::path::Path;
use std::process::Command;

/// A loop device (`/dev/loopN`) bound to an image file; `losetup -d` when dropped.
#[derive(Debug)]
pub struct Loop(pub String);

impl Loop {
    /// Binds `img` to a free loop device.
    pub fn new(img: &Path) -> Loop {
        Self::with(img, &[])
    }

    /// Binds `img` read-only.
    pub fn read_only(img: &Path) -> Loop {
        Self::with(img, &["-r"])
    }

    /// With partition scanning: the kernel's partitions appear (with `partx -a` where no
    /// udev creates the nodes).
    pub fn partitioned(img: &Path) -> Loop {
        let l = Self::with(img, &["-P"]);
        if !Path::new(&format!("{}p1", l.0)).exists() {
            let _ = Command::new("partx").args(["-a", &l.0]).status();
        }
        l
    }

    /// Binds `img` with extra `losetup` options.
    pub fn with(img: &Path, extra: &[&str]) -> Loop {
        let out = Command::new("losetup")
            .args(["-f", "--show"])
            .args(extra)
            .arg(img)
            .output()
            .unwrap_or_else(|e| panic!("cannot run losetup (Debian package mount): {e}"));
        assert!(
            out.status.success(),
            "losetup {} failed (it needs root; CI runs as root): {}",
            img.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Loop(String::from_utf8(out.stdout).unwrap().trim().to_string())
    }

    /// The device path, `/dev/loopN`.
    pub fn path(&self) -> &str {
        &self.0
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.0]).status();
    }
}
