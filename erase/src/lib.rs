//! # erase — destroying data on media, provably
//!
//! This crate owns the whole erase lifecycle, so a system builder linking it gets the same
//! guarantees as the `kagi` CLI (which only parses arguments, confirms, reads credentials and
//! renders progress): [`session`] runs overwrites and crypto-erases in the order that makes
//! them crash-safe — pre-flight checks (safety, signer, ledger, certificate directory) before
//! the first byte, a [`journal`] written before the first byte and at every verified
//! checkpoint, resume, the signed deletion [`certificate`] recorded in the hash-chained
//! [`ledger`], journal removal and partition rescan. [`device_check`] re-reads a medium
//! against its certificate.
//!
//! Underneath: targets behind one trait ([`target::Target`]) — block devices opened
//! `O_DIRECT | O_EXCL`, regular files, and a fault-injecting target for tests;
//! [`engine::run`] overwrites a target with a [`method::Method`] and verifies it by reading
//! back (bypassing the page cache on devices); a run with any unerased or mismatching range
//! ends failed, never "done". [`discover`] lists block devices from sysfs; [`safety`] refuses
//! mounted devices, devices holding the running system, active swap and devices with holders;
//! [`crypto_erase`] finds and destroys the keys of LUKS volumes and kagi envelopes;
//! [`identity`] is what a journal or certificate recognises a target by; [`state_dir`] is where
//! journals and the ledger live.
//!
//! `unsafe` appears only in `sys`, for the one ioctl rustix has no safe wrapper for
//! (`BLKRRPART`); everything else comes from rustix's safe wrappers.
//!
//! ## A session
//!
//! ```no_run
//! use std::path::Path;
//! use std::sync::atomic::AtomicBool;
//!
//! use erase::certify::CertConfig;
//! use erase::engine::{Plan, Verify};
//! use erase::session::{self, Done, Quiet, Session};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = crypto_core::Provider::egov()?;
//! let state_dir = Path::new("/var/lib/kagi");
//! let plan = Plan::parse(Some("random"), None, Verify::Full)?;
//! let mut s = Session::new(&provider, state_dir);
//! // Checked (mounted? swap? holders?) and opened; nothing written yet: confirm here.
//! let job = s.add_run(Path::new("/dev/sdz"), &plan, false, CertConfig::default())?;
//! println!("{} bytes on {}", job.size(), job.path().display());
//! // No certificate asked for: no credentials. Set `stop` (e.g. on SIGINT) to interrupt.
//! let stop = AtomicBool::new(false);
//! for r in s.run(None, &stop, &Quiet)?.jobs {
//!     match r.result? {
//!         Done::Overwritten { report, .. } => println!("complete: {}", report.complete()),
//!         Done::Stopped { .. } => {
//!             // Later (after a crash too): continue from the last verified checkpoint.
//!             let mut again = Session::new(&provider, state_dir);
//!             for (journal, entry) in session::pending(state_dir, &[r.path])? {
//!                 let certify = entry.certify.clone().unwrap_or_default();
//!                 again.add_resume(journal, entry, certify)?;
//!             }
//!             again.run(None, &stop, &Quiet)?;
//!         }
//!         Done::CryptoErased { .. } => unreachable!("no crypto-erase was added"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod certificate;
pub mod certify;
pub mod crypto_erase;
pub mod device_check;
pub mod discover;
pub mod engine;
pub mod identity;
pub mod journal;
pub mod keystream;
pub mod ledger;
pub mod machine;
pub mod method;
pub mod safety;
pub mod session;
pub mod state_dir;
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
    /// An erasure that was carried out but did not complete (an answer "no", not bad input).
    #[error("{0}")]
    Incomplete(String),
    /// A crypto-core error (the keystream's policy check).
    #[error(transparent)]
    Crypto(#[from] crypto_core::Error),
}
