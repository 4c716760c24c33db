//! The wire side of a probe: ClientHello records built by hand, and the server's first flight
//! read back (ServerHello, Certificate, ServerKeyExchange, or an alert), bounded in time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::registry::*;
use crate::Error;

/// The first byte of a HelloRetryRequest's random: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
pub(super) const HRR: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

pub(super) fn u16be(v: u16) -> [u8; 2] {
    v.to_be_bytes()
}

pub(super) fn with_len16(body: &[u8]) -> Vec<u8> {
    let mut v = u16be(body.len() as u16).to_vec();
    v.extend_from_slice(body);
    v
}

pub(super) fn ext(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut v = u16be(kind).to_vec();
    v.extend(with_len16(body));
    v
}

/// A ClientHello record offering `version` (for TLS 1.3: via supported_versions, with an empty
/// key share), `suites` and `groups`.
/// What a ClientHello offers.
#[derive(Clone, Copy)]
pub(super) struct Hello<'a> {
    pub(super) host: Option<&'a str>,
    pub(super) version: u16,
    pub(super) suites: &'a [u16],
    pub(super) groups: &'a [u16],
    /// signature_algorithms (TLS 1.2 and later).
    pub(super) schemes: &'a [u16],
}

impl<'a> Hello<'a> {
    pub(super) fn new(
        host: Option<&'a str>,
        version: u16,
        suites: &'a [u16],
        groups: &'a [u16],
    ) -> Self {
        Hello {
            host,
            version,
            suites,
            groups,
            schemes: &SIG_SCHEMES,
        }
    }
}

pub(super) fn client_hello(h: &Hello<'_>) -> Vec<u8> {
    let (host, version, suites, groups) = (h.host, h.version, h.suites, h.groups);
    let tls13 = version == 0x0304;
    let mut body = u16be(if tls13 { 0x0303 } else { version }).to_vec();
    let random = crate::rand::array::<32>().unwrap_or([7u8; 32]);
    body.extend_from_slice(&random);
    if tls13 {
        body.push(32);
        body.extend_from_slice(&crate::rand::array::<32>().unwrap_or([9u8; 32]));
    } else {
        body.push(0);
    }
    let mut cs: Vec<u8> = suites.iter().flat_map(|c| u16be(*c)).collect();
    cs.extend(u16be(0x00FF)); // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    body.extend(with_len16(&cs));
    body.extend([1, 0]); // compression: null
    let mut exts = Vec::new();
    if version > 0x0300 {
        if let Some(h) = host {
            let mut name = vec![0u8];
            name.extend(with_len16(h.as_bytes()));
            exts.extend(ext(0x0000, &with_len16(&name)));
        }
        let g: Vec<u8> = groups.iter().flat_map(|c| u16be(*c)).collect();
        exts.extend(ext(0x000a, &with_len16(&g)));
        exts.extend(ext(0x000b, &[1, 0]));
        if version >= 0x0303 {
            let sa: Vec<u8> = h.schemes.iter().flat_map(|c| u16be(*c)).collect();
            exts.extend(ext(0x000d, &with_len16(&sa)));
        }
        if tls13 {
            exts.extend(ext(0x002b, &[2, 0x03, 0x04]));
            exts.extend(ext(0x0033, &with_len16(&[])));
            exts.extend(ext(0x002d, &[1, 1])); // psk_dhe_ke
        }
        body.extend(with_len16(&exts));
    }
    let mut hs = vec![1u8];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend(body);
    let mut rec = vec![0x16];
    rec.extend(u16be(if version == 0x0300 { 0x0300 } else { 0x0301 }));
    rec.extend(with_len16(&hs));
    rec
}

/// What the server answered.
#[derive(Clone, Debug, Default)]
pub(super) struct Answer {
    /// The version it chose (from supported_versions for TLS 1.3).
    pub(super) version: Option<u16>,
    /// The suite it chose.
    pub(super) suite: Option<u16>,
    /// A HelloRetryRequest's group, or a TLS 1.2 ECDHE curve.
    pub(super) group: Option<u16>,
    /// A TLS ≤ 1.2 DHE modulus size.
    pub(super) dh_bits: Option<u32>,
    /// The ServerKeyExchange signature scheme (TLS 1.2).
    pub(super) sig_scheme: Option<u16>,
    /// The certificate chain (TLS ≤ 1.2), leaf first.
    pub(super) chain: Vec<Vec<u8>>,
    /// An alert's description, if it refused.
    pub(super) alert: Option<u8>,
}

pub(super) struct Conn {
    pub(super) stream: TcpStream,
    pub(super) deadline: Instant,
}

impl Conn {
    fn read_exact(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read_exact(buf)
    }
}

pub(super) fn be24(b: &[u8]) -> usize {
    (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2])
}

