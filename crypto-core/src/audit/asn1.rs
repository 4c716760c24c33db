//! What an artefact names, read from its DER alone: key types and sizes, password-based
//! encryption schemes, signature and hash OIDs. The audit judges these names from the policy
//! data, so a key or scheme crypto-core does not implement (DSA, Ed448, RSA-PSS keys, Camellia
//! key protection) is still judged, and one the list does not name is refused with the reason.
//!
//! A small DER walker of its own: the audit must name what the typed parsers refuse
//! (a certificate with a malformed time still has a key and a signature algorithm).

use cryptrec::oid::SignatureOid;
use cryptrec::{Algorithm, BlockCipher, Curve, Edwards, HashAlg, Mode, Montgomery};

/// One DER element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (low-tag-number form only).
    pub tag: u8,
    /// The contents.
    pub body: &'a [u8],
    /// The whole encoding.
    pub raw: &'a [u8],
}

pub(crate) const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;

/// Reads one element off the front of `b`.
pub(crate) fn next<'a>(b: &mut &'a [u8]) -> Option<Tlv<'a>> {
    let all = *b;
    let tag = *all.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let l0 = *all.get(1)?;
    let (len, header) = if l0 < 0x80 {
        (l0 as usize, 2)
    } else {
        let n = (l0 & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = len.checked_mul(256)? + *all.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let body = all.get(header..end)?;
    *b = &all[end..];
    Some(Tlv {
        tag,
        body,
        raw: &all[..end],
    })
}

/// `bytes` as exactly one element.
pub(crate) fn whole(bytes: &[u8]) -> Option<Tlv<'_>> {
    let mut b = bytes;
    let t = next(&mut b)?;
    b.is_empty().then_some(t)
}

/// The elements of a constructed body, all of it.
pub(crate) fn items(body: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut b = body;
    let mut out = Vec::new();
    while !b.is_empty() {
        out.push(next(&mut b)?);
    }
    Some(out)
}

/// The elements of `t`, if it is a SEQUENCE.
pub(crate) fn seq<'a>(t: &Tlv<'a>) -> Option<Vec<Tlv<'a>>> {
    (t.tag == SEQUENCE).then_some(())?;
    items(t.body)
}

/// An OBJECT IDENTIFIER as a dotted string.
pub(crate) fn oid(t: &Tlv<'_>) -> Option<String> {
    if t.tag != OID || t.body.is_empty() {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for &b in t.body {
        v = v.checked_mul(128)? | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(v);
            v = 0;
        }
    }
    if t.body.last().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let first = arcs.first().copied()?;
    let (a, b) = if first < 40 {
        (0, first)
    } else if first < 80 {
        (1, first - 40)
    } else {
        (2, first - 80)
    };
    let mut s = format!("{a}.{b}");
    for x in &arcs[1..] {
        s.push_str(&format!(".{x}"));
    }
    Some(s)
}

/// An AlgorithmIdentifier: its OID and parameters.
pub(crate) fn alg_id<'a>(t: &Tlv<'a>) -> Option<(String, Option<Tlv<'a>>)> {
    let parts = seq(t)?;
    Some((oid(parts.first()?)?, parts.get(1).copied()))
}

/// Bits of an unsigned INTEGER's value.
pub(crate) fn int_bits(t: &Tlv<'_>) -> u32 {
    let start = t.body.iter().position(|&b| b != 0).unwrap_or(t.body.len());
    let m = &t.body[start..];
    match m.first() {
        None => 0,
        Some(&top) => (m.len() as u32 - 1) * 8 + (8 - top.leading_zeros()),
    }
}

fn small_int(t: &Tlv<'_>) -> Option<u64> {
    (t.tag == INTEGER && !t.body.is_empty() && t.body.len() <= 8)
        .then(|| t.body.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b)))
}

/// Why an algorithm found cannot be permitted: it is not one the list names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unlisted {
    /// What was found (`EC curve 1.3.132.0.10 secp256k1`, `RC2-40-CBC`).
    pub what: String,
    /// Why it is refused.
    pub why: String,
    /// Whether it is broken outright (MD2, MD4, RC2-40), not merely unlisted.
    pub broken: bool,
}

