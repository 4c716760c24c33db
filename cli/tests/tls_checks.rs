//! `kagi audit --tls` beyond the enumeration (issue 17, items 9 and 10), through the real
//! binary: STARTTLS for seven protocols (fake servers that speak the upgrade and then relay to
//! a real `openssl s_server`, each checked with `openssl s_client -starttls` first), host lists
//! probed concurrently, chain checks (trust, expiry at --as-of, host name, OCSP/CRL locations,
//! stapled OCSP from `-status_file`), and the named weaknesses against openssl and against a
//! scripted TLS ≤ 1.2 server for what the local openssl no longer offers (SSL 3.0, RC4, 3DES,
//! export suites, compression, missing renegotiation_info and fallback SCSV, Heartbleed).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

// ---- local helpers (kept here: cli/tests/common is being moved) ----

struct Dir(PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
impl std::ops::Deref for Dir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn tempdir(tag: &str) -> Dir {
    let d = std::env::temp_dir().join(format!("kagi-tls-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Dir(d)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn kagi(dir: &Path, args: &[&str]) -> Run {
    // A cleared environment that keeps the CI's faked clock (test_support::process).
    let out = test_support::process::clean_command(env!("CARGO_BIN_EXE_kagi"))
        .args(args)
        .current_dir(dir)
        .env("KAGI_STATE_DIR", dir.join("state"))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn audit_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let r = kagi(dir, &[&["audit", "--format", "json"], args].concat());
    let v =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    (r.code, v, r.stderr)
}

fn sh(dir: &Path, cmd: &str) {
    let out = Command::new("sh")
        .args(["-c", cmd])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("sh (for {cmd}): {e}"));
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn s_server(dir: &Path, args: &[&str]) -> (Server, u16) {
    let port = free_port();
    let child = Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-www"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("openssl is needed for these tests: {e}"));
    let server = Server(child);
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (server, port);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("s_server did not start");
}

/// A CA and a leaf for localhost and 127.0.0.1 (serverAuth), valid 30 days, with OCSP and CRL
/// locations; `ca.pem`, `leaf.pem`, `leaf.key`, `leaf.der`.
fn pki(dir: &Path) {
    sh(
        dir,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -subj '/CN=Kagi Test CA' -days 60 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign",
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityInfoAccess=OCSP;URI:http://ocsp.example.go.jp/\ncrlDistributionPoints=URI:http://crl.example.go.jp/ca.crl\n",
    )
    .unwrap();
    sh(
        dir,
        "openssl req -newkey rsa:3072 -nodes -keyout leaf.key -out leaf.csr -subj /CN=localhost \
         && openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 0x1234 -days 30 -extfile leaf.ext -out leaf.pem \
         && openssl x509 -in leaf.pem -outform DER -out leaf.der",
    );
}

fn endpoint(v: &serde_json::Value) -> &serde_json::Value {
    v["artefacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "TLS endpoint")
        .unwrap_or_else(|| panic!("no endpoint: {v}"))
}

/// (aspect, algorithm, refused, note) of an endpoint's findings of `aspect`.
fn of(v: &serde_json::Value, aspect: &str) -> Vec<(String, bool, String)> {
    endpoint(v)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["aspect"] == aspect)
        .map(|f| {
            (
                f["algorithm"].as_str().unwrap().to_string(),
                f["refused"].as_bool().unwrap(),
                f["note"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The named weakness starting with `name`: (refused, note).
fn weakness(v: &serde_json::Value, name: &str) -> (bool, String) {
    of(v, "weakness")
        .into_iter()
        .find(|(a, _, _)| a.starts_with(name))
        .map(|(_, r, n)| (r, n))
        .unwrap_or_else(|| panic!("no {name} finding: {v}"))
}

/// Every finding of every artefact, without where it was found.
fn everything(v: &serde_json::Value) -> BTreeSet<String> {
    v["artefacts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| {
            let kind = a["kind"].as_str().unwrap().to_string();
            a["findings"].as_array().unwrap().iter().map(move |f| {
                format!(
                    "{kind} | {} | {} | {} | {}",
                    f["aspect"], f["algorithm"], f["refused"], f["note"]
                )
            })
        })
        .collect()
}

// ---- fake STARTTLS front ends: the upgrade, then the bytes relayed to a TLS server ----

fn read_line(s: &mut TcpStream) -> Option<String> {
    let mut v = Vec::new();
    let mut b = [0u8];
    loop {
        if s.read(&mut b).ok()? != 1 {
            return None;
        }
        if b[0] == b'\n' {
            return Some(String::from_utf8_lossy(&v).trim_end().to_string());
        }
        v.push(b[0]);
    }
}

fn read_until(s: &mut TcpStream, done: impl Fn(&str) -> bool) -> Option<String> {
    let mut v = Vec::new();
    let mut b = [0u8];
    loop {
        if s.read(&mut b).ok()? != 1 {
            return None;
        }
        v.push(b[0]);
        let t = String::from_utf8_lossy(&v);
        if done(&t) {
            return Some(t.into_owned());
        }
    }
}

/// The server side of `proto`'s STARTTLS; true when the client may now start TLS.
fn server_upgrade(proto: &str, s: &mut TcpStream, refuse: bool) -> Option<bool> {
    match proto {
        "smtp" => {
            s.write_all(b"220 fake.example ESMTP\r\n").ok()?;
            loop {
                let l = read_line(s)?.to_ascii_uppercase();
                if l.starts_with("EHLO") || l.starts_with("HELO") {
                    s.write_all(b"250-fake.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
                        .ok()?;
                } else if l == "STARTTLS" {
                    if refuse {
                        s.write_all(b"454 4.7.0 TLS not available due to local problem\r\n")
                            .ok()?;
                        return Some(false);
                    }
                    s.write_all(b"220 2.0.0 Ready to start TLS\r\n").ok()?;
                    return Some(true);
                } else {
                    s.write_all(b"502 5.5.2 Error\r\n").ok()?;
                }
            }
        }
        "imap" => {
            s.write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] fake ready\r\n")
                .ok()?;
            loop {
                let l = read_line(s)?;
                let (tag, cmd) = l.split_once(' ')?;
                match cmd.to_ascii_uppercase().as_str() {
                    "CAPABILITY" => s
                        .write_all(
                            format!("* CAPABILITY IMAP4rev1 STARTTLS\r\n{tag} OK done\r\n")
                                .as_bytes(),
                        )
                        .ok()?,
                    "STARTTLS" if refuse => {
                        s.write_all(format!("{tag} BAD not now\r\n").as_bytes())
                            .ok()?;
                        return Some(false);
                    }
                    "STARTTLS" => {
                        s.write_all(format!("{tag} OK Begin TLS negotiation now\r\n").as_bytes())
                            .ok()?;
                        return Some(true);
                    }
                    _ => s
                        .write_all(format!("{tag} BAD unknown\r\n").as_bytes())
                        .ok()?,
                }
            }
        }
        "pop3" => {
            s.write_all(b"+OK fake POP3 ready\r\n").ok()?;
            loop {
                let l = read_line(s)?.to_ascii_uppercase();
                match l.as_str() {
                    "CAPA" => s.write_all(b"+OK\r\nSTLS\r\n.\r\n").ok()?,
                    "STLS" if refuse => {
                        s.write_all(b"-ERR not now\r\n").ok()?;
                        return Some(false);
                    }
                    "STLS" => {
                        s.write_all(b"+OK Begin TLS negotiation\r\n").ok()?;
                        return Some(true);
                    }
                    _ => s.write_all(b"-ERR unknown\r\n").ok()?,
                }
            }
        }
        "ftp" => {
            s.write_all(b"220-fake FTP\r\n220 ready\r\n").ok()?;
            loop {
                let l = read_line(s)?.to_ascii_uppercase();
                if l == "AUTH TLS" {
                    if refuse {
                        s.write_all(b"504 not here\r\n").ok()?;
                        return Some(false);
                    }
                    s.write_all(b"234 AUTH TLS successful\r\n").ok()?;
                    return Some(true);
                }
                s.write_all(b"500 unknown\r\n").ok()?;
            }
        }
        "ldap" => {
            let mut head = [0u8; 2];
            s.read_exact(&mut head).ok()?;
            assert_eq!(head[0], 0x30);
            let mut body = vec![0u8; usize::from(head[1])];
            s.read_exact(&mut body).ok()?;
            let oid = b"1.3.6.1.4.1.1466.20037";
            assert!(body.windows(oid.len()).any(|w| w == oid), "{body:?}");
            let id = body[2];
            let code = if refuse { 2 } else { 0 };
            s.write_all(&[
                0x30, 0x0c, 0x02, 0x01, id, 0x78, 0x07, 0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00,
            ])
            .ok()?;
            Some(!refuse)
        }
        "xmpp" => {
            read_until(s, |t| t.contains("<stream:stream") && t.ends_with('>'))?;
            s.write_all(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='f1' from='localhost' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>").ok()?;
            read_until(s, |t| t.contains("<starttls") && t.ends_with('>'))?;
            if refuse {
                s.write_all(b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
                    .ok()?;
                return Some(false);
            }
            s.write_all(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
                .ok()?;
            Some(true)
        }
        "postgres" => {
            let mut req = [0u8; 8];
            s.read_exact(&mut req).ok()?;
            assert_eq!(req, [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]);
            s.write_all(if refuse { b"N" } else { b"S" }).ok()?;
            Some(!refuse)
        }
        other => panic!("{other}"),
    }
}

/// A fake `proto` server on a free port: the upgrade, then every byte relayed to `backend`.
fn starttls_front(proto: &'static str, backend: u16, refuse: bool) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { continue };
            std::thread::spawn(move || {
                if server_upgrade(proto, &mut c, refuse) != Some(true) {
                    return;
                }
                let Ok(b) = TcpStream::connect(("127.0.0.1", backend)) else {
                    return;
                };
                let (mut c2, mut b2) = (c.try_clone().unwrap(), b.try_clone().unwrap());
                let up = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut b2);
                    let _ = b2.shutdown(std::net::Shutdown::Write);
                });
                let (mut b, mut c) = (b, c);
                let _ = std::io::copy(&mut b, &mut c);
                let _ = c.shutdown(std::net::Shutdown::Both);
                let _ = up.join();
            });
        }
    });
    port
}

const PROTOCOLS: [&str; 7] = ["smtp", "imap", "pop3", "ftp", "ldap", "xmpp", "postgres"];

#[test]
fn starttls_findings_equal_those_of_the_same_server_reached_directly() {
    let dir = tempdir("starttls");
    pki(&dir);
    let (_backend, port) = s_server(
        &dir,
        &[
            "-key",
            "leaf.key",
            "-cert",
            "leaf.pem",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA",
            "-ciphersuites",
            "TLS_AES_256_GCM_SHA384",
            "-groups",
            "P-256:P-384",
        ],
    );
    let direct = format!("127.0.0.1:{port}");
    let (code, want, err) = audit_json(&dir, &["--tls", &direct, "--trust", "ca.pem"]);
    assert_eq!(code, 1, "{err}{want}");
    assert!(
        of(&want, "certificate chain")[0].0.starts_with("valid to"),
        "{want}"
    );
    for proto in PROTOCOLS {
        let front = starttls_front(proto, port, false);
        // The fake is right: openssl's own STARTTLS client completes a verified handshake.
        let out = Command::new("openssl")
            .args([
                "s_client",
                "-connect",
                &format!("127.0.0.1:{front}"),
                "-starttls",
                proto,
                "-CAfile",
                "ca.pem",
                "-verify_return_error",
                "-brief",
            ])
            .current_dir(&*dir)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("Verification: OK"),
            "openssl s_client -starttls {proto}: {text}"
        );
        let target = format!("127.0.0.1:{front}");
        let (code, got, err) = audit_json(
            &dir,
            &["--tls", &target, "--starttls", proto, "--trust", "ca.pem"],
        );
        assert_eq!(code, 1, "{proto}: {err}");
        assert_eq!(
            everything(&got),
            everything(&want),
            "{proto}: findings through STARTTLS differ from the direct ones"
        );
        assert!(
            endpoint(&got)["name"]
                .as_str()
                .unwrap()
                .contains(&format!("via {proto} STARTTLS")),
            "{got}"
        );
        // Without --starttls the same port is not a TLS server: an error, exit 2.
        if proto == "smtp" {
            let r = kagi(&dir, &["audit", "--tls", &target, "--timeout", "2"]);
            assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        }
    }
}

#[test]
fn a_server_that_refuses_starttls_is_a_clear_error() {
    let dir = tempdir("refuse");
    for (proto, said) in [
        ("smtp", "454 4.7.0"),
        ("imap", "a BAD"),
        ("pop3", "-ERR"),
        ("ftp", "504"),
        ("ldap", "resultCode 2"),
        ("xmpp", "<failure"),
        ("postgres", "N"),
    ] {
        let front = starttls_front(proto, 9, true);
        let target = format!("127.0.0.1:{front}");
        let r = kagi(&dir, &["audit", "--tls", &target, "--starttls", proto]);
        assert_eq!(r.code, 2, "{proto}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("refused") && r.stderr.contains(said) && r.stderr.contains(&target),
            "{proto}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let r = kagi(
        &dir,
        &["audit", "--tls", "127.0.0.1:1", "--starttls", "gopher"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("gopher"), "{}", r.stderr);
}

#[test]
fn host_lists_are_probed_together_and_one_failure_hides_nothing() {
    let dir = tempdir("list");
    pki(&dir);
    let args = [
        "-key",
        "leaf.key",
        "-cert",
        "leaf.pem",
        "-tls1_3",
        "-ciphersuites",
        "TLS_AES_128_GCM_SHA256",
        "-groups",
        "P-256",
    ];
    let (_a, a) = s_server(&dir, &args);
    let (_b, b) = s_server(&dir, &args);
    let smtp = starttls_front("smtp", b, false);
    let dead = free_port();
    std::fs::write(
        dir.join("hosts.txt"),
        format!(
            "# government relays\n\n127.0.0.1:{a}   # the web front\n127.0.0.1:{smtp} starttls=smtp\n  127.0.0.1:{dead}\nlocalhost:{b} sni=localhost\n"
        ),
    )
    .unwrap();
    let (code, v, err) = audit_json(&dir, &["--tls-file", "hosts.txt", "--trust", "ca.pem"]);
    assert_eq!(code, 2, "one endpoint is down: {err}");
    assert!(err.contains(&format!("127.0.0.1:{dead}")), "{err}");
    let endpoints: BTreeSet<String> = v["artefacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "TLS endpoint")
        .map(|x| x["location"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        endpoints,
        [
            format!("127.0.0.1:{a}"),
            format!("127.0.0.1:{smtp}"),
            format!("localhost:{b}")
        ]
        .into_iter()
        .collect(),
        "{v}"
    );
    assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{v}");
    // The bounds are flags; a malformed line is an error that names it.
    let r = kagi(
        &dir,
        &[
            "audit",
            "--tls-file",
            "hosts.txt",
            "--tls-jobs",
            "1",
            "--tls-per-host",
            "1",
            "--trust",
            "ca.pem",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    std::fs::write(
        dir.join("bad.txt"),
        "# ok\n127.0.0.1:443\n127.0.0.1:https\n",
    )
    .unwrap();
    let r = kagi(&dir, &["audit", "--tls-file", "bad.txt"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad.txt: line 3") && r.stderr.contains("127.0.0.1:https"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "nothing probed: {}", r.stdout);
    std::fs::write(dir.join("empty.txt"), "# nothing\n\n").unwrap();
    let r = kagi(&dir, &["audit", "--tls-file", "empty.txt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no endpoint"), "{}", r.stderr);
}

#[test]
fn served_chains_are_validated_named_and_their_revocation_reported() {
    let dir = tempdir("chain");
    pki(&dir);
    // A good OCSP response for the leaf, and a revoked one, made by openssl's responder.
    let not_after = {
        let out = Command::new("openssl")
            .args([
                "x509", "-in", "leaf.pem", "-noout", "-enddate", "-dateopt", "iso_8601",
            ])
            .current_dir(&*dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(not_after.contains("notAfter"), "{not_after}");
    for (status, file) in [("V", "good.der"), ("R", "revoked.der")] {
        let revoked = if status == "R" { "250101000000Z" } else { "" };
        std::fs::write(
            dir.join("index.txt"),
            format!("{status}\t301231000000Z\t{revoked}\t1234\tunknown\t/CN=localhost\n"),
        )
        .unwrap();
        sh(
            &dir,
            &format!(
                "openssl ocsp -issuer ca.pem -cert leaf.pem -reqout req.der -no_nonce \
                 && openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -reqin req.der -respout {file} -ndays 7"
            ),
        );
    }
    let base = [
        "-key",
        "leaf.key",
        "-cert",
        "leaf.pem",
        "-cert_chain",
        "ca.pem",
    ];
    let (_s, port) = s_server(&dir, &[&base[..], &["-status_file", "good.der"]].concat());
    let target = format!("localhost:{port}");
    let (code, v, err) = audit_json(&dir, &["--tls", &target, "--trust", "ca.pem"]);
    assert!(code == 0 || code == 1, "{err}");
    let chain = of(&v, "certificate chain");
    assert!(
        chain[0].0.contains("valid to") && chain[0].0.contains("Kagi Test CA") && !chain[0].1,
        "{chain:?}"
    );
    assert_eq!(of(&v, "host name")[0].0, "valid for localhost");
    let rev = &of(&v, "revocation")[0];
    assert!(
        rev.0.contains("OCSP http://ocsp.example.go.jp/")
            && rev.0.contains("CRL http://crl.example.go.jp/ca.crl")
            && !rev.1,
        "{rev:?}"
    );
    assert_eq!(
        of(&v, "OCSP stapling")[0].0,
        "stapled OCSP response: good",
        "{v}"
    );

    // Untrusted (the system store does not hold the test CA), the wrong name, expired at
    // --as-of: each a refused finding, never a crash.
    let (code, v, _) = audit_json(&dir, &["--tls", &target]);
    assert_eq!(code, 1);
    let chain = &of(&v, "certificate chain")[0];
    assert!(chain.1 && chain.0.contains("untrusted"), "{chain:?}");
    let (_, v, _) = audit_json(
        &dir,
        &[
            "--tls",
            &target,
            "--trust",
            "ca.pem",
            "--sni",
            "www.example.go.jp",
        ],
    );
    let name = &of(&v, "host name")[0];
    assert!(
        name.1 && name.0 == "not valid for www.example.go.jp",
        "{name:?}"
    );
    let later = (time_now_plus_days(45)).to_string();
    let (code, v, _) = audit_json(
        &dir,
        &["--tls", &target, "--trust", "ca.pem", "--as-of", &later],
    );
    assert_eq!(code, 1);
    let chain = &of(&v, "certificate chain")[0];
    assert!(chain.1 && chain.0.contains("expired"), "{chain:?}");
    let sev = endpoint(&v)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["aspect"] == "certificate chain")
        .unwrap()["severity"]
        .clone();
    assert_eq!(sev, "high");

    // A revoked stapled response; and a TLS 1.3-only server staples inside its encrypted
    // Certificate message (read through the rustls handshake).
    let (_r, rport) = s_server(
        &dir,
        &[&base[..], &["-status_file", "revoked.der", "-tls1_3"]].concat(),
    );
    let (code, v, _) = audit_json(
        &dir,
        &["--tls", &format!("localhost:{rport}"), "--trust", "ca.pem"],
    );
    assert_eq!(code, 1);
    let st = &of(&v, "OCSP stapling")[0];
    assert!(st.1 && st.0 == "stapled OCSP response: revoked", "{st:?}");
    // No stapling, no revocation locations (the CA's own self-signed certificate as leaf
    // would be a CA: make a plain one).
    sh(
        &dir,
        "openssl req -newkey rsa:3072 -nodes -keyout bare.key -out bare.csr -subj /CN=localhost \
         && printf 'subjectAltName=DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > bare.ext \
         && openssl x509 -req -in bare.csr -CA ca.pem -CAkey ca.key -days 30 -extfile bare.ext -out bare.pem",
    );
    let (_n, nport) = s_server(
        &dir,
        &["-key", "bare.key", "-cert", "bare.pem", "-no_tls1_3"],
    );
    let (_, v, _) = audit_json(
        &dir,
        &["--tls", &format!("localhost:{nport}"), "--trust", "ca.pem"],
    );
    assert_eq!(of(&v, "OCSP stapling")[0].0, "no stapled OCSP response");
    assert_eq!(
        of(&v, "revocation")[0].0,
        "no OCSP responder and no CRL distribution point"
    );
    assert!(
        of(&v, "certificate chain")[0].0.starts_with("valid to"),
        "{v}"
    );
}

fn time_now_plus_days(days: i64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("+{days} days"), "+%Y-%m-%d"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn named_weaknesses_against_openssl() {
    let dir = tempdir("openssl-weak");
    pki(&dir);
    // A modern server: nothing named, Heartbleed included (OpenSSL 3 has no heartbeat).
    let (_m, port) = s_server(&dir, &["-key", "leaf.key", "-cert", "leaf.pem"]);
    let (_, v, err) = audit_json(
        &dir,
        &["--tls", &format!("127.0.0.1:{port}"), "--trust", "ca.pem"],
    );
    let all = of(&v, "weakness");
    assert_eq!(all.len(), 10, "{all:?} {err}");
    for (name, refused, note) in &all {
        assert!(!refused, "{name}: {note}");
        assert!(note.starts_with("not vulnerable"), "{name}: {note}");
    }
    assert!(
        weakness(&v, "no TLS_FALLBACK_SCSV")
            .1
            .contains("inappropriate_fallback")
    );
    assert!(
        weakness(&v, "insecure renegotiation")
            .1
            .contains("renegotiation_info")
    );

    // TLS 1.0 with CBC (BEAST) and a 1024-bit DHE group (LOGJAM), at security level 0.
    sh(&dir, "openssl dhparam -out dh1024.pem 1024 2>/dev/null");
    let (_l, port) = s_server(
        &dir,
        &[
            "-key",
            "leaf.key",
            "-cert",
            "leaf.pem",
            "-dhparam",
            "dh1024.pem",
            "-min_protocol",
            "TLSv1",
            "-max_protocol",
            "TLSv1.2",
            "-cipher",
            "DHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0",
        ],
    );
    let (code, v, _) = audit_json(
        &dir,
        &["--tls", &format!("127.0.0.1:{port}"), "--trust", "ca.pem"],
    );
    assert_eq!(code, 1);
    let (r, note) = weakness(&v, "BEAST");
    assert!(
        r && note.contains("TLS_RSA_WITH_AES_128_CBC_SHA (TLS 1.0)"),
        "{note}"
    );
    let (r, note) = weakness(&v, "LOGJAM");
    assert!(r && note.contains("1024-bit DHE group"), "{note}");
    for clean in ["SWEET32", "RC4", "POODLE", "FREAK", "CRIME", "Heartbleed"] {
        assert!(!weakness(&v, clean).0, "{clean}");
    }

    // LOGJAM's common primes, by value: RFC 5114's 1024-bit group as openssl ships it, and
    // Oakley group 2 computed here from its definition (2^1024 − 2^960 − 1 + 2^64·(⌊2^894 π⌋ + 129093)).
    sh(
        &dir,
        "openssl genpkey -genparam -algorithm DH -pkeyopt dh_rfc5114:1 -out rfc5114.pem",
    );
    sh(
        &dir,
        r#"python3 -c "
from decimal import Decimal as D, getcontext
getcontext().prec = 400
def atan_inv(x):
    x = D(x); s = D(0); t = 1 / x; n = 1; sign = 1
    while t / n > D(10) ** -390:
        s += sign * t / n; t /= x * x; n += 2; sign = -sign
    return s
pi = 4 * (4 * atan_inv(5) - atan_inv(239))
p = 2**1024 - 2**960 - 1 + 2**64 * (int(D(2)**894 * pi) + 129093)
open('oakley.cnf', 'w').write('asn1=SEQUENCE:dh\n[dh]\np=INTEGER:0x%X\ng=INTEGER:2\n' % p)
" && openssl asn1parse -genconf oakley.cnf -out oakley.der >/dev/null && openssl dhparam -inform DER -in oakley.der -out oakley.pem"#,
    );
    for (file, name) in [
        ("rfc5114.pem", "RFC 5114"),
        ("oakley.pem", "Oakley group 2"),
    ] {
        let (_d, port) = s_server(
            &dir,
            &[
                "-key",
                "leaf.key",
                "-cert",
                "leaf.pem",
                "-dhparam",
                file,
                "-no_tls1_3",
                "-cipher",
                "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            ],
        );
        let (_, v, _) = audit_json(
            &dir,
            &["--tls", &format!("127.0.0.1:{port}"), "--trust", "ca.pem"],
        );
        let (r, note) = weakness(&v, "LOGJAM");
        assert!(
            r && note.contains(name) && note.contains("widely shared"),
            "{name}: {note}"
        );
    }
}

// ---- a scripted TLS ≤ 1.2 server for what the local openssl no longer offers ----

#[derive(Clone)]
struct Fake {
    versions: Vec<u16>,
    suites: Vec<u16>,
    compression: bool,
    renegotiation_info: bool,
    fallback_scsv: bool,
    heartbleed: bool,
    cert: Vec<u8>,
}

fn u16s(b: &[u8]) -> Vec<u16> {
    b.chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

fn record(kind: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![kind];
    r.extend(version.to_be_bytes());
    r.extend((body.len() as u16).to_be_bytes());
    r.extend(body);
    r
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend(body);
    m
}

fn fake_session(f: &Fake, s: &mut TcpStream) -> Option<()> {
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut head = [0u8; 5];
    s.read_exact(&mut head).ok()?;
    let mut rec = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
    s.read_exact(&mut rec).ok()?;
    if head[0] != 0x16 || rec.first() != Some(&1) {
        return None;
    }
    let b = &rec[4..];
    let client_version = u16::from_be_bytes([b[0], b[1]]);
    let mut p = 34;
    p += 1 + usize::from(b[p]);
    let n = usize::from(u16::from_be_bytes([b[p], b[p + 1]]));
    let suites = u16s(&b[p + 2..p + 2 + n]);
    p += 2 + n;
    let comps = b[p + 1..p + 1 + usize::from(b[p])].to_vec();
    p += 1 + usize::from(b[p]);
    let mut exts = Vec::new();
    if p + 2 <= b.len() {
        let mut q = p + 2;
        while q + 4 <= b.len() {
            let kind = u16::from_be_bytes([b[q], b[q + 1]]);
            let n = usize::from(u16::from_be_bytes([b[q + 2], b[q + 3]]));
            exts.push(kind);
            q += 4 + n;
        }
    }
    let max = *f.versions.iter().max()?;
    let version = client_version.min(max);
    let alert = |s: &mut TcpStream, d: u8| {
        let _ = s.write_all(&record(0x15, version, &[2, d]));
    };
    if !f.versions.contains(&version) {
        alert(s, 70);
        return None;
    }
    if f.fallback_scsv && suites.contains(&0x5600) && version < max {
        alert(s, 86);
        return None;
    }
    let Some(suite) = suites.iter().find(|c| f.suites.contains(c)).copied() else {
        alert(s, 40);
        return None;
    };
    let mut sh = version.to_be_bytes().to_vec();
    sh.extend([0x42u8; 32]);
    sh.push(0);
    sh.extend(suite.to_be_bytes());
    sh.push(u8::from(f.compression && comps.contains(&1)));
    let mut sexts = Vec::new();
    if f.renegotiation_info && (suites.contains(&0x00FF) || exts.contains(&0xff01)) {
        sexts.extend([0xff, 0x01, 0, 1, 0]);
    }
    if f.heartbleed && exts.contains(&0x000f) {
        sexts.extend([0, 0x0f, 0, 1, 1]);
    }
    if version > 0x0300 && !sexts.is_empty() {
        sh.extend((sexts.len() as u16).to_be_bytes());
        sh.extend(sexts);
    }
    let mut certs = (f.cert.len() as u32).to_be_bytes()[1..].to_vec();
    certs.extend(&f.cert);
    let mut cmsg = (certs.len() as u32).to_be_bytes()[1..].to_vec();
    cmsg.extend(certs);
    let flight = [handshake(2, &sh), handshake(11, &cmsg), handshake(14, &[])].concat();
    s.write_all(&record(0x16, version, &flight)).ok()?;
    // What comes next: a heartbeat request, answered with "memory" when vulnerable.
    s.read_exact(&mut head).ok()?;
    let mut rec = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
    s.read_exact(&mut rec).ok()?;
    if head[0] == 0x18 && f.heartbleed {
        let mut reply = vec![2u8, 0x40, 0x00];
        reply.extend(std::iter::repeat_n(b'M', 0x4000));
        s.write_all(&record(0x18, version, &reply)).ok()?;
    }
    Some(())
}

fn fake_server(f: Fake) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { continue };
            let f = f.clone();
            std::thread::spawn(move || {
                let _ = fake_session(&f, &mut c);
            });
        }
    });
    port
}

#[test]
fn named_weaknesses_from_a_scripted_server_with_each_of_them() {
    let dir = tempdir("fake");
    pki(&dir);
    let cert = std::fs::read(dir.join("leaf.der")).unwrap();
    // Everything the local openssl no longer offers: SSL 3.0, RC4, 3DES, RSA export, DEFLATE,
    // no renegotiation_info, no fallback SCSV, and a heartbeat that leaks.
    let bad = fake_server(Fake {
        versions: vec![0x0300, 0x0301, 0x0302, 0x0303],
        suites: vec![0x0003, 0x0005, 0x000A, 0x002F],
        compression: true,
        renegotiation_info: false,
        fallback_scsv: false,
        heartbleed: true,
        cert: cert.clone(),
    });
    let target = format!("127.0.0.1:{bad}");
    let (code, v, err) = audit_json(
        &dir,
        &["--tls", &target, "--trust", "ca.pem", "--timeout", "2"],
    );
    assert_eq!(code, 1, "{err}");
    let expect = [
        ("SWEET32", "TLS_RSA_WITH_3DES_EDE_CBC_SHA (TLS 1.2)", "high"),
        ("RC4", "TLS_RSA_WITH_RC4_128_SHA", "critical"),
        ("POODLE", "SSL 3.0 CBC suites accepted", "high"),
        ("BEAST", "(TLS 1.0)", "medium"),
        ("FREAK", "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "critical"),
        ("insecure renegotiation", "no renegotiation_info", "high"),
        ("CRIME", "DEFLATE", "high"),
        ("no TLS_FALLBACK_SCSV", "was accepted", "medium"),
        ("Heartbleed", "16387 bytes of server memory", "critical"),
    ];
    let findings = endpoint(&v)["findings"].as_array().unwrap();
    for (name, seen, severity) in expect {
        let f = findings
            .iter()
            .find(|f| {
                f["aspect"] == "weakness" && f["algorithm"].as_str().unwrap().starts_with(name)
            })
            .unwrap_or_else(|| panic!("{name}: {v}"));
        assert_eq!(f["refused"], true, "{name}: {f}");
        assert_eq!(f["severity"], severity, "{name}: {f}");
        assert!(f["note"].as_str().unwrap().contains(seen), "{name}: {f}");
    }
    // Only what was probed: this server has no DHE suite, so no LOGJAM.
    let (r, note) = weakness(&v, "LOGJAM");
    assert!(!r && note.contains("no DHE"), "{note}");
    let cves: Vec<&str> = findings
        .iter()
        .filter(|f| f["aspect"] == "weakness" && f["refused"] == true)
        .map(|f| f["algorithm"].as_str().unwrap())
        .collect();
    for cve in [
        "CVE-2016-2183",
        "CVE-2015-2808",
        "CVE-2014-3566",
        "CVE-2011-3389",
        "CVE-2015-0204",
        "CVE-2009-3555",
        "CVE-2012-4929",
        "CVE-2014-0160",
    ] {
        assert!(cves.iter().any(|c| c.contains(cve)), "{cve}: {cves:?}");
    }

    // The table names them; SARIF and CycloneDX stay valid and carry them.
    let r = kagi(
        &dir,
        &[
            "audit",
            "--tls",
            &target,
            "--trust",
            "ca.pem",
            "--timeout",
            "2",
        ],
    );
    assert!(
        r.stdout.contains("Heartbleed (CVE-2014-0160)"),
        "{}",
        r.stdout
    );
    for (format, kind) in [("sarif", "sarif"), ("cbom", "cyclonedx-1.6")] {
        let out = format!("weak.{format}.json");
        let r = kagi(
            &dir,
            &[
                "audit",
                "--tls",
                &target,
                "--trust",
                "ca.pem",
                "--timeout",
                "2",
                "--format",
                format,
                "--out",
                &out,
            ],
        );
        assert_eq!(r.code, 1, "{}", r.stderr);
        validate(&dir, kind, &out);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&out)).unwrap()).unwrap();
        if format == "sarif" {
            let results = doc["runs"][0]["results"].as_array().unwrap();
            assert!(results.iter().any(|x| {
                x["ruleId"] == "KAGI-TLS-WEAKNESS"
                    && x["message"]["text"]
                        .as_str()
                        .unwrap()
                        .contains("CVE-2014-0160")
            }));
        } else {
            let vulns = doc["vulnerabilities"].as_array().unwrap();
            let ids: BTreeSet<&str> = vulns.iter().map(|x| x["id"].as_str().unwrap()).collect();
            assert!(
                ids.contains("CVE-2014-0160") && ids.contains("CVE-2016-2183"),
                "{ids:?}"
            );
            // No weakness became an "algorithm".
            assert!(
                !doc["components"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["name"].as_str().unwrap().contains("CVE"))
            );
        }
    }

    // The same server done right: nothing named.
    let good = fake_server(Fake {
        versions: vec![0x0302, 0x0303],
        suites: vec![0x002F],
        compression: false,
        renegotiation_info: true,
        fallback_scsv: true,
        heartbleed: false,
        cert,
    });
    let (_, v, _) = audit_json(
        &dir,
        &[
            "--tls",
            &format!("127.0.0.1:{good}"),
            "--trust",
            "ca.pem",
            "--timeout",
            "2",
        ],
    );
    for (name, refused, note) in of(&v, "weakness") {
        assert!(!refused, "{name}: {note}");
    }
    assert!(
        weakness(&v, "no TLS_FALLBACK_SCSV")
            .1
            .contains("inappropriate_fallback")
    );
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
        .unwrap_or_else(|e| panic!("python3 is needed to validate {kind}: {e}"));
    assert!(
        out.status.success(),
        "{kind} does not validate: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
