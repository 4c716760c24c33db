//! Object identifiers (X.509, PKCS, RFC 8410) mapped to the algorithm vocabulary, so a key,
//! certificate or signature read from a file can be given a verdict. Dotted strings only: this
//! crate has no ASN.1 and no cryptography.

use crate::algorithm::{Algorithm, Curve, Edwards, HashAlg, Montgomery};

/// rsaEncryption (RFC 8017).
pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// id-RSASSA-PSS (RFC 4055).
pub const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
/// id-ecPublicKey (RFC 5480).
pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// id-Ed25519 (RFC 8410).
pub const ED25519: &str = "1.3.101.112";
/// id-Ed448 (RFC 8410).
pub const ED448: &str = "1.3.101.113";
/// id-X25519 (RFC 8410).
pub const X25519: &str = "1.3.101.110";
/// id-X448 (RFC 8410).
pub const X448: &str = "1.3.101.111";
/// id-dsa (RFC 3279).
pub const DSA: &str = "1.2.840.10040.4.1";
/// secp256r1 / P-256.
pub const P256: &str = "1.2.840.10045.3.1.7";
/// secp384r1 / P-384.
pub const P384: &str = "1.3.132.0.34";
/// secp521r1 / P-521.
pub const P521: &str = "1.3.132.0.35";

/// What a public-key algorithm identifier in a SubjectPublicKeyInfo or PKCS#8 names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOid {
    /// An RSA key (rsaEncryption or id-RSASSA-PSS).
    Rsa,
    /// An EC key on a named curve.
    Ec(Curve),
    /// An EC key on a curve the list does not name.
    EcOther,
    /// An EdDSA key.
    Ed(Edwards),
    /// An X25519/X448 key.
    X(Montgomery),
    /// A DSA key.
    Dsa,
}

/// The key type named by a public-key algorithm OID and, for EC, its curve parameter.
pub fn key_algorithm(oid: &str, curve_param: Option<&str>) -> Option<KeyOid> {
    Some(match oid {
        RSA_ENCRYPTION | RSASSA_PSS => KeyOid::Rsa,
        EC_PUBLIC_KEY => match curve_param.and_then(curve) {
            Some(c) => KeyOid::Ec(c),
            None => KeyOid::EcOther,
        },
        ED25519 => KeyOid::Ed(Edwards::Ed25519),
        ED448 => KeyOid::Ed(Edwards::Ed448),
        X25519 => KeyOid::X(Montgomery::X25519),
        X448 => KeyOid::X(Montgomery::X448),
        DSA => KeyOid::Dsa,
        _ => return None,
    })
}

/// The named curve of an OID.
pub fn curve(oid: &str) -> Option<Curve> {
    match oid {
        P256 => Some(Curve::P256),
        P384 => Some(Curve::P384),
        P521 => Some(Curve::P521),
        _ => None,
    }
}

/// The name of a well-known EC curve the CRYPTREC list does not name (for messages that
/// refuse it): SEC 2, RFC 5639 (Brainpool), X9.62 and GB/T 32918 (SM2).
pub fn unlisted_curve_name(oid: &str) -> Option<&'static str> {
    // SEC 2 (Certicom arc 1.3.132.0), every curve it assigns an OID to.
    const SEC2: [(u32, &str); 29] = [
        (1, "sect163k1"),
        (2, "sect163r1"),
        (3, "sect239k1"),
        (4, "sect113r1"),
        (5, "sect113r2"),
        (6, "secp112r1"),
        (7, "secp112r2"),
        (8, "secp160r1"),
        (9, "secp160k1"),
        (10, "secp256k1"),
        (15, "sect163r2"),
        (16, "sect283k1"),
        (17, "sect283r1"),
        (22, "sect131r1"),
        (23, "sect131r2"),
        (24, "sect193r1"),
        (25, "sect193r2"),
        (26, "sect233k1"),
        (27, "sect233r1"),
        (28, "secp128r1"),
        (29, "secp128r2"),
        (30, "secp160r2"),
        (31, "secp192k1"),
        (32, "secp224k1"),
        (33, "secp224r1 (P-224)"),
        (36, "sect409k1"),
        (37, "sect409r1"),
        (38, "sect571k1"),
        (39, "sect571r1"),
    ];
    // RFC 5639 (Brainpool, arc 1.3.36.3.3.2.8.1.1).
    const BRAINPOOL: [(u32, &str); 14] = [
        (1, "brainpoolP160r1"),
        (2, "brainpoolP160t1"),
        (3, "brainpoolP192r1"),
        (4, "brainpoolP192t1"),
        (5, "brainpoolP224r1"),
        (6, "brainpoolP224t1"),
        (7, "brainpoolP256r1"),
        (8, "brainpoolP256t1"),
        (9, "brainpoolP320r1"),
        (10, "brainpoolP320t1"),
        (11, "brainpoolP384r1"),
        (12, "brainpoolP384t1"),
        (13, "brainpoolP512r1"),
        (14, "brainpoolP512t1"),
    ];
    // ANSI X9.62 prime curves (arc 1.2.840.10045.3.1) other than prime256v1 (P-256).
    const X962: [(u32, &str); 6] = [
        (1, "prime192v1 (P-192)"),
        (2, "prime192v2"),
        (3, "prime192v3"),
        (4, "prime239v1"),
        (5, "prime239v2"),
        (6, "prime239v3"),
    ];
    let find = |table: &[(u32, &'static str)], arc: &str| {
        let n: u32 = oid.strip_prefix(arc)?.parse().ok()?;
        table.iter().find(|(k, _)| *k == n).map(|(_, name)| *name)
    };
    if oid == "1.2.156.10197.1.301" {
        return Some("SM2");
    }
    find(&SEC2, "1.3.132.0.")
        .or_else(|| find(&BRAINPOOL, "1.3.36.3.3.2.8.1.1."))
        .or_else(|| find(&X962, "1.2.840.10045.3.1."))
}

