//! The IANA registries a probe asks from: cipher suites (every assigned code, with what each is
//! made of), protocol versions, named groups and signature schemes, the SSL 2.0 cipher specs,
//! and the algorithm of the CRYPTREC list each stands for.

use std::sync::LazyLock;

use cryptrec::{Algorithm, Curve, HashAlg, Mode, Montgomery};

/// How the premaster secret is established.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kx {
    /// TLS_NULL_WITH_NULL_NULL: none at all.
    Null,
    /// RSA key transport (RSAES-PKCS1-v1_5 to the certificate's key).
    Rsa,
    /// Static DH from the certificate (DH_DSS, DH_RSA).
    Dh,
    /// Ephemeral DH (DHE_*, DH_anon).
    Dhe,
    /// Static ECDH from the certificate (ECDH_ECDSA, ECDH_RSA).
    Ecdh,
    /// Ephemeral ECDH (ECDHE_*, ECDH_anon).
    Ecdhe,
    /// A pre-shared key alone (RFC 4279).
    Psk,
    /// DHE with a pre-shared key.
    DhePsk,
    /// ECDHE with a pre-shared key (RFC 5489).
    EcdhePsk,
    /// RSA key transport with a pre-shared key.
    RsaPsk,
    /// SRP (RFC 5054).
    Srp,
    /// Kerberos (RFC 2712).
    Krb5,
    /// Password-authenticated ECC (RFC 8492).
    EccPwd,
    /// GOST R 34.10 (RFC 9189 and the drafts before it).
    Gost,
    /// TLS 1.3: the group is negotiated separately.
    Tls13,
}

/// How the server is authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Auth {
    /// Not at all.
    Null,
    /// By an RSA certificate.
    Rsa,
    /// By a DSA certificate.
    Dss,
    /// By an ECDSA certificate.
    Ecdsa,
    /// Not at all: DH_anon, ECDH_anon.
    Anon,
    /// By the pre-shared key.
    Psk,
    /// By the SRP verifier.
    Srp,
    /// By Kerberos.
    Krb5,
    /// By the password.
    Pwd,
    /// By a GOST R 34.10 certificate.
    Gost,
    /// TLS 1.3: by the certificate, with a separately negotiated signature scheme.
    Tls13,
}

/// The record protection's cipher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Enc {
    Aes(u16, Mode),
    Camellia(u16, Mode),
    /// ARIA (RFC 6209), not on the list.
    Aria(u16, Mode),
    ChaCha,
    TripleDes,
    /// DES with its effective key bits (56, or 40 for export).
    Des(u16),
    /// RC4 with its effective key bits (128, or 40 for export).
    Rc4(u16),
    /// RC2-CBC with its effective key bits (40, export only).
    Rc2(u16),
    Idea,
    Seed,
    /// SM4 (RFC 8998).
    Sm4(Mode),
    /// AEGIS-256 or AEGIS-128L (key bits).
    Aegis(u16),
    /// GOST R 34.12-2015 Kuznyechik (128-bit block).
    Kuznyechik,
    /// GOST R 34.12-2015 Magma (64-bit block).
    Magma,
    /// GOST 28147-89.
    Gost89,
    Null,
}

/// The record MAC (`Aead` when the cipher authenticates).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mac {
    Aead,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    /// GOST 28147-89 IMIT, OMAC over Kuznyechik/Magma, or HMAC-GOST R 34.11.
    Gost,
    /// TLS_NULL_WITH_NULL_NULL.
    Null,
}

/// A cipher suite kagi probes: IANA code and name, and what it is built from.
#[derive(Clone, Copy, Debug)]
pub struct Suite {
    /// The IANA code.
    pub code: u16,
    /// The IANA name (for the GOST codes outside the registry, the draft's name).
    pub name: &'static str,
    pub(super) kx: Kx,
    pub(super) auth: Auth,
    pub(super) enc: Enc,
    pub(super) mac: Mac,
    /// A TLS 1.3 suite (offered only in TLS 1.3; every other suite is offered in SSL 3.0 to
    /// TLS 1.2, and the server decides).
    pub(super) tls13: bool,
    /// An export suite (40-bit cipher keys, 512-bit key exchange).
    pub(super) export: bool,
}