fn unlisted(what: impl Into<String>, why: impl Into<String>) -> Unlisted {
    Unlisted {
        what: what.into(),
        why: why.into(),
        broken: false,
    }
}

fn broken(what: impl Into<String>, why: impl Into<String>) -> Unlisted {
    Unlisted {
        what: what.into(),
        why: why.into(),
        broken: true,
    }
}

/// A key as found: a description and the algorithm to judge.
#[derive(Clone, Debug)]
pub(crate) struct KeyDesc {
    /// `RSA-2048`, `DSA-3072`, `Ed448`, `EC secp256k1`.
    pub description: String,
    /// What to judge, or why it cannot be permitted.
    pub algorithm: Result<Algorithm, Unlisted>,
}

/// The name of a curve OID the list does not name, as openssl spells it.
fn curve_name(oid: &str) -> &'static str {
    match oid {
        "1.3.132.0.10" => "secp256k1",
        "1.3.132.0.33" => "secp224r1",
        "1.2.840.10045.3.1.1" => "prime192v1",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        "1.2.156.10197.1.301" => "SM2",
        _ => "",
    }
}

/// An EC key's curve, from its parameters (named, explicit or absent).
pub(crate) fn ec_key(params: Option<&Tlv<'_>>) -> KeyDesc {
    const WHY: &str = "not on the CRYPTREC Ciphers List, whose ECDSA and ECDH use the NIST curves P-256, P-384 and P-521";
    match params {
        Some(p) if p.tag == OID => {
            let o = oid(p).unwrap_or_default();
            match cryptrec::oid::curve(&o) {
                Some(curve) => KeyDesc {
                    description: match curve {
                        Curve::P256 => "EC P-256".into(),
                        Curve::P384 => "EC P-384".into(),
                        Curve::P521 => "EC P-521".into(),
                        _ => format!("EC {o}"),
                    },
                    algorithm: Ok(Algorithm::Ecdsa { curve, hash: None }),
                },
                None => {
                    let what = format!("EC curve {o} {}", curve_name(&o))
                        .trim()
                        .to_string();
                    KeyDesc {
                        description: what.clone(),
                        algorithm: Err(unlisted(what.clone(), format!("{what} is {WHY}"))),
                    }
                }
            }
        }
        Some(p) if p.tag == SEQUENCE => {
            // SpecifiedECDomain: the field prime's size says what the curve could be, but not
            // that it is the named curve of that size.
            let bits = seq(p)
                .and_then(|v| v.get(1).and_then(seq))
                .and_then(|f| f.get(1).map(int_bits))
                .unwrap_or(0);
            let what = format!("EC explicit curve parameters ({bits}-bit field)");
            KeyDesc {
                description: what.clone(),
                algorithm: Err(unlisted(
                    what,
                    format!(
                        "explicit EC curve parameters are not a named curve: {WHY} by name (RFC 5480 §2.1.1 forbids specifiedCurve)"
                    ),
                )),
            }
        }
        _ => KeyDesc {
            description: "EC (curve not given)".into(),
            algorithm: Err(unlisted(
                "EC key without curve parameters",
                "the key's curve is not given (implicitCA), so its size cannot be judged",
            )),
        },
    }
}

