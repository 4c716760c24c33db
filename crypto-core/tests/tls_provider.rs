//! The CRYPTREC-only rustls provider against clients and servers kagi did not write:
//! `openssl s_client` and `curl` against the example server, the example client against
//! `openssl s_server`, and the provider's parts under each built-in policy.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crypto_core::Provider;
use crypto_core::tls::TlsProvider;

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

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "kagi-tls-{}-{}",
        std::process::id(),
        hex::encode(crypto_core::rand::array::<4>().unwrap())
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A CA and, signed by it, a P-256 server certificate for `localhost` (and an RSA-2048 one).
fn pki(dir: &Path) {
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn server(dir: &Path, cert: &str, key: &str, policy: &str) -> (Proc, u16) {
    let port = free_port();
    let mut child = Command::new(example("tls_server"))
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
    let out = Command::new("sh")
        .args([
            "-c",
            &format!("openssl s_client -connect 127.0.0.1:{port} -servername localhost -CAfile ca.pem -verify_return_error -brief {extra} < /dev/null"),
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ok = out.status.success() && text.contains("Protocol version");
    (ok, text)
}

#[test]
fn openssl_and_curl_reach_the_example_server_only_with_what_the_policy_permits() {
    let dir = tempdir();
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
        let (ok, out) = s_client(&dir, port, refused);
        assert!(!ok, "{why} was accepted: {out}");
    }
    // The system's defaults succeed.
    let (ok, out) = s_client(&dir, port, "");
    assert!(ok, "{out}");
    if Command::new("sh")
        .args(["-c", "command -v curl"])
        .output()
        .unwrap()
        .status
        .success()
    {
        let out = Command::new("curl")
            .args([
                "-sS",
                "--cacert",
                "ca.pem",
                "--resolve",
                &format!("localhost:{port}:127.0.0.1"),
                &format!("https://localhost:{port}/"),
            ])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("CRYPTREC-only"));
    }
    // A policy that denies ChaCha20-Poly1305: a client offering only it is refused.
    std::fs::write(
        dir.join("no-chacha.toml"),
        "name = \"no chacha\"\nbase = \"egov\"\ndeny = [\"ChaCha20-Poly1305\"]\n",
    )
    .unwrap();
    let (_srv2, port2) = server(&dir, "ec.pem", "ec.key", "no-chacha.toml");
    let (ok, out) = s_client(
        &dir,
        port2,
        "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256",
    );
    assert!(!ok, "{out}");
    let (ok, out) = s_client(&dir, port2, "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305");
    assert!(!ok, "{out}");
    let (ok, out) = s_client(
        &dir,
        port,
        "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256",
    );
    assert!(ok, "egov permits ChaCha20-Poly1305: {out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_example_client_connects_to_approved_servers_and_refuses_the_rest() {
    let dir = tempdir();
    pki(&dir);
    let s_server = |args: &str| -> (Proc, u16) {
        let port = free_port();
        let child = Command::new("sh")
            .args(["-c", &format!("exec openssl s_server -accept 127.0.0.1:{port} -cert ec.pem -key ec.key -www {args}")])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let p = Proc(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (p, port);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("s_server did not start");
    };
    let client = |port: u16| {
        Command::new(example("tls_client"))
            .args([&format!("127.0.0.1:{port}"), "--ca", "ca.pem"])
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let (_a, port) = s_server("-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256");
    let out = client(port);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("TLS13_AES_128_GCM_SHA256"));
    let (_b, port) = s_server("-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384");
    assert!(client(port).status.success());
    for args in [
        "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA",
        "-tls1_3 -groups X25519",
        "-tls1_1 -cipher DEFAULT@SECLEVEL=0",
    ] {
        let (_c, port) = s_server(args);
        let out = client(port);
        assert!(
            !out.status.success(),
            "{args} was accepted: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_part_is_permitted_and_the_policies_shape_the_set() {
    let egov = TlsProvider::new(&Provider::egov().unwrap()).unwrap();
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
    // Each part's algorithms are permitted to protect data today under its policy, and the
    // provider's status is the weakest of them (RSA-2048 signatures: until 2030-12-31).
    let high_p = Provider::new(cryptrec::Policy::named("egov-high").unwrap()).unwrap();
    let high = TlsProvider::new(&high_p).unwrap();
    for (p, tls) in [(Provider::egov().unwrap(), &egov), (high_p.clone(), &high)] {
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
    // An RSA-2048 server certificate: accepted under egov, refused under egov-high.
    let rsa2048 = {
        let k = crypto_core::keys::PrivateKey::generate(
            &Provider::egov().unwrap(),
            crypto_core::keys::KeyAlg::Rsa(2048),
        )
        .unwrap();
        let der = crypto_core::pki::self_signed(
            &Provider::egov().unwrap(),
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
    assert!(config(&Provider::egov().unwrap(), &egov).is_ok());
    assert!(config(&high_p, &high).is_err());
    // pqc (Table 2 only): no listed key exchange for TLS remains — refused, not weakened.
    let pqc = TlsProvider::new(&Provider::new(cryptrec::Policy::named("pqc").unwrap()).unwrap());
    assert!(pqc.is_err());
}
