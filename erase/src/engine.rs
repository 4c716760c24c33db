//! The overwrite engine: the passes of a plan over the whole target in large aligned blocks,
//! the next block generated on a second thread while the last is written. Each pass goes in
//! windows of [`WINDOW`] bytes: write, flush, read the window back (last pass; full or
//! sampled), then a checkpoint — the [`State`] the caller keeps in a journal, so an
//! interrupted run resumes from the last verified window. A `random` pass draws a fresh key for
//! each stretch it writes (a resumed pass continues with a new key; the key is never stored,
//! each stretch is reported with its key's commitment). A block that fails is retried once,
//! then recorded; any recorded range makes the run fail — it never reports success with
//! unerased or unverified ranges.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use crypto_core::Provider;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::method::{Generator, Method};
use crate::target::{AlignedBuf, Target};

/// The I/O block: 4 MiB (a multiple of every sector size).
pub const BLOCK: usize = 4 << 20;

/// The checkpoint window: 256 MiB are written, flushed and read back before the journal moves.
pub const WINDOW: u64 = 64 * BLOCK as u64;

/// A byte range `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

/// A stretch of a pass written with one generator (one key, for `random`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// First byte.
    pub start: u64,
    /// One past the last byte written and checkpointed.
    pub end: u64,
    /// For `random`: SHA-256 commitment to this stretch's key (never the key).
    pub key_commitment: Option<String>,
}

/// One pass and the stretches it was written in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRecord {
    /// The method of this pass.
    pub method: String,
    /// Whether this pass is read back (the last one, unless verification is off).
    pub verified: bool,
    /// The stretches (one unless the run was interrupted and resumed).
    pub segments: Vec<Segment>,
}

/// What a run did.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// The target.
    pub target: String,
    /// Its size in bytes.
    pub size: u64,
    /// The scheme: a single method, or a named sequence and its methods.
    pub method: String,
    /// Every pass, with per-stretch key commitments.
    pub passes: Vec<PassRecord>,
    /// `full`, `sample N%` or `off` (applied to the last pass).
    pub verification: String,
    /// For sampled verification: the seed that chose the regions (so the sample can be redone).
    pub sample_seed: Option<u64>,
    /// Bytes the verification set out to read back.
    pub verify_planned: u64,
    /// Whether reads bypassed the page cache.
    pub direct_io: bool,
    /// What discarding (TRIM) before the first pass did, when it was asked for.
    pub discard: Option<String>,
    /// Bytes written, over all passes.
    pub bytes_written: u64,
    /// Bytes read back and compared.
    pub bytes_verified: u64,
    /// Ranges that could not be written.
    pub write_failures: Vec<Range>,
    /// Ranges that could not be read back.
    pub read_failures: Vec<Range>,
    /// Ranges that read back different from what was written.
    pub mismatches: Vec<Range>,
    /// When the run began (RFC 3339, UTC).
    pub started: String,
    /// When each resumption began.
    pub resumed: Vec<String>,
    /// When the run ended.
    pub finished: Option<String>,
    /// The first write that failed: where, and the OS error (`EROFS: …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_write_error: Option<String>,
    /// The first read that failed: where, and the OS error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_read_error: Option<String>,
    /// For a resumed run: the windows verified before an interruption, re-read and compared
    /// with their recorded digests before the run ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recheck: Option<Recheck>,
    /// A read-only check (`kagi erase verify`): nothing was written.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// The digest of a verified window's read-back, kept in the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDigest {
    /// First byte of the window.
    pub start: u64,
    /// One past its last byte.
    pub end: u64,
    /// BLAKE3 of the bytes read back (every byte, or the sampled pieces in order).
    pub blake3: String,
    /// The session (0 for the first run, one more for each resumption) that verified it.
    pub session: u32,
}

/// The re-check of a resumed run: every window verified before an interruption, read again
/// and compared with the digest recorded when it was verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recheck {
    /// `BLAKE3`.
    pub algorithm: String,
    /// Windows re-read.
    pub windows: u64,
    /// Bytes re-read.
    pub bytes: u64,
    /// Windows whose read-back differs from what was verified (empty when all still hold).
    pub changed: Vec<Range>,
    /// When the re-check ran (RFC 3339).
    pub at: String,
    /// Windows the journal recorded no digest for, judged by their content instead (byte for
    /// byte, or the keystream test for random).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub by_content: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The digest algorithm of [`Recheck`].
pub const RECHECK_ALGORITHM: &str = "BLAKE3";

/// Names an I/O error the way an operator looks it up: the errno's symbol (`EPERM`, `EIO`,
/// `ENOSPC`, …) and the system's message.
pub fn describe_io(e: &std::io::Error) -> String {
    let name = match e.raw_os_error() {
        Some(1) => "EPERM",
        Some(5) => "EIO",
        Some(6) => "ENXIO",
        Some(9) => "EBADF",
        Some(11) => "EAGAIN",
        Some(12) => "ENOMEM",
        Some(13) => "EACCES",
        Some(14) => "EFAULT",
        Some(16) => "EBUSY",
        Some(19) => "ENODEV",
        Some(22) => "EINVAL",
        Some(27) => "EFBIG",
        Some(28) => "ENOSPC",
        Some(30) => "EROFS",
        Some(61) => "ENODATA",
        Some(62) => "ETIME",
        Some(74) => "EBADMSG",
        Some(84) => "EILSEQ",
        Some(95) => "EOPNOTSUPP",
        Some(110) => "ETIMEDOUT",
        Some(121) => "EREMOTEIO",
        Some(123) => "ENOMEDIUM",
        Some(124) => "EMEDIUMTYPE",
        Some(n) => return format!("errno {n}: {e}"),
        None => return e.to_string(),
    };
    format!("{name}: {e}")
}

