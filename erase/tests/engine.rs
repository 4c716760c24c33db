//! The engine on the fault-injecting target (every fault ends in a failed run that names its
//! range) and on a real loop device (root, as CI runs).
#![allow(clippy::unwrap_used)]

use crypto_core::Provider;
use erase::engine::{self, BLOCK, Range};
use erase::method::Method;
use erase::target::{Device, Fault, Faulty};

fn provider() -> Provider {
    Provider::egov().unwrap()
}

#[test]
fn every_method_completes_and_verifies_on_a_clean_target() {
    let p = provider();
    for m in ["zero", "one", "pattern:deadbeef01", "random"] {
        let method: Method = m.parse().unwrap();
        let mut t = Faulty::new(2 * BLOCK + 4096, 0xa5, vec![]);
        let r = engine::run(&p, &mut t, &method, engine::Verify::Full, &mut |_| {}).unwrap();
        assert!(r.complete(), "{m}: {r:?}");
        assert_eq!(r.bytes_written, (2 * BLOCK + 4096) as u64);
        assert_eq!(r.bytes_verified, r.bytes_written);
        let survivors = t.data().iter().filter(|&&b| b == 0xa5).count();
        assert!(
            survivors < t.data().len() / 100,
            "{m}: {survivors} bytes of the old fill remain"
        );
        assert_eq!(r.key_commitment.is_some(), m == "random");
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
        let r = engine::run(
            &p,
            &mut t,
            &Method::Random,
            engine::Verify::Full,
            &mut |_| {},
        )
        .unwrap();
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
    let r = engine::run(&p, &mut t, &Method::Zero, engine::Verify::Off, &mut |_| {}).unwrap();
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
    let out = std::process::Command::new("losetup")
        .args(["-f", "--show"])
        .arg(&img)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "losetup needs root (CI runs as root): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dev = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let result = erase_loop(&dev);
    let _ = std::process::Command::new("losetup")
        .args(["-d", &dev])
        .status();
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
    engine::run(
        &provider(),
        &mut t,
        &Method::Random,
        engine::Verify::Full,
        &mut |_| {},
    )
    .unwrap()
}

#[test]
fn sampled_verification_reads_a_tenth_and_always_the_ends() {
    let p = provider();
    let size = 40 * BLOCK;
    let mut t = Faulty::new(size, 0, vec![]);
    let r = engine::run(
        &p,
        &mut t,
        &Method::Random,
        engine::Verify::Sample(10),
        &mut |_| {},
    )
    .unwrap();
    assert!(r.complete(), "{r:?}");
    assert!(r.sample_seed.is_some());
    assert!(
        r.bytes_verified >= (size / 10) as u64 && r.bytes_verified < (size / 2) as u64,
        "{}",
        r.bytes_verified
    );
    // A bad sector in the first block (always sampled) is found.
    let mut t = Faulty::new(size, 0, vec![Fault::BadByte(100)]);
    let r = engine::run(
        &p,
        &mut t,
        &Method::Zero,
        engine::Verify::Sample(10),
        &mut |_| {},
    )
    .unwrap();
    assert!(!r.complete());
    assert_eq!(r.mismatches, vec![Range { start: 0, end: 512 }]);
}
