//! The engine on the fault-injecting target (every fault ends in a failed run that names its
//! range) and on a real loop device (root, as CI runs).
#![allow(clippy::unwrap_used)]

use crypto_core::Provider;
use std::sync::atomic::{AtomicBool, Ordering};

use erase::engine::{self, BLOCK, Ended, Plan, Range, State, Verify};
use erase::target::{Device, Fault, Faulty};

fn provider() -> Provider {
    Provider::egov().unwrap()
}

fn plan(method: &str, verify: Verify) -> Plan {
    Plan::parse(Some(method), None, verify).unwrap()
}

#[test]
fn every_method_completes_and_verifies_on_a_clean_target() {
    let p = provider();
    for m in ["zero", "one", "pattern:deadbeef01", "random"] {
        let mut t = Faulty::new(2 * BLOCK + 4096, 0xa5, vec![]);
        let r = engine::run_plan(&p, &mut t, &plan(m, Verify::Full)).unwrap();
        assert!(r.complete(), "{m}: {r:?}");
        assert_eq!(r.bytes_written, (2 * BLOCK + 4096) as u64);
        assert_eq!(r.bytes_verified, r.bytes_written);
        let survivors = t.data().iter().filter(|&&b| b == 0xa5).count();
        assert!(
            survivors < t.data().len() / 100,
            "{m}: {survivors} bytes of the old fill remain"
        );
        assert_eq!(
            r.passes[0].segments[0].key_commitment.is_some(),
            m == "random"
        );
    }
}

#[test]
fn every_fault_fails_the_run_and_names_its_range() {
    let p = provider();
    let size = 3 * BLOCK;
    let at = (BLOCK + 12345) as u64;
    let block = Range {
        start: BLOCK as u64,
        end: 2 * BLOCK as u64,
    };
    for (fault, check) in [
        (Fault::WriteError(at), "write"),
        (Fault::ReadError(at), "read"),
        (Fault::ShortRead(at), "read"),
        (Fault::BadByte(at), "mismatch"),
    ] {
        let mut t = Faulty::new(size, 0, vec![fault]);
        let r = engine::run_plan(&p, &mut t, &plan("random", Verify::Full)).unwrap();
        assert!(!r.complete(), "{fault:?}");
        match check {
            "write" => assert_eq!(r.write_failures, vec![block]),
            "read" => assert_eq!(r.read_failures, vec![block]),
            _ => assert_eq!(
                r.mismatches,
                vec![Range {
                    start: at / 512 * 512,
                    end: at / 512 * 512 + 512
                }]
            ),
        }
    }
    // Without verification a bad sector goes unseen — which is why `full` is the default.
    let mut t = Faulty::new(size, 0, vec![Fault::BadByte(at)]);
    let r = engine::run_plan(&p, &mut t, &plan("zero", Verify::Off)).unwrap();
    assert!(r.complete() && r.bytes_verified == 0);
}

