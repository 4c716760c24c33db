//! Deletion certificates: a JSON document per device and completed, verified run, signed with
//! a detached CMS SignedData (through crypto-core, so the policy decides the algorithms) and
//! carried in one text file — the document's exact bytes, then the signature as a PEM block
//! (`-----BEGIN CMS-----`) holding the signer's certificate chain. The signed bytes are
//! everything before the PEM block, so `openssl cms -verify -binary -content` is a second,
//! independent route (docs/CERTIFICATE.md).
//!
//! The document states what was done and what was not reached; [`Document::problems`] checks
//! its internal consistency (coverage, counts, times, the level claimed against the method),
//! and [`Document::from_run`] refuses to describe a run that is not complete.

use crypto_core::Provider;
use crypto_core::cms::{Signature, Signer, VerifyOptions};
use crypto_core::hash::HashAlgorithm;
use cryptrec::{Algorithm, Use};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Error;
use crate::crypto_erase::DataSample;
use crate::discover::BlockDevice;
use crate::engine::{PassRecord, Range, Recheck, Report};

/// The schema this module writes and reads.
pub const SCHEMA: &str = "kagi-erasure-certificate/1";

/// Who erased, for whom, and about which asset: given on the command line or in a config file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The organisation performing the erasure.
    pub organisation: String,
    /// Its unit or department, if given.
    #[serde(default)]
    pub unit: Option<String>,
    /// Where the erasure took place, if given.
    #[serde(default)]
    pub location: Option<String>,
    /// The operator's name.
    pub operator: String,
    /// The operator's role or title.
    pub role: String,
    /// How to reach the operator, if given.
    #[serde(default)]
    pub contact: Option<String>,
    /// The asset tag or media property number.
    #[serde(default)]
    pub asset_tag: Option<String>,
    /// The lease or contract reference (第27条3項, 第35条).
    #[serde(default)]
    pub contract: Option<String>,
    /// Where the medium goes next (return to lessor, internal reuse, recycling, destruction).
    #[serde(default)]
    pub destination: Option<String>,
    /// Free notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// The device as identified when it was erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRecord {
    /// The path named (`/dev/sdc`).
    pub path: String,
    /// `whole device`, `partition` or `regular file`.
    pub kind: String,
    /// Model, if reported.
    pub model: Option<String>,
    /// Serial number, if reported (never invented).
    pub serial: Option<String>,
    /// World-wide name, if reported.
    pub wwn: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Logical sector size.
    pub logical_sector: u32,
    /// Physical sector size.
    pub physical_sector: u32,
    /// NVMe, SATA/SCSI, USB, virtio, loop, …
    pub transport: String,
    /// Spinning disk.
    pub rotational: bool,
    /// Removable medium.
    pub removable: bool,
    /// For a partition: the whole device, and the partition's first byte on it.
    pub partition_of: Option<String>,
    /// For a partition: its first byte.
    pub partition_start: Option<u64>,
    /// A loop device's backing file.
    pub backing_file: Option<String>,
    /// A loop device's backing file as `major:minor:inode` (what identifies it when its path
    /// is reused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backing_inode: Option<String>,
    /// A loop device's backing file size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backing_size: Option<u64>,
}

impl DeviceRecord {
    /// From discovery (block devices and partitions).
    pub fn from_device(d: &BlockDevice) -> DeviceRecord {
        let backing = crate::safety::loop_backing(d);
        DeviceRecord {
            path: d.path.clone(),
            kind: match (d.partition_of.is_some(), d.transport == "loop") {
                (false, false) => "whole device",
                (true, false) => "partition",
                (false, true) => "loopback device",
                (true, true) => "partition of a loopback device",
            }
            .into(),
            model: d.model.clone(),
            serial: d.serial.clone(),
            wwn: d.wwn.clone(),
            size: d.size,
            logical_sector: d.logical_sector,
            physical_sector: d.physical_sector,
            transport: d.transport.clone(),
            rotational: d.rotational,
            removable: d.removable,
            partition_of: d.partition_of.clone(),
            partition_start: d.start,
            backing_file: d.backing_file.clone(),
            backing_inode: backing.as_ref().map(|b| b.0.clone()),
            backing_size: backing.and_then(|b| b.1),
        }
    }

    /// What names the medium in the ledger, stable across reboots and re-attachments: the
    /// serial number when the device reports one, a loop device's backing file (path and
    /// inode), otherwise the path.
    pub fn ledger_name(&self) -> String {
        if let Some(s) = &self.serial {
            return s.clone();
        }
        if let Some(b) = &self.backing_file {
            return match &self.backing_inode {
                Some(i) => format!("loopback {b} (inode {i})"),
                None => format!("loopback {b}"),
            };
        }
        self.path.clone()
    }

    /// The identity to compare with a device found later (size, model, serial, WWN, backing
    /// file), as a journal does.
    pub fn identity(&self) -> crate::identity::Identity {
        crate::identity::Identity {
            path: self.path.clone(),
            size: self.size,
            model: self.model.clone(),
            serial: self.serial.clone(),
            wwn: self.wwn.clone(),
            backing_file: self.backing_file.clone(),
            inode: self.backing_inode.clone(),
        }
    }

    /// For a regular file.
    pub fn from_file(path: &str, size: u64) -> DeviceRecord {
        DeviceRecord {
            path: path.into(),
            kind: "regular file".into(),
            model: None,
            serial: None,
            wwn: None,
            size,
            logical_sector: 512,
            physical_sector: 512,
            transport: "file".into(),
            rotational: false,
            removable: false,
            partition_of: None,
            partition_start: None,
            backing_file: None,
            backing_inode: None,
            backing_size: None,
        }
    }
}

/// How the medium was sanitized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sanitization {
    /// `overwrite` or `crypto-erase`.
    pub technique: String,
    /// The NIST SP 800-88 level achieved: `Clear` for a software overwrite; `Purge` only for a
    /// crypto-erase whose conditions hold.
    pub nist_level: String,
    /// The scheme (`random`, `dod-short (zero, one, random)`, …).
    pub scheme: String,
    /// Every pass and the stretches it was written in, with key commitments (never keys).
    pub passes: Vec<PassRecord>,
    /// What discarding before the first pass did, if asked for.
    pub discard: Option<String>,
    /// What this technique could not reach; never omitted.
    pub not_reached: Vec<String>,
    /// When the run began (RFC 3339).
    pub started: String,
    /// When each resumption after an interruption began.
    pub resumed: Vec<String>,
    /// When the run ended.
    pub finished: String,
}

