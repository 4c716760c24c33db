//! Crypto-erase: destroying the keys that encrypted data depends on, so the data — still on the
//! medium — can no longer be decrypted (第2条(48)(49); NIST SP 800-88 §2.6).
//!
//! - **LUKS1 / LUKS2 volumes**: everything before the data segment is overwritten — both LUKS2
//!   binary headers and JSON areas (or the LUKS1 header) and the whole keyslot area, active and
//!   inactive slots alike — with a fresh keystream, read back and compared, and the header must
//!   then no longer parse.
//! - **kagi envelopes**: the preamble, header (every wrapped file key, passphrase salts) and
//!   header MAC are overwritten the same way; the payload is ciphertext under a key no one holds.
//!
//! The overwrite reuses the engine on a [`Prefix`] of the target, so it has the engine's
//! retries, comparison and key commitment. What this cannot reach — header backups, copies of
//! the file, keys held elsewhere, data written before encryption — is stated by the caller's
//! certificate.

use std::io::Read;

use crypto_core::Provider;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::engine::{self, Plan, Range, Report, Verify};
use crate::target::{AlignedBuf, Target};

/// What holds the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// A LUKS1 volume.
    #[serde(rename = "LUKS1")]
    Luks1,
    /// A LUKS2 volume.
    #[serde(rename = "LUKS2")]
    Luks2,
    /// A kagi envelope (`KAGIENC`).
    #[serde(rename = "kagi envelope")]
    KagiEnvelope,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Luks1 => "LUKS1",
            Format::Luks2 => "LUKS2",
            Format::KagiEnvelope => "kagi envelope",
        })
    }
}

/// Where a target's key material is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMaterial {
    /// The format found.
    pub format: Format,
    /// The volume's UUID (LUKS).
    pub uuid: Option<String>,
    /// Keyslots in use (LUKS), or recipients (envelope).
    pub key_holders: usize,
    /// The bytes to destroy: from 0 to the start of the encrypted data, whole sectors.
    pub area: Range,
    /// The encrypted data left in place (unreadable without the keys).
    pub data: Range,
}

const LUKS_MAGIC: &[u8; 6] = b"LUKS\xba\xbe";
const LUKS2_SECONDARY_MAGIC: &[u8; 6] = b"SKUL\xba\xbe";

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}
fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn be64(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(x)
}

/// Reads `len` bytes at `offset`, in aligned whole sectors.
fn read(target: &mut dyn Target, offset: u64, len: usize) -> Result<Vec<u8>, Error> {
    let sector = u64::from(target.sectors().0.max(512));
    let start = offset / sector * sector;
    let too_small = || Error::Invalid(format!("{}: too small for its header", target.name()));
    let want = offset.checked_add(len as u64).ok_or_else(too_small)?;
    let end = want
        .div_ceil(sector)
        .saturating_mul(sector)
        .min(target.size());
    if end < want {
        return Err(too_small());
    }
    let mut buf = AlignedBuf::new((end - start) as usize);
    target
        .read_at(buf.as_mut_slice(), start)
        .map_err(|e| Error::Io(format!("{}: reading its header", target.name()), e))?;
    let from = (offset - start) as usize;
    Ok(buf.as_slice()[from..from + len].to_vec())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .trim_end_matches('\0')
        .to_string()
}

