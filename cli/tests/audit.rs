//! `kagi audit` through the real binary: the system CA bundle against openssl's own reading,
//! every file kind, dates ahead, SARIF and CycloneDX output validated against their schemas,
//! and real `openssl s_server` endpoints whose versions and suites are known.
#![allow(clippy::unwrap_used)]

mod common;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::*;

fn audit_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let r = kagi_in(dir, &[&["audit", "--format", "json"], args].concat());
    let v =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    (r.code, v)
}

fn sh(dir: &Path, cmd: &str) {
    let ok = Command::new("sh")
        .args(["-c", cmd])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "{cmd}");
}

/// What `openssl` itself says of each certificate of a bundle: (signature OID, key).
fn openssl_counts(bundle: &str) -> BTreeMap<String, usize> {
    let text = Command::new("sh")
        .args([
            "-c",
            &format!(
                "openssl crl2pkcs7 -nocrl -certfile {bundle} | openssl pkcs7 -print_certs -text -noout"
            ),
        ])
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let oid = |name: &str| match name {
        "sha1WithRSAEncryption" => "1.2.840.113549.1.1.5",
        "sha256WithRSAEncryption" => "1.2.840.113549.1.1.11",
        "sha384WithRSAEncryption" => "1.2.840.113549.1.1.12",
        "sha512WithRSAEncryption" => "1.2.840.113549.1.1.13",
        "md5WithRSAEncryption" => "1.2.840.113549.1.1.4",
        "rsassaPss" => "1.2.840.113549.1.1.10",
        "ecdsa-with-SHA256" => "1.2.840.10045.4.3.2",
        "ecdsa-with-SHA384" => "1.2.840.10045.4.3.3",
        "ecdsa-with-SHA512" => "1.2.840.10045.4.3.4",
        "ED25519" => "1.3.101.112",
        other => panic!("openssl names a signature kagi's test does not map: {other}"),
    };
    let mut counts = BTreeMap::new();
    for cert in text.split("Certificate:\n").skip(1) {
        let field = |key: &str| {
            cert.lines()
                .find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_string()))
        };
        let sig = field("Signature Algorithm:").unwrap();
        let bits = field("Public-Key:").unwrap();
        let bits = bits.trim_start_matches('(').trim_end_matches(" bit)");
        let key = match field("Public Key Algorithm:").unwrap().as_str() {
            "rsaEncryption" => format!("RSA-{bits}"),
            "id-ecPublicKey" => match field("NIST CURVE:").as_deref() {
                Some("P-256") => "EC P-256".into(),
                Some("P-384") => "EC P-384".into(),
                other => format!("EC {other:?}"),
            },
            other => other.to_string(),
        };
        *counts.entry(format!("{} / {key}", oid(&sig))).or_default() += 1;
    }
    counts
}

#[test]
fn the_system_ca_bundle_is_counted_as_openssl_reads_it() {
    let bundle = "/etc/ssl/certs/ca-certificates.crt";
    let dir = tempdir();
    let (code, v) = audit_json(&dir, &[bundle]);
    assert!(code == 0 || code == 1, "{v}");
    let ours: BTreeMap<String, usize> =
        serde_json::from_value(v["summary"]["certificates"].clone()).unwrap();
    let theirs = openssl_counts(bundle);
    assert!(theirs.values().sum::<usize>() > 50, "{theirs:?}");
    assert_eq!(ours, theirs);
    // The directory holds the same certificates (deduplicated) and perhaps a few more.
    let (_, d) = audit_json(&dir, &["/etc/ssl/certs"]);
    let n = d["summary"]["by_kind"]["certificate"].as_u64().unwrap() as usize;
    assert!(n >= theirs.values().sum::<usize>(), "{n}");
    // Trust anchors' SHA-1 self-signatures are reported but do not count.
    let sha1_roots = d["artefacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["signature_algorithm"] == "1.2.840.113549.1.1.5")
        .collect::<Vec<_>>();
    assert!(!sha1_roots.is_empty());
    for a in sha1_roots {
        let sig = a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["aspect"] == "signature")
            .unwrap();
        assert_eq!(sig["refused"], false, "{a}");
        assert!(sig["note"].as_str().unwrap().contains("trust anchor"));
    }
}

