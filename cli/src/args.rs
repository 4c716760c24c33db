//! Command-line definitions (clap derive), apart from the code that does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::passphrase::{PassphraseIn, PassphraseOut};

/// kagi (鍵): CRYPTREC-only cryptography for Japanese government offices and their contractors.
#[derive(Parser, Debug)]
#[command(name = "kagi", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The CRYPTREC Ciphers List, verdicts, the LS-0003 timeline and organisation policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Keys: generate, show, export the public key, back up and restore.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Certificates: self-signed, requests, issuing from a CSR, showing.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Encrypt a file, stdin, a directory tree or a block device to recipients or a passphrase.
    Encrypt(EncryptArgs),
    /// Decrypt a kagi envelope: with -o FILE all or nothing, with -o - chunk by chunk.
    ///
    /// With -o FILE it is all or nothing: the file appears only when every chunk
    /// authenticates. With -o - (stdout) each chunk is released once it
    /// authenticates, so a damaged file fails after earlier chunks were written: use -o FILE
    /// when partial output must never be seen.
    Decrypt(DecryptArgs),
    /// Show an envelope's label, cipher and recipients, without any key.
    Inspect {
        /// The encrypted file.
        file: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Sign files (detached CMS, .p7s) or a directory tree (a signed manifest).
    Sign(SignArgs),
    /// Verify a detached CMS signature or a signed manifest. Exit 0 valid, 1 invalid or untrusted.
    Verify(VerifyArgs),
    /// Erase block devices (or files) by overwriting and reading back; list devices.
    #[command(subcommand)]
    Erase(EraseCommand),
    /// Check certificates, keys, signatures, kagi files and TLS servers against the CRYPTREC
    /// list and the LS-0003 timeline, today or on any date ahead. Exit 0 when nothing is
    /// refused, 1 when something is, 2 when something could not be scanned.
    Audit(AuditArgs),
    /// Erasure certificates: verify (auditors), show, render for the paper file.
    #[command(subcommand)]
    Certificate(CertificateCommand),
    /// The hash-chained ledger of every erasure certificate issued on this host.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Run every known-answer self-test and report each.
    Selftest {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Show the entries of the CRYPTREC Ciphers List.
    Show {
        /// Which list.
        #[arg(long, value_enum, default_value = "all")]
        list: ListChoice,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// May ALGORITHM be used? Exit 0 when permitted, 1 when refused.
    Check {
        /// An algorithm name, e.g. aes-256-gcm, rsa-pss-3072-sha256, ecdh-p384, sha-1.
        algorithm: String,
        /// protect (encrypt, sign) or process (decrypt, verify).
        #[arg(long = "use", value_enum, default_value = "protect")]
        use_: UseChoice,
        /// Evaluate on this date (YYYY-MM-DD) instead of today.
        #[arg(long)]
        as_of: Option<String>,
        /// A built-in policy (egov, egov-high, pqc) or an organisation policy file.
        #[arg(long, default_value = "egov")]
        policy: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show the LS-0003 security-strength timeline and key-size equivalences.
    Timeline {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Check an organisation policy file: it must parse and only narrow its base.
    Validate {
        /// The policy file (TOML).
        file: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Install a newer CRYPTREC dataset: only if its signature chains to --trust and it is
    /// newer than the dataset in use. Every later command uses it; `kagi audit` names it.
    Update {
        /// The signed dataset package.
        file: PathBuf,
        /// Certificates trusted to sign datasets.
        #[arg(long, value_name = "CA-BUNDLE")]
        trust: PathBuf,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Which dataset is in use (embedded, or installed by `policy update`).
    Dataset {
        #[command(flatten)]
        state: StateArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// For a dataset publisher: sign the three dataset files into a package.
    SignDataset {
        /// The list file (ls-0001-*.toml).
        #[arg(long)]
        list: PathBuf,
        /// The strength timeline file (ls-0003-*.toml).
        #[arg(long)]
        strength: PathBuf,
        /// The compromise events file (events.toml).
        #[arg(long)]
        events: PathBuf,
        /// The package's serial: higher than every earlier one.
        #[arg(long)]
        serial: u64,
        /// The publisher's key.
        #[arg(long)]
        key: PathBuf,
        /// The publisher's certificate.
        #[arg(long)]
        cert: PathBuf,
        /// Intermediate certificates to embed.
        #[arg(long)]
        chain: Option<PathBuf>,
        #[command(flatten)]
        passphrase: PassphraseIn,
        /// The package to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListChoice {
    Recommended,
    Pqc,
    Candidate,
    Monitored,
    All,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseChoice {
    Protect,
    Process,
}

impl From<UseChoice> for cryptrec::Use {
    fn from(u: UseChoice) -> Self {
        match u {
            UseChoice::Protect => cryptrec::Use::Protect,
            UseChoice::Process => cryptrec::Use::Process,
        }
    }
}

/// Which policy, on which date.
#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    /// A built-in policy (egov, egov-high, pqc) or an organisation policy file.
    #[arg(long, default_value = "egov")]
    pub policy: String,
    /// Evaluate the policy on this date (YYYY-MM-DD) instead of today.
    #[arg(long)]
    pub as_of: Option<String>,
}

/// The passphrase of an encrypted symmetric key file (asked at the terminal when absent).
#[derive(Args, Debug, Default, Clone)]
pub struct KeyFilePassphrase {
    /// The passphrase of an encrypted --key-file, from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub key_file_passphrase_file: Option<PathBuf>,
    /// The passphrase of an encrypted --key-file, from the environment variable VAR.
    #[arg(long, value_name = "VAR", conflicts_with = "key_file_passphrase_file")]
    pub key_file_passphrase_env: Option<String>,
}

impl From<&KeyFilePassphrase> for PassphraseIn {
    fn from(k: &KeyFilePassphrase) -> Self {
        PassphraseIn {
            passphrase_file: k.key_file_passphrase_file.clone(),
            passphrase_env: k.key_file_passphrase_env.clone(),
        }
    }
}

/// The passphrase of a key being generated.
#[derive(Args, Debug, Default, Clone)]
pub struct GenPassphrase {
    /// Read the passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Read the passphrase from the environment variable VAR.
    #[arg(long, value_name = "VAR", conflicts_with = "passphrase_file")]
    pub passphrase_env: Option<String>,
    /// Write the key unencrypted. Must be asked for.
    #[arg(long, conflicts_with_all = ["passphrase_file", "passphrase_env"])]
    pub unencrypted: bool,
}

impl From<GenPassphrase> for PassphraseOut {
    fn from(g: GenPassphrase) -> Self {
        PassphraseOut {
            file: g.passphrase_file,
            env: g.passphrase_env,
            unencrypted: g.unencrypted,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Generate a key and write it passphrase-encrypted (PKCS#8, or kagi's encrypted key file
    /// for symmetric and hybrid keys), mode 0600; unencrypted only with --unencrypted.
    Gen {
        /// ecdsa-p256, ecdsa-p384, ed25519, rsa-3072, rsa-4096, ecdh-p256, ecdh-p384,
        /// symmetric or hybrid-p384-mlkem1024.
        #[arg(long)]
        alg: String,
        /// Where to write the key.
        #[arg(long, short)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: GenPassphrase,
        /// PBKDF2 iterations (at least 600000); calibrated to about one second when absent.
        #[arg(long)]
        iterations: Option<u32>,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show a key or certificate: type, size, strength, verdicts, fingerprints.
    Show {
        /// A private key, public key or certificate (PEM or DER).
        file: PathBuf,
        #[command(flatten)]
        passphrase: PassphraseIn,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Write the public key (SubjectPublicKeyInfo PEM).
    Public {
        /// A private key, public key or certificate.
        file: PathBuf,
        /// Where to write it (stdout when absent).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: PassphraseIn,
    },
    /// Back up a key as K-of-N shares, or escrowed to a recovery certificate.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Backup(BackupArgs),
    /// Rebuild a key from shares or an escrow file and check its fingerprint.
    Restore {
        #[command(flatten)]
        from: RestoreFrom,
        /// Where to write the restored key.
        #[arg(long, short)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        new_passphrase: PassphraseOut,
        /// PBKDF2 iterations for the written key (at least 600000); calibrated when absent.
        #[arg(long)]
        iterations: Option<u32>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub verify: Option<BackupCommand>,
    /// The key to back up.
    #[arg(required = true)]
    pub key: Option<PathBuf>,
    /// Split into this many shares.
    #[arg(
        long,
        requires = "threshold",
        requires = "out_dir",
        conflicts_with = "to"
    )]
    pub shares: Option<u8>,
    /// Any this many shares restore the key.
    #[arg(long)]
    pub threshold: Option<u8>,
    /// Directory for the share files (created; must be empty or new).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Escrow: encrypt the key to this key-recovery certificate.
    #[arg(long, requires = "out")]
    pub to: Option<PathBuf>,
    /// The escrow file to write.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// A label printed on each share (e.g. the key's purpose), not secret.
    #[arg(long)]
    pub label: Option<String>,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub passphrase: PassphraseIn,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// Prove that shares (or an escrow file) restore the key, writing nothing.
    Verify {
        #[command(flatten)]
        from: RestoreFrom,
        /// Also require the restored key to match this key, public key or certificate.
        #[arg(long)]
        expect: Option<PathBuf>,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct RestoreFrom {
    /// Share files.
    pub shares: Vec<PathBuf>,
    /// An escrow file (instead of shares).
    #[arg(long, conflicts_with = "shares", requires = "key")]
    pub escrow: Option<PathBuf>,
    /// The recovery private key that opens the escrow file.
    #[arg(long)]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseIn,
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// Issue a self-signed certificate for a key.
    SelfSign {
        /// The private key.
        #[arg(long)]
        key: PathBuf,
        /// The subject, e.g. "CN=Taro Yamada,O=Example Ministry,C=JP".
        #[arg(long)]
        subject: String,
        /// Days of validity.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// Make it a CA certificate (same as --profile ca).
        #[arg(long)]
        ca: bool,
        /// signing, encryption, erase or ca.
        #[arg(long, default_value = "signing")]
        profile: String,
        /// Where to write the certificate (PEM).
        #[arg(long, short)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: PassphraseIn,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Write a certificate signing request (PKCS#10, PEM) for a key.
    Request {
        /// The private key.
        #[arg(long)]
        key: PathBuf,
        /// The subject.
        #[arg(long)]
        subject: String,
        /// Where to write the CSR.
        #[arg(long, short)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: PassphraseIn,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Issue a certificate for a CSR with a CA certificate and key.
    Issue {
        /// The CA certificate.
        #[arg(long)]
        ca_cert: PathBuf,
        /// The CA private key.
        #[arg(long)]
        ca_key: PathBuf,
        /// The certificate signing request.
        #[arg(long)]
        csr: PathBuf,
        /// Days of validity.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// signing, encryption, erase or ca.
        #[arg(long, default_value = "signing")]
        profile: String,
        /// Where to write the certificate (PEM).
        #[arg(long, short)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: PassphraseIn,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Show a certificate or bundle: names, validity, algorithms with verdicts, fingerprints,
    /// and whether each is signed by its issuer when the bundle holds it.
    Show {
        /// A certificate or PEM bundle.
        file: PathBuf,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// Files to sign; each gets FILE.p7s beside it.
    #[arg(required_unless_present = "manifest")]
    pub files: Vec<PathBuf>,
    /// The signer's private key.
    #[arg(long)]
    pub key: PathBuf,
    /// The signer's certificate (embedded in the signature).
    #[arg(long)]
    pub cert: PathBuf,
    /// Intermediate certificates to embed (PEM bundle); may be given more than once.
    #[arg(long)]
    pub chain: Vec<PathBuf>,
    /// Where to write the signature (one file only), or the manifest (with --manifest).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// The hash for RSA-PSS: sha256 or sha384 (EC and Ed25519 keys fix their own).
    #[arg(long, default_value = "sha256")]
    pub hash: String,
    /// Sign a manifest of every file under this directory instead of files.
    #[arg(long, conflicts_with = "files")]
    pub manifest: Option<PathBuf>,
    /// Replace existing outputs.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub passphrase: PassphraseIn,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The signed file. A kagi manifest (known by its first line) is checked against its tree,
    /// as with --manifest.
    #[arg(required_unless_present = "manifest")]
    pub file: Option<PathBuf>,
    /// The detached signature (.p7s, DER or PEM); FILE.p7s when absent.
    #[arg(long)]
    pub sig: Option<PathBuf>,
    /// Trust anchors: a PEM bundle of CA certificates.
    #[arg(long)]
    pub trust: Option<PathBuf>,
    /// More certificates for building the path (PEM bundle); may be given more than once.
    #[arg(long)]
    pub chain: Vec<PathBuf>,
    /// A signed manifest to check against its directory.
    #[arg(long, conflicts_with = "file")]
    pub manifest: Option<PathBuf>,
    /// The directory a manifest describes (its recorded root beside the manifest by default).
    /// Only for a manifest: refused for any other file.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EncryptArgs {
    /// A file, a directory (packed as tar), a block device or disk image, or `-` for stdin.
    #[arg(default_value = "-")]
    pub input: PathBuf,
    /// A recipient: a certificate or public key file (RSA, EC P-256/P-384). Repeatable.
    #[arg(short = 'r', long = "recipient")]
    pub recipients: Vec<PathBuf>,
    /// Encrypt to a passphrase (asked twice at the terminal), alone.
    #[arg(long)]
    pub passphrase: bool,
    /// The passphrase, from the first line of FILE (implies --passphrase).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The passphrase, from the environment variable VAR (implies --passphrase).
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Encrypt to a symmetric key file (`kagi key gen --alg symmetric`). Repeatable.
    #[arg(long = "key-file")]
    pub key_files: Vec<PathBuf>,
    #[command(flatten)]
    pub key_file_passphrase: KeyFilePassphrase,
    /// The classification label: 機密性N,完全性N,可用性N, or CN,IN,AN (also `C 3,I 2,A 1`; any
    /// order, a part not given is 2), or three levels in order (`3,2,2`). Full-width digits
    /// and letters (機密性３) are read as ASCII (NFKC). Default 機密性2,完全性2,可用性2.
    #[arg(long, default_value = "")]
    pub label: String,
    /// Handling restrictions (取扱制限), free text, stored with the label.
    #[arg(long, default_value = "")]
    pub handling: String,
    /// aes-256-gcm (default), aes-128-gcm, camellia-128-gcm, camellia-256-gcm, chacha20-poly1305.
    #[arg(long, default_value = "aes-256-gcm")]
    pub cipher: String,
    /// PBKDF2 iterations for a passphrase (at least 600000); calibrated when absent.
    #[arg(long)]
    pub iterations: Option<u32>,
    /// Sign before encrypting (a file input): the signer's private key …
    #[arg(long, requires = "sign_cert")]
    pub sign: Option<PathBuf>,
    /// … and certificate; the CMS signature travels encrypted and is checked on decrypt.
    #[arg(long)]
    pub sign_cert: Option<PathBuf>,
    /// Intermediate certificates to embed in the inner signature (PEM bundle).
    #[arg(long, requires = "sign")]
    pub sign_chain: Option<PathBuf>,
    /// The passphrase of the signing key, from the environment variable VAR.
    #[arg(long, value_name = "VAR")]
    pub sign_passphrase_env: Option<String>,
    /// Where to write (INPUT.kagi by default; `-` for stdout).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Args, Debug)]
pub struct DecryptArgs {
    /// The encrypted file, or `-` for stdin.
    #[arg(default_value = "-")]
    pub input: PathBuf,
    /// A private key that may be a recipient. Repeatable.
    #[arg(short = 'i', long = "identity")]
    pub identities: Vec<PathBuf>,
    /// The passphrase of an encrypted identity key, from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub identity_passphrase_file: Option<PathBuf>,
    /// The passphrase of an encrypted identity key, from the environment variable VAR.
    #[arg(long, value_name = "VAR")]
    pub identity_passphrase_env: Option<String>,
    /// The file's passphrase, from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The file's passphrase, from the environment variable VAR.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// A symmetric key file that may be a recipient. Repeatable.
    #[arg(long = "key-file")]
    pub key_files: Vec<PathBuf>,
    #[command(flatten)]
    pub key_file_passphrase: KeyFilePassphrase,
    /// Trust anchors for a signed envelope's signature (PEM bundle): with it, an invalid or
    /// untrusted signature fails the decryption.
    #[arg(long)]
    pub trust: Option<PathBuf>,
    /// Where to write (INPUT without .kagi by default; `-` for stdout; a directory for a tree).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace an existing output.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Subcommand, Debug)]
pub enum EraseCommand {
    /// Every block device: identity, geometry, transport, partitions, and whether kagi would
    /// refuse it and why.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Overwrite devices, partitions or regular files and verify by reading back. Exit 0 only
    /// when every pass wrote every byte and the last read back as written. Progress is kept in
    /// a journal off the target, so an interrupted run (Ctrl-C, crash, power loss) continues
    /// with `kagi erase resume`.
    Run {
        /// Devices (`/dev/sdX`), partitions or regular files, named explicitly.
        #[arg(required = true)]
        targets: Vec<PathBuf>,
        /// One pass: zero, one, pattern:HEX or random (AES-256-CTR keystream; the default).
        #[arg(long, conflicts_with = "passes")]
        method: Option<String>,
        /// Several passes: a scheme (nist, dod-short, is5-enhanced, vsitr) or methods separated
        /// by commas (e.g. zero,random). Verification applies to the last pass.
        #[arg(long)]
        passes: Option<String>,
        /// full (read everything back; the default), sample[:PERCENT] (NIST SP 800-88
        /// representative sampling, 10% by default, seed recorded) or off.
        #[arg(long, default_value = "full")]
        verify: String,
        /// Do not ask for confirmation (scripts).
        #[arg(long)]
        yes: bool,
        /// Discard an interrupted run of the same target and start again.
        #[arg(long)]
        restart: bool,
        /// Before the first pass, discard (TRIM) the whole device, so a flash device may drop
        /// copies an overwrite cannot reach; the report says whether the device accepted it.
        #[arg(long)]
        discard: bool,
        #[command(flatten)]
        state: StateArgs,
        #[command(flatten)]
        certify: CertifyArgs,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output: the report as JSON on stdout, progress as JSON lines on
        /// stderr.
        #[arg(long)]
        json: bool,
    },
    /// Continue interrupted runs from their last verified checkpoint (all pending runs when
    /// no target is named). A random pass continues with a new key; the report lists each
    /// stretch with its key's commitment.
    Resume {
        /// Devices or files whose runs to continue.
        targets: Vec<PathBuf>,
        /// Do not ask for confirmation (scripts).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        state: StateArgs,
        #[command(flatten)]
        certify: CertifyArgs,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output, as for `run`.
        #[arg(long)]
        json: bool,
    },
    /// Crypto-erase: destroy the keys of LUKS1/LUKS2 volumes (both headers and every keyslot
    /// area) or kagi envelopes (the header with every wrapped key), verify, and check that no
    /// header parses afterwards. The encrypted data stays, unreadable. Header backups and key
    /// copies elsewhere defeat it: destroy them too.
    Crypto {
        /// LUKS devices (or image files), or kagi envelope files.
        #[arg(required = true)]
        targets: Vec<PathBuf>,
        /// State that the data was encrypted from its first write (nothing was written to the
        /// device in plaintext before it was formatted): one condition for NIST Purge.
        #[arg(long)]
        attest_encrypted_from_first_write: bool,
        /// State that no copy of the keys exists elsewhere (no header backups, escrow or other
        /// copies of the file): the other condition.
        #[arg(long)]
        attest_no_key_copies: bool,
        /// Symmetric key files (kagi key gen --alg symmetric) to overwrite, verify and remove
        /// too: every envelope made for them becomes undecryptable, wherever its copies are.
        #[arg(long = "key-file", value_name = "FILE")]
        key_files: Vec<PathBuf>,
        /// Do not ask for confirmation (scripts).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        state: StateArgs,
        #[command(flatten)]
        certify: CertifyArgs,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Read a device and check it holds what a method leaves (read-only): every byte for zero,
    /// one and pattern:HEX; for random (whose key is gone) every 512-byte sector must look like
    /// keystream output.
    Verify {
        /// The device or file.
        target: PathBuf,
        /// zero, one, pattern:HEX or random.
        #[arg(long)]
        expect: String,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Where erase journals are kept.
#[derive(Args, Debug, Clone)]
pub struct StateArgs {
    /// The state directory for journals (default: $KAGI_STATE_DIR, /var/lib/kagi for root,
    /// else ~/.local/state/kagi). It must not be on a target.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

/// The signed deletion certificate a completed, verified run gets (none without a signing key
/// and certificate). Flags override the config file.
#[derive(Args, Debug, Clone, Default)]
pub struct CertifyArgs {
    /// A TOML file with any of: organisation, unit, location, operator, role, contact,
    /// contract, destination, notes, sign_key, sign_cert, chain, certificate_dir, ledger.
    #[arg(long, value_name = "FILE")]
    pub certificate_config: Option<PathBuf>,
    /// The operator's private key that signs certificates.
    #[arg(long, value_name = "KEY")]
    pub sign_key: Option<PathBuf>,
    /// The operator's certificate (profile `erase`: documentSigning).
    #[arg(long, value_name = "CERT")]
    pub sign_cert: Option<PathBuf>,
    /// Intermediate certificates to embed.
    #[arg(long, value_name = "FILE")]
    pub chain: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseIn,
    /// The organisation performing the erasure.
    #[arg(long)]
    pub organisation: Option<String>,
    /// Its unit or department.
    #[arg(long)]
    pub unit: Option<String>,
    /// Where the erasure takes place.
    #[arg(long)]
    pub location: Option<String>,
    /// The operator's name.
    #[arg(long)]
    pub operator: Option<String>,
    /// The operator's role or title.
    #[arg(long)]
    pub role: Option<String>,
    /// How to reach the operator.
    #[arg(long)]
    pub contact: Option<String>,
    /// Asset tag or media property number; repeat in the order of the targets.
    #[arg(long = "asset-tag", value_name = "TAG")]
    pub asset_tags: Vec<String>,
    /// Lease or contract reference.
    #[arg(long)]
    pub contract: Option<String>,
    /// Where the medium goes next (e.g. "return to lessor", "internal reuse", "recycling").
    #[arg(long)]
    pub destination: Option<String>,
    /// Free notes.
    #[arg(long)]
    pub notes: Option<String>,
    /// Where certificates are written (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub certificate_dir: Option<PathBuf>,
    /// The ledger (default: ledger.jsonl in the state directory).
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum CertificateCommand {
    /// Verify erasure certificates (files or directories of them): signature and chain, the
    /// algorithms against the policy, the document's consistency, and with --device the
    /// medium itself. Exit 0 when all are valid, 1 when any is not.
    Verify {
        /// Certificate files, or directories holding `*.erasure` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Trust anchors (the organisation's CA, or the operator's certificate).
        #[arg(long, value_name = "CA-BUNDLE")]
        trust: Option<PathBuf>,
        /// Re-read this device (read-only) and check it still holds what the certificate
        /// says was written, and that it is the same device.
        #[arg(long, value_name = "DEV")]
        device: Option<PathBuf>,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show a certificate's content (without verifying it).
    Show {
        /// The certificate file.
        file: PathBuf,
        /// The document as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Render a certificate as a self-contained printable HTML page (Japanese and English).
    Render {
        /// The certificate file.
        file: PathBuf,
        /// The HTML file to write.
        #[arg(long, value_name = "OUT")]
        html: PathBuf,
        /// Trust anchors: the page then states whether the signature verified.
        #[arg(long, value_name = "CA-BUNDLE")]
        trust: Option<PathBuf>,
        /// Replace OUT if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Check the chain: every removed, reordered, inserted or edited entry is reported.
    /// Exit 0 when it holds, 1 when it is broken.
    Verify {
        /// The ledger (default: ledger.jsonl in the state directory).
        #[arg(long, value_name = "FILE")]
        ledger: Option<PathBuf>,
        #[command(flatten)]
        state: StateArgs,
        /// A head hash recorded earlier (by `ledger export`): it must still be in the chain.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
        /// A directory of certificates: each must be in the ledger, at the position it names.
        #[arg(long, value_name = "DIR")]
        certificates: Option<PathBuf>,
        #[command(flatten)]
        policy: PolicyArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Write a copy of the ledger for the auditor and print its head hash and entry count.
    Export {
        /// The ledger (default: ledger.jsonl in the state directory).
        #[arg(long, value_name = "FILE")]
        ledger: Option<PathBuf>,
        #[command(flatten)]
        state: StateArgs,
        /// Where to write the copy (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        policy: PolicyArgs,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Files and directories (walked) to scan.
    pub paths: Vec<PathBuf>,
    /// TLS endpoints to probe (HOST:PORT); repeat for several. Each is enumerated (versions,
    /// suites, groups, signature schemes), its chain validated (trust, host name, revocation
    /// locations, OCSP stapling) and the classic weaknesses named (SWEET32, RC4, FREAK, LOGJAM,
    /// POODLE, BEAST, insecure renegotiation, TLS_FALLBACK_SCSV, CRIME, Heartbleed).
    #[arg(long = "tls", value_name = "HOST:PORT")]
    pub tls: Vec<String>,
    /// A file of TLS endpoints, one a line: `HOST:PORT [starttls=PROTO] [sni=NAME]`; `#`
    /// starts a comment. Probed concurrently (--tls-jobs, --tls-per-host).
    #[arg(long, value_name = "FILE")]
    pub tls_file: Option<PathBuf>,
    /// Speak this protocol's STARTTLS before every TLS connection: smtp, imap, pop3, ftp,
    /// ldap, xmpp or postgres (for every --tls endpoint and list lines without their own).
    #[arg(long, value_name = "PROTO", value_parser = parse_starttls)]
    pub starttls: Option<crypto_core::audit::tls::Starttls>,
    /// The name to send as SNI and to check the certificate against (default: the host, when
    /// it is a name).
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// Validate served chains to these certificates (PEM bundle or DER) instead of the
    /// system trust store.
    #[arg(long, value_name = "CA-BUNDLE")]
    pub trust: Option<PathBuf>,
    /// How many endpoints are probed at once.
    #[arg(long, default_value = "8", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub tls_jobs: u16,
    /// How many endpoints of one host are probed at once (each probe holds one connection).
    #[arg(long, default_value = "2", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub tls_per_host: u16,
    /// table (default), json, sarif (SARIF 2.1.0) or cbom (CycloneDX 1.6).
    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,
    /// Write the report to FILE instead of stdout (a new file).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing report at --out (a regular file, never one being audited).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Show every finding, skipped files and duplicates.
    #[arg(long)]
    pub verbose: bool,
    /// Seconds allowed per TLS connection.
    #[arg(long, default_value = "5", value_name = "SECONDS")]
    pub timeout: u64,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

fn parse_starttls(s: &str) -> Result<crypto_core::audit::tls::Starttls, String> {
    s.parse()
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditFormat {
    Table,
    Json,
    Sarif,
    Cbom,
}
