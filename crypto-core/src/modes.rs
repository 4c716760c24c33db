//! The block-cipher modes of the e-Government Recommended list over AES and Camellia: CBC,
//! CFB, OFB and CTR (SP 800-38A), CCM (SP 800-38C / RFC 3610, RFC 5528), CMAC (SP 800-38B /
//! RFC 4493) and XTS (SP 800-38E, storage only — 注5). Each call asks the policy first, with the
//! key size and the use, and returns the verdict.
//!
//! The unauthenticated modes (CBC, CFB, OFB, CTR, XTS) protect confidentiality only: for data
//! in transit or at rest use [`crate::envelope`] or an AEAD ([`crate::aead`], [`ccm_seal`]),
//! unless interoperability requires otherwise.
//!
//! ```
//! use crypto_core::{Provider, modes};
//! use cryptrec::BlockCipher;
//! let p = Provider::egov()?;
//! let key = [0x11u8; 16];
//! let sealed = modes::ccm_seal(&p, BlockCipher::Camellia, &key, &[7u8; 13], b"hdr", b"data", 16)?;
//! assert_eq!(modes::ccm_open(&p, BlockCipher::Camellia, &key, &[7u8; 13], b"hdr", &sealed, 16)?, b"data");
//! let mac = modes::CmacKey::new(&p, BlockCipher::Aes, &key)?;
//! assert!(mac.verify(b"msg", &mac.tag(b"msg")).is_ok());
//! # Ok::<(), crypto_core::Error>(())
//! ```

use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit, StreamCipher};
use cryptrec::{Algorithm, BlockCipher, Mode, Use, Verdict};

use crate::Error;
use crate::provider::Provider;
use crate::secret::{SecretBytes, ct_eq};

/// Runs `$body` with `$C` bound to the block cipher type for `$cipher` and the key's length.
macro_rules! with_cipher {
    ($cipher:expr, $len:expr, $C:ident => $body:expr) => {
        match ($cipher, $len) {
            (BlockCipher::Aes, 16) => {
                type $C = aes::Aes128;
                $body
            }
            (BlockCipher::Aes, 24) => {
                type $C = aes::Aes192;
                $body
            }
            (BlockCipher::Aes, 32) => {
                type $C = aes::Aes256;
                $body
            }
            (BlockCipher::Camellia, 16) => {
                type $C = camellia::Camellia128;
                $body
            }
            (BlockCipher::Camellia, 24) => {
                type $C = camellia::Camellia192;
                $body
            }
            (BlockCipher::Camellia, 32) => {
                type $C = camellia::Camellia256;
                $body
            }
            _ => {
                return Err(Error::InvalidKey(
                    "AES or Camellia with a 128-, 192- or 256-bit key",
                ))
            }
        }
    };
}

fn check(
    provider: &Provider,
    cipher: BlockCipher,
    key_len: usize,
    mode: Mode,
    use_: Use,
) -> Result<Verdict, Error> {
    provider.check(
        &Algorithm::Cipher {
            cipher,
            key_bits: (key_len * 8) as u16,
            mode: Some(mode),
        },
        use_,
    )
}

fn key_err(_: cipher::InvalidLength) -> Error {
    Error::InvalidKey("the key or IV has the wrong length")
}

/// CTR (SP 800-38A §6.5) with a 128-bit big-endian counter block: encrypts with
/// `Use::Protect`, decrypts with `Use::Process` (the same keystream).
pub fn ctr(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    counter: &[u8; 16],
    data: &mut [u8],
    use_: Use,
) -> Result<Verdict, Error> {
    let v = check(provider, cipher, key.len(), Mode::Ctr, use_)?;
    with_cipher!(cipher, key.len(), C => {
        ctr::Ctr128BE::<C>::new_from_slices(key, counter)
            .map_err(key_err)?
            .apply_keystream(data)
    });
    Ok(v)
}

/// OFB (SP 800-38A §6.4).
pub fn ofb(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    iv: &[u8; 16],
    data: &mut [u8],
    use_: Use,
) -> Result<Verdict, Error> {
    let v = check(provider, cipher, key.len(), Mode::Ofb, use_)?;
    with_cipher!(cipher, key.len(), C => {
        ofb::Ofb::<C>::new_from_slices(key, iv)
            .map_err(key_err)?
            .apply_keystream(data)
    });
    Ok(v)
}

/// CFB-128 (SP 800-38A §6.3) encryption.
pub fn cfb_encrypt(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    iv: &[u8; 16],
    data: &mut [u8],
) -> Result<Verdict, Error> {
    let v = check(provider, cipher, key.len(), Mode::Cfb, Use::Protect)?;
    with_cipher!(cipher, key.len(), C => {
        cfb_mode::Encryptor::<C>::new_from_slices(key, iv)
            .map_err(key_err)?
            .encrypt(data)
    });
    Ok(v)
}

