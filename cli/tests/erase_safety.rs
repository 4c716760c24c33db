//! Issue 16, safety: `kagi erase` on real loop devices (root, as CI runs) never destroys what
//! it must not — the image behind a mounted loop device, a second loop device over it, a swap
//! file, a file another process writes, what a symbolic link does not name, a read-only device —
//! and checks the signer and the ledger before the first byte, so no verified run ends without
//! its certificate.
#![allow(clippy::unwrap_used)]

mod common;
use std::path::Path;
use std::process::Command;

use common::*;

fn image(dir: &Path, name: &str, mib: usize) -> (std::path::PathBuf, Vec<u8>) {
    let img = dir.join(name);
    let data: Vec<u8> = (0..mib << 20).map(|i| (i % 251) as u8 | 1).collect();
    std::fs::write(&img, &data).unwrap();
    (img, data)
}

/// Unmounts when dropped.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn mount_ext4(dev: &str, at: &Path) -> Mounted {
    let mkfs = Command::new("mkfs.ext4")
        .args(["-q", "-F", dev])
        .status()
        .unwrap();
    assert!(mkfs.success());
    std::fs::create_dir_all(at).unwrap();
    assert!(
        Command::new("mount")
            .arg(dev)
            .arg(at)
            .status()
            .unwrap()
            .success(),
        "mount needs root"
    );
    Mounted(at.to_path_buf())
}

