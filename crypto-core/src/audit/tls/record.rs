//! What a probe saw at a TLS endpoint, as data: protocol versions, cipher suites with the key
//! exchange each was used with, groups and signature schemes — the `tls` object of an
//! endpoint's JSON (`docs/AUDIT.md`), which the comparison with sslscan and nmap reads.

use serde::Serialize;

/// Everything the server was seen to accept.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Enumeration {
    /// Accepted versions, newest first (`TLS 1.3` … `SSL 3.0`, `SSL 2.0`).
    pub protocols: Vec<String>,
    /// Accepted cipher suites (SSL 2.0 cipher specs too), by version.
    pub suites: Vec<SuiteSeen>,
    /// Key-exchange groups the server chose when offered alone, by version (TLS 1.2, 1.3).
    pub groups: Vec<Seen>,
    /// Signature schemes the server accepted when offered alone, by version (TLS 1.2, 1.3).
    pub signature_schemes: Vec<Seen>,
    /// Connections the probe made.
    pub connections: usize,
}

/// One accepted cipher suite and the key exchange the server used with it.
#[derive(Clone, Debug, Serialize)]
pub struct SuiteSeen {
    /// `TLS 1.2`, `SSL 2.0`, …
    pub version: String,
    /// `0xC02F` (SSL 2.0: `0x0700C0`).
    pub code: String,
    /// The IANA name (SSL 2.0: `SSL_CK_…`).
    pub name: String,
    /// The ECDHE group of its ServerKeyExchange (TLS ≤ 1.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The DHE modulus size of its ServerKeyExchange (TLS ≤ 1.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dh_bits: Option<u32>,
    /// The certificate's RSA size, for RSA key transport.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsa_bits: Option<u32>,
}

/// A group or signature scheme accepted in a version.
#[derive(Clone, Debug, Serialize)]
pub struct Seen {
    /// `TLS 1.2` or `TLS 1.3`.
    pub version: String,
    /// `0x0017`.
    pub code: String,
    /// `secp256r1`, `rsa_pss_rsae_sha256`.
    pub name: String,
}

impl Seen {
    pub(super) fn new(version: &str, code: u16, name: &str) -> Seen {
        Seen {
            version: version.to_string(),
            code: format!("0x{code:04X}"),
            name: name.to_string(),
        }
    }
}