/// How a refusal names an EC curve parameter: `1.3.132.0.10 (secp256k1)`, or the bare OID,
/// or `(no named curve)` for explicit parameters.
pub fn describe_curve(oid: Option<&str>) -> String {
    match oid {
        Some(o) => match unlisted_curve_name(o) {
            Some(name) => format!("{o} ({name})"),
            None => o.to_string(),
        },
        None => "(explicit parameters, no named curve)".to_string(),
    }
}

/// The OID of a named curve.
pub fn curve_oid(c: Curve) -> &'static str {
    match c {
        Curve::P256 => P256,
        Curve::P384 => P384,
        Curve::P521 => P521,
    }
}

/// A hash algorithm OID (NIST CSOR, RFC 3279).
pub fn hash(oid: &str) -> Option<HashAlg> {
    Some(match oid {
        "1.2.840.113549.2.5" => HashAlg::Md5,
        "1.3.14.3.2.26" => HashAlg::Sha1,
        "2.16.840.1.101.3.4.2.4" => HashAlg::Sha224,
        "2.16.840.1.101.3.4.2.1" => HashAlg::Sha256,
        "2.16.840.1.101.3.4.2.2" => HashAlg::Sha384,
        "2.16.840.1.101.3.4.2.3" => HashAlg::Sha512,
        "2.16.840.1.101.3.4.2.5" => HashAlg::Sha512_224,
        "2.16.840.1.101.3.4.2.6" => HashAlg::Sha512_256,
        "2.16.840.1.101.3.4.2.8" => HashAlg::Sha3_256,
        "2.16.840.1.101.3.4.2.9" => HashAlg::Sha3_384,
        "2.16.840.1.101.3.4.2.10" => HashAlg::Sha3_512,
        _ => return None,
    })
}

/// What a signature algorithm OID names, before the signer's key is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureOid {
    /// RSASSA-PKCS1-v1_5 with a hash.
    RsaPkcs1(HashAlg),
    /// RSASSA-PSS; the hash is in the parameters.
    RsaPss,
    /// ECDSA with a hash.
    Ecdsa(HashAlg),
    /// EdDSA.
    EdDsa(Edwards),
    /// DSA with a hash.
    Dsa(HashAlg),
}

/// A signature algorithm OID (RFC 3279, 4055, 5758, 8410).
pub fn signature(oid: &str) -> Option<SignatureOid> {
    use SignatureOid::*;
    Some(match oid {
        "1.2.840.113549.1.1.4" => RsaPkcs1(HashAlg::Md5),
        "1.2.840.113549.1.1.5" => RsaPkcs1(HashAlg::Sha1),
        "1.2.840.113549.1.1.14" => RsaPkcs1(HashAlg::Sha224),
        "1.2.840.113549.1.1.11" => RsaPkcs1(HashAlg::Sha256),
        "1.2.840.113549.1.1.12" => RsaPkcs1(HashAlg::Sha384),
        "1.2.840.113549.1.1.13" => RsaPkcs1(HashAlg::Sha512),
        RSASSA_PSS => RsaPss,
        "1.2.840.10045.4.1" => Ecdsa(HashAlg::Sha1),
        "1.2.840.10045.4.3.1" => Ecdsa(HashAlg::Sha224),
        "1.2.840.10045.4.3.2" => Ecdsa(HashAlg::Sha256),
        "1.2.840.10045.4.3.3" => Ecdsa(HashAlg::Sha384),
        "1.2.840.10045.4.3.4" => Ecdsa(HashAlg::Sha512),
        ED25519 => EdDsa(Edwards::Ed25519),
        ED448 => EdDsa(Edwards::Ed448),
        "1.2.840.10040.4.3" => Dsa(HashAlg::Sha1),
        "2.16.840.1.101.3.4.3.1" => Dsa(HashAlg::Sha224),
        "2.16.840.1.101.3.4.3.2" => Dsa(HashAlg::Sha256),
        _ => return None,
    })
}