pub(super) use Enc::*;
pub(super) use Kx::*;

/// Every cipher suite probed, in code order: the IANA TLS Cipher Suites registry
/// (tls-parameters-4, every assigned code but the two signalling values
/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV and TLS_FALLBACK_SCSV), then the GOST codes of
/// draft-chudov-cryptopro-cptls and OpenSSL's GOST engine, which servers deploy outside it.
pub static SUITES: LazyLock<Vec<Suite>> = LazyLock::new(|| {
    IANA.iter()
        .chain(GOST_UNREGISTERED)
        .filter_map(|&(code, name)| parts(code, name))
        .collect()
});

/// The suite with this code.
pub(super) fn suite(code: u16) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.code == code)
}

/// Cuts a suite's name into what it is made of (`TLS_<kx>_WITH_<cipher>_<mac>`, or the TLS 1.3
/// `TLS_<aead>_<hash>`); `None` for a name of another form (a unit test requires every entry
/// to parse).
fn parts(code: u16, name: &'static str) -> Option<Suite> {
    let rest = name.strip_prefix("TLS_")?;
    let gost13 = (0xC103..=0xC106).contains(&code);
    let (kx_name, cipher) = match rest.split_once("_WITH_") {
        Some((k, c)) => (k, c),
        None => ("", rest),
    };
    let (kx, auth, export) = match kx_name {
        "" => (Tls13, Auth::Tls13, false),
        "NULL" => (Kx::Null, Auth::Null, false),
        "RSA" => (Rsa, Auth::Rsa, false),
        "RSA_EXPORT" => (Rsa, Auth::Rsa, true),
        "DH_DSS" => (Dh, Auth::Dss, false),
        "DH_DSS_EXPORT" => (Dh, Auth::Dss, true),
        "DH_RSA" => (Dh, Auth::Rsa, false),
        "DH_RSA_EXPORT" => (Dh, Auth::Rsa, true),
        "DHE_DSS" => (Dhe, Auth::Dss, false),
        "DHE_DSS_EXPORT" => (Dhe, Auth::Dss, true),
        "DHE_RSA" => (Dhe, Auth::Rsa, false),
        "DHE_RSA_EXPORT" => (Dhe, Auth::Rsa, true),
        "DH_anon" => (Dhe, Auth::Anon, false),
        "DH_anon_EXPORT" => (Dhe, Auth::Anon, true),
        "KRB5" => (Krb5, Auth::Krb5, false),
        "KRB5_EXPORT" => (Krb5, Auth::Krb5, true),
        "PSK" => (Psk, Auth::Psk, false),
        "DHE_PSK" | "PSK_DHE" => (DhePsk, Auth::Psk, false),
        "RSA_PSK" => (RsaPsk, Auth::Rsa, false),
        "ECDHE_PSK" => (EcdhePsk, Auth::Psk, false),
        "ECDH_ECDSA" => (Ecdh, Auth::Ecdsa, false),
        "ECDHE_ECDSA" => (Ecdhe, Auth::Ecdsa, false),
        "ECDH_RSA" => (Ecdh, Auth::Rsa, false),
        "ECDHE_RSA" => (Ecdhe, Auth::Rsa, false),
        "ECDH_anon" => (Ecdhe, Auth::Anon, false),
        "SRP_SHA" => (Srp, Auth::Srp, false),
        "SRP_SHA_RSA" => (Srp, Auth::Rsa, false),
        "SRP_SHA_DSS" => (Srp, Auth::Dss, false),
        "ECCPWD" => (EccPwd, Auth::Pwd, false),
        "GOSTR341112_256" if gost13 => (Tls13, Auth::Tls13, false),
        "GOSTR341112_256" | "GOSTR341001" | "GOSTR341094" => (Gost, Auth::Gost, false),
        _ => return None,
    };
    let t: Vec<&str> = cipher.split('_').collect();
    let bits = |s: &str| s.parse::<u16>().ok();
    let mode = |s: &str| match s {
        "CBC" => Some(Mode::Cbc),
        "GCM" => Some(Mode::Gcm),
        "CCM" => Some(Mode::Ccm),
        _ => None,
    };
    // The cipher and how many tokens it took.
    let (enc, used) = match t.as_slice() {
        ["NULL", ..] => (Enc::Null, 1),
        ["RC4", b, ..] => (Rc4(bits(b)?), 2),
        ["RC2", "CBC", b, ..] => (Rc2(bits(b)?), 3),
        ["IDEA", "CBC", ..] => (Idea, 2),
        ["DES40", "CBC", ..] => (Des(40), 2),
        ["DES", "CBC", "40", ..] => (Des(40), 3),
        ["DES", "CBC", ..] => (Des(56), 2),
        ["3DES", "EDE", "CBC", ..] => (TripleDes, 3),
        ["SEED", "CBC", ..] => (Seed, 2),
        ["CHACHA20", "POLY1305", ..] => (ChaCha, 2),
        ["AES", b, m, "8", ..] if *m == "CCM" => (Aes(bits(b)?, Mode::Ccm), 4),
        ["AES", b, m, ..] => (Aes(bits(b)?, mode(m)?), 3),
        ["CAMELLIA", b, m, ..] => (Camellia(bits(b)?, mode(m)?), 3),
        ["ARIA", b, m, ..] => (Aria(bits(b)?, mode(m)?), 3),
        ["SM4", m, ..] => (Sm4(mode(m)?), 2),
        ["AEGIS", "256", ..] => (Aegis(256), 2),
        ["AEGIS", "128L", ..] => (Aegis(128), 2),
        ["KUZNYECHIK", "CTR" | "MGM", ..] => (Kuznyechik, 2),
        ["MAGMA", "CTR" | "MGM", ..] => (Magma, 2),
        ["28147", "CNT", ..] => (Gost89, 2),
        // RFC 9150: integrity only, the first hash names the HMAC.
        ["SHA256", ..] => (Enc::Null, 0),
        ["SHA384", ..] => (Enc::Null, 0),
        _ => return None,
    };
    let aead = matches!(
        enc,
        Aes(_, Mode::Gcm | Mode::Ccm)
            | Camellia(_, Mode::Gcm)
            | Aria(_, Mode::Gcm)
            | ChaCha
            | Sm4(_)
            | Aegis(_)
    ) || gost13;
    let mac = match (aead, &t[used..]) {
        (true, _) => Mac::Aead,
        (false, ["MD5"]) => Mac::Md5,
        (false, ["SHA"]) => Mac::Sha1,
        (false, ["SHA256", ..]) => Mac::Sha256,
        (false, ["SHA384", ..]) => Mac::Sha384,
        (false, ["OMAC"] | ["IMIT"] | ["GOSTR3411"]) => Mac::Gost,
        (false, ["NULL"]) if kx == Kx::Null => Mac::Null,
        _ => return None,
    };
    // RFC 9150's integrity-only suites are TLS 1.3 suites too.
    let tls13 = kx == Tls13 || (0xC0B4..=0xC0B5).contains(&code);
    let (kx, auth) = if tls13 {
        (Tls13, Auth::Tls13)
    } else {
        (kx, auth)
    };
    Some(Suite {
        code,
        name,
        kx,
        auth,
        enc,
        mac,
        tls13,
        export,
    })
}