/// How the result was checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// `full` or `sample N%` (of the last pass).
    pub mode: String,
    /// For sampling: the seed that chose the regions.
    pub sample_seed: Option<u64>,
    /// Bytes the verification set out to read back.
    pub planned_bytes: u64,
    /// Bytes read back and compared.
    pub verified_bytes: u64,
    /// `verified_bytes` per 10 000 bytes of the device (integers only).
    pub coverage_bp: u64,
    /// Reads bypassed the page cache.
    pub direct_io: bool,
    /// For a resumed run: the windows verified before an interruption, re-read before issue
    /// and compared with the BLAKE3 digests recorded when they were verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recheck: Option<Recheck>,
}

/// The outcome in numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Bytes written over all passes.
    pub bytes_written: u64,
    /// Ranges that could not be written (empty in a valid certificate).
    pub write_failures: Vec<Range>,
    /// Ranges that could not be read back (empty in a valid certificate).
    pub read_failures: Vec<Range>,
    /// Ranges that read back wrong (empty in a valid certificate).
    pub mismatches: Vec<Range>,
}

/// The tool that did it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// `kagi`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The host's name.
    pub host: String,
    /// The running kernel.
    pub kernel: String,
    /// The PC the device was in, as its firmware names it (DMI), or `null` where none is
    /// exposed. Absent in certificates from before it was recorded.
    #[serde(default)]
    pub machine: Option<crate::machine::Machine>,
}

/// An algorithm the run relied on, and the policy's verdict at issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlgorithmUse {
    /// Canonical name (`AES-256-CTR`).
    pub algorithm: String,
    /// What it was used for.
    pub purpose: String,
    /// The verdict for protecting new data on the issue date.
    pub verdict: String,
    /// The list entries and rules behind it.
    pub sources: Vec<String>,
}

/// The policy the run was held to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRecord {
    /// The policy's name.
    pub name: String,
    /// The dataset revisions.
    pub dataset: String,
    /// Every algorithm used, with its verdict.
    pub algorithms: Vec<AlgorithmUse>,
}

/// Where the certificate sits in the host's ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerPosition {
    /// The entry number it was recorded under.
    pub seq: u64,
    /// The hash of the entry before it (the chain's head when it was issued).
    pub prev: String,
}

/// What a crypto-erase destroyed and what it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CryptoErase {
    /// `LUKS1`, `LUKS2` or `kagi envelope`.
    pub format: String,
    /// The volume's UUID (LUKS).
    pub uuid: Option<String>,
    /// Keyslots in use (LUKS) or recipients (envelope) whose wrapped keys were destroyed.
    pub key_holders: usize,
    /// The bytes overwritten: headers, keyslot areas, wrapped keys.
    pub destroyed: Range,
    /// The encrypted data left in place.
    pub data_left: Range,
    /// Whether a header still parsed after the overwrite (false in a valid certificate).
    pub header_parses_after: bool,
    /// The operator stated that the data was encrypted from its first write (no plaintext
    /// written before encryption remains on the medium).
    pub attested_encrypted_from_first_write: bool,
    /// The operator stated that no copy of the keys exists elsewhere (header backups, escrow,
    /// other copies of the file).
    pub attested_no_key_copies: bool,
    /// Key files overwritten, verified and removed with it.
    pub key_files_destroyed: Vec<String>,
    /// The sample of the data area taken before the keys were destroyed: data that does not
    /// look like ciphertext is not protected by destroying keys.
    #[serde(default)]
    pub data_sample: Option<DataSample>,
}

/// The certificate's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// [`SCHEMA`].
    pub schema: String,
    /// A random identifier.
    pub id: String,
    /// When it was issued (RFC 3339).
    pub issued: String,
    /// Who, for whom, which asset.
    pub context: Context,
    /// The device.
    pub device: DeviceRecord,
    /// What was done.
    pub sanitization: Sanitization,
    /// How it was checked.
    pub verification: Verification,
    /// The numbers.
    pub outcome: Outcome,
    /// The tool.
    pub tool: Tool,
    /// The policy and algorithms.
    pub policy: PolicyRecord,
    /// The ledger position.
    pub ledger: Option<LedgerPosition>,
    /// For a crypto-erase: what was destroyed and the conditions it rests on.
    #[serde(default)]
    pub crypto_erase: Option<CryptoErase>,
}

/// What an overwrite cannot reach, stated in every overwrite certificate.
pub fn overwrite_limits(device: &DeviceRecord) -> Vec<String> {
    let mut v = vec![
        "sectors the drive has remapped (grown defects) are not addressable by the host"
            .to_string(),
    ];
    if !device.rotational {
        v.push("flash over-provisioning and blocks retired by wear levelling are not addressable by the host; only a firmware sanitize or crypto-erase reaches them".into());
    }
    v.push(
        "host protected area (HPA) and device configuration overlay (DCO) were not checked".into(),
    );
    match device.kind.as_str() {
        "partition" => v.push(format!(
            "only the partition was erased, not the rest of {}",
            device.partition_of.as_deref().unwrap_or("its device")
        )),
        "regular file" => v.push(
            "a file overwrite may not reach copies kept by copy-on-write or journalled file systems, snapshots or flash".into(),
        ),
        _ => {}
    }
    v
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The NIST SP 800-88 level a crypto-erase may claim (§2.6): Purge only on a device, with the
/// data encrypted from its first write and no key copies elsewhere; Clear for a file whose key
/// copies are attested absent (a file overwrite's own limits); none when the sampled data area
/// holds data that is not ciphertext (`readable_data`), whatever is attested.
pub fn crypto_level(
    file: bool,
    first_write: bool,
    no_copies: bool,
    readable_data: bool,
) -> &'static str {
    match (readable_data, file, first_write, no_copies) {
        (true, ..) => "Not claimed",
        (false, false, true, true) => "Purge",
        (false, true, _, true) => "Clear",
        _ => "Not claimed",
    }
}

