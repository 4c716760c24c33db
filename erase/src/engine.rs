//! The overwrite engine: one pass of a method over the whole target in large aligned blocks,
//! the next block generated on a second thread while the last is written, then a full
//! read-back comparison. A block that fails is retried once, then recorded; any recorded range
//! makes the run fail — it never reports success with unerased or unverified ranges.

use std::sync::mpsc;

use crypto_core::Provider;
use serde::Serialize;

use crate::Error;
use crate::method::{Generator, Method};
use crate::target::{AlignedBuf, Target};

/// The I/O block: 4 MiB (a multiple of every sector size).
pub const BLOCK: usize = 4 << 20;

/// A byte range `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The target.
    pub target: String,
    /// Its size in bytes.
    pub size: u64,
    /// The method.
    pub method: String,
    /// For `random`: the commitment to the keystream key (never the key).
    pub key_commitment: Option<String>,
    /// `full`, `sample N%` or `off`.
    pub verification: String,
    /// For sampled verification: the seed that chose the regions (so the sample can be redone).
    pub sample_seed: Option<u64>,
    /// Bytes the verification set out to read back.
    pub verify_planned: u64,
    /// Whether reads bypassed the page cache.
    pub direct_io: bool,
    /// Bytes written.
    pub bytes_written: u64,
    /// Bytes read back and compared.
    pub bytes_verified: u64,
    /// Ranges that could not be written.
    pub write_failures: Vec<Range>,
    /// Ranges that could not be read back.
    pub read_failures: Vec<Range>,
    /// Ranges that read back different from what was written.
    pub mismatches: Vec<Range>,
}

impl Report {
    /// Whether every byte was written and, if verification ran, read back equal.
    pub fn complete(&self) -> bool {
        self.write_failures.is_empty()
            && self.read_failures.is_empty()
            && self.mismatches.is_empty()
            && self.bytes_written == self.size
            && self.bytes_verified == self.verify_planned
    }
}

/// Progress, for a bar or JSON lines.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Progress {
    /// `write` or `verify`.
    pub phase: &'static str,
    /// Bytes done in this phase.
    pub done: u64,
    /// Bytes in this phase.
    pub total: u64,
}

fn push(ranges: &mut Vec<Range>, start: u64, end: u64) {
    match ranges.last_mut() {
        Some(r) if r.end == start => r.end = end,
        _ => ranges.push(Range { start, end }),
    }
}

/// Records, sector by sector, where `got` (read at `off`) differs from `want`.
fn compare(got: &[u8], want: &[u8], off: u64, sector: u32, mismatches: &mut Vec<Range>) {
    if got == want {
        return;
    }
    let s = sector.max(512) as usize;
    for (k, (a, b)) in got.chunks(s).zip(want.chunks(s)).enumerate() {
        if a != b {
            let start = off + (k * s) as u64;
            push(mismatches, start, start + a.len() as u64);
        }
    }
}

/// Calls `each(index, bytes)` for every block of a `size`-byte pass in order, the bytes
/// generated one block ahead on a second thread; used buffers go straight back to it.
fn generated(
    generator: &Generator,
    size: u64,
    mut each: impl FnMut(u64, &[u8]),
) -> Result<(), Error> {
    let blocks = size.div_ceil(BLOCK as u64);
    let len_of = |i: u64| (size - i * BLOCK as u64).min(BLOCK as u64) as usize;
    let (full_tx, full_rx) = mpsc::sync_channel::<Result<(u64, AlignedBuf), Error>>(2);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<AlignedBuf>(3);
    for _ in 0..3 {
        let _ = empty_tx.send(AlignedBuf::new(BLOCK));
    }
    std::thread::scope(|scope| -> Result<(), Error> {
        scope.spawn(move || {
            for i in 0..blocks {
                let Ok(mut buf) = empty_rx.recv() else { return };
                let r = generator
                    .fill(i, BLOCK, &mut buf.as_mut_slice()[..len_of(i)])
                    .map(|()| (i, buf));
                if full_tx.send(r).is_err() {
                    return;
                }
            }
        });
        for _ in 0..blocks {
            let (i, buf) = full_rx
                .recv()
                .map_err(|_| Error::Invalid("the generator stopped".into()))??;
            each(i, &buf.as_slice()[..len_of(i)]);
            let _ = empty_tx.send(buf);
        }
        Ok(())
    })
}

/// How much to read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    /// Everything (the default).
    Full,
    /// NIST SP 800-88 representative sampling: the first and last blocks, and a region of
    /// this percentage of each of ≥ 1000 equal subsections at a seeded random offset.
    Sample(u8),
    /// Nothing (the report says so; Clear then rests on the write alone).
    Off,
}

