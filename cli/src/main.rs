//! The `kagi` binary: parse, call one library function, render.

#![forbid(unsafe_code)]
// The binary's doc comments are its `--help` text (clap), written for the terminal:
// `sample[:PERCENT]` there is usage syntax, not an intra-doc link.
#![allow(rustdoc::broken_intra_doc_links)]

mod args;
mod cleanup;
mod commands;
mod files;
mod output;
mod passphrase;
mod pipe;
mod tree;

use std::process::ExitCode;

use clap::Parser;

use crate::output::CliError;

/// The outcome of a command: 0 success, 1 a check answered "no".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything asked for holds.
    Yes,
    /// A check answered "no" (refused, invalid, failed).
    No,
}

fn run() -> Result<Outcome, CliError> {
    let cli = args::Cli::parse();
    match cli.command {
        args::Command::Policy(cmd) => commands::policy::run(cmd),
        args::Command::Key(cmd) => commands::key::run(cmd),
        args::Command::Cert(cmd) => commands::cert::run(cmd),
        args::Command::Encrypt(a) => commands::envelope::encrypt(&a),
        args::Command::Decrypt(a) => commands::envelope::decrypt(&a),
        args::Command::Inspect { file, json } => commands::envelope::inspect(&file, json),
        args::Command::Sign(a) => commands::sign::sign(&a),
        args::Command::Verify(a) => commands::sign::verify(&a),
        args::Command::Erase(cmd) => commands::erase::run(cmd),
        args::Command::Audit(a) => commands::audit::run(&a),
        args::Command::Certificate(cmd) => commands::certificate::run(cmd),
        args::Command::Ledger(cmd) => commands::certificate::ledger(cmd),
        args::Command::Selftest { json } => commands::selftest::run(json),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(Outcome::Yes) => ExitCode::SUCCESS,
        Ok(Outcome::No) => ExitCode::from(1),
        Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kagi: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