/// Why a scheme's name and its passes disagree, if they do: a named scheme (`dod-short`) must
/// have exactly its passes, and a scheme given as a list of methods must be that list.
fn scheme_problem(scheme: &str, passes: &[PassRecord]) -> Option<String> {
    let methods: Vec<&str> = passes.iter().map(|p| p.method.as_str()).collect();
    // Each method as kagi writes it (`pattern:C0FFEE` is recorded as `pattern:c0ffee`).
    let split = |l: &str| -> Vec<String> {
        l.split(',')
            .map(|m| {
                let m = m.trim();
                m.parse::<crate::method::Method>()
                    .map(|x| x.to_string())
                    .unwrap_or_else(|_| m.to_string())
            })
            .collect()
    };
    let (name, listed) = match scheme.strip_suffix(')').and_then(|x| x.split_once(" (")) {
        Some((n, l)) => (n, Some(split(l))),
        None => (scheme, None),
    };
    let expected: Vec<String> = match crate::engine::scheme_passes(name) {
        Some(p) => p.iter().map(|m| m.to_string()).collect(),
        None => {
            let list = split(name);
            if list
                .iter()
                .any(|m| m.parse::<crate::method::Method>().is_err())
            {
                let names: Vec<&str> = crate::engine::SCHEMES.iter().map(|s| s.0).collect();
                return Some(format!(
                    "the scheme \"{}\" is neither one kagi names ({}) nor a list of methods (zero, one, random, pattern:HEX)",
                    crate::engine::shown(name),
                    names.join(", ")
                ));
            }
            list
        }
    };
    let fits = |l: &[String]| l.iter().map(String::as_str).eq(methods.iter().copied());
    if !fits(&expected) || listed.as_deref().is_some_and(|l| !fits(l)) {
        return Some(format!(
            "the scheme {name} has the passes {}, but the certificate lists {}",
            expected.join(", "),
            methods.join(", ")
        ));
    }
    None
}

/// The verdict of `alg` for protecting new data today, as recorded in certificates.
pub fn algorithm_use(provider: &Provider, alg: &Algorithm, purpose: &str) -> AlgorithmUse {
    let v = provider
        .policy()
        .evaluate(alg, Use::Protect, provider.date());
    AlgorithmUse {
        algorithm: v.algorithm.clone(),
        purpose: purpose.into(),
        verdict: v.status.to_string(),
        sources: v.reasons.iter().map(|r| r.source.clone()).collect(),
    }
}

impl Document {
    /// The certificate for a completed, verified overwrite run; an incomplete or unverified run
    /// gets none. `signature` lists the signing algorithms (signature and digest), recorded
    /// with their verdicts beside those of the run.
    pub fn from_run(
        provider: &Provider,
        report: &Report,
        device: DeviceRecord,
        context: Context,
        signature: &[Algorithm],
    ) -> Result<Document, Error> {
        if !report.complete() {
            return Err(Error::Invalid(
                "no certificate: the run is not complete (unerased, unreadable or mismatching ranges, or unfinished)".into(),
            ));
        }
        if report.verify_planned == 0 {
            return Err(Error::Invalid(
                "no certificate: the run was not verified (--verify off)".into(),
            ));
        }
        let mut algorithms = Vec::new();
        if report.passes.iter().any(|p| p.method == "random") {
            algorithms.push(algorithm_use(
                provider,
                &"AES-256-CTR".parse().map_err(crypto_core::Error::from)?,
                "overwrite keystream",
            ));
            algorithms.push(algorithm_use(
                provider,
                &"SHA-256".parse().map_err(crypto_core::Error::from)?,
                "keystream key commitment",
            ));
        }
        for a in signature {
            algorithms.push(algorithm_use(provider, a, "certificate signature"));
        }
        let dataset = provider
            .policy()
            .evaluate(
                &"SHA-256".parse().map_err(crypto_core::Error::from)?,
                Use::Protect,
                provider.date(),
            )
            .dataset;
        let id = hex::encode(crypto_core::rand::array::<16>()?);
        Ok(Document {
            schema: SCHEMA.into(),
            id,
            issued: crate::engine::now(),
            context,
            sanitization: Sanitization {
                technique: "overwrite".into(),
                nist_level: "Clear".into(),
                scheme: report.method.clone(),
                passes: report.passes.clone(),
                discard: report.discard.clone(),
                not_reached: overwrite_limits(&device),
                started: report.started.clone(),
                resumed: report.resumed.clone(),
                finished: report.finished.clone().unwrap_or_default(),
            },
            verification: Verification {
                mode: report.verification.clone(),
                sample_seed: report.sample_seed,
                planned_bytes: report.verify_planned,
                verified_bytes: report.bytes_verified,
                coverage_bp: report.bytes_verified.saturating_mul(10_000) / report.size.max(1),
                direct_io: report.direct_io,
                recheck: report.recheck.clone(),
            },
            outcome: Outcome {
                bytes_written: report.bytes_written,
                write_failures: report.write_failures.clone(),
                read_failures: report.read_failures.clone(),
                mismatches: report.mismatches.clone(),
            },
            device,
            tool: Tool {
                name: "kagi".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                host: read_trimmed("/proc/sys/kernel/hostname"),
                kernel: read_trimmed("/proc/sys/kernel/osrelease"),
                machine: crate::machine::Machine::read(),
            },
            policy: PolicyRecord {
                name: provider.policy().name().to_string(),
                dataset,
                algorithms,
            },
            ledger: None,
            crypto_erase: None,
        })
    }

