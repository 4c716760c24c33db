//! Command-line definitions (clap derive), apart from the code that does the work.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// kagi (鍵): CRYPTREC-only cryptography for Japanese government offices and their contractors.
#[derive(Parser, Debug)]
#[command(name = "kagi", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The CRYPTREC Ciphers List, verdicts, the LS-0003 timeline and organisation policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run every known-answer self-test and report each.
    Selftest {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Show the entries of the CRYPTREC Ciphers List.
    Show {
        /// Which list.
        #[arg(long, value_enum, default_value = "all")]
        list: ListChoice,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// May ALGORITHM be used? Exit 0 when permitted, 1 when refused.
    Check {
        /// An algorithm name, e.g. aes-256-gcm, rsa-pss-3072-sha256, ecdh-p384, sha-1.
        algorithm: String,
        /// protect (encrypt, sign) or process (decrypt, verify).
        #[arg(long = "use", value_enum, default_value = "protect")]
        use_: UseChoice,
        /// Evaluate on this date (YYYY-MM-DD) instead of today.
        #[arg(long)]
        as_of: Option<String>,
        /// A built-in policy (egov, egov-high, pqc) or an organisation policy file.
        #[arg(long, default_value = "egov")]
        policy: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show the LS-0003 security-strength timeline and key-size equivalences.
    Timeline {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Check an organisation policy file: it must parse and only narrow its base.
    Validate {
        /// The policy file (TOML).
        file: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListChoice {
    Recommended,
    Pqc,
    Candidate,
    Monitored,
    All,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseChoice {
    Protect,
    Process,
}

impl From<UseChoice> for cryptrec::Use {
    fn from(u: UseChoice) -> Self {
        match u {
            UseChoice::Protect => cryptrec::Use::Protect,
            UseChoice::Process => cryptrec::Use::Process,
        }
    }
}
