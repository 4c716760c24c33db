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

/// What a ClientHello offers: `version` (TLS 1.3 via supported_versions), `suites`, `groups`,
/// signature schemes, and for TLS 1.3 a key share (empty unless `key_share` names a group).
#[derive(Clone, Copy)]
pub(super) struct Hello<'a> {
    pub(super) host: Option<&'a str>,
    pub(super) version: u16,
    pub(super) suites: &'a [u16],
    pub(super) groups: &'a [u16],
    /// signature_algorithms (TLS 1.2 and later).
    pub(super) schemes: &'a [u16],
    /// TLS 1.3: send a real key share for this group (see [`key_share`]), so the server
    /// answers with a ServerHello, not a HelloRetryRequest.
    pub(super) key_share: Option<u16>,
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
            key_share: None,
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
            let mut shares = Vec::new();
            if let Some((g, share)) = h.key_share.and_then(|g| Some((g, key_share(g)?))) {
                shares.extend(u16be(g));
                shares.extend(with_len16(&share));
            }
            exts.extend(ext(0x0033, &with_len16(&shares)));
            exts.extend(ext(0x002d, &[1, 1])); // psk_dhe_ke
        }
        // RFC 7685 padding: some servers hang on a ClientHello of 256 to 511 bytes.
        let len = body.len() + 2 + exts.len() + 4;
        if (256..512).contains(&len) {
            exts.extend(ext(0x0015, &vec![0u8; 512usize.saturating_sub(len + 4)]));
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

/// A valid public key share for a TLS 1.3 group, or `None` for a group kagi cannot make one
/// for (brainpool, GOST, SM2). The private halves are not kept: no probe completes a
/// handshake.
pub(super) fn key_share(group: u16) -> Option<Vec<u8>> {
    use ring::agreement::{ECDH_P256, ECDH_P384, EphemeralPrivateKey, X25519};
    let rng = ring::rand::SystemRandom::new();
    let ring_share = |alg| {
        EphemeralPrivateKey::generate(alg, &rng)
            .ok()?
            .compute_public_key()
            .ok()
            .map(|k| k.as_ref().to_vec())
    };
    let mlkem = |level: u16| -> Option<Vec<u8>> {
        let seed = ml_kem::Seed::try_from(&crate::rand::array::<64>().ok()?[..]).ok()?;
        use ml_kem::kem::KeyExport;
        Some(match level {
            512 => ml_kem::DecapsulationKey::<ml_kem::MlKem512>::from_seed(seed)
                .encapsulation_key()
                .to_bytes()
                .to_vec(),
            768 => ml_kem::DecapsulationKey::<ml_kem::MlKem768>::from_seed(seed)
                .encapsulation_key()
                .to_bytes()
                .to_vec(),
            _ => ml_kem::DecapsulationKey::<ml_kem::MlKem1024>::from_seed(seed)
                .encapsulation_key()
                .to_bytes()
                .to_vec(),
        })
    };
    let cat = |a: Option<Vec<u8>>, b: Option<Vec<u8>>| {
        let mut a = a?;
        a.extend(b?);
        Some(a)
    };
    match group {
        23 => ring_share(&ECDH_P256),
        24 => ring_share(&ECDH_P384),
        // The P-521 base point (SEC 2 §2.6.1), uncompressed: a valid point.
        25 => hex::decode(P521_G).ok(),
        29 => ring_share(&X25519),
        // The X448 base point u = 5 (RFC 7748 §4.2).
        30 => {
            let mut u = vec![0u8; 56];
            u[0] = 5;
            Some(u)
        }
        // 4 = 2^2 lies in the prime-order subgroup that every RFC 7919 group's generator 2
        // spans, and in [2, p-2]: the checks of RFC 7919 §5.1 pass.
        256..=260 => {
            let len = [256, 384, 512, 768, 1024][usize::from(group - 256)];
            let mut y = vec![0u8; len];
            y[len - 1] = 4;
            Some(y)
        }
        512 => mlkem(512),
        513 => mlkem(768),
        514 => mlkem(1024),
        // draft-ietf-tls-ecdhe-mlkem: ML-KEM first for X25519MLKEM768, the curve first else.
        0x11EB => cat(ring_share(&ECDH_P256), mlkem(768)),
        0x11EC => cat(mlkem(768), ring_share(&X25519)),
        0x11ED => cat(ring_share(&ECDH_P384), mlkem(1024)),
        _ => None,
    }
}

const P521_G: &str = "0400c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650";

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
    /// The ServerHello was a HelloRetryRequest.
    pub(super) hrr: bool,
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
    a.hrr = hrr;
    Some(())
}

