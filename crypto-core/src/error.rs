use cryptrec::Verdict;

/// Errors of crypto-core.
///
/// Authentication failures are deliberately vague: they say the data is not authentic, never
/// which byte or which check failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The policy refuses the algorithm for this use; the verdict says why.
    #[error("refused by policy `{}`: {}: {}", .0.policy, .0.algorithm, .0.refusal_summary())]
    Refused(Box<Verdict>),
    /// A known-answer self-test failed; no operation is available in this process.
    #[error("cryptographic self-test failed ({0}); every operation is disabled")]
    SelfTestFailed(String),
    /// The policy permits the algorithm but crypto-core does not implement it.
    #[error("not implemented by crypto-core: {0}")]
    Unsupported(String),
    /// A key of the wrong length or encoding.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// An input of the wrong length or form.
    #[error("invalid input: {0}")]
    InvalidInput(&'static str),
    /// A file or structure that could not be parsed.
    #[error("malformed {0}")]
    Malformed(String),
    /// Data protected with an algorithm the CRYPTREC list does not contain (the message names
    /// it and says how to convert).
    #[error("{0}")]
    NotListed(String),
    /// Key shares or an escrow file that do not restore a key.
    #[error("key backup: {0}")]
    Backup(String),
    /// A passphrase-encrypted key did not decrypt.
    #[error("wrong passphrase, or the encrypted key is damaged")]
    BadPassphrase,
    /// No identity given opens any recipient entry of an encrypted file.
    #[error("none of the given keys is a recipient of this file")]
    NoRecipient,
    /// A passphrase did not open an encrypted file.
    #[error("wrong passphrase (or the file's passphrase entry was altered)")]
    WrongPassphrase,
    /// An encrypted payload failed authentication at a chunk.
    #[error("the encrypted data is not authentic: {0}")]
    PayloadNotAuthentic(String),
    /// Decryption or MAC verification failed.
    #[error("the data is not authentic (wrong key, or altered data)")]
    NotAuthentic,
    /// A signature did not verify.
    #[error("the signature is not valid")]
    BadSignature,
    /// A certificate that cannot serve this use now (expired, not yet valid, wrong key usage);
    /// the message says which.
    #[error("{0}")]
    CertificateNotUsable(String),
    /// A network endpoint that did not do what was asked of it (refused STARTTLS, spoke no
    /// TLS); the message names the endpoint and what it answered.
    #[error("{0}")]
    Endpoint(String),
    /// The system random source failed.
    #[error("the system random number generator failed")]
    Rng,
    /// Reading the data failed.
    #[error("reading: {0}")]
    Io(#[source] std::io::Error),
    /// A policy or dataset error.
    #[error(transparent)]
    Policy(#[from] cryptrec::Error),
}
