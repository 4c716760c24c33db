//! Signed CRYPTREC dataset updates (`kagi policy update`): the three dataset files of
//! `cryptrec/data/` in one JSON document with a serial number, signed like kagi's other text
//! documents ([`crate::cms::seal_text`]). A package is accepted only when its signature is valid
//! and chains to a trusted certificate, its dataset parses and is consistent, and it is newer
//! than the dataset in use — a later serial, and a list revised no earlier.

use cryptrec::Dataset;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Error;
use crate::cms::{Report, Signer, VerifyOptions};
use crate::provider::Provider;

/// The `kind` of a package.
pub const KIND: &str = "kagi CRYPTREC dataset update";

/// An update: the dataset files and what orders them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// [`KIND`].
    pub kind: String,
    /// Increases with every package a publisher issues; the embedded dataset is serial 0.
    pub serial: u64,
    /// When it was issued (RFC 3339).
    pub issued: String,
    /// The list file (`ls-0001-*.toml`).
    pub list: String,
    /// The strength timeline file (`ls-0003-*.toml`).
    pub strength: String,
    /// The compromise events file (`events.toml`).
    pub events: String,
}

impl Package {
    /// The dataset it carries, parsed and checked.
    pub fn dataset(&self) -> Result<Dataset, Error> {
        Ok(Dataset::parse(&self.list, &self.strength, &self.events)?)
    }
}

/// Signs a package; returns the file's bytes.
pub fn seal(
    provider: &Provider,
    package: &Package,
    signer: &Signer<'_>,
    chain: &[Vec<u8>],
) -> Result<Vec<u8>, Error> {
    package.dataset()?;
    let mut doc = serde_json::to_vec_pretty(package)
        .map_err(|e| Error::Malformed(format!("dataset package: {e}")))?;
    doc.push(b'\n');
    crate::cms::seal_text(provider, &doc, signer, chain, OffsetDateTime::now_utc())
}

/// Opens a package: the signature must be valid and trusted by `trust`, and the dataset
/// consistent. Returns the package, its dataset and the signature's report.
pub fn open(
    provider: &Provider,
    bytes: &[u8],
    trust: &[Vec<u8>],
) -> Result<(Package, Dataset, Report), Error> {
    let (doc, sig) = crate::cms::open_text(bytes)?;
    let digest = crate::hash::digest(provider, sig.digest_algorithm(provider)?, doc)?;
    let report = sig.verify(
        provider,
        &digest,
        &VerifyOptions {
            trust,
            extra: &[],
            at: OffsetDateTime::now_utc(),
        },
    );
    if !report.valid() {
        return Err(Error::Malformed(format!(
            "the dataset package's signature is not valid: {}",
            report.problems.join("; ")
        )));
    }
    let package: Package = serde_json::from_slice(doc)
        .map_err(|e| Error::Malformed(format!("dataset package: {e}")))?;
    if package.kind != KIND {
        return Err(Error::Malformed(format!(
            "not a dataset package (kind `{}`)",
            package.kind
        )));
    }
    let dataset = package.dataset()?;
    Ok((package, dataset, report))
}

/// Whether `candidate` (serial, dataset) may replace `current`: a later serial, and a list
/// revised no earlier (no rollback of the list itself).
pub fn newer(candidate: (u64, &Dataset), current: (u64, &Dataset)) -> Result<(), String> {
    if candidate.0 <= current.0 {
        return Err(format!(
            "serial {} is not newer than the dataset in use (serial {})",
            candidate.0, current.0
        ));
    }
    if candidate.1.revised < current.1.revised {
        return Err(format!(
            "its list {} (revised {}) is older than the one in use, {} (revised {})",
            candidate.1.revision, candidate.1.revised, current.1.revision, current.1.revised
        ));
    }
    Ok(())
}
