//! # erase — destroying data on media, provably
//!
//! Targets behind one trait ([`target::Target`]): block devices opened `O_DIRECT | O_EXCL`,
//! regular files, and a fault-injecting target for tests. [`engine::run`] overwrites a target
//! with a [`method::Method`] and verifies it by reading back (bypassing the page cache on
//! devices); a run with any unerased or mismatching range ends failed, never "done".
//! [`discover`] lists block devices from sysfs; [`safety`] refuses mounted devices, devices
//! holding the running system, active swap and devices with holders.
//!
//! `unsafe` appears only in `sys`, for the one ioctl rustix has no safe wrapper for
//! (`BLKRRPART`); everything else comes from rustix's safe wrappers. [`journal`] keeps a run's
//! progress off the target so an interrupted run resumes.

#![deny(missing_docs)]

pub mod certificate;
pub mod crypto_erase;
pub mod discover;
pub mod engine;
pub mod journal;
pub mod keystream;
pub mod ledger;
pub mod machine;
pub mod method;
pub mod safety;
mod sys;
pub mod target;

/// Errors of the erase crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on a named object.
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// The device must not be erased; the reason says why.
    #[error("refusing to erase {0}: {1}")]
    Refused(String, String),
    /// Bad input (a method name, a size).
    #[error("{0}")]
    Invalid(String),
    /// A crypto-core error (the keystream's policy check).
    #[error(transparent)]
    Crypto(#[from] crypto_core::Error),
}
