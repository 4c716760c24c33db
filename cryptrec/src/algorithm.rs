//! One closed vocabulary of algorithm identifiers, with a text grammar.
//!
//! # Grammar
//!
//! Names are case-insensitive; `_` may stand for `-`. Hash names take the forms `sha-256` or
//! `sha256`, `sha3-256`, `sha-512/256` (or `sha512-256`), `shake128-256` (SHAKE128 with a
//! 256-bit output), `sha-1`, `md5`, `ripemd-160`.
//!
//! | family | form | examples |
//! |---|---|---|
//! | block cipher | `CIPHER-BITS[-MODE]` | `aes-256-gcm`, `camellia-128-cbc`, `aes-256-xts`, `3des` |
//! | AEAD / stream | fixed names | `chacha20-poly1305`, `kcipher-2`, `rc4` |
//! | hash | hash name | `sha-256`, `sha3-512`, `shake256-512` |
//! | MAC | `hmac-HASH`, `cmac-CIPHER-BITS`, `cbc-mac-CIPHER-BITS` | `hmac-sha-256`, `cmac-aes-128` |
//! | KDF | `hkdf-HASH`, `pbkdf2-HASH` (or `pbkdf2-hmac-HASH`) | `hkdf-sha-384` |
//! | RSA | `rsa-pss-BITS-HASH`, `rsassa-pkcs1-BITS-HASH`, `rsa-oaep-BITS-HASH`, `rsaes-pkcs1-BITS`, `rsa-BITS` (a key) | `rsa-pss-3072-sha256` |
//! | EC | `ecdsa-CURVE[-HASH]`, `ecdh-CURVE`, `ed25519`, `ed448`, `x25519`, `x448` | `ecdsa-p256-sha256`, `ecdh-p384` |
//! | finite field | `dh-BITS` (or `ffdheBITS`), `dsa-L[-N][-HASH]` | `dh-3072`, `dsa-2048-224-sha256` |
//! | PQC | `ml-kem-768`, `ml-kem-1024` (and `ml-kem-512`, unlisted) | |
//!
//! Curves are `p256`, `p384`, `p521` (also `p-256`, `secp256r1`, …). Block-cipher modes are
//! `gcm`, `ccm`, `cbc`, `cfb`, `ctr`, `ofb`, `xts`, `ecb`.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// Hash functions, listed or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// MD5 (never listed).
    Md5,
    /// SHA-1 (Monitored).
    Sha1,
    /// RIPEMD-160 (Monitored).
    Ripemd160,
    /// SHA-224 (not listed).
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA-512/224 (not listed).
    Sha512_224,
    /// SHA-512/256.
    Sha512_256,
    /// SHA3-224 (not listed).
    Sha3_224,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
    /// SHAKE128 with an output of this many bits.
    Shake128(u16),
    /// SHAKE256 with an output of this many bits.
    Shake256(u16),
}