/// Finds the key material at the start of `target`, or says that there is none.
pub fn locate(target: &mut dyn Target) -> Result<KeyMaterial, Error> {
    let size = target.size();
    let head = read(target, 0, 4096.min(size as usize))?;
    let sector = u64::from(target.sectors().0.max(1));
    let name = target.name().to_string();
    let invalid = |why: String| Error::Invalid(format!("{name}: {why}"));
    if head.len() >= 8 && &head[..8] == crypto_core::envelope::MAGIC {
        let mut reader = TargetReader {
            target: &mut *target,
            at: 0,
        };
        let sealed = crypto_core::envelope::Sealed::read(&mut reader)
            .map_err(|e| invalid(format!("a damaged kagi envelope: {e}")))?;
        let end = sealed.header_len().div_ceil(sector) * sector;
        return Ok(KeyMaterial {
            format: Format::KagiEnvelope,
            uuid: None,
            key_holders: sealed.header.recipients.len(),
            area: Range {
                start: 0,
                end: end.min(size),
            },
            data: Range {
                start: end.min(size),
                end: size,
            },
        });
    }
    if head.len() < 592 || &head[..6] != LUKS_MAGIC {
        return Err(invalid(
            "no LUKS header and no kagi envelope at its start: nothing to crypto-erase".into(),
        ));
    }
    let (format, data_offset, holders, uuid) = match be16(&head, 6) {
        1 => {
            let payload = u64::from(be32(&head, 104)) * 512;
            let active = (0..8)
                .filter(|i| be32(&head, 208 + 48 * i) == 0x00AC_71F3)
                .count();
            (Format::Luks1, payload, active, text(&head[168..208]))
        }
        2 => {
            let hdr_size = be64(&head, 8);
            if !(16384..=4 << 20).contains(&hdr_size) || hdr_size > size / 2 {
                return Err(invalid(format!(
                    "a LUKS2 header size {hdr_size} that is not valid"
                )));
            }
            let json_bytes = read(target, 4096, (hdr_size - 4096) as usize)?;
            let end = json_bytes
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(json_bytes.len());
            let json: serde_json::Value = serde_json::from_slice(&json_bytes[..end])
                .map_err(|e| invalid(format!("LUKS2 metadata that does not parse: {e}")))?;
            let num = |v: &serde_json::Value| -> Option<u64> {
                v.as_str()
                    .and_then(|s| s.parse().ok())
                    .or_else(|| v.as_u64())
            };
            // The data starts at the lowest segment offset; without segments, after the
            // keyslot area.
            let segments = json["segments"].as_object();
            // The numbers are the volume's, untrusted: a sum past u64 is an error, not a wrap.
            let data =
                segments
                    .and_then(|s| s.values().filter_map(|seg| num(&seg["offset"])).min())
                    .map(Ok)
                    .or_else(|| {
                        num(&json["config"]["keyslots_size"]).map(|k| {
                            hdr_size.checked_mul(2).and_then(|h| h.checked_add(k)).ok_or_else(|| {
                            invalid(format!(
                                "a LUKS2 keyslots size {k} past any device: refusing to guess"
                            ))
                        })
                        })
                    })
                    .ok_or_else(|| invalid("LUKS2 metadata without a data offset".into()))??;
            // Every keyslot area must lie inside what is destroyed.
            let slots = json["keyslots"].as_object().map(|m| m.len()).unwrap_or(0);
            if let Some(m) = json["keyslots"].as_object() {
                for (id, ks) in m {
                    let (Some(o), Some(l)) = (num(&ks["area"]["offset"]), num(&ks["area"]["size"]))
                    else {
                        return Err(invalid(format!("LUKS2 keyslot {id} without an area")));
                    };
                    if o.checked_add(l).is_none_or(|end| end > data) {
                        return Err(invalid(format!(
                            "LUKS2 keyslot {id} lies past the data offset: refusing to guess"
                        )));
                    }
                }
            }
            let second = read(target, hdr_size, 6)?;
            if second != LUKS2_SECONDARY_MAGIC {
                return Err(invalid(
                    "no second LUKS2 header where the first says".into(),
                ));
            }
            (Format::Luks2, data, slots, text(&head[168..208]))
        }
        v => {
            return Err(invalid(format!(
                "LUKS version {v}, which kagi does not know"
            )));
        }
    };
    if data_offset < 4096 || data_offset > size || data_offset % sector != 0 {
        return Err(invalid(format!(
            "a {format} data offset {data_offset} that is not inside the device"
        )));
    }
    Ok(KeyMaterial {
        format,
        uuid: Some(uuid).filter(|u| !u.is_empty()),
        key_holders: holders,
        area: Range {
            start: 0,
            end: data_offset,
        },
        data: Range {
            start: data_offset,
            end: size,
        },
    })
}

