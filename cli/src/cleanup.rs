//! What kagi must remove if it is stopped by a signal: named temporary files and the hidden
//! directory a tree unpacks into. An output staged as an unnamed file (`O_TMPFILE`) needs no
//! entry here: the kernel frees it when the process ends, however it ends.
//!
//! The first registration starts a thread that waits for SIGINT, SIGTERM, SIGHUP and SIGQUIT.
//! On one it removes every registered path, then ends the process as the signal's default
//! action would (so the parent sees "killed by SIGINT", not an exit code). The registry's lock
//! is held from the removal to the end, so an output cannot be moved into place half way
//! through: [`Registered::settle`] takes the same lock.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};

/// What to remove.
#[derive(Debug)]
pub enum Leftover {
    /// A temporary file.
    File(PathBuf),
    /// A directory kagi created, with everything in it.
    Dir(PathBuf),
}

impl Leftover {
    fn remove(&self) {
        match self {
            Leftover::File(p) => {
                let _ = std::fs::remove_file(p);
            }
            Leftover::Dir(p) => {
                // Another thread may still be creating entries in it: retry a few times.
                for _ in 0..20 {
                    match std::fs::remove_dir_all(p) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => continue,
                        _ => break,
                    }
                }
            }
        }
    }
}

struct Registry {
    next: u64,
    paths: BTreeMap<u64, Leftover>,
}

fn registry() -> &'static Mutex<Registry> {
    static REG: OnceLock<Mutex<Registry>> = OnceLock::new();
    REG.get_or_init(|| {
        Mutex::new(Registry {
            next: 0,
            paths: BTreeMap::new(),
        })
    })
}

fn lock() -> MutexGuard<'static, Registry> {
    registry().lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts the signal thread once. When the handlers cannot be installed the signals keep
/// their default action, and the caller is told, so it can refuse to stage plaintext.
fn watch() -> std::io::Result<()> {
    static STARTED: OnceLock<Result<(), String>> = OnceLock::new();
    let started = STARTED.get_or_init(|| {
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
            .map_err(|e| e.to_string())?;
        std::thread::Builder::new()
            .name("kagi-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    let reg = lock();
                    for l in reg.paths.values() {
                        l.remove();
                    }
                    // Still holding the lock: nothing is moved into place after this. The
                    // process ends as the signal would end it (a shell sees "killed by
                    // SIGINT"); SIGQUIT without its core dump, which could hold secrets.
                    if sig != SIGQUIT {
                        let _ = signal_hook::low_level::emulate_default_handler(sig);
                    }
                    std::process::exit(128 + sig);
                }
            })
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    started.clone().map_err(std::io::Error::other)
}

/// A path removed on a signal for as long as this lives. Dropping it only forgets the path;
/// the owner removes or keeps the file itself.
#[derive(Debug)]
pub struct Registered(u64);

/// Registers `what` for removal on a signal.
pub fn register(what: Leftover) -> std::io::Result<Registered> {
    watch()?;
    let mut reg = lock();
    let id = reg.next;
    reg.next += 1;
    reg.paths.insert(id, what);
    Ok(Registered(id))
}

impl Registered {
    /// Runs `f` (the rename that moves an output into place) while no signal can remove
    /// registered paths, then forgets this one: a signal comes before or after, never during.
    pub fn settle<T>(self, f: impl FnOnce() -> T) -> T {
        let mut reg = lock();
        let out = f();
        reg.paths.remove(&self.0);
        std::mem::forget(self);
        out
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock().paths.remove(&self.0);
    }
}