impl Report {
    /// Whether every pass wrote every byte and, if verification ran, read back equal.
    pub fn complete(&self) -> bool {
        self.finished.is_some()
            && self.write_failures.is_empty()
            && self.read_failures.is_empty()
            && self.mismatches.is_empty()
            && self.recheck.as_ref().is_none_or(|r| r.changed.is_empty())
            && (self.read_only || self.bytes_written == self.size * self.passes.len() as u64)
            && self.bytes_verified == self.verify_planned
            && self.passes.iter().all(|p| {
                let mut at = 0;
                p.segments.iter().all(|s| {
                    let ok = s.start == at;
                    at = s.end;
                    ok
                }) && at == self.size
            })
    }
}

/// Progress, for a bar or JSON lines.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Progress {
    /// Pass number, from 1.
    pub pass: usize,
    /// Number of passes.
    pub passes: usize,
    /// `write`, `verify` or `checkpoint` (a window is durable and verified: `done` is where a
    /// resumed run would continue).
    pub phase: &'static str,
    /// Bytes of this pass done.
    pub done: u64,
    /// Bytes of this pass.
    pub total: u64,
}

/// What to write: the passes, and how to verify the last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// A name for the scheme (`random`, `dod-short`, or the methods joined).
    pub name: String,
    /// The passes in order.
    pub passes: Vec<Method>,
    /// Verification of the last pass.
    pub verify: Verify,
    /// Discard (TRIM) the whole target before the first pass.
    pub discard: bool,
}

/// Named multi-pass schemes, as sequences of the basic methods. NIST SP 800-88 Rev.1: one
/// pass (kagi's default, `random` then verify) suffices for Clear on modern media; these exist
/// for procedures that name them.
pub const SCHEMES: &[(&str, &str, &str)] = &[
    (
        "nist",
        "random",
        "NIST SP 800-88 Clear: one random pass (the default)",
    ),
    (
        "dod-short",
        "zero,one,random",
        "DoD 5220.22-M short (3 passes: 0x00, 0xFF, random)",
    ),
    (
        "is5-enhanced",
        "zero,one,random",
        "HMG IS5 Enhanced (0x00, 0xFF, random; the last pass verified)",
    ),
    (
        "vsitr",
        "zero,one,zero,one,zero,one,pattern:aa",
        "BSI VSITR (7 passes: 0x00/0xFF alternating, then 0xAA)",
    ),
];

/// The methods of a named scheme (`dod-short` → `["zero", "one", "random"]`), if it is one.
pub fn scheme_passes(name: &str) -> Option<Vec<&'static str>> {
    SCHEMES
        .iter()
        .find(|s| s.0 == name)
        .map(|s| s.1.split(',').collect())
}

/// A method name as an operator typed it, shortened for a message (a long pattern is not
/// echoed whole).
pub(crate) fn shown(m: &str) -> String {
    if m.chars().count() > 40 {
        format!("{}…", m.chars().take(32).collect::<String>())
    } else {
        m.to_string()
    }
}

