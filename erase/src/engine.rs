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
    /// Whether verification read back everything written.
    pub verified: bool,
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
            && (!self.verified || self.bytes_verified == self.size)
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

/// Overwrites `target` with `method`, then (if `verify`) reads everything back.
pub fn run(
    provider: &Provider,
    target: &mut dyn Target,
    method: &Method,
    verify: bool,
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
        verified: verify,
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

    if verify {
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
            if buf != want {
                // Narrow the mismatch to sectors.
                let s = logical.max(512) as usize;
                for (k, (a, b)) in buf.chunks(s).zip(want.chunks(s)).enumerate() {
                    if a != b {
                        let start = off + (k * s) as u64;
                        push(&mut report.mismatches, start, start + a.len() as u64);
                    }
                }
            }
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
        verified: true,
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
        let s = logical.max(512) as usize;
        for (k, (a, b)) in buf.chunks(s).zip(want[..n].chunks(s)).enumerate() {
            if a != b {
                let start = off + (k * s) as u64;
                push(&mut report.mismatches, start, start + a.len() as u64);
            }
        }
        progress(Progress {
            phase: "verify",
            done: off + n as u64,
            total: size,
        });
    }
    Ok(report)
}
