//! ClientHellos (TLS ≤ 1.2) with what the named checks need — compression methods, the
//! TLS_FALLBACK_SCSV, status_request, heartbeat — and the server's first flight kept whole:
//! ServerHello fields and extensions, every handshake message, or the alert. The connection
//! stays open for what a check sends next (a heartbeat).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::registry::{GROUPS_12, SIG_SCHEMES};
use super::target::Dialer;
use super::wire::{ext, u16be, with_len16};
use crate::Error;

/// TLS_FALLBACK_SCSV (RFC 7507).
pub(super) const FALLBACK_SCSV: u16 = 0x5600;
/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
const RENEGOTIATION_SCSV: u16 = 0x00FF;

/// What a ClientHello offers.
#[derive(Clone, Debug, Default)]
pub(super) struct Offer<'a> {
    pub(super) version: u16,
    pub(super) suites: Vec<u16>,
    /// Compression methods in order (`[0]`: none; `[1, 0]`: DEFLATE first).
    pub(super) compression: Vec<u8>,
    pub(super) host: Option<&'a str>,
    /// status_request (OCSP stapling, RFC 6066 §8).
    pub(super) status_request: bool,
    /// heartbeat, peer allowed to send (RFC 6520).
    pub(super) heartbeat: bool,
    /// Adds TLS_FALLBACK_SCSV.
    pub(super) fallback: bool,
}

/// The ClientHello record.
pub(super) fn hello(o: &Offer<'_>) -> Vec<u8> {
    let mut body = u16be(o.version).to_vec();
    body.extend_from_slice(&crate::rand::array::<32>().unwrap_or([5u8; 32]));
    body.push(0);
    let mut cs: Vec<u8> = o.suites.iter().flat_map(|c| u16be(*c)).collect();
    cs.extend(u16be(RENEGOTIATION_SCSV));
    if o.fallback {
        cs.extend(u16be(FALLBACK_SCSV));
    }
    body.extend(with_len16(&cs));
    let comp = if o.compression.is_empty() {
        vec![0]
    } else {
        o.compression.clone()
    };
    body.push(comp.len() as u8);
    body.extend(comp);
    if o.version > 0x0300 {
        let mut exts = Vec::new();
        if let Some(h) = o.host {
            let mut name = vec![0u8];
            name.extend(with_len16(h.as_bytes()));
            exts.extend(ext(0x0000, &with_len16(&name)));
        }
        let g: Vec<u8> = GROUPS_12.iter().flat_map(|c| u16be(*c)).collect();
        exts.extend(ext(0x000a, &with_len16(&g)));
        exts.extend(ext(0x000b, &[1, 0]));
        if o.version >= 0x0303 {
            let sa: Vec<u8> = SIG_SCHEMES.iter().flat_map(|c| u16be(*c)).collect();
            exts.extend(ext(0x000d, &with_len16(&sa)));
        }
        if o.status_request {
            exts.extend(ext(0x0005, &[1, 0, 0, 0, 0]));
        }
        if o.heartbeat {
            exts.extend(ext(0x000f, &[1]));
        }
        body.extend(with_len16(&exts));
    }
    let mut hs = vec![1u8];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend(body);
    let mut rec = vec![0x16];
    rec.extend(u16be(o.version.min(0x0301)));
    rec.extend(with_len16(&hs));
    rec
}

/// What the server sent back, up to ServerHelloDone.
#[derive(Clone, Debug, Default)]
pub(super) struct Flight {
    /// ServerHello version.
    pub(super) version: Option<u16>,
    /// The suite chosen.
    pub(super) suite: Option<u16>,
    /// The compression method chosen.
    pub(super) compression: Option<u8>,
    /// ServerHello extensions: (type, data).
    pub(super) extensions: Vec<(u16, Vec<u8>)>,
    /// Every handshake message after ServerHello: (type, body).
    pub(super) messages: Vec<(u8, Vec<u8>)>,
    /// An alert's description.
    pub(super) alert: Option<u8>,
    /// ServerHelloDone arrived.
    pub(super) done: bool,
}

impl Flight {
    pub(super) fn extension(&self, kind: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, d)| d.as_slice())
    }

    pub(super) fn message(&self, kind: u8) -> Option<&[u8]> {
        self.messages
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, d)| d.as_slice())
    }
}

/// An open connection after the first flight.
pub(super) struct Open {
    pub(super) stream: TcpStream,
    deadline: Instant,
}

impl Open {
    /// One record: (content type, body), or `None` when the peer closed or time ran out.
    pub(super) fn record(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut head = [0u8; 5];
        self.read_exact(&mut head).ok()?;
        let len = usize::from(u16::from_be_bytes([head[3], head[4]]));
        if len > (1 << 14) + 2048 {
            return None;
        }
        let mut body = vec![0u8; len];
        self.read_exact(&mut body).ok()?;
        Some((head[0], body))
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read_exact(buf)
    }

    /// Gives the connection `timeout` more to answer.
    pub(super) fn extend(&mut self, timeout: Duration) {
        self.deadline = Instant::now() + timeout;
    }
}

