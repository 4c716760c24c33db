//! Small helpers over RSA keys shared by signatures and RSA-OAEP.

use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;

use crate::Error;

/// Bits of a big-endian modulus (leading zero bytes ignored).
pub(crate) fn modulus_bits(n: &[u8]) -> u32 {
    let n = match n.iter().position(|&b| b != 0) {
        Some(i) => &n[i..],
        None => return 0,
    };
    let len = u32::try_from(n.len()).unwrap_or(u32::MAX / 8);
    len * 8 - n[0].leading_zeros()
}

/// Parses a PKCS#1 RSAPublicKey (DER) and returns it with its modulus size in bits.
pub(crate) fn parse_public(der: &[u8]) -> Result<(rsa::PublicKey, u32), Error> {
    let key = rsa::PublicKey::from_pkcs1_der(der)
        .map_err(|_| Error::InvalidKey("not a PKCS#1 RSA public key"))?;
    let bits = modulus_bits(&key.n_bytes());
    Ok((key, bits))
}

#[cfg(test)]
mod tests {
    #[test]
    fn modulus_bits_counts_from_the_top_set_bit() {
        assert_eq!(super::modulus_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(super::modulus_bits(&[0x01, 0x00]), 9);
        assert_eq!(super::modulus_bits(&[]), 0);
    }
}
