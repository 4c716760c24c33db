//! The harness for CLI tests: the real `kagi` binary (and `openssl`), run in a fresh temp dir
//! with a scrubbed environment.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A fresh directory, removed when dropped.
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn tempdir() -> TempDir {
    let dir =
        std::env::temp_dir().join(format!("kagi-cli-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The passphrase tests use, passed in the environment variable `PW`.
pub const PW: &str = "correct horse battery staple";

fn run(program: &str, dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin:/usr/local/bin")
        .env("PW", PW)
        // Erase journals stay in the test's directory.
        .env("KAGI_STATE_DIR", dir.join("state"))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn kagi_in(dir: &Path, args: &[&str]) -> Run {
    run(env!("CARGO_BIN_EXE_kagi"), dir, args)
}

/// Starts kagi in `dir` (same environment as `kagi_in`) with stderr piped, for tests that
/// interrupt it.
pub fn spawn_kagi(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kagi"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin:/usr/local/bin")
        .env("KAGI_STATE_DIR", dir.join("state"))
        .env("PW", PW)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

pub fn kagi(args: &[&str]) -> Run {
    kagi_in(&tempdir(), args)
}

/// Runs kagi and insists on exit 0.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let r = kagi_in(dir, args);
    assert_eq!(r.code, 0, "kagi {args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

/// Runs openssl and insists on exit 0.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let r = run("openssl", dir, args);
    assert_eq!(r.code, 0, "openssl {args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

/// `openssl dgst -sha256` of the DER SubjectPublicKeyInfo of a key file, as kagi prints it.
pub fn openssl_fingerprint(dir: &Path, key: &str, encrypted: bool) -> String {
    let mut args = vec![
        "pkey", "-in", key, "-pubout", "-outform", "DER", "-out", "spki.der",
    ];
    if encrypted {
        args.extend(["-passin", "env:PW"]);
    }
    openssl(dir, &args);
    let out = openssl(dir, &["dgst", "-sha256", "-r", "spki.der"]);
    format!("sha256:{}", out.split_whitespace().next().unwrap())
}

/// A loop device over an image file, detached when dropped (root, as CI runs).
pub struct Loop(pub String);

impl Loop {
    pub fn new(img: &Path) -> Loop {
        Self::with(img, &[])
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
    fn with(img: &Path, extra: &[&str]) -> Loop {
        let out = Command::new("losetup")
            .args(["-f", "--show"])
            .args(extra)
            .arg(img)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "losetup needs root (CI runs as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Loop(String::from_utf8(out.stdout).unwrap().trim().to_string())
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.0]).status();
    }
}
