//! The test a 512-byte sector must pass to be called keystream output or ciphertext: the check
//! of a `random` pass (`kagi erase verify --expect random`, the content re-check of a resumed
//! run) and of crypto-erase's data sample. One readable run is enough to fail it.
//!
//! A sector fails when any of these holds (the figures are for 512 bytes of true random data,
//! computed exactly — a dynamic programme over run lengths, binomial tails with a union bound
//! over the 256 byte values):
//!
//! | rule                                                      | chance on random data |
//! |-----------------------------------------------------------|-----------------------|
//! | a run of [`MAX_TEXT_RUN`] printable ASCII bytes (incl. tab, CR, LF) | 2.9 × 10⁻¹³ |
//! | one byte value [`MAX_ONE_VALUE`] times or more             | 9.7 × 10⁻¹⁴           |
//! | [`MAX_SAME_RUN`] equal bytes in a row                      | 7.0 × 10⁻¹⁵           |
//! | fewer than [`MIN_DISTINCT`] distinct byte values (mean 221, sd ≈ 4.5) | < 10⁻³⁰ |
//!
//! Together under 4 × 10⁻¹³ per sector: a 1 GiB random pass (2,097,152 sectors) trips it with
//! chance under 10⁻⁶, a 4 TB disk under 4 × 10⁻³. Any sector holding 36 readable characters in
//! a row, UTF-16 text of about 44 bytes (its zero bytes), padding, or a block of one value is
//! never called random. Shorter text scattered among random bytes can pass: the test cannot
//! tell earlier ciphertext from keystream, and says no more than it checks.

/// A run of this many printable ASCII bytes is readable text, not keystream.
pub const MAX_TEXT_RUN: usize = 36;
/// One byte value this many times in 512 bytes (expected 2) is structure, not keystream.
pub const MAX_ONE_VALUE: usize = 22;
/// This many equal bytes in a row is a fill, not keystream.
pub const MAX_SAME_RUN: usize = 8;
/// Fewer distinct byte values than this in 512 bytes is not keystream.
pub const MIN_DISTINCT: usize = 160;

/// One line naming the test, for reports.
pub const DESCRIPTION: &str = "every 512-byte sector has ≥ 160 distinct byte values, \
no value 22 times, no 8 equal bytes in a row and no run of 36 printable characters";

fn printable(b: u8) -> bool {
    (0x20..=0x7e).contains(&b) || b == b'\t' || b == b'\n' || b == b'\r'
}

/// Whether a sector (512 bytes; a shorter last piece is judged in proportion) looks like
/// keystream output or ciphertext.
pub fn looks_random(sector: &[u8]) -> bool {
    let mut counts = [0usize; 256];
    let (mut text, mut same) = (0usize, 0usize);
    let mut prev = None;
    for &b in sector {
        counts[b as usize] += 1;
        text = if printable(b) { text + 1 } else { 0 };
        same = if prev == Some(b) { same + 1 } else { 1 };
        prev = Some(b);
        if text >= MAX_TEXT_RUN || same >= MAX_SAME_RUN {
            return false;
        }
    }
    let n = sector.len().max(1);
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    let most = counts.iter().copied().max().unwrap_or(0);
    // Scale the bounds for a short last piece.
    distinct * 512 >= MIN_DISTINCT * n && most * 512 < MAX_ONE_VALUE * n.max(512)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stand-in for keystream (SplitMix64), many sectors of it.
    fn noise(sectors: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        (0..sectors * 64)
            .flat_map(|_| crate::engine::splitmix(&mut s).to_le_bytes())
            .collect()
    }

    #[test]
    fn random_sectors_pass() {
        let buf = noise(20_000, 7);
        assert!(buf.chunks(512).all(looks_random), "a random sector flagged");
    }

    #[test]
    fn a_sector_with_readable_runs_fails() {
        let text = b"SECRET: account 1234-5678 password=hunter2 and the rest of the record. ";
        let mut flagged = 0;
        for (k, sector) in noise(1000, 9).chunks(512).enumerate() {
            // 384 random bytes and 128 of text, as the attack had it.
            let mut s = sector.to_vec();
            let at = k % 384;
            for (j, b) in s[at..at + 128].iter_mut().enumerate() {
                *b = text[j % text.len()];
            }
            flagged += usize::from(!looks_random(&s));
            // Only 36 characters of text are enough.
            let mut s = sector.to_vec();
            s[100..136].copy_from_slice(&text[..36]);
            assert!(!looks_random(&s));
            // Eight zeros in a row, or UTF-16 text.
            let mut s = sector.to_vec();
            s[300..308].fill(0);
            assert!(!looks_random(&s));
            let mut s = sector.to_vec();
            for (j, c) in "password=hunter2 account 1234".bytes().enumerate() {
                s[2 * j] = c;
                s[2 * j + 1] = 0;
            }
            assert!(!looks_random(&s));
        }
        assert_eq!(flagged, 1000);
        assert!(!looks_random(&[0u8; 512]));
        let text = "全ての情報を復元できないように抹消する。".repeat(20);
        assert!(!looks_random(&text.as_bytes()[..512]));
        let odd: Vec<u8> = (0..512u32).map(|i| (i % 253) as u8 | 1).collect();
        assert!(!looks_random(&odd));
    }
}
