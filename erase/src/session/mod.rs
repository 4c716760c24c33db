//! The whole erase lifecycle, in the order that makes it crash-safe — for overwrites and
//! crypto-erases alike:
//!
//! 1. **Pre-flight**, before anything is written: every target checked by [`crate::safety`]
//!    and opened (a refusal of one leaves all untouched), a target named twice refused, a
//!    pending journal not silently replaced; when a certificate is asked for, the run must be
//!    verified, every target's certificate context complete, one signer for all, that signer
//!    checked as a verifier will check it, the ledger intact and the certificate directory
//!    writable.
//! 2. **Journal** written before the first byte, then after every verified checkpoint (with the
//!    typed certificate configuration and, for a crypto-erase, what was found and sampled).
//! 3. The **run** ([`crate::engine::run`]; for a crypto-erase, on the key area only), stopped
//!    between I/Os when the caller's flag is set; the journal then holds the last checkpoint
//!    and [`Session::add_resume`] continues from it.
//! 4. For a complete run: the finished state saved, the **certificate** signed and recorded in
//!    the **ledger** (if that fails the journal stays, and a resume issues it), then the
//!    **journal removed**, a whole device's partition table **rescanned**, an erased regular
//!    file removed.
//!
//! A caller (the `kagi` CLI) parses arguments, confirms each [`Job`] with the operator, reads
//! the signing credentials, and renders progress through an [`Observer`].
//!
//! A crypto-erase's key area is small (at most a few MiB), so its journal is kept for a
//! different reason than an overwrite's: once its first bytes are overwritten the header no
//! longer parses, so an interrupted crypto-erase could not be found again — leaving the rest of
//! the keyslots (and a LUKS2 volume's second header) in place — and its certificate could not
//! be issued. The journal records the key area found and the data sample taken before the first
//! byte, so a resume overwrites exactly that area and issues the certificate. Key files
//! (`--key-file`) are overwritten and removed before any target is touched, without a journal:
//! a key file that was not removed is simply named again.

mod job;
mod prepare;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crypto_core::Provider;

use crate::Error;
use crate::certify::{CertConfig, Credentials, Issued};
use crate::crypto_erase::{self, KeyMaterial};
use crate::discover::BlockDevice;
use crate::engine::{Plan, Progress, Report, State, Verify};
use crate::identity::Identity;
use crate::journal::{CryptoRecord, Entry, Journal};
use crate::target::Target;

pub use prepare::distinct;

/// What a caller is told while a session runs (from several threads at once).
pub trait Observer: Sync {
    /// Progress of job number `job` (its index in the session).
    fn progress(&self, job: usize, p: &Progress) {
        let _ = (job, p);
    }
    /// Something the operator must read about job `job`, in one line (a caveat, a warning).
    fn notice(&self, job: usize, text: &str) {
        let _ = (job, text);
    }
    /// Job `job` stopped writing: `stopped` when interrupted, else it ran to its end.
    fn ended(&self, job: usize, stopped: bool) {
        let _ = (job, stopped);
    }
}

/// An observer that is told nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// One target, checked and opened for writing, nothing written yet.
pub struct Job {
    path: PathBuf,
    real: PathBuf,
    device: Option<BlockDevice>,
    identity: Identity,
    journal: Journal,
    state: State,
    target: Box<dyn Target>,
    certify: CertConfig,
    crypto: Option<CryptoRecord>,
}

impl Job {
    /// The target as named.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The target behind any symbolic link.
    pub fn real(&self) -> &Path {
        &self.real
    }
    /// The block device, for a device or partition; `None` for a regular file.
    pub fn device(&self) -> Option<&BlockDevice> {
        self.device.as_ref()
    }
    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.target.size()
    }
    /// Its identity, as the journal records it.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }
    /// The run's state (for a resumed job: where it continues).
    pub fn state(&self) -> &State {
        &self.state
    }
    /// Its journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }
    /// The certificate configuration this job gets when it completes.
    pub fn certify(&self) -> &CertConfig {
        &self.certify
    }
    /// For a crypto-erase: what was found, sampled and attested.
    pub fn crypto(&self) -> Option<&CryptoRecord> {
        self.crypto.as_ref()
    }
}