impl SignatureOid {
    /// The algorithm, given the signer's key: RSA modulus bits, EC curve, DSA sizes (L, N).
    /// `pss_hash` is the hash from RSASSA-PSS parameters (SHA-1 when absent, per RFC 4055).
    /// `None` when the key does not fit the signature algorithm.
    pub fn algorithm(self, key: &Algorithm, pss_hash: Option<HashAlg>) -> Option<Algorithm> {
        let rsa_bits = match key {
            Algorithm::RsaKey { bits }
            | Algorithm::RsaPss { bits, .. }
            | Algorithm::RsaPkcs1Sign { bits, .. } => Some(*bits),
            _ => None,
        };
        Some(match self {
            SignatureOid::RsaPkcs1(hash) => Algorithm::RsaPkcs1Sign {
                bits: rsa_bits?,
                hash,
            },
            SignatureOid::RsaPss => Algorithm::RsaPss {
                bits: rsa_bits?,
                hash: pss_hash.unwrap_or(HashAlg::Sha1),
            },
            SignatureOid::Ecdsa(hash) => match key {
                Algorithm::Ecdsa { curve, .. } | Algorithm::Ecdh(curve) => Algorithm::Ecdsa {
                    curve: *curve,
                    hash: Some(hash),
                },
                _ => return None,
            },
            SignatureOid::EdDsa(e) => Algorithm::EdDsa(e),
            SignatureOid::Dsa(hash) => match key {
                Algorithm::Dsa { l, n, .. } => Algorithm::Dsa {
                    l: *l,
                    n: *n,
                    hash: Some(hash),
                },
                _ => return None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_certificate_algorithms() {
        let rsa = Algorithm::RsaKey { bits: 2048 };
        assert_eq!(
            signature("1.2.840.113549.1.1.5")
                .and_then(|s| s.algorithm(&rsa, None))
                .map(|a| a.to_string()),
            Some("rsassa-pkcs1-2048-sha1".to_string())
        );
        let p256 = Algorithm::Ecdsa {
            curve: Curve::P256,
            hash: None,
        };
        assert_eq!(
            signature("1.2.840.10045.4.3.2").and_then(|s| s.algorithm(&p256, None)),
            Some(Algorithm::Ecdsa {
                curve: Curve::P256,
                hash: Some(HashAlg::Sha256)
            })
        );
        assert_eq!(
            key_algorithm(EC_PUBLIC_KEY, Some(P384)),
            Some(KeyOid::Ec(Curve::P384))
        );
        assert_eq!(
            key_algorithm(EC_PUBLIC_KEY, Some("1.3.132.0.10")),
            Some(KeyOid::EcOther)
        );
        assert_eq!(
            describe_curve(Some("1.3.132.0.10")),
            "1.3.132.0.10 (secp256k1)"
        );
        assert_eq!(
            describe_curve(Some("1.3.36.3.3.2.8.1.1.7")),
            "1.3.36.3.3.2.8.1.1.7 (brainpoolP256r1)"
        );
        // Found by an attacker: curves named only by their OID.
        assert_eq!(
            describe_curve(Some("1.3.132.0.16")),
            "1.3.132.0.16 (sect283k1)"
        );
        assert_eq!(
            describe_curve(Some("1.3.132.0.1")),
            "1.3.132.0.1 (sect163k1)"
        );
        assert_eq!(
            describe_curve(Some("1.3.132.0.8")),
            "1.3.132.0.8 (secp160r1)"
        );
        assert_eq!(describe_curve(Some("1.3.132.0.100")), "1.3.132.0.100");
        assert_eq!(
            signature("1.2.840.10045.4.3.2").and_then(|s| s.algorithm(&rsa, None)),
            None
        );
    }
}
