//! Issue 15, "data loss and leaks": the real binary attacked as a careless user and an attacker
//! would. kagi creates or replaces only regular files, never deletes what it did not create,
//! leaves no plaintext or temporary file after a signal (SIGKILL included) or an error, and
//! refuses crafted trees and any mutated envelope with nothing left behind.
#![allow(clippy::unwrap_used)]

mod common;
use std::collections::BTreeSet;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use crypto_core::envelope::{self, Label, Metadata, PayloadAlg, Recipient};
use crypto_core::secret::SecretBytes;

const MIB: usize = 1 << 20;

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 7919) % 251) as u8).collect()
}

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn sym_key(dir: &Path) {
    ok(
        dir,
        &[
            "key",
            "gen",
            "--alg",
            "symmetric",
            "--out",
            "sym.key",
            "--unencrypted",
        ],
    );
}

/// A small xorshift generator; the seed is printed so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("KAGI_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("seed {seed} (KAGI_TEST_SEED to replay)");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

// ---- 1. only regular files are created or replaced ----

#[test]
fn outputs_that_are_not_regular_files_are_refused_and_left_untouched() {
    let dir = tempdir();
    sym_key(&dir);
    std::fs::write(dir.join("f.txt"), b"plain").unwrap();
    ok(&dir, &["encrypt", "f.txt", "--key-file", "sym.key"]);
    // A character device (as /dev/null), a FIFO, a socket, a directory, a symbolic link.
    let st = Command::new("mknod")
        .args(["-m", "666"])
        .arg(dir.join("mynull"))
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(st.success(), "mknod needs root (CI runs as root)");
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .unwrap()
            .success()
    );
    let _sock = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
    std::fs::create_dir(dir.join("adir")).unwrap();
    std::fs::write(dir.join("target.txt"), b"not yours").unwrap();
    std::os::unix::fs::symlink("target.txt", dir.join("link")).unwrap();
    let cases = [
        ("mynull", "a character device"),
        ("fifo", "a FIFO"),
        ("sock", "a socket"),
        ("adir", "a directory"),
        ("link", "a symbolic link"),
    ];
    let before = listing(&dir);
    for (name, kind) in cases {
        for force in [false, true] {
            let mut runs: Vec<Vec<&str>> = vec![
                vec!["decrypt", "f.txt.kagi", "--key-file", "sym.key", "-o", name],
                vec!["encrypt", "f.txt", "--key-file", "sym.key", "-o", name],
                vec![
                    "key",
                    "gen",
                    "--alg",
                    "symmetric",
                    "--unencrypted",
                    "--out",
                    name,
                ],
            ];
            for r in &mut runs {
                if force {
                    r.push("--force");
                }
                let out = kagi_in(&dir, r);
                assert_eq!(out.code, 2, "{r:?}: {}", out.stderr);
                assert!(out.stderr.contains(kind), "{r:?}: {}", out.stderr);
                assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
            }
        }
    }
    // Nothing changed: the same names, the device is still a device, the link's target intact.
    assert_eq!(listing(&dir), before);
    let md = std::fs::symlink_metadata(dir.join("mynull")).unwrap();
    assert!(md.file_type().is_char_device());
    assert_eq!(md.rdev(), 0x103);
    assert!(
        std::fs::symlink_metadata(dir.join("fifo"))
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(
        std::fs::symlink_metadata(dir.join("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(dir.join("target.txt")).unwrap(), b"not yours");
    assert!(listing(&dir.join("adir")).is_empty());
    // A regular file is replaced with --force, and only then.
    std::fs::write(dir.join("old.txt"), b"old").unwrap();
    let r = kagi_in(
        &dir,
        &[
            "decrypt",
            "f.txt.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "old.txt",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("old.txt")).unwrap(), b"old");
    ok(
        &dir,
        &[
            "decrypt",
            "f.txt.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "old.txt",
            "--force",
        ],
    );
    assert_eq!(std::fs::read(dir.join("old.txt")).unwrap(), b"plain");
}

#[test]
fn dev_null_as_root_is_never_replaced() {
    let dir = tempdir();
    sym_key(&dir);
    std::fs::write(dir.join("f.txt"), b"plain").unwrap();
    ok(&dir, &["encrypt", "f.txt", "--key-file", "sym.key"]);
    let r = kagi_in(
        &dir,
        &[
            "decrypt",
            "f.txt.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "/dev/null",
            "--force",
        ],
    );
    let still_device = std::fs::symlink_metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device();
    if !still_device {
        // Put the machine right before failing: every later test (and CI) needs /dev/null.
        let _ = std::fs::remove_file("/dev/null");
        let _ = Command::new("mknod")
            .args(["-m", "666", "/dev/null", "c", "1", "3"])
            .status();
    }
    assert!(still_device, "/dev/null was replaced by a file");
    assert_eq!(r.code, 2, "{}", r.stderr);
}

// ---- 2. signals leave nothing ----

fn spawn(dir: &Path, args: &[&str], named: bool) -> std::process::Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kagi"));
    c.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin:/usr/local/bin")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    test_support::process::keep_clock(&mut c);
    if named {
        c.env("KAGI_STAGING", "named");
    }
    c.spawn().unwrap()
}

fn timed(dir: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let st = spawn(dir, args, false).wait().unwrap();
    assert!(st.success(), "{args:?}");
    t.elapsed()
}

/// Runs `args` several times per signal, each stopped at a random moment, and checks after
/// each that the directory holds exactly what it held before, or that plus the complete
/// output `out` when the run finished first (checked by `complete`).
fn interrupt_at_random(
    dir: &Path,
    args: &[&str],
    out: &str,
    signals: &[&str],
    named: bool,
    complete: &dyn Fn(&Path) -> bool,
) {
    let mut rng = Rng::new();
    let full = timed(dir, args);
    assert!(complete(&dir.join(out)));
    remove(&dir.join(out));
    let before = listing(dir);
    for sig in signals {
        for round in 0..4 {
            let mut child = spawn(dir, args, named);
            // Early, middle and late in the run: a quarter of the runs land in the first 50 ms.
            let ms = full.as_millis() as u64;
            let wait = if round == 0 {
                rng.below(50)
            } else {
                rng.below(ms * 9 / 10)
            };
            std::thread::sleep(Duration::from_millis(wait));
            let _ = Command::new("kill")
                .args(["-s", sig, &child.id().to_string()])
                .status();
            let st = child.wait().unwrap();
            let now = listing(dir);
            if st.success() {
                // Finished before the signal: the complete output, nothing else.
                let mut with_out = before.clone();
                with_out.insert(out.to_string());
                assert_eq!(now, with_out, "SIG{sig} after {wait} ms (finished)");
                assert!(complete(&dir.join(out)), "SIG{sig}: output incomplete");
                remove(&dir.join(out));
            } else if now.contains(out) && now.len() == before.len() + 1 {
                // The signal came as the finished output was being moved into place (kagi
                // lets that step finish, then ends): the output must then be complete.
                assert!(
                    complete(&dir.join(out)),
                    "SIG{sig} after {wait} ms: an incomplete output was left"
                );
                remove(&dir.join(out));
            } else {
                assert_eq!(
                    now, before,
                    "SIG{sig} after {wait} ms of {ms} (named staging: {named}): something was left"
                );
            }
        }
    }
}

fn remove(p: &Path) {
    if p.is_dir() {
        std::fs::remove_dir_all(p).unwrap();
    } else {
        std::fs::remove_file(p).unwrap();
    }
}

#[test]
fn an_interrupted_decrypt_or_encrypt_leaves_no_plaintext_and_no_temporary_file() {
    let dir = tempdir();
    sym_key(&dir);
    let plain = data(96 * MIB + 17);
    std::fs::write(dir.join("big.bin"), &plain).unwrap();
    ok(
        &dir,
        &[
            "encrypt",
            "big.bin",
            "--key-file",
            "sym.key",
            "-o",
            "big.kagi",
        ],
    );
    let same = |p: &Path| std::fs::read(p).map(|b| b == plain).unwrap_or(false);
    let dec = [
        "decrypt",
        "big.kagi",
        "--key-file",
        "sym.key",
        "-o",
        "out.bin",
    ];
    // An unnamed temporary file: nothing survives any signal, SIGKILL included.
    interrupt_at_random(
        &dir,
        &dec,
        "out.bin",
        &["INT", "TERM", "HUP", "KILL"],
        false,
        &same,
    );
    // Named temporary files (filesystems without O_TMPFILE): removed on every catchable signal.
    interrupt_at_random(
        &dir,
        &dec,
        "out.bin",
        &["INT", "TERM", "HUP", "QUIT"],
        true,
        &same,
    );
    let enc = [
        "encrypt",
        "big.bin",
        "--key-file",
        "sym.key",
        "-o",
        "again.kagi",
    ];
    let whole = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len() > plain.len() as u64)
            .unwrap_or(false)
    };
    interrupt_at_random(
        &dir,
        &enc,
        "again.kagi",
        &["INT", "TERM", "HUP", "KILL"],
        false,
        &whole,
    );
    interrupt_at_random(
        &dir,
        &enc,
        "again.kagi",
        &["INT", "TERM", "HUP"],
        true,
        &whole,
    );
}

#[test]
fn an_interrupted_tree_decrypt_leaves_no_directory_behind() {
    let dir = tempdir();
    sym_key(&dir);
    let t = dir.join("tree");
    for i in 0..48 {
        let sub = t.join(format!("d{}", i % 6));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("f{i}.bin")), data(MIB + i)).unwrap();
    }
    ok(
        &dir,
        &[
            "encrypt",
            "tree",
            "--key-file",
            "sym.key",
            "-o",
            "tree.kagi",
        ],
    );
    let dec = [
        "decrypt",
        "tree.kagi",
        "--key-file",
        "sym.key",
        "-o",
        "back",
    ];
    let complete = |p: &Path| {
        (0..48).all(|i| {
            std::fs::read(p.join(format!("d{}/f{i}.bin", i % 6)))
                .map(|b| b == data(MIB + i))
                .unwrap_or(false)
        })
    };
    interrupt_at_random(
        &dir,
        &dec,
        "back",
        &["INT", "TERM", "HUP"],
        false,
        &complete,
    );
}