/// CFB-128 decryption.
pub fn cfb_decrypt(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    iv: &[u8; 16],
    data: &mut [u8],
) -> Result<Verdict, Error> {
    let v = check(provider, cipher, key.len(), Mode::Cfb, Use::Process)?;
    with_cipher!(cipher, key.len(), C => {
        cfb_mode::Decryptor::<C>::new_from_slices(key, iv)
            .map_err(key_err)?
            .decrypt(data)
    });
    Ok(v)
}

/// CBC (SP 800-38A §6.2) with PKCS#7 padding (`pad`) or none (the length must then be a
/// multiple of 16).
pub fn cbc_encrypt(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    iv: &[u8; 16],
    data: &[u8],
    pad: bool,
) -> Result<Vec<u8>, Error> {
    check(provider, cipher, key.len(), Mode::Cbc, Use::Protect)?;
    cbc_encrypt_unchecked(cipher, key, iv, data, pad)
}

/// CBC decryption; a wrong padding is [`Error::NotAuthentic`] (CBC alone cannot tell a wrong
/// key from altered data).
pub fn cbc_decrypt(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    iv: &[u8; 16],
    data: &[u8],
    pad: bool,
) -> Result<Vec<u8>, Error> {
    check(provider, cipher, key.len(), Mode::Cbc, Use::Process)?;
    cbc_decrypt_unchecked(cipher, key, iv, data, pad)
}

/// CBC without the policy check, for callers that judged the whole scheme already (PBES2).
pub(crate) fn cbc_encrypt_unchecked(
    cipher: BlockCipher,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
    pad: bool,
) -> Result<Vec<u8>, Error> {
    use cipher::block_padding::{NoPadding, Pkcs7};
    if !pad && data.len() % 16 != 0 {
        return Err(Error::InvalidInput(
            "unpadded CBC needs whole 16-byte blocks",
        ));
    }
    Ok(with_cipher!(cipher, key.len(), C => {
        let e = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(key_err)?;
        if pad {
            e.encrypt_padded_vec::<Pkcs7>(data)
        } else {
            e.encrypt_padded_vec::<NoPadding>(data)
        }
    }))
}

/// CBC decryption without the policy check (see [`cbc_encrypt_unchecked`]).
pub(crate) fn cbc_decrypt_unchecked(
    cipher: BlockCipher,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
    pad: bool,
) -> Result<Vec<u8>, Error> {
    use cipher::block_padding::{NoPadding, Pkcs7};
    if data.len() % 16 != 0 || (pad && data.is_empty()) {
        return Err(Error::InvalidInput(
            "CBC ciphertext is whole 16-byte blocks",
        ));
    }
    with_cipher!(cipher, key.len(), C => {
        let d = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(key_err)?;
        if pad {
            d.decrypt_padded_vec::<Pkcs7>(data).map_err(|_| Error::NotAuthentic)
        } else {
            d.decrypt_padded_vec::<NoPadding>(data).map_err(|_| Error::NotAuthentic)
        }
    })
}

/// A CMAC key (SP 800-38B).
pub struct CmacKey {
    cipher: BlockCipher,
    key: SecretBytes,
}

impl CmacKey {
    /// A CMAC key over `cipher`; the policy is asked now.
    pub fn new(provider: &Provider, cipher: BlockCipher, key: &[u8]) -> Result<CmacKey, Error> {
        provider.check(
            &Algorithm::Cmac {
                cipher,
                key_bits: (key.len() * 8) as u16,
            },
            Use::Protect,
        )?;
        if ![16, 24, 32].contains(&key.len()) {
            return Err(Error::InvalidKey("a 128-, 192- or 256-bit key"));
        }
        Ok(CmacKey {
            cipher,
            key: SecretBytes::new(key.to_vec()),
        })
    }

    /// The 128-bit tag of `msg`.
    pub fn tag(&self, msg: &[u8]) -> [u8; 16] {
        self.compute(msg).unwrap_or([0u8; 16])
    }

    fn compute(&self, msg: &[u8]) -> Result<[u8; 16], Error> {
        use cmac::Mac;
        let key = self.key.expose();
        let mut out = [0u8; 16];
        with_cipher!(self.cipher, key.len(), C => {
            let mut m = <cmac::Cmac<C> as KeyInit>::new_from_slice(key).map_err(key_err)?;
            m.update(msg);
            out.copy_from_slice(&m.finalize().into_bytes());
        });
        Ok(out)
    }

    /// Checks a tag of 8 to 16 bytes (a truncated tag is its leading bytes; SP 800-38B §5.5
    /// advises at least 64 bits), in constant time.
    pub fn verify(&self, msg: &[u8], tag: &[u8]) -> Result<(), Error> {
        if !(8..=16).contains(&tag.len()) {
            return Err(Error::InvalidInput("a CMAC tag of 8 to 16 bytes"));
        }
        let full = self.compute(msg)?;
        if ct_eq(&full[..tag.len()], tag) {
            Ok(())
        } else {
            Err(Error::NotAuthentic)
        }
    }
}

