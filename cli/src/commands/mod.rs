//! One module per subcommand.

pub mod audit;
pub mod backup;
pub mod cert;
pub mod certificate;
pub mod certify;
pub mod crypto_erase;
pub mod envelope;
pub mod erase;
pub mod key;
pub mod policy;
pub mod selftest;
pub mod sign;
