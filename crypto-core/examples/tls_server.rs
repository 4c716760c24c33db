//! A TLS server that speaks only what a CRYPTREC policy permits (crypto_core::tls).
//!
//! `cargo run -p crypto-core --example tls_server -- --cert server.crt --key server.key
//!   [--addr 127.0.0.1:8443] [--policy egov|egov-high|FILE] [--connections N]`
//!
//! Answers each connection with a line naming the negotiated version and suite, and exits
//! after N connections (default: runs until killed). Handshakes the policy refuses fail.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use pki_types::pem::PemObject;
use pki_types::{CertificateDer, PrivateKeyDer};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn policy(spec: &str) -> Result<cryptrec::Policy, cryptrec::Error> {
    match cryptrec::Policy::named(spec) {
        Err(cryptrec::Error::UnknownPolicy(_)) if std::path::Path::new(spec).exists() => {
            cryptrec::Policy::from_file(std::path::Path::new(spec))
        }
        other => other,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let cert = arg(&args, "--cert").ok_or("--cert FILE")?;
    let key = arg(&args, "--key").ok_or("--key FILE")?;
    let addr = arg(&args, "--addr").unwrap_or_else(|| "127.0.0.1:8443".into());
    let limit: usize = arg(&args, "--connections")
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(usize::MAX);
    let provider = crypto_core::Provider::new(policy(
        &arg(&args, "--policy").unwrap_or_else(|| "egov".into()),
    )?)?;
    let tls = crypto_core::tls::TlsProvider::new(&provider)?;
    eprintln!(
        "provider: policy {}, status {}, {} suites/groups/schemes",
        tls.policy,
        tls.status,
        tls.parts.len()
    );
    let chain = CertificateDer::pem_file_iter(&cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&key)?;
    let config = Arc::new(crypto_core::tls::server_config(
        &provider, &tls, chain, key,
    )?);
    let listener = TcpListener::bind(&addr)?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    for stream in listener.incoming().take(limit) {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        stream.set_read_timeout(Some(std::time::Duration::from_secs(3)))?;
        let conn = rustls::ServerConnection::new(config.clone())?;
        let mut tls_stream = rustls::StreamOwned::new(conn, stream);
        let mut buf = [0u8; 4096];
        // The handshake happens on the first read; a refused client fails here.
        match tls_stream.read(&mut buf) {
            Ok(_) => {}
            Err(e) if tls_stream.conn.is_handshaking() => {
                eprintln!("handshake refused: {e}");
                continue;
            }
            Err(_) => {}
        }
        let body = format!(
            "hello from a CRYPTREC-only server: {:?} {:?}\n",
            tls_stream.conn.protocol_version(),
            tls_stream.conn.negotiated_cipher_suite().map(|s| s.suite())
        );
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tls_stream.write_all(reply.as_bytes());
        tls_stream.conn.send_close_notify();
        let _ = tls_stream.flush();
    }
    Ok(())
}