/// Runs `$body` with `$N` and `$M` bound to typenum sizes for the nonce and tag lengths.
macro_rules! with_ccm_sizes {
    ($n:expr, $m:expr, $N:ident, $M:ident => $body:expr) => {{
        use ccm::consts::*;
        macro_rules! tags {
            ($NN:ty) => {
                match $m {
                    4 => {
                        type $N = $NN;
                        type $M = U4;
                        $body
                    }
                    6 => {
                        type $N = $NN;
                        type $M = U6;
                        $body
                    }
                    8 => {
                        type $N = $NN;
                        type $M = U8;
                        $body
                    }
                    10 => {
                        type $N = $NN;
                        type $M = U10;
                        $body
                    }
                    12 => {
                        type $N = $NN;
                        type $M = U12;
                        $body
                    }
                    14 => {
                        type $N = $NN;
                        type $M = U14;
                        $body
                    }
                    16 => {
                        type $N = $NN;
                        type $M = U16;
                        $body
                    }
                    _ => {
                        return Err(Error::InvalidInput(
                            "a CCM tag of 4, 6, 8, 10, 12, 14 or 16 bytes",
                        ))
                    }
                }
            };
        }
        match $n {
            7 => tags!(U7),
            8 => tags!(U8),
            9 => tags!(U9),
            10 => tags!(U10),
            11 => tags!(U11),
            12 => tags!(U12),
            13 => tags!(U13),
            _ => return Err(Error::InvalidInput("a CCM nonce of 7 to 13 bytes")),
        }
    }};
}

/// CCM encryption: returns ciphertext ‖ tag (`tag_len` bytes).
pub fn ccm_seal(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    tag_len: usize,
) -> Result<Vec<u8>, Error> {
    use ccm::aead::{Aead, Payload};
    check(provider, cipher, key.len(), Mode::Ccm, Use::Protect)?;
    with_cipher!(cipher, key.len(), C => {
        with_ccm_sizes!(nonce.len(), tag_len, N, M => {
            let c = <ccm::Ccm<C, M, N> as KeyInit>::new_from_slice(key).map_err(key_err)?;
            let n = ccm::aead::Nonce::<ccm::Ccm<C, M, N>>::try_from(nonce)
                .map_err(|_| Error::InvalidInput("CCM nonce length"))?;
            c.encrypt(&n, Payload { msg: plaintext, aad })
                .map_err(|_| Error::InvalidInput("CCM input too long for the nonce size"))
        })
    })
}

/// CCM decryption of ciphertext ‖ tag; nothing is returned unless the tag verifies.
pub fn ccm_open(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    sealed: &[u8],
    tag_len: usize,
) -> Result<Vec<u8>, Error> {
    use ccm::aead::{Aead, Payload};
    check(provider, cipher, key.len(), Mode::Ccm, Use::Process)?;
    if sealed.len() < tag_len {
        return Err(Error::NotAuthentic);
    }
    with_cipher!(cipher, key.len(), C => {
        with_ccm_sizes!(nonce.len(), tag_len, N, M => {
            let c = <ccm::Ccm<C, M, N> as KeyInit>::new_from_slice(key).map_err(key_err)?;
            let n = ccm::aead::Nonce::<ccm::Ccm<C, M, N>>::try_from(nonce)
                .map_err(|_| Error::InvalidInput("CCM nonce length"))?;
            c.decrypt(&n, Payload { msg: sealed, aad })
                .map_err(|_| Error::NotAuthentic)
        })
    })
}

/// XTS (SP 800-38E / IEEE 1619) on one data unit (sector) of at least 16 bytes: `key` is both
/// halves (32 or 64 bytes); `tweak` is the 128-bit tweak (the data-unit number, little-endian,
/// for IEEE 1619). The policy's 注5 applies: storage only, 128- or 256-bit keys.
pub fn xts(
    provider: &Provider,
    cipher: BlockCipher,
    key: &[u8],
    tweak: &[u8; 16],
    data: &mut [u8],
    encrypt: bool,
) -> Result<Verdict, Error> {
    if key.len() != 32 && key.len() != 64 {
        return Err(Error::InvalidKey(
            "an XTS key is two 128- or 256-bit halves",
        ));
    }
    if data.len() < 16 {
        return Err(Error::InvalidInput("an XTS data unit is at least 16 bytes"));
    }
    let half = key.len() / 2;
    if ct_eq(&key[..half], &key[half..]) {
        // SP 800-38E: the two keys must differ.
        return Err(Error::InvalidKey(
            "the two halves of an XTS key must differ",
        ));
    }
    let v = check(
        provider,
        cipher,
        half,
        Mode::Xts,
        if encrypt { Use::Protect } else { Use::Process },
    )?;
    with_cipher!(cipher, half, C => {
        let k1 = C::new_from_slice(&key[..half]).map_err(key_err)?;
        let k2 = C::new_from_slice(&key[half..]).map_err(key_err)?;
        let x = xts_mode::Xts128::new(k1, k2);
        let t = (*tweak).into();
        if encrypt {
            x.encrypt_sector(data, t)
        } else {
            x.decrypt_sector(data, t)
        }
    });
    Ok(v)
}
