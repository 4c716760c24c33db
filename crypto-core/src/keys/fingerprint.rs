//! Key fingerprints: SHA-256 over the DER SubjectPublicKeyInfo, the same bytes as
//! `openssl pkey -pubin -outform DER | openssl dgst -sha256`.

use crate::hash::{HashAlgorithm, digest_unchecked};

/// A SHA-256 fingerprint of a public key (or of a certificate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Fingerprint {
        let d = digest_unchecked(HashAlgorithm::Sha256, bytes);
        let mut out = [0u8; 32];
        out.copy_from_slice(&d);
        Fingerprint(out)
    }

    /// `sha256:` and 64 lowercase hex digits.
    pub fn hex(&self) -> String {
        format!("sha256:{}", hex::encode(self.0))
    }

    /// Parses what [`Fingerprint::hex`] writes (the `sha256:` prefix and colons optional).
    pub fn parse(s: &str) -> Option<Fingerprint> {
        let s = s.trim();
        let s = s
            .strip_prefix("sha256:")
            .or_else(|| s.strip_prefix("SHA256:"))
            .unwrap_or(s);
        let clean: String = s
            .chars()
            .filter(|c| *c != ':' && !c.is_whitespace())
            .collect();
        let bytes = hex::decode(clean).ok()?;
        Some(Fingerprint(bytes.try_into().ok()?))
    }

    /// A form to read aloud over the telephone (第113条1項): the first 128 bits as 40 decimal
    /// digits in eight groups of five. Digits are read the same way in every language, and 128
    /// bits leave a forger a second-preimage search of 2^128.
    pub fn spoken(&self) -> String {
        let mut first = [0u8; 16];
        first.copy_from_slice(&self.0[..16]);
        let digits = format!("{:040}", u128::from_be_bytes(first));
        digits
            .as_bytes()
            .chunks(5)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        // SHA-256("abc"), FIPS 180-2 Appendix B.1.
        let f = Fingerprint::of(b"abc");
        assert_eq!(
            f.hex(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Fingerprint::parse(&f.hex()), Some(f));
        let spoken = f.spoken();
        assert_eq!(spoken.len(), 47);
        assert_eq!(spoken.split(' ').count(), 8);
        let value = spoken.replace(' ', "").parse::<u128>().ok();
        assert_eq!(value, Some(0xba7816bf8f01cfea414140de5dae2223));
    }
}