/// The key named by an algorithm identifier. `rsa_modulus` finds the modulus (where the key
/// itself must be read); `ec_inner` the curve of a PKCS#8 EC key without parameters.
fn key_from(
    alg: &str,
    params: Option<&Tlv<'_>>,
    rsa_modulus: impl Fn() -> Option<u32>,
    ec_inner: Option<Tlv<'_>>,
) -> KeyDesc {
    let ok = |d: &str, a: Algorithm| KeyDesc {
        description: d.to_string(),
        algorithm: Ok(a),
    };
    match alg {
        cryptrec::oid::RSA_ENCRYPTION | cryptrec::oid::RSASSA_PSS => {
            let pss = if alg == cryptrec::oid::RSASSA_PSS {
                "RSA-PSS-"
            } else {
                "RSA-"
            };
            match rsa_modulus() {
                Some(bits) => ok(&format!("{pss}{bits}"), Algorithm::RsaKey { bits }),
                None => KeyDesc {
                    description: "RSA (unreadable modulus)".into(),
                    algorithm: Err(unlisted(
                        "RSA key",
                        "the RSA modulus cannot be read, so its size cannot be judged",
                    )),
                },
            }
        }
        cryptrec::oid::EC_PUBLIC_KEY => match params.filter(|p| p.tag != 0x05) {
            Some(p) => ec_key(Some(p)),
            None => ec_key(ec_inner.as_ref()),
        },
        cryptrec::oid::ED25519 => ok("Ed25519", Algorithm::EdDsa(Edwards::Ed25519)),
        cryptrec::oid::ED448 => ok("Ed448", Algorithm::EdDsa(Edwards::Ed448)),
        cryptrec::oid::X25519 => ok("X25519", Algorithm::Xdh(Montgomery::X25519)),
        cryptrec::oid::X448 => ok("X448", Algorithm::Xdh(Montgomery::X448)),
        cryptrec::oid::DSA | "1.3.14.3.2.12" => {
            match params.and_then(seq).filter(|v| v.len() == 3) {
                Some(pqg) => {
                    let (l, n) = (int_bits(&pqg[0]), int_bits(&pqg[1]));
                    ok(&format!("DSA-{l}"), Algorithm::Dsa { l, n, hash: None })
                }
                None => KeyDesc {
                    description: "DSA (parameters inherited)".into(),
                    algorithm: Err(unlisted(
                        "DSA key without parameters",
                        "the DSA parameters are inherited from the issuer (RFC 3279 §2.3.2), so the key's size cannot be judged",
                    )),
                },
            }
        }
        "1.2.840.10046.2.1" => KeyDesc {
            description: "DH (X9.42)".into(),
            algorithm: match params.and_then(seq) {
                Some(v) if !v.is_empty() => Ok(Algorithm::Dh {
                    bits: int_bits(&v[0]),
                }),
                _ => Err(unlisted("DH key", "no DH parameters")),
            },
        },
        other => {
            let name = match other {
                "1.2.643.2.2.19" | "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" => " (GOST R 34.10)",
                "1.2.156.10197.1.301" => " (SM2)",
                _ => "",
            };
            let what = format!("public-key algorithm {other}{name}");
            KeyDesc {
                description: what.clone(),
                algorithm: Err(unlisted(
                    what,
                    "not an algorithm of the CRYPTREC Ciphers List",
                )),
            }
        }
    }
}

/// A SubjectPublicKeyInfo's key.
pub(crate) fn spki(der: &[u8]) -> Option<KeyDesc> {
    let t = whole(der)?;
    let v = seq(&t)?;
    let (alg, params) = alg_id(v.first()?)?;
    let key = v.get(1).filter(|k| k.tag == BIT_STRING)?;
    let modulus = || {
        let inner = whole(key.body.get(1..)?)?;
        seq(&inner)?.first().map(int_bits)
    };
    Some(key_from(&alg, params.as_ref(), modulus, None))
}

/// A PKCS#8 PrivateKeyInfo's (or OneAsymmetricKey's) key.
pub(crate) fn pkcs8(der: &[u8]) -> Option<KeyDesc> {
    let t = whole(der)?;
    let v = seq(&t)?;
    small_int(v.first()?)?;
    let (alg, params) = alg_id(v.get(1)?)?;
    let key = v.get(2).filter(|k| k.tag == OCTET_STRING)?;
    let modulus = || {
        let inner = whole(key.body)?;
        seq(&inner)?.get(1).map(int_bits)
    };
    // A PKCS#8 EC key may give its curve only in the inner SEC1 [0] parameters.
    let inner_params = whole(key.body)
        .and_then(|inner| seq(&inner))
        .and_then(|v| v.into_iter().find(|e| e.tag == 0xa0))
        .and_then(|p| whole(p.body));
    Some(key_from(&alg, params.as_ref(), modulus, inner_params))
}

