//! `openssl s_server` endpoints for TLS tests: started on a free local port, waited for, and
//! killed when dropped.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::process::clean_command;

/// A free TCP port on 127.0.0.1 (free when asked; [`SServer::start`] retries if another
/// process takes it first).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `openssl s_server -www`; killed and reaped when dropped.
#[derive(Debug)]
pub struct SServer {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    log: std::path::PathBuf,
}

impl SServer {
    /// Starts `openssl s_server -accept 127.0.0.1:PORT -www ARGS` in `dir` and waits until it
    /// accepts connections. Its output goes to `dir/s_server-PORT.log` ([`SServer::log`]),
    /// which the panic message quotes if it does not start.
    pub fn start(dir: &Path, args: &[&str]) -> SServer {
        let mut last_log = String::new();
        for _ in 0..3 {
            let port = free_port();
            let log_path = dir.join(format!("s_server-{port}.log"));
            let log = std::fs::File::create(&log_path).unwrap();
            let log_err = log.try_clone().unwrap();
            let child = clean_command("openssl")
                .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-www"])
                .args(args)
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log_err)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run openssl (Debian package openssl): {e}"));
            let mut server = SServer {
                child,
                port,
                log: log_path.clone(),
            };
            for _ in 0..200 {
                if let Ok(Some(_)) = server.child.try_wait() {
                    break; // exited: a bad option, or the port was taken
                }
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return server;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
            drop(server);
        }
        panic!("openssl s_server {args:?} did not start: {last_log}");
    }

    /// What the server has written so far (its errors name why a handshake failed).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
