//! K-of-N key shares a person can print and re-type (Shamir's secret sharing over GF(2^8),
//! from the `blahaj` crate), with every layer checked so that a wrong or mixed set gives an
//! error, never a wrong key. The format is specified in `docs/KEY-BACKUP.md`:
//!
//! ```text
//! KAGI KEY SHARE 1
//! set:         7Q2M-9XDA-M3PF-K1ZZ
//! share:       2 of 5 (any 3 restore the key)
//! key:         EC P-256
//! fingerprint: sha256:…
//! label:       …
//!
//!  01  ABCD EFGH JKMN PQRS TVWX YZ01 2345 6789  Q7XZ
//!  02  …
//! check:       XXXX XXXX
//! ```
//!
//! Data lines carry 20 bytes each in Crockford base32 (no I, L, O, U; those are read as 1, 1,
//! 0 when typed) with a 20-bit checksum over the set, share, line number and the line's bytes,
//! so a mistyped character is reported on its line and lines cannot be swapped. The `check`
//! line (40 bits) covers the header and all data. After recovery the key's public-key
//! fingerprint must equal the one every share records.

use super::{BackupKey, Fingerprint, PrivateKey, compact};
use crate::Error;
use crate::hash::{HashAlgorithm, digest_unchecked};
use crate::provider::Provider;
use crate::secret::SecretBytes;

const MAGIC: &str = "KAGI KEY SHARE 1";
const BYTES_PER_LINE: usize = 20;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// One share, parsed (or about to be written).
#[derive(Clone, PartialEq, Eq)]
pub struct Share {
    /// The random identifier of the set the share belongs to.
    pub set: [u8; 10],
    /// This share's number, 1..=total.
    pub index: u8,
    /// How many shares were made.
    pub total: u8,
    /// How many restore the key.
    pub threshold: u8,
    /// The key's kind, as text ("EC P-256").
    pub kind: String,
    /// The key's fingerprint.
    pub fingerprint: Fingerprint,
    /// A free label (not secret).
    pub label: String,
    data: Vec<u8>,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Share({} {} of {})",
            encode_set(&self.set),
            self.index,
            self.total
        )
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

/// Splits `key` into `total` shares of which any `threshold` restore it.
pub fn split(key: &PrivateKey, threshold: u8, total: u8, label: &str) -> Result<Vec<Share>, Error> {
    let fingerprint = key.public_key().fingerprint();
    let shares = deal(
        &compact::encode(key)?,
        key.kind().to_string(),
        fingerprint,
        (threshold, total),
        label,
    )?;
    // Prove the split before anyone relies on it: the first `threshold` shares restore the key.
    let back = combine(&shares[..usize::from(threshold)])?;
    if back.public_key() != key.public_key() {
        return Err(Error::SelfTestFailed(
            "key shares did not restore the key".into(),
        ));
    }
    Ok(shares)
}

/// Splits any key kagi makes (a private, symmetric or hybrid key), as [`split`] does.
pub fn split_any(
    provider: &Provider,
    key: &BackupKey,
    threshold: u8,
    total: u8,
    label: &str,
) -> Result<Vec<Share>, Error> {
    let shares = deal(
        &compact::encode_any(key)?,
        key.kind(),
        key.fingerprint(provider)?,
        (threshold, total),
        label,
    )?;
    let back = combine_any(provider, &shares[..usize::from(threshold)])?;
    if !back.same_as(key) {
        return Err(Error::SelfTestFailed(
            "key shares did not restore the key".into(),
        ));
    }
    Ok(shares)
}

fn deal(
    secret: &SecretBytes,
    kind: String,
    fingerprint: Fingerprint,
    (threshold, total): (u8, u8),
    label: &str,
) -> Result<Vec<Share>, Error> {
    if threshold == 0 || total == 0 || threshold > total {
        return Err(Error::InvalidInput("shares: need 1 ≤ threshold ≤ shares"));
    }
    if label.contains('\n') || label.contains('\r') {
        return Err(Error::InvalidInput("shares: the label must be one line"));
    }
    let set: [u8; 10] = crate::rand::array()?;
    let dealer = blahaj::Sharks(threshold).dealer(secret.expose());
    Ok(dealer
        .take(usize::from(total))
        .map(|s| {
            let bytes = Vec::<u8>::from(&s);
            Share {
                set,
                index: bytes[0],
                total,
                threshold,
                kind: kind.clone(),
                fingerprint,
                label: label.to_string(),
                data: bytes[1..].to_vec(),
            }
        })
        .collect())
}