/// GOST suites servers deploy under codes outside the IANA registry
/// (draft-chudov-cryptopro-cptls-04; OpenSSL's GOST engine).
pub(super) const GOST_UNREGISTERED: &[(u16, &str)] = &[
    (0x0080, "TLS_GOSTR341094_WITH_28147_CNT_IMIT"),
    (0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT"),
    (0x0082, "TLS_GOSTR341094_WITH_NULL_GOSTR3411"),
    (0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411"),
    (0xFF85, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT"),
    (0xFF87, "TLS_GOSTR341112_256_WITH_NULL_GOSTR3411"),
];

/// The IANA TLS Cipher Suites registry: every assigned code and its name.
#[rustfmt::skip]
pub(super) const IANA: &[(u16, &str)] = &[
    (0x0000, "TLS_NULL_WITH_NULL_NULL"),
    (0x0001, "TLS_RSA_WITH_NULL_MD5"),
    (0x0002, "TLS_RSA_WITH_NULL_SHA"),
    (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
    (0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"),
    (0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"),
    (0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0009, "TLS_RSA_WITH_DES_CBC_SHA"),
    (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"),
    (0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA"),
    (0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"),
    (0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA"),
    (0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"),
    (0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"),
    (0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"),
    (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"),
    (0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"),
    (0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"),
    (0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA"),
    (0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"),
    (0x001E, "TLS_KRB5_WITH_DES_CBC_SHA"),
    (0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA"),
    (0x0020, "TLS_KRB5_WITH_RC4_128_SHA"),
    (0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA"),
    (0x0022, "TLS_KRB5_WITH_DES_CBC_MD5"),
    (0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5"),
    (0x0024, "TLS_KRB5_WITH_RC4_128_MD5"),
    (0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5"),
    (0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA"),
    (0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA"),
    (0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA"),
    (0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5"),
    (0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5"),
    (0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5"),
    (0x002C, "TLS_PSK_WITH_NULL_SHA"),
    (0x002D, "TLS_DHE_PSK_WITH_NULL_SHA"),
    (0x002E, "TLS_RSA_PSK_WITH_NULL_SHA"),
    (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
    (0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA"),
    (0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA"),
    (0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"),
    (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    (0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
    (0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA"),
    (0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA"),
    (0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"),
    (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    (0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"),
    (0x003B, "TLS_RSA_WITH_NULL_SHA256"),
    (0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
    (0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
    (0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256"),
    (0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256"),
    (0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"),
    (0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    (0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA"),
    (0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    (0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"),
    (0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    (0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"),
    (0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
    (0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256"),
    (0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256"),
    (0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"),
    (0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
    (0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"),
    (0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"),
    (0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    (0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA"),
    (0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    (0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"),
    (0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    (0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"),
    (0x008A, "TLS_PSK_WITH_RC4_128_SHA"),
    (0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA"),
    (0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA"),
    (0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA"),
    (0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA"),
    (0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA"),
    (0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"),
    (0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"),
    (0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA"),
    (0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA"),
    (0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA"),
    (0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA"),
    (0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"),
    (0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA"),
    (0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA"),
    (0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA"),
    (0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA"),
    (0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA"),
    (0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
    (0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
    (0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    (0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    (0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"),
    (0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384"),
    (0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"),
    (0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"),
    (0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256"),
    (0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384"),
    (0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"),
    (0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"),
    (0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256"),
    (0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384"),
    (0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"),
    (0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"),
    (0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"),
    (0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"),
    (0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256"),
    (0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384"),
    (0x00B0, "TLS_PSK_WITH_NULL_SHA256"),
    (0x00B1, "TLS_PSK_WITH_NULL_SHA384"),
    (0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"),
    (0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"),
    (0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256"),
    (0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384"),
    (0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"),
    (0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"),
    (0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256"),
    (0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384"),
    (0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    (0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256"),
    (0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    (0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"),
    (0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    (0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"),
    (0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
    (0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256"),
    (0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
    (0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"),
    (0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
    (0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"),
    (0x00C6, "TLS_SM4_GCM_SM3"),
    (0x00C7, "TLS_SM4_CCM_SM3"),
    (0x1301, "TLS_AES_128_GCM_SHA256"),
    (0x1302, "TLS_AES_256_GCM_SHA384"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    (0x1304, "TLS_AES_128_CCM_SHA256"),
    (0x1305, "TLS_AES_128_CCM_8_SHA256"),
    (0x1306, "TLS_AEGIS_256_SHA384"),
    (0x1307, "TLS_AEGIS_128L_SHA256"),
    (0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA"),
    (0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"),
    (0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"),
    (0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"),
    (0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"),
    (0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"),
    (0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    (0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    (0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA"),
    (0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"),
    (0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"),
    (0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"),
    (0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"),
    (0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
    (0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    (0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    (0xC015, "TLS_ECDH_anon_WITH_NULL_SHA"),
    (0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA"),
    (0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"),
    (0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"),
    (0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"),
    (0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA"),
    (0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA"),
    (0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"),
    (0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"),
    (0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"),
    (0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA"),
    (0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"),
    (0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"),
    (0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
    (0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
    (0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"),
    (0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384"),
    (0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    (0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    (0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256"),
    (0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384"),
    (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    (0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    (0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"),
    (0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384"),
    (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    (0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    (0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"),
    (0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384"),
    (0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA"),
    (0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA"),
    (0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"),
    (0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"),
    (0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"),
    (0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"),
    (0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA"),
    (0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256"),
    (0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384"),
    (0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256"),
    (0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384"),
    (0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256"),
    (0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384"),
    (0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256"),
    (0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384"),
    (0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256"),
    (0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384"),
    (0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256"),
    (0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384"),
    (0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256"),
    (0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384"),
    (0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256"),
    (0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384"),
    (0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256"),
    (0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384"),
    (0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256"),
    (0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384"),
    (0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256"),
    (0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384"),
    (0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"),
    (0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"),
    (0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"),
    (0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"),
    (0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256"),
    (0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384"),
    (0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"),
    (0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"),
    (0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256"),
    (0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384"),
    (0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256"),
    (0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384"),
    (0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"),
    (0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"),
    (0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256"),
    (0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384"),
    (0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"),
    (0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"),
    (0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256"),
    (0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384"),
    (0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256"),
    (0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384"),
    (0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256"),
    (0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384"),
    (0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256"),
    (0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384"),
    (0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256"),
    (0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384"),
    (0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256"),
    (0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384"),
    (0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256"),
    (0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384"),
    (0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256"),
    (0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384"),
    (0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256"),
    (0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384"),
    (0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    (0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    (0xC09C, "TLS_RSA_WITH_AES_128_CCM"),
    (0xC09D, "TLS_RSA_WITH_AES_256_CCM"),
    (0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM"),
    (0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM"),
    (0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8"),
    (0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8"),
    (0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"),
    (0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"),
    (0xC0A4, "TLS_PSK_WITH_AES_128_CCM"),
    (0xC0A5, "TLS_PSK_WITH_AES_256_CCM"),
    (0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM"),
    (0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM"),
    (0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8"),
    (0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8"),
    (0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8"),
    (0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8"),
    (0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"),
    (0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"),
    (0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"),
    (0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"),
    (0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256"),
    (0xC0B1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384"),
    (0xC0B2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256"),
    (0xC0B3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384"),
    (0xC0B4, "TLS_SHA256_SHA256"),
    (0xC0B5, "TLS_SHA384_SHA384"),
    (0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC"),
    (0xC101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC"),
    (0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT"),
    (0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L"),
    (0xC104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L"),
    (0xC105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S"),
    (0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S"),
    (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    (0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    (0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    (0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    (0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    (0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    (0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    (0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"),
    (0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384"),
    (0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"),
    (0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"),
];

/// Protocol versions, newest first.
pub(super) const VERSIONS: [(u16, &str); 5] = [
    (0x0304, "TLS 1.3"),
    (0x0303, "TLS 1.2"),
    (0x0302, "TLS 1.1"),
    (0x0301, "TLS 1.0"),
    (0x0300, "SSL 3.0"),
];

/// Named groups (IANA TLS Supported Groups): code, name, and the algorithm to judge (`None`
/// for a group the list does not name; hybrids are judged by [`group_finding`]).
pub(super) fn group(code: u16) -> (&'static str, Option<Algorithm>) {
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
pub(super) fn hybrid(code: u16) -> Option<[Algorithm; 2]> {
    Some(match code {
        0x11EB => [Algorithm::Ecdh(Curve::P256), Algorithm::MlKem(768)],
        0x11EC => [Algorithm::Xdh(Montgomery::X25519), Algorithm::MlKem(768)],
        0x11ED => [Algorithm::Ecdh(Curve::P384), Algorithm::MlKem(1024)],
        _ => return None,
    })
}

/// Groups asked in TLS 1.3 (HelloRetryRequest names the one chosen, without a key share).
pub(super) const GROUPS: [u16; 30] = [
    23, 24, 25, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 256, 257, 258, 259, 260, 512,
    513, 514, 0x11EB, 0x11EC, 0x11ED, 22, 26, 27,
];

/// Groups asked in TLS 1.0–1.2 ECDHE (RFC 8422; the ServerKeyExchange names the curve).
pub(super) const GROUPS_12: [u16; 32] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    27, 28, 29, 30, 0xFF01, 0xFF02,
];

/// signature_algorithms offered: what clients commonly send, SHA-1 included so a server that
/// only signs with SHA-1 shows itself.
pub(super) const SIG_SCHEMES: [u16; 12] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0201, 0x0203,
];

/// Every TLS 1.2 signature scheme asked one at a time (IANA TLS SignatureScheme, and the
/// hash/signature pairs of RFC 5246 §7.4.1.4.1 still met: MD5, SHA-224, DSA).
pub(super) const SIG_SCHEMES_12: [u16; 24] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601,
    0x0807, 0x0808, 0x0201, 0x0203, 0x0101, 0x0301, 0x0303, 0x0202, 0x0302, 0x0402, 0x0502, 0x0602,
];

/// Every signature scheme asked one at a time in TLS 1.3: those RFC 8446 and later allow in a
/// CertificateVerify (ECDSA, RSA-PSS, EdDSA, brainpool, ML-DSA, SM2, GOST), then the
/// PKCS#1 and SHA-1 schemes it forbids there, so a server that would still sign with them
/// shows itself.
pub(super) const SIG_SCHEMES_13: [u16; 31] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x0807, 0x0808, 0x081A,
    0x081B, 0x081C, 0x0904, 0x0905, 0x0906, 0x0708, 0x0709, 0x070A, 0x070B, 0x070C, 0x070D, 0x070E,
    0x070F, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203, 0x0101,
];

/// A signature scheme no server supports (a private-use code of RFC 8446 §4.2.3): a TLS 1.3
/// server that answers a ClientHello offering only this does not honour signature_algorithms,
/// and its schemes cannot be told by asking.
pub(super) const SIG_SCHEME_CONTROL: u16 = 0xFEFE;

/// SSL 2.0 cipher specs (draft-hickman-netscape-ssl-00, and the RC4-64 and NULL codes
/// deployed): code, name, and the finding's algorithm words.
pub(super) const SSL2_CIPHERS: [(u32, &str); 9] = [
    (0x010080, "SSL_CK_RC4_128_WITH_MD5"),
    (0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"),
    (0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"),
    (0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"),
    (0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"),
    (0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"),
    (0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"),
    (0x080080, "SSL_CK_RC4_64_WITH_MD5"),
    (0x000000, "SSL_CK_NULL_WITH_MD5"),
];

pub(super) fn scheme(code: u16) -> (&'static str, Option<Algorithm>) {
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
        0x081A => ("ecdsa_brainpoolP256r1tls13_sha256", None),
        0x081B => ("ecdsa_brainpoolP384r1tls13_sha384", None),
        0x081C => ("ecdsa_brainpoolP512r1tls13_sha512", None),
        0x0904 => ("mldsa44", None),
        0x0905 => ("mldsa65", None),
        0x0906 => ("mldsa87", None),
        0x0708 => ("sm2sig_sm3", None),
        0x0709 => ("gostr34102012_256a", None),
        0x070A => ("gostr34102012_256b", None),
        0x070B => ("gostr34102012_256c", None),
        0x070C => ("gostr34102012_256d", None),
        0x070D => ("gostr34102012_512a", None),
        0x070E => ("gostr34102012_512b", None),
        0x070F => ("gostr34102012_512c", None),
        _ => ("unknown scheme", None),
    }
}
