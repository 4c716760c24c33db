//! Shared helpers for kagi's tests (a dev-dependency only; never published).
//!
//! - [`scratch`]: temporary directories removed when dropped.
//! - [`process`]: child processes with a scrubbed environment that still carries a faked
//!   clock (`faketime`) to every program a test starts, and their captured output.
//! - [`tools`]: a test that needs a tool fails naming it; a test the environment cannot
//!   serve prints a `KAGI-TEST-SKIP` line CI counts.
//! - [`loopdev`]: loop devices detached when dropped, even when a test panics.
//! - [`ca`]: a certificate authority (and certificates it issues) made by the `kagi` binary.
//! - [`fixtures`]: files of `test-vectors/` (the fixed CA bundle).
//! - [`kat`]: the self-tests the vector files call for.
//! - [`tls`]: `openssl s_server` endpoints on free ports, stopped when dropped.
#![allow(clippy::unwrap_used)]

pub mod ca;
pub mod fixtures;
pub mod kagi;
pub mod kat;
pub mod loopdev;
pub mod process;
pub mod scratch;
pub mod tls;
pub mod tools;

pub use ca::Ca;
pub use kagi::{Kagi, PW};
pub use loopdev::Loop;
pub use process::{Run, clean_command, run_in};
pub use scratch::{TempDir, tempdir};