impl HashAlg {
    /// The list's name for it.
    pub fn entry(self) -> &'static str {
        use HashAlg::*;
        match self {
            Md5 => "MD5",
            Sha1 => "SHA-1",
            Ripemd160 => "RIPEMD-160",
            Sha224 => "SHA-224",
            Sha256 => "SHA-256",
            Sha384 => "SHA-384",
            Sha512 => "SHA-512",
            Sha512_224 => "SHA-512/224",
            Sha512_256 => "SHA-512/256",
            Sha3_224 => "SHA3-224",
            Sha3_256 => "SHA3-256",
            Sha3_384 => "SHA3-384",
            Sha3_512 => "SHA3-512",
            Shake128(_) => "SHAKE128",
            Shake256(_) => "SHAKE256",
        }
    }

    /// Output length in bits.
    pub fn output_bits(self) -> u16 {
        use HashAlg::*;
        match self {
            Md5 => 128,
            Sha1 | Ripemd160 => 160,
            Sha224 | Sha512_224 | Sha3_224 => 224,
            Sha256 | Sha512_256 | Sha3_256 => 256,
            Sha384 | Sha3_384 => 384,
            Sha512 | Sha3_512 => 512,
            Shake128(n) | Shake256(n) => n,
        }
    }

    /// Collision resistance in bits, counting known attacks (SHA-1: 2^63.1, SHAttered; MD5:
    /// collisions in seconds, so 0).
    pub fn collision_bits(self) -> u16 {
        match self {
            HashAlg::Md5 => 0,
            HashAlg::Sha1 => 63,
            HashAlg::Shake128(n) => (n / 2).min(128),
            HashAlg::Shake256(n) => (n / 2).min(256),
            h => h.output_bits() / 2,
        }
    }

    /// Strength as a PRF (HMAC, HKDF, PBKDF2): the output size, at most 256 bits
    /// (SP 800-107 convention).
    pub fn prf_bits(self) -> u16 {
        self.output_bits().min(256)
    }

    fn canonical(self) -> String {
        use HashAlg::*;
        match self {
            Shake128(n) => format!("shake128-{n}"),
            Shake256(n) => format!("shake256-{n}"),
            Sha512_224 => "sha-512/224".into(),
            Sha512_256 => "sha-512/256".into(),
            Md5 => "md5".into(),
            Ripemd160 => "ripemd-160".into(),
            h => h.entry().to_ascii_lowercase(),
        }
    }

    /// The compact form used inside signature names (`sha256`, `sha3-256`).
    fn compact(self) -> String {
        use HashAlg::*;
        match self {
            Sha1 => "sha1".into(),
            Sha224 => "sha224".into(),
            Sha256 => "sha256".into(),
            Sha384 => "sha384".into(),
            Sha512 => "sha512".into(),
            Sha512_224 => "sha512-224".into(),
            Sha512_256 => "sha512-256".into(),
            h => h.canonical(),
        }
    }

    fn parse(tokens: &[&str]) -> Option<HashAlg> {
        use HashAlg::*;
        let joined = tokens.join("-");
        let j = joined.as_str();
        Some(match j {
            "md5" => Md5,
            "sha1" | "sha-1" => Sha1,
            "ripemd160" | "ripemd-160" => Ripemd160,
            "sha224" | "sha-224" => Sha224,
            "sha256" | "sha-256" => Sha256,
            "sha384" | "sha-384" => Sha384,
            "sha512" | "sha-512" => Sha512,
            "sha512/224" | "sha-512/224" | "sha512-224" | "sha-512-224" => Sha512_224,
            "sha512/256" | "sha-512/256" | "sha512-256" | "sha-512-256" => Sha512_256,
            "sha3-224" => Sha3_224,
            "sha3-256" => Sha3_256,
            "sha3-384" => Sha3_384,
            "sha3-512" => Sha3_512,
            _ => {
                let (shake, bits) = j.split_once('-')?;
                let bits: u16 = bits.parse().ok()?;
                if bits == 0 || bits % 8 != 0 || bits > 16384 {
                    return None;
                }
                match shake {
                    "shake128" => Shake128(bits),
                    "shake256" => Shake256(bits),
                    _ => return None,
                }
            }
        })
    }
}

impl fmt::Display for HashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Block ciphers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlockCipher {
    /// AES (FIPS 197).
    Aes,
    /// Camellia (RFC 3713).
    Camellia,
    /// 3-key Triple DES (Monitored).
    TripleDes,
    /// 2-key Triple DES (not listed).
    TripleDes2Key,
    /// Single DES (never listed).
    Des,
}

impl BlockCipher {
    /// The list's name for it.
    pub fn entry(self) -> &'static str {
        match self {
            BlockCipher::Aes => "AES",
            BlockCipher::Camellia => "Camellia",
            BlockCipher::TripleDes => "3-key Triple DES",
            BlockCipher::TripleDes2Key => "2-key Triple DES",
            BlockCipher::Des => "DES",
        }
    }

    /// Block size in bits.
    pub fn block_bits(self) -> u16 {
        match self {
            BlockCipher::Aes | BlockCipher::Camellia => 128,
            _ => 64,
        }
    }

    fn key_sizes(self) -> &'static [u16] {
        match self {
            BlockCipher::Aes | BlockCipher::Camellia => &[128, 192, 256],
            BlockCipher::TripleDes => &[168],
            BlockCipher::TripleDes2Key => &[112],
            BlockCipher::Des => &[56],
        }
    }

    /// Security strength of a key of `key_bits` (Triple DES: 112 and 80, per SP 800-57).
    pub fn strength(self, key_bits: u16) -> u16 {
        match self {
            BlockCipher::TripleDes => 112,
            BlockCipher::TripleDes2Key => 80,
            BlockCipher::Des => 56,
            _ => key_bits,
        }
    }

    fn prefix(self, key_bits: u16) -> String {
        match self {
            BlockCipher::Aes => format!("aes-{key_bits}"),
            BlockCipher::Camellia => format!("camellia-{key_bits}"),
            BlockCipher::TripleDes => "3des".into(),
            BlockCipher::TripleDes2Key => "2key-3des".into(),
            BlockCipher::Des => "des".into(),
        }
    }
}

