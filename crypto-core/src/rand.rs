//! Random numbers from the operating system (getrandom(2) through ring's `SystemRandom`).

use ring::rand::{SecureRandom, SystemRandom};

use crate::Error;

/// Fills `buf` with random bytes from the system CSPRNG.
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    SystemRandom::new().fill(buf).map_err(|_| Error::Rng)
}

/// `N` random bytes.
pub fn array<const N: usize>() -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}