/// Decrypting into an existing empty directory stages inside it (it may be a mount point):
/// interrupted at any moment, the directory is left empty or complete — no hidden staging
/// entry in it or beside it.
#[test]
fn an_interrupted_decrypt_into_an_empty_directory_leaves_it_empty() {
    let dir = tempdir();
    sym_key(&dir);
    let t = dir.join("tree");
    for i in 0..24 {
        let sub = t.join(format!("d{}", i % 4));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("f{i}.bin")), data(MIB + i)).unwrap();
    }
    ok(
        &dir,
        &[
            "encrypt",
            "tree",
            "--key-file",
            "sym.key",
            "-o",
            "tree.kagi",
        ],
    );
    let dec = [
        "decrypt",
        "tree.kagi",
        "--key-file",
        "sym.key",
        "-o",
        "into",
    ];
    std::fs::create_dir(dir.join("into")).unwrap();
    let full = timed(&dir, &dec);
    remove(&dir.join("into"));
    std::fs::create_dir(dir.join("into")).unwrap();
    let before = listing(&dir);
    let mut rng = Rng::new();
    for sig in ["INT", "TERM", "HUP"] {
        for round in 0..3 {
            let mut child = spawn(&dir, &dec, round == 2);
            let wait = rng.below(full.as_millis() as u64 * 9 / 10);
            std::thread::sleep(Duration::from_millis(wait));
            let _ = Command::new("kill")
                .args(["-s", sig, &child.id().to_string()])
                .status();
            child.wait().unwrap();
            assert_eq!(listing(&dir), before, "SIG{sig} after {wait} ms: beside it");
            let inside = listing(&dir.join("into"));
            let complete = (0..24).all(|i| {
                std::fs::read(dir.join(format!("into/d{}/f{i}.bin", i % 4)))
                    .is_ok_and(|b| b == data(MIB + i))
            });
            assert!(
                inside.is_empty() || (complete && inside.len() == 4),
                "SIG{sig} after {wait} ms: {inside:?}"
            );
            remove(&dir.join("into"));
            std::fs::create_dir(dir.join("into")).unwrap();
        }
    }
}