/// Sequential reads from a target (for the envelope header parser).
struct TargetReader<'a> {
    target: &'a mut dyn Target,
    at: u64,
}

impl Read for TargetReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.target.size().saturating_sub(self.at);
        let n = (buf.len() as u64).min(left).min(1 << 20) as usize;
        if n == 0 {
            return Ok(0);
        }
        let data = read(self.target, self.at, n).map_err(std::io::Error::other)?;
        buf[..n].copy_from_slice(&data);
        self.at += n as u64;
        Ok(n)
    }
}

/// The first `len` bytes of a target, as a target of their own.
pub struct Prefix<'a> {
    inner: &'a mut dyn Target,
    len: u64,
}

impl<'a> Prefix<'a> {
    /// `inner` cut to `len` bytes.
    pub fn new(inner: &'a mut dyn Target, len: u64) -> Prefix<'a> {
        let len = len.min(inner.size());
        Prefix { inner, len }
    }
}

impl Target for Prefix<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn size(&self) -> u64 {
        self.len
    }
    fn sectors(&self) -> (u32, u32) {
        self.inner.sectors()
    }
    fn write_at(&mut self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        self.inner.write_at(buf, offset)
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        self.inner.read_at(buf, offset)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
    fn direct(&self) -> bool {
        self.inner.direct()
    }
}

/// What a sample of the data area looked like before the keys were destroyed: the per-sector
/// keystream test of `kagi erase verify --expect random` ([`crate::keystream::looks_random`]:
/// no readable run, no fill, no skewed byte counts) on pieces chosen by a recorded seed. Data that does not
/// look like ciphertext survives a crypto-erase readable, so no NIST level is claimed for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSample {
    /// The seed that chose the pieces (4096 bytes each, at most 1024 of them).
    pub seed: u64,
    /// 512-byte sectors read.
    pub sectors: u64,
    /// Sectors that look like ciphertext.
    pub ciphertext_like: u64,
    /// Sectors of one repeated byte (cleared and never written since: they hold no data).
    pub unwritten: u64,
    /// Sectors that are neither: data readable without any key.
    pub readable: u64,
    /// The first readable sector's byte offset.
    pub first_readable: Option<u64>,
}

impl DataSample {
    /// Whether any sampled sector holds data that is not ciphertext.
    pub fn readable_data(&self) -> bool {
        self.readable > 0
    }

    /// Its internal consistency, for the certificate check.
    pub fn problems(&self, data: &Range) -> Vec<String> {
        let mut p = Vec::new();
        if self.ciphertext_like + self.unwritten + self.readable != self.sectors {
            p.push("the data sample's sector counts do not add up".to_string());
        }
        if (self.readable > 0) != self.first_readable.is_some()
            || self
                .first_readable
                .is_some_and(|x| x < data.start || x >= data.end)
        {
            p.push("the data sample's first readable sector does not fit its counts".into());
        }
        if self.sectors == 0 && data.end > data.start {
            p.push("the data area was not sampled".into());
        }
        p
    }
}

/// Pieces of the data area sampled: 1024 of 4096 bytes at seeded offsets, or all of a small area.
const PIECE: u64 = 4096;
const PIECES: u64 = 1024;

/// Samples the data area `data` of `target` (reads only) with a fresh seed.
pub fn sample_data(target: &mut dyn Target, data: Range) -> Result<DataSample, Error> {
    let seed = u64::from_be_bytes(crypto_core::rand::array()?);
    sample_data_with(target, data, seed)
}