    /// The certificate for a completed crypto-erase: the key area's overwrite (`report`), what
    /// was found there and the operator's attestations. The NIST SP 800-88 level follows the
    /// conditions of §2.6: Purge only on a device, with both attestations; Clear for a file
    /// whose key copies are attested absent; otherwise none is claimed.
    #[allow(clippy::too_many_arguments)]
    pub fn from_crypto_erase(
        provider: &Provider,
        outcome: &crate::crypto_erase::Outcome,
        device: DeviceRecord,
        context: Context,
        attested_first_write: bool,
        attested_no_copies: bool,
        key_files: Vec<String>,
        signature: &[Algorithm],
    ) -> Result<Document, Error> {
        if !outcome.complete() {
            return Err(Error::Invalid(
                "no certificate: the crypto-erase is not complete".into(),
            ));
        }
        let found = &outcome.found;
        let file = device.kind == "regular file";
        let sample = &outcome.data;
        let level = crypto_level(
            file,
            attested_first_write,
            attested_no_copies,
            sample.readable_data(),
        );
        let mut limits = Vec::new();
        if sample.readable_data() {
            limits.push(format!(
                "the data area does not look encrypted: {} of {} sampled sectors hold data that is not ciphertext (the first at byte {}); destroying the keys does not reach it, so no NIST SP 800-88 level is claimed",
                sample.readable,
                sample.sectors,
                sample.first_readable.unwrap_or_default()
            ));
        }
        if !attested_no_copies {
            limits.push(match found.format {
                crate::crypto_erase::Format::KagiEnvelope => "copies of the envelope elsewhere (backups, transfers) still hold its header and can be decrypted by its recipients: not attested absent".to_string(),
                _ => "LUKS header backups (cryptsetup luksHeaderBackup) and keys held elsewhere defeat a crypto-erase: not attested absent".to_string(),
            });
        }
        if !attested_first_write && found.format != crate::crypto_erase::Format::KagiEnvelope {
            limits.push("data written to the device before it was encrypted may remain in plaintext: encryption from the first write was not attested".into());
        }
        limits.push(format!(
            "the encrypted data (bytes {}..{}) was not overwritten",
            found.data.start, found.data.end
        ));
        if file {
            limits.push("a file overwrite may not reach copies kept by copy-on-write or journalled file systems, snapshots or flash".into());
        } else if !device.rotational {
            limits.push(
                "flash may keep earlier copies of the header in blocks the host cannot address"
                    .into(),
            );
        }
        let mut doc = Document::from_run(provider, &outcome.report, device, context, signature)?;
        doc.sanitization.technique = "crypto-erase".into();
        doc.sanitization.nist_level = level.into();
        doc.sanitization.scheme = format!("{} key material, random overwrite", found.format);
        doc.sanitization.not_reached = limits;
        doc.verification.coverage_bp =
            doc.verification.verified_bytes.saturating_mul(10_000) / doc.device.size.max(1);
        doc.crypto_erase = Some(CryptoErase {
            format: found.format.to_string(),
            uuid: found.uuid.clone(),
            key_holders: found.key_holders,
            destroyed: found.area,
            data_left: found.data,
            header_parses_after: !outcome.header_gone,
            attested_encrypted_from_first_write: attested_first_write,
            attested_no_key_copies: attested_no_copies,
            key_files_destroyed: key_files,
            data_sample: Some(outcome.data.clone()),
        });
        Ok(doc)
    }