#[test]
fn every_file_kind_is_found_and_judged_and_dates_ahead_change_verdicts() {
    let dir = tempdir();
    let d = dir.join("scan");
    std::fs::create_dir_all(&d).unwrap();
    sh(&d, "openssl genrsa -traditional -out rsa1024.key 1024");
    sh(&d, "openssl genrsa -out rsa2048.key 2048");
    sh(
        &d,
        "openssl req -x509 -key rsa2048.key -out rsa2048.crt -subj /CN=r -days 30 -addext basicConstraints=critical,CA:FALSE",
    );
    sh(
        &d,
        "openssl req -x509 -key rsa2048.key -out sha1.crt -subj /CN=s -days 30 -sha1 -addext basicConstraints=critical,CA:FALSE",
    );
    sh(
        &d,
        "openssl ecparam -name prime256v1 -genkey -noout -out ec.key",
    );
    sh(
        &d,
        "openssl pkcs8 -topk8 -in ec.key -out ec-enc.key -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout pass:x",
    );
    sh(
        &d,
        "openssl pkcs8 -topk8 -in ec.key -out ec-sha1.key -v2 aes-256-cbc -v2prf hmacWithSHA1 -passout pass:x",
    );
    sh(&d, "openssl req -new -key ec.key -out ec.csr -subj /CN=c");
    sh(
        &d,
        "ssh-keygen -q -t ed25519 -N '' -C alice@host -f id_ed25519",
    );
    sh(
        &d,
        "ssh-keygen -q -t rsa -b 1024 -N '' -C old@host -f id_rsa_old",
    );
    sh(&d, "cat id_ed25519.pub id_rsa_old.pub > authorized_keys");
    std::fs::write(d.join("notes.txt"), "not cryptographic").unwrap();
    ok(
        &d,
        &[
            "key",
            "gen",
            "--alg",
            "symmetric",
            "--unencrypted",
            "--out",
            "team.key",
        ],
    );
    ok(
        &d,
        &[
            "encrypt",
            "notes.txt",
            "--key-file",
            "team.key",
            "-o",
            "notes.kagi",
        ],
    );
    std::fs::remove_file(d.join("team.key")).unwrap();

    let (code, v) = audit_json(&dir, &["scan"]);
    assert_eq!(code, 1, "{v}");
    let arts = v["artefacts"].as_array().unwrap();
    let find = |suffix: &str| -> Vec<&serde_json::Value> {
        arts.iter()
            .filter(|a| a["location"].as_str().unwrap().ends_with(suffix))
            .collect()
    };
    let one = |suffix: &str| {
        let v = find(suffix);
        assert_eq!(v.len(), 1, "{suffix}: {v:?}");
        v[0].clone()
    };
    let refused = |a: &serde_json::Value| {
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["refused"] == true)
    };
    let kinds: BTreeSet<&str> = arts.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    for k in [
        "certificate",
        "CSR",
        "private key",
        "encrypted private key",
        "SSH public key",
        "OpenSSH private key",
        "kagi envelope",
    ] {
        assert!(kinds.contains(k), "{k} not found: {kinds:?}");
    }
    assert!(refused(&one("rsa1024.key")), "RSA-1024");
    assert!(!refused(&one("rsa2048.crt")));
    assert!(
        refused(&one("sha1.crt")),
        "a SHA-1-signed end-entity certificate"
    );
    assert!(!refused(&one("ec-enc.key")));
    assert!(refused(&one("ec-sha1.key")), "PBKDF2 with HMAC-SHA-1");
    let ssh = find("authorized_keys");
    assert_eq!(ssh.len(), 2);
    assert!(!refused(ssh[0]) && ssh[0]["name"] == "alice@host");
    assert!(refused(ssh[1]) && ssh[1]["public_key"] == "RSA-1024");
    assert!(!refused(&one("notes.kagi")));
    assert!(find("notes.txt").is_empty(), "unknown files are skipped");
    // ec.key and ec.csr carry the same key, but they are different artefacts.
    assert_eq!(one("ec.key")["kind"], "private key");

    // Dates ahead: RSA-2048 may protect new data until 2030-12-31.
    let (_, now) = audit_json(&dir, &["scan/rsa2048.crt"]);
    let key = |v: &serde_json::Value| v["artefacts"][0]["findings"][0].clone();
    assert_eq!(key(&now)["aspect"], "public key");
    assert_eq!(key(&now)["refused"], false);
    assert_eq!(key(&now)["protect_until"], "2030-12-31");
    let (code, later) = audit_json(&dir, &["scan/rsa2048.crt", "--as-of", "2031-01-01"]);
    assert_eq!(code, 1);
    assert_eq!(key(&later)["refused"], true);
    assert_eq!(later["as_of"], "2031-01-01");

    // Exit codes: 0 when nothing is refused; 2 when something could not be read.
    let (code, _) = audit_json(&dir, &["scan/ec.csr"]);
    assert_eq!(code, 0);
    std::os::unix::fs::symlink("/nonexistent/cert.pem", d.join("dangling.pem")).unwrap();
    let r = kagi_in(&dir, &["audit", "scan"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("could not be scanned"), "{}", r.stderr);
    assert!(r.stdout.contains("dangling.pem"), "{}", r.stdout);
}