/// Modes of operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// Galois/Counter Mode (SP 800-38D), authenticated.
    Gcm,
    /// Counter with CBC-MAC (SP 800-38C), authenticated.
    Ccm,
    /// Cipher block chaining.
    Cbc,
    /// Cipher feedback.
    Cfb,
    /// Counter.
    Ctr,
    /// Output feedback.
    Ofb,
    /// XTS-AES (SP 800-38E), storage only (注5).
    Xts,
    /// Electronic codebook (not listed).
    Ecb,
}

impl Mode {
    /// The list's name for it.
    pub fn entry(self) -> &'static str {
        match self {
            Mode::Gcm => "GCM",
            Mode::Ccm => "CCM",
            Mode::Cbc => "CBC",
            Mode::Cfb => "CFB",
            Mode::Ctr => "CTR",
            Mode::Ofb => "OFB",
            Mode::Xts => "XTS",
            Mode::Ecb => "ECB",
        }
    }

    /// Whether the mode authenticates (注6).
    pub fn is_authenticated(self) -> bool {
        matches!(self, Mode::Gcm | Mode::Ccm)
    }

    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "gcm" => Mode::Gcm,
            "ccm" => Mode::Ccm,
            "cbc" => Mode::Cbc,
            "cfb" => Mode::Cfb,
            "ctr" => Mode::Ctr,
            "ofb" => Mode::Ofb,
            "xts" => Mode::Xts,
            "ecb" => Mode::Ecb,
            _ => return None,
        })
    }
}

/// NIST prime curves (SP 800-186), the curves of the list's ECDSA and ECDH.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// P-256 (secp256r1).
    P256,
    /// P-384 (secp384r1).
    P384,
    /// P-521 (secp521r1).
    P521,
}

impl Curve {
    /// Bits of the group order.
    pub fn order_bits(self) -> u32 {
        match self {
            Curve::P256 => 256,
            Curve::P384 => 384,
            Curve::P521 => 521,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Curve::P256 => "p256",
            Curve::P384 => "p384",
            Curve::P521 => "p521",
        }
    }

    fn parse(tokens: &[&str]) -> Option<(Curve, usize)> {
        let one = |c| Some((c, 1));
        match tokens {
            ["p256" | "secp256r1" | "prime256v1", ..] => one(Curve::P256),
            ["p384" | "secp384r1", ..] => one(Curve::P384),
            ["p521" | "secp521r1", ..] => one(Curve::P521),
            ["p", "256", ..] => Some((Curve::P256, 2)),
            ["p", "384", ..] => Some((Curve::P384, 2)),
            ["p", "521", ..] => Some((Curve::P521, 2)),
            _ => None,
        }
    }
}

/// Edwards curves for EdDSA (RFC 8032).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Edwards {
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
}

/// Montgomery-curve Diffie–Hellman (RFC 7748), not named by the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Montgomery {
    /// X25519.
    X25519,
    /// X448.
    X448,
}

