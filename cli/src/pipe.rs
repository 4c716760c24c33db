//! An in-process pipe: a writer on one thread, a reader on another, bounded (a few 256 KiB
//! blocks in flight), so a tar stream can feed the encryptor, or the decryptor feed tar.

use std::io::{self, Read, Write};
use std::sync::mpsc;

const BLOCK: usize = 256 << 10;

/// The writing end.
pub struct PipeWriter {
    tx: Option<mpsc::SyncSender<Vec<u8>>>,
    buf: Vec<u8>,
}

/// The reading end.
pub struct PipeReader {
    rx: mpsc::Receiver<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
}

/// A new pipe.
pub fn pipe() -> (PipeWriter, PipeReader) {
    let (tx, rx) = mpsc::sync_channel(4);
    (
        PipeWriter {
            tx: Some(tx),
            buf: Vec::with_capacity(BLOCK),
        },
        PipeReader {
            rx,
            cur: Vec::new(),
            pos: 0,
        },
    )
}

impl PipeWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let block = std::mem::replace(&mut self.buf, Vec::with_capacity(BLOCK));
        match &self.tx {
            Some(tx) => tx
                .send(block)
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reading side stopped")),
            None => Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed")),
        }
    }

    /// Flushes and closes: the reader then sees end of input.
    pub fn close(mut self) -> io::Result<()> {
        self.send()?;
        self.tx = None;
        Ok(())
    }
}

impl Write for PipeWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(BLOCK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == BLOCK {
            self.send()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            match self.rx.recv() {
                Ok(b) => {
                    self.cur = b;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bytes_arrive_in_order_and_end() {
        let (mut w, mut r) = pipe();
        let data: Vec<u8> = (0..1_000_000u32).map(|i| i as u8).collect();
        let d2 = data.clone();
        let t = std::thread::spawn(move || {
            for c in d2.chunks(7777) {
                w.write_all(c).unwrap();
            }
            w.close().unwrap();
        });
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        t.join().unwrap();
        assert_eq!(got, data);
    }
}