    /// Everything inconsistent in the document: a valid certificate has none.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.schema != SCHEMA {
            p.push(format!("unknown schema {}", self.schema));
        }
        let size = self.device.size;
        let s = &self.sanitization;
        let v = &self.verification;
        let o = &self.outcome;
        if size == 0 {
            p.push("the device has size 0".into());
        }
        if let Some(m) = &self.tool.machine {
            p.extend(m.problems());
        }
        for (what, r) in [
            ("unwritten", &o.write_failures),
            ("unreadable", &o.read_failures),
            ("mismatching", &o.mismatches),
        ] {
            if !r.is_empty() {
                p.push(format!("{} {what} range(s) listed", r.len()));
            }
        }
        match s.technique.as_str() {
            "overwrite" => {
                if s.passes.is_empty() {
                    p.push("an overwrite without passes".into());
                }
                let expect = size.saturating_mul(s.passes.len() as u64);
                if o.bytes_written != expect {
                    p.push(format!(
                        "{} bytes written, but {} passes over {size} bytes are {expect}",
                        o.bytes_written,
                        s.passes.len()
                    ));
                }
                for (i, pass) in s.passes.iter().enumerate() {
                    let mut at = 0;
                    for seg in &pass.segments {
                        if seg.start != at || seg.end < seg.start {
                            p.push(format!(
                                "pass {} does not cover the device contiguously at byte {at}",
                                i + 1
                            ));
                            break;
                        }
                        at = seg.end;
                        if (pass.method == "random") != seg.key_commitment.is_some() {
                            p.push(format!(
                                "pass {} has a key commitment that does not fit its method",
                                i + 1
                            ));
                        }
                    }
                    if at != size {
                        p.push(format!("pass {} ends at byte {at}, not {size}", i + 1));
                    }
                }
                if s.passes.last().is_some_and(|l| !l.verified) {
                    p.push("the last pass is not marked verified".into());
                }
                if let Some(why) = scheme_problem(&s.scheme, &s.passes) {
                    p.push(why);
                }
                if !s.resumed.is_empty() && v.recheck.is_none() {
                    p.push("a resumed run whose windows verified before the interruption were not re-read before issue".into());
                }
                if s.nist_level != "Clear" {
                    p.push(format!(
                        "an overwrite claims NIST SP 800-88 {}; a software overwrite achieves Clear",
                        s.nist_level
                    ));
                }
            }
            "crypto-erase" => match &self.crypto_erase {
                None => p.push("a crypto-erase without its record".into()),
                Some(c) => {
                    let len = c.destroyed.end.saturating_sub(c.destroyed.start);
                    if c.destroyed.start != 0 || c.destroyed.end > size || len == 0 {
                        p.push("the destroyed area is not a start of the device".into());
                    }
                    if o.bytes_written != len {
                        p.push(format!(
                            "{} bytes written, but the key area is {len}",
                            o.bytes_written
                        ));
                    }
                    if v.verified_bytes != len {
                        p.push("the key area was not read back whole".into());
                    }
                    if c.header_parses_after {
                        p.push("a header still parsed after the crypto-erase".into());
                    }
                    // Without a sample, the data was not shown to be ciphertext.
                    let readable = match &c.data_sample {
                        Some(d) => {
                            p.extend(d.problems(&c.data_left));
                            d.readable_data()
                        }
                        None => true,
                    };
                    let want = crypto_level(
                        self.device.kind == "regular file",
                        c.attested_encrypted_from_first_write,
                        c.attested_no_key_copies,
                        readable,
                    );
                    if s.nist_level != want {
                        p.push(format!(
                            "a crypto-erase claims {} where its conditions give {want}",
                            s.nist_level
                        ));
                    }
                    if s.passes.len() != 1
                        || s.passes[0].segments.last().map(|x| x.end) != Some(c.destroyed.end)
                    {
                        p.push("the key area's overwrite is not one whole pass".into());
                    }
                }
            },
            other => p.push(format!("unknown technique {other}")),
        }
        if s.not_reached.is_empty() {
            p.push("the limits (what was not reached) are missing".into());
        }
        if let Some(r) = &v.recheck {
            if r.algorithm != crate::engine::RECHECK_ALGORITHM {
                p.push(format!(
                    "a re-check digest {} that kagi does not use",
                    r.algorithm
                ));
            }
            if !r.changed.is_empty() {
                p.push(format!(
                    "{} window(s) changed after they were verified (first bytes {}..{})",
                    r.changed.len(),
                    r.changed[0].start,
                    r.changed[0].end
                ));
            }
            if r.bytes > size.saturating_mul(s.passes.len().max(1) as u64) {
                p.push("more bytes re-checked than the device has".into());
            }
        }
        self.resume_problems(&mut p);
        self.device_problems(&mut p);
        if v.verified_bytes != v.planned_bytes {
            p.push(format!(
                "{} of {} planned bytes verified",
                v.verified_bytes, v.planned_bytes
            ));
        }
        if v.planned_bytes == 0 {
            p.push("nothing was verified".into());
        }
        if v.verified_bytes > size {
            p.push("more bytes verified than the device has".into());
        }
        if v.coverage_bp != v.verified_bytes.saturating_mul(10_000) / size.max(1) {
            p.push(format!(
                "coverage {} bp does not match {} of {size} bytes",
                v.coverage_bp, v.verified_bytes
            ));
        }
        if v.mode == "full" && s.technique == "overwrite" && v.verified_bytes != size {
            p.push("full verification that did not read the whole device".into());
        }
        if v.mode.starts_with("sample") {
            let pct: u64 = v
                .mode
                .trim_start_matches("sample ")
                .trim_end_matches('%')
                .parse()
                .unwrap_or(0);
            if v.sample_seed.is_none() {
                p.push("sampled verification without its seed".into());
            }
            if v.coverage_bp < pct * 100 {
                p.push(format!(
                    "sampled {pct}% but covered {}.{:02}%",
                    v.coverage_bp / 100,
                    v.coverage_bp % 100
                ));
            }
        } else if v.mode != "full" && s.technique == "overwrite" {
            p.push(format!(
                "verification mode {} is not full or sampled",
                v.mode
            ));
        }
        let t = |x: &str| OffsetDateTime::parse(x, &Rfc3339).ok();
        match (t(&s.started), t(&s.finished), t(&self.issued)) {
            (Some(a), Some(b), Some(c)) => {
                if !(a <= b && b <= c) {
                    p.push("times out of order: started ≤ finished ≤ issued fails".into());
                }
                for r in &s.resumed {
                    match t(r) {
                        Some(x) if a <= x && x <= b => {}
                        _ => p.push(format!("resumption time {r} outside the run")),
                    }
                }
            }
            _ => p.push("a time that is not RFC 3339".into()),
        }
        p
    }

    /// A resumed run (or one written in several key stretches) must carry a re-check that
    /// covers everything verified before the last resumption, done between that resumption and
    /// the issue; every key commitment is a SHA-256 value (64 hex digits).
    fn resume_problems(&self, p: &mut Vec<String>) {
        let s = &self.sanitization;
        let v = &self.verification;
        let size = self.device.size;
        for (i, pass) in s.passes.iter().enumerate() {
            for seg in &pass.segments {
                if let Some(k) = &seg.key_commitment
                    && !(k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    p.push(format!(
                        "pass {} has a key commitment that is not 64 hex digits (SHA-256)",
                        i + 1
                    ));
                }
            }
        }
        let stretches = s.passes.iter().any(|x| x.segments.len() > 1);
        if stretches && s.resumed.is_empty() {
            p.push("a pass written in several stretches, but no resumption recorded".into());
        }
        if s.technique != "overwrite" || (s.resumed.is_empty() && !stretches) {
            return;
        }
        // Without a re-check, the overwrite rules (or the line above) have said so.
        let Some(r) = &v.recheck else {
            return;
        };
        // What the verified pass had behind it when the last session began.
        let before = s
            .passes
            .last()
            .and_then(|x| x.segments.last())
            .map_or(0, |x| x.start);
        let need = if v.mode == "full" {
            before
        } else {
            let pct = v
                .mode
                .trim_start_matches("sample ")
                .trim_end_matches('%')
                .parse()
                .unwrap_or(0);
            let sector = u64::from(self.device.logical_sector.max(1));
            crate::engine::sample_regions(size, sector, pct, v.sample_seed.unwrap_or(0))
                .iter()
                .map(|x| x.end.min(before).saturating_sub(x.start))
                .sum()
        };
        if r.bytes < need || (before > 0 && r.windows < before.div_ceil(crate::engine::WINDOW)) {
            p.push(format!(
                "the re-check read {} window(s), {} bytes, but {need} bytes (up to byte {before}) were verified before the last resumption",
                r.windows, r.bytes
            ));
        }
        if r.bytes > size || r.windows > size.div_ceil(crate::engine::BLOCK as u64) {
            p.push("more re-checked than the device holds".into());
        }
        let t = |x: &str| OffsetDateTime::parse(x, &Rfc3339).ok();
        let from = s.resumed.last().unwrap_or(&s.started);
        match (t(from), t(&r.at), t(&self.issued)) {
            (Some(a), Some(b), Some(c)) if a <= b && b <= c => {}
            (Some(_), Some(_), Some(_)) => p.push(format!(
                "the re-check time {} is not between the last resumption {from} and the issue {}",
                r.at, self.issued
            )),
            _ => p.push("a re-check time that is not RFC 3339".into()),
        }
    }

    /// The device kinds kagi writes, and a transport that fits them.
    fn device_problems(&self, p: &mut Vec<String>) {
        let d = &self.device;
        const KINDS: [&str; 5] = [
            "whole device",
            "partition",
            "loopback device",
            "partition of a loopback device",
            "regular file",
        ];
        const TRANSPORTS: [&str; 9] = [
            "SATA/SCSI",
            "NVMe",
            "USB",
            "virtio",
            "dm",
            "md",
            "loop",
            "unknown",
            "file",
        ];
        if !TRANSPORTS.contains(&d.transport.as_str()) {
            p.push(format!(
                "a device transport \"{}\" that kagi does not write",
                d.transport
            ));
        }
        if !KINDS.contains(&d.kind.as_str()) {
            p.push(format!(
                "a device kind \"{}\" that kagi does not write",
                d.kind
            ));
        } else if (d.kind == "regular file") != (d.transport == "file")
            || d.kind.contains("loopback") != (d.transport == "loop")
        {
            p.push(format!(
                "a device of kind \"{}\" with transport \"{}\"",
                d.kind, d.transport
            ));
        }
    }

    /// The exact bytes that are signed: pretty JSON and a final newline.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut v = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Invalid(format!("certificate: {e}")))?;
        v.push(b'\n');
        Ok(v)
    }
}

