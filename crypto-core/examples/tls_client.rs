//! A TLS client that speaks only what a CRYPTREC policy permits (crypto_core::tls).
//!
//! `cargo run -p crypto-core --example tls_client -- HOST:PORT --ca CA.pem [--name DNS-NAME]
//!   [--policy egov|egov-high|FILE]`
//!
//! Prints the negotiated version and suite and the server's first line; exits 1 when the
//! handshake fails (a server offering only what the policy refuses).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use pki_types::pem::PemObject;
use pki_types::{CertificateDer, ServerName};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let target = args.get(1).ok_or("HOST:PORT")?.clone();
    let ca = arg(&args, "--ca").ok_or("--ca FILE")?;
    let name = arg(&args, "--name").unwrap_or_else(|| "localhost".into());
    let policy = cryptrec::Policy::named(&arg(&args, "--policy").unwrap_or_else(|| "egov".into()))?;
    let provider = crypto_core::Provider::new(policy)?;
    let tls = crypto_core::tls::TlsProvider::new(&provider)?;
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(&ca)? {
        roots.add(c?)?;
    }
    let config = Arc::new(crypto_core::tls::client_config(&tls, roots)?);
    let conn = rustls::ClientConnection::new(config, ServerName::try_from(name)?)?;
    let sock = TcpStream::connect(&target)?;
    sock.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    let mut stream = rustls::StreamOwned::new(conn, sock);
    stream.write_all(b"GET / HTTP/1.0\r\nhost: localhost\r\n\r\n")?;
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    if stream.conn.is_handshaking() {
        return Err("the handshake did not complete".into());
    }
    println!(
        "connected: {:?} {:?}",
        stream.conn.protocol_version(),
        stream.conn.negotiated_cipher_suite().map(|s| s.suite())
    );
    if let Some(line) = String::from_utf8_lossy(&reply).lines().next() {
        println!("{line}");
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("tls_client: {e}");
        std::process::exit(1);
    }
}
