//! EME-OAEP decoding (RFC 8017 §7.1.2 step 3), in constant time.

use sha2::digest::{Digest, FixedOutputReset};
use sha2::{Sha256, Sha384, Sha512};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::rsa_oaep::OaepHash;
use crate::secret::SecretBytes;

/// XORs MGF1(seed) into `out` (RFC 8017 B.2.1).
fn mgf1_xor<D: Digest + FixedOutputReset>(seed: &[u8], out: &mut [u8]) {
    let mut d = D::new();
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(<D as Digest>::output_size())) {
        Digest::update(&mut d, seed);
        Digest::update(&mut d, counter.to_be_bytes());
        let mask = d.finalize_reset();
        for (o, m) in chunk.iter_mut().zip(mask.iter()) {
            *o ^= m;
        }
    }
}

fn decode_with<D: Digest + FixedOutputReset>(em: &mut [u8], label: &[u8]) -> Option<SecretBytes> {
    let h = <D as Digest>::output_size();
    let k = em.len();
    if k < 2 * h + 2 {
        return None;
    }
    let (y, rest) = em.split_at_mut(1);
    let (seed, db) = rest.split_at_mut(h);
    mgf1_xor::<D>(db, seed);
    mgf1_xor::<D>(seed, db);
    let l_hash = D::digest(label);
    let mut valid = y[0].ct_eq(&0) & db[..h].ct_eq(&l_hash[..]);
    // PS (zero or more 0x00), then 0x01, then M — scanned without branching on secrets.
    let mut looking = Choice::from(1);
    let mut index = 0u32;
    for (i, &b) in (0u32..).zip(db[h..].iter()) {
        let is_one = b.ct_eq(&1);
        let is_zero = b.ct_eq(&0);
        index.conditional_assign(&i, looking & is_one);
        valid &= !(looking & !is_zero & !is_one);
        looking &= !is_one;
    }
    valid &= !looking;
    if bool::from(valid) {
        let start = h + usize::try_from(index).ok()? + 1;
        Some(SecretBytes::new(db[start..].to_vec()))
    } else {
        None
    }
}

/// Decodes an encoded message `em` (exactly k bytes); `None` for any invalid encoding.
pub(crate) fn decode(hash: OaepHash, em: &mut [u8], label: &[u8]) -> Option<SecretBytes> {
    match hash {
        OaepHash::Sha256 => decode_with::<Sha256>(em, label),
        OaepHash::Sha384 => decode_with::<Sha384>(em, label),
        OaepHash::Sha512 => decode_with::<Sha512>(em, label),
    }
}
