//! One job from its first byte to its end: journal, run, certificate, journal removal,
//! rescan, removal of an erased file.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use crypto_core::Provider;

use super::{Done, Job, Observer};
use crate::Error;
use crate::certificate::{self, DeviceRecord, Document};
use crate::certify::{Issued, Issuer};
use crate::crypto_erase::{self, Prefix};
use crate::engine::{self, Ended};
use crate::target::RegularFile;

/// Overwrites each key file with a random keystream, reads it back and removes it; returns
/// their absolute paths. One that cannot be overwritten and verified is kept, and is an error.
pub(super) fn destroy_key_files(
    provider: &Provider,
    files: &[std::path::PathBuf],
) -> Result<Vec<String>, Error> {
    let mut destroyed = Vec::new();
    for k in files {
        let mut t = RegularFile::open(k)?;
        let r = engine::run_plan(provider, &mut t, &crypto_erase::plan()?)?;
        drop(t);
        if !r.complete() {
            return Err(Error::Incomplete(format!(
                "{}: the key file could not be overwritten and verified; it was kept",
                k.display()
            )));
        }
        std::fs::remove_file(k).map_err(|e| Error::Io(k.display().to_string(), e))?;
        destroyed.push(
            std::path::absolute(k)
                .unwrap_or_else(|_| k.clone())
                .display()
                .to_string(),
        );
    }
    Ok(destroyed)
}

/// Runs job `i` to its end or to a stop, keeping the journal after every checkpoint.
pub(super) fn run(
    i: usize,
    mut job: Job,
    provider: &Provider,
    issuer: Option<&Issuer<'_>>,
    stop: &AtomicBool,
    observer: &dyn Observer,
) -> Result<Done, Error> {
    let certify = job.certify.wanted().then_some(&job.certify);
    let (journal, identity, crypto) = (&job.journal, &job.identity, job.crypto.as_ref());
    // The journal exists before the first byte is written: a crash at any point can resume.
    journal.save(identity, &job.state, certify, crypto)?;
    let ended = {
        let mut checkpoint = |s: &engine::State| journal.save(identity, s, certify, crypto);
        let mut progress = |p: engine::Progress| observer.progress(i, &p);
        match crypto {
            // A crypto-erase overwrites the key area only.
            Some(c) => engine::run(
                provider,
                &mut Prefix::new(job.target.as_mut(), c.found.area.end),
                &mut job.state,
                stop,
                &mut checkpoint,
                &mut progress,
            )?,
            None => engine::run(
                provider,
                job.target.as_mut(),
                &mut job.state,
                stop,
                &mut checkpoint,
                &mut progress,
            )?,
        }
    };
    observer.ended(i, ended == Ended::Stopped);
    if ended == Ended::Stopped {
        return Ok(Done::Stopped { state: job.state });
    }
    let outcome = match &job.crypto {
        Some(c) => Some(crypto_erase::Outcome {
            found: c.found.clone(),
            data: c.data.clone(),
            report: job.state.report.clone(),
            header_gone: crypto_erase::locate(job.target.as_mut()).is_err(),
        }),
        None => None,
    };
    let complete = match &outcome {
        Some(o) => o.complete(),
        None => job.state.report.complete(),
    };
    // A complete run gets its certificate before the journal goes: if issuing fails, the
    // journal (now finished) stays, and a resume issues it.
    let mut issued = None;
    if complete && let Some(issuer) = issuer {
        journal.save(identity, &job.state, certify, crypto)?;
        issued = Some(
            certify_job(provider, issuer, &job, outcome.as_ref()).map_err(|e| {
                Error::Invalid(format!(
                    "{}: {}, but {e}; `kagi erase resume {}` issues it",
                    job.path.display(),
                    if outcome.is_some() {
                        "crypto-erased"
                    } else {
                        "erased and verified"
                    },
                    job.path.display()
                ))
            })?,
        );
    }
    job.journal.remove()?;
    if let Some(outcome) = outcome {
        return Ok(Done::CryptoErased {
            outcome,
            certificate: issued,
        });
    }
    let report = job.state.report;
    let had_partitions = job
        .device
        .as_ref()
        .is_some_and(|d| !d.partitions.is_empty());
    if complete
        && had_partitions
        && let Err(e) = job.target.rescan()
    {
        observer.notice(
            i,
            &format!(
                "{}: the kernel still lists the old partitions ({e}); `partx -d {}` removes them",
                job.path.display(),
                job.path.display()
            ),
        );
    }
    if complete && let Some(parent) = job.device.as_ref().and_then(|d| d.partition_of.as_deref()) {
        observer.notice(
            i,
            &format!(
                "{} is a partition of {parent}: only the partition was erased, not the rest of {parent}",
                job.path.display()
            ),
        );
    }
    drop(job.target);
    // A regular file is removed after a complete run, with the caveat; the erased file itself
    // (a symbolic link naming it is left alone).
    if job.device.is_none() && complete {
        let path = Path::new(&job.identity.path);
        std::fs::remove_file(path).map_err(|e| Error::Io(path.display().to_string(), e))?;
        observer.notice(
            i,
            &format!(
                "{}: overwritten, verified and removed. On copy-on-write or journalled file systems and on flash, file-level overwrite may not reach every copy of the data: erase the whole medium for assurance.",
                path.display()
            ),
        );
    }
    Ok(Done::Overwritten {
        report,
        certificate: issued,
    })
}

/// The document of a completed job, signed and recorded.
fn certify_job(
    provider: &Provider,
    issuer: &Issuer<'_>,
    job: &Job,
    outcome: Option<&crypto_erase::Outcome>,
) -> Result<Issued, Error> {
    let signature = certificate::signer_algorithms(issuer.signer());
    let context = job.certify.context()?;
    let doc = match outcome {
        None => {
            let device = match &job.device {
                Some(d) => DeviceRecord::from_device(d),
                None => DeviceRecord::from_file(&job.identity.path, job.state.report.size),
            };
            Document::from_run(provider, &job.state.report, device, context, &signature)?
        }
        Some(o) => {
            let c = job.crypto.as_ref().ok_or_else(|| {
                Error::Invalid("a crypto-erase outcome without its record".into())
            })?;
            let device = match &job.device {
                Some(d) => DeviceRecord::from_device(d),
                None => DeviceRecord::from_file(
                    &std::path::absolute(&job.path)
                        .unwrap_or_else(|_| job.path.clone())
                        .display()
                        .to_string(),
                    job.target.size(),
                ),
            };
            Document::from_crypto_erase(
                provider,
                o,
                device,
                context,
                c.attested_encrypted_from_first_write,
                c.attested_no_key_copies,
                c.key_files_destroyed.clone(),
                &signature,
            )?
        }
    };
    issuer.issue(provider, &job.certify, doc)
}