/// A traditional `DSA PRIVATE KEY` (version, p, q, g, y, x).
pub(crate) fn dsa_private(der: &[u8]) -> Option<KeyDesc> {
    let v = seq(&whole(der)?)?;
    if v.len() != 6 || v.iter().any(|e| e.tag != INTEGER) {
        return None;
    }
    let (l, n) = (int_bits(&v[1]), int_bits(&v[2]));
    Some(KeyDesc {
        description: format!("DSA-{l}"),
        algorithm: Ok(Algorithm::Dsa { l, n, hash: None }),
    })
}

/// A SEC1 `EC PRIVATE KEY` (version 1, key, [0] parameters, [1] public key).
pub(crate) fn sec1_private(der: &[u8]) -> Option<KeyDesc> {
    let v = seq(&whole(der)?)?;
    if small_int(v.first()?)? != 1 || v.get(1)?.tag != OCTET_STRING {
        return None;
    }
    let params = v.iter().find(|e| e.tag == 0xa0).and_then(|p| whole(p.body));
    Some(ec_key(params.as_ref()))
}

fn cbc(name: &str) -> Result<Algorithm, Unlisted> {
    name.parse::<Algorithm>()
        .map_err(|_| unlisted(name, "not an algorithm of the CRYPTREC Ciphers List"))
}

/// A symmetric cipher OID (as PBES2, CMS and PKCS#12 use them).
pub(crate) fn cipher(oid: &str) -> Result<Algorithm, Unlisted> {
    let aes = |bits: u16, mode: Mode| {
        Ok(Algorithm::Cipher {
            cipher: BlockCipher::Aes,
            key_bits: bits,
            mode: Some(mode),
        })
    };
    match oid {
        "2.16.840.1.101.3.4.1.2" => aes(128, Mode::Cbc),
        "2.16.840.1.101.3.4.1.22" => aes(192, Mode::Cbc),
        "2.16.840.1.101.3.4.1.42" => aes(256, Mode::Cbc),
        "2.16.840.1.101.3.4.1.6" => aes(128, Mode::Gcm),
        "2.16.840.1.101.3.4.1.26" => aes(192, Mode::Gcm),
        "2.16.840.1.101.3.4.1.46" => aes(256, Mode::Gcm),
        "2.16.840.1.101.3.4.1.7" => aes(128, Mode::Ccm),
        "2.16.840.1.101.3.4.1.27" => aes(192, Mode::Ccm),
        "2.16.840.1.101.3.4.1.47" => aes(256, Mode::Ccm),
        "1.2.392.200011.61.1.1.1.2" => cbc("camellia-128-cbc"),
        "1.2.392.200011.61.1.1.1.3" => cbc("camellia-192-cbc"),
        "1.2.392.200011.61.1.1.1.4" => cbc("camellia-256-cbc"),
        "1.2.840.113549.3.7" => cbc("3des-cbc"),
        "1.3.14.3.2.7" => cbc("des-cbc"),
        "1.2.840.113549.3.2" => Err(broken(
            "RC2-CBC",
            "RC2 has never been on a CRYPTREC list (RFC 8018 keeps it for compatibility only)",
        )),
        "1.2.410.200046.1.1.2" | "1.2.410.200046.1.1.7" | "1.2.410.200046.1.1.12" => Err(unlisted(
            "ARIA-CBC",
            "ARIA is not on the CRYPTREC Ciphers List",
        )),
        "1.2.156.10197.1.104.2" => Err(unlisted(
            "SM4-CBC",
            "SM4 is not on the CRYPTREC Ciphers List",
        )),
        other => Err(unlisted(
            format!("cipher {other}"),
            "not an algorithm of the CRYPTREC Ciphers List that kagi knows",
        )),
    }
}