#[test]
fn a_loop_device_is_overwritten_and_an_independent_read_finds_nothing_old() {
    let dir = std::env::temp_dir().join(format!("kagi-erase-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join("disk.img");
    let size = 16 * BLOCK + 8192;
    let original: Vec<u8> = (0..size).map(|i| (i % 251) as u8 ^ 0x3c).collect();
    std::fs::write(&img, &original).unwrap();
    // Detached when dropped, also if the test panics.
    let dev = test_support::Loop::new(&img);
    let result = erase_loop(&dev.0);
    drop(dev);
    assert!(result.complete(), "{result:?}");
    assert!(result.direct_io);
    // Read the backing file with std, not with kagi: no 512-byte sector of the original is left.
    let now = std::fs::read(&img).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(now.len(), size);
    let same = now
        .chunks(512)
        .zip(original.chunks(512))
        .filter(|(a, b)| a == b)
        .count();
    assert_eq!(same, 0);
    let equal_bytes = now.iter().zip(&original).filter(|(a, b)| a == b).count();
    assert!(
        equal_bytes < size / 200,
        "{equal_bytes} bytes equal by chance (expect ~1/256)"
    );
}

fn erase_loop(dev: &str) -> engine::Report {
    let listed = erase::discover::find(std::path::Path::new(&dev)).unwrap();
    assert_eq!(listed.transport, "loop");
    assert_eq!(
        listed
            .backing_file
            .as_deref()
            .map(|b| b.ends_with("disk.img")),
        Some(true)
    );
    assert!(listed.refused.is_none(), "{:?}", listed.refused);
    assert!(listed.serial.is_none(), "no invented serial");
    let mut t = Device::open(std::path::Path::new(&dev)).unwrap();
    engine::run_plan(&provider(), &mut t, &plan("random", Verify::Full)).unwrap()
}

#[test]
fn sampled_verification_reads_a_tenth_and_always_the_ends() {
    let p = provider();
    let size = 40 * BLOCK;
    let mut t = Faulty::new(size, 0, vec![]);
    let r = engine::run_plan(&p, &mut t, &plan("random", Verify::Sample(10))).unwrap();
    assert!(r.complete(), "{r:?}");
    assert!(r.sample_seed.is_some());
    assert!(
        r.bytes_verified >= (size / 10) as u64 && r.bytes_verified < (size / 2) as u64,
        "{}",
        r.bytes_verified
    );
    // A bad sector in the first block (always sampled) is found.
    let mut t = Faulty::new(size, 0, vec![Fault::BadByte(100)]);
    let r = engine::run_plan(&p, &mut t, &plan("zero", Verify::Sample(10))).unwrap();
    assert!(!r.complete());
    assert_eq!(r.mismatches, vec![Range { start: 0, end: 512 }]);
}

#[test]
fn a_named_scheme_runs_every_pass_and_verifies_the_last() {
    let p = provider();
    let size = 3 * BLOCK + 4096;
    let mut t = Faulty::new(size, 0x11, vec![]);
    let plan = Plan::parse(None, Some("dod-short"), Verify::Full).unwrap();
    let r = engine::run_plan(&p, &mut t, &plan).unwrap();
    assert!(r.complete(), "{r:?}");
    assert_eq!(r.bytes_written, 3 * size as u64);
    assert_eq!(r.bytes_verified, size as u64);
    let methods: Vec<&str> = r.passes.iter().map(|x| x.method.as_str()).collect();
    assert_eq!(methods, ["zero", "one", "random"]);
    assert_eq!(
        r.passes.iter().map(|x| x.verified).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert!(r.method.starts_with("dod-short"));
    // A fault under an early pass still fails the run, though that pass is not read back.
    let mut t = Faulty::new(size, 0, vec![Fault::WriteError(5)]);
    let r = engine::run_plan(&p, &mut t, &plan).unwrap();
    assert!(!r.complete());
    assert_eq!(
        r.write_failures,
        vec![Range {
            start: 0,
            end: BLOCK as u64
        }]
    );
    // Refused for what is wrong, by name: not merely some error.
    let err = Plan::parse(Some("zero"), Some("dod-short"), Verify::Full)
        .err()
        .unwrap();
    assert!(
        matches!(&err, erase::Error::Invalid(m) if m.contains("not both")),
        "{err:?}"
    );
    let err = Plan::parse(None, Some("zero,bogus"), Verify::Full)
        .err()
        .unwrap();
    assert!(
        matches!(&err, erase::Error::Invalid(m) if m.contains("unknown method or scheme `bogus`")),
        "{err:?}"
    );
}

/// Runs `state` until `stop_when` says so (called at each progress event), then resumes it
/// to the end; returns the states after the stop and at the end.
fn stop_then_resume(
    t: &mut Faulty,
    mut state: State,
    stop_when: impl Fn(&engine::Progress) -> bool,
) -> (State, State) {
    let p = provider();
    let stop = AtomicBool::new(false);
    let mut saved: Option<State> = None;
    let ended = engine::run(
        &p,
        t,
        &mut state,
        &stop,
        &mut |s| {
            saved = Some(s.clone());
            Ok(())
        },
        &mut |pr| {
            if stop_when(&pr) {
                stop.store(true, Ordering::Relaxed);
            }
        },
    )
    .unwrap();
    assert_eq!(ended, Ended::Stopped);
    // What the journal holds is the last checkpoint, and so is the state the engine left.
    let journal = saved.expect("a checkpoint before the stop");
    assert_eq!(journal.done, state.done);
    assert_eq!(journal.report.bytes_written, state.report.bytes_written);
    let stopped = state.clone();
    let mut resumed: State =
        serde_json::from_str(&serde_json::to_string(&journal).unwrap()).unwrap();
    resumed.resuming();
    let ended = engine::run(
        &p,
        t,
        &mut resumed,
        &AtomicBool::new(false),
        &mut |_| Ok(()),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(ended, Ended::Finished);
    (stopped, resumed)
}

#[test]
fn a_stopped_run_resumes_from_its_last_checkpoint_with_a_new_key() {
    let size = 10 * BLOCK;
    let mut t = Faulty::new(size, 0x77, vec![]);
    let mut state = State::new(&t, &plan("random", Verify::Full)).unwrap();
    state.window = 2 * BLOCK as u64;
    // Stop in the middle of the third window (after its first write).
    let (stopped, done) = stop_then_resume(&mut t, state, |pr| {
        pr.phase == "write" && pr.done == 5 * BLOCK as u64
    });
    assert_eq!(stopped.done, 4 * BLOCK as u64);
    assert_eq!(stopped.report.bytes_written, 4 * BLOCK as u64);
    assert_eq!(stopped.report.bytes_verified, 4 * BLOCK as u64);
    assert!(!stopped.report.complete());
    let r = &done.report;
    assert!(r.complete(), "{r:?}");
    assert_eq!(r.bytes_written, size as u64);
    assert_eq!(r.bytes_verified, size as u64);
    assert_eq!(r.resumed.len(), 1);
    let segs = &r.passes[0].segments;
    assert_eq!(segs.len(), 2);
    assert_eq!((segs[0].start, segs[0].end), (0, 4 * BLOCK as u64));
    assert_eq!(
        (segs[1].start, segs[1].end),
        (4 * BLOCK as u64, size as u64)
    );
    assert_ne!(segs[0].key_commitment, segs[1].key_commitment);
    assert!(segs.iter().all(|s| s.key_commitment.is_some()));
    let survivors = t.data().iter().filter(|&&b| b == 0x77).count();
    assert!(survivors < size / 100, "{survivors}");
}

#[test]
fn a_multi_pass_run_stopped_in_its_second_pass_resumes_there() {
    let size = 6 * BLOCK;
    let mut t = Faulty::new(size, 0x77, vec![]);
    let mut state = State::new(&t, &plan("zero", Verify::Full)).unwrap();
    state = {
        let mut s = State::new(
            &t,
            &Plan::parse(None, Some("one,zero"), Verify::Sample(20)).unwrap(),
        )
        .unwrap();
        s.window = 2 * BLOCK as u64;
        assert_eq!(state.passes, ["zero"]);
        s
    };
    let (stopped, done) = stop_then_resume(&mut t, state, |pr| {
        pr.pass == 2 && pr.phase == "checkpoint" && pr.done == 2 * BLOCK as u64
    });
    assert_eq!((stopped.pass, stopped.done), (1, 2 * BLOCK as u64));
    let r = &done.report;
    assert!(r.complete(), "{r:?}");
    assert_eq!(r.bytes_written, 2 * size as u64);
    assert_eq!(r.passes[0].segments.len(), 1);
    assert_eq!(r.passes[1].segments.len(), 2);
    assert!(r.bytes_verified >= size as u64 / 5);
    assert!(t.data().iter().all(|&b| b == 0));
}

#[test]
fn failures_before_an_interruption_survive_the_resume() {
    let size = 6 * BLOCK;
    let at = (BLOCK + 77) as u64;
    let mut t = Faulty::new(size, 0, vec![Fault::BadByte(at)]);
    let mut state = State::new(&t, &plan("random", Verify::Full)).unwrap();
    state.window = 2 * BLOCK as u64;
    let (stopped, done) = stop_then_resume(&mut t, state, |pr| {
        pr.phase == "write" && pr.done == 3 * BLOCK as u64
    });
    assert_eq!(stopped.report.mismatches.len(), 1);
    assert!(!done.report.complete());
    assert_eq!(
        done.report.mismatches,
        vec![Range {
            start: at / 512 * 512,
            end: at / 512 * 512 + 512
        }]
    );
}

#[test]
fn discard_on_a_loop_device_drops_the_data_and_the_engine_reports_it() {
    use erase::target::Target;
    let img = format!("/dev/shm/kagi-discard-{}.img", std::process::id());
    std::fs::write(&img, vec![0x42u8; 8 * BLOCK]).unwrap();
    // Detached when dropped, also if the test panics.
    let loop_dev = test_support::Loop::new(std::path::Path::new(&img));
    let dev = loop_dev.0.clone();
    let result = {
        let mut t = Device::open(std::path::Path::new(&dev)).unwrap();
        t.discard(BLOCK as u64, 2 * BLOCK as u64).unwrap();
        let mut buf = erase::target::AlignedBuf::new(BLOCK);
        t.read_at(buf.as_mut_slice(), BLOCK as u64).unwrap();
        let discarded_reads_zero = buf.as_slice().iter().all(|&b| b == 0);
        t.read_at(buf.as_mut_slice(), 0).unwrap();
        let kept = buf.as_slice().iter().all(|&b| b == 0x42);
        let mut plan = plan("one", Verify::Full);
        plan.discard = true;
        let r = engine::run_plan(&provider(), &mut t, &plan).unwrap();
        (discarded_reads_zero, kept, r)
    };
    drop(loop_dev);
    let _ = std::fs::remove_file(&img);
    let (zero, kept, r) = result;
    assert!(zero, "a discarded range of a loop device reads as zeros");
    assert!(kept, "outside the range nothing changed");
    assert!(r.complete(), "{r:?}");
    assert!(r.discard.unwrap().contains("was discarded"));
    // A target without discard says so, and the run still completes.
    let mut t = Faulty::new(BLOCK, 0, vec![]);
    let mut plan = plan("zero", Verify::Full);
    plan.discard = true;
    let r = engine::run_plan(&provider(), &mut t, &plan).unwrap();
    assert!(r.complete());
    assert!(r.discard.unwrap().contains("not done"));
}