#[test]
fn the_image_behind_a_mounted_loop_device_and_a_second_loop_over_it_are_refused() {
    let dir = tempdir();
    let (img, _) = image(&dir, "fs.img", 64);
    let l1 = Loop::new(&img);
    let mnt = dir.join("mnt");
    let m = mount_ext4(&l1.0, &mnt);
    std::fs::write(mnt.join("live.txt"), b"a live file system").unwrap();
    let r = kagi_in(
        &dir,
        &["erase", "run", "fs.img", "--yes", "--method", "zero"],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!("backing file of {}", l1.0)),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("is mounted at"), "{}", r.stderr);
    assert!(img.exists());
    // A second loop device over the same image is refused too, and listed as refused.
    let l2 = Loop::new(&img);
    let r = kagi_in(&dir, &["erase", "run", &l2.0, "--yes", "--method", "zero"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("also behind {}, and {} is mounted", l1.0, l1.0)),
        "{}",
        r.stderr
    );
    let listed = kagi_in(&dir, &["erase", "list", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let entry = all
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == l2.0.as_str())
        .unwrap();
    assert!(
        entry["refused"].as_str().unwrap().contains("also behind"),
        "{entry}"
    );
    // The live file system is intact.
    assert_eq!(
        std::fs::read(mnt.join("live.txt")).unwrap(),
        b"a live file system"
    );
    drop(m);
    // Once nothing is mounted, the image is still behind loop devices: still refused.
    let r = kagi_in(
        &dir,
        &["erase", "run", "fs.img", "--yes", "--method", "zero"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("losetup -d"), "{}", r.stderr);
    drop(l2);
    drop(l1);
    // Detached, it erases.
    ok(
        &dir,
        &["erase", "run", "fs.img", "--yes", "--method", "zero"],
    );
    assert!(!img.exists());
}

#[test]
fn an_active_swap_file_and_a_file_open_for_writing_are_refused() {
    let dir = tempdir();
    let (swap, original) = image(&dir, "swap.img", 16);
    std::fs::set_permissions(&swap, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    assert!(
        Command::new("mkswap")
            .arg(&swap)
            .output()
            .unwrap()
            .status
            .success()
    );
    let swapped = std::fs::read(&swap).unwrap();
    assert!(
        Command::new("swapon")
            .arg(&swap)
            .status()
            .unwrap()
            .success(),
        "swapon needs root"
    );
    let r = kagi_in(&dir, &["erase", "run", "swap.img", "--yes"]);
    let _ = Command::new("swapoff").arg(&swap).status();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("active swap file"), "{}", r.stderr);
    assert_eq!(std::fs::read(&swap).unwrap(), swapped);
    assert_ne!(swapped, original);

    let (busy, original) = image(&dir, "busy.bin", 1);
    let mut writer = Command::new("bash")
        .arg("-c")
        .arg("exec 3>>busy.bin; exec sleep 60")
        .current_dir(&*dir)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let r = kagi_in(&dir, &["erase", "run", "busy.bin", "--yes"]);
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "open for writing by process {} (sleep)",
            writer.id()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&busy).unwrap(), original);
    // A reader does not stop it.
    let mut reader = Command::new("bash")
        .arg("-c")
        .arg("exec 3<busy.bin; exec sleep 60")
        .current_dir(&*dir)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let r = kagi_in(&dir, &["erase", "run", "busy.bin", "--yes"]);
    let _ = reader.kill();
    let _ = reader.wait();
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_symbolic_link_names_its_target_which_alone_is_erased_and_removed() {
    let dir = tempdir();
    std::fs::create_dir(dir.join("data")).unwrap();
    let (real, _) = image(&dir.join("data"), "real.bin", 1);
    std::os::unix::fs::symlink("data/real.bin", dir.join("link")).unwrap();
    let r = kagi_in(&dir, &["erase", "run", "link", "--yes", "--method", "zero"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let canon = std::fs::canonicalize(dir.join("data"))
        .unwrap()
        .join("real.bin");
    assert!(
        r.stderr.contains(&format!("link → {}", canon.display())),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("the link itself is left in place"),
        "{}",
        r.stderr
    );
    assert!(!real.exists(), "the erased file is removed");
    assert!(
        std::fs::symlink_metadata(dir.join("link"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is not deleted"
    );
    // A plain file named by a relative path is not called a link.
    std::fs::write(dir.join("data/plain.bin"), b"plain").unwrap();
    let r = kagi_in(&dir, &["erase", "run", "./data/plain.bin", "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert!(!r.stderr.contains(" → "), "{}", r.stderr);
}

#[test]
fn a_read_only_device_is_refused_up_front() {
    let dir = tempdir();
    let (img, original) = image(&dir, "ro.img", 8);
    let dev = Loop::read_only(&img);
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "--yes", "--method", "zero"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("read-only"), "{}", r.stderr);
    assert!(!r.stdout.contains("verified"), "{}", r.stdout);
    let listed = kagi_in(&dir, &["erase", "list"]);
    let lines: Vec<&str> = listed.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("{} ", dev.0)))
        .unwrap();
    assert!(
        lines[at + 1].contains("refused:") && lines[at + 1].contains("read-only"),
        "{}",
        listed.stdout
    );
    drop(dev);
    assert_eq!(std::fs::read(&img).unwrap(), original);
}

#[test]
fn the_same_target_named_twice_is_said_so() {
    let dir = tempdir();
    let (img, original) = image(&dir, "twice.img", 4);
    let dev = Loop::new(&img);
    let r = kagi_in(&dir, &["erase", "run", &dev.0, &dev.0, "--yes"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("named twice"), "{}", r.stderr);
    drop(dev);
    assert_eq!(std::fs::read(&img).unwrap(), original);
}

// ---- the signer and the ledger, before the first byte ----

fn operator_pki(dir: &Path) {
    // ca.key/ca.crt (P-256, 10 years) and the operator's op.key/op.crt (erase profile).
    let ca = Ca::new("ca")
        .alg("ecdsa-p256")
        .subject("CN=消去証明 CA,O=テスト省,C=JP")
        .create(&bin(), dir);
    ca.leaf("op")
        .alg("ecdsa-p256")
        .subject("CN=山田 太郎,O=テスト省")
        .profile("erase")
        .create(&bin(), dir);
}

fn signed_run(dir: &Path, dev: &str, key: &str, cert: &str) -> Run {
    kagi_in(
        dir,
        &[
            "erase",
            "run",
            dev,
            "--yes",
            "--method",
            "zero",
            "--sign-key",
            key,
            "--sign-cert",
            cert,
            "--chain",
            "ca.crt",
            "--certificate-dir",
            "certs",
            "--organisation",
            "テスト省",
            "--operator",
            "山田 太郎",
            "--role",
            "担当",
        ],
    )
}

#[test]
fn a_ca_signer_or_a_broken_ledger_stops_the_run_before_anything_is_written() {
    let dir = tempdir();
    operator_pki(&dir);
    let (img, original) = image(&dir, "disk.img", 8);
    let dev = Loop::new(&img);
    // The CA's own certificate as the signer: refused, nothing written, no certificate.
    let r = signed_run(&dir, &dev.0, "ca.key", "ca.crt");
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("CA certificate"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!dir.join("certs").exists());
    // A certificate directory that cannot take a file: refused before the erase too.
    std::fs::write(dir.join("certs"), b"a file, not a directory").unwrap();
    let r = signed_run(&dir, &dev.0, "op.key", "op.crt");
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("certificates cannot be written"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&img).unwrap(), original);
    std::fs::remove_file(dir.join("certs")).unwrap();
    // A ledger that is a device node: refused before the erase.
    assert!(
        Command::new("mknod")
            .arg(dir.join("ledger-dev"))
            .args(["c", "1", "3"])
            .status()
            .unwrap()
            .success()
    );
    let mut args = vec![
        "erase",
        "run",
        &dev.0,
        "--yes",
        "--method",
        "zero",
        "--sign-key",
        "op.key",
        "--sign-cert",
        "op.crt",
        "--chain",
        "ca.crt",
        "--certificate-dir",
        "certs",
        "--organisation",
        "o",
        "--operator",
        "t",
        "--role",
        "r",
    ];
    args.extend(["--ledger", "ledger-dev"]);
    let r = kagi_in(&dir, &args);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    assert_eq!(std::fs::read(&img).unwrap(), original);
    // A broken ledger: refused before the erase, not after it.
    let ok_run = signed_run(&dir, &dev.0, "op.key", "op.crt");
    assert_eq!(ok_run.code, 0, "{}", ok_run.stderr);
    let ledger = dir.join("state/ledger.jsonl");
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(&ledger, text.replace("\"seq\":1", "\"seq\":7")).unwrap();
    std::fs::write(&img, &original).unwrap();
    let r = signed_run(&dir, &dev.0, "op.key", "op.crt");
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("ledger"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    drop(dev);
    assert_eq!(std::fs::read(&img).unwrap(), original);
}

#[test]
fn a_loop_device_is_recorded_by_its_backing_file_and_the_prompt_says_what_will_happen() {
    let dir = tempdir();
    operator_pki(&dir);
    let (img, _) = image(&dir, "lease-pc.img", 8);
    let dev = Loop::new(&img);
    let r = signed_run(&dir, &dev.0, "op.key", "op.crt");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // What the operator sees before anything is written: size, kind, method, passes, verify.
    let canon = std::fs::canonicalize(&img).unwrap();
    for want in [
        "8388608 bytes (0.01 GB, 0.01 GiB)",
        &format!("loopback device over {}", canon.display()),
        "method zero (1 pass: zero)",
        "verify full",
    ] {
        assert!(r.stderr.contains(want), "{want:?} in {}", r.stderr);
    }
    let cert = std::fs::read_dir(dir.join("certs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(
        cert.file_name()
            .unwrap()
            .to_string_lossy()
            .contains("lease-pc.img"),
        "{cert:?}"
    );
    let shown = ok(
        &dir,
        &["certificate", "show", cert.to_str().unwrap(), "--json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let device = &doc["device"];
    assert_eq!(device["kind"], "loopback device", "{device}");
    assert_eq!(device["backing_file"], canon.display().to_string());
    assert_eq!(device["backing_size"], 8 << 20);
    let md = std::fs::metadata(&img).unwrap();
    let ino = std::os::unix::fs::MetadataExt::ino(&md);
    assert!(
        device["backing_inode"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":{ino}")),
        "{device}"
    );
    // The ledger names the medium by its backing file, not by the kernel's loopN.
    let ledger = std::fs::read_to_string(dir.join("state/ledger.jsonl")).unwrap();
    assert!(
        ledger.contains(&format!("loopback {}", canon.display())),
        "{ledger}"
    );
    assert!(!ledger.contains(&format!(
        "\"device\":\"{}\"",
        dev.0.trim_start_matches("/dev/")
    )));
}

/// Found by an attacker: a loop device attached over another loop device (its backing "file"
/// is the device) went unseen, and erasing the lower one destroyed the mounted file system.
#[test]
fn a_device_with_a_loop_device_attached_over_it_is_refused() {
    let dir = tempdir();
    let (img, _) = image(&dir, "lower.img", 32);
    let lower = Loop::new(&img);
    let upper = Loop::new(Path::new(&lower.0));
    let mnt = dir.join("mnt");
    let m = mount_ext4(&upper.0, &mnt);
    std::fs::write(mnt.join("live.txt"), b"still here").unwrap();
    let r = kagi_in(
        &dir,
        &["erase", "run", &lower.0, "--yes", "--method", "zero"],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{} is attached over it", upper.0)),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(mnt.join("live.txt")).unwrap(), b"still here");
    drop(m);
    drop(upper);
    drop(lower);
}