/// An algorithm with its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// A block cipher with a key size and, optionally, a mode.
    Cipher {
        /// The cipher.
        cipher: BlockCipher,
        /// Key size in bits.
        key_bits: u16,
        /// Mode of operation, if named.
        mode: Option<Mode>,
    },
    /// ChaCha20-Poly1305 (RFC 8439).
    ChaCha20Poly1305,
    /// KCipher-2 (RFC 7008), 128-bit key.
    KCipher2,
    /// RC4 (removed from the list).
    Rc4,
    /// A hash function.
    Hash(HashAlg),
    /// HMAC over a hash.
    Hmac(HashAlg),
    /// CMAC over a block cipher.
    Cmac {
        /// The cipher.
        cipher: BlockCipher,
        /// Key size in bits.
        key_bits: u16,
    },
    /// CBC-MAC over a block cipher (Monitored).
    CbcMac {
        /// The cipher.
        cipher: BlockCipher,
        /// Key size in bits.
        key_bits: u16,
    },
    /// HKDF (RFC 5869) over HMAC with a hash.
    Hkdf(HashAlg),
    /// PBKDF2 (RFC 8018) over HMAC with a hash.
    Pbkdf2(HashAlg),
    /// RSA-PSS signatures.
    RsaPss {
        /// Modulus bits.
        bits: u32,
        /// Message hash.
        hash: HashAlg,
    },
    /// RSASSA-PKCS1-v1_5 signatures.
    RsaPkcs1Sign {
        /// Modulus bits.
        bits: u32,
        /// Message hash.
        hash: HashAlg,
    },
    /// RSA-OAEP encryption.
    RsaOaep {
        /// Modulus bits.
        bits: u32,
        /// OAEP hash.
        hash: HashAlg,
    },
    /// RSAES-PKCS1-v1_5 encryption (Monitored, TLS 1.0–1.2 only).
    RsaPkcs1Encrypt {
        /// Modulus bits.
        bits: u32,
    },
    /// An RSA key, its use unstated.
    RsaKey {
        /// Modulus bits.
        bits: u32,
    },
    /// ECDSA over a NIST curve, with a hash or as a key.
    Ecdsa {
        /// The curve.
        curve: Curve,
        /// Message hash, if named.
        hash: Option<HashAlg>,
    },
    /// EdDSA (RFC 8032).
    EdDsa(Edwards),
    /// DSA (FIPS 186-4).
    Dsa {
        /// Modulus bits (L).
        l: u32,
        /// Subgroup bits (N).
        n: u32,
        /// Message hash, if named.
        hash: Option<HashAlg>,
    },
    /// ECDH over a NIST curve (SP 800-56A).
    Ecdh(Curve),
    /// Finite-field Diffie–Hellman.
    Dh {
        /// Modulus bits.
        bits: u32,
    },
    /// X25519 / X448 (not named by the list).
    Xdh(Montgomery),
    /// ML-KEM (FIPS 203) with this parameter set (512, 768, 1024).
    MlKem(u16),
}

/// A list entry that an algorithm relies on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    /// The entry name as the list writes it.
    pub entry: &'static str,
    /// The parameter set, where Table 2 restricts it (`AES-256`, `ML-KEM-768`).
    pub param: Option<String>,
}

impl Component {
    fn new(entry: &'static str) -> Self {
        Component { entry, param: None }
    }
    fn with(entry: &'static str, param: String) -> Self {
        Component {
            entry,
            param: Some(param),
        }
    }
}

impl Algorithm {
    /// The list entries it is built from, primitive first.
    pub fn components(&self) -> Vec<Component> {
        use Algorithm::*;
        let cipher = |c: BlockCipher, k: u16| match c {
            BlockCipher::Aes => Component::with("AES", format!("AES-{k}")),
            c => Component::new(c.entry()),
        };
        match *self {
            Cipher {
                cipher: c,
                key_bits,
                mode,
            } => {
                let mut v = vec![cipher(c, key_bits)];
                if let Some(m) = mode {
                    v.push(Component::new(m.entry()));
                }
                v
            }
            ChaCha20Poly1305 => vec![Component::new("ChaCha20-Poly1305")],
            KCipher2 => vec![Component::new("KCipher-2")],
            Rc4 => vec![Component::new("RC4")],
            Hash(h) => vec![Component::new(h.entry())],
            Hmac(h) | Hkdf(h) | Pbkdf2(h) => {
                vec![Component::new(h.entry()), Component::new("HMAC")]
            }
            Cmac {
                cipher: c,
                key_bits,
            } => vec![cipher(c, key_bits), Component::new("CMAC")],
            CbcMac {
                cipher: c,
                key_bits,
            } => {
                vec![cipher(c, key_bits), Component::new("CBC-MAC")]
            }
            RsaPss { hash, .. } => vec![Component::new("RSA-PSS"), Component::new(hash.entry())],
            RsaPkcs1Sign { hash, .. } => {
                vec![
                    Component::new("RSASSA-PKCS1-v1_5"),
                    Component::new(hash.entry()),
                ]
            }
            RsaOaep { hash, .. } => vec![Component::new("RSA-OAEP"), Component::new(hash.entry())],
            RsaPkcs1Encrypt { .. } => vec![Component::new("RSAES-PKCS1-v1_5")],
            RsaKey { .. } => vec![Component::new("RSA-PSS")],
            Ecdsa { hash, .. } => {
                let mut v = vec![Component::new("ECDSA")];
                v.extend(hash.map(|h| Component::new(h.entry())));
                v
            }
            EdDsa(_) => vec![Component::new("EdDSA")],
            Dsa { hash, .. } => {
                let mut v = vec![Component::new("DSA")];
                v.extend(hash.map(|h| Component::new(h.entry())));
                v
            }
            Ecdh(_) => vec![Component::new("ECDH")],
            Dh { .. } => vec![Component::new("DH")],
            Xdh(Montgomery::X25519) => vec![Component::new("X25519")],
            Xdh(Montgomery::X448) => vec![Component::new("X448")],
            MlKem(512) => vec![Component::new("ML-KEM-512")],
            MlKem(p) => vec![Component::with("ML-KEM", format!("ML-KEM-{p}"))],
        }
    }