/// A hash OID, including the broken ones the list never had.
pub(crate) fn hash(oid: &str) -> Result<HashAlg, Unlisted> {
    if let Some(h) = cryptrec::oid::hash(oid) {
        return Ok(h);
    }
    Err(match oid {
        "1.2.840.113549.2.2" => broken(
            "MD2",
            "MD2 has never been on a CRYPTREC list; preimage and collision attacks, moved to Historic by RFC 6149",
        ),
        "1.2.840.113549.2.4" => broken(
            "MD4",
            "MD4 has never been on a CRYPTREC list; collisions by hand, moved to Historic by RFC 6150",
        ),
        "1.3.14.3.2.18" => broken(
            "SHA-0",
            "SHA-0 was withdrawn by NIST in 1995 and has practical collisions; never on a CRYPTREC list",
        ),
        other => unlisted(
            format!("hash {other}"),
            "not a hash of the CRYPTREC Ciphers List",
        ),
    })
}

/// An HMAC OID (PBKDF2's PRF) to its hash.
fn hmac_hash(oid: &str) -> Result<HashAlg, Unlisted> {
    Ok(match oid {
        "1.2.840.113549.2.7" => HashAlg::Sha1,
        "1.2.840.113549.2.8" => HashAlg::Sha224,
        "1.2.840.113549.2.9" => HashAlg::Sha256,
        "1.2.840.113549.2.10" => HashAlg::Sha384,
        "1.2.840.113549.2.11" => HashAlg::Sha512,
        "1.2.840.113549.2.12" => HashAlg::Sha512_224,
        "1.2.840.113549.2.13" => HashAlg::Sha512_256,
        "2.16.840.1.101.3.4.2.14" => HashAlg::Sha3_256,
        "2.16.840.1.101.3.4.2.15" => HashAlg::Sha3_384,
        "2.16.840.1.101.3.4.2.16" => HashAlg::Sha3_512,
        other => {
            return Err(unlisted(
                format!("PBKDF2 PRF {other}"),
                "not an HMAC of the list",
            ));
        }
    })
}

/// A signature algorithm OID, including the old and broken ones `cryptrec::oid` leaves out.
pub(crate) fn signature(oid: &str) -> Result<SignatureOid, Unlisted> {
    if let Some(s) = cryptrec::oid::signature(oid) {
        return Ok(s);
    }
    Ok(match oid {
        // OIW (1.3.14.3.2) aliases, as old certificates use them.
        "1.3.14.3.2.29" => SignatureOid::RsaPkcs1(HashAlg::Sha1),
        "1.3.14.3.2.3" => SignatureOid::RsaPkcs1(HashAlg::Md5),
        "1.3.14.3.2.27" => SignatureOid::Dsa(HashAlg::Sha1),
        "2.16.840.1.101.3.4.3.3" => SignatureOid::Dsa(HashAlg::Sha384),
        "2.16.840.1.101.3.4.3.4" => SignatureOid::Dsa(HashAlg::Sha512),
        "2.16.840.1.101.3.4.3.10" => SignatureOid::Ecdsa(HashAlg::Sha3_256),
        "2.16.840.1.101.3.4.3.11" => SignatureOid::Ecdsa(HashAlg::Sha3_384),
        "2.16.840.1.101.3.4.3.12" => SignatureOid::Ecdsa(HashAlg::Sha3_512),
        "2.16.840.1.101.3.4.3.14" => SignatureOid::RsaPkcs1(HashAlg::Sha3_256),
        "2.16.840.1.101.3.4.3.15" => SignatureOid::RsaPkcs1(HashAlg::Sha3_384),
        "2.16.840.1.101.3.4.3.16" => SignatureOid::RsaPkcs1(HashAlg::Sha3_512),
        "1.2.840.113549.1.1.2" => {
            return Err(broken_hash("1.2.840.113549.2.2", "md2WithRSAEncryption"));
        }
        "1.2.840.113549.1.1.3" => {
            return Err(broken_hash("1.2.840.113549.2.4", "md4WithRSAEncryption"));
        }
        "1.3.14.3.2.15" | "1.3.14.3.2.13" => {
            return Err(broken_hash("1.3.14.3.2.18", "SHA-0 signature (OIW)"));
        }
        "1.2.643.2.2.3" | "1.2.643.7.1.1.3.2" | "1.2.643.7.1.1.3.3" => {
            return Err(unlisted(
                format!("GOST R 34.10 signature {oid}"),
                "GOST R 34.10/34.11 are not on the CRYPTREC Ciphers List",
            ));
        }
        "1.2.156.10197.1.501" => {
            return Err(unlisted(
                "SM2-with-SM3",
                "SM2 and SM3 are not on the CRYPTREC Ciphers List",
            ));
        }
        other => {
            return Err(unlisted(
                format!("signature algorithm {other}"),
                "not a signature algorithm of the CRYPTREC Ciphers List that kagi knows",
            ));
        }
    })
}

