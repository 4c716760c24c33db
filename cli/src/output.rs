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
