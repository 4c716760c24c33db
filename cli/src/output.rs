//! Writing to stdout (a closed pipe is not an error) and the CLI's error type.

use std::io::{self, Write};

/// Errors the binary reports on stderr with exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// stdout was closed by the reader (e.g. `| head`): not an error.
    #[error("broken pipe")]
    BrokenPipe,
    /// Writing output failed.
    #[error("writing output: {0}")]
    Io(io::Error),
    /// A policy, dataset or algorithm-name error.
    #[error("{0}")]
    Policy(#[from] cryptrec::Error),
    /// A crypto-core error.
    #[error("{0}")]
    Crypto(#[from] crypto_core::Error),
    /// Reading or writing a named file failed.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A check answered "no" (data not authentic): exit 1, with the reason.
    #[error("{0}")]
    No(String),
    /// Anything else, in words.
    #[error("{0}")]
    Msg(String),
    /// Serialising JSON failed.
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Io(e)
        }
    }
}

impl CliError {
    /// A crypto-core error about a named file: a policy refusal (an algorithm or key the
    /// CRYPTREC list or the policy refuses) answers "no" (exit 1); anything else is an error.
    pub fn about(path: &std::path::Path, e: crypto_core::Error) -> CliError {
        let msg = format!("{}: {e}", path.display());
        if is_refusal(&e) {
            CliError::No(msg)
        } else {
            CliError::Msg(msg)
        }
    }

    /// The exit code: 1 when a check answered "no" (a policy refusal included), 2 for errors.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::No(_) => 1,
            CliError::Crypto(e) if is_refusal(e) => 1,
            _ => 2,
        }
    }
}

/// Whether the policy answered "no": a refused algorithm, or one the CRYPTREC list lacks.
fn is_refusal(e: &crypto_core::Error) -> bool {
    matches!(
        e,
        crypto_core::Error::Refused(_) | crypto_core::Error::NotListed(_)
    )
}

/// Writes text to stdout.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON with a trailing newline.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    print(&s)
}
