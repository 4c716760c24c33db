//! TLS endpoints: which protocol versions (SSL 3.0 to TLS 1.3), cipher suites and key-exchange
//! groups a server accepts, and its certificate chain — found as testssl.sh and nmap do, by
//! sending hand-built ClientHellos and reading the ServerHello or alert. TLS 1.3 is probed
//! with an empty key share, so the server answers with a HelloRetryRequest naming its suite and
//! group; no handshake is completed and no key is made. Suites are enumerated by removing each
//! accepted one and asking again. For TLS ≤ 1.2 the Certificate and ServerKeyExchange messages
//! are plaintext and give the chain, the ECDHE group or DHE modulus, and the signature scheme.
//! For a TLS 1.3-only server the chain comes from a rustls handshake with a verifier that only
//! records it. Every probe is bounded in time and the connections per host are counted.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use cryptrec::audit::{Finding, Severity, judge, unknown};
use cryptrec::{Algorithm, BlockCipher, Curve, HashAlg, Mode, Montgomery, Status};

use super::Artefact;
use crate::Error;
use crate::pki::Certificate;
use crate::provider::Provider;

/// At most this many connections to one endpoint.
pub const MAX_CONNECTIONS: usize = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kx {
    Ecdhe,
    Dhe,
    Rsa,
    /// DH_anon: no server authentication.
    DhAnon,
    /// ECDH_anon: no server authentication.
    EcdhAnon,
    /// TLS 1.3: the group is negotiated separately.
    Tls13,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Enc {
    Aes(u16, Mode),
    Camellia(u16, Mode),
    /// ARIA-GCM (RFC 6209), not on the list.
    Aria(u16),
    ChaCha,
    TripleDes,
    Des,
    Rc4,
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mac {
    Aead,
    Sha1,
    Sha256,
    Sha384,
    Md5,
}

/// A cipher suite kagi probes: IANA code and name, and what it is built from.
#[derive(Clone, Copy, Debug)]
pub struct Suite {
    /// The IANA code.
    pub code: u16,
    /// The IANA name.
    pub name: &'static str,
    kx: Kx,
    enc: Enc,
    mac: Mac,
    /// Defined only for TLS 1.2 (GCM, CCM, SHA-256/384 MACs, ChaCha20).
    tls12: bool,
}

const fn s(code: u16, name: &'static str, kx: Kx, enc: Enc, mac: Mac, tls12: bool) -> Suite {
    Suite {
        code,
        name,
        kx,
        enc,
        mac,
        tls12,
    }
}

use Enc::*;
use Kx::*;
use Mac::*;

/// Every suite probed (IANA TLS Cipher Suites registry; names as RFC 8446, 5289, 5246, 6367,
/// 7905, 6655, 2246).
pub const SUITES: &[Suite] = &[
    s(
        0x1301,
        "TLS_AES_128_GCM_SHA256",
        Tls13,
        Aes(128, Mode::Gcm),
        Aead,
        false,
    ),
    s(
        0x1302,
        "TLS_AES_256_GCM_SHA384",
        Tls13,
        Aes(256, Mode::Gcm),
        Aead,
        false,
    ),
    s(
        0x1303,
        "TLS_CHACHA20_POLY1305_SHA256",
        Tls13,
        ChaCha,
        Aead,
        false,
    ),
    s(
        0x1304,
        "TLS_AES_128_CCM_SHA256",
        Tls13,
        Aes(128, Mode::Ccm),
        Aead,
        false,
    ),
    s(
        0x1305,
        "TLS_AES_128_CCM_8_SHA256",
        Tls13,
        Aes(128, Mode::Ccm),
        Aead,
        false,
    ),
    s(
        0xC02B,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        Ecdhe,
        Aes(128, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0xC02C,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        Ecdhe,
        Aes(256, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0xC02F,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        Ecdhe,
        Aes(128, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0xC030,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        Ecdhe,
        Aes(256, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0xCCA9,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        Ecdhe,
        ChaCha,
        Aead,
        true,
    ),
    s(
        0xCCA8,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        Ecdhe,
        ChaCha,
        Aead,
        true,
    ),
    s(
        0xC0AC,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
        Ecdhe,
        Aes(128, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC0AD,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
        Ecdhe,
        Aes(256, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC023,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        Ecdhe,
        Aes(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0xC024,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        Ecdhe,
        Aes(256, Mode::Cbc),
        Sha384,
        true,
    ),
    s(
        0xC027,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        Ecdhe,
        Aes(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0xC028,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        Ecdhe,
        Aes(256, Mode::Cbc),
        Sha384,
        true,
    ),
    s(
        0xC009,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        Ecdhe,
        Aes(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0xC00A,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        Ecdhe,
        Aes(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0xC013,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        Ecdhe,
        Aes(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0xC014,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        Ecdhe,
        Aes(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0xC072,
        "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
        Ecdhe,
        Camellia(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0xC073,
        "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",
        Ecdhe,
        Camellia(256, Mode::Cbc),
        Sha384,
        true,
    ),
    s(
        0xC076,
        "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        Ecdhe,
        Camellia(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0xC077,
        "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",
        Ecdhe,
        Camellia(256, Mode::Cbc),
        Sha384,
        true,
    ),
    s(
        0xC012,
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        Ecdhe,
        TripleDes,
        Sha1,
        false,
    ),
    s(
        0xC011,
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        Ecdhe,
        Rc4,
        Sha1,
        false,
    ),
    s(
        0x009E,
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        Dhe,
        Aes(128, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0x009F,
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        Dhe,
        Aes(256, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0xCCAA,
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        Dhe,
        ChaCha,
        Aead,
        true,
    ),
    s(
        0x0067,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        Dhe,
        Aes(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x006B,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        Dhe,
        Aes(256, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x0033,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        Dhe,
        Aes(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x0039,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        Dhe,
        Aes(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x0045,
        "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",
        Dhe,
        Camellia(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x0088,
        "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",
        Dhe,
        Camellia(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x0016,
        "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        Dhe,
        TripleDes,
        Sha1,
        false,
    ),
    s(
        0x009C,
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        Rsa,
        Aes(128, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0x009D,
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        Rsa,
        Aes(256, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0x003C,
        "TLS_RSA_WITH_AES_128_CBC_SHA256",
        Rsa,
        Aes(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x003D,
        "TLS_RSA_WITH_AES_256_CBC_SHA256",
        Rsa,
        Aes(256, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x002F,
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        Rsa,
        Aes(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x0035,
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        Rsa,
        Aes(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x00BA,
        "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        Rsa,
        Camellia(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x00C0,
        "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        Rsa,
        Camellia(256, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x0041,
        "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
        Rsa,
        Camellia(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x0084,
        "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
        Rsa,
        Camellia(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x000A,
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        Rsa,
        TripleDes,
        Sha1,
        false,
    ),
    s(0x0005, "TLS_RSA_WITH_RC4_128_SHA", Rsa, Rc4, Sha1, false),
    s(0x0004, "TLS_RSA_WITH_RC4_128_MD5", Rsa, Rc4, Md5, false),
    s(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", Rsa, Des, Sha1, false),
    s(0x003B, "TLS_RSA_WITH_NULL_SHA256", Rsa, Null, Sha256, true),
    s(0x0002, "TLS_RSA_WITH_NULL_SHA", Rsa, Null, Sha1, false),
    // Anonymous, CCM/CCM_8, ARIA-GCM, DHE Camellia-SHA256 (as sslscan and nmap probe them).
    s(
        0x0018,
        "TLS_DH_anon_WITH_RC4_128_MD5",
        DhAnon,
        Rc4,
        Md5,
        false,
    ),
    s(
        0x001A,
        "TLS_DH_anon_WITH_DES_CBC_SHA",
        DhAnon,
        Des,
        Sha1,
        false,
    ),
    s(
        0x001B,
        "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
        DhAnon,
        TripleDes,
        Sha1,
        false,
    ),
    s(
        0x0034,
        "TLS_DH_anon_WITH_AES_128_CBC_SHA",
        DhAnon,
        Aes(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x003A,
        "TLS_DH_anon_WITH_AES_256_CBC_SHA",
        DhAnon,
        Aes(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x006C,
        "TLS_DH_anon_WITH_AES_128_CBC_SHA256",
        DhAnon,
        Aes(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x006D,
        "TLS_DH_anon_WITH_AES_256_CBC_SHA256",
        DhAnon,
        Aes(256, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x00A6,
        "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        DhAnon,
        Aes(128, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0x00A7,
        "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
        DhAnon,
        Aes(256, Mode::Gcm),
        Aead,
        true,
    ),
    s(
        0x0046,
        "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA",
        DhAnon,
        Camellia(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x0089,
        "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA",
        DhAnon,
        Camellia(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0x00BF,
        "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256",
        DhAnon,
        Camellia(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x00C5,
        "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256",
        DhAnon,
        Camellia(256, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0xC05A,
        "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256",
        DhAnon,
        Aria(128),
        Aead,
        true,
    ),
    s(
        0xC05B,
        "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384",
        DhAnon,
        Aria(256),
        Aead,
        true,
    ),
    s(
        0xC015,
        "TLS_ECDH_anon_WITH_NULL_SHA",
        EcdhAnon,
        Null,
        Sha1,
        false,
    ),
    s(
        0xC016,
        "TLS_ECDH_anon_WITH_RC4_128_SHA",
        EcdhAnon,
        Rc4,
        Sha1,
        false,
    ),
    s(
        0xC017,
        "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
        EcdhAnon,
        TripleDes,
        Sha1,
        false,
    ),
    s(
        0xC018,
        "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
        EcdhAnon,
        Aes(128, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0xC019,
        "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
        EcdhAnon,
        Aes(256, Mode::Cbc),
        Sha1,
        false,
    ),
    s(
        0xC09C,
        "TLS_RSA_WITH_AES_128_CCM",
        Rsa,
        Aes(128, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC09D,
        "TLS_RSA_WITH_AES_256_CCM",
        Rsa,
        Aes(256, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC09E,
        "TLS_DHE_RSA_WITH_AES_128_CCM",
        Dhe,
        Aes(128, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC09F,
        "TLS_DHE_RSA_WITH_AES_256_CCM",
        Dhe,
        Aes(256, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC0A0,
        "TLS_RSA_WITH_AES_128_CCM_8",
        Rsa,
        Aes(128, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC0A1,
        "TLS_RSA_WITH_AES_256_CCM_8",
        Rsa,
        Aes(256, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC0A2,
        "TLS_DHE_RSA_WITH_AES_128_CCM_8",
        Dhe,
        Aes(128, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC0A3,
        "TLS_DHE_RSA_WITH_AES_256_CCM_8",
        Dhe,
        Aes(256, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC0AE,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        Ecdhe,
        Aes(128, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC0AF,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
        Ecdhe,
        Aes(256, Mode::Ccm),
        Aead,
        true,
    ),
    s(
        0xC050,
        "TLS_RSA_WITH_ARIA_128_GCM_SHA256",
        Rsa,
        Aria(128),
        Aead,
        true,
    ),
    s(
        0xC051,
        "TLS_RSA_WITH_ARIA_256_GCM_SHA384",
        Rsa,
        Aria(256),
        Aead,
        true,
    ),
    s(
        0xC052,
        "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256",
        Dhe,
        Aria(128),
        Aead,
        true,
    ),
    s(
        0xC053,
        "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384",
        Dhe,
        Aria(256),
        Aead,
        true,
    ),
    s(
        0xC05C,
        "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256",
        Ecdhe,
        Aria(128),
        Aead,
        true,
    ),
    s(
        0xC05D,
        "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384",
        Ecdhe,
        Aria(256),
        Aead,
        true,
    ),
    s(
        0xC060,
        "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",
        Ecdhe,
        Aria(128),
        Aead,
        true,
    ),
    s(
        0xC061,
        "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",
        Ecdhe,
        Aria(256),
        Aead,
        true,
    ),
    s(
        0x00BE,
        "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        Dhe,
        Camellia(128, Mode::Cbc),
        Sha256,
        true,
    ),
    s(
        0x00C4,
        "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        Dhe,
        Camellia(256, Mode::Cbc),
        Sha256,
        true,
    ),
];

/// Protocol versions, newest first.
const VERSIONS: [(u16, &str); 5] = [
    (0x0304, "TLS 1.3"),
    (0x0303, "TLS 1.2"),
    (0x0302, "TLS 1.1"),
    (0x0301, "TLS 1.0"),
    (0x0300, "SSL 3.0"),
];

/// Named groups (IANA TLS Supported Groups): code, name, and the algorithm to judge (`None`
/// for a group the list does not name; hybrids are judged by [`group_finding`]).
fn group(code: u16) -> (&'static str, Option<Algorithm>) {
    let name = match code {
        23 => return ("secp256r1", Some(Algorithm::Ecdh(Curve::P256))),
        24 => return ("secp384r1", Some(Algorithm::Ecdh(Curve::P384))),
        25 => return ("secp521r1", Some(Algorithm::Ecdh(Curve::P521))),
        29 => return ("x25519", Some(Algorithm::Xdh(Montgomery::X25519))),
        30 => return ("x448", Some(Algorithm::Xdh(Montgomery::X448))),
        256..=260 => {
            let bits = [2048, 3072, 4096, 6144, 8192][usize::from(code - 256)];
            let name = [
                "ffdhe2048",
                "ffdhe3072",
                "ffdhe4096",
                "ffdhe6144",
                "ffdhe8192",
            ][usize::from(code - 256)];
            return (name, Some(Algorithm::Dh { bits }));
        }
        512 => return ("MLKEM512", Some(Algorithm::MlKem(512))),
        513 => return ("MLKEM768", Some(Algorithm::MlKem(768))),
        514 => return ("MLKEM1024", Some(Algorithm::MlKem(1024))),
        0x11EB => "SecP256r1MLKEM768",
        0x11EC => "X25519MLKEM768",
        0x11ED => "SecP384r1MLKEM1024",
        1..=28 => [
            "sect163k1",
            "sect163r1",
            "sect163r2",
            "sect193r1",
            "sect193r2",
            "sect233k1",
            "sect233r1",
            "sect239k1",
            "sect283k1",
            "sect283r1",
            "sect409k1",
            "sect409r1",
            "sect571k1",
            "sect571r1",
            "secp160k1",
            "secp160r1",
            "secp160r2",
            "secp192k1",
            "secp192r1",
            "secp224k1",
            "secp224r1",
            "secp256k1",
            "",
            "",
            "",
            "brainpoolP256r1",
            "brainpoolP384r1",
            "brainpoolP512r1",
        ][usize::from(code - 1)],
        31 => "brainpoolP256r1tls13",
        32 => "brainpoolP384r1tls13",
        33 => "brainpoolP512r1tls13",
        34 => "GC256A",
        35 => "GC256B",
        36 => "GC256C",
        37 => "GC256D",
        38 => "GC512A",
        39 => "GC512B",
        40 => "GC512C",
        41 => "curveSM2",
        0xFF01 => "arbitrary_explicit_prime_curves",
        0xFF02 => "arbitrary_explicit_char2_curves",
        _ => "unknown group",
    };
    (name, None)
}

/// The halves of a hybrid post-quantum group (draft-ietf-tls-ecdhe-mlkem).
fn hybrid(code: u16) -> Option<[Algorithm; 2]> {
    Some(match code {
        0x11EB => [Algorithm::Ecdh(Curve::P256), Algorithm::MlKem(768)],
        0x11EC => [Algorithm::Xdh(Montgomery::X25519), Algorithm::MlKem(768)],
        0x11ED => [Algorithm::Ecdh(Curve::P384), Algorithm::MlKem(1024)],
        _ => return None,
    })
}

/// The finding on a key-exchange group: its algorithm; a hybrid's weaker half; a group the
/// list does not name, refused with the reason.
fn group_finding(provider: &Provider, code: u16) -> Finding {
    let (name, alg) = group(code);
    let j = |a: &Algorithm| judge(provider.policy(), a, "key exchange group", provider.date());
    if let Some(a) = alg {
        return j(&a);
    }
    if let Some(halves) = hybrid(code) {
        let parts: Vec<Finding> = halves.iter().map(j).collect();
        let mut worst = parts
            .iter()
            .max_by_key(|f| (f.refused, f.severity))
            .cloned()
            .unwrap_or_else(|| unknown("key exchange group", name));
        worst.note = Some(format!(
            "hybrid {name}: {} and {}, judged by the weaker",
            parts[0].algorithm, parts[1].algorithm
        ));
        return worst;
    }
    cryptrec::audit::not_listed(
        "key exchange group",
        name,
        &format!(
            "{name} is not a group of the CRYPTREC Ciphers List (its ECDH uses the NIST curves P-256, P-384, P-521; DH the finite-field groups)"
        ),
        false,
    )
}

/// Groups asked in TLS 1.3 (HelloRetryRequest names the one chosen, without a key share).
const GROUPS: [u16; 30] = [
    23, 24, 25, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 256, 257, 258, 259, 260, 512,
    513, 514, 0x11EB, 0x11EC, 0x11ED, 22, 26, 27,
];

/// Groups asked in TLS 1.0–1.2 ECDHE (RFC 8422; the ServerKeyExchange names the curve).
const GROUPS_12: [u16; 32] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    27, 28, 29, 30, 0xFF01, 0xFF02,
];

/// signature_algorithms offered: what clients commonly send, SHA-1 included so a server that
/// only signs with SHA-1 shows itself.
const SIG_SCHEMES: [u16; 12] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0201, 0x0203,
];

/// Every TLS 1.2 signature scheme asked one at a time (IANA TLS SignatureScheme, and the
/// hash/signature pairs of RFC 5246 §7.4.1.4.1 still met: MD5, SHA-224, DSA).
const SIG_SCHEMES_12: [u16; 24] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601,
    0x0807, 0x0808, 0x0201, 0x0203, 0x0101, 0x0301, 0x0303, 0x0202, 0x0302, 0x0402, 0x0502, 0x0602,
];

fn scheme(code: u16) -> (&'static str, Option<Algorithm>) {
    let pss = |hash| Algorithm::RsaPss { bits: 0, hash };
    let pkcs1 = |hash| Algorithm::RsaPkcs1Sign { bits: 0, hash };
    let ec = |curve, hash| Algorithm::Ecdsa {
        curve,
        hash: Some(hash),
    };
    match code {
        0x0403 => (
            "ecdsa_secp256r1_sha256",
            Some(ec(Curve::P256, HashAlg::Sha256)),
        ),
        0x0503 => (
            "ecdsa_secp384r1_sha384",
            Some(ec(Curve::P384, HashAlg::Sha384)),
        ),
        0x0603 => (
            "ecdsa_secp521r1_sha512",
            Some(ec(Curve::P521, HashAlg::Sha512)),
        ),
        0x0804 => ("rsa_pss_rsae_sha256", Some(pss(HashAlg::Sha256))),
        0x0805 => ("rsa_pss_rsae_sha384", Some(pss(HashAlg::Sha384))),
        0x0806 => ("rsa_pss_rsae_sha512", Some(pss(HashAlg::Sha512))),
        0x0401 => ("rsa_pkcs1_sha256", Some(pkcs1(HashAlg::Sha256))),
        0x0501 => ("rsa_pkcs1_sha384", Some(pkcs1(HashAlg::Sha384))),
        0x0601 => ("rsa_pkcs1_sha512", Some(pkcs1(HashAlg::Sha512))),
        0x0807 => (
            "ed25519",
            Some(Algorithm::EdDsa(cryptrec::Edwards::Ed25519)),
        ),
        0x0809 => ("rsa_pss_pss_sha256", Some(pss(HashAlg::Sha256))),
        0x080A => ("rsa_pss_pss_sha384", Some(pss(HashAlg::Sha384))),
        0x080B => ("rsa_pss_pss_sha512", Some(pss(HashAlg::Sha512))),
        0x0808 => ("ed448", Some(Algorithm::EdDsa(cryptrec::Edwards::Ed448))),
        0x0201 => ("rsa_pkcs1_sha1", Some(pkcs1(HashAlg::Sha1))),
        0x0203 => ("ecdsa_sha1", Some(ec(Curve::P256, HashAlg::Sha1))),
        0x0101 => ("rsa_pkcs1_md5", Some(pkcs1(HashAlg::Md5))),
        0x0301 => ("rsa_pkcs1_sha224", Some(pkcs1(HashAlg::Sha224))),
        0x0303 => ("ecdsa_sha224", Some(ec(Curve::P256, HashAlg::Sha224))),
        0x0202 => ("dsa_sha1", None),
        0x0302 => ("dsa_sha224", None),
        0x0402 => ("dsa_sha256", None),
        0x0502 => ("dsa_sha384", None),
        0x0602 => ("dsa_sha512", None),
        _ => ("unknown scheme", None),
    }
}

/// The first byte of a HelloRetryRequest's random: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
const HRR: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

fn u16be(v: u16) -> [u8; 2] {
    v.to_be_bytes()
}

fn with_len16(body: &[u8]) -> Vec<u8> {
    let mut v = u16be(body.len() as u16).to_vec();
    v.extend_from_slice(body);
    v
}

fn ext(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut v = u16be(kind).to_vec();
    v.extend(with_len16(body));
    v
}

/// A ClientHello record offering `version` (for TLS 1.3: via supported_versions, with an empty
/// key share), `suites` and `groups`.
/// What a ClientHello offers.
#[derive(Clone, Copy)]
struct Hello<'a> {
    host: Option<&'a str>,
    version: u16,
    suites: &'a [u16],
    groups: &'a [u16],
    /// signature_algorithms (TLS 1.2 and later).
    schemes: &'a [u16],
}

impl<'a> Hello<'a> {
    fn new(host: Option<&'a str>, version: u16, suites: &'a [u16], groups: &'a [u16]) -> Self {
        Hello {
            host,
            version,
            suites,
            groups,
            schemes: &SIG_SCHEMES,
        }
    }
}

fn client_hello(h: &Hello<'_>) -> Vec<u8> {
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
struct Answer {
    /// The version it chose (from supported_versions for TLS 1.3).
    version: Option<u16>,
    /// The suite it chose.
    suite: Option<u16>,
    /// A HelloRetryRequest's group, or a TLS 1.2 ECDHE curve.
    group: Option<u16>,
    /// A TLS ≤ 1.2 DHE modulus size.
    dh_bits: Option<u32>,
    /// The ServerKeyExchange signature scheme (TLS 1.2).
    sig_scheme: Option<u16>,
    /// The certificate chain (TLS ≤ 1.2), leaf first.
    chain: Vec<Vec<u8>>,
    /// An alert's description, if it refused.
    alert: Option<u8>,
}

struct Conn {
    stream: TcpStream,
    deadline: Instant,
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

fn be24(b: &[u8]) -> usize {
    (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2])
}

/// Parses a ServerHello body into `a`.
fn server_hello(b: &[u8], a: &mut Answer) -> Option<()> {
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

fn server_key_exchange(b: &[u8], suite: u16, version: u16, a: &mut Answer) -> Option<()> {
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
fn ask(
    addr: &std::net::SocketAddr,
    hello: &Hello<'_>,
    full: bool,
    timeout: Duration,
) -> Result<Answer, Error> {
    let stream = TcpStream::connect_timeout(addr, timeout).map_err(Error::Io)?;
    stream.set_write_timeout(Some(timeout)).map_err(Error::Io)?;
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
fn absorb(hs: &mut Vec<u8>, a: &mut Answer, full: bool) -> bool {
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

fn component_findings(
    provider: &Provider,
    suite: &Suite,
    kx_alg: Option<Algorithm>,
) -> Vec<Finding> {
    let j = |a: &Algorithm| judge(provider.policy(), a, "cipher suite", provider.date());
    let mut v = Vec::new();
    match suite.enc {
        Aes(bits, mode) => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::Aes,
            key_bits: bits,
            mode: Some(mode),
        })),
        Camellia(bits, mode) => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::Camellia,
            key_bits: bits,
            mode: Some(mode),
        })),
        Aria(bits) => v.push(cryptrec::audit::not_listed(
            "cipher suite",
            &format!("ARIA-{bits}-GCM"),
            "ARIA (RFC 6209) is not on the CRYPTREC Ciphers List",
            false,
        )),
        ChaCha => v.push(j(&Algorithm::ChaCha20Poly1305)),
        TripleDes => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::TripleDes,
            key_bits: 168,
            mode: Some(Mode::Cbc),
        })),
        Des => v.push(j(&Algorithm::Cipher {
            cipher: BlockCipher::Des,
            key_bits: 56,
            mode: Some(Mode::Cbc),
        })),
        Rc4 => v.push(j(&Algorithm::Rc4)),
        Null => {
            let mut f = unknown("cipher suite", "no encryption (NULL)");
            f.severity = Severity::Critical;
            v.push(f);
        }
    }
    match suite.mac {
        Aead => {}
        Sha1 => v.push(j(&Algorithm::Hmac(HashAlg::Sha1))),
        Sha256 => v.push(j(&Algorithm::Hmac(HashAlg::Sha256))),
        Sha384 => v.push(j(&Algorithm::Hmac(HashAlg::Sha384))),
        Md5 => v.push(j(&Algorithm::Hmac(HashAlg::Md5))),
    }
    if let Some(k) = kx_alg {
        v.push(j(&k));
    }
    if matches!(suite.kx, DhAnon | EcdhAnon) {
        v.push(cryptrec::audit::not_listed(
            "cipher suite",
            "anonymous key exchange",
            "anonymous (EC)DH authenticates no server: anyone in the path can impersonate it (RFC 5246 §A.5, RFC 8422 §2.5 — never for general use)",
            true,
        ));
    }
    v
}

/// The suite's finding: the worst of its parts, named by the suite.
fn suite_finding(
    provider: &Provider,
    suite: &Suite,
    kx_alg: Option<Algorithm>,
    version: &str,
) -> Finding {
    let parts = component_findings(provider, suite, kx_alg);
    let worst = parts
        .iter()
        .max_by_key(|f| (f.refused, f.severity, u8::from(f.protect_until.is_some())))
        .cloned()
        .unwrap_or_else(|| unknown("cipher suite", suite.name));
    let mut f = worst;
    f.aspect = "cipher suite".into();
    f.note = Some(format!("{} 0x{:04X} ({version})", suite.name, suite.code));
    f
}

fn version_finding(code: u16, name: &str) -> Finding {
    let (status, severity, source) = match code {
        0x0300 => (
            Status::Refused,
            Severity::Critical,
            "RFC 7568 (2015): SSL 3.0 must not be used (POODLE, CVE-2014-3566)",
        ),
        0x0301 | 0x0302 => (
            Status::Refused,
            Severity::High,
            "RFC 8996 (2021): TLS 1.0 and TLS 1.1 are deprecated and must not be negotiated",
        ),
        _ => (
            Status::Permitted,
            Severity::Info,
            "RFC 8446 / RFC 5246: a current protocol version",
        ),
    };
    Finding {
        aspect: "protocol".into(),
        algorithm: name.to_string(),
        protect: status,
        process: status,
        protect_until: None,
        strength: 0,
        severity,
        refused: status == Status::Refused,
        sources: vec![source.into()],
        note: None,
    }
}

/// Probes `target` (`host:port`): versions, suites, groups, the signature scheme and the
/// chain. Returns the endpoint's artefact and its certificates.
pub fn probe(provider: &Provider, target: &str, timeout: Duration) -> Result<Vec<Artefact>, Error> {
    let (host, _) = target
        .rsplit_once(':')
        .ok_or(Error::InvalidInput("a TLS endpoint is HOST:PORT"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addr = target
        .to_socket_addrs()
        .map_err(Error::Io)?
        .next()
        .ok_or(Error::InvalidInput("the TLS endpoint does not resolve"))?;
    let sni = (host.parse::<std::net::IpAddr>().is_err()).then_some(host);
    // Is anything there?
    TcpStream::connect_timeout(&addr, timeout).map_err(Error::Io)?;
    let mut connections = 1;
    // Stopping at the connection bound leaves suites or groups unasked: never "ok" then.
    let mut truncated = false;
    let mut endpoint = Artefact::new(target, "TLS endpoint");
    endpoint.endpoint = Some(target.to_string());
    endpoint.name = Some(target.to_string());
    let mut chain: Vec<Vec<u8>> = Vec::new();
    let mut versions_found = Vec::new();
    for (code, name) in VERSIONS {
        let candidates: Vec<&Suite> = SUITES
            .iter()
            .filter(|s| {
                if code == 0x0304 {
                    s.kx == Tls13
                } else if code == 0x0303 {
                    s.kx != Tls13
                } else {
                    s.kx != Tls13 && !s.tls12
                }
            })
            .collect();
        let mut offered: Vec<u16> = candidates.iter().map(|s| s.code).collect();
        let mut accepted = Vec::new();
        while !offered.is_empty() {
            if connections >= MAX_CONNECTIONS {
                truncated = true;
                break;
            }
            connections += 1;
            // TLS <= 1.2: read every flight to its ServerKeyExchange, so the (EC)DHE group and
            // size of every accepted suite are judged, not only the first one's (a 1024-bit
            // DHE group behind a preferred ECDHE suite is LOGJAM-weak).
            let full = code != 0x0304 || chain.is_empty() || accepted.is_empty();
            let a = ask(
                &addr,
                &Hello::new(sni, code, &offered, &GROUPS),
                full,
                timeout,
            )?;
            let (Some(v), Some(suite)) = (a.version, a.suite) else {
                break;
            };
            if v != code || !offered.contains(&suite) {
                break;
            }
            if chain.is_empty() && !a.chain.is_empty() {
                chain = a.chain.clone();
            }
            accepted.push((suite, a));
            offered.retain(|c| *c != suite);
        }
        if accepted.is_empty() {
            continue;
        }
        versions_found.push(name);
        endpoint.findings.push(version_finding(code, name));
        for (code_s, a) in &accepted {
            let Some(suite) = SUITES.iter().find(|s| s.code == *code_s) else {
                continue;
            };
            let kx_alg = match suite.kx {
                Ecdhe | EcdhAnon => a.group.and_then(|g| group(g).1),
                Dhe | DhAnon => a.dh_bits.map(|bits| Algorithm::Dh { bits }),
                Rsa => leaf_rsa_bits(&chain).map(|bits| Algorithm::RsaPkcs1Encrypt { bits }),
                Tls13 => None,
            };
            if matches!(suite.kx, Dhe | DhAnon) {
                // The DHE group as its own finding, once per size and version, as the
                // reference scanners report it ("dh 1024").
                let f = match kx_alg {
                    Some(x) => {
                        let mut f =
                            judge(provider.policy(), &x, "key exchange group", provider.date());
                        f.note = Some(format!("DHE {x} ({name})"));
                        f
                    }
                    None => {
                        let mut f = unknown("key exchange group", "DHE group not read");
                        f.note = Some(format!(
                            "the server's DHE parameters were not read ({name})"
                        ));
                        f
                    }
                };
                if !endpoint
                    .findings
                    .iter()
                    .any(|g| g.aspect == f.aspect && g.note == f.note)
                {
                    endpoint.findings.push(f);
                }
            }
            endpoint
                .findings
                .push(suite_finding(provider, suite, kx_alg, name));
            if let Some(sch) = a.sig_scheme {
                scheme_finding(provider, &mut endpoint, sch, &chain);
            }
        }
        if code == 0x0303 {
            // Every signature scheme the server accepts, one offered at a time over its
            // (EC)DHE suites (whose ServerKeyExchange is signed): a server that would sign
            // with rsa_pkcs1_sha1 shows itself even when it prefers another.
            let kx: Vec<u16> = accepted
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| {
                    SUITES
                        .iter()
                        .any(|s| s.code == *c && matches!(s.kx, Ecdhe | Dhe))
                })
                .collect();
            for sch in if kx.is_empty() {
                &[][..]
            } else {
                &SIG_SCHEMES_12[..]
            } {
                if connections >= MAX_CONNECTIONS {
                    truncated = true;
                    break;
                }
                connections += 1;
                let hello = Hello {
                    schemes: std::slice::from_ref(sch),
                    ..Hello::new(sni, code, &kx, &GROUPS)
                };
                if ask(&addr, &hello, true, timeout)?.sig_scheme == Some(*sch) {
                    scheme_finding(provider, &mut endpoint, *sch, &chain);
                }
            }
        }
        if code == 0x0303 || code == 0x0304 {
            // Key-exchange groups, one offered at a time (TLS 1.3: by HelloRetryRequest).
            let suites: Vec<u16> = candidates.iter().map(|s| s.code).collect();
            let groups: &[u16] = if code == 0x0304 { &GROUPS } else { &GROUPS_12 };
            for &g in groups {
                if connections >= MAX_CONNECTIONS {
                    truncated = true;
                    break;
                }
                connections += 1;
                let a = ask(&addr, &Hello::new(sni, code, &suites, &[g]), false, timeout)?;
                let chosen = if code == 0x0304 {
                    a.group
                } else {
                    // TLS 1.2: the group shows in the ServerKeyExchange; read on.
                    connections += 1;
                    ask(
                        &addr,
                        &Hello::new(sni, code, &ecdhe_and_dhe(&suites), &[g]),
                        true,
                        timeout,
                    )?
                    .group
                };
                if chosen == Some(g) {
                    let (gname, _) = group(g);
                    let label = format!("{gname} ({name})");
                    if endpoint.findings.iter().any(|f| {
                        f.aspect == "key exchange group" && f.note.as_deref() == Some(&label)
                    }) {
                        continue;
                    }
                    let mut f = group_finding(provider, g);
                    f.note = Some(match f.note {
                        Some(n) => format!("{label}; {n}"),
                        None => label,
                    });
                    endpoint.findings.push(f);
                }
            }
        }
    }
    if truncated {
        endpoint.not_judged = Some(format!(
            "the probe stopped at its bound of {MAX_CONNECTIONS} connections before every suite and group was asked"
        ));
    }
    if versions_found.is_empty() {
        return Err(Error::Malformed(format!(
            "{target}: no TLS or SSL version was accepted (not a TLS server?)"
        )));
    }
    if chain.is_empty() {
        chain = tls13_chain(target, sni, timeout).unwrap_or_default();
    }
    endpoint.public_key = chain
        .first()
        .and_then(|d| Certificate::from_der(d).ok())
        .and_then(|c| c.public_key.ok())
        .map(|k| k.kind().to_string());
    let mut out = vec![endpoint];
    for (i, der) in chain.iter().enumerate() {
        if let Ok(c) = Certificate::from_der(der) {
            let mut a = super::certificate(provider, target, Some(i + 1), &c);
            a.endpoint = Some(target.to_string());
            out.push(a);
        }
    }
    Ok(out)
}

/// Adds the finding on a signature scheme the server signed with, once.
fn scheme_finding(provider: &Provider, endpoint: &mut Artefact, sch: u16, chain: &[Vec<u8>]) {
    let (sname, alg) = scheme(sch);
    if endpoint
        .findings
        .iter()
        .any(|f| f.aspect == "signature scheme" && f.note.as_deref() == Some(sname))
    {
        return;
    }
    let mut f = match alg.map(|x| with_leaf_bits(x, chain)) {
        Some(x) => judge(provider.policy(), &x, "signature scheme", provider.date()),
        None => unknown("signature scheme", sname),
    };
    f.note = Some(sname.to_string());
    endpoint.findings.push(f);
}

fn ecdhe_and_dhe(suites: &[u16]) -> Vec<u16> {
    suites
        .iter()
        .copied()
        .filter(|c| SUITES.iter().any(|s| s.code == *c && s.kx == Ecdhe))
        .collect()
}

fn leaf_rsa_bits(chain: &[Vec<u8>]) -> Option<u32> {
    let c = Certificate::from_der(chain.first()?).ok()?;
    match c.public_key.ok()?.kind() {
        crate::keys::KeyKind::Rsa { bits } => Some(bits),
        _ => None,
    }
}

fn with_leaf_bits(alg: Algorithm, chain: &[Vec<u8>]) -> Algorithm {
    match alg {
        Algorithm::RsaPss { hash, .. } => Algorithm::RsaPss {
            bits: leaf_rsa_bits(chain).unwrap_or(2048),
            hash,
        },
        Algorithm::RsaPkcs1Sign { hash, .. } => Algorithm::RsaPkcs1Sign {
            bits: leaf_rsa_bits(chain).unwrap_or(2048),
            hash,
        },
        other => other,
    }
}

/// The chain of a TLS 1.3-only server, from a rustls handshake whose verifier only records it.
fn tls13_chain(target: &str, sni: Option<&str>, timeout: Duration) -> Option<Vec<Vec<u8>>> {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use std::sync::{Arc, Mutex};

    #[derive(Debug)]
    struct Recorder(Mutex<Vec<Vec<u8>>>, Arc<rustls::crypto::CryptoProvider>);
    impl ServerCertVerifier for Recorder {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if let Ok(mut v) = self.0.lock() {
                v.push(end_entity.to_vec());
                v.extend(intermediates.iter().map(|c| c.to_vec()));
            }
            // Record only: the audit judges the chain, and no data is sent.
            Err(rustls::Error::General("recorded".into()))
        }
        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(rustls::Error::General("recorded".into()))
        }
        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &rustls::DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(rustls::Error::General("recorded".into()))
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.1.signature_verification_algorithms.supported_schemes()
        }
    }

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(Recorder(Mutex::new(Vec::new()), provider.clone()));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(sni.unwrap_or("localhost").to_string()).ok()?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
    let addr = target.to_socket_addrs().ok()?.next()?;
    let mut sock = TcpStream::connect_timeout(&addr, timeout).ok()?;
    sock.set_read_timeout(Some(timeout)).ok()?;
    sock.set_write_timeout(Some(timeout)).ok()?;
    let deadline = Instant::now() + timeout;
    while conn.is_handshaking() && Instant::now() < deadline {
        if conn.complete_io(&mut sock).is_err() {
            break;
        }
    }
    let v = recorder.0.lock().ok()?.clone();
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hellos_are_well_formed_records() {
        for (v, _) in VERSIONS {
            let r = client_hello(&Hello::new(
                Some("example.jp"),
                v,
                &[0x1301, 0xC02F],
                &GROUPS,
            ));
            assert_eq!(r[0], 0x16);
            assert_eq!(usize::from(u16::from_be_bytes([r[3], r[4]])), r.len() - 5);
            assert_eq!(r[5], 1, "a ClientHello");
            assert_eq!(be24(&r[6..9]), r.len() - 9);
        }
    }

    #[test]
    fn a_hello_retry_request_gives_version_suite_and_group() {
        let mut b = u16be(0x0303).to_vec();
        b.extend_from_slice(&HRR);
        b.push(0);
        b.extend(u16be(0x1302));
        b.push(0);
        let mut exts = ext(0x002b, &[0x03, 0x04]);
        exts.extend(ext(0x0033, &u16be(24)));
        b.extend(with_len16(&exts));
        let mut a = Answer::default();
        assert!(server_hello(&b, &mut a).is_some());
        assert_eq!(
            (a.version, a.suite, a.group),
            (Some(0x0304), Some(0x1302), Some(24))
        );
    }

    #[test]
    fn a_tls12_flight_gives_version_suite_curve_and_chain() {
        let mut sh = u16be(0x0303).to_vec();
        sh.extend_from_slice(&[1u8; 32]);
        sh.push(0);
        sh.extend(u16be(0xC02F));
        sh.push(0);
        let msg = |kind: u8, body: &[u8]| {
            let mut m = vec![kind];
            m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
            m.extend_from_slice(body);
            m
        };
        let cert = vec![0x30u8, 0x03, 1, 2, 3];
        let mut certs = (cert.len() as u32).to_be_bytes()[1..].to_vec();
        certs.extend(&cert);
        let mut cmsg = ((certs.len()) as u32).to_be_bytes()[1..].to_vec();
        cmsg.extend(certs);
        let mut ske = vec![3u8];
        ske.extend(u16be(24));
        ske.push(1);
        ske.push(4);
        ske.extend(u16be(0x0804));
        let mut hs = msg(2, &sh);
        hs.extend(msg(11, &cmsg));
        hs.extend(msg(12, &ske));
        hs.extend(msg(14, &[]));
        let mut rec = vec![0x16, 3, 3];
        rec.extend(with_len16(&hs));
        assert_eq!(
            parse_flight(&rec),
            (Some(0x0303), Some(0xC02F), Some(24), 1)
        );
        // Cut anywhere: no panic, and never more than was there.
        for cut in 0..rec.len() {
            let (_, _, _, n) = parse_flight(&rec[..cut]);
            assert!(n <= 1);
        }
    }

    #[test]
    fn groups_are_judged_hybrids_by_the_weaker_half() {
        let provider = Provider::egov()
            .unwrap_or_else(|e| panic!("{e}"))
            .at_date(time::macros::date!(2026 - 12 - 01));
        let f = |g| group_finding(&provider, g);
        assert_eq!(f(259).algorithm, "dh-6144");
        assert_eq!(f(260).algorithm, "dh-8192");
        assert!(!f(0x11ED).refused, "P-384 + ML-KEM-1024: {:?}", f(0x11ED));
        // X25519 is not named by the list: the hybrid is refused for its classical half.
        let x = f(0x11EC);
        assert!(
            x.refused && x.note.as_deref().is_some_and(|n| n.contains("x25519")),
            "{x:?}"
        );
        let k1 = f(22);
        assert!(k1.refused && k1.algorithm == "secp256k1", "{k1:?}");
        for g in GROUPS.iter().chain(&GROUPS_12) {
            assert_ne!(group(*g).0, "unknown group", "{g}");
            assert_ne!(group(*g).0, "", "{g}");
        }
    }

    #[test]
    fn every_suite_code_is_unique_and_named() {
        let mut codes: Vec<u16> = SUITES.iter().map(|s| s.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), SUITES.len());
        assert!(SUITES.iter().all(|s| s.name.starts_with("TLS_")));
    }
}