/// Signs `doc` and returns the certificate file's bytes (`crypto_core::cms::seal_text`).
pub fn seal(
    provider: &Provider,
    doc: &Document,
    signer: &Signer<'_>,
    chain: &[Vec<u8>],
) -> Result<Vec<u8>, Error> {
    let when = OffsetDateTime::parse(&doc.issued, &Rfc3339)
        .map_err(|_| Error::Invalid("the issue time is not RFC 3339".into()))?;
    Ok(crypto_core::cms::seal_text(
        provider,
        &doc.to_bytes()?,
        signer,
        chain,
        when,
    )?)
}

/// Why a certificate document does not parse, in one line: the field and the line, without
/// serde's list of expected names.
fn parse_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!("line {}", e.line());
    let what = if let Some(rest) = text.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        format!(
            "it has a field \"{}\" that the certificate format does not define",
            crate::engine::shown(field)
        )
    } else if let Some(rest) = text.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        format!("its field \"{field}\" is missing")
    } else {
        // serde's own wording, without its position (given once below).
        text.split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    format!("the certificate document does not parse: {what} ({at})")
}

/// A certificate file taken apart.
pub struct Sealed {
    /// The document.
    pub document: Document,
    /// Its exact signed bytes.
    pub signed_bytes: Vec<u8>,
    /// The CMS signature.
    pub signature: Signature,
}

/// Splits and parses a certificate file; a missing, truncated or second signature block and a
/// document that is not the schema are errors.
pub fn open(bytes: &[u8]) -> Result<Sealed, Error> {
    // kagi never writes a carriage return (the document is JSON with `\n` line ends, and JSON
    // strings escape CR): a CR means the file was converted after signing — e.g. to CRLF line
    // endings by a mail client or an editor — so its bytes are no longer the signed ones.
    if bytes.contains(&b'\r') {
        return Err(Error::Invalid(
            "the file was altered after signing: it has CR (carriage return) line endings, which kagi never writes (converted to CRLF by a mail client or editor?); the signed bytes are LF only: convert a copy back (`tr -d '\\r'`) and verify that".into(),
        ));
    }
    let (doc, signature) = crypto_core::cms::open_text(bytes).map_err(|e| match e {
        crypto_core::Error::Malformed(m) => Error::Invalid(m),
        e => Error::Crypto(e),
    })?;
    let document: Document =
        serde_json::from_slice(doc).map_err(|e| Error::Invalid(parse_error(&e)))?;
    Ok(Sealed {
        document,
        signed_bytes: doc.to_vec(),
        signature,
    })
}

/// What `verify` found.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The signature's report (signer, chain, algorithms, problems).
    pub signature: crypto_core::cms::Report,
    /// The document's inconsistencies.
    pub document: Vec<String>,
    /// Algorithms in the document refused by the policy now.
    pub algorithms: Vec<String>,
}

impl Verdict {
    /// Valid: signature and chain good, the document consistent, its algorithms permitted.
    pub fn valid(&self) -> bool {
        self.signature.valid() && self.document.is_empty() && self.algorithms.is_empty()
    }

    /// Every problem except the missing trust anchor, for a verdict made without anchors:
    /// the signature over these exact bytes with the embedded signer certificate, the
    /// document's consistency and its algorithms. Empty when all that holds.
    pub fn problems_but_anchor(&self) -> Vec<String> {
        self.problems()
            .into_iter()
            .filter(|p| p != crypto_core::cms::NO_TRUST_ANCHORS)
            .collect()
    }

    /// Every problem, signature first.
    pub fn problems(&self) -> Vec<String> {
        let mut v = self.signature.problems.clone();
        v.extend(self.document.iter().cloned());
        v.extend(self.algorithms.iter().cloned());
        v
    }
}

/// Verifies a certificate: the signature over the document's bytes and the signer's path to
/// `trust` (at `at` and at signing), the document's consistency, and its algorithms against
/// the policy (to process, as of the issue date).
pub fn verify(
    provider: &Provider,
    sealed: &Sealed,
    trust: &[Vec<u8>],
    at: OffsetDateTime,
) -> Verdict {
    let digest = sealed
        .signature
        .digest_algorithm(provider)
        .ok()
        .and_then(|alg| crypto_core::hash::digest(provider, alg, &sealed.signed_bytes).ok())
        .unwrap_or_default();
    let signature = sealed.signature.verify(
        provider,
        &digest,
        &VerifyOptions {
            trust,
            extra: &[],
            at,
        },
    );
    let mut document = sealed.document.problems();
    if let (Some(t), Ok(issued)) = (
        sealed.signature.signing_time(),
        OffsetDateTime::parse(&sealed.document.issued, &Rfc3339),
    ) && (t - issued).abs() > time::Duration::seconds(1)
    {
        document.push("the signing time differs from the issue time".into());
    }
    let mut algorithms = Vec::new();
    for a in &sealed.document.policy.algorithms {
        match a.algorithm.parse::<Algorithm>() {
            Ok(alg) => {
                let v = provider
                    .policy()
                    .evaluate(&alg, Use::Process, provider.date());
                if !v.allows() {
                    algorithms.push(format!(
                        "{} ({}) is refused: {}",
                        a.algorithm,
                        a.purpose,
                        v.refusal_summary()
                    ));
                }
            }
            Err(_) => algorithms.push(format!("unknown algorithm {}", a.algorithm)),
        }
    }
    Verdict {
        signature,
        document,
        algorithms,
    }
}

/// The signing algorithms a signer uses (signature and digest), for [`Document::from_run`].
pub fn signer_algorithms(signer: &Signer<'_>) -> Vec<Algorithm> {
    vec![
        signer.algorithm(),
        Algorithm::Hash(signer.digest_algorithm().hash_alg()),
    ]
}

