//! `kagi erase` on real loop devices (root, as CI runs) and regular files.
#![allow(clippy::unwrap_used)]

mod common;
use std::path::Path;
use std::process::Command;

use common::*;

struct Loop(String);

impl Loop {
    fn new(img: &Path) -> Loop {
        let out = Command::new("losetup")
            .args(["-f", "--show"])
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

fn image(dir: &Path, mib: usize) -> (std::path::PathBuf, Vec<u8>) {
    let img = dir.join("disk.img");
    let data: Vec<u8> = (0..mib << 20).map(|i| (i % 253) as u8 | 1).collect();
    std::fs::write(&img, &data).unwrap();
    (img, data)
}

#[test]
fn zero_then_an_independent_cmp_and_kagi_verify_agree() {
    let dir = tempdir();
    let (img, _) = image(&dir, 24);
    let dev = Loop::new(&img);
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "--method", "zero", "--yes"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("complete"), "{}", r.stdout);
    let cmp = Command::new("cmp")
        .args(["-n", &(24u64 << 20).to_string(), &dev.0, "/dev/zero"])
        .status()
        .unwrap();
    assert!(cmp.success(), "cmp finds a non-zero byte");
    assert_eq!(
        kagi_in(&dir, &["erase", "verify", &dev.0, "--expect", "zero"]).code,
        0
    );
    let r = kagi_in(&dir, &["erase", "verify", &dev.0, "--expect", "one"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("mismatch"), "{}", r.stdout);
}

#[test]
fn random_with_full_verification_leaves_no_original_sector() {
    let dir = tempdir();
    let (img, original) = image(&dir, 20);
    let dev = Loop::new(&img);
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "--yes", "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rep = &v["reports"][0];
    assert_eq!(rep["method"], "random");
    assert_eq!(rep["bytes_verified"], 20u64 << 20);
    assert!(rep["key_commitment"].as_str().unwrap().len() == 64);
    drop(dev);
    let now = std::fs::read(&img).unwrap();
    let same = now
        .chunks(512)
        .zip(original.chunks(512))
        .filter(|(a, b)| a == b)
        .count();
    assert_eq!(same, 0);
}

#[test]
fn without_confirmation_nothing_is_written() {
    let dir = tempdir();
    let (img, original) = image(&dir, 8);
    let dev = Loop::new(&img);
    let r = kagi_in(&dir, &["erase", "run", &dev.0]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    drop(dev);
    assert_eq!(std::fs::read(&img).unwrap(), original);
}

#[test]
fn a_mounted_device_is_refused_with_the_reason() {
    let dir = tempdir();
    let (img, _) = image(&dir, 16);
    let dev = Loop::new(&img);
    let mkfs = Command::new("mkfs.ext4")
        .args(["-q", "-F", &dev.0])
        .status()
        .unwrap();
    assert!(mkfs.success());
    let mnt = dir.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount")
        .arg(&dev.0)
        .arg(&mnt)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount needs root");
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "--yes"]);
    let _ = Command::new("umount").arg(&mnt).status();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("is mounted at"), "{}", r.stderr);
    let listed = kagi_in(&dir, &["erase", "list", "--json"]);
    assert_eq!(listed.code, 0);
}

#[test]
fn a_regular_file_is_overwritten_verified_and_removed() {
    let dir = tempdir();
    std::fs::write(dir.join("secret.txt"), "機密 ".repeat(100_000)).unwrap();
    let r = kagi_in(&dir, &["erase", "run", "secret.txt", "--yes"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("copy-on-write"), "{}", r.stderr);
    assert!(!dir.join("secret.txt").exists());
}

#[test]
fn three_loop_devices_are_erased_in_parallel() {
    let dir = tempdir();
    let mut devs = Vec::new();
    let mut imgs = Vec::new();
    for i in 0..3 {
        let img = dir.join(format!("d{i}.img"));
        std::fs::write(&img, vec![0x77u8; 12 << 20]).unwrap();
        devs.push(Loop::new(&img));
        imgs.push(img);
    }
    let names: Vec<&str> = devs.iter().map(|d| d.0.as_str()).collect();
    let mut args = vec!["erase", "run"];
    args.extend(&names);
    args.extend(["--method", "pattern:c0ffee", "--yes", "--json"]);
    let r = kagi_in(&dir, &args);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["reports"].as_array().unwrap().len(), 3);
    for d in &names {
        assert_eq!(
            kagi_in(&dir, &["erase", "verify", d, "--expect", "pattern:c0ffee"]).code,
            0,
            "{d}"
        );
    }
    // Sampled verification on one of them.
    let r = kagi_in(
        &dir,
        &[
            "erase",
            "run",
            names[0],
            "--method",
            "one",
            "--verify",
            "sample:20",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rep = &v["reports"][0];
    assert_eq!(rep["verification"], "sample 20%");
    assert!(rep["sample_seed"].is_u64());
    assert!(rep["bytes_verified"].as_u64().unwrap() < 12 << 20);
    // One refused target stops all before anything is written.
    drop(devs);
    let fresh = dir.join("fresh.img");
    std::fs::write(&fresh, vec![0x11u8; 4 << 20]).unwrap();
    let dev = Loop::new(&fresh);
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "/dev/null", "--yes"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    drop(dev);
    assert_eq!(std::fs::read(&fresh).unwrap(), vec![0x11u8; 4 << 20]);
}