// ---- 3. a tree never deletes what is there ----

#[test]
fn a_tree_unpacks_only_into_a_new_or_empty_directory() {
    let dir = tempdir();
    sym_key(&dir);
    std::fs::create_dir_all(dir.join("tree/sub")).unwrap();
    std::fs::write(dir.join("tree/sub/a.txt"), b"a").unwrap();
    ok(&dir, &["encrypt", "tree", "--key-file", "sym.key"]);
    // An existing directory with files that were never in the envelope.
    std::fs::create_dir(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/precious.txt"), b"keep me").unwrap();
    for force in [false, true] {
        let mut args = vec![
            "decrypt",
            "tree.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "mine",
        ];
        if force {
            args.push("--force");
        }
        let r = kagi_in(&dir, &args);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("not empty"), "{}", r.stderr);
        assert_eq!(
            listing(&dir.join("mine")),
            BTreeSet::from(["precious.txt".into()])
        );
        assert_eq!(
            std::fs::read(dir.join("mine/precious.txt")).unwrap(),
            b"keep me"
        );
    }
    // A regular file where the tree should go is refused too, even with --force.
    std::fs::write(dir.join("afile"), b"x").unwrap();
    let r = kagi_in(
        &dir,
        &[
            "decrypt",
            "tree.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "afile",
            "--force",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("afile")).unwrap(), b"x");
    // An empty directory is filled, and stays the user's: the same inode, mode and owner (a
    // private directory is not opened to others by the tree's mode).
    std::fs::create_dir(dir.join("empty")).unwrap();
    std::fs::set_permissions(dir.join("empty"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let before = std::fs::metadata(dir.join("empty")).unwrap();
    ok(
        &dir,
        &[
            "decrypt",
            "tree.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "empty",
        ],
    );
    assert_eq!(std::fs::read(dir.join("empty/sub/a.txt")).unwrap(), b"a");
    let after = std::fs::metadata(dir.join("empty")).unwrap();
    assert_eq!(after.ino(), before.ino());
    assert_eq!(after.mode() & 0o7777, 0o700);
    // And a new name.
    ok(
        &dir,
        &["decrypt", "tree.kagi", "--key-file", "sym.key", "-o", "new"],
    );
    assert_eq!(std::fs::read(dir.join("new/sub/a.txt")).unwrap(), b"a");
    assert!(
        !listing(&dir).iter().any(|n| n.starts_with('.')),
        "{:?}",
        listing(&dir)
    );
}

// ---- 4. crafted tree envelopes ----

/// One tar entry of a crafted tree: (tar type, name, link target, mode, content).
type RawEntry<'a> = (tar::EntryType, &'a str, &'a str, u32, &'a [u8]);

/// A tree envelope built by hand, as anyone holding a recipient key could.
fn crafted(dir: &Path, name: &str, entries: &[RawEntry<'_>]) {
    let mut tar_bytes = Vec::new();
    {
        let mut b = tar::Builder::new(&mut tar_bytes);
        for (kind, path, link, mode, content) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_mode(*mode);
            h.set_size(content.len() as u64);
            h.set_mtime(1_600_000_000);
            let field = &mut h.as_old_mut().name;
            field.fill(0);
            field[..path.len()].copy_from_slice(path.as_bytes());
            let field = &mut h.as_old_mut().linkname;
            field.fill(0);
            field[..link.len()].copy_from_slice(link.as_bytes());
            h.set_cksum();
            b.append(&h, *content).unwrap();
        }
        b.finish().unwrap();
    }
    let key_text = std::fs::read_to_string(dir.join("sym.key")).unwrap();
    let hex_key = key_text.lines().nth(1).unwrap().trim();
    let key = SecretBytes::new(hex::decode(hex_key).unwrap());
    let provider = crypto_core::Provider::new(cryptrec::Policy::named("egov").unwrap()).unwrap();
    let meta = Metadata {
        kind: "directory".into(),
        name: Some("crafted".into()),
        ..Metadata::default()
    };
    let (head, sealer) = envelope::seal(
        &provider,
        &[Recipient::KeyFile(key)],
        PayloadAlg::Aes256Gcm,
        Label::default(),
        &meta,
    )
    .unwrap();
    let mut out = head;
    sealer.seal(&mut &tar_bytes[..], &mut out).unwrap();
    std::fs::write(dir.join(name), out).unwrap();
}

#[test]
fn crafted_tree_envelopes_are_refused_whole_and_special_bits_cleared() {
    use tar::EntryType::*;
    let dir = tempdir();
    sym_key(&dir);
    let file = |p: &'static str| (Regular, p, "", 0o644, &b"data"[..]);
    let hostile: Vec<(&str, Vec<RawEntry<'_>>, &str)> = vec![
        (
            "chardev",
            vec![file("ok.txt"), (Char, "null", "", 0o666, &b""[..])],
            "character device",
        ),
        (
            "blockdev",
            vec![(Block, "sda", "", 0o660, &b""[..])],
            "block device",
        ),
        ("fifo", vec![(Fifo, "p", "", 0o644, &b""[..])], "FIFO"),
        (
            "absolute",
            vec![
                file("ok.txt"),
                (Regular, "/tmp/kagi-abs-x", "", 0o644, &b"x"[..]),
            ],
            "absolute path",
        ),
        (
            "dotdot",
            vec![file("ok.txt"), (Regular, "a/../../x", "", 0o644, &b"x"[..])],
            "`..`",
        ),
        (
            "hardlink-out",
            vec![
                file("ok.txt"),
                (Link, "h", "../../etc/passwd", 0o644, &b""[..]),
            ],
            "`..`",
        ),
        (
            "hardlink-abs",
            vec![(Link, "h", "/etc/passwd", 0o644, &b""[..])],
            "absolute path",
        ),
        (
            "through-symlink",
            vec![
                (Symlink, "l", "/tmp", 0o777, &b""[..]),
                (Regular, "l/kagi-through-x", "", 0o644, &b"x"[..]),
            ],
            "not a directory",
        ),
        (
            "twice",
            vec![
                file("ok.txt"),
                (Symlink, "ok.txt", "/etc/passwd", 0o777, &b""[..]),
            ],
            "appears twice",
        ),
    ];
    for (name, entries, why) in &hostile {
        let f = format!("{name}.kagi");
        crafted(&dir, &f, entries);
        let before = listing(&dir);
        let r = kagi_in(&dir, &["decrypt", &f, "--key-file", "sym.key", "-o", "out"]);
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(why),
            "{name}: wanted {why:?} in {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert_eq!(listing(&dir), before, "{name}: something was left");
    }
    assert!(!Path::new("/tmp/kagi-abs-x").exists());
    assert!(!Path::new("/tmp/kagi-through-x").exists());
    // setuid, setgid and sticky bits are cleared; the rest of the mode stays.
    crafted(
        &dir,
        "suid.kagi",
        &[
            (Directory, "./", "", 0o1777, &b""[..]),
            (Regular, "./suid", "", 0o4755, &b"#!/bin/sh\n"[..]),
            (Regular, "./sgid", "", 0o2750, &b"x"[..]),
        ],
    );
    ok(
        &dir,
        &["decrypt", "suid.kagi", "--key-file", "sym.key", "-o", "out"],
    );
    let mode = |p: &str| std::fs::metadata(dir.join(p)).unwrap().mode() & 0o7777;
    assert_eq!(mode("out/suid"), 0o755);
    assert_eq!(mode("out/sgid"), 0o750);
    assert_eq!(mode("out"), 0o777);
}

#[test]
fn encrypting_a_tree_refuses_special_files_and_says_what_it_does_not_keep() {
    let dir = tempdir();
    sym_key(&dir);
    std::fs::create_dir_all(dir.join("tree/sub")).unwrap();
    std::fs::write(dir.join("tree/a.txt"), b"a").unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("tree/sub/pipe"))
            .status()
            .unwrap()
            .success()
    );
    let r = kagi_in(&dir, &["encrypt", "tree", "--key-file", "sym.key"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("tree/sub/pipe (a FIFO)"), "{}", r.stderr);
    assert!(!dir.join("tree.kagi").exists());
    std::fs::remove_file(dir.join("tree/sub/pipe")).unwrap();
    std::fs::set_permissions(
        dir.join("tree/a.txt"),
        std::fs::Permissions::from_mode(0o4755),
    )
    .unwrap();
    let r = kagi_in(&dir, &["encrypt", "tree", "--key-file", "sym.key"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("setuid") && r.stderr.contains("tree/a.txt"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("symbolic link"), "{}", r.stderr);
    // Links that leave the tree are carried as links, and encrypt says so; one inside is not
    // mentioned.
    std::os::unix::fs::symlink("/etc/passwd", dir.join("tree/pw")).unwrap();
    std::os::unix::fs::symlink("../../outside", dir.join("tree/sub/up")).unwrap();
    std::os::unix::fs::symlink("../a.txt", dir.join("tree/sub/in")).unwrap();
    let r = kagi_in(
        &dir,
        &["encrypt", "tree", "--key-file", "sym.key", "-o", "t2.kagi"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("2 symbolic link(s) point outside the tree")
            && r.stderr.contains("tree/pw → /etc/passwd")
            && r.stderr.contains("tree/sub/up → ../../outside")
            && !r.stderr.contains("sub/in"),
        "{}",
        r.stderr
    );
}

// ---- the adversarial suite: mutated envelopes ----

#[test]
fn five_hundred_mutated_envelopes_are_all_refused_and_leave_nothing() {
    let dir = tempdir();
    sym_key(&dir);
    let mut rng = Rng::new();
    let plain = data(3 * MIB + 1234);
    std::fs::write(dir.join("p.bin"), &plain).unwrap();
    ok(
        &dir,
        &[
            "encrypt",
            "p.bin",
            "--key-file",
            "sym.key",
            "-o",
            "good.kagi",
        ],
    );
    ok(
        &dir,
        &[
            "encrypt",
            "p.bin",
            "--key-file",
            "sym.key",
            "-o",
            "other.kagi",
        ],
    );
    let good = std::fs::read(dir.join("good.kagi")).unwrap();
    let other = std::fs::read(dir.join("other.kagi")).unwrap();
    let header_len = 13 + u32::from_be_bytes([good[9], good[10], good[11], good[12]]) as usize + 32;
    let chunk = MIB + 16;
    let body = &good[header_len..];
    let chunks: Vec<&[u8]> = body.chunks(chunk).collect();
    assert_eq!(chunks.len(), 4);
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // Bit flips: every header byte's position in turn (a random bit), then random body bytes.
    for i in 0..header_len {
        let mut b = good.clone();
        b[i] ^= 1 << rng.below(8);
        cases.push((format!("flip header byte {i}"), b));
    }
    for _ in 0..200 {
        let mut b = good.clone();
        let at = header_len + rng.below(body.len() as u64) as usize;
        b[at] ^= 1 << rng.below(8);
        cases.push((format!("flip body byte {at}"), b));
    }
    // Truncations: at every chunk boundary, one byte either side, inside the header, to zero.
    for k in 0..chunks.len() {
        for d in [-1i64, 0, 1] {
            let at = (header_len + k * chunk) as i64 + d;
            if at >= 0 && (at as usize) < good.len() {
                cases.push((format!("cut at {at}"), good[..at as usize].to_vec()));
            }
        }
    }
    for _ in 0..40 {
        let at = rng.below(good.len() as u64) as usize;
        cases.push((format!("cut at {at}"), good[..at].to_vec()));
    }
    cases.push(("empty".into(), Vec::new()));
    cases.push(("last byte gone".into(), good[..good.len() - 1].to_vec()));
    // Appended bytes: one, a block, a whole copy of the last chunk.
    for extra in [
        vec![0u8],
        vec![0x41; 16],
        chunks[3].to_vec(),
        chunks[0].to_vec(),
    ] {
        let mut b = good.clone();
        b.extend_from_slice(&extra);
        cases.push((format!("{} bytes appended", extra.len()), b));
    }
    // Reordered, duplicated and dropped chunks.
    let assemble = |order: &[usize]| {
        let mut b = good[..header_len].to_vec();
        for &i in order {
            b.extend_from_slice(chunks[i]);
        }
        b
    };
    for order in [
        vec![1, 0, 2, 3],
        vec![0, 2, 1, 3],
        vec![0, 1, 3, 2],
        vec![3, 1, 2, 0],
        vec![0, 0, 1, 2, 3],
        vec![0, 1, 1, 2, 3],
        vec![0, 1, 2, 3, 3],
        vec![1, 2, 3],
        vec![0, 2, 3],
        vec![0, 1, 3],
        vec![0, 1, 2],
        vec![0],
    ] {
        cases.push((format!("chunks {order:?}"), assemble(&order)));
    }
    // A header spliced from another encryption (same key file), and the other way round.
    let other_hl =
        13 + u32::from_be_bytes([other[9], other[10], other[11], other[12]]) as usize + 32;
    let mut b = other[..other_hl].to_vec();
    b.extend_from_slice(body);
    cases.push(("header from another encryption".into(), b));
    let mut b = good[..header_len].to_vec();
    b.extend_from_slice(&other[other_hl..]);
    cases.push(("body from another encryption".into(), b));
    // One chunk from the other encryption.
    let mut b = good.clone();
    b[header_len + chunk..header_len + 2 * chunk]
        .copy_from_slice(&other[other_hl + chunk..other_hl + 2 * chunk]);
    cases.push(("a chunk from another encryption".into(), b));
    assert!(cases.len() >= 500, "{} cases", cases.len());

    let before = listing(&dir);
    for (what, bytes) in &cases {
        std::fs::write(dir.join("m.kagi"), bytes).unwrap();
        let r = kagi_in(
            &dir,
            &[
                "decrypt",
                "m.kagi",
                "--key-file",
                "sym.key",
                "-o",
                "out.bin",
            ],
        );
        assert!(
            r.code == 1 || r.code == 2,
            "{what}: exit {} {}",
            r.code,
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{what}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
        let mut now = listing(&dir);
        now.remove("m.kagi");
        assert_eq!(now, before, "{what}: something was left");
    }
    // The untouched file still opens: the suite tested the mutations, not a broken setup.
    ok(
        &dir,
        &[
            "decrypt",
            "good.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "out.bin",
        ],
    );
    assert_eq!(std::fs::read(dir.join("out.bin")).unwrap(), plain);
}

/// Unmounts when dropped.
struct Tmpfs(std::path::PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Found by an attacker: a full disk made encrypt and decrypt hang for ever. Now each ends at
/// once with exit 2 naming ENOSPC, and nothing is left on the full file system.
#[test]
fn a_full_disk_ends_encrypt_and_decrypt_with_its_error_not_a_hang() {
    let dir = tempdir();
    sym_key(&dir);
    std::fs::write(dir.join("big.bin"), data(16 * MIB)).unwrap();
    ok(
        &dir,
        &[
            "encrypt",
            "big.bin",
            "--key-file",
            "sym.key",
            "-o",
            "big.kagi",
        ],
    );
    let small = dir.join("small");
    std::fs::create_dir(&small).unwrap();
    assert!(
        Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
            .arg(&small)
            .status()
            .unwrap()
            .success(),
        "mount needs root"
    );
    let _m = Tmpfs(small.clone());
    for args in [
        [
            "decrypt",
            "big.kagi",
            "--key-file",
            "sym.key",
            "-o",
            "small/out.bin",
        ],
        [
            "encrypt",
            "big.bin",
            "--key-file",
            "sym.key",
            "-o",
            "small/out.kagi",
        ],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kagi"))
            .args(args)
            .current_dir(&*dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("{args:?} hangs on a full disk");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("No space left"), "{args:?}: {err}");
        assert!(listing(&small).is_empty(), "{:?}", listing(&small));
    }
}

/// Found by an attacker: an empty mount point given as a tree's destination ended in "Device
/// or resource busy (os error 16)". It is an empty directory like any other: filled, from a
/// staging directory made on its own file system, with nothing of kagi's left on either side.
#[test]
fn an_empty_mount_point_is_filled_like_any_empty_directory() {
    let dir = tempdir();
    sym_key(&dir);
    std::fs::create_dir_all(dir.join("tree/sub")).unwrap();
    std::fs::write(dir.join("tree/sub/a.txt"), b"a").unwrap();
    std::fs::write(dir.join("tree/b.bin"), data(3 * MIB)).unwrap();
    ok(&dir, &["encrypt", "tree", "--key-file", "sym.key"]);
    for named in [false, true] {
        let mnt = dir.join(if named { "mnt-named" } else { "mnt" });
        std::fs::create_dir(&mnt).unwrap();
        assert!(
            Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=16m,mode=0750", "tmpfs"])
                .arg(&mnt)
                .status()
                .unwrap()
                .success(),
            "mount needs root"
        );
        let _m = Tmpfs(mnt.clone());
        let before: BTreeSet<String> = listing(&dir);
        let mut c = Command::new(env!("CARGO_BIN_EXE_kagi"));
        c.args(["decrypt", "tree.kagi", "--key-file", "sym.key", "-o"])
            .arg(&mnt)
            .current_dir(&*dir);
        if named {
            c.env("KAGI_STAGING", "named");
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "named={named}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read(mnt.join("sub/a.txt")).unwrap(), b"a");
        assert_eq!(std::fs::read(mnt.join("b.bin")).unwrap(), data(3 * MIB));
        assert_eq!(
            listing(&mnt),
            BTreeSet::from(["b.bin".into(), "sub".into()]),
            "named={named}"
        );
        assert_eq!(listing(&dir), before, "named={named}");
        assert_eq!(
            std::fs::metadata(&mnt).unwrap().mode() & 0o7777,
            0o750,
            "the mount point keeps its mode"
        );
        // Filled now, so a second decrypt into it is refused and changes nothing.
        let r = kagi_in(
            &dir,
            &[
                "decrypt",
                "tree.kagi",
                "--key-file",
                "sym.key",
                "-o",
                mnt.file_name().unwrap().to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(
            listing(&mnt),
            BTreeSet::from(["b.bin".into(), "sub".into()])
        );
    }
}

/// Found by an attacker: a directory given where a key file belongs said "Is a directory (os
/// error 21)". It now says what the path is.
#[test]
fn a_directory_given_as_a_key_file_is_named_as_such() {
    let dir = tempdir();
    std::fs::write(dir.join("f.txt"), b"x").unwrap();
    std::fs::create_dir(dir.join("keys")).unwrap();
    let r = kagi_in(&dir, &["encrypt", "f.txt", "--key-file", "keys"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("keys: a directory, not a key"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("os error"), "{}", r.stderr);
    assert!(!dir.join("f.txt.kagi").exists());
}