    /// Whether this protects confidentiality with a symmetric cipher.
    pub fn is_symmetric_encryption(&self) -> bool {
        matches!(
            self,
            Algorithm::Cipher { .. }
                | Algorithm::ChaCha20Poly1305
                | Algorithm::KCipher2
                | Algorithm::Rc4
        )
    }

    /// Whether it is an authenticated cipher (AEAD).
    pub fn is_aead(&self) -> bool {
        match self {
            Algorithm::Cipher { mode: Some(m), .. } => m.is_authenticated(),
            Algorithm::ChaCha20Poly1305 => true,
            _ => false,
        }
    }

    /// Whether LS-0003 is waived: Table 2 public-key entries (footnote 3).
    pub fn ls0003_exempt(&self) -> bool {
        matches!(self, Algorithm::MlKem(_))
    }

    /// Every canonical example name, for suggestions and listings.
    pub fn examples() -> &'static [&'static str] {
        &[
            "aes-128-gcm",
            "aes-192-gcm",
            "aes-256-gcm",
            "aes-128-ccm",
            "aes-256-ccm",
            "aes-128-cbc",
            "aes-256-cbc",
            "aes-256-ctr",
            "aes-256-cfb",
            "aes-256-ofb",
            "aes-256-xts",
            "camellia-128-gcm",
            "camellia-256-gcm",
            "camellia-128-cbc",
            "camellia-256-ctr",
            "chacha20-poly1305",
            "kcipher-2",
            "sha-256",
            "sha-384",
            "sha-512",
            "sha-512/256",
            "sha3-256",
            "sha3-384",
            "sha3-512",
            "shake128-256",
            "shake256-512",
            "hmac-sha-256",
            "hmac-sha-384",
            "hmac-sha-512",
            "cmac-aes-128",
            "cmac-camellia-128",
            "hkdf-sha-256",
            "pbkdf2-sha-256",
            "rsa-pss-2048-sha256",
            "rsa-pss-3072-sha256",
            "rsa-pss-4096-sha384",
            "rsassa-pkcs1-2048-sha256",
            "rsassa-pkcs1-3072-sha256",
            "rsa-oaep-3072-sha256",
            "rsaes-pkcs1-2048",
            "rsa-2048",
            "rsa-3072",
            "rsa-4096",
            "ecdsa-p256-sha256",
            "ecdsa-p384-sha384",
            "ecdsa-p521-sha512",
            "ed25519",
            "ed448",
            "ecdh-p256",
            "ecdh-p384",
            "ecdh-p521",
            "dh-2048",
            "dh-3072",
            "dsa-2048-224-sha256",
            "dsa-3072-256-sha256",
            "ml-kem-768",
            "ml-kem-1024",
            "sha-1",
            "md5",
            "ripemd-160",
            "3des",
            "des",
            "rc4",
            "rsa-1024",
            "x25519",
            "x448",
            "sha-224",
            "cbc-mac-aes-128",
        ]
    }
}

fn parse_bits<T: FromStr>(s: &str) -> Option<T> {
    s.parse().ok()
}

/// The hash of a KDF name, with an optional `hmac-` before it (`pbkdf2-hmac-sha-256`).
fn kdf_hash(tokens: &[&str]) -> Option<HashAlg> {
    HashAlg::parse(tokens.strip_prefix(&["hmac"]).unwrap_or(tokens))
}

fn parse_cipher(tokens: &[&str]) -> Option<(BlockCipher, u16, usize)> {
    match tokens {
        ["aes", bits, ..] => Some((BlockCipher::Aes, parse_bits(bits)?, 2)),
        ["camellia", bits, ..] => Some((BlockCipher::Camellia, parse_bits(bits)?, 2)),
        ["3des" | "tdes" | "tdea" | "des3" | "des-ede3", ..] => {
            Some((BlockCipher::TripleDes, 168, 1))
        }
        ["2key", "3des", ..] | ["des-ede", ..] => Some((BlockCipher::TripleDes2Key, 112, 2)),
        ["des", ..] => Some((BlockCipher::Des, 56, 1)),
        _ => None,
    }
}

