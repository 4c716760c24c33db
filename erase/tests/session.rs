//! `erase::session` without the CLI: runs interrupted at a checkpoint (as by Ctrl-C) and
//! resumed from the journal alone — on a regular file and on a real loop device (root, as CI
//! runs) — with the certificate issued into the ledger by the library; a crypto-erase
//! interrupted after its first block (its header gone) resumed from its journal; a journal
//! with a malformed certificate configuration refused on resume.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crypto_core::Provider;
use crypto_core::keys::{KeyAlg, PrivateKey};
use crypto_core::pki::{self, Profile};
use erase::certificate;
use erase::certify::{CertConfig, Credentials};
use erase::engine::{Plan, Progress, Verify};
use erase::journal::Journal;
use erase::session::{self, Attestations, Done, Observer, Quiet, Session};

fn provider() -> Provider {
    Provider::egov().unwrap()
}

/// A fresh directory, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(what: &str) -> Temp {
        let d = std::env::temp_dir().join(format!(
            "kagi-session-{what}-{}-{}",
            std::process::id(),
            hex::encode(crypto_core::rand::array::<6>().unwrap())
        ));
        std::fs::create_dir_all(&d).unwrap();
        Temp(d)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loop device over an image, detached when dropped (also when a test fails).
struct Loop(String);