impl Plan {
    /// A plan from `--method` or `--passes` (a scheme name or methods separated by commas).
    pub fn parse(
        method: Option<&str>,
        passes: Option<&str>,
        verify: Verify,
    ) -> Result<Plan, Error> {
        let (name, list) = match (method, passes) {
            (Some(_), Some(_)) => {
                return Err(Error::Invalid(
                    "give --method (one pass) or --passes (several), not both".into(),
                ));
            }
            (Some(m), None) => (m.to_string(), m.to_string()),
            (None, Some(p)) => match SCHEMES.iter().find(|s| s.0 == p) {
                Some((n, l, _)) => (n.to_string(), l.to_string()),
                None => (p.to_string(), p.to_string()),
            },
            (None, None) => ("random".to_string(), "random".to_string()),
        };
        let passes = list
            .split(',')
            .map(|m| {
                let m = m.trim();
                m.parse::<Method>().map_err(|e| {
                    if m.starts_with("pattern:") {
                        // The pattern's own error (not hex, too long) says what is wrong.
                        return e;
                    }
                    Error::Invalid(format!(
                        "unknown method or scheme `{}` (methods: zero, one, pattern:HEX, random; schemes: {})",
                        shown(m),
                        SCHEMES.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if passes.is_empty() || passes.len() > 64 {
            return Err(Error::Invalid("a scheme has 1 to 64 passes".into()));
        }
        Ok(Plan {
            name,
            passes,
            verify,
            discard: false,
        })
    }

    fn describe(&self) -> String {
        let list: Vec<String> = self.passes.iter().map(|m| m.to_string()).collect();
        if list.join(",") == self.name {
            list.join(", ")
        } else {
            format!("{} ({})", self.name, list.join(", "))
        }
    }
}

/// Where a run stands: the plan, the pass and offset verified so far, and the report so far.
/// This is what the journal keeps (never a key).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    /// Journal format.
    pub version: u32,
    /// The scheme name.
    pub scheme: String,
    /// The methods of the passes.
    pub passes: Vec<String>,
    /// `full`, `sample:N` or `off`.
    pub verify: String,
    /// The current pass (0-based); `passes.len()` when done.
    pub pass: usize,
    /// Bytes of the current pass written, flushed and (if verified) read back.
    pub done: u64,
    /// Discard the whole target before the first pass.
    #[serde(default)]
    pub discard: bool,
    /// The checkpoint window in bytes (a multiple of [`BLOCK`]; [`WINDOW`] unless a test
    /// wants more checkpoints).
    pub window: u64,
    /// The report so far.
    pub report: Report,
    /// How many times the run was resumed (or taken up again to issue its certificate).
    #[serde(default)]
    pub session: u32,
    /// The BLAKE3 digest of each verified window's read-back, so a resumed run can re-read
    /// what was verified before the interruption and see whether it changed.
    #[serde(default)]
    pub digests: Vec<WindowDigest>,
}

/// How a call to [`run`] ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// All passes ran; the report says whether the run is complete.
    Finished,
    /// Stopped at the caller's request; the state is the last checkpoint, ready to resume.
    Stopped,
}

/// Now, RFC 3339 UTC: every time the erase crate records.
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl State {
    /// A fresh run of `plan` on `target`.
    pub fn new(target: &dyn Target, plan: &Plan) -> Result<State, Error> {
        let sample_seed = match plan.verify {
            Verify::Sample(_) => Some(u64::from_be_bytes(crypto_core::rand::array()?)),
            _ => None,
        };
        // `Plan`'s fields are public: a library caller's plan may have no pass at all.
        let Some(last) = plan.passes.len().checked_sub(1) else {
            return Err(Error::Invalid(
                "a scheme has 1 to 64 passes; this one has none".into(),
            ));
        };
        Ok(State {
            version: 1,
            scheme: plan.name.clone(),
            passes: plan.passes.iter().map(|m| m.to_string()).collect(),
            verify: match plan.verify {
                Verify::Sample(p) => format!("sample:{p}"),
                v => v.to_string(),
            },
            pass: 0,
            done: 0,
            window: WINDOW,
            discard: plan.discard,
            report: Report {
                target: target.name().to_string(),
                size: target.size(),
                method: plan.describe(),
                passes: plan
                    .passes
                    .iter()
                    .enumerate()
                    .map(|(i, m)| PassRecord {
                        method: m.to_string(),
                        verified: i == last && plan.verify != Verify::Off,
                        segments: Vec::new(),
                    })
                    .collect(),
                verification: plan.verify.to_string(),
                sample_seed,
                verify_planned: 0,
                direct_io: target.direct(),
                discard: None,
                bytes_written: 0,
                bytes_verified: 0,
                write_failures: Vec::new(),
                read_failures: Vec::new(),
                mismatches: Vec::new(),
                started: now(),
                resumed: Vec::new(),
                finished: None,
                first_write_error: None,
                first_read_error: None,
                recheck: None,
                read_only: false,
            },
            session: 0,
            digests: Vec::new(),
        })
    }

    /// The plan this state carries out.
    pub fn plan(&self) -> Result<Plan, Error> {
        Ok(Plan {
            name: self.scheme.clone(),
            passes: self
                .passes
                .iter()
                .map(|m| m.parse())
                .collect::<Result<_, _>>()?,
            verify: self.verify.parse()?,
            discard: self.discard,
        })
    }

    /// Checks that the state is one `run` can carry on (a journal is input from disk).
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |why: &str| {
            Err(Error::Invalid(format!(
                "the erase journal is inconsistent: {why}"
            )))
        };
        if self.window == 0 || self.window % BLOCK as u64 != 0 {
            return bad("its window is not whole blocks");
        }
        if self.passes.is_empty() || self.passes.len() != self.report.passes.len() {
            return bad("its passes do not match its report");
        }
        if self.pass > self.passes.len() || self.done > self.report.size {
            return bad("its position is past the end");
        }
        if self.done % self.window != 0 && self.done != self.report.size {
            return bad("its position is not at a checkpoint");
        }
        if self.pass < self.passes.len()
            && self.report.passes[self.pass]
                .segments
                .last()
                .is_some_and(|s| s.end != self.done)
        {
            return bad("its last stretch does not end where it stands");
        }
        Ok(())
    }

    /// Whether all passes have run.
    pub fn finished(&self) -> bool {
        self.pass >= self.passes.len()
    }
}

impl State {
    /// Marks the start of a resumption (the report lists when each began). A run that had
    /// already finished — its certificate was not yet issued — is not resumed: nothing more is
    /// written, so no resumption is recorded.
    pub fn resuming(&mut self) {
        if self.report.finished.is_none() {
            self.report.resumed.push(now());
        }
        // Every window verified before now is re-read before the run ends.
        self.session += 1;
    }
}

fn push(ranges: &mut Vec<Range>, start: u64, end: u64) {
    match ranges.last_mut() {
        Some(r) if r.end == start => r.end = end,
        _ => ranges.push(Range { start, end }),
    }
}

/// Records, sector by sector, where `got` (read at `off`) differs from `want`.
fn compare(got: &[u8], want: &[u8], off: u64, sector: u32, mismatches: &mut Vec<Range>) {
    if got == want {
        return;
    }
    let s = sector.max(512) as usize;
    for (k, (a, b)) in got.chunks(s).zip(want.chunks(s)).enumerate() {
        if a != b {
            let start = off + (k * s) as u64;
            push(mismatches, start, start + a.len() as u64);
        }
    }
}

/// One step of a pass: write or read back a block; `flush` after the window's last write,
/// `checkpoint` (the window's end) after its last step.
#[derive(Clone, Copy, Debug)]
struct Step {
    verify: bool,
    block: u64,
    flush: bool,
    checkpoint: Option<u64>,
}

/// The steps of a pass from `from`: per window, its writes, then the blocks to read back.
fn steps<'a>(
    size: u64,
    from: u64,
    window: u64,
    verify: Verify,
    regions: &'a [Range],
) -> impl Iterator<Item = Step> + Clone + Send + 'a {
    let b = BLOCK as u64;
    let windows = (from..size).step_by(window as usize);
    windows.flat_map(move |a| {
        let end = (a + window).min(size);
        let blocks = a / b..end.div_ceil(b);
        let mut v: Vec<Step> = blocks
            .clone()
            .map(|block| Step {
                verify: false,
                block,
                flush: false,
                checkpoint: None,
            })
            .collect();
        if let Some(last) = v.last_mut() {
            last.flush = true;
        }
        let mut reads: Vec<u64> = match verify {
            Verify::Full => blocks.collect(),
            Verify::Sample(_) => {
                let lo = regions.partition_point(|r| r.end <= a);
                let hi = regions.partition_point(|r| r.start < end);
                regions[lo..hi].iter().map(|r| r.start / b).collect()
            }
            Verify::Off => Vec::new(),
        };
        reads.dedup();
        v.extend(reads.into_iter().map(|block| Step {
            verify: true,
            block,
            flush: false,
            checkpoint: None,
        }));
        if let Some(last) = v.last_mut() {
            last.checkpoint = Some(end);
        }
        v
    })
}

/// Runs `each` over the steps with each step's block generated one ahead on a second thread;
/// used buffers go straight back to it. `each` returns false to stop early.
fn generated(
    generator: &Generator,
    size: u64,
    steps: impl Iterator<Item = Step> + Clone + Send,
    mut each: impl FnMut(Step, &[u8]) -> Result<bool, Error>,
) -> Result<(), Error> {
    let len_of = |i: u64| (size - i * BLOCK as u64).min(BLOCK as u64) as usize;
    let (full_tx, full_rx) = mpsc::sync_channel::<Result<AlignedBuf, Error>>(2);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<AlignedBuf>(3);
    for _ in 0..3 {
        let _ = empty_tx.send(AlignedBuf::new(BLOCK));
    }
    let ahead = steps.clone();
    std::thread::scope(|scope| -> Result<(), Error> {
        scope.spawn(move || {
            for s in ahead {
                let Ok(mut buf) = empty_rx.recv() else { return };
                let r = generator
                    .fill(s.block, BLOCK, &mut buf.as_mut_slice()[..len_of(s.block)])
                    .map(|()| buf);
                if full_tx.send(r).is_err() {
                    return;
                }
            }
        });
        let mut result = Ok(());
        for s in steps {
            let buf = match full_rx.recv() {
                Ok(Ok(buf)) => buf,
                Ok(Err(e)) => {
                    result = Err(e);
                    break;
                }
                Err(_) => {
                    result = Err(Error::Invalid("the generator stopped".into()));
                    break;
                }
            };
            match each(s, &buf.as_slice()[..len_of(s.block)]) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            let _ = empty_tx.send(buf);
        }
        // Let the generator see the end whether it waits to send or for a buffer.
        drop(full_rx);
        drop(empty_tx);
        result
    })
}

/// How much to read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    /// Everything (the default).
    Full,
    /// NIST SP 800-88 representative sampling: the first and last blocks, and a region of
    /// this percentage of each of ≥ 1000 equal subsections at a seeded random offset.
    Sample(u8),
    /// Nothing (the report says so; Clear then rests on the write alone).
    Off,
}