/// Sends `o`'s ClientHello over a new connection of `dialer` and reads the first flight.
pub(super) fn exchange(
    dialer: &Dialer,
    o: &Offer<'_>,
    timeout: Duration,
) -> Result<(Flight, Open), Error> {
    let mut stream = dialer.connect(timeout)?;
    stream.write_all(&hello(o)).map_err(Error::Io)?;
    let mut open = Open {
        stream,
        deadline: Instant::now() + timeout,
    };
    let mut f = Flight::default();
    let mut hs: Vec<u8> = Vec::new();
    while let Some((kind, body)) = open.record() {
        match kind {
            0x15 => {
                f.alert = body.get(1).copied();
                break;
            }
            0x16 => hs.extend(body),
            _ => break,
        }
        if absorb(&mut hs, &mut f) {
            break;
        }
    }
    Ok((f, open))
}

/// Takes complete handshake messages from `hs`; true at ServerHelloDone (or a ServerHello
/// that cannot be read).
fn absorb(hs: &mut Vec<u8>, f: &mut Flight) -> bool {
    while hs.len() >= 4 {
        let n = super::wire::be24(&hs[1..4]);
        if hs.len() < 4 + n {
            return false;
        }
        let kind = hs[0];
        let body = hs[4..4 + n].to_vec();
        hs.drain(..4 + n);
        match kind {
            2 => {
                if server_hello(&body, f).is_none() {
                    return true;
                }
            }
            14 => {
                f.done = true;
                return true;
            }
            _ => f.messages.push((kind, body)),
        }
    }
    false
}

fn server_hello(b: &[u8], f: &mut Flight) -> Option<()> {
    f.version = Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]));
    let sid = usize::from(*b.get(34)?);
    let mut p = 35 + sid;
    f.suite = Some(u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]));
    f.compression = Some(*b.get(p + 2)?);
    p += 3;
    if let Some(len) = b.get(p..p + 2) {
        let end = (p + 2 + usize::from(u16::from_be_bytes([len[0], len[1]]))).min(b.len());
        p += 2;
        while p + 4 <= end {
            let kind = u16::from_be_bytes([b[p], b[p + 1]]);
            let n = usize::from(u16::from_be_bytes([b[p + 2], b[p + 3]]));
            let data = b.get(p + 4..p + 4 + n)?;
            f.extensions.push((kind, data.to_vec()));
            p += 4 + n;
        }
    }
    Some(())
}

/// The DH prime `p` of a DHE ServerKeyExchange (`dh_p` comes first), leading zeros removed.
pub(super) fn dh_prime(ske: &[u8]) -> Option<Vec<u8>> {
    let len = usize::from(u16::from_be_bytes([*ske.first()?, *ske.get(1)?]));
    let p = ske.get(2..2 + len)?;
    let lead = p.iter().position(|&x| x != 0).unwrap_or(p.len());
    Some(p[lead..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hellos_carry_what_was_asked() {
        let o = Offer {
            version: 0x0303,
            suites: vec![0x002F],
            compression: vec![1, 0],
            host: Some("a.jp"),
            status_request: true,
            heartbeat: true,
            fallback: true,
        };
        let r = hello(&o);
        assert_eq!(
            usize::from(u16::from_be_bytes([r[3], r[4]])),
            r.len() - 5,
            "record length"
        );
        assert_eq!(super::super::wire::be24(&r[6..9]), r.len() - 9);
        // suites: 0x002F, RI SCSV, fallback SCSV; then compression [1, 0].
        let at = 9 + 2 + 32 + 1;
        assert_eq!(&r[at..at + 8], &[0, 6, 0, 0x2F, 0, 0xFF, 0x56, 0]);
        assert_eq!(&r[at + 8..at + 11], &[2, 1, 0]);
        let has = |w: &[u8]| r.windows(w.len()).any(|x| x == w);
        assert!(has(&[0, 5, 0, 5, 1, 0, 0, 0, 0]), "status_request");
        assert!(has(&[0, 0x0f, 0, 1, 1]), "heartbeat");
        // SSL 3.0: no extensions at all.
        let r3 = hello(&Offer {
            version: 0x0300,
            ..o
        });
        assert_eq!(r3.len(), 5 + 4 + 2 + 32 + 1 + 2 + 6 + 3);
    }

    #[test]
    fn a_server_hello_gives_compression_and_extensions() {
        let mut sh = vec![3, 3];
        sh.extend([0u8; 32]);
        sh.push(0);
        sh.extend([0, 0x2F, 1]);
        let exts = [ext(0xff01, &[0]), ext(0x000f, &[1])].concat();
        sh.extend(with_len16(&exts));
        let mut f = Flight::default();
        assert!(server_hello(&sh, &mut f).is_some());
        assert_eq!(
            (f.version, f.suite, f.compression),
            (Some(0x0303), Some(0x2F), Some(1))
        );
        assert_eq!(f.extension(0xff01), Some(&[0u8][..]));
        assert!(f.extension(0x000f).is_some());
        for cut in 0..sh.len() {
            let _ = server_hello(&sh[..cut], &mut Flight::default());
        }
        assert_eq!(dh_prime(&[0, 2, 0, 7, 0, 1, 2]), Some(vec![7]));
        assert_eq!(dh_prime(&[0, 9, 1]), None);
    }
}