/// How one job ended.
#[derive(Debug)]
pub enum Done {
    /// An overwrite ran to its end; the report says whether it is complete.
    Overwritten {
        /// What the run did.
        report: Report,
        /// Its certificate, when one was asked for and the run is complete.
        certificate: Option<Issued>,
    },
    /// A crypto-erase ran to its end; the outcome says whether it is complete.
    CryptoErased {
        /// What it did.
        outcome: crypto_erase::Outcome,
        /// Its certificate, when one was asked for and it is complete.
        certificate: Option<Issued>,
    },
    /// Stopped at the caller's request; the journal holds this state, ready to resume.
    Stopped {
        /// The last checkpoint.
        state: State,
    },
}

/// A job's result, with its target as named.
#[derive(Debug)]
pub struct JobResult {
    /// The target as named.
    pub path: PathBuf,
    /// How it ended, or the error that ended it.
    pub result: Result<Done, Error>,
}

/// What a session did: the key files destroyed, and each job's end.
#[derive(Debug)]
pub struct Ran {
    /// Key files overwritten, verified and removed (absolute paths).
    pub key_files_destroyed: Vec<String>,
    /// Each job's end, in the order the jobs were added.
    pub jobs: Vec<JobResult>,
}

/// What a crypto-erase is told by the operator: the conditions of NIST SP 800-88 Purge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attestations {
    /// The data was encrypted from its first write.
    pub encrypted_from_first_write: bool,
    /// No copy of the keys exists elsewhere.
    pub no_key_copies: bool,
}

/// A set of erasures run together: prepared one target at a time, then run in parallel.
pub struct Session<'p> {
    provider: &'p Provider,
    state_dir: PathBuf,
    jobs: Vec<Job>,
    key_files: Vec<PathBuf>,
}

/// Refuses a certificate for a run that will not be verified.
pub fn check_plan(plan: &Plan, certify: &CertConfig) -> Result<(), Error> {
    if certify.wanted() && plan.verify == Verify::Off {
        return Err(Error::Invalid(
            "a deletion certificate is issued only for a verified run: --verify off gets none; use full or sample".into(),
        ));
    }
    Ok(())
}

/// The pending (interrupted) runs in `state_dir`: of `targets`, or all when none is named.
pub fn pending(state_dir: &Path, targets: &[PathBuf]) -> Result<Vec<(Journal, Entry)>, Error> {
    if targets.is_empty() {
        let all = Journal::pending(state_dir)?;
        if all.is_empty() {
            return Err(Error::Invalid(format!(
                "no interrupted erase runs in {}",
                state_dir.display()
            )));
        }
        return Ok(all);
    }
    targets
        .iter()
        .map(|path| {
            let identity = Identity::of(path)?;
            let journal = Journal::new(state_dir, &identity.path);
            match journal.load()? {
                Some(entry) => Ok((journal, entry)),
                None => Err(Error::Invalid(format!(
                    "{}: no interrupted run in {}",
                    path.display(),
                    state_dir.display()
                ))),
            }
        })
        .collect()
}

/// "pass 1 of 3, 256 of 1024 MiB done".
pub fn standing(s: &State) -> String {
    format!(
        "pass {} of {}, {} of {} MiB done",
        (s.pass + 1).min(s.passes.len()),
        s.passes.len(),
        s.done >> 20,
        s.report.size >> 20
    )
}

impl<'p> Session<'p> {
    /// An empty session judging algorithms by `provider`, keeping journals (and the default
    /// ledger) in `state_dir`.
    pub fn new(provider: &'p Provider, state_dir: &Path) -> Session<'p> {
        Session {
            provider,
            state_dir: state_dir.to_path_buf(),
            jobs: Vec::new(),
            key_files: Vec::new(),
        }
    }

    /// The jobs prepared so far.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    fn refuse_pending(
        &self,
        path: &Path,
        identity: &Identity,
        how: &str,
    ) -> Result<Journal, Error> {
        let journal = Journal::new(&self.state_dir, &identity.path);
        if let Some(entry) = journal.load()? {
            return Err(Error::Invalid(format!(
                "{}: an interrupted run is pending ({}); `kagi erase resume {}` continues it{how}",
                path.display(),
                standing(&entry.state),
                path.display()
            )));
        }
        Ok(journal)
    }

