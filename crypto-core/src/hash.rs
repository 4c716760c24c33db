//! Hash functions: SHA-2 (ring) and SHA-3 / SHAKE (RustCrypto `sha3`).

use cryptrec::{Algorithm, HashAlg, Use};
use ring::digest;
use sha3::digest::{Digest as _, ExtendableOutput, Update, XofReader};

use crate::Error;
use crate::provider::Provider;

/// The fixed-output hashes crypto-core implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA-512/256.
    Sha512_256,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
}

impl HashAlgorithm {
    /// Every hash, in order.
    pub const ALL: [HashAlgorithm; 7] = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
        HashAlgorithm::Sha512_256,
        HashAlgorithm::Sha3_256,
        HashAlgorithm::Sha3_384,
        HashAlgorithm::Sha3_512,
    ];

    /// The vocabulary's hash.
    pub fn hash_alg(self) -> HashAlg {
        match self {
            HashAlgorithm::Sha256 => HashAlg::Sha256,
            HashAlgorithm::Sha384 => HashAlg::Sha384,
            HashAlgorithm::Sha512 => HashAlg::Sha512,
            HashAlgorithm::Sha512_256 => HashAlg::Sha512_256,
            HashAlgorithm::Sha3_256 => HashAlg::Sha3_256,
            HashAlgorithm::Sha3_384 => HashAlg::Sha3_384,
            HashAlgorithm::Sha3_512 => HashAlg::Sha3_512,
        }
    }

    /// From the vocabulary's hash, if implemented.
    pub fn from_hash_alg(h: HashAlg) -> Result<HashAlgorithm, Error> {
        HashAlgorithm::ALL
            .into_iter()
            .find(|a| a.hash_alg() == h)
            .ok_or_else(|| Error::Unsupported(format!("hash {h}")))
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        usize::from(self.hash_alg().output_bits() / 8)
    }
}

enum Imp {
    Ring(digest::Context),
    Sha3_256(sha3::Sha3_256),
    Sha3_384(sha3::Sha3_384),
    Sha3_512(sha3::Sha3_512),
}

/// A streaming hash.
pub struct Hasher {
    alg: HashAlgorithm,
    imp: Imp,
}

impl Hasher {
    /// A new hash computation; refused if the policy refuses the hash for processing.
    pub fn new(provider: &Provider, alg: HashAlgorithm) -> Result<Hasher, Error> {
        provider.check(&Algorithm::Hash(alg.hash_alg()), Use::Process)?;
        Ok(Self::unchecked(alg))
    }

    pub(crate) fn unchecked(alg: HashAlgorithm) -> Hasher {
        let imp = match alg {
            HashAlgorithm::Sha256 => Imp::Ring(digest::Context::new(&digest::SHA256)),
            HashAlgorithm::Sha384 => Imp::Ring(digest::Context::new(&digest::SHA384)),
            HashAlgorithm::Sha512 => Imp::Ring(digest::Context::new(&digest::SHA512)),
            HashAlgorithm::Sha512_256 => Imp::Ring(digest::Context::new(&digest::SHA512_256)),
            HashAlgorithm::Sha3_256 => Imp::Sha3_256(sha3::Sha3_256::new()),
            HashAlgorithm::Sha3_384 => Imp::Sha3_384(sha3::Sha3_384::new()),
            HashAlgorithm::Sha3_512 => Imp::Sha3_512(sha3::Sha3_512::new()),
        };
        Hasher { alg, imp }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// Feeds data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.imp {
            Imp::Ring(c) => c.update(data),
            Imp::Sha3_256(h) => Update::update(h, data),
            Imp::Sha3_384(h) => Update::update(h, data),
            Imp::Sha3_512(h) => Update::update(h, data),
        }
    }

    /// The digest.
    pub fn finish(self) -> Vec<u8> {
        match self.imp {
            Imp::Ring(c) => c.finish().as_ref().to_vec(),
            Imp::Sha3_256(h) => h.finalize().to_vec(),
            Imp::Sha3_384(h) => h.finalize().to_vec(),
            Imp::Sha3_512(h) => h.finalize().to_vec(),
        }
    }
}

