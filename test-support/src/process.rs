//! Child processes with a scrubbed environment.
//!
//! Tests run the `kagi` binary, openssl and other tools with `env_clear()` so the host's
//! environment cannot change their outcome. A faked clock is the one thing that must still
//! reach them: CI runs the suite under `libfaketime` (`.ci/faketime-runner`) with the date
//! moved to 2031 and 2041, and a child that saw the real date would judge keys and
//! certificates on a different day from the test that made them. [`clean_command`] keeps
//! exactly the variables that carry the faked clock.

use std::path::Path;
use std::process::{Command, Output};

/// Environment variables that carry a faked clock (libfaketime) to child processes.
pub const CLOCK_VARS: &[&str] = &[
    "LD_PRELOAD",
    "FAKETIME",
    "FAKETIME_DONT_FAKE_MONOTONIC",
    "DONT_FAKE_MONOTONIC",
    "FAKETIME_NO_CACHE",
    "KAGI_FAKE_DATE",
];

/// The `PATH` children get.
pub const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A command for `program` with an empty environment except `PATH` and the
/// variables of a faked clock, if the test runs under one.
pub fn clean_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    c.env_clear().env("PATH", PATH);
    keep_clock(&mut c);
    c
}

/// Adds the faked-clock variables of this process (if any) to `cmd`, for commands built
/// with their own `env_clear()`.
pub fn keep_clock(cmd: &mut Command) -> &mut Command {
    for v in CLOCK_VARS {
        if let Some(val) = std::env::var_os(v) {
            cmd.env(v, val);
        }
    }
    cmd
}

/// The result of a finished child: exit code (-1 when killed by a signal) and its output.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code, or -1 when the process was killed by a signal.
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs `cmd` to completion; a program that cannot be started fails the test, naming it.
pub fn output(cmd: &mut Command) -> Run {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program}: {e} (is it installed? .ci/run installs it)")
        })
        .into()
}

/// Runs `program args` in `dir` through [`clean_command`], with `extra` environment
/// variables.
pub fn run_in(program: &str, dir: &Path, args: &[&str], extra: &[(&str, &str)]) -> Run {
    let mut c = clean_command(program);
    c.args(args).current_dir(dir);
    for (k, v) in extra {
        c.env(k, v);
    }
    output(&mut c)
}