impl std::str::FromStr for Verify {
    type Err = Error;
    fn from_str(s: &str) -> Result<Verify, Error> {
        match s {
            "full" => Ok(Verify::Full),
            "off" => Ok(Verify::Off),
            "sample" => Ok(Verify::Sample(10)),
            _ => s
                .strip_prefix("sample:")
                .and_then(|p| p.trim_end_matches('%').parse::<u8>().ok())
                .filter(|p| (1..=100).contains(p))
                .map(Verify::Sample)
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "--verify {s}: full, sample[:PERCENT] (1-100) or off"
                    ))
                }),
        }
    }
}

impl std::fmt::Display for Verify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verify::Full => f.write_str("full"),
            Verify::Sample(p) => write!(f, "sample {p}%"),
            Verify::Off => f.write_str("off"),
        }
    }
}

/// splitmix64: a small deterministic generator for choosing sample offsets from a recorded seed
/// (no secrecy rests on it).
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The sampled regions, sorted and merged, each within one block.
pub fn sample_regions(size: u64, sector: u64, percent: u8, seed: u64) -> Vec<Range> {
    let sector = sector.max(1);
    let sectors = size / sector;
    let n = sectors.clamp(1, 1000);
    let sub = (sectors / n) * sector;
    let want = ((sub * u64::from(percent)).div_ceil(100))
        .div_ceil(sector)
        .max(1)
        * sector;
    let mut state = seed;
    let mut regions = vec![
        Range {
            start: 0,
            end: size.min(BLOCK as u64),
        },
        Range {
            start: size.saturating_sub(BLOCK as u64),
            end: size,
        },
    ];
    for k in 0..n {
        let start = k * sub;
        let end = if k + 1 == n { size } else { start + sub };
        let len = want.min(end - start);
        let slack = (end - start - len) / sector;
        let at = start
            + if slack == 0 {
                0
            } else {
                splitmix(&mut state) % (slack + 1)
            } * sector;
        regions.push(Range {
            start: at,
            end: at + len,
        });
    }
    regions.sort_by_key(|r| r.start);
    let mut merged: Vec<Range> = Vec::new();
    for r in regions {
        match merged.last_mut() {
            Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    // Split at block boundaries so each piece is checked against one generated block.
    let mut out = Vec::new();
    for r in merged {
        let mut a = r.start;
        while a < r.end {
            let b = r.end.min((a / BLOCK as u64 + 1) * BLOCK as u64);
            out.push(Range { start: a, end: b });
            a = b;
        }
    }
    out
}

/// Overwrites `target` with `method`, then reads back what `verify` asks for.
pub fn run(
    provider: &Provider,
    target: &mut dyn Target,
    method: &Method,
    verify: Verify,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, Error> {
    let size = target.size();
    let (logical, _) = target.sectors();
    if size == 0 || size % u64::from(logical.max(1)) != 0 {
        return Err(Error::Invalid(format!(
            "{}: size {size} is not a whole number of {logical}-byte sectors",
            target.name()
        )));
    }
    let generator = Generator::new(provider, method)?;
    let mut report = Report {
        target: target.name().to_string(),
        size,
        method: method.to_string(),
        key_commitment: generator.commitment().map(hex::encode),
        verification: verify.to_string(),
        sample_seed: None,
        verify_planned: 0,
        direct_io: target.direct(),
        bytes_written: 0,
        bytes_verified: 0,
        write_failures: Vec::new(),
        read_failures: Vec::new(),
        mismatches: Vec::new(),
    };

    // Write: the next block is generated on a second thread while this one is written.
    generated(&generator, size, |i, data| {
        let off = i * BLOCK as u64;
        let ok = target
            .write_at(data, off)
            .or_else(|_| target.write_at(data, off));
        match ok {
            Ok(()) => report.bytes_written += data.len() as u64,
            Err(_) => push(&mut report.write_failures, off, off + data.len() as u64),
        }
        progress(Progress {
            phase: "write",
            done: off + data.len() as u64,
            total: size,
        });
    })?;
    target
        .flush()
        .map_err(|e| Error::Io(format!("{}: flushing", target.name()), e))?;

    if let Verify::Sample(percent) = verify {
        let seed = u64::from_be_bytes(crypto_core::rand::array()?);
        report.sample_seed = Some(seed);
        let regions = sample_regions(size, u64::from(logical.max(1)), percent, seed);
        report.verify_planned = regions.iter().map(|r| r.end - r.start).sum();
        let mut got = AlignedBuf::new(BLOCK);
        let mut want = vec![0u8; BLOCK];
        let mut have: Option<u64> = None;
        for r in regions {
            let i = r.start / BLOCK as u64;
            let base = i * BLOCK as u64;
            let n = (size - base).min(BLOCK as u64) as usize;
            if have != Some(i) {
                generator.fill(i, BLOCK, &mut want[..n])?;
                have = Some(i);
            }
            let len = (r.end - r.start) as usize;
            let buf = &mut got.as_mut_slice()[..len];
            if target
                .read_at(buf, r.start)
                .or_else(|_| target.read_at(buf, r.start))
                .is_err()
            {
                push(&mut report.read_failures, r.start, r.end);
                continue;
            }
            report.bytes_verified += len as u64;
            let expect = &want[(r.start - base) as usize..(r.end - base) as usize];
            compare(buf, expect, r.start, logical, &mut report.mismatches);
            progress(Progress {
                phase: "verify",
                done: report.bytes_verified,
                total: report.verify_planned,
            });
        }
    }
    if verify == Verify::Full {
        report.verify_planned = size;
        // Verify: the expected block is regenerated on the second thread while this one is read.
        let mut got = AlignedBuf::new(BLOCK);
        generated(&generator, size, |i, want| {
            let off = i * BLOCK as u64;
            let n = want.len();
            let buf = &mut got.as_mut_slice()[..n];
            if target
                .read_at(buf, off)
                .or_else(|_| target.read_at(buf, off))
                .is_err()
            {
                push(&mut report.read_failures, off, off + n as u64);
                return;
            }
            report.bytes_verified += n as u64;
            compare(buf, want, off, logical, &mut report.mismatches);
            progress(Progress {
                phase: "verify",
                done: off + n as u64,
                total: size,
            });
        })?;
    }
    Ok(report)
}

/// Reads the whole target and compares it with what `method` writes (zero, one, pattern):
/// an independent, read-only check. `random` cannot be checked later — its key is gone.
pub fn check(
    provider: &Provider,
    target: &mut dyn Target,
    method: &Method,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, Error> {
    if *method == Method::Random {
        return Err(Error::Invalid(
            "a random pass cannot be checked afterwards: its key was never kept (the run verified it)".into(),
        ));
    }
    let size = target.size();
    let generator = Generator::new(provider, method)?;
    let blocks = size.div_ceil(BLOCK as u64);
    let (logical, _) = target.sectors();
    let mut report = Report {
        target: target.name().to_string(),
        size,
        method: method.to_string(),
        key_commitment: None,
        verification: "full (read-only check)".into(),
        sample_seed: None,
        verify_planned: size,
        direct_io: target.direct(),
        bytes_written: size,
        bytes_verified: 0,
        write_failures: Vec::new(),
        read_failures: Vec::new(),
        mismatches: Vec::new(),
    };
    let mut got = AlignedBuf::new(BLOCK);
    let mut want = vec![0u8; BLOCK];
    for i in 0..blocks {
        let off = i * BLOCK as u64;
        let n = (size - off).min(BLOCK as u64) as usize;
        let buf = &mut got.as_mut_slice()[..n];
        if target.read_at(buf, off).is_err() {
            push(&mut report.read_failures, off, off + n as u64);
            continue;
        }
        generator.fill(i, BLOCK, &mut want[..n])?;
        report.bytes_verified += n as u64;
        compare(buf, &want[..n], off, logical, &mut report.mismatches);
        progress(Progress {
            phase: "verify",
            done: off + n as u64,
            total: size,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_cover_the_ends_and_a_tenth_reproducibly() {
        let size = 1u64 << 30;
        let a = sample_regions(size, 512, 10, 42);
        assert_eq!(a, sample_regions(size, 512, 10, 42));
        assert_ne!(a, sample_regions(size, 512, 10, 43));
        assert_eq!(a[0].start, 0);
        assert_eq!(a.last().map(|r| r.end), Some(size));
        let covered: u64 = a.iter().map(|r| r.end - r.start).sum();
        assert!(covered >= size / 10, "{covered}");
        assert!(covered < size / 10 + 3 * BLOCK as u64, "{covered}");
        for r in &a {
            assert!(r.start % 512 == 0 && r.end % 512 == 0 && r.end > r.start);
            assert_eq!(
                r.start / BLOCK as u64,
                (r.end - 1) / BLOCK as u64,
                "within one block"
            );
        }
        // A tiny device: every sector.
        let t = sample_regions(4096, 512, 10, 1);
        assert_eq!(
            t,
            vec![Range {
                start: 0,
                end: 4096
            }]
        );
    }
}