/// [`sample_data`] with a given seed (to redo a recorded sample).
pub fn sample_data_with(
    target: &mut dyn Target,
    data: Range,
    seed: u64,
) -> Result<DataSample, Error> {
    let len = data.end.saturating_sub(data.start);
    let mut pieces = Vec::new();
    if len <= PIECE * PIECES {
        let mut a = data.start;
        while a < data.end {
            let b = (a + (1 << 20)).min(data.end);
            pieces.push((a, b));
            a = b;
        }
    } else {
        let sub = len / PIECES;
        let slack = (sub - PIECE) / 512;
        let mut state = seed;
        for k in 0..PIECES {
            let at = data.start + k * sub + crate::engine::splitmix(&mut state) % (slack + 1) * 512;
            pieces.push((at, at + PIECE));
        }
    }
    let mut out = DataSample {
        seed,
        sectors: 0,
        ciphertext_like: 0,
        unwritten: 0,
        readable: 0,
        first_readable: None,
    };
    for (a, b) in pieces {
        let bytes = read(target, a, (b - a) as usize)?;
        for (k, sector) in bytes.chunks(512).enumerate() {
            out.sectors += 1;
            if crate::keystream::looks_random(sector) {
                out.ciphertext_like += 1;
            } else if sector.iter().all(|&x| x == sector[0]) {
                out.unwritten += 1;
            } else {
                out.readable += 1;
                out.first_readable.get_or_insert(a + (k * 512) as u64);
            }
        }
    }
    Ok(out)
}

/// What a crypto-erase did.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Where the keys were.
    pub found: KeyMaterial,
    /// The sample of the data area taken before the keys were destroyed.
    pub data: DataSample,
    /// The overwrite of the key area (random, full read-back).
    pub report: Report,
    /// After the overwrite, no LUKS header or envelope parses at the start.
    pub header_gone: bool,
}

impl Outcome {
    /// Complete: the key area overwritten and read back equal, and no header left.
    pub fn complete(&self) -> bool {
        self.report.complete() && self.header_gone
    }
}

/// The overwrite of a key area: one random pass, read back in full.
pub fn plan() -> Result<Plan, Error> {
    Plan::parse(Some("random"), None, Verify::Full)
}