fn parse_inner(s: &str) -> Option<Algorithm> {
    use Algorithm::*;
    let lower = s.trim().to_ascii_lowercase().replace('_', "-");
    let tokens: Vec<&str> = lower.split('-').filter(|t| !t.is_empty()).collect();
    let t = tokens.as_slice();
    let hash_at = |i: usize| HashAlg::parse(t.get(i..)?);
    let bits_at = |i: usize| t.get(i).and_then(|b| parse_bits::<u32>(b));
    let alg = match t {
        ["chacha20", "poly1305"] => ChaCha20Poly1305,
        ["kcipher2"] | ["kcipher", "2"] => KCipher2,
        ["rc4", ..] | ["arcfour", ..] => Rc4,
        ["ed25519"] => EdDsa(Edwards::Ed25519),
        ["ed448"] => EdDsa(Edwards::Ed448),
        ["x25519"] => Xdh(Montgomery::X25519),
        ["x448"] => Xdh(Montgomery::X448),
        ["ml", "kem", p] | ["mlkem", p] => match *p {
            "512" => MlKem(512),
            "768" => MlKem(768),
            "1024" => MlKem(1024),
            _ => return None,
        },
        ["hmac", ..] => Hmac(hash_at(1)?),
        ["hkdf", rest @ ..] => Hkdf(kdf_hash(rest)?),
        ["pbkdf2", rest @ ..] => Pbkdf2(kdf_hash(rest)?),
        ["cmac", rest @ ..] | ["cbc", "mac", rest @ ..] | ["cbcmac", rest @ ..] => {
            let (cipher, key_bits, used) = parse_cipher(rest)?;
            if used != rest.len() {
                return None;
            }
            if t[0] == "cmac" {
                Cmac { cipher, key_bits }
            } else {
                CbcMac { cipher, key_bits }
            }
        }
        ["rsa", "pss", ..] | ["rsassa", "pss", ..] => {
            let (bits, hash) = (bits_at(2)?, hash_at(3)?);
            RsaPss { bits, hash }
        }
        ["rsassa", "pkcs1", ..] | ["rsa", "pkcs1", ..] => RsaPkcs1Sign {
            bits: bits_at(2)?,
            hash: hash_at(3)?,
        },
        ["rsa", "oaep", ..] | ["rsaes", "oaep", ..] => RsaOaep {
            bits: bits_at(2)?,
            hash: hash_at(3)?,
        },
        ["rsaes", "pkcs1", b] => RsaPkcs1Encrypt {
            bits: parse_bits(b)?,
        },
        ["rsa", b] => RsaKey {
            bits: parse_bits(b)?,
        },
        ["ecdsa", rest @ ..] => {
            let (curve, used) = Curve::parse(rest)?;
            let hash = if rest.len() > used {
                Some(HashAlg::parse(&rest[used..])?)
            } else {
                None
            };
            Ecdsa { curve, hash }
        }
        ["ecdh", rest @ ..] => {
            let (curve, used) = Curve::parse(rest)?;
            if used != rest.len() {
                return None;
            }
            Ecdh(curve)
        }
        ["dh", b] => Dh {
            bits: parse_bits(b)?,
        },
        [ff] if ff.starts_with("ffdhe") => Dh {
            bits: parse_bits(&ff[5..])?,
        },
        ["dsa", l, rest @ ..] => {
            let l: u32 = parse_bits(l)?;
            let (n, rest) = match rest {
                [n, r @ ..] if n.chars().all(|c| c.is_ascii_digit()) => (parse_bits(n)?, r),
                r => (
                    if l >= 3072 {
                        256
                    } else if l >= 2048 {
                        224
                    } else {
                        160
                    },
                    r,
                ),
            };
            let hash = if rest.is_empty() {
                None
            } else {
                Some(HashAlg::parse(rest)?)
            };
            Dsa { l, n, hash }
        }
        _ => {
            if let Some(h) = HashAlg::parse(t) {
                Hash(h)
            } else {
                let (cipher, key_bits, used) = parse_cipher(t)?;
                let mode = match &t[used..] {
                    [] => None,
                    [m] => Some(Mode::parse(m)?),
                    _ => return None,
                };
                Cipher {
                    cipher,
                    key_bits,
                    mode,
                }
            }
        }
    };
    alg.is_well_formed().then_some(alg)
}