    /// Prepares an overwrite of `path` with `plan`: its identity, no pending journal (unless
    /// `restart`), not already in the session, the safety checks, opened for writing. Nothing
    /// is written; the job is returned for the caller to confirm.
    pub fn add_run(
        &mut self,
        path: &Path,
        plan: &Plan,
        restart: bool,
        certify: CertConfig,
    ) -> Result<&Job, Error> {
        check_plan(plan, &certify)?;
        let identity = Identity::of(path)?;
        let journal = if restart {
            Journal::new(&self.state_dir, &identity.path)
        } else {
            self.refuse_pending(path, &identity, ", --restart starts again")?
        };
        self.not_twice(path, &identity)?;
        let opened = prepare::open_checked(path, true)?;
        let state = State::new(opened.target.as_ref(), plan)?;
        Ok(self.push(Job {
            path: path.to_path_buf(),
            real: opened.real,
            device: opened.device,
            identity,
            journal,
            state,
            target: opened.target,
            certify,
            crypto: None,
        }))
    }

    /// Prepares the crypto-erase of `path`: its identity, no pending journal, the safety
    /// checks (devices), opened for writing, the key material found and the data area sampled
    /// (reads only). Nothing is written; the job is returned for the caller to confirm.
    pub fn add_crypto(
        &mut self,
        path: &Path,
        attested: Attestations,
        certify: CertConfig,
    ) -> Result<&Job, Error> {
        let identity = Identity::of(path)?;
        let journal = self.refuse_pending(path, &identity, "")?;
        self.not_twice(path, &identity)?;
        let mut opened = prepare::open_checked(path, false)?;
        let found: KeyMaterial = crypto_erase::locate(opened.target.as_mut())?;
        let data = crypto_erase::sample_data(opened.target.as_mut(), found.data)?;
        let state = {
            let prefix = crypto_erase::Prefix::new(opened.target.as_mut(), found.area.end);
            State::new(&prefix, &crypto_erase::plan()?)?
        };
        let crypto = CryptoRecord {
            found,
            data,
            attested_encrypted_from_first_write: attested.encrypted_from_first_write,
            attested_no_key_copies: attested.no_key_copies,
            key_files_destroyed: Vec::new(),
        };
        Ok(self.push(Job {
            path: path.to_path_buf(),
            real: opened.real,
            device: opened.device,
            identity,
            journal,
            state,
            target: opened.target,
            certify,
            crypto: Some(crypto),
        }))
    }

    /// Prepares the resumption of a pending run (from [`pending`]): the target must be the
    /// one the journal was written for; the safety checks again; opened for writing. The
    /// certificate configuration is `certify` (the journal's, with the caller's changes).
    pub fn add_resume(
        &mut self,
        journal: Journal,
        entry: Entry,
        certify: CertConfig,
    ) -> Result<&Job, Error> {
        let path = PathBuf::from(&entry.identity.path);
        let now = Identity::of(&path)?;
        if let Some(why) = entry.identity.mismatch(&now) {
            return Err(Error::Invalid(format!(
                "{}: not the target the journal {} was written for: {why}; nothing was written",
                path.display(),
                journal.path().display()
            )));
        }
        self.not_twice(&path, &now)?;
        let opened = prepare::open_checked(&path, entry.crypto.is_none())?;
        let mut state = entry.state;
        state.resuming();
        Ok(self.push(Job {
            path,
            real: opened.real,
            device: opened.device,
            identity: entry.identity,
            journal,
            state,
            target: opened.target,
            certify,
            crypto: entry.crypto,
        }))
    }