impl Loop {
    fn new(img: &Path) -> Loop {
        let out = Command::new("losetup")
            .args(["-f", "--show"])
            .arg(img)
            .output()
            .expect("losetup (util-linux/mount) is needed for the loop-device session test");
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

/// Sets the stop flag at the `n`th event of `phase` (as Ctrl-C would), and counts notices.
struct StopAt<'a> {
    stop: &'a AtomicBool,
    phase: &'static str,
    n: usize,
    seen: AtomicUsize,
    notices: std::sync::Mutex<Vec<String>>,
}

impl<'a> StopAt<'a> {
    fn new(stop: &'a AtomicBool, phase: &'static str, n: usize) -> StopAt<'a> {
        StopAt {
            stop,
            phase,
            n,
            seen: AtomicUsize::new(0),
            notices: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl Observer for StopAt<'_> {
    fn progress(&self, _job: usize, p: &Progress) {
        if p.phase == self.phase && self.seen.fetch_add(1, Ordering::SeqCst) + 1 == self.n {
            self.stop.store(true, Ordering::SeqCst);
        }
    }
    fn notice(&self, _job: usize, text: &str) {
        self.notices.lock().unwrap().push(text.to_string());
    }
}

/// The operator's key and self-signed `erase` certificate, and a configuration naming them.
fn operator(dir: &Path, p: &Provider) -> (Credentials, Vec<u8>, CertConfig) {
    let key = PrivateKey::generate(p, KeyAlg::Ecdsa(cryptrec::Curve::P256)).unwrap();
    let cert = pki::self_signed(
        p,
        &key,
        "CN=Operator,O=Session Test",
        30,
        Profile::EraseCertificates,
    )
    .unwrap();
    let config = CertConfig {
        organisation: Some("総務課".into()),
        operator: Some("山田 太郎".into()),
        role: Some("情報システム担当".into()),
        // Only the paths are journaled; the library never reads them.
        sign_key: Some(dir.join("operator.key")),
        sign_cert: Some(dir.join("operator.crt")),
        certificate_dir: Some(dir.join("certificates")),
        ..CertConfig::default()
    };
    (
        Credentials::new(key, cert.clone(), Vec::new(), "operator.crt"),
        cert,
        config,
    )
}

fn original(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ 0x5a).collect()
}

/// Sectors of `now` equal to the sector at the same place in `before`.
fn same_sectors(now: &[u8], before: &[u8]) -> usize {
    now.chunks(512)
        .zip(before.chunks(512))
        .filter(|(a, b)| a == b)
        .count()
}

/// Checks the certificate file of `issued` against the operator's certificate, and the ledger.
fn certificate_holds(p: &Provider, issued: &erase::certify::Issued, trust: &[u8], ledger: &Path) {
    let bytes = std::fs::read(&issued.path).unwrap();
    let sealed = certificate::open(&bytes).unwrap();
    let v = certificate::verify(
        p,
        &sealed,
        &[trust.to_vec()],
        time::OffsetDateTime::now_utc(),
    );
    assert!(v.valid(), "{:?}", v.problems());
    assert_eq!(
        sealed.document.ledger.as_ref().map(|l| l.seq),
        Some(issued.ledger_seq)
    );
    let c = erase::ledger::Ledger::new(ledger).check(p).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(c.entries, issued.ledger_seq);
}

#[test]
fn a_regular_file_run_is_interrupted_at_a_checkpoint_and_resumed_from_its_journal() {
    let p = provider();
    let tmp = Temp::new("file");
    let state = tmp.0.join("state");
    let target = tmp.0.join("secret.bin");
    let before = original(8 << 20);
    std::fs::write(&target, &before).unwrap();
    let (creds, trust, config) = operator(&tmp.0, &p);
    // Three passes; each 8 MiB pass is one window, so the first checkpoint ends pass 1.
    let plan = Plan::parse(None, Some("zero,one,random"), Verify::Full).unwrap();

    let mut s = Session::new(&p, &state);
    let job = s.add_run(&target, &plan, false, config.clone()).unwrap();
    assert_eq!(job.size(), 8 << 20);
    assert!(job.device().is_none());
    let journal = job.journal().path().to_path_buf();
    assert!(!journal.exists(), "nothing is written before run");
    let stop = AtomicBool::new(false);
    let ran = s
        .run(Some(&creds), &stop, &StopAt::new(&stop, "checkpoint", 1))
        .unwrap();
    let r = ran.jobs.into_iter().next().unwrap();
    let Ok(Done::Stopped { state: stopped }) = r.result else {
        panic!("not stopped: {:?}", r.result);
    };
    // Stopped as pass 2 began: nothing of it written; the journal keeps pass 1's checkpoint.
    assert_eq!((stopped.pass, stopped.done), (1, 0));
    // The journal holds the checkpoint and the typed certificate configuration; the file is
    // still there, all zeros (pass 1), and nothing was certified.
    let entry = Journal::new(
        &state,
        &std::fs::canonicalize(&target)
            .unwrap()
            .display()
            .to_string(),
    )
    .load()
    .unwrap()
    .unwrap();
    assert_eq!(entry.state.done, 8 << 20);
    assert_eq!(entry.certify.as_ref(), Some(&config));
    assert!(std::fs::read(&target).unwrap().iter().all(|&b| b == 0));
    assert!(!state.join("ledger.jsonl").exists());

    // A resume in a new session knows only the state directory and the target.
    let mut again = Session::new(&p, &state);
    for (journal, entry) in session::pending(&state, std::slice::from_ref(&target)).unwrap() {
        let certify = entry.certify.clone().unwrap();
        let job = again.add_resume(journal, entry, certify).unwrap();
        assert_eq!(job.state().report.resumed.len(), 1);
    }
    let stop = AtomicBool::new(false);
    let observer = StopAt::new(&stop, "never", 0);
    let ran = again.run(Some(&creds), &stop, &observer).unwrap();
    let r = ran.jobs.into_iter().next().unwrap();
    let Ok(Done::Overwritten {
        report,
        certificate: Some(issued),
    }) = r.result
    else {
        panic!("not finished with a certificate: {:?}", r.result);
    };
    assert!(report.complete(), "{report:?}");
    assert_eq!(report.bytes_written, 3 * (8 << 20));
    assert_eq!(report.resumed.len(), 1);
    assert!(
        report.recheck.is_some(),
        "a resumed run re-reads what it verified"
    );
    // Journal gone, file removed (with the caveat), certificate valid and in the ledger.
    assert!(!journal.exists());
    assert!(!target.exists());
    assert!(
        observer
            .notices
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.contains("copy-on-write")),
        "{:?}",
        observer.notices
    );
    certificate_holds(&p, &issued, &trust, &state.join("ledger.jsonl"));
    assert!(issued.path.starts_with(tmp.0.join("certificates")));
    assert!(session::pending(&state, &[]).is_err(), "nothing pending");
}

