//! The CRYPTREC-only rustls provider against clients and servers kagi did not write:
//! `openssl s_client` and `curl` against the example server, the example client against
//! `openssl s_server`, and the provider's parts under each built-in policy. openssl and curl
//! are required: without them these tests fail, naming the tool.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crypto_core::Provider;
use crypto_core::tls::TlsProvider;
use test_support::process::{clean_command, output};
use test_support::tls::{SServer, free_port};
use test_support::tools::require;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn example(name: &str) -> PathBuf {
    // target/debug/deps/<this test> → target/debug/examples/<name> (cargo test builds them).
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

fn sh(dir: &Path, cmd: &str) {
    let r = output(clean_command("sh").args(["-c", cmd]).current_dir(dir));
    assert_eq!(r.code, 0, "{cmd}: {}", r.stderr);
}

/// A CA and, signed by it, a P-256 server certificate for `localhost` (and an RSA-2048 one).
fn pki(dir: &Path) {
    require("openssl", "openssl");
    sh(
        dir,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout ca.key -out ca.pem -subj /CN=test-CA -days 2",
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    for (name, alg) in [
        ("ec", "ec -pkeyopt ec_paramgen_curve:P-256"),
        ("rsa", "rsa:2048"),
    ] {
        sh(
            dir,
            &format!(
                "openssl req -new -newkey {alg} -nodes -keyout {name}.key -out {name}.csr -subj /CN=localhost"
            ),
        );
        sh(
            dir,
            &format!(
                "openssl x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out {name}.pem -days 2 -extfile ext.cnf"
            ),
        );
    }
}

fn server(dir: &Path, cert: &str, key: &str, policy: &str) -> (Proc, u16) {
    let port = free_port();
    let mut child = clean_command(example("tls_server"))
        .args([
            "--cert",
            cert,
            "--key",
            key,
            "--policy",
            policy,
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening"), "{line}");
    (Proc(child), port)
}

fn s_client(dir: &Path, port: u16, extra: &str) -> (bool, String) {
    let r = output(clean_command("sh").args([
            "-c",
            &format!("openssl s_client -connect 127.0.0.1:{port} -servername localhost -CAfile ca.pem -verify_return_error -brief {extra} < /dev/null"),
        ])
        .current_dir(dir));
    let text = format!("{}{}", r.stdout, r.stderr);
    let ok = r.code == 0 && text.contains("Protocol version");
    (ok, text)
}

/// A handshake the server refused with a handshake_failure alert (40): not a connection
/// error, a certificate problem or any other failure.
#[track_caller]
fn assert_handshake_failure(dir: &Path, port: u16, offer: &str, why: &str) {
    let (ok, out) = s_client(dir, port, offer);
    assert!(!ok, "{why} was accepted: {out}");
    assert!(
        out.contains("alert handshake failure") && out.contains("SSL alert number 40"),
        "{why}: refused, but not with a handshake_failure alert: {out}"
    );
}

#[test]
fn openssl_and_curl_reach_the_example_server_only_with_what_the_policy_permits() {
    let dir = test_support::tempdir();
    pki(&dir);
    let (_srv, port) = server(&dir, "ec.pem", "ec.key", "egov");
    let (ok, out) = s_client(&dir, port, "-tls1_3");
    assert!(ok && out.contains("TLSv1.3"), "{out}");
    let (ok, out) = s_client(&dir, port, "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256");
    assert!(ok && out.contains("ECDHE-ECDSA-AES128-GCM-SHA256"), "{out}");
    for (refused, why) in [
        ("-groups X25519", "only X25519 (not on the list)"),
        ("-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA", "only a CBC suite"),
        ("-tls1_1 -cipher DEFAULT@SECLEVEL=0", "only TLS 1.1"),
    ] {
        assert_handshake_failure(&dir, port, refused, why);
    }
    // The system's defaults succeed.
    let (ok, out) = s_client(&dir, port, "");
    assert!(ok, "{out}");
    // curl with its defaults too (required, not optional: .ci/run installs it).
    require("curl", "curl");
    let out = output(
        clean_command("curl")
            .args([
                "-sS",
                "--cacert",
                "ca.pem",
                "--resolve",
                &format!("localhost:{port}:127.0.0.1"),
                &format!("https://localhost:{port}/"),
            ])
            .current_dir(&dir),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("CRYPTREC-only"), "{}", out.stdout);
    // A policy that denies ChaCha20-Poly1305: a client offering only it is refused.
    std::fs::write(
        dir.join("no-chacha.toml"),
        "name = \"no chacha\"\nbase = \"egov\"\ndeny = [\"ChaCha20-Poly1305\"]\n",
    )
    .unwrap();
    let (_srv2, port2) = server(&dir, "ec.pem", "ec.key", "no-chacha.toml");
    assert_handshake_failure(
        &dir,
        port2,
        "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256",
        "TLS 1.3 ChaCha20-Poly1305 under a policy denying it",
    );
    assert_handshake_failure(
        &dir,
        port2,
        "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS 1.2 ChaCha20-Poly1305 under a policy denying it",
    );
    let (ok, out) = s_client(
        &dir,
        port,
        "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256",
    );
    assert!(ok, "egov permits ChaCha20-Poly1305: {out}");
}

#[test]
fn the_example_client_connects_to_approved_servers_and_refuses_the_rest() {
    let dir = test_support::tempdir();
    pki(&dir);
    let s_server = |args: &str| {
        let args: Vec<&str> = ["-cert", "ec.pem", "-key", "ec.key"]
            .into_iter()
            .chain(args.split_whitespace())
            .collect();
        SServer::start(&dir, &args)
    };
    let client = |port: u16| {
        output(
            clean_command(example("tls_client"))
                .args([&format!("127.0.0.1:{port}"), "--ca", "ca.pem"])
                .current_dir(&dir),
        )
    };
    let a = s_server("-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256");
    let out = client(a.port);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("TLS13_AES_128_GCM_SHA256"),
        "{}",
        out.stdout
    );
    let b = s_server("-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384");
    let out = client(b.port);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Each refusal is the client's: openssl names what the client did not offer, and the
    // client reports the alert openssl sent.
    for (args, server_says, alert) in [
        (
            "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA",
            "no shared cipher",
            "HandshakeFailure",
        ),
        (
            "-tls1_3 -groups X25519",
            "no suitable key share",
            "HandshakeFailure",
        ),
        (
            "-tls1_1 -cipher DEFAULT@SECLEVEL=0",
            "unsupported protocol",
            "ProtocolVersion",
        ),
    ] {
        let c = s_server(args);
        let out = client(c.port);
        assert_ne!(out.code, 0, "{args} was accepted: {}", out.stdout);
        assert!(
            out.stderr
                .contains(&format!("received fatal alert: {alert}")),
            "{args}: {}",
            out.stderr
        );
        // openssl writes its reason after sending the alert: give it a moment under load.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !c.log().contains(server_says) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(c.log().contains(server_says), "{args}: {}", c.log());
    }
}

#[test]
fn every_part_is_permitted_and_the_policies_shape_the_set() {
    // Every date is explicit: the outcome must not depend on the day the suite runs (CI runs
    // it with the clock at 2031 and 2041 too).
    let on = |d: &str| cryptrec::parse_date(d).unwrap();
    let egov_p = Provider::egov().unwrap().at_date(on("2030-06-01"));
    let egov = TlsProvider::new(&egov_p).unwrap();
    let names: Vec<&str> = egov.parts.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "TLS13_AES_128_GCM_SHA256",
        "TLS13_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "secp256r1",
        "secp384r1",
        "ECDSA_NISTP256_SHA256",
        "RSA_PSS_SHA256",
    ] {
        assert!(
            names.iter().any(|n| n.contains(want)),
            "{want} missing from {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n.contains("X25519")), "{names:?}");
    // Each part's algorithms are permitted to protect data on the provider's date under its
    // policy, and the provider's status is the weakest of them (RSA-2048 signatures: until
    // 2030-12-31).
    let high_p = Provider::new(cryptrec::Policy::named("egov-high").unwrap())
        .unwrap()
        .at_date(on("2030-06-01"));
    let high = TlsProvider::new(&high_p).unwrap();
    for (p, tls) in [(egov_p.clone(), &egov), (high_p.clone(), &high)] {
        for part in &tls.parts {
            for a in &part.algorithms {
                let v = p
                    .policy()
                    .evaluate(&a.parse().unwrap(), cryptrec::Use::Protect, p.date());
                assert!(v.allows(), "{} {} {a}: {}", tls.policy, part.name, v.status);
            }
        }
    }
    assert_eq!(egov.status.to_string(), "permitted until 2030-12-31");
    // egov-high: RSA schemes only for keys of 3072 bits and more; the status is 128-bit's.
    let rsa = high
        .parts
        .iter()
        .find(|p| p.name == "RSA_PSS_SHA256")
        .unwrap();
    assert_eq!(rsa.algorithms, ["rsa-pss-3072-sha256"]);
    assert_eq!(high.status.to_string(), "permitted until 2050-12-31");
    // From 2031 egov drops RSA-2048 as egov-high does; in 2041 128-bit strength is in its
    // migration period, so the status stays 2050's.
    for (date, rsa_algs, status) in [
        (
            "2031-01-01",
            &["rsa-pss-3072-sha256"][..],
            "permitted until 2050-12-31",
        ),
        (
            "2041-06-01",
            &["rsa-pss-3072-sha256"][..],
            "permitted until 2050-12-31",
        ),
    ] {
        let later = TlsProvider::new(&Provider::egov().unwrap().at_date(on(date))).unwrap();
        let rsa = later
            .parts
            .iter()
            .find(|p| p.name == "RSA_PSS_SHA256")
            .unwrap();
        assert_eq!(rsa.algorithms, rsa_algs, "{date}");
        assert_eq!(later.status.to_string(), status, "{date}");
    }
    // An RSA-2048 server certificate: accepted under egov, refused under egov-high.
    let rsa2048 = {
        let k =
            crypto_core::keys::PrivateKey::generate(&egov_p, crypto_core::keys::KeyAlg::Rsa(2048))
                .unwrap();
        let der = crypto_core::pki::self_signed(
            &egov_p,
            &k,
            "CN=localhost",
            2,
            crypto_core::pki::Profile::Signing,
        )
        .unwrap();
        (der, k.pkcs8_der().to_vec())
    };
    let config = |p: &Provider, tls: &TlsProvider| {
        crypto_core::tls::server_config(
            p,
            tls,
            vec![pki_types::CertificateDer::from(rsa2048.0.clone())],
            pki_types::PrivateKeyDer::Pkcs8(rsa2048.1.clone().into()),
        )
    };
    assert!(config(&egov_p, &egov).is_ok());
    let err = config(&high_p, &high).err().unwrap();
    assert!(
        matches!(&err, crypto_core::Error::Refused(v) if v.status == cryptrec::Status::Refused
            && v.algorithm.starts_with("rsa") && v.algorithm.contains("2048")),
        "{err:?}"
    );
    // pqc (Table 2 only): no listed key exchange for TLS remains — refused, not weakened.
    let pqc = TlsProvider::new(&Provider::new(cryptrec::Policy::named("pqc").unwrap()).unwrap());
    let err = pqc.err().unwrap();
    assert!(
        matches!(&err, crypto_core::Error::NotListed(m) if m.contains("leaves no complete TLS configuration")
            && m.contains("0 groups")),
        "{err:?}"
    );
}
