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
    // The host's bundle changes with every ca-certificates update: only agreement with
    // openssl is asserted here (exact figures are the fixed bundle's, below).
    test_support::tools::require("openssl", "openssl");
    let bundle = test_support::fixtures::SYSTEM_CA_BUNDLE;
    assert!(
        Path::new(bundle).is_file(),
        "{bundle} missing (Debian package ca-certificates; .ci/run installs it)"
    );
    let dir = tempdir();
    let (code, v) = audit_json(&dir, &[bundle]);
    assert!(code == 0 || code == 1, "{v}");
    let ours: BTreeMap<String, usize> =
        serde_json::from_value(v["summary"]["certificates"].clone()).unwrap();
    let theirs = openssl_counts(bundle);
    assert!(!theirs.is_empty());
    assert_eq!(ours, theirs);
    // The directory holds the same certificates (deduplicated) and perhaps a few more.
    let (_, d) = audit_json(&dir, &["/etc/ssl/certs"]);
    let n = d["summary"]["by_kind"]["certificate"].as_u64().unwrap() as usize;
    assert!(n >= theirs.values().sum::<usize>(), "{n}");
}

#[test]
fn a_fixed_ca_bundle_gets_exact_verdicts() {
    use test_support::fixtures::{CA_BUNDLE_AS_OF, ca_bundle};
    let bundle = ca_bundle();
    let bundle = bundle.to_str().unwrap();
    let dir = tempdir();
    let (code, v) = audit_json(&dir, &[bundle, "--as-of", CA_BUNDLE_AS_OF]);
    assert_eq!(code, 1, "{v}");
    let ours: BTreeMap<String, usize> =
        serde_json::from_value(v["summary"]["certificates"].clone()).unwrap();
    assert_eq!(ours, openssl_counts(bundle));
    let want: BTreeMap<String, usize> = [
        ("1.2.840.10045.4.3.2 / EC P-256", 4),
        ("1.2.840.10045.4.3.2 / EC P-384", 3),
        ("1.2.840.10045.4.3.3 / EC P-384", 28),
        ("1.2.840.113549.1.1.11 / RSA-2048", 24),
        ("1.2.840.113549.1.1.11 / RSA-4096", 37),
        ("1.2.840.113549.1.1.12 / RSA-4096", 14),
        ("1.2.840.113549.1.1.13 / RSA-4096", 2),
        ("1.2.840.113549.1.1.5 / RSA-2048", 22),
        ("1.2.840.113549.1.1.5 / RSA-4096", 8),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert_eq!(ours, want);
    let arts = v["artefacts"].as_array().unwrap();
    // Trust anchors' SHA-1 self-signatures (30 of them) are reported but do not count.
    let sha1_roots: Vec<_> = arts
        .iter()
        .filter(|a| a["signature_algorithm"] == "1.2.840.113549.1.1.5")
        .collect();
    assert_eq!(sha1_roots.len(), 30);
    for a in sha1_roots {
        let sig = a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["aspect"] == "signature")
            .unwrap();
        assert_eq!(sig["refused"], false, "{a}");
        assert!(
            sig["note"].as_str().unwrap().contains("trust anchor"),
            "{a}"
        );
    }
    // What is refused on that date: exactly the four roots that had expired, for that.
    let refused: BTreeSet<(String, String)> = arts
        .iter()
        .flat_map(|a| {
            a["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["refused"] == true)
                .map(|f| {
                    let cn = a["name"].as_str().unwrap();
                    let cn = cn.rsplit("CN=").next().unwrap_or(cn).to_string();
                    (cn, f["algorithm"].as_str().unwrap().to_string())
                })
        })
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("Baltimore CyberTrust Root", "not after 2025-05-12"),
        ("E-Tugra Certification Authority", "not after 2023-03-03"),
        ("Hongkong Post Root CA 1", "not after 2023-05-15"),
        (
            "C=JP, O=SECOM Trust.net, OU=Security Communication RootCA1",
            "not after 2023-09-30",
        ),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(refused, want, "{v}");
    assert_eq!(v["summary"]["refused"], 4);
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
        "openssl req -x509 -key rsa2048.key -out rsa2048.crt -subj /CN=r -days 36500 -addext basicConstraints=critical,CA:FALSE",
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

    // As of 2030, not today: RSA-2048 and DSA-2048 verdicts change on 2031-01-01, and the
    // outcome must not depend on the day the suite runs.
    let (code, v) = audit_json(&dir, &["scan", "--as-of", "2030-06-01"]);
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
    // Each authorized_keys line holds the key of a private key beside it: one artefact each,
    // the private key, with authorized_keys among its places.
    let ssh = at(&v, "authorized_keys");
    assert_eq!(ssh.len(), 2);
    assert!(
        ssh.iter().all(|a| a["kind"] == "OpenSSH private key"),
        "{ssh:?}"
    );
    assert!(!refused(ssh[0]) && ssh[0]["name"] == "alice@host");
    assert!(refused(ssh[1]) && ssh[1]["public_key"] == "RSA-1024");
    assert!(!refused(&one("notes.kagi")));
    assert!(find("notes.txt").is_empty(), "unknown files are skipped");
    // ec.key and ec.csr carry the same key, but they are different artefacts.
    assert_eq!(one("ec.key")["kind"], "private key");

    // Dates ahead: RSA-2048 may protect new data until 2030-12-31.
    let (_, now) = audit_json(&dir, &["scan/rsa2048.crt", "--as-of", "2030-06-01"]);
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
    // The fixed bundle, not the host's: the outcome must not depend on the host.
    std::fs::copy(test_support::fixtures::ca_bundle(), dir.join("bundle.crt")).unwrap();
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

/// RFC 3986 URI-reference, as SARIF1002 requires: a scheme (letter, then letters, digits,
/// `+-.`) before the first `:` unless a `/` comes first; only unreserved, reserved and
/// percent-encoded characters.
fn valid_uri_reference(u: &str) -> bool {
    let scheme_ok = match (u.find(':'), u.find('/')) {
        (Some(c), slash) if slash.is_none_or(|s| c < s) => {
            let scheme = &u[..c];
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => true,
    };
    let chars_ok = u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c));
    scheme_ok && chars_ok && !u.is_empty()
}

#[test]
fn the_uri_check_can_fail() {
    assert!(!valid_uri_reference("127.0.0.1:14433"));
    assert!(!valid_uri_reference("a b.pem"));
    assert!(valid_uri_reference("tls://127.0.0.1:14433"));
    assert!(valid_uri_reference("file:///etc/ssl/x.pem"));
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
    // As of 2030: the server's RSA-2048 certificate is refused from 2031-01-01.
    let (code, v) = audit_json(&dir, &["--tls", &target, "--as-of", "2030-06-01"]);
    // Every algorithm passes; only the chain checks refuse (tests/tls_checks.rs): a
    // self-signed CA certificate, untrusted, that does not name 127.0.0.1.
    assert_eq!(code, 1, "{v}");
    let refused: BTreeSet<&str> = v["artefacts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["refused"] == true)
        .map(|f| f["aspect"].as_str().unwrap())
        .collect();
    assert_eq!(
        refused,
        ["certificate chain", "host name"].into_iter().collect(),
        "{v}"
    );
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
    // SARIF (issue 17, item 14): the served certificate's location is a valid URI (tls://),
    // not `127.0.0.1:PORT`, which the SARIF validator rejects (SARIF1002); the document also
    // passes the schema, with a file location beside it.
    sh(&dir, "mkdir -p s && cp c1.pem 's/weak cert.pem'");
    let r = kagi_in(
        &dir,
        &[
            "audit",
            "s",
            "--tls",
            &target,
            "--format",
            "sarif",
            "--out",
            "tls.sarif",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    validate(&dir, "sarif", "tls.sarif");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("tls.sarif")).unwrap()).unwrap();
    let uris: BTreeSet<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(uris.contains(&format!("tls://{target}")), "{uris:?}");
    assert!(uris.contains("s/weak%20cert.pem"), "{uris:?}");
    for u in &uris {
        assert!(valid_uri_reference(u), "{u}");
    }

    // Nothing listening: an error (exit 2), never a finding.
    let port = free_port();
    let r = kagi_in(&dir, &["audit", "--tls", &format!("127.0.0.1:{port}")]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
}

/// Issue 17, item 5: a 1024-bit DHE group behind a preferred ECDHE suite is found, for the
/// DHE suite itself and as a key-exchange group (LOGJAM), as nmap and sslscan report it.
#[test]
fn dhe_parameters_are_read_for_every_accepted_suite() {
    let dir = tempdir();
    sh(
        &dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=localhost -days 30",
    );
    // PKCS#3 parameters: s_server ignores X9.42 (`-dsaparam`) files and falls back to 2048.
    sh(&dir, "openssl dhparam -out dh1024.pem 1024");
    let (_server, target) = s_server(
        &dir,
        &[
            "-key",
            "k.pem",
            "-cert",
            "c.pem",
            "-no_tls1_3",
            "-serverpref",
            "-groups",
            "P-256",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0",
            "-dhparam",
            "dh1024.pem",
        ],
    );
    let (code, v) = audit_json(&dir, &["--tls", &target]);
    assert_eq!(code, 1, "{v}");
    let f = v["artefacts"][0]["findings"].as_array().unwrap();
    let dhe = f
        .iter()
        .find(|x| {
            x["aspect"] == "cipher suite"
                && x["note"]
                    .as_str()
                    .unwrap()
                    .starts_with("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384")
        })
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(dhe["refused"], true, "{dhe}");
    assert_eq!(dhe["algorithm"], "dh-1024", "{dhe}");
    assert!(
        f.iter().any(|x| x["aspect"] == "key exchange group"
            && x["algorithm"] == "dh-1024"
            && x["refused"] == true),
        "{v}"
    );
    let ecdhe = f
        .iter()
        .find(|x| {
            x["aspect"] == "cipher suite"
                && x["note"]
                    .as_str()
                    .unwrap()
                    .starts_with("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        })
        .unwrap();
    assert_eq!(ecdhe["refused"], false, "{ecdhe}");
}

/// Issue 17, item 6 (part): anonymous (DH_anon, ECDH_anon), CCM/CCM_8, ARIA-GCM and DHE
/// Camellia-SHA256 suites are probed; an anonymous suite is refused as critical.
#[test]
fn anonymous_ccm_aria_and_camellia_sha256_suites_are_seen() {
    let dir = tempdir();
    sh(
        &dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=localhost -days 30",
    );
    let (_server, target) = s_server(
        &dir,
        &[
            "-key",
            "k.pem",
            "-cert",
            "c.pem",
            "-no_tls1_3",
            "-no_tls1",
            "-no_tls1_1",
            "-groups",
            "P-256",
            "-cipher",
            "ADH-AES128-SHA:AECDH-AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:AES128-CCM8:DHE-RSA-AES256-CCM:DHE-RSA-CAMELLIA128-SHA256:ARIA128-GCM-SHA256:@SECLEVEL=0",
        ],
    );
    let (code, v) = audit_json(&dir, &["--tls", &target]);
    assert_eq!(code, 1, "{v}");
    let want: BTreeSet<(String, String)> = [
        "TLS_DH_anon_WITH_AES_128_CBC_SHA",
        "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_128_CCM_8",
        "TLS_DHE_RSA_WITH_AES_256_CCM",
        "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        "TLS_RSA_WITH_ARIA_128_GCM_SHA256",
    ]
    .iter()
    .map(|n| ("TLS 1.2".to_string(), n.to_string()))
    .collect();
    assert_eq!(suites(&v), want);
    for f in v["artefacts"][0]["findings"].as_array().unwrap() {
        if f["note"].as_str().is_some_and(|n| n.contains("_anon_")) {
            assert_eq!(
                (f["refused"].as_bool(), f["severity"].as_str()),
                (Some(true), Some("critical")),
                "{f}"
            );
        }
    }
}

/// Issue 17, item 8 (TLS 1.2): every signature scheme the server accepts is reported, not only
/// the one it prefers; a server that would sign with rsa_pkcs1_sha1 is refused.
#[test]
fn every_accepted_tls12_signature_scheme_is_reported() {
    let dir = tempdir();
    sh(
        &dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=localhost -days 30",
    );
    let (_server, target) = s_server(
        &dir,
        &[
            "-key",
            "k.pem",
            "-cert",
            "c.pem",
            "-no_tls1_3",
            "-groups",
            "P-256",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-sigalgs",
            "RSA-PSS+SHA384:RSA+SHA256:RSA+SHA1",
        ],
    );
    // As of 2030: RSA-2048 schemes are refused from 2031-01-01.
    let (code, v) = audit_json(&dir, &["--tls", &target, "--as-of", "2030-06-01"]);
    assert_eq!(code, 1, "{v}");
    let schemes: BTreeMap<&str, bool> = v["artefacts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["aspect"] == "signature scheme")
        .map(|f| (f["note"].as_str().unwrap(), f["refused"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        schemes,
        [
            ("rsa_pss_rsae_sha384", false),
            ("rsa_pkcs1_sha256", false),
            ("rsa_pkcs1_sha1", true)
        ]
        .into_iter()
        .collect(),
        "{v}"
    );
}

/// Issue 17, item 7: TLS 1.3 groups beyond ffdhe4096 are offered and judged.
#[test]
fn every_tls13_group_is_offered_and_judged() {
    let dir = tempdir();
    sh(
        &dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=localhost -days 30",
    );
    let (_server, target) = s_server(
        &dir,
        &[
            "-key",
            "k.pem",
            "-cert",
            "c.pem",
            "-tls1_3",
            "-groups",
            "ffdhe6144:ffdhe8192:secp521r1",
        ],
    );
    let (code, v) = audit_json(&dir, &["--tls", &target]);
    // The chain is encrypted in TLS 1.3 and kagi's handshake has none of these groups: the
    // chain checks say they could not run (exit 2), the groups are judged all the same.
    assert_eq!(code, 2, "{v}");
    assert!(
        v["artefacts"][0]["not_judged"]
            .as_str()
            .unwrap()
            .contains("chain was not obtained"),
        "{v}"
    );
    let groups: BTreeSet<&str> = v["artefacts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["aspect"] == "key exchange group")
        .map(|f| f["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        ["dh-6144", "dh-8192", "ecdh-p521"].into_iter().collect(),
        "{v}"
    );
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

/// The artefacts found at `file` (as location or `also_at`), by a path suffix.
fn at<'a>(v: &'a serde_json::Value, file: &str) -> Vec<&'a serde_json::Value> {
    let is = |s: &str| {
        let s = s.split('#').next().unwrap().trim_end_matches(" (embedded)");
        s.ends_with(&format!("/{file}")) || s == file
    };
    v["artefacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            is(a["location"].as_str().unwrap())
                || a["also_at"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|x| is(x.as_str().unwrap())))
        })
        .collect()
}

fn findings(a: &serde_json::Value) -> Vec<(String, String, bool, String)> {
    a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["aspect"].as_str().unwrap().to_string(),
                f["algorithm"].as_str().unwrap().to_string(),
                f["refused"].as_bool().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(a: &serde_json::Value, aspect: &str, alg: &str, refused: bool) -> bool {
    findings(a).iter().any(|(asp, al, r, _)| {
        (aspect.is_empty() || asp == aspect) && al.contains(alg) && *r == refused
    })
}

/// Issue 17, items 1–4: each kind that used to be skipped silently (exit 0) is judged from the
/// policy data, or reported "not judged" with exit 2.
#[test]
fn every_cryptographic_input_is_judged_or_reported_not_judged() {
    let dir = tempdir();
    let d = dir.join("in");
    std::fs::create_dir_all(&d).unwrap();
    for cmd in [
        // 1. CSRs signed with SHA-1 and MD5.
        "openssl req -new -newkey rsa:1024 -nodes -keyout csr.key -sha1 -subj /CN=a -out sha1.csr",
        "openssl req -new -key csr.key -md5 -subj /CN=b -out md5.csr",
        "openssl req -new -key csr.key -md5 -subj /CN=b -outform DER -out md5.csr.der",
        // 2. Attached CMS SignedData, SHA-1, RSA-1024 signer.
        "openssl req -x509 -newkey rsa:1024 -nodes -keyout signer.key -out signer.crt -subj /CN=s -days 30",
        "echo hello > msg.txt",
        "openssl cms -sign -nodetach -md sha1 -in msg.txt -signer signer.crt -inkey signer.key -outform PEM -out attached.p7m",
        "openssl cms -sign -nodetach -md sha1 -in msg.txt -signer signer.crt -inkey signer.key -outform DER -out attached.p7m.der",
        // 3. A certificates-only PKCS#7 bundle.
        "openssl crl2pkcs7 -nocrl -certfile signer.crt -out bundle.p7b",
        // 4. DSA in every encoding, Ed448, RSA-PSS keys and certificates, explicit and unlisted
        //    curves, OpenSSH certificates.
        "openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsaparam.pem",
        "openssl genpkey -paramfile dsaparam.pem -out dsa.pem",
        "openssl pkey -in dsa.pem -traditional -out dsa-trad.pem",
        "openssl pkey -in dsa.pem -outform DER -out dsa.der",
        "openssl pkey -in dsa.pem -pubout -out dsa-pub.pem",
        "openssl req -x509 -key dsa.pem -subj /CN=d -days 30 -out dsa.crt -addext basicConstraints=critical,CA:FALSE",
        "openssl genpkey -algorithm ed448 -out ed448.pem",
        "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out pss.key",
        "openssl req -x509 -key pss.key -subj /CN=p -days 30 -out pss.crt -addext basicConstraints=critical,CA:FALSE",
        "openssl ecparam -name prime256v1 -genkey -param_enc explicit -out explicit.pem",
        "openssl ecparam -name secp256k1 -genkey -noout -out k1.pem",
        "ssh-keygen -q -t ed25519 -N '' -f ca",
        "ssh-keygen -q -t rsa -b 3072 -N '' -f user",
        "ssh-keygen -q -s ca -I id -n alice user.pub",
        "rm ca ca.pub user user.pub",
    ] {
        sh(&d, cmd);
    }
    // As of 2030, not today: the RSA-2048 and DSA-2048 verdicts change on 2031-01-01.
    let (code, v) = audit_json(&dir, &["in", "--as-of", "2030-06-01"]);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["path"].as_str().unwrap().ends_with("msg.txt")),
        "{}",
        v["skipped"]
    );

    for f in ["sha1.csr", "md5.csr", "md5.csr.der"] {
        let a = at(&v, f);
        assert_eq!(a.len(), 1, "{f}: {a:?}");
        assert_eq!(a[0]["kind"], "CSR");
        assert!(has(a[0], "public key", "rsa-1024", true), "{f}: {}", a[0]);
        let h = if f.starts_with("sha1") { "sha1" } else { "md5" };
        assert!(has(a[0], "signature", h, true), "{f}: {}", a[0]);
    }
    for f in ["attached.p7m", "attached.p7m.der"] {
        let sig = at(&v, f)
            .into_iter()
            .find(|a| a["kind"] == "CMS signature")
            .unwrap_or_else(|| panic!("{f}: {v}"));
        assert!(has(sig, "digest", "sha-1", true), "{sig}");
        assert!(has(sig, "signer key", "rsa-1024", true), "{sig}");
    }
    let bundle = at(&v, "bundle.p7b");
    assert!(
        bundle
            .iter()
            .any(|a| a["kind"] == "PKCS#7 certificate bundle")
    );
    assert!(
        bundle
            .iter()
            .any(|a| a["kind"] == "certificate" && has(a, "public key", "rsa-1024", true)),
        "{bundle:?}"
    );
    for f in [
        "dsa.pem",
        "dsa-trad.pem",
        "dsa.der",
        "dsa-pub.pem",
        "dsa.crt",
    ] {
        let a = at(&v, f);
        assert!(!a.is_empty(), "{f}");
        assert!(
            has(a[0], "public key", "dsa-2048-224", false),
            "{f}: {}",
            a[0]
        );
    }
    let dsa_crt = at(&v, "dsa.crt")[0];
    assert_eq!(dsa_crt["kind"], "certificate");
    assert!(
        has(dsa_crt, "signature", "dsa-2048-224-sha256", false),
        "{dsa_crt}"
    );
    assert!(has(at(&v, "ed448.pem")[0], "public key", "ed448", false));
    assert!(has(at(&v, "pss.key")[0], "public key", "rsa-2048", false));
    let pss = at(&v, "pss.crt")[0];
    assert_eq!(pss["public_key"], "RSA-PSS-2048");
    assert!(has(pss, "signature", "rsa-pss-2048-sha256", false), "{pss}");
    let explicit = at(&v, "explicit.pem");
    assert_eq!(explicit.len(), 2, "parameters and key: {explicit:?}");
    assert!(
        explicit
            .iter()
            .all(|a| has(a, "", "explicit curve parameters", true))
    );
    assert!(has(
        at(&v, "k1.pem")[0],
        "public key",
        "1.3.132.0.10 secp256k1",
        true
    ));
    let cert = at(&v, "user-cert.pub");
    assert_eq!(cert.len(), 1);
    assert_eq!(cert[0]["kind"], "OpenSSH certificate");
    assert!(has(cert[0], "public key", "rsa-3072", false), "{}", cert[0]);
    assert!(has(cert[0], "CA key", "ed25519", false), "{}", cert[0]);

    // What cannot be read is not judged, named, and exits 2 — never dropped.
    std::fs::write(
        d.join("garbled.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIBAAAAAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::write(
        d.join("odd.pem"),
        "-----BEGIN SOMETHING ELSE-----\nMAA=\n-----END SOMETHING ELSE-----\n",
    )
    .unwrap();
    std::fs::write(
        d.join("seq.bin"),
        [0x30, 0x10, 0x04, 0x0e]
            .iter()
            .copied()
            .chain([7u8; 14])
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let r = kagi_in(&dir, &["audit", "in"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("could not be judged"), "{}", r.stderr);
    let (_, v) = audit_json(&dir, &["in"]);
    for f in ["garbled.pem", "odd.pem", "seq.bin"] {
        let a = at(&v, f);
        assert_eq!(a.len(), 1, "{f}");
        assert!(a[0]["not_judged"].as_str().is_some(), "{f}: {}", a[0]);
    }
    assert!(r.stdout.contains("NOT JUDGED"), "{}", r.stdout);
}

/// Issue 17, items 11 and 12: PBES2 is read as PBES2 whatever its cipher, PBES1 and PKCS#12
/// PBE by their parts; MD2 signatures are named and trust anchors' self-signatures exempt; one
/// severity table (broken: critical; refused to process: high).
#[test]
fn key_protection_and_severities_follow_the_policy_table() {
    let dir = tempdir();
    let d = dir.join("in");
    std::fs::create_dir_all(&d).unwrap();
    sh(
        &d,
        "openssl ecparam -name prime256v1 -genkey -noout -out ec.key",
    );
    for (name, opts) in [
        ("cam.key", "-v2 camellia-256-cbc -v2prf hmacWithSHA512"),
        ("cam128.key", "-v2 camellia-128-cbc -v2prf hmacWithSHA384"),
        ("des3.key", "-v2 des3 -v2prf hmacWithSHA256"),
        ("aes-sha1.key", "-v2 aes-256-cbc -v2prf hmacWithSHA1"),
        ("md5des.key", "-v1 PBE-MD5-DES"),
        ("rc240.key", "-v1 PBE-SHA1-RC2-40"),
        ("p12-3des.key", "-v1 PBE-SHA1-3DES"),
    ] {
        sh(
            &d,
            &format!(
                "openssl pkcs8 -topk8 {opts} -in ec.key -out {name} -passout pass:x -provider legacy -provider default"
            ),
        );
    }
    sh(&d, "rm ec.key");
    sh(
        &d,
        "openssl genrsa -aes256 -traditional -passout pass:x -out trad.key 2048",
    );
    sh(
        &d,
        "ssh-keygen -q -t ed25519 -N secret -f id_enc && rm id_enc.pub",
    );
    let (code, v) = audit_json(&dir, &["in"]);
    assert_eq!(code, 1, "{v}");
    let one = |f: &str| at(&v, f)[0].clone();
    let trad = one("trad.key");
    assert!(
        has(&trad, "key protection", "EVP_BytesToKey with MD5", true),
        "{trad}"
    );
    assert!(has(&trad, "key protection", "aes-256-cbc", false), "{trad}");
    let ssh = one("id_enc");
    assert!(has(&ssh, "key protection", "aes-256-ctr", false), "{ssh}");
    assert!(has(&ssh, "key protection", "bcrypt KDF", true), "{ssh}");
    let cam = one("cam.key");
    assert!(
        has(&cam, "key protection", "pbkdf2-sha-512", false),
        "{cam}"
    );
    assert!(
        has(&cam, "key protection", "camellia-256-cbc", false),
        "{cam}"
    );
    assert!(!cam.to_string().contains("PBES1"), "{cam}");
    assert!(has(
        &one("cam128.key"),
        "key protection",
        "camellia-128-cbc",
        false
    ));
    let des3 = one("des3.key");
    assert!(has(&des3, "key protection", "3des-cbc", true), "{des3}");
    assert!(des3.to_string().contains("PBES2"), "{des3}");
    let sev = |f: &str| {
        one(f)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["severity"].as_str().unwrap().to_string())
            .max_by_key(|s| {
                ["info", "low", "medium", "high", "critical"]
                    .iter()
                    .position(|x| x == s)
            })
            .unwrap()
    };
    assert_eq!(sev("md5des.key"), "critical");
    assert_eq!(sev("trad.key"), "critical");
    assert_eq!(sev("id_enc"), "high");
    assert_eq!(sev("rc240.key"), "critical");
    assert_eq!(sev("aes-sha1.key"), "high");
    assert_eq!(sev("p12-3des.key"), "high");

    // MD2: a self-signed CA (trust anchor) is exempt; an end-entity is broken, by name.
    let e = dir.join("md2");
    std::fs::create_dir_all(&e).unwrap();
    sh(
        &e,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout k -subj /CN=root -days 30 -outform DER -out ca.der -addext basicConstraints=critical,CA:TRUE",
    );
    sh(
        &e,
        "openssl req -x509 -key k -subj /CN=ee -days 30 -outform DER -out ee.der -addext basicConstraints=critical,CA:FALSE",
    );
    sh(
        &e,
        "openssl req -x509 -key k -subj /CN=s -days 30 -sha1 -out sha1.crt -addext basicConstraints=critical,CA:FALSE",
    );
    sh(&e, "rm k");
    let sha256_rsa = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
    ];
    for f in ["ca.der", "ee.der"] {
        let mut der = std::fs::read(e.join(f)).unwrap();
        let mut n = 0;
        for i in 0..der.len() - sha256_rsa.len() {
            if der[i..i + sha256_rsa.len()] == sha256_rsa {
                der[i + sha256_rsa.len() - 1] = 0x02; // md2WithRSAEncryption
                n += 1;
            }
        }
        assert_eq!(n, 2);
        std::fs::write(e.join(f.replace(".der", "-md2.der")), der).unwrap();
        std::fs::remove_file(e.join(f)).unwrap();
    }
    let (_, v) = audit_json(&dir, &["md2"]);
    let sig = |f: &str| {
        at(&v, f)[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["aspect"] == "signature")
            .unwrap()
            .clone()
    };
    let ca = sig("ca-md2.der");
    assert_eq!(ca["algorithm"], "md2WithRSAEncryption", "{ca}");
    assert_eq!(ca["refused"], false, "{ca}");
    assert!(ca["note"].as_str().unwrap().contains("trust anchor"));
    let ee = sig("ee-md2.der");
    assert_eq!(ee["algorithm"], "md2WithRSAEncryption");
    assert_eq!(
        (ee["refused"].as_bool(), ee["severity"].as_str()),
        (Some(true), Some("critical"))
    );
    let sha1 = sig("sha1.crt");
    assert_eq!(
        (sha1["refused"].as_bool(), sha1["severity"].as_str()),
        (Some(true), Some("critical")),
        "docs/AUDIT.md: SHA-1 signatures are critical"
    );
}

/// Issue 17, item 13: the same SSH key in a private key, its `.pub` and `authorized_keys` is
/// one artefact, with the private key's findings and the other places.
#[test]
fn the_same_ssh_key_in_three_files_is_reported_once() {
    let dir = tempdir();
    let d = dir.join("ssh");
    std::fs::create_dir_all(&d).unwrap();
    sh(
        &d,
        "ssh-keygen -q -t ed25519 -N '' -C me@host -f id_ed25519",
    );
    sh(&d, "ssh-keygen -q -t ecdsa -b 256 -N '' -f other");
    sh(
        &d,
        "cat id_ed25519.pub other.pub > authorized_keys && rm other",
    );
    let (code, v) = audit_json(&dir, &["ssh"]);
    assert_eq!(code, 0, "{v}");
    let ed = at(&v, "id_ed25519");
    assert_eq!(ed.len(), 1, "{ed:?}");
    assert_eq!(ed[0]["kind"], "OpenSSH private key");
    assert_eq!(ed[0]["also_at"].as_array().unwrap().len(), 2, "{}", ed[0]);
    assert_eq!(at(&v, "other.pub").len(), 1);
    assert_eq!(v["summary"]["artefacts"], 2, "{v}");
}

/// The pyca/cryptography x509 vectors (PyPI `cryptography-vectors`, installed by `.ci/run`):
/// every file is judged, not judged with a reason, or skipped — and only files that do not
/// look cryptographic are skipped. No crash.
#[test]
fn every_pyca_x509_vector_is_accounted_for() {
    let out = Command::new("python3")
        .args([
            "-c",
            "import cryptography_vectors, os; print(os.path.dirname(cryptography_vectors.__file__))",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the pyca vectors are missing: pip install cryptography-vectors (.ci/run does)"
    );
    let root = std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()).join("x509");
    let dir = tempdir();
    let (code, v) = audit_json(&dir, &[root.to_str().unwrap()]);
    assert!(code == 1 || code == 2, "{}", v["summary"]);
    let mut accounted = BTreeSet::new();
    for a in v["artefacts"].as_array().unwrap() {
        let places =
            std::iter::once(&a["location"]).chain(a["also_at"].as_array().into_iter().flatten());
        for p in places {
            let p = p
                .as_str()
                .unwrap()
                .split('#')
                .next()
                .unwrap()
                .trim_end_matches(" (embedded)");
            accounted.insert(p.to_string());
        }
    }
    for key in ["skipped", "errors"] {
        for s in v[key].as_array().unwrap() {
            accounted.insert(s["path"].as_str().unwrap().to_string());
        }
    }
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                stack.push(e)
            } else {
                files.push(e)
            }
        }
    }
    assert!(files.len() > 1000, "{}", files.len());
    for f in &files {
        assert!(
            accounted.contains(f.to_str().unwrap()),
            "not accounted for: {}",
            f.display()
        );
    }
    for s in v["skipped"].as_array().unwrap() {
        let bytes = std::fs::read(s["path"].as_str().unwrap()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("-----BEGIN ") && bytes.first() != Some(&0x30),
            "skipped but looks cryptographic: {}",
            s["path"]
        );
    }
    for f in [
        "x509/badasn1time.pem",
        "x509/custom/cp_invalid.pem",
        "x509/ed25519/ed25519-rfc8410.pem",
    ] {
        let name = f.trim_start_matches("x509/");
        let a = at(&v, name);
        assert!(!a.is_empty(), "{f} vanished");
    }
    // Every not-judged artefact says why.
    for a in v["artefacts"].as_array().unwrap() {
        if let Some(why) = a.get("not_judged") {
            assert!(why.as_str().unwrap().len() > 10, "{a}");
        }
    }
}

/// Found by an attacker: `kagi audit key.pem --out key.pem` replaced the private key with the
/// report. --out now names a new file; --force replaces a report, never a file being audited
/// (named, or inside a directory named).
#[test]
fn the_report_never_replaces_what_it_audits() {
    let dir = tempdir();
    sh(&dir, "openssl genrsa -out victim.pem 2048");
    std::fs::create_dir(dir.join("tree")).unwrap();
    std::fs::copy(dir.join("victim.pem"), dir.join("tree/k.pem")).unwrap();
    let key = std::fs::read(dir.join("victim.pem")).unwrap();
    for (args, path) in [
        (
            vec!["audit", "victim.pem", "--out", "victim.pem"],
            "victim.pem",
        ),
        (
            vec!["audit", "victim.pem", "--out", "victim.pem", "--force"],
            "victim.pem",
        ),
        (
            vec!["audit", "tree", "--out", "tree/k.pem", "--force"],
            "tree/k.pem",
        ),
    ] {
        let r = kagi_in(&dir, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(std::fs::read(dir.join(path)).unwrap(), key, "{args:?}");
    }
    // A report is written new, and replaced only with --force.
    let r = kagi_in(&dir, &["audit", "victim.pem", "--out", "report.txt"]);
    assert!(matches!(r.code, 0 | 1), "{}", r.stderr);
    let r = kagi_in(&dir, &["audit", "victim.pem", "--out", "report.txt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = kagi_in(
        &dir,
        &["audit", "victim.pem", "--out", "report.txt", "--force"],
    );
    assert!(matches!(r.code, 0 | 1), "{}", r.stderr);
}

/// Found by an attacker: a FIFO or device named on the command line (`kagi audit <(cat
/// key.pem)`, `/dev/zero`) said "nothing found", exit 0. It is an error now (exit 2: not read);
/// one met in a walked directory is listed as skipped, never read.
#[test]
fn special_files_are_never_passed_unread() {
    let dir = tempdir();
    sh(&dir, "openssl genrsa -traditional -out weak.pem 1024");
    sh(&dir, "mkfifo pipe.pem && mkdir tree && mkfifo tree/p");
    for named in ["pipe.pem", "/dev/zero"] {
        let r = kagi_in(&dir, &["audit", named]);
        assert_eq!(r.code, 2, "{named}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("not read"), "{named}: {}", r.stderr);
    }
    sh(&dir, "cp weak.pem tree/");
    let r = kagi_in(&dir, &["audit", "--verbose", "tree"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("tree/p: a FIFO (pipe): not read"),
        "{}",
        r.stdout
    );
}