#[test]
fn a_loop_device_run_is_interrupted_and_resumed_and_the_device_rechecks() {
    let p = provider();
    let tmp = Temp::new("loop");
    let state = tmp.0.join("state");
    let img = tmp.0.join("disk.img");
    let before = original(16 << 20);
    std::fs::write(&img, &before).unwrap();
    let dev = Loop::new(&img);
    let path = PathBuf::from(&dev.0);
    let (creds, trust, config) = operator(&tmp.0, &p);
    let plan = Plan::parse(None, Some("zero,random"), Verify::Full).unwrap();

    let mut s = Session::new(&p, &state);
    let job = s.add_run(&path, &plan, false, config).unwrap();
    assert_eq!(job.device().map(|d| d.transport.as_str()), Some("loop"));
    // A second preparation of the same device is refused before anything is written.
    let twice = s.add_run(&path, &plan, false, CertConfig::default());
    assert!(twice.err().unwrap().to_string().contains("named twice"));
    let stop = AtomicBool::new(false);
    // Stopped during pass 2's writes, after pass 1's checkpoint.
    let ran = s
        .run(Some(&creds), &stop, &StopAt::new(&stop, "write", 6))
        .unwrap();
    let r = ran.jobs.into_iter().next().unwrap();
    assert!(
        matches!(&r.result, Ok(Done::Stopped { state }) if state.pass == 1 && state.done == 0),
        "{:?}",
        r.result
    );
    // A new run of the same device is refused while the journal is pending.
    let mut other = Session::new(&p, &state);
    let pending = other.add_run(&path, &plan, false, CertConfig::default());
    assert!(
        pending
            .err()
            .unwrap()
            .to_string()
            .contains("an interrupted run is pending")
    );

    let mut again = Session::new(&p, &state);
    for (journal, entry) in session::pending(&state, &[]).unwrap() {
        let certify = entry.certify.clone().unwrap();
        again.add_resume(journal, entry, certify).unwrap();
    }
    let stop = AtomicBool::new(false);
    let ran = again.run(Some(&creds), &stop, &Quiet).unwrap();
    let r = ran.jobs.into_iter().next().unwrap();
    let Ok(Done::Overwritten {
        report,
        certificate: Some(issued),
    }) = r.result
    else {
        panic!("not finished with a certificate: {:?}", r.result);
    };
    assert!(report.complete() && report.direct_io, "{report:?}");
    assert_eq!(report.bytes_written, 2 * (16 << 20));
    // The random pass was written in two stretches (a new key after the resume)... or one, if
    // the stop came before its first write landed; never none.
    assert!(!report.passes[1].segments.is_empty());
    certificate_holds(&p, &issued, &trust, &state.join("ledger.jsonl"));
    // The device still holds what its certificate says, read back by the library.
    let doc = certificate::open(&std::fs::read(&issued.path).unwrap())
        .unwrap()
        .document;
    let held = erase::device_check::check_device(&p, &doc, &path).unwrap();
    assert!(held.contains("still holds the last pass"), "{held}");
    drop(dev);
    // An independent read of the backing file: no sector of the original is left.
    let now = std::fs::read(&img).unwrap();
    assert_eq!(same_sectors(&now, &before), 0);
}

/// A minimal LUKS2 image: two binary headers, JSON metadata, keyslots before a 16 MiB data
/// offset, ciphertext-like data after it.
fn luks2_image(path: &Path, size: usize) {
    let hdr = 16384usize;
    let json = serde_json::json!({
        "keyslots": {"0": {"area": {"offset": "32768", "size": "258048"}}},
        "segments": {"0": {"offset": "16777216", "size": "dynamic"}},
        "config": {"json_size": "12288", "keyslots_size": "16744448"}
    })
    .to_string();
    let mut img = vec![0u8; size];
    crypto_core::rand::fill(&mut img[16 << 20..]).unwrap();
    for (at, magic) in [(0usize, b"LUKS\xba\xbe"), (hdr, b"SKUL\xba\xbe")] {
        img[at..at + 6].copy_from_slice(magic);
        img[at + 6..at + 8].copy_from_slice(&2u16.to_be_bytes());
        img[at + 8..at + 16].copy_from_slice(&(hdr as u64).to_be_bytes());
        img[at + 4096..at + 4096 + json.len()].copy_from_slice(json.as_bytes());
    }
    // Keyslot material that must not survive.
    img[32768..32768 + 258048].fill(0x4b);
    std::fs::write(path, img).unwrap();
}