/// The digest of everything `reader` yields. Reading runs on a second thread, overlapped
/// with hashing, through three rotating 1 MiB buffers: memory stays constant however large
/// the input, and the hash — not the copy out of the page cache — sets the pace.
pub fn digest_reader(
    provider: &Provider,
    alg: HashAlgorithm,
    reader: &mut (dyn std::io::Read + Send),
) -> Result<Vec<u8>, Error> {
    use std::sync::mpsc;
    const BUF: usize = 1 << 20;
    let mut h = Hasher::new(provider, alg)?;
    let (full_tx, full_rx) = mpsc::sync_channel::<std::io::Result<(Vec<u8>, usize)>>(3);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<Vec<u8>>(3);
    for _ in 0..3 {
        let _ = empty_tx.send(vec![0u8; BUF]);
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                let n = loop {
                    match reader.read(&mut buf) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let done = !matches!(n, Ok(k) if k > 0);
                if full_tx.send(n.map(|k| (buf, k))).is_err() || done {
                    return;
                }
            }
        });
        loop {
            match full_rx.recv() {
                Ok(Ok((_, 0))) | Err(_) => return Ok(h.finish()),
                Ok(Ok((buf, n))) => {
                    h.update(&buf[..n]);
                    let _ = empty_tx.send(buf);
                }
                Ok(Err(e)) => return Err(Error::Io(e)),
            }
        }
    })
}

/// One-shot digest without a policy check, for fingerprints and self-tests.
pub(crate) fn digest_unchecked(alg: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::unchecked(alg);
    h.update(data);
    h.finish()
}

/// One-shot hash.
pub fn digest(provider: &Provider, alg: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut h = Hasher::new(provider, alg)?;
    h.update(data);
    Ok(h.finish())
}

/// SHAKE variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shake {
    /// SHAKE128.
    Shake128,
    /// SHAKE256.
    Shake256,
}

/// SHAKE with `out_len` bytes of output; the policy enforces 注4 (at least 256 bits).
pub fn shake(
    provider: &Provider,
    variant: Shake,
    data: &[u8],
    out_len: usize,
) -> Result<Vec<u8>, Error> {
    let bits =
        u16::try_from(out_len * 8).map_err(|_| Error::InvalidInput("SHAKE output too long"))?;
    let alg = match variant {
        Shake::Shake128 => HashAlg::Shake128(bits),
        Shake::Shake256 => HashAlg::Shake256(bits),
    };
    provider.check(&Algorithm::Hash(alg), Use::Process)?;
    Ok(shake_unchecked(variant, data, out_len))
}

pub(crate) fn shake_unchecked(variant: Shake, data: &[u8], out_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_len];
    match variant {
        Shake::Shake128 => {
            let mut h = shake::Shake128::default();
            h.update(data);
            h.finalize_xof().read(&mut out);
        }
        Shake::Shake256 => {
            let mut h = shake::Shake256::default();
            h.update(data);
            h.finalize_xof().read(&mut out);
        }
    }
    out
}

#[cfg(test)]
mod reader_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk gone"));
            }
            let n = buf.len().min(self.0).min(1000);
            self.0 -= n;
            Ok(n)
        }
    }

    #[test]
    fn the_streaming_digest_equals_the_one_shot_digest_at_every_size() {
        let p = Provider::egov().unwrap();
        for size in [0usize, 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 17] {
            let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha3_512] {
                let got = digest_reader(&p, alg, &mut data.as_slice()).unwrap();
                assert_eq!(got, digest(&p, alg, &data).unwrap(), "{size} {alg:?}");
            }
        }
        assert!(matches!(
            digest_reader(&p, HashAlgorithm::Sha256, &mut Failing(5000)),
            Err(Error::Io(_))
        ));
    }
}
