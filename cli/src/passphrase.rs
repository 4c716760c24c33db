//! Where passphrases come from: a file, an environment variable, or a prompt on the terminal.
//! They are held in zeroizing memory and never printed.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use zeroize::Zeroizing;

use crate::output::CliError;

/// The passphrase of a key being read.
#[derive(Args, Debug, Default, Clone)]
pub struct PassphraseIn {
    /// Read the key's passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Read the key's passphrase from the environment variable VAR.
    #[arg(long, value_name = "VAR", conflicts_with = "passphrase_file")]
    pub passphrase_env: Option<String>,
}

/// The passphrase for a key being written.
#[derive(Args, Debug, Default, Clone)]
pub struct PassphraseOut {
    /// Read the new key's passphrase from the first line of FILE.
    #[arg(long = "new-passphrase-file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Read the new key's passphrase from the environment variable VAR.
    #[arg(
        long = "new-passphrase-env",
        value_name = "VAR",
        conflicts_with = "file"
    )]
    pub env: Option<String>,
    /// Write the key unencrypted (PKCS#8 without a passphrase). Must be asked for.
    #[arg(long, conflicts_with_all = ["file", "env"])]
    pub unencrypted: bool,
}

impl PassphraseIn {
    /// Whether a source other than the terminal was named.
    pub fn given(&self) -> bool {
        self.passphrase_file.is_some() || self.passphrase_env.is_some()
    }

    /// The passphrase, from the named source or a prompt.
    pub fn get(&self, what: &str) -> Result<Zeroizing<String>, CliError> {
        obtain(
            self.passphrase_file.as_ref(),
            self.passphrase_env.as_deref(),
            what,
            false,
        )
    }
}

impl PassphraseOut {
    /// The new passphrase (asked twice at a prompt), or `None` for `--unencrypted`.
    pub fn get(&self, what: &str) -> Result<Option<Zeroizing<String>>, CliError> {
        if self.unencrypted {
            return Ok(None);
        }
        obtain(self.file.as_ref(), self.env.as_deref(), what, true).map(Some)
    }
}

/// Whether a prompt can be shown: there is a controlling terminal (stdin may be data).
pub fn can_prompt() -> bool {
    std::fs::File::open("/dev/tty").is_ok()
        && (std::io::stdin().is_terminal() || std::io::stderr().is_terminal())
}

/// Obtains a passphrase from a file, an environment variable or the terminal (asked twice
/// when `confirm`).
pub fn obtain(
    file: Option<&PathBuf>,
    env: Option<&str>,
    what: &str,
    confirm: bool,
) -> Result<Zeroizing<String>, CliError> {
    let pass = if let Some(path) = file {
        let text = Zeroizing::new(String::from_utf8(crate::files::read(path)?).map_err(|_| {
            CliError::Msg(format!(
                "{}: the passphrase file is not UTF-8",
                path.display()
            ))
        })?);
        Zeroizing::new(text.lines().next().unwrap_or_default().to_string())
    } else if let Some(var) = env {
        Zeroizing::new(std::env::var(var).map_err(|_| {
            CliError::Msg(format!(
                "the environment variable {var} is not set (or not UTF-8)"
            ))
        })?)
    } else if can_prompt() {
        let first = Zeroizing::new(rpassword::prompt_password(format!(
            "Passphrase for {what}: "
        ))?);
        if confirm {
            let again = Zeroizing::new(rpassword::prompt_password(format!(
                "Repeat the passphrase for {what}: "
            ))?);
            if !crypto_core::secret::ct_eq(first.as_bytes(), again.as_bytes()) {
                return Err(CliError::Msg("the two passphrases differ".into()));
            }
        }
        first
    } else {
        return Err(CliError::Msg(format!(
            "a passphrase is needed for {what}, and there is no terminal to ask on: give a passphrase file or environment variable"
        )));
    };
    if pass.is_empty() {
        return Err(CliError::Msg(format!("the passphrase for {what} is empty")));
    }
    Ok(pass)
}