#[test]
fn a_crypto_erase_interrupted_after_its_header_is_gone_is_resumed_from_its_journal() {
    let p = provider();
    let tmp = Temp::new("crypto");
    let state = tmp.0.join("state");
    let img = tmp.0.join("volume.img");
    luks2_image(&img, 20 << 20);
    let (creds, trust, config) = operator(&tmp.0, &p);
    let attested = Attestations {
        encrypted_from_first_write: true,
        no_key_copies: true,
    };
    let mut s = Session::new(&p, &state);
    let job = s.add_crypto(&img, attested, config).unwrap();
    let c = job.crypto().unwrap();
    assert_eq!(c.found.area.end, 16 << 20);
    assert!(!c.data.readable_data(), "{:?}", c.data);
    let stop = AtomicBool::new(false);
    // Stopped after the first 4 MiB block: the header is gone, the keyslots are not.
    let ran = s
        .run(Some(&creds), &stop, &StopAt::new(&stop, "write", 1))
        .unwrap();
    assert!(matches!(ran.jobs[0].result, Ok(Done::Stopped { .. })));
    let now = std::fs::read(&img).unwrap();
    assert!(
        erase::crypto_erase::locate(&mut erase::target::RegularFile::open(&img).unwrap()).is_err(),
        "the header no longer parses"
    );
    assert!(
        now[32768..32768 + 258048].contains(&0x4b),
        "keyslot material is still there"
    );
    // Without a journal nothing could find the key area again; with it, a resume finishes.
    let mut again = Session::new(&p, &state);
    for (journal, entry) in session::pending(&state, &[]).unwrap() {
        assert!(entry.crypto.is_some());
        let certify = entry.certify.clone().unwrap();
        again.add_resume(journal, entry, certify).unwrap();
    }
    let ran = again
        .run(Some(&creds), &AtomicBool::new(false), &Quiet)
        .unwrap();
    let Ok(Done::CryptoErased {
        outcome,
        certificate: Some(issued),
    }) = &ran.jobs[0].result
    else {
        panic!("not crypto-erased: {:?}", ran.jobs[0].result);
    };
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(issued.nist_level, "Clear", "a file: Clear at most");
    certificate_holds(&p, issued, &trust, &state.join("ledger.jsonl"));
    let now = std::fs::read(&img).unwrap();
    assert!(
        now[..16 << 20]
            .chunks(512)
            .all(|s| !s.iter().all(|&b| b == s[0])),
        "no sector of the key area is left as it was"
    );
    assert!(
        !now[32768..32768 + 258048]
            .windows(64)
            .any(|w| w.iter().all(|&b| b == 0x4b))
    );
    assert!(session::pending(&state, &[]).is_err(), "journal removed");
}

#[test]
fn a_journal_with_a_malformed_certificate_configuration_is_refused_on_resume() {
    let p = provider();
    let tmp = Temp::new("malformed");
    let state = tmp.0.join("state");
    let target = tmp.0.join("f.bin");
    std::fs::write(&target, original(4 << 20)).unwrap();
    let (_, _, config) = operator(&tmp.0, &p);
    let plan = Plan::parse(None, Some("zero,one"), Verify::Full).unwrap();
    let mut s = Session::new(&p, &state);
    s.add_run(&target, &plan, false, config).unwrap();
    let stop = AtomicBool::new(false);
    // No credentials for a run that asks for a certificate: refused before anything is written.
    let e = s.run(None, &stop, &Quiet).err().unwrap().to_string();
    assert!(e.contains("nothing was written"), "{e}");
    assert_eq!(std::fs::read(&target).unwrap(), original(4 << 20));
    // Interrupted without a certificate, then its journal's configuration damaged.
    let mut s = Session::new(&p, &state);
    s.add_run(&target, &plan, false, CertConfig::default())
        .unwrap();
    let ran = s
        .run(None, &stop, &StopAt::new(&stop, "checkpoint", 1))
        .unwrap();
    assert!(matches!(ran.jobs[0].result, Ok(Done::Stopped { .. })));
    let journal = Journal::pending(&state).unwrap().remove(0).0;
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(journal.path()).unwrap()).unwrap();
    for bad in [
        serde_json::json!({"organisation": "総務課", "sign_kee": "/k.pem"}),
        serde_json::json!({"sign_key": ["/k.pem"]}),
        serde_json::json!("総務課"),
    ] {
        v["certify"] = bad.clone();
        std::fs::write(journal.path(), v.to_string()).unwrap();
        let e = session::pending(&state, &[]).err().unwrap().to_string();
        assert!(
            e.contains(&journal.path().display().to_string()),
            "{bad}: {e}"
        );
    }
}