impl Algorithm {
    fn is_well_formed(&self) -> bool {
        use Algorithm::*;
        match *self {
            Cipher {
                cipher, key_bits, ..
            }
            | Cmac { cipher, key_bits }
            | CbcMac { cipher, key_bits } => cipher.key_sizes().contains(&key_bits),
            RsaPss { bits, .. }
            | RsaPkcs1Sign { bits, .. }
            | RsaOaep { bits, .. }
            | RsaPkcs1Encrypt { bits }
            | RsaKey { bits }
            | Dh { bits } => (256..=65536).contains(&bits),
            Dsa { l, n, .. } => (512..=65536).contains(&l) && (128..=512).contains(&n),
            _ => true,
        }
    }
}

/// Edit distance between `a` (as chars) and `b`, for suggesting the nearest known names. One
/// row, reused across calls: `suggestions` compares every known name, and allocating a row per
/// character made that the cost of refusing an unknown name.
fn distance(a: &[char], b: &str, row: &mut Vec<usize>) -> usize {
    row.clear();
    row.extend(0..=a.len());
    for (j, cb) in b.chars().enumerate() {
        let mut diag = row[0];
        row[0] = j + 1;
        for (i, ca) in a.iter().enumerate() {
            let above = row[i + 1];
            row[i + 1] = (diag + usize::from(*ca != cb))
                .min(above + 1)
                .min(row[i] + 1);
            diag = above;
        }
    }
    row[a.len()]
}

/// Names longer than this get no suggestions: every known name is far shorter, so none is
/// near, and the edit distance costs time in proportion to the length (found by fuzzing: a
/// few kilobytes of text held `parse` to a few hundred names a second).
const SUGGEST_MAX_CHARS: usize = 64;

