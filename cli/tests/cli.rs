//! The real `kagi` binary, run in a fresh temp dir with a scrubbed environment.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::process::Command;

#[test]
fn the_issue_examples_hold() {
    let r = kagi(&[
        "policy",
        "check",
        "rsa-pss-2048-sha256",
        "--use",
        "protect",
        "--as-of",
        "2030-06-01",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("permitted until 2030-12-31"),
        "{}",
        r.stdout
    );

    let r = kagi(&[
        "policy",
        "check",
        "rsa-pss-2048-sha256",
        "--use",
        "protect",
        "--as-of",
        "2031-01-01",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("refused") && r.stdout.contains("LS-0003"),
        "{}",
        r.stdout
    );

    let r = kagi(&[
        "policy",
        "check",
        "rsa-pss-2048-sha256",
        "--use",
        "process",
        "--as-of",
        "2031-01-01",
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("legacy-process-only"), "{}", r.stdout);

    for (alg, why) in [
        ("sha-1", "Monitored"),
        ("3des", "Monitored"),
        ("rc4", "removed"),
        ("md5", "never been"),
        ("rsa-1024", "below 112"),
        ("x25519", "SP 800-56A"),
    ] {
        let r = kagi(&["policy", "check", alg, "--use", "protect"]);
        assert_eq!(r.code, 1, "{alg}");
        assert!(r.stdout.contains(why), "{alg}: {}", r.stdout);
    }
    for alg in ["camellia-256-gcm", "sha3-256", "ml-kem-768", "ed25519"] {
        let r = kagi(&["policy", "check", alg]);
        assert_eq!(r.code, 0, "{alg}: {}", r.stdout);
    }
}

#[test]
fn check_json_is_machine_readable() {
    let r = kagi(&[
        "policy",
        "check",
        "sha-1",
        "--json",
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"], "refused");
    assert_eq!(v["algorithm"], "sha-1");
    assert_eq!(v["as_of"], "2026-01-01");
    assert!(
        v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["effect"] == "refuses")
    );
    let r = kagi(&[
        "policy",
        "check",
        "rsa-pss-2048-sha256",
        "--json",
        "--as-of",
        "2030-06-01",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"], "permitted-until");
    assert_eq!(v["until"], "2030-12-31");
}

#[test]
fn bad_input_is_a_one_line_error_with_exit_2() {
    for args in [
        &["policy", "check", "aes-257-gcm"][..],
        &["policy", "check", "aes-256-gcm", "--as-of", "tomorrow"],
        &[
            "policy",
            "check",
            "aes-256-gcm",
            "--policy",
            "no-such-policy",
        ],
        &["policy", "validate", "missing.toml"],
    ] {
        let r = kagi(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("kagi: "), "{args:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim_end().lines().count(),
            1,
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    let r = kagi(&["policy", "check", "aes-257-gcm"]);
    assert!(
        r.stderr.contains("did you mean aes-256-gcm"),
        "{}",
        r.stderr
    );
}

#[test]
fn organisation_policies_narrow_and_widening_is_refused_with_the_line() {
    let dir = tempdir();
    std::fs::write(dir.join("org.toml"), "name = \"ministry\"\nbase = \"egov\"\nmin_strength = 128\ndeny = [\"ChaCha20-Poly1305\"]\n").unwrap();
    let r = kagi_in(&dir, &["policy", "validate", "org.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("valid"));
    let r = kagi_in(
        &dir,
        &[
            "policy",
            "check",
            "chacha20-poly1305",
            "--policy",
            "org.toml",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("denies ChaCha20-Poly1305"),
        "{}",
        r.stdout
    );
    let r = kagi_in(
        &dir,
        &[
            "policy",
            "check",
            "rsa-pss-2048-sha256",
            "--policy",
            "org.toml",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("min_strength"), "{}", r.stdout);

    std::fs::write(
        dir.join("wide.toml"),
        "name = \"x\"\nbase = \"egov\"\n\nallow = [\"AES\", \"RC4\"]\n",
    )
    .unwrap();
    let r = kagi_in(&dir, &["policy", "validate", "wide.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("kagi: wide.toml:4:"), "{}", r.stderr);
    assert!(r.stderr.contains("removed"), "{}", r.stderr);
}

#[test]
fn show_lists_every_table_and_marks_what_is_implemented() {
    let r = kagi(&["policy", "show", "--json"]);
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e["list"] == "recommended")
            .count(),
        33
    );
    assert_eq!(entries.iter().filter(|e| e["list"] == "pqc").count(), 6);
    assert!(
        entries
            .iter()
            .any(|e| e["name"] == "Camellia" && e["implemented"] == true)
    );
    assert_eq!(v["notes"].as_array().unwrap().len(), 17);
    let r = kagi(&["policy", "show", "--list", "monitored"]);
    assert!(
        r.stdout.contains("SHA-1") && !r.stdout.contains("Camellia"),
        "{}",
        r.stdout
    );
    let r = kagi(&["policy", "timeline"]);
    assert!(
        r.stdout.contains("112-bit") && r.stdout.contains("2030-12-31"),
        "{}",
        r.stdout
    );
}

#[test]
fn selftest_reports_every_test() {
    let r = kagi(&["selftest"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("camellia-256-gcm") && r.stdout.contains("RFC 3713"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(" 0 failed"), "{}", r.stdout);
    let r = kagi(&["selftest", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    for t in results {
        assert_eq!(t["passed"], true, "{t}");
    }
    // Exactly the tests the vector files call for, each citing its vector's source, and the
    // computed ones: none missing, none twice, none unaccounted for.
    let mut got: Vec<(String, Option<String>)> = results
        .iter()
        .map(|t| {
            let name = t["name"].as_str().unwrap().to_string();
            let computed = test_support::kat::COMPUTED.contains(&name.as_str());
            let source = t["source"].as_str().unwrap().to_string();
            (name, (!computed).then_some(source))
        })
        .collect();
    got.sort();
    let want = test_support::kat::expected_selftests();
    assert_eq!(got, want);
    // The table lists the same tests, one line each.
    let lines = kagi(&["selftest"]).stdout;
    assert_eq!(
        lines.lines().filter(|l| l.starts_with("ok ")).count(),
        want.len(),
        "{lines}"
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kagi"))
        .args(["policy", "show"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    assert!(err.is_empty(), "{err}");
}

/// Found by fuzzing (algorithm_name): text far longer than any algorithm name was compared
/// with every known name. It is refused as unknown, on one line, with no suggestions.
#[test]
fn a_long_unknown_name_gets_no_suggestions() {
    let long = "a".repeat(100);
    let r = kagi(&["policy", "check", &long]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("unknown algorithm"), "{}", r.stderr);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    // A near miss still gets them.
    let r = kagi(&["policy", "check", "aes-256-gcmx"]);
    assert!(
        r.stderr.contains("did you mean aes-256-gcm"),
        "{}",
        r.stderr
    );
}

/// The faked clock of CI's later-date runs (`.ci/faketime-runner`, `KAGI_FAKE_DATE`) reaches
/// the programs tests start: kagi judges on the faked day and openssl stamps certificates
/// with it. Without a faked clock, kagi's day is this process's day.
#[test]
fn the_clock_tests_run_on_reaches_kagi_and_openssl() {
    let today = time::OffsetDateTime::now_utc().date().to_string();
    if let Ok(fake) = std::env::var("KAGI_FAKE_DATE") {
        // The runner starts the clock at midnight of that day; a test binary runs minutes.
        assert_eq!(today, fake, "this test process does not see the faked date");
    }
    let dir = tempdir();
    let r = kagi_in(&dir, &["policy", "check", "aes-256-gcm"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("as of {today}")), "{}", r.stdout);
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-subj",
            "/CN=clock",
            "-days",
            "1",
        ],
    );
    let start = openssl(
        &dir,
        &[
            "x509",
            "-in",
            "c.pem",
            "-noout",
            "-startdate",
            "-dateopt",
            "iso_8601",
        ],
    );
    assert!(start.contains(&format!("notBefore={today}")), "{start}");
}
