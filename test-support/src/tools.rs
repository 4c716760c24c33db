//! Tools a test needs, and skips that CI can see.
//!
//! A test that needs a tool fails, naming the tool and the Debian package `.ci/run`
//! installs it from; it never passes quietly without it. Where the environment truly cannot
//! provide something (device-mapper inside a container), the test calls [`skip`], which
//! prints one `KAGI-TEST-SKIP:` line that CI greps, counts and prints.

use std::process::{Command, Stdio};

/// The prefix of the line [`skip`] prints; `.ci/run` counts these lines.
pub const SKIP_MARK: &str = "KAGI-TEST-SKIP:";

/// Whether `tool` is on `PATH` (via `sh -c 'command -v TOOL'`).
pub fn available(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v '{tool}'")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Fails the test unless `tool` is on `PATH`, naming it and its Debian `package`.
pub fn require(tool: &str, package: &str) {
    assert!(
        available(tool),
        "this test needs `{tool}` (Debian package {package}; .ci/run installs it), which is not on PATH"
    );
}

/// Records that part of `test` did not run because the environment cannot provide it:
/// writes `KAGI-TEST-SKIP: TEST: WHY` straight to standard error (past the test harness's
/// output capture, so it shows for a passing test too) and appends it to the file named by
/// `KAGI_SKIP_LOG` when that is set; CI counts these lines. The caller then returns or goes
/// on with what it can check.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    let line = skip_line(test, why);
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Some(log) = std::env::var_os("KAGI_SKIP_LOG") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap_or_else(|e| panic!("KAGI_SKIP_LOG {}: {e}", log.to_string_lossy()));
        f.write_all(line.as_bytes()).unwrap();
    }
}

/// The line [`skip`] writes: one line per skip, whatever `why` quotes (a tool's multi-line
/// error), so CI's count is right.
fn skip_line(test: &str, why: &str) -> String {
    let why = why.trim().replace('\n', " / ");
    format!("{SKIP_MARK} {test}: {why}\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_skip_is_one_marked_line() {
        let l = super::skip_line("t", "first\nsecond\n");
        assert_eq!(l, "KAGI-TEST-SKIP: t: first / second\n");
        assert_eq!(l.lines().count(), 1);
    }
}