/// The hash a certificate file is known by in the ledger: SHA-256 of its bytes.
pub fn file_hash(provider: &Provider, bytes: &[u8]) -> Result<String, Error> {
    Ok(hex::encode(crypto_core::hash::digest(
        provider,
        HashAlgorithm::Sha256,
        bytes,
    )?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::engine::{self, Plan, Verify};
    use crate::target::{Fault, Faulty};
    use crypto_core::keys::{KeyAlg, PrivateKey};
    use crypto_core::pki::{Profile, self_signed};
    use proptest::prelude::*;

    fn context() -> Context {
        Context {
            organisation: "テスト省".into(),
            operator: "山田 太郎".into(),
            role: "担当".into(),
            ..Context::default()
        }
    }

    fn run(faults: Vec<Fault>, verify: Verify) -> Report {
        let p = Provider::egov().unwrap();
        let mut t = Faulty::new(2 << 20, 0x11, faults);
        let plan = Plan::parse(Some("random"), None, verify).unwrap();
        engine::run_plan(&p, &mut t, &plan).unwrap()
    }

    fn document() -> Document {
        let p = Provider::egov().unwrap();
        let r = run(vec![], Verify::Full);
        Document::from_run(
            &p,
            &r,
            DeviceRecord::from_file("/tmp/x", r.size),
            context(),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn a_crlf_copy_is_named_as_altered() {
        let (bytes, _) = sealed_bytes();
        let text = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
        let e = open(text.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("altered") && e.contains("CR"), "{e}");
        let back = text.replace("\r\n", "\n");
        assert!(open(back.as_bytes()).is_ok());
    }

    #[test]
    fn only_complete_verified_runs_get_a_certificate() {
        let p = Provider::egov().unwrap();
        let dev = |r: &Report| DeviceRecord::from_file("/tmp/x", r.size);
        let bad = run(vec![Fault::BadByte(4096)], Verify::Full);
        assert!(Document::from_run(&p, &bad, dev(&bad), context(), &[]).is_err());
        let unverified = run(vec![], Verify::Off);
        assert!(Document::from_run(&p, &unverified, dev(&unverified), context(), &[]).is_err());
        let mut unfinished = run(vec![], Verify::Full);
        unfinished.finished = None;
        assert!(Document::from_run(&p, &unfinished, dev(&unfinished), context(), &[]).is_err());
        let d = document();
        assert!(d.problems().is_empty(), "{:?}", d.problems());
        assert_eq!(d.sanitization.nist_level, "Clear");
        assert!(
            d.sanitization
                .not_reached
                .iter()
                .any(|n| n.contains("copy-on-write"))
        );
        assert_eq!(d.verification.coverage_bp, 10_000);
        assert!(
            d.policy
                .algorithms
                .iter()
                .any(|a| a.algorithm.contains("aes-256"))
        );
    }

    #[test]
    fn inconsistent_documents_are_named() {
        type Edit = Box<dyn Fn(&mut Document)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "Purge",
                Box::new(|d| d.sanitization.nist_level = "Purge".into()),
            ),
            ("coverage", Box::new(|d| d.verification.coverage_bp = 9_000)),
            (
                "planned",
                Box::new(|d| d.verification.verified_bytes -= 512),
            ),
            ("bytes written", Box::new(|d| d.outcome.bytes_written -= 1)),
            (
                "contiguously",
                Box::new(|d| d.sanitization.passes[0].segments[0].start = 512),
            ),
            (
                "key commitment",
                Box::new(|d| d.sanitization.passes[0].segments[0].key_commitment = None),
            ),
            (
                "mismatching",
                Box::new(|d| d.outcome.mismatches.push(Range { start: 0, end: 512 })),
            ),
            ("limits", Box::new(|d| d.sanitization.not_reached.clear())),
            (
                "out of order",
                Box::new(|d| d.issued = "2000-01-01T00:00:00Z".into()),
            ),
            ("schema", Box::new(|d| d.schema = "other/9".into())),
            (
                "has the passes zero, one, random",
                Box::new(|d| d.sanitization.scheme = "dod-short (zero, one, random)".into()),
            ),
            (
                "has the passes zero",
                Box::new(|d| d.sanitization.scheme = "zero".into()),
            ),
            (
                "were not re-read",
                Box::new(|d| d.sanitization.resumed.push(d.sanitization.started.clone())),
            ),
            (
                "changed after they were verified",
                Box::new(|d| {
                    d.verification.recheck = Some(Recheck {
                        algorithm: "BLAKE3".into(),
                        windows: 1,
                        bytes: 512,
                        changed: vec![Range { start: 0, end: 512 }],
                        at: d.sanitization.finished.clone(),
                        by_content: 0,
                    })
                }),
            ),
        ];
        // The schemes kagi names are consistent with their own passes.
        for (name, list, _) in crate::engine::SCHEMES {
            let passes: Vec<PassRecord> = list
                .split(',')
                .map(|m| PassRecord {
                    method: m.into(),
                    verified: false,
                    segments: vec![],
                })
                .collect();
            let plan = Plan::parse(None, Some(name), Verify::Full).unwrap();
            let described = format!("{name} ({})", list.replace(',', ", "));
            assert_eq!(scheme_problem(&described, &passes), None, "{name}");
            assert_eq!(plan.passes.len(), passes.len());
            assert!(scheme_problem(&described, &passes[1..]).is_some());
        }
        assert_eq!(
            scheme_problem(
                "random",
                &[PassRecord {
                    method: "random".into(),
                    verified: true,
                    segments: vec![]
                }]
            ),
            None
        );
        for (want, edit) in cases {
            let mut d = document();
            edit(&mut d);
            let p = d.problems();
            assert!(p.iter().any(|x| x.contains(want)), "{want}: {p:?}");
        }
    }

    /// A random run over three 4 MiB windows, stopped after the first and resumed.
    fn resumed_document() -> Document {
        use std::sync::atomic::{AtomicBool, Ordering};
        let p = Provider::egov().unwrap();
        let mut t = Faulty::new(3 * engine::BLOCK, 0x11, vec![]);
        let plan = Plan::parse(Some("random"), None, Verify::Full).unwrap();
        let mut state = engine::State::new(&t, &plan).unwrap();
        state.window = engine::BLOCK as u64;
        let stop = AtomicBool::new(false);
        let ended = engine::run(
            &p,
            &mut t,
            &mut state,
            &stop,
            &mut |_| {
                stop.store(true, Ordering::Relaxed);
                Ok(())
            },
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(ended, engine::Ended::Stopped);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        state.resuming();
        let stop = AtomicBool::new(false);
        engine::run(&p, &mut t, &mut state, &stop, &mut |_| Ok(()), &mut |_| {}).unwrap();
        let r = state.report;
        Document::from_run(
            &p,
            &r,
            DeviceRecord::from_file("/tmp/x", r.size),
            context(),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn a_resumed_certificate_must_carry_a_recheck_that_covers_what_came_before() {
        let good = resumed_document();
        assert!(good.problems().is_empty(), "{:?}", good.problems());
        assert_eq!(good.sanitization.passes[0].segments.len(), 2);
        let started = good.sanitization.started.clone();
        type Edit = Box<dyn Fn(&mut Document)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "the re-check read 0 window(s), 0 bytes",
                Box::new(|d| {
                    let r = d.verification.recheck.as_mut().unwrap();
                    r.windows = 0;
                    r.bytes = 0;
                }),
            ),
            (
                "4096 bytes",
                Box::new(|d| d.verification.recheck.as_mut().unwrap().bytes = 4096),
            ),
            (
                "is not between the last resumption",
                Box::new(move |d| d.verification.recheck.as_mut().unwrap().at = started.clone()),
            ),
            (
                "is not between the last resumption",
                Box::new(|d| {
                    d.verification.recheck.as_mut().unwrap().at = "2030-01-01T00:00:00Z".into()
                }),
            ),
            (
                "no resumption recorded",
                Box::new(|d| {
                    d.sanitization.resumed.clear();
                    d.verification.recheck = None;
                }),
            ),
            (
                "not 64 hex digits",
                Box::new(|d| {
                    d.sanitization.passes[0].segments[1].key_commitment = Some("zz".into())
                }),
            ),
            (
                "that kagi does not write",
                Box::new(|d| d.device.kind = "NVMe SSD".into()),
            ),
            (
                "with transport",
                Box::new(|d| d.device.transport = "nvme".into()),
            ),
        ];
        for (want, edit) in cases {
            let mut d = good.clone();
            edit(&mut d);
            let p = d.problems();
            assert!(p.iter().any(|x| x.contains(want)), "{want}: {p:?}");
        }
    }

    #[test]
    fn an_unknown_scheme_and_an_unknown_field_are_named_plainly() {
        let mut d = document();
        d.sanitization.scheme = "DoD-Short".into();
        let p = d.problems();
        assert!(
            p.iter()
                .any(|x| x.contains("\"DoD-Short\" is neither one kagi names (nist, dod-short")),
            "{p:?}"
        );
        assert!(
            !p.iter().any(|x| x.contains("has the passes DoD-Short")),
            "{p:?}"
        );
        let mut v = serde_json::to_value(document()).unwrap();
        v["evil"] = 1.into();
        let text = serde_json::to_string_pretty(&v).unwrap();
        let e = parse_error(&serde_json::from_str::<Document>(&text).err().unwrap());
        assert!(
            e.contains("a field \"evil\" that the certificate format does not define"),
            "{e}"
        );
        assert!(!e.contains("expected one of") && !e.contains('`'), "{e}");
    }

    fn sealed_bytes() -> (Vec<u8>, Vec<u8>) {
        let p = Provider::egov().unwrap();
        let key = PrivateKey::generate(&p, KeyAlg::Ecdsa(cryptrec::Curve::P256)).unwrap();
        let cert = self_signed(&p, &key, "CN=operator", 30, Profile::EraseCertificates).unwrap();
        let signer = Signer::new(&p, &key, &cert, HashAlgorithm::Sha256).unwrap();
        let r = run(vec![], Verify::Full);
        let doc = Document::from_run(
            &p,
            &r,
            DeviceRecord::from_file("/tmp/x", r.size),
            context(),
            &signer_algorithms(&signer),
        )
        .unwrap();
        (seal(&p, &doc, &signer, &[]).unwrap(), cert)
    }

    /// Any flipped bit, anywhere in the file, or any truncation: never valid. Every cut; 96
    /// flips from a
    /// fixed seed (every one of the file's bytes flipped in turn took 100 s in a debug
    /// build); the cases that get past parsing to the signature check are counted, so the
    /// check is known to have run (about a third of flips parse), and a flip that survives is
    /// one that left the parsed file unchanged.
    #[test]
    fn any_flipped_bit_or_cut_is_rejected() {
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        use std::cell::Cell;
        let (bytes, cert) = sealed_bytes();
        let p = Provider::egov().unwrap();
        let trust = vec![cert];
        let good = open(&bytes).unwrap();
        let at = OffsetDateTime::now_utc();
        assert!(verify(&p, &good, &trust, at).valid());
        let (flips, cuts, cases) = (Cell::new(0), Cell::new(0), Cell::new(0));
        let strategy = (any::<prop::sample::Index>(), 0u8..8);
        let config = Config {
            cases: 96,
            failure_persistence: None,
            ..Config::default()
        };
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
            .run(&strategy, |(pos, bit)| {
                cases.set(cases.get() + 1);
                let mut flipped = bytes.clone();
                flipped[pos.index(bytes.len())] ^= 1 << bit;
                if let Ok(s) = open(&flipped) {
                    flips.set(flips.get() + 1);
                    let unchanged =
                        s.signed_bytes == good.signed_bytes && s.document == good.document;
                    prop_assert!(unchanged || !verify(&p, &s, &trust, at).valid());
                }
                Ok(())
            })
            .unwrap();
        // Flips that still parse (in JSON string values, the base64 signature) reach the
        // signature check: it ran for a quarter of the cases at least, not just the parser.
        assert_eq!(cases.get(), 96);
        assert!(
            flips.get() >= 24,
            "only {} of 96 flips reached the signature check",
            flips.get()
        );
        // Every cut, exhaustively (parsing is cheap; few cuts parse at all).
        for n in 0..bytes.len() {
            if let Ok(s) = open(&bytes[..n]) {
                cuts.set(cuts.get() + 1);
                // Only the final newline after the END line may go (the file's meaning is
                // intact: same signed bytes, same signature); any deeper cut is refused.
                let only_newline = n + 1 == bytes.len() && bytes.ends_with(b"\n");
                assert!(
                    !verify(&p, &s, &trust, at).valid()
                        || only_newline && s.signed_bytes == good.signed_bytes,
                    "cut at {n} of {}: still valid",
                    bytes.len()
                );
            }
        }
        // Exactly one cut parses: the final newline's.
        assert_eq!(cuts.get(), 1, "cuts that reached the signature check");
    }
}
