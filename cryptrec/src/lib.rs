//! # cryptrec — the CRYPTREC Ciphers List as data, policies, and dated verdicts
//!
//! This crate has no cryptography. It answers one question: *may this algorithm, at this key
//! length, be used for this purpose on this date, under this policy — and why?*
//!
//! - To check an algorithm: parse an [`Algorithm`] from its name, take a [`Policy`] and call
//!   [`Policy::evaluate`] with a [`Use`] and a date. The [`Verdict`] carries the [`Status`] and
//!   every reason, each citing the list entry, note, LS-0003 row, policy rule or event.
//! - To narrow the list for an organisation: write a policy file (`docs/POLICY.md`) and load it
//!   with [`Policy::from_file`]; a file that tries to widen its base is rejected with the line.
//! - To read the list itself: [`Dataset::embedded`].
//!
//! ```
//! use cryptrec::{Algorithm, Policy, Use, Status};
//! let policy = Policy::default_policy()?;
//! let date = cryptrec::parse_date("2031-01-01")?;
//! let rsa2048: Algorithm = "rsa-pss-2048-sha256".parse()?;
//! assert_eq!(policy.evaluate(&rsa2048, Use::Protect, date).status, Status::Refused);
//! assert_eq!(policy.evaluate(&rsa2048, Use::Process, date).status, Status::LegacyProcessOnly);
//! # Ok::<(), cryptrec::Error>(())
//! ```

#![deny(missing_docs)]

pub mod algorithm;
pub mod audit;
mod data;
pub mod oid;
mod policy;
mod verdict;

pub use algorithm::{Algorithm, BlockCipher, Curve, Edwards, HashAlg, Mode, Montgomery};
pub use data::{
    Dataset, Entry, EntryKind, Equivalence, Event, ListKind, Note, Revision, StrengthRow, Unlisted,
    parse_date,
};
pub use policy::{Base, Policy};
pub use time::Date;
pub use verdict::{Effect, Reason, Status, Use, Verdict, strength};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An algorithm name that is not in the vocabulary.
    #[error("unknown algorithm `{name}`{}", fmt_suggestions(suggestions))]
    UnknownAlgorithm {
        /// The name given.
        name: String,
        /// The nearest known names.
        suggestions: Vec<String>,
    },
    /// A built-in policy name that does not exist.
    #[error("unknown policy `{0}` (built-in policies: egov, egov-high, pqc)")]
    UnknownPolicy(String),
    /// A use other than protect or process.
    #[error("unknown use `{0}` (protect, process)")]
    BadUse(String),
    /// A malformed date.
    #[error("`{0}` is not a date (YYYY-MM-DD)")]
    BadDate(String),
    /// A policy file that is malformed or tries to widen its base.
    #[error("{origin}{}: {message}", if *line > 0 { format!(":{line}") } else { String::new() })]
    PolicyFile {
        /// The file.
        origin: String,
        /// The line at fault (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A dataset that does not parse or is inconsistent.
    #[error("CRYPTREC dataset: {0}")]
    Dataset(String),
}

fn fmt_suggestions(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}