pub(super) fn server_key_exchange(
    b: &[u8],
    suite: u16,
    version: u16,
    a: &mut Answer,
) -> Option<()> {
    let s = super::registry::suite(suite)?;
    // PSK suites put the identity hint first (RFC 4279 §2, RFC 5489 §2).
    let mut p = if matches!(s.kx, DhePsk | EcdhePsk) {
        2 + usize::from(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
    } else {
        0
    };
    match s.kx {
        Ecdhe | EcdhePsk => {
            if *b.get(p)? != 3 {
                return None;
            }
            a.group = Some(u16::from_be_bytes([*b.get(p + 1)?, *b.get(p + 2)?]));
            p += 4 + usize::from(*b.get(p + 3)?);
        }
        Dhe | DhePsk => {
            let plen = usize::from(u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]));
            let prime = b.get(p + 2..p + 2 + plen)?;
            let lead = prime.iter().position(|&x| x != 0).unwrap_or(prime.len());
            let bytes = &prime[lead..];
            a.dh_bits = bytes
                .first()
                .map(|&top| (bytes.len() as u32 - 1) * 8 + (8 - top.leading_zeros()));
            p += 2 + plen;
            for _ in 0..2 {
                let n = usize::from(u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]));
                p += 2 + n;
            }
        }
        _ => return Some(()),
    }
    // Signed unless anonymous or authenticated by the pre-shared key.
    if version >= 0x0303 && matches!(s.auth, Auth::Rsa | Auth::Dss | Auth::Ecdsa) {
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

/// An SSL 2.0 CLIENT-HELLO (draft-hickman-netscape-ssl-00 §2.5) offering every cipher spec of
/// [`SSL2_CIPHERS`], as a two-byte-header record.
pub(super) fn ssl2_client_hello() -> Vec<u8> {
    let specs: Vec<u8> = SSL2_CIPHERS
        .iter()
        .flat_map(|(c, _)| c.to_be_bytes()[1..].to_vec())
        .collect();
    let challenge = crate::rand::array::<16>().unwrap_or([3u8; 16]);
    let mut msg = vec![1u8, 0x00, 0x02];
    msg.extend(u16be(specs.len() as u16));
    msg.extend(u16be(0));
    msg.extend(u16be(challenge.len() as u16));
    msg.extend(specs);
    msg.extend(challenge);
    let mut rec = u16be(0x8000 | msg.len() as u16).to_vec();
    rec.extend(msg);
    rec
}

/// An SSL 2.0 SERVER-HELLO: the cipher specs it offers and its certificate (DER).
pub type Ssl2Hello = (Vec<u32>, Vec<u8>);

/// The cipher specs of an SSL 2.0 SERVER-HELLO record (with its two- or three-byte header),
/// and its certificate; `None` for anything else (a TLS alert, a truncated record).
pub fn parse_ssl2_server_hello(rec: &[u8]) -> Option<Ssl2Hello> {
    let (len, head) = if rec.first()? & 0x80 != 0 {
        (
            usize::from(u16::from_be_bytes([rec[0] & 0x7f, *rec.get(1)?])),
            2,
        )
    } else {
        (
            usize::from(u16::from_be_bytes([rec[0] & 0x3f, *rec.get(1)?])),
            3,
        )
    };
    let m = rec.get(head..head + len)?;
    // SERVER-HELLO, session-id-hit, certificate type, version 0.2.
    if *m.first()? != 4 || m.get(3..5)? != [0, 2] {
        return None;
    }
    let n = |i: usize| {
        Some(usize::from(u16::from_be_bytes([
            *m.get(i)?,
            *m.get(i + 1)?,
        ])))
    };
    let (cert_len, specs_len) = (n(5)?, n(7)?);
    if specs_len % 3 != 0 {
        return None;
    }
    let cert = m.get(11..11 + cert_len)?.to_vec();
    let specs = m
        .get(11 + cert_len..11 + cert_len + specs_len)?
        .chunks(3)
        .map(|c| u32::from_be_bytes([0, c[0], c[1], c[2]]))
        .collect();
    Some((specs, cert))
}

/// Asks in SSL 2.0: the cipher specs the server offers and its certificate, or `None`.
pub(super) fn ask_ssl2(
    dialer: &super::target::Dialer,
    timeout: Duration,
) -> Result<Option<Ssl2Hello>, Error> {
    let stream = dialer.connect(timeout)?;
    stream.set_write_timeout(Some(timeout)).map_err(Error::Io)?;
    let mut c = Conn {
        stream,
        deadline: Instant::now() + timeout,
    };
    if c.stream.write_all(&ssl2_client_hello()).is_err() {
        return Ok(None);
    }
    let mut head = [0u8; 2];
    if c.read_exact(&mut head).is_err() || head[0] & 0x80 == 0 {
        // A TLS record (an alert) or nothing: not SSL 2.0.
        return Ok(None);
    }
    let len = usize::from(u16::from_be_bytes([head[0] & 0x7f, head[1]]));
    let mut rec = head.to_vec();
    rec.resize(2 + len, 0);
    if c.read_exact(&mut rec[2..]).is_err() {
        return Ok(None);
    }
    Ok(parse_ssl2_server_hello(&rec))
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