/// Restores the key from shares of one set, checking the recorded fingerprint.
pub fn combine(shares: &[Share]) -> Result<PrivateKey, Error> {
    let (secret, first) = recover(shares)?;
    let key = compact::decode(secret.expose()).map_err(|_| wrong(first))?;
    if key.public_key().fingerprint() != first.fingerprint {
        return Err(wrong(first));
    }
    Ok(key)
}

/// Restores any key kagi makes from shares of one set, checking the recorded fingerprint.
pub fn combine_any(provider: &Provider, shares: &[Share]) -> Result<BackupKey, Error> {
    let (secret, first) = recover(shares)?;
    let key = compact::decode_any(provider, secret.expose()).map_err(|e| match e {
        Error::Refused(_) => e,
        _ => wrong(first),
    })?;
    if key.fingerprint(provider)? != first.fingerprint || key.kind() != first.kind {
        return Err(wrong(first));
    }
    Ok(key)
}

fn wrong(first: &Share) -> Error {
    Error::Backup(format!(
        "the shares do not rebuild the key {} (a share is damaged or from another backup)",
        first.fingerprint.hex()
    ))
}

/// The secret behind the shares, after checking they belong together.
fn recover(shares: &[Share]) -> Result<(SecretBytes, &Share), Error> {
    let first = shares
        .first()
        .ok_or(Error::InvalidInput("no shares given"))?;
    for s in shares {
        if s.set != first.set {
            return Err(Error::Backup(format!(
                "shares of two sets: {} and {} (shares of one backup share the set identifier)",
                encode_set(&first.set),
                encode_set(&s.set)
            )));
        }
        if (s.threshold, s.total, &s.kind, s.fingerprint, s.data.len())
            != (
                first.threshold,
                first.total,
                &first.kind,
                first.fingerprint,
                first.data.len(),
            )
        {
            return Err(Error::Backup(format!(
                "share {} of set {} disagrees with share {} about the key or the threshold",
                s.index,
                encode_set(&s.set),
                first.index
            )));
        }
    }
    let mut indices: Vec<u8> = shares.iter().map(|s| s.index).collect();
    indices.sort_unstable();
    indices.dedup();
    if indices.len() != shares.len() {
        return Err(Error::Backup("the same share was given twice".into()));
    }
    if shares.len() < usize::from(first.threshold) {
        return Err(Error::Backup(format!(
            "{} share(s) given; set {} needs {} to restore the key",
            shares.len(),
            encode_set(&first.set),
            first.threshold
        )));
    }
    let parsed: Vec<blahaj::Share> = shares
        .iter()
        .map(|s| {
            let mut b = Vec::with_capacity(s.data.len() + 1);
            b.push(s.index);
            b.extend_from_slice(&s.data);
            let share = blahaj::Share::try_from(b.as_slice());
            zeroize::Zeroize::zeroize(&mut b);
            share.map_err(|e| Error::Malformed(format!("share: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let secret = SecretBytes::new(
        blahaj::Sharks(first.threshold)
            .recover(&parsed)
            .map_err(|e| Error::Malformed(format!("shares: {e}")))?,
    );
    Ok((secret, first))
}

fn encode_set(set: &[u8; 10]) -> String {
    let s = base32(set);
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn symbol(c: char) -> Option<u32> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u32)
}

/// Decodes base32 of `nbytes` bytes; `None` on a bad symbol or length.
fn unbase32(s: &str) -> Option<Vec<u8>> {
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut out = Vec::new();
    let n = s.chars().count();
    for c in s.chars() {
        acc = (acc << 5) | symbol(c)?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A canonical encoding of out.len() bytes has exactly this many symbols.
    (n == (out.len() * 8).div_ceil(5)).then_some(out)
}

fn line_check(set: &[u8; 10], index: u8, line: usize, bytes: &[u8]) -> String {
    let mut m = b"kagi-share-line".to_vec();
    m.extend_from_slice(set);
    m.push(index);
    m.extend_from_slice(&(line as u32).to_be_bytes());
    m.extend_from_slice(bytes);
    let d = digest_unchecked(HashAlgorithm::Sha256, &m);
    base32(&d[..3])[..4].to_string()
}

impl Share {
    fn header_digest(&self) -> String {
        let mut m = MAGIC.as_bytes().to_vec();
        m.extend_from_slice(&self.set);
        m.extend_from_slice(&[self.index, self.total, self.threshold]);
        for field in [
            self.kind.as_bytes(),
            &self.fingerprint.0,
            self.label.as_bytes(),
        ] {
            m.extend_from_slice(&(field.len() as u32).to_be_bytes());
            m.extend_from_slice(field);
        }
        m.extend_from_slice(&self.data);
        let d = digest_unchecked(HashAlgorithm::Sha256, &m);
        let s = base32(&d[..5]);
        format!("{} {}", &s[..4], &s[4..8])
    }

    /// The share as text, to print or save.
    pub fn to_text(&self) -> SecretBytes {
        let mut s = String::new();
        s.push_str(MAGIC);
        s.push('\n');
        s.push_str(&format!("set:         {}\n", encode_set(&self.set)));
        s.push_str(&format!(
            "share:       {} of {} (any {} restore the key)\n",
            self.index, self.total, self.threshold
        ));
        s.push_str(&format!("key:         {}\n", self.kind));
        s.push_str(&format!("fingerprint: {}\n", self.fingerprint.hex()));
        s.push_str(&format!("label:       {}\n\n", self.label));
        for (i, chunk) in self.data.chunks(BYTES_PER_LINE).enumerate() {
            let enc = base32(chunk);
            let groups: Vec<&str> = enc
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            s.push_str(&format!(
                " {:02}  {:<39}  {}\n",
                i + 1,
                groups.join(" "),
                line_check(&self.set, self.index, i + 1, chunk)
            ));
        }
        s.push_str(&format!("check:       {}\n", self.header_digest()));
        SecretBytes::new(s.into_bytes())
    }

    /// Parses a share's text; errors name the line.
    pub fn parse(text: &str) -> Result<Share, Error> {
        let err = |n: usize, what: &str| Error::Malformed(format!("share, line {n}: {what}"));
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
        let mut next = |what: &str| {
            lines
                .by_ref()
                .find(|(_, l)| !l.is_empty())
                .ok_or_else(|| Error::Malformed(format!("share: ends before its {what}")))
        };
        let (n, magic) = next("first line")?;
        if magic != MAGIC {
            return Err(err(n, "not a kagi key share (expected `KAGI KEY SHARE 1`)"));
        }
        let mut field = |name: &str| -> Result<(usize, String), Error> {
            let (n, l) = next(name)?;
            let v = l
                .strip_prefix(name)
                .and_then(|r| r.strip_prefix(':'))
                .ok_or_else(|| err(n, &format!("expected `{name}:`")))?;
            Ok((n, v.trim().to_string()))
        };
        let (n_set, set_text) = field("set")?;
        let set_bytes =
            unbase32(&set_text.replace('-', "")).ok_or_else(|| err(n_set, "bad set identifier"))?;
        let set: [u8; 10] = set_bytes
            .try_into()
            .map_err(|_| err(n_set, "bad set identifier"))?;
        let (n_share, share_text) = field("share")?;
        let nums: Vec<u8> = share_text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|t| !t.is_empty())
            .map(|t| t.parse::<u8>())
            .collect::<Result<_, _>>()
            .map_err(|_| err(n_share, "expected `I of N (any K restore the key)`"))?;
        let [index, total, threshold] = nums[..] else {
            return Err(err(n_share, "expected `I of N (any K restore the key)`"));
        };
        if index == 0 || index > total || threshold == 0 || threshold > total {
            return Err(err(n_share, "share numbers out of range"));
        }
        let (_, kind) = field("key")?;
        let (n_fp, fp) = field("fingerprint")?;
        let fingerprint = Fingerprint::parse(&fp).ok_or_else(|| err(n_fp, "bad fingerprint"))?;
        // The label may be empty, so it is read as the next line whatever it holds.
        let (n_label, label_line) = next("label")?;
        let label = label_line
            .strip_prefix("label:")
            .ok_or_else(|| err(n_label, "expected `label:`"))?
            .trim()
            .to_string();
        // The data lines, read whole before their checksums are judged: a checksum covers
        // the set identifier and the share number too, so when every line fails, the header
        // is at fault, not line 01.
        let mut rows: Vec<(usize, usize, Vec<u8>, String)> = Vec::new();
        let (n_check, check) = loop {
            let (n, l) = next("check line")?;
            if let Some(check) = l.strip_prefix("check:") {
                break (n, check.to_string());
            }
            let tokens: Vec<&str> = l.split_whitespace().collect();
            if tokens.len() < 3 {
                return Err(err(n, "expected `NN  DATA…  CHECK`"));
            }
            let number: usize = tokens[0]
                .parse()
                .map_err(|_| err(n, "a data line starts with its number"))?;
            let expected_line = rows.len() + 1;
            if number != expected_line {
                return Err(err(
                    n,
                    &format!("expected data line {expected_line:02}, found {number:02}"),
                ));
            }
            let body: String = tokens[1..tokens.len() - 1].concat();
            let bytes = unbase32(&body).ok_or_else(|| {
                err(n, &format!("data line {number:02} has a character that is not in the share alphabet, or a missing one"))
            })?;
            let check: String = tokens[tokens.len() - 1]
                .to_uppercase()
                .chars()
                .map(|c| match c {
                    'O' => '0',
                    'I' | 'L' => '1',
                    c => c,
                })
                .collect();
            rows.push((n, number, bytes, check));
        };
        let fits =
            |set: &[u8; 10],
             index: u8,
             (_, number, bytes, check): &(usize, usize, Vec<u8>, String)| {
                bytes.len() <= BYTES_PER_LINE && *check == line_check(set, index, *number, bytes)
            };
        if let Some(bad) = rows.iter().position(|r| !fits(&set, index, r)) {
            let (n, number, ..) = rows[bad];
            if bad == 0 && rows.iter().all(|r| !fits(&set, index, r)) {
                // Every line fails: the lines belong to another share number, or the set
                // identifier is mistyped.
                if let Some(other) = (1..=u8::MAX).find(|&i| rows.iter().all(|r| fits(&set, i, r)))
                {
                    return Err(err(
                        n_share,
                        &format!(
                            "the share number is mistyped: the data lines are those of share {other}, not {index}"
                        ),
                    ));
                }
                if rows.len() > 1 {
                    return Err(err(
                        n_set,
                        "the set identifier is mistyped: no data line matches its checksum under it",
                    ));
                }
                return Err(err(
                    n,
                    &format!(
                        "data line {number:02} does not match its checksum: a character on this line, or in the set identifier (line {n_set}), is mistyped"
                    ),
                ));
            }
            return Err(err(
                n,
                &format!(
                    "data line {number:02} does not match its checksum: a character on this line is mistyped"
                ),
            ));
        }
        let share = Share {
            set,
            index,
            total,
            threshold,
            kind,
            fingerprint,
            label,
            data: rows
                .into_iter()
                .flat_map(|(_, _, bytes, _)| bytes)
                .collect(),
        };
        let want = share.header_digest();
        let got: String = check
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        if got != want {
            // The share line's count or threshold is not covered by the data lines' checksums:
            // find the pair the check line was made for, and name that line. One mistyped
            // number is looked for (the other as typed): at most 2 × 255 digests, not every
            // pair (32 640 digests made each bad check line cost milliseconds; found by the
            // key_share fuzzer).
            let mut probe = share.clone();
            let candidates = (index.max(1)..=u8::MAX)
                .map(|t| (t, threshold))
                .chain((1..=total).map(|k| (total, k)))
                .filter(|&(t, k)| k <= t && (t, k) != (total, threshold));
            for (t, k) in candidates {
                probe.total = t;
                probe.threshold = k;
                if probe.header_digest() == got {
                    return Err(err(
                        n_share,
                        &format!(
                            "the share line is mistyped: the check line was made for `{index} of {t} (any {k} restore the key)`"
                        ),
                    ));
                }
            }
            return Err(err(
                n_check,
                "the check line does not match (a header field is mistyped, or a data line is missing)",
            ));
        }
        Ok(share)
    }

    /// The set identifier as printed.
    pub fn set_id(&self) -> String {
        encode_set(&self.set)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Found by an attacker: a typo in the share line's count or threshold was blamed on the
    /// check line. The line that is wrong is named.
    #[test]
    fn a_mistyped_count_or_threshold_names_the_share_line() {
        let secret = SecretBytes::new(vec![7u8; 40]);
        let shares = deal(
            &secret,
            "symmetric".into(),
            Fingerprint([9u8; 32]),
            (2, 3),
            "test",
        )
        .unwrap();
        let text = String::from_utf8(shares[0].to_text().expose().to_vec()).unwrap();
        let line = text.lines().position(|l| l.starts_with("share:")).unwrap() + 1;
        for (from, to) in [("of 3", "of 4"), ("any 2", "any 3")] {
            let bad = text.replacen(from, to, 1);
            let e = Share::parse(&bad).unwrap_err().to_string();
            assert!(e.contains(&format!("line {line}:")), "{e}");
            assert!(e.contains("share line is mistyped"), "{e}");
            assert!(e.contains("1 of 3 (any 2"), "{e}");
        }
    }

    #[test]
    fn base32_round_trips_every_length() {
        for n in 0..45 {
            let v: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(unbase32(&base32(&v)), Some(v));
        }
        assert_eq!(unbase32("0O1IL"), unbase32("00111"));
    }
}
