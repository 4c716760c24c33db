//! One module per subcommand.

pub mod policy;
pub mod selftest;
