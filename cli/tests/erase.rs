//! `kagi erase` on real loop devices (root, as CI runs) and regular files.
#![allow(clippy::unwrap_used)]

mod common;
use std::path::Path;
use std::process::Command;

use common::*;

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
    let r = kagi_in(&dir, &["erase", "verify", &dev.0, "--expect", "zero"]);
    assert_eq!(r.code, 0);
    // A read-only check says what it read, never that it wrote.
    assert!(
        r.stdout.starts_with("holds")
            && r.stdout.contains("read:        25165824 of 25165824 bytes"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("written"), "{}", r.stdout);
    let r = kagi_in(&dir, &["erase", "verify", &dev.0, "--expect", "one"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("mismatch"), "{}", r.stdout);
    assert!(!r.stdout.contains("written"), "{}", r.stdout);
}

/// A tmpfs of `mib` MiB mounted in `dir`, unmounted when dropped.
struct SmallFs(std::path::PathBuf);

impl SmallFs {
    fn new(dir: &Path, mib: u64) -> SmallFs {
        let at = dir.join("small");
        std::fs::create_dir_all(&at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&at)
            .status()
            .unwrap();
        assert!(ok.success(), "mount needs root");
        SmallFs(at)
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_failed_write_names_its_os_error_and_nothing_is_called_verified() {
    let dir = tempdir();
    // A 16 MiB loop device over a sparse file on a 4 MiB file system: writes past 4 MiB fail
    // with ENOSPC, as a full thin-provisioned volume does.
    let fs = SmallFs::new(&dir, 4);
    let img = fs.0.join("thin.img");
    std::fs::File::create(&img)
        .unwrap()
        .set_len(16 << 20)
        .unwrap();
    let dev = Loop::new(&img);
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "--method", "one", "--yes"]);
    drop(dev);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("FAILED"), "{}", r.stdout);
    assert!(
        r.stdout.contains("first write error: at byte ") && r.stdout.contains("ENOSPC"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("not verified"), "{}", r.stdout);
    assert!(!r.stdout.contains("verified: "), "{}", r.stdout);
    assert!(r.stdout.contains("could not be written"), "{}", r.stdout);
}

#[test]
fn a_pattern_over_4096_bytes_is_named_by_its_limit_not_echoed() {
    let dir = tempdir();
    let long = format!("pattern:{}", "ab".repeat(4097));
    let r = kagi_in(
        &dir,
        &["erase", "run", "/dev/null", "--method", &long, "--yes"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("1 to 4096 bytes") && r.stderr.contains("this one is 4097 bytes"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("unknown method"), "{}", r.stderr);
    assert!(r.stderr.len() < 300, "{}", r.stderr);
    let r = kagi_in(&dir, &["erase", "verify", "/dev/null", "--expect", &long]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.len() < 300 && r.stderr.contains("4096"),
        "{}",
        r.stderr
    );
    // A pattern at the limit is accepted, and the report names it by its start and length.
    let most = format!("pattern:{}", "ab".repeat(4096));
    std::fs::write(dir.join("f.bin"), vec![1u8; 1 << 20]).unwrap();
    let r = kagi_in(&dir, &["erase", "run", "f.bin", "--method", &most, "--yes"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("…(4096 bytes)") && r.stdout.len() < 2000,
        "{}",
        r.stdout
    );
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
    let seg = &rep["passes"][0]["segments"][0];
    assert_eq!(seg["key_commitment"].as_str().unwrap().len(), 64);
    assert_eq!(seg["end"], 20u64 << 20);
    // kagi's read-only check agrees: every sector looks like keystream output ...
    let v = kagi_in(&dir, &["erase", "verify", &dev.0, "--expect", "random"]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    // ... and dd (not kagi) reads the device: no 512-byte sector of the original is there.
    let dd = Command::new("dd")
        .args([
            &format!("if={}", dev.0),
            "bs=1M",
            "iflag=direct",
            "status=none",
        ])
        .output()
        .unwrap();
    assert!(dd.status.success());
    assert_eq!(dd.stdout.len(), original.len());
    let same = dd
        .stdout
        .chunks(512)
        .zip(original.chunks(512))
        .filter(|(a, b)| a == b)
        .count();
    assert_eq!(same, 0, "sectors of the original read back by dd");
    // Zeros written over part of it are found by the random check, sector by sector.
    let z = Command::new("dd")
        .args([
            "if=/dev/zero",
            &format!("of={}", dev.0),
            "bs=4096",
            "seek=3",
            "count=2",
            "oflag=direct",
            "conv=notrunc",
            "status=none",
        ])
        .status()
        .unwrap();
    assert!(z.success());
    let v = kagi_in(
        &dir,
        &["erase", "verify", &dev.0, "--expect", "random", "--json"],
    );
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    let j: serde_json::Value = serde_json::from_str(&v.stdout).unwrap();
    assert_eq!(
        j["mismatches"],
        serde_json::json!([{"start": 12288, "end": 20480}])
    );
    drop(dev);
    // The original image itself (odd bytes only) is not mistaken for random data.
    std::fs::write(&img, &original).unwrap();
    let dev = Loop::new(&img);
    let v = kagi_in(&dir, &["erase", "verify", &dev.0, "--expect", "random"]);
    assert_eq!(v.code, 1);
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
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    // In parallel, not one after another: every run started before any finished.
    let at = |r: &serde_json::Value, k: &str| {
        time::OffsetDateTime::parse(
            r[k].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let last_start = reports.iter().map(|r| at(r, "started")).max().unwrap();
    let first_end = reports.iter().map(|r| at(r, "finished")).min().unwrap();
    assert!(
        last_start < first_end,
        "the runs did not overlap: last start {last_start}, first end {first_end}: {v}"
    );
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

/// The original content of test images: every byte non-zero, position-dependent.
fn original_byte(i: u64) -> u8 {
    (i % 253) as u8 | 1
}

/// A `mib` MiB image in /dev/shm (fast, and big images stay off the disk).
struct ShmImage(std::path::PathBuf);

impl ShmImage {
    fn new(mib: u64) -> ShmImage {
        use std::io::Write;
        let path = std::path::PathBuf::from(format!(
            "/dev/shm/kagi-erase-test-{}-{mib}.img",
            std::process::id()
        ));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for k in 0..mib {
            let block: Vec<u8> = ((k << 20)..((k + 1) << 20)).map(original_byte).collect();
            f.write_all(&block).unwrap();
        }
        f.flush().unwrap();
        ShmImage(path)
    }
    /// How many 512-byte sectors still hold their original content.
    fn surviving_sectors(&self) -> usize {
        use std::io::Read;
        let mut f = std::fs::File::open(&self.0).unwrap();
        let mut buf = vec![0u8; 1 << 20];
        let mut at = 0u64;
        let mut same = 0;
        loop {
            let n = f.read(&mut buf).unwrap();
            if n == 0 {
                return same;
            }
            for (k, s) in buf[..n].chunks(512).enumerate() {
                let base = at + (k * 512) as u64;
                if s.iter()
                    .enumerate()
                    .all(|(j, &b)| b == original_byte(base + j as u64))
                {
                    same += 1;
                }
            }
            at += n as u64;
        }
    }
}

impl Drop for ShmImage {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Reads the child's JSON progress lines until a checkpoint at or past `at` bytes.
fn wait_for_checkpoint(child: &mut std::process::Child, at: u64) -> u64 {
    use std::io::BufRead;
    let err = child.stderr.as_mut().unwrap();
    let mut lines = std::io::BufReader::new(err).lines();
    loop {
        let line = lines
            .next()
            .expect("the run ended before a checkpoint")
            .unwrap();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && v["event"] == "checkpoint"
            && v["done"].as_u64().unwrap() >= at
        {
            return v["done"].as_u64().unwrap();
        }
    }
}

fn journals(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir.join("state/erase"))
        .map(|it| it.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

#[test]
fn an_interrupted_run_resumes_after_ctrl_c_and_after_kill_9() {
    let dir = tempdir();
    let img = ShmImage::new(1024);
    let dev = Loop::new(&img.0);
    // Ctrl-C (SIGINT) after the first checkpoint: a clean stop, exit 2, the journal kept.
    let mut child = spawn_kagi(&dir, &["erase", "run", &dev.0, "--yes", "--json"]);
    wait_for_checkpoint(&mut child, 1);
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(journals(&dir).len(), 1);
    // A new run of the same device is refused while the interrupted one is pending.
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "--yes"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("kagi erase resume"), "{}", r.stderr);

    // Resume, then SIGKILL after its first checkpoint: no chance to clean up.
    let mut child = spawn_kagi(&dir, &["erase", "resume", "--yes", "--json"]);
    wait_for_checkpoint(&mut child, 1);
    child.kill().unwrap();
    child.wait().unwrap();
    let journal = journals(&dir).pop().expect("the journal survives kill -9");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(!text.contains("\"key\""), "no key in the journal");

    // A journal that names another device is refused.
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["identity"]["backing_file"] = "/somewhere/else.img".into();
    std::fs::write(&journal, v.to_string()).unwrap();
    let r = kagi_in(&dir, &["erase", "resume", &dev.0, "--yes"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("backing file"), "{}", r.stderr);
    std::fs::write(&journal, &text).unwrap();

    // The second resumption finishes; the report joins the stretches.
    let r = kagi_in(&dir, &["erase", "resume", &dev.0, "--yes", "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["complete"], true);
    let rep = &v["reports"][0];
    assert_eq!(rep["resumed"].as_array().unwrap().len(), 2);
    assert_eq!(rep["bytes_written"], 1u64 << 30);
    assert_eq!(rep["bytes_verified"], 1u64 << 30);
    let segs = rep["passes"][0]["segments"].as_array().unwrap();
    assert!(segs.len() >= 2, "{segs:?}");
    assert_eq!(segs[0]["start"], 0);
    assert_eq!(segs.last().unwrap()["end"], 1u64 << 30);
    assert!(
        journals(&dir).is_empty(),
        "the journal is removed at the end"
    );
    drop(dev);
    // Read independently of kagi: no sector of the original survives anywhere.
    assert_eq!(img.surviving_sectors(), 0);
}

/// An MBR with two 20 MiB Linux partitions.
fn mbr_image(dir: &Path) -> std::path::PathBuf {
    let img = dir.join("parted.img");
    let mut data = vec![0x5au8; 64 << 20];
    data[..512].fill(0);
    for (k, start) in [2048u32, 43008].into_iter().enumerate() {
        let e = 446 + 16 * k;
        data[e + 4] = 0x83;
        data[e + 8..e + 12].copy_from_slice(&start.to_le_bytes());
        data[e + 12..e + 16].copy_from_slice(&40960u32.to_le_bytes());
    }
    data[510] = 0x55;
    data[511] = 0xaa;
    std::fs::write(&img, &data).unwrap();
    img
}

#[test]
fn a_partitioned_device_its_partitions_and_a_mounted_partition() {
    let dir = tempdir();
    let img = mbr_image(&dir);
    let dev = Loop::partitioned(&img);
    let (p1, p2) = (format!("{}p1", dev.0), format!("{}p2", dev.0));
    assert!(Path::new(&p2).exists(), "the kernel made no partitions");
    let listed = kagi_in(&dir, &["erase", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let me = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == dev.0.as_str())
        .unwrap();
    let parts: Vec<&str> = me["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(parts.len(), 2, "{me}");

    assert!(
        Command::new("mkfs.ext4")
            .args(["-q", &p1])
            .status()
            .unwrap()
            .success()
    );
    let mnt = dir.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    assert!(
        Command::new("mount")
            .arg(&p1)
            .arg(&mnt)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(mnt.join("keep.txt"), "still here").unwrap();
    // The whole device and the mounted partition are refused; the other partition is not.
    let whole = kagi_in(&dir, &["erase", "run", &dev.0, "--yes"]);
    let part1 = kagi_in(&dir, &["erase", "run", &p1, "--yes"]);
    let part2 = kagi_in(&dir, &["erase", "run", &p2, "--method", "zero", "--yes"]);
    let kept = std::fs::read_to_string(mnt.join("keep.txt"));
    let _ = Command::new("umount").arg(&mnt).status();
    assert_eq!(whole.code, 2);
    assert!(
        whole.stderr.contains("p1 is mounted at"),
        "{}",
        whole.stderr
    );
    assert_eq!(part1.code, 2);
    assert!(part1.stderr.contains("is mounted at"), "{}", part1.stderr);
    assert_eq!(part2.code, 0, "{}{}", part2.stdout, part2.stderr);
    assert!(part2.stderr.contains("only the partition was erased"));
    assert_eq!(kept.unwrap(), "still here");
    let cmp = Command::new("cmp")
        .args(["-n", &(20u64 << 20).to_string(), &p2, "/dev/zero"])
        .status()
        .unwrap();
    assert!(cmp.success());

    // Unmounted, the whole device is erased and the kernel forgets its partitions.
    let r = kagi_in(&dir, &["erase", "run", &dev.0, "--method", "zero", "--yes"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!Path::new(&p1).exists(), "stale partition node");
    let name = dev.0.trim_start_matches("/dev/");
    assert!(!Path::new(&format!("/sys/block/{name}/{name}p1")).exists());
    let cmp = Command::new("cmp")
        .args(["-n", &(64u64 << 20).to_string(), &dev.0, "/dev/zero"])
        .status()
        .unwrap();
    assert!(cmp.success());
}

#[test]
fn named_multi_pass_schemes_run_every_pass() {
    let dir = tempdir();
    let (img, _) = image(&dir, 8);
    let dev = Loop::new(&img);
    let r = kagi_in(
        &dir,
        &[
            "erase",
            "run",
            &dev.0,
            "--passes",
            "dod-short",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rep = &v["reports"][0];
    assert_eq!(rep["bytes_written"], 3 * (8u64 << 20));
    let methods: Vec<&str> = rep["passes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["zero", "one", "random"]);
    // VSITR ends with 0xAA, which an auditor can check afterwards.
    let r = kagi_in(
        &dir,
        &["erase", "run", &dev.0, "--passes", "vsitr", "--yes"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        kagi_in(&dir, &["erase", "verify", &dev.0, "--expect", "pattern:aa"]).code,
        0
    );
    let r = kagi_in(
        &dir,
        &[
            "erase", "run", &dev.0, "--method", "zero", "--passes", "vsitr", "--yes",
        ],
    );
    assert_eq!(r.code, 2);
    let r = kagi_in(
        &dir,
        &["erase", "run", &dev.0, "--passes", "zero,nine", "--yes"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown method or scheme"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_resume_rereads_every_window_the_journal_calls_verified_without_a_digest() {
    let dir = tempdir();
    let img = ShmImage::new(768);
    let dev = Loop::new(&img.0);
    let mut child = spawn_kagi(
        &dir,
        &[
            "erase", "run", &dev.0, "--method", "random", "--yes", "--json",
        ],
    );
    wait_for_checkpoint(&mut child, 1);
    assert!(
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(child.wait_with_output().unwrap().status.code(), Some(2));
    let journal = journals(&dir).pop().unwrap();
    let text = std::fs::read_to_string(&journal).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    let size = 768u64 << 20;
    assert!(saved["state"]["done"].as_u64().unwrap() < size);

    // (b) The journal says everything was written and verified, keeping its one digest:
    // the windows past that digest still hold the original and are read, not believed.
    let mut v = saved.clone();
    v["state"]["done"] = size.into();
    v["state"]["report"]["passes"][0]["segments"][0]["end"] = size.into();
    v["state"]["report"]["bytes_written"] = size.into();
    v["state"]["report"]["bytes_verified"] = size.into();
    std::fs::write(&journal, v.to_string()).unwrap();
    let r = kagi_in(&dir, &["erase", "resume", &dev.0, "--yes"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("CHANGED"), "{}", r.stdout);
    assert!(
        r.stdout.contains("bytes changed since they were verified"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.starts_with("complete"), "{}", r.stdout);

    // (a) The journal's digests are gone and original data is written back into the first
    // window: it is judged by its content and found.
    let mut v = saved;
    v["state"]["digests"] = serde_json::json!([]);
    std::fs::write(&journal, v.to_string()).unwrap();
    let at = 100u64 << 20;
    let back: Vec<u8> = (at..at + (1 << 20)).map(original_byte).collect();
    std::fs::write(dir.join("back"), back).unwrap();
    assert!(
        Command::new("dd")
            .args([
                "if=back",
                &format!("of={}", dev.0),
                "bs=1M",
                "seek=100",
                "oflag=direct",
                "conv=notrunc",
                "status=none",
            ])
            .current_dir(&*dir)
            .status()
            .unwrap()
            .success()
    );
    let r = kagi_in(&dir, &["erase", "resume", &dev.0, "--yes"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("CHANGED:     window bytes 0..268435456"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("judged by their content") || r.stdout.contains("no digest recorded"),
        "{}",
        r.stdout
    );
}