/// A signature over a hash the list never had, named as the signature.
fn broken_hash(hash_oid: &str, what: &str) -> Unlisted {
    match hash(hash_oid) {
        Err(mut u) => {
            u.what = what.into();
            u
        }
        Ok(_) => unlisted(
            what,
            "not a signature algorithm of the CRYPTREC Ciphers List",
        ),
    }
}

/// A part of a key-protection scheme: what it is and the algorithm to judge.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    /// `key derivation`, `cipher`.
    pub role: &'static str,
    /// The algorithm, or why it cannot be permitted.
    pub algorithm: Result<Algorithm, Unlisted>,
}

/// How something is encrypted under a password: the scheme's parts and iteration count.
#[derive(Clone, Debug)]
pub(crate) struct Protection {
    /// PBES2, PBES1, PKCS#12 PBE.
    pub scheme: &'static str,
    /// Each judged part.
    pub parts: Vec<Part>,
    /// The KDF iteration count.
    pub iterations: Option<u64>,
}

/// A password-based encryption AlgorithmIdentifier (RFC 8018 PBES1/PBES2, RFC 7292 PBE).
pub(crate) fn protection(alg: &Tlv<'_>) -> Option<Protection> {
    let (o, params) = alg_id(alg)?;
    let salt_iter =
        |p: Option<&Tlv<'_>>| p.and_then(seq).and_then(|v| v.get(1).and_then(small_int));
    let kdf = |a: Result<Algorithm, Unlisted>| Part {
        role: "key derivation",
        algorithm: a,
    };
    let enc = |a: Result<Algorithm, Unlisted>| Part {
        role: "cipher",
        algorithm: a,
    };
    // PBKDF1 is not on the list whatever its hash; with MD2 or MD5 it is broken outright.
    let pbkdf1 = |h: &'static str| {
        let why = "PBKDF1 (PBES1, RFC 8018 §6.1) is not on the CRYPTREC Ciphers List (PBKDF2 is); RFC 8018 keeps it for compatibility only";
        kdf(Err(match h {
            "SHA-1" => unlisted(format!("PBKDF1 with {h}"), why),
            _ => broken(format!("PBKDF1 with {h}"), format!("{why}; {h} is broken")),
        }))
    };
    let rc2 = |bits: u16| {
        Err(if bits < 80 {
            broken(
                format!("RC2-{bits}-CBC"),
                format!("RC2 with a {bits}-bit key: never on a CRYPTREC list, and exhaustible"),
            )
        } else {
            unlisted(
                format!("RC2-{bits}-CBC"),
                "RC2 has never been on a CRYPTREC list",
            )
        })
    };
    let rc4 = |bits: u16| {
        if bits < 80 {
            Err(broken(
                format!("RC4-{bits}"),
                "RC4 with a 40-bit key: removed from the list (RFC 7465) and exhaustible",
            ))
        } else {
            Ok(Algorithm::Rc4)
        }
    };
    let p12 = |c: Result<Algorithm, Unlisted>| Protection {
        scheme: "PKCS#12 PBE",
        parts: vec![
            kdf(Err(unlisted(
                "PKCS#12 KDF with SHA-1",
                "the PKCS#12 key derivation (RFC 7292 Appendix B) is not on the CRYPTREC Ciphers List (PBKDF2 is)",
            ))),
            enc(c),
        ],
        iterations: salt_iter(params.as_ref()),
    };
    let p1 = |h: &'static str, c: Result<Algorithm, Unlisted>| Protection {
        scheme: "PBES1",
        parts: vec![pbkdf1(h), enc(c)],
        iterations: salt_iter(params.as_ref()),
    };
    Some(match o.as_str() {
        "1.2.840.113549.1.5.13" => {
            let v = params.as_ref().and_then(seq)?;
            let (kdf_oid, kdf_params) = alg_id(v.first()?)?;
            let (enc_oid, _) = alg_id(v.get(1)?)?;
            let (k, iterations) = match kdf_oid.as_str() {
                "1.2.840.113549.1.5.12" => {
                    let kp = kdf_params.as_ref().and_then(seq)?;
                    let iterations = kp.get(1).and_then(small_int);
                    let prf = kp
                        .iter()
                        .skip(2)
                        .find(|e| e.tag == SEQUENCE)
                        .and_then(alg_id)
                        .map(|(o, _)| o);
                    let h = match prf {
                        Some(p) => hmac_hash(&p),
                        None => Ok(HashAlg::Sha1),
                    };
                    (kdf(h.map(Algorithm::Pbkdf2)), iterations)
                }
                "1.3.6.1.4.1.11591.4.11" => (
                    kdf(Err(unlisted(
                        "scrypt",
                        "the scrypt key derivation is not on the CRYPTREC Ciphers List (PBKDF2 is)",
                    ))),
                    None,
                ),
                other => (
                    kdf(Err(unlisted(
                        format!("key derivation {other}"),
                        "not a key derivation of the CRYPTREC Ciphers List",
                    ))),
                    None,
                ),
            };
            Protection {
                scheme: "PBES2",
                parts: vec![k, enc(cipher(&enc_oid))],
                iterations,
            }
        }
        "1.2.840.113549.1.5.1" => p1("MD2", cbc("des-cbc")),
        "1.2.840.113549.1.5.4" => p1("MD2", rc2(64)),
        "1.2.840.113549.1.5.3" => p1("MD5", cbc("des-cbc")),
        "1.2.840.113549.1.5.6" => p1("MD5", rc2(64)),
        "1.2.840.113549.1.5.10" => p1("SHA-1", cbc("des-cbc")),
        "1.2.840.113549.1.5.11" => p1("SHA-1", rc2(64)),
        "1.2.840.113549.1.12.1.1" => p12(rc4(128)),
        "1.2.840.113549.1.12.1.2" => p12(rc4(40)),
        "1.2.840.113549.1.12.1.3" => p12(cbc("3des-cbc")),
        "1.2.840.113549.1.12.1.4" => p12(cbc("2key-3des-cbc")),
        "1.2.840.113549.1.12.1.5" => p12(rc2(128)),
        "1.2.840.113549.1.12.1.6" => p12(rc2(40)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn oids_decode() {
        // 1.2.840.113549.1.5.13
        let der = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d,
        ];
        assert_eq!(
            oid(&whole(&der).unwrap()).as_deref(),
            Some("1.2.840.113549.1.5.13")
        );
        assert!(whole(&[0x30, 0x05, 0x00]).is_none(), "truncated");
        assert!(whole(&[0x30, 0x00, 0x00]).is_none(), "trailing");
    }

    #[test]
    fn names_what_the_list_lacks() {
        assert!(signature("1.2.840.113549.1.1.2").unwrap_err().broken);
        assert_eq!(
            signature("1.3.14.3.2.29").unwrap(),
            SignatureOid::RsaPkcs1(HashAlg::Sha1)
        );
        assert_eq!(
            cipher("1.2.392.200011.61.1.1.1.4").unwrap().to_string(),
            "camellia-256-cbc"
        );
        assert!(cipher("1.2.840.113549.3.2").is_err());
    }
}