fn validate(dir: &Path, kind: &str, file: &str) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/tools/validate_schema.py"
    );
    let out = Command::new("python3")
        .args([script, kind, file])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{kind} does not validate: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sarif_and_cyclonedx_validate_against_their_schemas() {
    let dir = tempdir();
    sh(&dir, "openssl genrsa -traditional -out weak.key 1024");
    sh(
        &dir,
        "openssl req -x509 -key weak.key -out weak.crt -subj /CN=w -days 1 -sha1 -addext basicConstraints=critical,CA:FALSE",
    );
    sh(&dir, "cp /etc/ssl/certs/ca-certificates.crt bundle.crt");
    for (format, kind) in [("sarif", "sarif"), ("cbom", "cyclonedx-1.6")] {
        let out = format!("out.{format}.json");
        let r = kagi_in(&dir, &["audit", ".", "--format", format, "--out", &out]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        validate(&dir, kind, &out);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&out)).unwrap()).unwrap();
        if format == "sarif" {
            let results = v["runs"][0]["results"].as_array().unwrap();
            assert!(results.iter().any(|r| {
                r["level"] == "error"
                    && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .ends_with("weak.key")
            }));
        } else {
            let comps = v["components"].as_array().unwrap();
            assert!(
                comps
                    .iter()
                    .any(|c| c["cryptoProperties"]["assetType"] == "certificate")
            );
            assert!(comps.iter().any(|c| {
                c["name"] == "rsa-1024"
                    || c["properties"]
                        .as_array()
                        .is_some_and(|p| p.iter().any(|x| x["value"] == "refused"))
            }));
        }
    }
    // A document that breaks the schema is caught by the validator (it can fail).
    std::fs::write(
        dir.join("bad.json"),
        r#"{"version":"2.1.0","runs":[{"tool":{}}]}"#,
    )
    .unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/tools/validate_schema.py"
    );
    let out = Command::new("python3")
        .args([script, "sarif", "bad.json"])
        .current_dir(&*dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn s_server(dir: &Path, args: &[&str]) -> (Server, String) {
    let port = free_port();
    let child = Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-www"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let target = format!("127.0.0.1:{port}");
    // Dropping the server kills and waits for it, whatever happens next.
    let server = Server(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(&target).is_ok() {
            return (server, target);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("s_server did not start");
}

/// (version, IANA suite) pairs an endpoint was found to accept.
fn suites(v: &serde_json::Value) -> BTreeSet<(String, String)> {
    v["artefacts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["aspect"] == "cipher suite")
        .map(|f| {
            let note = f["note"].as_str().unwrap();
            let name = note.split_whitespace().next().unwrap().to_string();
            let version = note
                .rsplit_once('(')
                .unwrap()
                .1
                .trim_end_matches(')')
                .to_string();
            (version, name)
        })
        .collect()
}

fn versions(v: &serde_json::Value) -> BTreeSet<String> {
    v["artefacts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["aspect"] == "protocol")
        .map(|f| f["algorithm"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tls_endpoints_report_exactly_what_the_server_was_configured_with() {
    let dir = tempdir();
    sh(
        &dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=localhost -days 30",
    );
    // Legacy versions and CBC suites, at security level 0.
    let (_legacy, target) = s_server(
        &dir,
        &[
            "-key",
            "k.pem",
            "-cert",
            "c.pem",
            "-min_protocol",
            "TLSv1",
            "-cipher",
            "ECDHE-RSA-AES128-SHA:AES256-SHA:ECDHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0",
            "-ciphersuites",
            "TLS_AES_256_GCM_SHA384",
        ],
    );
    let (code, v) = audit_json(&dir, &["--tls", &target]);
    assert_eq!(code, 1, "{v}");
    let want: BTreeSet<(String, String)> = [
        ("TLS 1.3", "TLS_AES_256_GCM_SHA384"),
        ("TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        ("TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        ("TLS 1.2", "TLS_RSA_WITH_AES_256_CBC_SHA"),
        ("TLS 1.1", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        ("TLS 1.1", "TLS_RSA_WITH_AES_256_CBC_SHA"),
        ("TLS 1.0", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        ("TLS 1.0", "TLS_RSA_WITH_AES_256_CBC_SHA"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(suites(&v), want);
    assert_eq!(
        versions(&v),
        ["TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    let f = &v["artefacts"][0]["findings"];
    assert!(
        f.as_array()
            .unwrap()
            .iter()
            .any(|x| x["algorithm"] == "TLS 1.0" && x["refused"] == true)
    );
    // The chain was read from the TLS 1.2 handshake.
    assert_eq!(v["artefacts"][1]["kind"], "certificate");
    assert_eq!(v["artefacts"][1]["public_key"], "RSA-2048");

    // Only TLS 1.3 with AES-GCM: nothing refused but groups kagi does not judge as listed.
    let (_modern, target) = s_server(
        &dir,
        &[
            "-key",
            "k.pem",
            "-cert",
            "c.pem",
            "-tls1_3",
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384",
            "-groups",
            "P-256:P-384",
        ],
    );
    let (code, v) = audit_json(&dir, &["--tls", &target]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(versions(&v), ["TLS 1.3".to_string()].into_iter().collect());
    assert_eq!(
        suites(&v),
        [
            ("TLS 1.3", "TLS_AES_128_GCM_SHA256"),
            ("TLS 1.3", "TLS_AES_256_GCM_SHA384")
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    );
    let groups: BTreeSet<&str> = v["artefacts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["aspect"] == "key exchange group")
        .map(|f| f["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["ecdh-p256", "ecdh-p384"].into_iter().collect());
    // A TLS 1.3-only server's chain comes from a full handshake.
    assert_eq!(v["artefacts"][1]["public_key"], "RSA-2048");

    // An RSA-1024 certificate signed with SHA-1.
    sh(
        &dir,
        "openssl req -x509 -newkey rsa:1024 -nodes -keyout k1.pem -out c1.pem -subj /CN=weak -days 30 -sha1 -addext basicConstraints=critical,CA:FALSE",
    );
    let (_weak, target) = s_server(
        &dir,
        &[
            "-key",
            "k1.pem",
            "-cert",
            "c1.pem",
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
        ],
    );
    let (code, v) = audit_json(&dir, &["--tls", &target]);
    assert_eq!(code, 1);
    let cert = &v["artefacts"][1];
    assert_eq!(cert["public_key"], "RSA-1024");
    let refused: BTreeSet<&str> = cert["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["refused"] == true)
        .map(|f| f["aspect"].as_str().unwrap())
        .collect();
    assert!(
        refused.contains("public key") && refused.contains("signature"),
        "{cert}"
    );

    // Nothing listening: an error (exit 2), never a finding.
    let port = free_port();
    let r = kagi_in(&dir, &["audit", "--tls", &format!("127.0.0.1:{port}")]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_server_that_accepts_but_never_speaks_is_an_error_bounded_by_the_timeout() {
    let dir = tempdir();
    // The kernel completes the TCP handshakes into the backlog; nothing ever answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = silent.local_addr().unwrap().to_string();
    let start = std::time::Instant::now();
    let r = kagi_in(&dir, &["audit", "--tls", &target, "--timeout", "1"]);
    let took = start.elapsed();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&target) && r.stderr.contains("no TLS or SSL version was accepted"),
        "{}",
        r.stderr
    );
    // One second per version probed; the default five would take at least 25 s.
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    drop(silent);
}

#[test]
fn a_signed_newer_dataset_is_installed_and_used_and_anything_else_is_refused() {
    let dir = tempdir();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../cryptrec/data");
    // The publisher's CA and signing certificate.
    for (ca, who) in [
        ("pub-ca", "CN=Dataset publisher CA"),
        ("other-ca", "CN=Other CA"),
    ] {
        ok(
            &dir,
            &[
                "key",
                "gen",
                "--alg",
                "ecdsa-p384",
                "--out",
                &format!("{ca}.key"),
                "--unencrypted",
            ],
        );
        ok(
            &dir,
            &[
                "cert",
                "self-sign",
                "--key",
                &format!("{ca}.key"),
                "--subject",
                who,
                "--ca",
                "--days",
                "30",
                "--out",
                &format!("{ca}.crt"),
            ],
        );
    }
    ok(
        &dir,
        &[
            "key",
            "gen",
            "--alg",
            "ecdsa-p256",
            "--out",
            "pub.key",
            "--unencrypted",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "request",
            "--key",
            "pub.key",
            "--subject",
            "CN=Dataset publisher",
            "--out",
            "pub.csr",
        ],
    );
    ok(
        &dir,
        &[
            "cert",
            "issue",
            "--ca-cert",
            "pub-ca.crt",
            "--ca-key",
            "pub-ca.key",
            "--csr",
            "pub.csr",
            "--profile",
            "signing",
            "--days",
            "30",
            "--out",
            "pub.crt",
        ],
    );
    // A revised dataset: a later list revision that ends 112-bit protection a year earlier.
    let list = std::fs::read_to_string(format!("{data}/ls-0001-2022r2.toml"))
        .unwrap()
        .replacen(
            "revision = \"LS-0001-2022R2\"",
            "revision = \"LS-0001-2022R9\"",
            1,
        )
        .replacen("revised = \"2026-03-30\"", "revised = \"2026-10-01\"", 1);
    let strength = std::fs::read_to_string(format!("{data}/ls-0003-2022r1.toml"))
        .unwrap()
        .replacen(
            "protect_until = \"2030-12-31\"",
            "protect_until = \"2029-12-31\"",
            1,
        );
    std::fs::write(dir.join("list.toml"), &list).unwrap();
    std::fs::write(dir.join("strength.toml"), &strength).unwrap();
    std::fs::copy(format!("{data}/events.toml"), dir.join("events.toml")).unwrap();
    let sign = |serial: &str, out: &str| {
        ok(
            &dir,
            &[
                "policy",
                "sign-dataset",
                "--list",
                "list.toml",
                "--strength",
                "strength.toml",
                "--events",
                "events.toml",
                "--serial",
                serial,
                "--key",
                "pub.key",
                "--cert",
                "pub.crt",
                "--out",
                out,
            ],
        )
    };
    sign("1", "r9.kagi");
    let check_2030 = || {
        kagi_in(
            &dir,
            &[
                "policy",
                "check",
                "rsa-pss-2048-sha256",
                "--as-of",
                "2030-06-01",
            ],
        )
        .code
    };
    assert_eq!(check_2030(), 0, "permitted under the embedded dataset");
    // Refused: another CA, a tampered package.
    let r = kagi_in(
        &dir,
        &["policy", "update", "r9.kagi", "--trust", "other-ca.crt"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not valid"), "{}", r.stderr);
    let tampered = std::fs::read_to_string(dir.join("r9.kagi"))
        .unwrap()
        .replacen("2029-12-31", "2039-12-31", 1);
    std::fs::write(dir.join("tampered.kagi"), tampered).unwrap();
    let r = kagi_in(
        &dir,
        &["policy", "update", "tampered.kagi", "--trust", "pub-ca.crt"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("digest differs"), "{}", r.stderr);
    // Installed.
    let r = kagi_in(
        &dir,
        &["policy", "update", "r9.kagi", "--trust", "pub-ca.crt"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("LS-0001-2022R9"), "{}", r.stdout);
    assert_eq!(
        check_2030(),
        1,
        "the installed dataset ends RSA-2048 protection in 2029"
    );
    let (_, v) = audit_json(&dir, &["pub.crt"]);
    assert!(
        v["dataset"].as_str().unwrap().contains("LS-0001-2022R9"),
        "{v}"
    );
    assert!(ok(&dir, &["policy", "dataset"]).contains("serial 1"));
    // The same serial again, or a later serial with an older list: refused.
    let r = kagi_in(
        &dir,
        &["policy", "update", "r9.kagi", "--trust", "pub-ca.crt"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not newer"), "{}", r.stderr);
    std::fs::copy(format!("{data}/ls-0001-2022r2.toml"), dir.join("list.toml")).unwrap();
    sign("2", "old-list.kagi");
    let r = kagi_in(
        &dir,
        &["policy", "update", "old-list.kagi", "--trust", "pub-ca.crt"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("older than the one in use"),
        "{}",
        r.stderr
    );
    // An installed dataset changed on disk stops every command that judges.
    let installed = dir.join("state/dataset/dataset.kagi");
    let text = std::fs::read_to_string(&installed)
        .unwrap()
        .replacen("2029-12-31", "2049-12-31", 1);
    std::fs::write(&installed, text).unwrap();
    let r = kagi_in(&dir, &["policy", "check", "aes-256-gcm"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no longer verifies"), "{}", r.stderr);
}