/// Parses a ServerHello body into `a`.
pub(super) fn server_hello(b: &[u8], a: &mut Answer) -> Option<()> {
    let version = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
    let random = b.get(2..34)?;
    let sid = usize::from(*b.get(34)?);
    let mut p = 35 + sid;
    a.suite = Some(u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]));
    p += 3;
    a.version = Some(version);
    let hrr = random == HRR;
    if let Some(len) = b.get(p..p + 2) {
        let end = p + 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
        p += 2;
        while p + 4 <= end.min(b.len()) {
            let kind = u16::from_be_bytes([b[p], b[p + 1]]);
            let n = usize::from(u16::from_be_bytes([b[p + 2], b[p + 3]]));
            let data = b.get(p + 4..p + 4 + n)?;
            match kind {
                0x002b if n == 2 => a.version = Some(u16::from_be_bytes([data[0], data[1]])),
                0x0033 if n >= 2 => a.group = Some(u16::from_be_bytes([data[0], data[1]])),
                _ => {}
            }
            p += 4 + n;
        }
    }
    let _ = hrr;
    Some(())
}

pub(super) fn server_key_exchange(
    b: &[u8],
    suite: u16,
    version: u16,
    a: &mut Answer,
) -> Option<()> {
    let kx = SUITES.iter().find(|s| s.code == suite).map(|s| s.kx)?;
    let mut p;
    match kx {
        Ecdhe | EcdhAnon => {
            if *b.first()? != 3 {
                return None;
            }
            a.group = Some(u16::from_be_bytes([*b.get(1)?, *b.get(2)?]));
            p = 4 + usize::from(*b.get(3)?);
        }
        Dhe | DhAnon => {
            let plen = usize::from(u16::from_be_bytes([*b.first()?, *b.get(1)?]));
            let prime = b.get(2..2 + plen)?;
            let lead = prime.iter().position(|&x| x != 0).unwrap_or(prime.len());
            let bytes = &prime[lead..];
            a.dh_bits = bytes
                .first()
                .map(|&top| (bytes.len() as u32 - 1) * 8 + (8 - top.leading_zeros()));
            p = 2 + plen;
            for _ in 0..2 {
                let n = usize::from(u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]));
                p += 2 + n;
            }
        }
        _ => return Some(()),
    }
    if version >= 0x0303 && !matches!(kx, DhAnon | EcdhAnon) {
        a.sig_scheme = Some(u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]));
    }
    Some(())
}

/// One ClientHello, one answer. `full`: read on to ServerHelloDone (chain, key exchange).
pub(super) fn ask(
    dialer: &super::target::Dialer,
    hello: &Hello<'_>,
    full: bool,
    timeout: Duration,
) -> Result<Answer, Error> {
    let stream = dialer.connect(timeout)?;
    let mut c = Conn {
        stream,
        deadline: Instant::now() + timeout,
    };
    c.stream
        .write_all(&client_hello(hello))
        .map_err(Error::Io)?;
    let mut a = Answer::default();
    let mut hs: Vec<u8> = Vec::new();
    loop {
        let mut head = [0u8; 5];
        if c.read_exact(&mut head).is_err() {
            return Ok(a); // closed or timed out: no answer is a refusal
        }
        let len = usize::from(u16::from_be_bytes([head[3], head[4]]));
        if len > 1 << 15 {
            return Ok(a);
        }
        let mut rec = vec![0u8; len];
        if c.read_exact(&mut rec).is_err() {
            return Ok(a);
        }
        match head[0] {
            0x15 => {
                a.alert = rec.get(1).copied();
                return Ok(a);
            }
            0x16 => hs.extend_from_slice(&rec),
            _ => return Ok(a),
        }
        if absorb(&mut hs, &mut a, full) {
            return Ok(a);
        }
    }
}

/// Parses the handshake messages buffered in `hs` into `a`; true when the answer is complete.
pub(super) fn absorb(hs: &mut Vec<u8>, a: &mut Answer, full: bool) -> bool {
    while hs.len() >= 4 {
        let n = be24(&hs[1..4]);
        if hs.len() < 4 + n {
            break;
        }
        let kind = hs[0];
        let body: Vec<u8> = hs[4..4 + n].to_vec();
        hs.drain(..4 + n);
        match kind {
            2 => {
                server_hello(&body, a);
                let v = a.version.unwrap_or(0);
                if !full || v >= 0x0304 || a.suite.is_none() {
                    return true;
                }
            }
            11 if body.len() >= 3 => {
                let mut p = 3;
                while p + 3 <= body.len() {
                    let l = be24(&body[p..p + 3]);
                    if let Some(der) = body.get(p + 3..p + 3 + l) {
                        a.chain.push(der.to_vec());
                    }
                    p += 3 + l;
                }
            }
            12 => {
                if let (Some(s), Some(v)) = (a.suite, a.version) {
                    server_key_exchange(&body, s, v, a);
                }
            }
            14 => return true,
            _ => {}
        }
    }
    false
}

/// Parses a server's first flight (TLS records as received) the way a probe does: the chosen
/// version, suite and group, and the number of certificates. For fuzzing and tests.
pub fn parse_flight(mut data: &[u8]) -> (Option<u16>, Option<u16>, Option<u16>, usize) {
    let mut a = Answer::default();
    let mut hs = Vec::new();
    while data.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([data[3], data[4]]));
        let Some(rec) = data.get(5..5 + len) else {
            break;
        };
        if data[0] != 0x16 {
            break;
        }
        hs.extend_from_slice(rec);
        data = &data[5 + len..];
        if absorb(&mut hs, &mut a, true) {
            break;
        }
    }
    (a.version, a.suite, a.group, a.chain.len())
}