/// The nearest known names to `s`, best first; none for text far longer than any name.
pub fn suggestions(s: &str) -> Vec<&'static str> {
    if s.chars().count() > SUGGEST_MAX_CHARS {
        return Vec::new();
    }
    let s: Vec<char> = s.to_ascii_lowercase().chars().collect();
    let mut row = Vec::with_capacity(s.len() + 1);
    let mut scored: Vec<(usize, &str)> = Algorithm::examples()
        .iter()
        .map(|e| (distance(&s, e, &mut row), *e))
        .collect();
    scored.sort();
    let best = scored.first().map_or(0, |x| x.0);
    scored
        .into_iter()
        .take_while(|(d, _)| *d <= best + 1)
        .take(3)
        .map(|(_, e)| e)
        .collect()
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        parse_inner(s).ok_or_else(|| Error::UnknownAlgorithm {
            name: s.to_string(),
            suggestions: suggestions(s).into_iter().map(String::from).collect(),
        })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Algorithm::*;
        match *self {
            Cipher {
                cipher,
                key_bits,
                mode,
            } => {
                f.write_str(&cipher.prefix(key_bits))?;
                if let Some(m) = mode {
                    write!(f, "-{}", m.entry().to_ascii_lowercase())?;
                }
                Ok(())
            }
            ChaCha20Poly1305 => f.write_str("chacha20-poly1305"),
            KCipher2 => f.write_str("kcipher-2"),
            Rc4 => f.write_str("rc4"),
            Hash(h) => write!(f, "{h}"),
            Hmac(h) => write!(f, "hmac-{h}"),
            Hkdf(h) => write!(f, "hkdf-{h}"),
            Pbkdf2(h) => write!(f, "pbkdf2-{h}"),
            Cmac { cipher, key_bits } => write!(f, "cmac-{}", cipher.prefix(key_bits)),
            CbcMac { cipher, key_bits } => write!(f, "cbc-mac-{}", cipher.prefix(key_bits)),
            RsaPss { bits, hash } => write!(f, "rsa-pss-{bits}-{}", hash.compact()),
            RsaPkcs1Sign { bits, hash } => write!(f, "rsassa-pkcs1-{bits}-{}", hash.compact()),
            RsaOaep { bits, hash } => write!(f, "rsa-oaep-{bits}-{}", hash.compact()),
            RsaPkcs1Encrypt { bits } => write!(f, "rsaes-pkcs1-{bits}"),
            RsaKey { bits } => write!(f, "rsa-{bits}"),
            Ecdsa { curve, hash } => {
                write!(f, "ecdsa-{}", curve.name())?;
                if let Some(h) = hash {
                    write!(f, "-{}", h.compact())?;
                }
                Ok(())
            }
            EdDsa(Edwards::Ed25519) => f.write_str("ed25519"),
            EdDsa(Edwards::Ed448) => f.write_str("ed448"),
            Dsa { l, n, hash } => {
                write!(f, "dsa-{l}-{n}")?;
                if let Some(h) = hash {
                    write!(f, "-{}", h.compact())?;
                }
                Ok(())
            }
            Ecdh(c) => write!(f, "ecdh-{}", c.name()),
            Dh { bits } => write!(f, "dh-{bits}"),
            Xdh(Montgomery::X25519) => f.write_str("x25519"),
            Xdh(Montgomery::X448) => f.write_str("x448"),
            MlKem(p) => write!(f, "ml-kem-{p}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_parses_and_prints_back_to_itself() {
        for name in Algorithm::examples() {
            let alg: Algorithm = name.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(alg.to_string(), *name);
        }
    }

    #[test]
    fn aliases_parse_to_the_same_algorithm() {
        let pairs = [
            ("AES_256_GCM", "aes-256-gcm"),
            ("sha256", "sha-256"),
            ("SHA-512-256", "sha-512/256"),
            ("hmac-sha256", "hmac-sha-256"),
            ("pbkdf2-hmac-sha-256", "pbkdf2-sha-256"),
            ("ecdsa-secp256r1-sha-256", "ecdsa-p256-sha256"),
            ("ecdh-p-384", "ecdh-p384"),
            ("ffdhe3072", "dh-3072"),
            ("kcipher2", "kcipher-2"),
            ("tdes", "3des"),
            ("rsa-pss-3072-sha-256", "rsa-pss-3072-sha256"),
        ];
        for (alias, canonical) in pairs {
            let a: Algorithm = alias.parse().unwrap_or_else(|e| panic!("{alias}: {e}"));
            assert_eq!(a.to_string(), canonical, "{alias}");
        }
    }

    #[test]
    fn unknown_names_are_refused_with_suggestions() {
        let err = "aes-257-gcm".parse::<Algorithm>().unwrap_err();
        match err {
            Error::UnknownAlgorithm { suggestions, .. } => {
                assert!(
                    suggestions.contains(&"aes-256-gcm".to_string()),
                    "{suggestions:?}"
                )
            }
            e => panic!("{e}"),
        }
        for bad in [
            "",
            "aes",
            "aes-256-gcm-x",
            "shake128-0",
            "rsa-pss-3072",
            "ecdsa-p255",
        ] {
            assert!(bad.parse::<Algorithm>().is_err(), "{bad}");
        }
    }

    #[test]
    fn strengths_of_hashes() {
        assert_eq!(HashAlg::Sha256.collision_bits(), 128);
        assert_eq!(HashAlg::Shake128(256).collision_bits(), 128);
        assert_eq!(HashAlg::Shake128(512).collision_bits(), 128);
        assert_eq!(HashAlg::Shake256(512).collision_bits(), 256);
        assert!(HashAlg::Sha1.collision_bits() < 80);
    }

    #[test]
    fn suggestions_never_panic() {
        assert!(!suggestions("").is_empty());
        assert!(!suggestions("日本語").is_empty());
    }

    /// Fuzzing found parsing slow on long text: every unknown name was compared with every
    /// known one. Text far longer than any name gets no suggestions, and a megabyte of it is
    /// refused at once.
    #[test]
    fn edit_distance() {
        let mut row = Vec::new();
        let d = |a: &str, b: &str, row: &mut Vec<usize>| {
            distance(&a.chars().collect::<Vec<_>>(), b, row)
        };
        assert_eq!(d("kitten", "sitting", &mut row), 3);
        assert_eq!(d("", "abc", &mut row), 3);
        assert_eq!(d("abc", "", &mut row), 3);
        assert_eq!(d("aes-256-gcm", "aes-256-gcm", &mut row), 0);
        assert_eq!(d("日本", "日x本", &mut row), 1);
        assert_eq!(d("flaw", "lawn", &mut row), 2);
    }

    #[test]
    fn long_text_gets_no_suggestions() {
        let longest = Algorithm::examples().iter().map(|e| e.len()).max().unwrap();
        assert!(longest < SUGGEST_MAX_CHARS);
        assert!(suggestions(&"a".repeat(SUGGEST_MAX_CHARS + 1)).is_empty());
        assert!(!suggestions("aes-256-gcmx").is_empty());
        let start = std::time::Instant::now();
        let err = "x".repeat(1 << 20).parse::<Algorithm>().unwrap_err();
        assert!(
            matches!(err, Error::UnknownAlgorithm { ref suggestions, .. } if suggestions.is_empty())
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
