//! The `kagi` binary under test, run in a directory with a scrubbed environment.
//!
//! The binary's path comes from the test crate (`env!("CARGO_BIN_EXE_kagi")` exists only in
//! the `kagi` package's own tests), so a [`Kagi`] is made there and handed to the helpers
//! here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::process::{Run, clean_command, output};

/// The passphrase tests use, passed in the environment variable `PW`.
pub const PW: &str = "correct horse battery staple";

/// The `kagi` binary.
#[derive(Debug, Clone)]
pub struct Kagi(pub PathBuf);

impl Kagi {
    /// The binary at `bin` (in the `kagi` package's tests: `env!("CARGO_BIN_EXE_kagi")`).
    pub fn new(bin: impl Into<PathBuf>) -> Kagi {
        Kagi(bin.into())
    }

    /// A command running kagi in `dir`: the clean environment of
    /// [`clean_command`], `PW` set to [`PW`], and erase
    /// journals kept in `dir/state` (`KAGI_STATE_DIR`).
    pub fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = clean_command(&self.0);
        c.args(args)
            .current_dir(dir)
            .env("PW", PW)
            .env("KAGI_STATE_DIR", dir.join("state"));
        c
    }

    /// Runs kagi in `dir` to completion.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Run {
        output(&mut self.command(dir, args))
    }

    /// Runs kagi in `dir` and insists on exit 0; returns its standard output.
    pub fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let r = self.run(dir, args);
        assert_eq!(r.code, 0, "kagi {args:?}: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    /// Starts kagi in `dir` (same environment as [`Kagi::run`]) with standard output
    /// discarded and standard error piped, for tests that interrupt it.
    pub fn spawn(&self, dir: &Path, args: &[&str]) -> std::process::Child {
        self.command(dir, args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.0.display()))
    }
}