impl std::str::FromStr for Verify {
    type Err = Error;
    fn from_str(s: &str) -> Result<Verify, Error> {
        match s {
            "full" => Ok(Verify::Full),
            "off" => Ok(Verify::Off),
            "sample" => Ok(Verify::Sample(10)),
            _ => s
                .strip_prefix("sample:")
                .and_then(|p| p.trim_end_matches('%').parse::<u8>().ok())
                .filter(|p| (1..=100).contains(p))
                .map(Verify::Sample)
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "--verify {s}: full, sample[:PERCENT] (1-100) or off"
                    ))
                }),
        }
    }
}

impl std::fmt::Display for Verify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verify::Full => f.write_str("full"),
            Verify::Sample(p) => write!(f, "sample {p}%"),
            Verify::Off => f.write_str("off"),
        }
    }
}

/// splitmix64: a small deterministic generator for choosing sample offsets from a recorded seed
/// (no secrecy rests on it).
pub(crate) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
/// The sampled regions, sorted and merged, each within one block.
pub fn sample_regions(size: u64, sector: u64, percent: u8, seed: u64) -> Vec<Range> {
    let sector = sector.max(1);
    let sectors = size / sector;
    let n = sectors.clamp(1, 1000);
    let sub = (sectors / n) * sector;
    let want = ((sub * u64::from(percent)).div_ceil(100))
        .div_ceil(sector)
        .max(1)
        * sector;
    let mut state = seed;
    let mut regions = vec![
        Range {
            start: 0,
            end: size.min(BLOCK as u64),
        },
        Range {
            start: size.saturating_sub(BLOCK as u64),
            end: size,
        },
    ];
    for k in 0..n {
        let start = k * sub;
        let end = if k + 1 == n { size } else { start + sub };
        let len = want.min(end - start);
        let slack = (end - start - len) / sector;
        let at = start
            + if slack == 0 {
                0
            } else {
                splitmix(&mut state) % (slack + 1)
            } * sector;
        regions.push(Range {
            start: at,
            end: at + len,
        });
    }
    regions.sort_by_key(|r| r.start);
    let mut merged: Vec<Range> = Vec::new();
    for r in regions {
        match merged.last_mut() {
            Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    // Split at block boundaries so each piece is checked against one generated block.
    let mut out = Vec::new();
    for r in merged {
        let mut a = r.start;
        while a < r.end {
            let b = r.end.min((a / BLOCK as u64 + 1) * BLOCK as u64);
            out.push(Range { start: a, end: b });
            a = b;
        }
    }
    out
}

/// Carries `state` forward on `target` until every pass has run or `stop` is set (checked
/// between I/Os). After each window is written, flushed and read back, `checkpoint` gets the
/// state to keep; a stopped run's state is the last checkpoint. `random` passes draw a fresh
/// key here, so a resumed pass continues with a new key in a new segment.
pub fn run(
    provider: &Provider,
    target: &mut dyn Target,
    state: &mut State,
    stop: &AtomicBool,
    checkpoint: &mut dyn FnMut(&State) -> Result<(), Error>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Ended, Error> {
    let size = target.size();
    let (logical, _) = target.sectors();
    if size == 0 || size % u64::from(logical.max(1)) != 0 {
        return Err(Error::Invalid(format!(
            "{}: size {size} is not a whole number of {logical}-byte sectors",
            target.name()
        )));
    }
    if size != state.report.size {
        return Err(Error::Invalid(format!(
            "{}: the device has {size} bytes but the run was planned for {}",
            target.name(),
            state.report.size
        )));
    }
    let plan = state.plan()?;
    // A checkpoint is at a window boundary, or at the end of a pass (a target whose size is
    // not a whole number of windows, stopped right after a pass's last checkpoint).
    if state.window == 0
        || state.window % BLOCK as u64 != 0
        || (state.done % state.window != 0 && state.done != size)
    {
        return Err(Error::Invalid(
            "the journal's window is not whole blocks".into(),
        ));
    }
    let regions = match (plan.verify, state.report.sample_seed) {
        (Verify::Sample(p), Some(seed)) => sample_regions(size, u64::from(logical.max(1)), p, seed),
        (Verify::Sample(_), None) => {
            return Err(Error::Invalid("a sampled run without its seed".into()));
        }
        _ => Vec::new(),
    };
    state.report.verify_planned = match plan.verify {
        Verify::Full => size,
        Verify::Sample(_) => regions.iter().map(|r| r.end - r.start).sum(),
        Verify::Off => 0,
    };
    let passes = plan.passes.len();
    if plan.discard && state.pass == 0 && state.done == 0 {
        // Before anything is written: the overwrite then lands on blocks the device had been
        // told were free. What the device did is stated, never assumed.
        state.report.discard = Some(match target.discard(0, size) {
            Ok(()) => "the whole target was discarded (TRIM) before the first pass".into(),
            Err(e) => format!("discard before the first pass was not done: {e}"),
        });
    }
    while state.pass < passes {
        if state.done >= size {
            // Stopped right after the pass's last checkpoint.
            state.pass += 1;
            state.done = 0;
            continue;
        }
        let last = state.pass + 1 == passes;
        let verify = if last { plan.verify } else { Verify::Off };
        let generator = Generator::new(provider, &plan.passes[state.pass])?;
        let record = &mut state.report.passes[state.pass];
        if record.segments.last().is_some_and(|s| s.start == s.end) {
            record.segments.pop();
        }
        record.segments.push(Segment {
            start: state.done,
            end: state.done,
            key_commitment: generator.commitment().map(hex::encode),
        });

        // What this window has done; it joins the state only at its checkpoint.
        let mut win = Window::default();
        let mut got = AlignedBuf::new(BLOCK);
        let mut stopped = false;
        let pass = state.pass;
        generated(
            &generator,
            size,
            steps(size, state.done, state.window, verify, &regions),
            |step, data| {
                if stop.load(Ordering::Relaxed) {
                    stopped = true;
                    return Ok(false);
                }
                let off = step.block * BLOCK as u64;
                if !step.verify {
                    let ok = target
                        .write_at(data, off)
                        .or_else(|_| target.write_at(data, off));
                    match ok {
                        Ok(()) => win.written += data.len() as u64,
                        Err(e) => {
                            push(&mut win.write_failures, off, off + data.len() as u64);
                            win.write_error.get_or_insert_with(|| {
                                format!("at byte {off}: {}", describe_io(&e))
                            });
                        }
                    }
                    progress(Progress {
                        pass: pass + 1,
                        passes,
                        phase: "write",
                        done: off + data.len() as u64,
                        total: size,
                    });
                } else {
                    let pieces: Vec<Range> = if verify == Verify::Full {
                        vec![Range {
                            start: off,
                            end: off + data.len() as u64,
                        }]
                    } else {
                        let lo = regions.partition_point(|r| r.end <= off);
                        let hi = regions.partition_point(|r| r.start < off + data.len() as u64);
                        regions[lo..hi].to_vec()
                    };
                    for r in pieces {
                        let buf = &mut got.as_mut_slice()[..(r.end - r.start) as usize];
                        if let Err(e) = target
                            .read_at(buf, r.start)
                            .or_else(|_| target.read_at(buf, r.start))
                        {
                            push(&mut win.read_failures, r.start, r.end);
                            win.read_error.get_or_insert_with(|| {
                                format!("at byte {}: {}", r.start, describe_io(&e))
                            });
                            continue;
                        }
                        win.verified += r.end - r.start;
                        win.digest.update(buf);
                        win.hashed = true;
                        let want = &data[(r.start - off) as usize..(r.end - off) as usize];
                        compare(buf, want, r.start, logical, &mut win.mismatches);
                    }
                    progress(Progress {
                        pass: pass + 1,
                        passes,
                        phase: "verify",
                        done: off + data.len() as u64,
                        total: size,
                    });
                }
                if step.flush {
                    target
                        .flush()
                        .map_err(|e| Error::Io(format!("{}: flushing", target.name()), e))?;
                }
                if let Some(end) = step.checkpoint {
                    win.commit(state, end, verify != Verify::Off);
                    checkpoint(state)?;
                    progress(Progress {
                        pass: pass + 1,
                        passes,
                        phase: "checkpoint",
                        done: end,
                        total: size,
                    });
                }
                Ok(true)
            },
        )?;
        if stopped {
            // What was written since the checkpoint is made durable; the state stays at the
            // checkpoint, and a resumed run writes that window again with a new key.
            let _ = target.flush();
            return Ok(Ended::Stopped);
        }
        state.pass += 1;
        state.done = 0;
    }
    if state.session > 0 {
        // A resumed run: what was verified before an interruption may have changed since.
        let Some(recheck) = recheck(provider, target, state, &plan, &regions, stop)? else {
            return Ok(Ended::Stopped);
        };
        state.report.recheck = Some(recheck);
    }
    if state.report.finished.is_none() {
        state.report.finished = Some(now());
    }
    Ok(Ended::Finished)
}

/// The pieces of window `[start, end)` the verification read back, in the order it read
/// them: every block, or the sampled regions inside the window.
fn window_pieces(start: u64, end: u64, verify: Verify, regions: &[Range]) -> Vec<Range> {
    match verify {
        Verify::Full => (start..end)
            .step_by(BLOCK)
            .map(|a| Range {
                start: a,
                end: (a + BLOCK as u64).min(end),
            })
            .collect(),
        Verify::Sample(_) => {
            let lo = regions.partition_point(|r| r.end <= start);
            let hi = regions.partition_point(|r| r.start < end);
            regions[lo..hi].to_vec()
        }
        Verify::Off => Vec::new(),
    }
}

/// Re-reads every window of the verified pass that this session did not verify itself. A
/// window with a digest recorded in an earlier session is compared with it; a window without
/// one (the journal is input from disk, unprotected: its digests may be gone or its counters
/// moved past them) is judged by its content — byte for byte for zero, one and patterns, the
/// keystream test for random — never taken on trust. `None` when stopped.
fn recheck(
    provider: &Provider,
    target: &mut dyn Target,
    state: &mut State,
    plan: &Plan,
    regions: &[Range],
    stop: &AtomicBool,
) -> Result<Option<Recheck>, Error> {
    let mut out = Recheck {
        algorithm: RECHECK_ALGORITHM.into(),
        windows: 0,
        bytes: 0,
        changed: Vec::new(),
        at: String::new(),
        by_content: 0,
    };
    let verify = plan.verify;
    let Some(method) = plan.passes.last() else {
        return Err(Error::Invalid("a plan without passes".into()));
    };
    if verify == Verify::Off {
        out.at = now();
        return Ok(Some(out));
    }
    let generator = if *method == Method::Random {
        None
    } else {
        Some(Generator::new(provider, method)?)
    };
    let (size, window, session) = (state.report.size, state.window, state.session);
    let mut got = AlignedBuf::new(BLOCK);
    let mut want = vec![0u8; BLOCK];
    for start in (0..size).step_by(window as usize) {
        let end = (start + window).min(size);
        let same = |d: &&WindowDigest| d.start == start && d.end == end;
        if state
            .digests
            .iter()
            .filter(same)
            .any(|d| d.session == session)
        {
            continue; // verified in this session
        }
        let recorded = state
            .digests
            .iter()
            .filter(same)
            .rfind(|d| d.session < session)
            .map(|d| d.blake3.clone());
        let mut hasher = blake3::Hasher::new();
        let mut bad = false;
        for r in window_pieces(start, end, verify, regions) {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let n = (r.end - r.start) as usize;
            let buf = &mut got.as_mut_slice()[..n];
            if let Err(e) = target
                .read_at(buf, r.start)
                .or_else(|_| target.read_at(buf, r.start))
            {
                bad = true;
                push(&mut state.report.read_failures, r.start, r.end);
                state.report.first_read_error.get_or_insert_with(|| {
                    format!("at byte {} (re-check): {}", r.start, describe_io(&e))
                });
                continue;
            }
            out.bytes += n as u64;
            if recorded.is_some() {
                hasher.update(buf);
            } else if let Some(g) = &generator {
                // Zero, one and patterns depend only on the byte offset: block size 1.
                g.fill(r.start, 1, &mut want[..n])?;
                bad |= buf != &want[..n];
            } else {
                bad |= !buf.chunks(512).all(looks_random);
            }
        }
        out.windows += 1;
        match recorded {
            Some(d) => bad |= hasher.finalize().to_hex().as_str() != d,
            None => out.by_content += 1,
        }
        if bad {
            push(&mut out.changed, start, end);
        }
    }
    out.at = now();
    Ok(Some(out))
}

/// A window's counts and failures, committed to the state at its checkpoint.
#[derive(Default)]
struct Window {
    written: u64,
    verified: u64,
    write_failures: Vec<Range>,
    read_failures: Vec<Range>,
    mismatches: Vec<Range>,
    write_error: Option<String>,
    read_error: Option<String>,
    /// BLAKE3 over what was read back, in order.
    digest: blake3::Hasher,
    hashed: bool,
}

impl Window {
    fn commit(&mut self, state: &mut State, end: u64, verified: bool) {
        let w = std::mem::take(self);
        if verified && w.hashed {
            state.digests.push(WindowDigest {
                start: state.done,
                end,
                blake3: w.digest.finalize().to_hex().to_string(),
                session: state.session,
            });
        }
        let r = &mut state.report;
        if r.first_write_error.is_none() {
            r.first_write_error = w.write_error;
        }
        if r.first_read_error.is_none() {
            r.first_read_error = w.read_error;
        }
        r.bytes_written += w.written;
        r.bytes_verified += w.verified;
        for (into, from) in [
            (&mut r.write_failures, w.write_failures),
            (&mut r.read_failures, w.read_failures),
            (&mut r.mismatches, w.mismatches),
        ] {
            // The same range failing under several passes is one unreached range.
            into.extend(from);
            into.sort_by_key(|x| x.start);
            let mut merged: Vec<Range> = Vec::with_capacity(into.len());
            for x in into.drain(..) {
                match merged.last_mut() {
                    Some(m) if x.start <= m.end => m.end = m.end.max(x.end),
                    _ => merged.push(x),
                }
            }
            *into = merged;
        }
        state.done = end;
        if let Some(s) = r.passes[state.pass].segments.last_mut() {
            s.end = end;
        }
    }
}

/// Runs a whole plan on `target` without a journal (tests, and callers that keep none).
pub fn run_plan(
    provider: &Provider,
    target: &mut dyn Target,
    plan: &Plan,
) -> Result<Report, Error> {
    let mut state = State::new(target, plan)?;
    run(
        provider,
        target,
        &mut state,
        &AtomicBool::new(false),
        &mut |_| Ok(()),
        &mut |_| {},
    )?;
    Ok(state.report)
}

use crate::keystream::looks_random;

/// Reads the whole target and compares it with what `method` writes: an independent,
/// read-only check. For zero, one and pattern every byte is compared; a random pass cannot be
/// regenerated (its key is gone), so for `random` every 512-byte sector must look like
/// keystream output ([`crate::keystream::looks_random`]), which catches sectors left with
/// readable runs, zeros or patterns (not earlier ciphertext, which also looks random).
pub fn check(
    provider: &Provider,
    target: &mut dyn Target,
    method: &Method,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report, Error> {
    let statistical = *method == Method::Random;
    let size = target.size();
    let generator = Generator::new(
        provider,
        &if statistical {
            Method::Zero
        } else {
            method.clone()
        },
    )?;
    let blocks = size.div_ceil(BLOCK as u64);
    let (logical, _) = target.sectors();
    let mut report = Report {
        target: target.name().to_string(),
        size,
        method: method.to_string(),
        passes: vec![PassRecord {
            method: method.to_string(),
            verified: true,
            segments: vec![Segment {
                start: 0,
                end: size,
                key_commitment: None,
            }],
        }],
        verification: if statistical {
            format!("full (read-only check: {})", crate::keystream::DESCRIPTION)
        } else {
            "full (read-only check)".into()
        },
        sample_seed: None,
        verify_planned: size,
        direct_io: target.direct(),
        discard: None,
        bytes_written: 0,
        bytes_verified: 0,
        write_failures: Vec::new(),
        read_failures: Vec::new(),
        mismatches: Vec::new(),
        started: now(),
        resumed: Vec::new(),
        finished: None,
        first_write_error: None,
        first_read_error: None,
        recheck: None,
        read_only: true,
    };
    let mut got = AlignedBuf::new(BLOCK);
    let mut want = vec![0u8; BLOCK];
    for i in 0..blocks {
        let off = i * BLOCK as u64;
        let n = (size - off).min(BLOCK as u64) as usize;
        let buf = &mut got.as_mut_slice()[..n];
        if let Err(e) = target.read_at(buf, off) {
            push(&mut report.read_failures, off, off + n as u64);
            report
                .first_read_error
                .get_or_insert_with(|| format!("at byte {off}: {}", describe_io(&e)));
            continue;
        }
        report.bytes_verified += n as u64;
        if statistical {
            for (k, sector) in buf.chunks(512).enumerate() {
                if !looks_random(sector) {
                    let start = off + (k * 512) as u64;
                    push(&mut report.mismatches, start, start + sector.len() as u64);
                }
            }
        } else {
            generator.fill(i, BLOCK, &mut want[..n])?;
            compare(buf, &want[..n], off, logical, &mut report.mismatches);
        }
        progress(Progress {
            pass: 1,
            passes: 1,
            phase: "verify",
            done: off + n as u64,
            total: size,
        });
    }
    report.finished = Some(now());
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystream_sectors_look_random() {
        let p = Provider::egov().unwrap_or_else(|e| panic!("{e}"));
        let g = Generator::new(&p, &Method::Random).unwrap_or_else(|e| panic!("{e}"));
        let mut buf = vec![0u8; BLOCK];
        for i in 0..8 {
            g.fill(i, BLOCK, &mut buf).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                buf.chunks(512).all(looks_random),
                "a keystream sector flagged"
            );
        }
    }

    #[test]
    fn a_resumed_run_rechecks_the_windows_verified_before_the_interruption() {
        use crate::target::Faulty;
        let p = Provider::egov().unwrap_or_else(|e| panic!("{e}"));
        for (verify, tamper) in [
            (Verify::Full, false),
            (Verify::Full, true),
            (Verify::Sample(50), false),
            (Verify::Sample(50), true),
        ] {
            let mut t = Faulty::new(6 * BLOCK, 0x11, vec![]);
            let plan = Plan::parse(Some("zero"), None, verify).unwrap_or_else(|e| panic!("{e}"));
            let mut state = State::new(&t, &plan).unwrap_or_else(|e| panic!("{e}"));
            state.window = BLOCK as u64;
            let stop = AtomicBool::new(false);
            let mut seen = 0;
            let ended = run(
                &p,
                &mut t,
                &mut state,
                &stop,
                &mut |_| {
                    seen += 1;
                    if seen == 3 {
                        stop.store(true, Ordering::Relaxed);
                    }
                    Ok(())
                },
                &mut |_| {},
            )
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(ended, Ended::Stopped);
            assert_eq!(state.digests.len(), 3);
            assert!(state.digests.iter().all(|d| d.session == 0));
            if tamper {
                // The original data written back over the whole second window.
                t.write_at(&vec![0x11u8; BLOCK], BLOCK as u64)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            state.resuming();
            let stop = AtomicBool::new(false);
            let ended = run(&p, &mut t, &mut state, &stop, &mut |_| Ok(()), &mut |_| {})
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(ended, Ended::Finished);
            let r = state
                .report
                .recheck
                .clone()
                .unwrap_or_else(|| panic!("no re-check"));
            assert_eq!(r.algorithm, "BLAKE3");
            assert_eq!(r.windows, 3, "{verify}");
            if tamper {
                assert_eq!(
                    r.changed,
                    vec![Range {
                        start: BLOCK as u64,
                        end: 2 * BLOCK as u64
                    }]
                );
                assert!(
                    !state.report.complete(),
                    "{verify}: complete over changed data"
                );
            } else {
                assert!(r.changed.is_empty());
                assert!(state.report.complete(), "{verify}");
            }
        }
    }

    #[test]
    fn failures_name_the_os_error() {
        use crate::target::{Fault, Faulty};
        assert_eq!(
            describe_io(&std::io::Error::from_raw_os_error(28)),
            "ENOSPC: No space left on device (os error 28)"
        );
        assert!(describe_io(&std::io::Error::from_raw_os_error(1)).starts_with("EPERM: "));
        let p = Provider::egov().unwrap_or_else(|e| panic!("{e}"));
        let mut t = Faulty::new(2 * BLOCK, 0x11, vec![Fault::WriteError(BLOCK as u64 + 7)]);
        let plan = Plan::parse(Some("zero"), None, Verify::Full).unwrap_or_else(|e| panic!("{e}"));
        let r = run_plan(&p, &mut t, &plan).unwrap_or_else(|e| panic!("{e}"));
        assert!(!r.complete());
        let e = r.first_write_error.unwrap_or_default();
        assert!(e.starts_with(&format!("at byte {BLOCK}: ")), "{e}");
    }

    #[test]
    fn a_long_pattern_is_named_by_its_limit_not_echoed() {
        let long = format!("pattern:{}", "ab".repeat(5000));
        let e = Plan::parse(Some(&long), None, Verify::Full)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("4096 bytes") && e.contains("5000"), "{e}");
        assert!(e.len() < 200, "{e}");
        let e = Plan::parse(
            None,
            Some(&format!("zero,{}", "x".repeat(8000))),
            Verify::Full,
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("unknown method") && e.len() < 300, "{e}");
        assert_eq!(
            scheme_passes("dod-short"),
            Some(vec!["zero", "one", "random"])
        );
    }

    #[test]
    fn samples_cover_the_ends_and_a_tenth_reproducibly() {
        let size = 1u64 << 30;
        let a = sample_regions(size, 512, 10, 42);
        assert_eq!(a, sample_regions(size, 512, 10, 42));
        assert_ne!(a, sample_regions(size, 512, 10, 43));
        assert_eq!(a[0].start, 0);
        assert_eq!(a.last().map(|r| r.end), Some(size));
        let covered: u64 = a.iter().map(|r| r.end - r.start).sum();
        assert!(covered >= size / 10, "{covered}");
        assert!(covered < size / 10 + 3 * BLOCK as u64, "{covered}");
        for r in &a {
            assert!(r.start % 512 == 0 && r.end % 512 == 0 && r.end > r.start);
            assert_eq!(
                r.start / BLOCK as u64,
                (r.end - 1) / BLOCK as u64,
                "within one block"
            );
        }
        // A tiny device: every sector.
        let t = sample_regions(4096, 512, 10, 1);
        assert_eq!(
            t,
            vec![Range {
                start: 0,
                end: 4096
            }]
        );
    }

    #[test]
    fn a_plan_without_passes_is_an_error_not_an_underflow() {
        let t = crate::target::Faulty::new(1 << 20, 0, vec![]);
        let plan = Plan {
            name: "none".into(),
            passes: Vec::new(),
            verify: Verify::Full,
            discard: false,
        };
        assert!(
            State::new(&t, &plan)
                .unwrap_err()
                .to_string()
                .contains("1 to 64 passes")
        );
    }
}