/// Destroys the key material `found` on `target`: overwrites it with a fresh keystream, reads
/// it back, and checks that no header parses any more. `data` is the sample of the data area
/// taken before ([`sample_data`]).
pub fn run(
    provider: &Provider,
    target: &mut dyn Target,
    found: &KeyMaterial,
    data: DataSample,
) -> Result<Outcome, Error> {
    let plan = plan()?;
    let report = {
        let mut prefix = Prefix::new(target, found.area.end);
        engine::run_plan(provider, &mut prefix, &plan)?
    };
    let header_gone = locate(target).is_err();
    Ok(Outcome {
        found: found.clone(),
        data,
        report,
        header_gone,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::target::Faulty;

    /// A minimal LUKS2 layout: two binary headers, JSON metadata, two keyslot areas.
    fn luks2(size: usize) -> Faulty {
        let mut t = Faulty::new(size, 0x77, vec![]);
        let hdr = 16384u64;
        let json = serde_json::json!({
            "keyslots": {"0": {"area": {"offset": "32768", "size": "258048"}},
                         "1": {"area": {"offset": "290816", "size": "258048"}}},
            "segments": {"0": {"offset": "16777216", "size": "dynamic"}},
            "config": {"json_size": "12288", "keyslots_size": "16744448"}
        })
        .to_string();
        let mut img = vec![0u8; 2 * hdr as usize];
        for (at, magic) in [(0usize, LUKS_MAGIC), (hdr as usize, LUKS2_SECONDARY_MAGIC)] {
            img[at..at + 6].copy_from_slice(magic);
            img[at + 6..at + 8].copy_from_slice(&2u16.to_be_bytes());
            img[at + 8..at + 16].copy_from_slice(&hdr.to_be_bytes());
            img[at + 168..at + 172].copy_from_slice(b"abcd");
            img[at + 4096..at + 4096 + json.len()].copy_from_slice(json.as_bytes());
        }
        t.write_at(&img, 0).unwrap();
        t
    }

    #[test]
    fn a_luks2_header_is_found_destroyed_and_gone() {
        let p = Provider::egov().unwrap();
        let mut t = luks2(20 << 20);
        let found = locate(&mut t).unwrap();
        assert_eq!(found.format, Format::Luks2);
        assert_eq!(found.key_holders, 2);
        assert_eq!(
            found.area,
            Range {
                start: 0,
                end: 16 << 20
            }
        );
        assert_eq!(found.uuid.as_deref(), Some("abcd"));
        let sample = sample_data(&mut t, found.data).unwrap();
        let out = run(&p, &mut t, &found, sample).unwrap();
        assert!(out.complete(), "{out:?}");
        assert_eq!(out.report.bytes_written, 16 << 20);
        assert!(t.data()[..16 << 20].windows(6).all(|w| w != LUKS_MAGIC));
        // The data area is untouched.
        assert!(t.data()[16 << 20..].iter().all(|&b| b == 0x77));
        assert!(locate(&mut t).is_err());
    }

    #[test]
    fn the_certificate_claims_the_level_its_conditions_give() {
        use crate::certificate::{Context, DeviceRecord, Document};
        let p = Provider::egov().unwrap();
        let mut t = luks2(20 << 20);
        let found = locate(&mut t).unwrap();
        let sample = sample_data(&mut t, found.data).unwrap();
        let out = run(&p, &mut t, &found, sample).unwrap();
        let ctx = Context {
            organisation: "o".into(),
            operator: "p".into(),
            role: "r".into(),
            ..Context::default()
        };
        let mut dev = DeviceRecord::from_file("/dev/x", 20 << 20);
        dev.kind = "whole device".into();
        dev.transport = "SATA/SCSI".into();
        assert_eq!(out.data.unwritten, out.data.sectors, "{:?}", out.data);
        for (first, copies, file, level) in [
            (true, true, false, "Purge"),
            (false, true, false, "Not claimed"),
            (true, false, false, "Not claimed"),
            (false, true, true, "Clear"),
        ] {
            let mut d = dev.clone();
            if file {
                d.kind = "regular file".into();
                d.transport = "file".into();
            }
            let doc =
                Document::from_crypto_erase(&p, &out, d, ctx.clone(), first, copies, vec![], &[])
                    .unwrap();
            assert_eq!(doc.sanitization.nist_level, level);
            assert!(doc.problems().is_empty(), "{:?}", doc.problems());
            let mut bad = doc.clone();
            bad.sanitization.nist_level = "Purge".into();
            if level != "Purge" {
                assert!(bad.problems().iter().any(|x| x.contains("conditions give")));
            }
            let mut bad = doc.clone();
            if let Some(c) = bad.crypto_erase.as_mut() {
                c.header_parses_after = true;
            }
            assert!(!bad.problems().is_empty());
        }
    }

    #[test]
    fn plaintext_under_a_luks_header_gets_no_level_whatever_is_attested() {
        use crate::certificate::{Context, DeviceRecord, Document};
        let p = Provider::egov().unwrap();
        let mut t = luks2(40 << 20);
        // Readable text over most of the data area (as after luksFormat over plaintext).
        let text = "全ての情報を復元できないように抹消する。".repeat(400_000);
        t.write_at(&text.as_bytes()[..20 << 20], 16 << 20).unwrap();
        let found = locate(&mut t).unwrap();
        let sample = sample_data(&mut t, found.data).unwrap();
        assert!(sample.readable_data(), "{sample:?}");
        assert!(
            sample
                .first_readable
                .is_some_and(|x| (16 << 20..17 << 20).contains(&x)),
            "{sample:?}"
        );
        assert!(sample.problems(&found.data).is_empty());
        // The same seed gives the same sample.
        assert_eq!(
            sample_data_with(&mut t, found.data, sample.seed).unwrap(),
            sample
        );
        let out = run(&p, &mut t, &found, sample).unwrap();
        let ctx = Context {
            organisation: "o".into(),
            operator: "p".into(),
            role: "r".into(),
            ..Context::default()
        };
        let mut dev = DeviceRecord::from_file("/dev/x", 40 << 20);
        dev.kind = "whole device".into();
        dev.transport = "SATA/SCSI".into();
        let doc = Document::from_crypto_erase(&p, &out, dev, ctx, true, true, vec![], &[]).unwrap();
        assert_eq!(doc.sanitization.nist_level, "Not claimed");
        assert!(
            doc.sanitization
                .not_reached
                .iter()
                .any(|n| n.contains("does not look encrypted")),
            "{:?}",
            doc.sanitization.not_reached
        );
        assert!(doc.problems().is_empty(), "{:?}", doc.problems());
        // Re-signed to claim Purge: inconsistent.
        let mut bad = doc.clone();
        bad.sanitization.nist_level = "Purge".into();
        assert!(bad.problems().iter().any(|x| x.contains("conditions give")));
        // Or with the sample edited to hide the plaintext: its counts no longer add up.
        let mut bad = doc.clone();
        if let Some(c) = bad.crypto_erase.as_mut()
            && let Some(s) = c.data_sample.as_mut()
        {
            s.readable = 0;
        }
        bad.sanitization.nist_level = "Purge".into();
        assert!(!bad.problems().is_empty());
    }

    /// `luks2` with its JSON metadata replaced by `json`.
    fn luks2_with(json: &serde_json::Value) -> Faulty {
        let mut t = luks2(20 << 20);
        let mut padded = json.to_string().into_bytes();
        padded.resize(12288, 0);
        t.write_at(&padded, 4096).unwrap();
        t
    }

    #[test]
    fn hostile_luks2_numbers_are_refused_not_wrapped() {
        let max = u64::MAX.to_string();
        let seg = serde_json::json!({"0": {"offset": "16777216"}});
        for (json, want) in [
            // A keyslot whose offset + size passes u64::MAX.
            (
                serde_json::json!({"keyslots": {"0": {"area": {"offset": max, "size": "4096"}}}, "segments": seg}),
                "refusing to guess",
            ),
            (
                serde_json::json!({"keyslots": {"0": {"area": {"offset": "32768", "size": max}}}, "segments": seg}),
                "refusing to guess",
            ),
            (
                serde_json::json!({"keyslots": {"0": {"area": {"offset": u64::MAX, "size": u64::MAX}}}, "segments": seg}),
                "refusing to guess",
            ),
            // No segments: the data offset from the keyslots size, which passes u64::MAX.
            (
                serde_json::json!({"keyslots": {}, "config": {"keyslots_size": max}}),
                "refusing to guess",
            ),
            (
                serde_json::json!({"keyslots": {}, "config": {"keyslots_size": u64::MAX - 16384}}),
                "refusing to guess",
            ),
            // A data offset past the device.
            (
                serde_json::json!({"keyslots": {}, "segments": {"0": {"offset": max}}}),
                "not inside the device",
            ),
        ] {
            let mut t = luks2_with(&json);
            let e = locate(&mut t).unwrap_err().to_string();
            assert!(e.contains(want), "{json}: {e}");
        }
        // A header size past the device is refused before it is used.
        let mut t = luks2(20 << 20);
        t.write_at(&u64::MAX.to_be_bytes(), 8).unwrap();
        assert!(
            locate(&mut t)
                .unwrap_err()
                .to_string()
                .contains("header size")
        );
        // A read past u64::MAX is an error.
        let mut t = Faulty::new(1 << 20, 0, vec![]);
        assert!(read(&mut t, u64::MAX - 10, 100).is_err());
    }

    #[test]
    fn nothing_to_erase_and_damaged_headers_are_refused() {
        let mut t = Faulty::new(1 << 20, 0, vec![]);
        assert!(
            locate(&mut t)
                .unwrap_err()
                .to_string()
                .contains("nothing to crypto-erase")
        );
        // A keyslot past the data offset: kagi will not guess.
        let mut t = luks2(20 << 20);
        let bad = br#"{"keyslots":{"0":{"area":{"offset":"32768","size":"99999999"}}},"segments":{"0":{"offset":"16777216"}}}"#;
        let mut padded = bad.to_vec();
        padded.resize(12288, 0);
        t.write_at(&padded, 4096).unwrap();
        assert!(
            locate(&mut t)
                .unwrap_err()
                .to_string()
                .contains("refusing to guess")
        );
        // A missing second header.
        let mut t = luks2(20 << 20);
        t.write_at(&[0u8; 8], 16384).unwrap();
        assert!(
            locate(&mut t)
                .unwrap_err()
                .to_string()
                .contains("second LUKS2 header")
        );
    }
}