    /// A symmetric key file to overwrite, verify and remove before any crypto-erase target
    /// (every envelope made for it becomes undecryptable).
    pub fn add_key_file(&mut self, path: &Path) {
        self.key_files.push(path.to_path_buf());
    }

    fn not_twice(&self, path: &Path, identity: &Identity) -> Result<(), Error> {
        match self.jobs.iter().find(|j| j.identity.path == identity.path) {
            Some(j) => Err(Error::Invalid(format!(
                "{} is named twice ({} and {} are the same target); name each target once; nothing was written",
                identity.path,
                j.path.display(),
                path.display()
            ))),
            None => Ok(()),
        }
    }

    fn push(&mut self, job: Job) -> &Job {
        self.jobs.push(job);
        &self.jobs[self.jobs.len() - 1]
    }

    /// The certificate configuration to read credentials for, or `None` when no job asks for
    /// a certificate. All jobs must ask, name the same signing key and certificate, and have a
    /// complete context.
    pub fn wanted_certificate(&self) -> Result<Option<&CertConfig>, Error> {
        let wanted: Vec<&CertConfig> = self
            .jobs
            .iter()
            .map(|j| &j.certify)
            .filter(|c| c.wanted())
            .collect();
        let Some(first) = wanted.first() else {
            return Ok(None);
        };
        if wanted.len() != self.jobs.len()
            || wanted
                .iter()
                .any(|c| (&c.sign_key, &c.sign_cert) != (&first.sign_key, &first.sign_cert))
        {
            return Err(Error::Invalid(
                "these runs name different signing keys; resume them one at a time".into(),
            ));
        }
        for c in &wanted {
            c.context()?;
        }
        Ok(Some(first))
    }

    /// Runs every job: the certificate pre-flight (`credentials` must be given exactly when
    /// [`Session::wanted_certificate`] names a configuration), the key files, then every
    /// target in parallel, each through journal, run, certificate, journal removal and
    /// rescan. `stop` interrupts between I/Os. Errors before any target is written come
    /// back as `Err`; each job's own end is in its [`JobResult`], in the order added.
    pub fn run(
        self,
        credentials: Option<&Credentials>,
        stop: &AtomicBool,
        observer: &dyn Observer,
    ) -> Result<Ran, Error> {
        let provider = self.provider;
        let ledger_default = crate::ledger::Ledger::in_dir(&self.state_dir)
            .path()
            .to_path_buf();
        let wanted = self.wanted_certificate()?.is_some();
        let issuer = match (wanted, credentials) {
            (true, Some(c)) => Some(c.issuer(provider, &ledger_default)?),
            (true, None) => {
                return Err(Error::Invalid(
                    "a deletion certificate was asked for, but no signing key and certificate were given; nothing was written".into(),
                ));
            }
            (false, Some(_)) => {
                return Err(Error::Invalid(
                    "signing credentials were given, but no target asks for a certificate; nothing was written".into(),
                ));
            }
            (false, None) => None,
        };
        if issuer.is_some() {
            for j in &self.jobs {
                crate::certify::check_issuing(provider, &j.certify, &ledger_default)?;
            }
        }
        let destroyed = job::destroy_key_files(provider, &self.key_files)?;
        let mut jobs = self.jobs;
        for j in &mut jobs {
            if let Some(c) = j.crypto.as_mut()
                && !destroyed.is_empty()
            {
                c.key_files_destroyed.clone_from(&destroyed);
            }
        }
        let issuer = issuer.as_ref();
        let results = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .into_iter()
                .enumerate()
                .map(|(i, j)| {
                    let path = j.path.clone();
                    let h = scope.spawn(move || job::run(i, j, provider, issuer, stop, observer));
                    (path, h)
                })
                .collect();
            handles
                .into_iter()
                .map(|(path, h)| JobResult {
                    path,
                    result: h
                        .join()
                        .unwrap_or_else(|_| Err(Error::Invalid("an erase thread panicked".into()))),
                })
                .collect()
        });
        Ok(Ran {
            key_files_destroyed: destroyed,
            jobs: results,
        })
    }
}
