//! The payload: the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015, as age uses
//! it). Chunk *i* is sealed with nonce = *i* as 11 bytes big-endian ‖ 0x01 for the last chunk,
//! 0x00 otherwise; every chunk but the last holds exactly [`CHUNK`] bytes; the last holds 1 to
//! [`CHUNK`] bytes, or 0 only when the whole plaintext is empty. So truncation at any point,
//! reordering, duplication and appending all fail authentication.
//!
//! Reading, sealing or opening, and writing run on three threads with a few rotating buffers
//! (bounded memory); a chunk is written only after it authenticates.

use std::io::{Read, Write};
use std::sync::mpsc;

use crate::Error;
use crate::aead::{AeadKey, TAG_LEN};

/// log2 of the chunk size.
pub(crate) const CHUNK_LOG2: u8 = 20;
/// Plaintext bytes per chunk: 1 MiB (`benches/RESULTS.md` has the measurement behind it).
pub const CHUNK: usize = 1 << CHUNK_LOG2;
const BUFFERS: usize = 4;

fn nonce(counter: u64, last: bool) -> Result<[u8; 12], Error> {
    // 2^64 chunks of 1 MiB is beyond any medium; the check keeps the counter honest.
    if counter == u64::MAX {
        return Err(Error::InvalidInput("payload too long"));
    }
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    Ok(n)
}

/// Fills `buf` from `r` up to its length; returns how much was read (short only at EOF).
fn fill(r: &mut (dyn Read + Send), buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Runs `reader → transform → writer` with the transform on the calling thread. `read_len` is
/// how many bytes make one input chunk. `transform(buf, index, last)` turns a filled buffer into
/// the bytes to write.
fn pipeline(
    reader: &mut (dyn Read + Send),
    writer: &mut (dyn Write + Send),
    read_len: usize,
    mut transform: impl FnMut(&mut Vec<u8>, u64, bool) -> Result<(), Error>,
) -> Result<u64, Error> {
    let (full_tx, full_rx) = mpsc::sync_channel::<std::io::Result<Vec<u8>>>(BUFFERS);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<Vec<u8>>(BUFFERS + 2);
    let (out_tx, out_rx) = mpsc::sync_channel::<Vec<u8>>(BUFFERS);
    // Written buffers go straight back to the reader: the channel holds every buffer there is,
    // so returning one never blocks, and nothing waits on the transforming thread to recycle.
    // After the first fill the writer holds the only sender: when it stops (a full disk, a
    // closed pipe) the reader sees the channel close and stops, and so does the transform —
    // nothing waits forever.
    for _ in 0..BUFFERS + 2 {
        let _ = empty_tx.send(Vec::with_capacity(read_len + TAG_LEN));
    }
    let back_tx = empty_tx;
    std::thread::scope(|scope| {
        // Reader: fills buffers in order; an empty buffer means end of input.
        scope.spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                buf.resize(read_len, 0);
                let r = fill(reader, &mut buf).map(|n| {
                    buf.truncate(n);
                    buf
                });
                let end = !matches!(&r, Ok(b) if !b.is_empty());
                if full_tx.send(r).is_err() || end {
                    return;
                }
            }
        });
        // Writer: writes in order, hands buffers back.
        let writer_thread = scope.spawn(move || -> std::io::Result<()> {
            while let Ok(buf) = out_rx.recv() {
                writer.write_all(&buf)?;
                let _ = back_tx.send(buf);
            }
            writer.flush()
        });
        let result = (|| -> Result<u64, Error> {
            let mut held: Option<Vec<u8>> = None;
            let mut index = 0u64;
            let mut total = 0u64;
            loop {
                let next = full_rx
                    .recv()
                    .map_err(|_| Error::Io(std::io::Error::other("reader stopped")))?
                    .map_err(Error::Io)?;
                let end = next.is_empty();
                if let Some(mut cur) = held.take() {
                    transform(&mut cur, index, end)?;
                    total += cur.len() as u64;
                    index += 1;
                    out_tx
                        .send(cur)
                        .map_err(|_| Error::Io(std::io::Error::other("writer stopped")))?;
                } else if end {
                    // No chunk at all: the input was empty.
                    let mut cur = next;
                    transform(&mut cur, index, true)?;
                    total += cur.len() as u64;
                    out_tx
                        .send(cur)
                        .map_err(|_| Error::Io(std::io::Error::other("writer stopped")))?;
                    return Ok(total);
                }
                if end {
                    return Ok(total);
                }
                held = Some(next);
            }
        })();
        drop(out_tx);
        drop(full_rx);
        let written = writer_thread
            .join()
            .map_err(|_| Error::Io(std::io::Error::other("writer thread panicked")))?;
        // The writer's own error (ENOSPC, EPIPE, EIO) is the cause of any stop it made.
        written.map_err(Error::Io)?;
        result
    })
}

/// Seals a payload.
pub struct Sealer {
    key: AeadKey,
}

impl Sealer {
    pub(crate) fn new(key: AeadKey) -> Sealer {
        Sealer { key }
    }

    /// Encrypts everything `reader` yields to `writer`; returns the plaintext length.
    pub fn seal(
        self,
        reader: &mut (dyn Read + Send),
        writer: &mut (dyn Write + Send),
    ) -> Result<u64, Error> {
        let mut plain = 0u64;
        pipeline(reader, writer, CHUNK, |buf, i, last| {
            plain += buf.len() as u64;
            self.key.seal_in_place(&nonce(i, last)?, b"", buf)
        })?;
        Ok(plain)
    }
}

/// Opens a payload.
pub struct Opener {
    key: AeadKey,
}

/// Why a payload did not open.
fn altered(index: u64, what: &str) -> Error {
    Error::PayloadNotAuthentic(format!("chunk {index} {what}"))
}

impl Opener {
    pub(crate) fn new(key: AeadKey) -> Opener {
        Opener { key }
    }

    /// Decrypts the payload from `reader` to `writer`, writing each chunk only after it
    /// authenticates; returns the plaintext length. Truncation, reordering, duplication or
    /// appending end in [`Error::PayloadNotAuthentic`].
    pub fn open(
        self,
        reader: &mut (dyn Read + Send),
        writer: &mut (dyn Write + Send),
    ) -> Result<u64, Error> {
        pipeline(reader, writer, CHUNK + TAG_LEN, |buf, i, last| {
            if buf.len() < TAG_LEN {
                return Err(if i == 0 && buf.is_empty() {
                    altered(0, "is missing: the file ends after its header (truncated)")
                } else {
                    altered(i, "is shorter than its tag (truncated)")
                });
            }
            let n = buf.len() - TAG_LEN;
            if last && n == 0 && i > 0 {
                return Err(altered(
                    i,
                    "is an empty final chunk after others (not written by kagi)",
                ));
            }
            let nonce = nonce(i, last)?;
            match self.key.open_in_place(&nonce, b"", buf) {
                Ok(_) => {
                    buf.truncate(n);
                    Ok(())
                }
                Err(_) => Err(if last {
                    altered(
                        i,
                        "does not authenticate as the final chunk: the file was truncated, reordered, altered or has bytes appended",
                    )
                } else {
                    altered(
                        i,
                        "does not authenticate: the file was altered or reordered",
                    )
                }),
            }
        })
    }
}
