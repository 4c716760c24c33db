//! Certification path validation: rustls-webpki builds and checks the path (name chaining,
//! validity, basic constraints, path length, CA key usage, EKU), and every signature on it is
//! checked by crypto-core, so an algorithm the policy refuses cannot validate.

use std::sync::Mutex;

use cryptrec::{Use, Verdict};
use pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    UnixTime, alg_id,
};
use time::OffsetDateTime;

use super::Certificate;
use crate::Error;
use crate::provider::Provider;
use crate::sig::SignatureScheme;

/// A webpki signature algorithm whose checks go through crypto-core under a policy.
struct PolicyAlg {
    provider: Provider,
    scheme: SignatureScheme,
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    /// Verdicts of the checks made, for path reports; `None` where nobody reads them (a TLS
    /// provider's algorithms live for the whole process).
    verdicts: Option<Mutex<Vec<Verdict>>>,
}

impl std::fmt::Debug for PolicyAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PolicyAlg({:?})", self.scheme)
    }
}

impl SignatureVerificationAlgorithm for PolicyAlg {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let verdict =
            crate::sig::verify(&self.provider, self.scheme, public_key, message, signature)
                .map_err(|_| InvalidSignature)?;
        if let Some(Ok(mut v)) = self.verdicts.as_ref().map(|m| m.lock()) {
            v.push(verdict);
        }
        Ok(())
    }
    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key
    }
    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }
}

fn algorithms(provider: &Provider) -> Vec<PolicyAlg> {
    use SignatureScheme::*;
    let table = [
        (EcdsaP256Sha256, alg_id::ECDSA_P256, alg_id::ECDSA_SHA256),
        (EcdsaP256Sha384, alg_id::ECDSA_P256, alg_id::ECDSA_SHA384),
        (EcdsaP384Sha256, alg_id::ECDSA_P384, alg_id::ECDSA_SHA256),
        (EcdsaP384Sha384, alg_id::ECDSA_P384, alg_id::ECDSA_SHA384),
        (Ed25519, alg_id::ED25519, alg_id::ED25519),
        (
            RsaPkcs1Sha256,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA256,
        ),
        (
            RsaPkcs1Sha384,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA384,
        ),
        (
            RsaPkcs1Sha512,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA512,
        ),
        (RsaPssSha256, alg_id::RSA_ENCRYPTION, alg_id::RSA_PSS_SHA256),
        (RsaPssSha384, alg_id::RSA_ENCRYPTION, alg_id::RSA_PSS_SHA384),
        (RsaPssSha512, alg_id::RSA_ENCRYPTION, alg_id::RSA_PSS_SHA512),
    ];
    table
        .into_iter()
        .map(|(scheme, public_key, signature)| PolicyAlg {
            provider: provider.clone(),
            scheme,
            public_key,
            signature,
            verdicts: Some(Mutex::new(Vec::new())),
        })
        .collect()
}

/// The webpki algorithms for `scheme` (and, for ECDSA, the cross-hash combinations used on
/// certificates), checking through crypto-core under the provider's policy, recording nothing.
pub(crate) fn policy_algorithms(
    provider: &Provider,
    scheme: SignatureScheme,
) -> Vec<impl SignatureVerificationAlgorithm + 'static> {
    use SignatureScheme::*;
    let wanted: &[SignatureScheme] = match scheme {
        EcdsaP256Sha256 => &[EcdsaP256Sha256, EcdsaP256Sha384],
        EcdsaP384Sha384 => &[EcdsaP384Sha384, EcdsaP384Sha256],
        _ => &[],
    };
    algorithms(provider)
        .into_iter()
        .filter(|a| a.scheme == scheme || wanted.contains(&a.scheme))
        .map(|mut a| {
            a.verdicts = None;
            a
        })
        .collect()
}

/// The extended key usages a document signer's certificate may carry (when it has the
/// extension at all): emailProtection (S/MIME, what openssl cms expects), documentSigning
/// (RFC 9336), codeSigning (第128条5項: checking downloaded software), anyExtendedKeyUsage.
struct SignerEku;

const SIGNER_EKUS: [&[usize]; 4] = [
    &[1, 3, 6, 1, 5, 5, 7, 3, 4],
    &[1, 3, 6, 1, 5, 5, 7, 3, 36],
    &[1, 3, 6, 1, 5, 5, 7, 3, 3],
    &[2, 5, 29, 37, 0],
];

impl webpki::ExtendedKeyUsageValidator for SignerEku {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut present = Vec::new();
        for id in iter {
            let id = id?;
            let arcs: Vec<usize> = id.to_decoded_oid();
            if SIGNER_EKUS.contains(&arcs.as_slice()) {
                return Ok(());
            }
            present.push(arcs);
        }
        if present.is_empty() {
            Ok(())
        } else {
            Err(webpki::Error::RequiredEkuNotFoundContext(
                webpki::RequiredEkuNotFoundContext {
                    required: webpki::KeyUsage::required_if_present(&[0x2b, 6, 1, 5, 5, 7, 3, 4]),
                    present,
                },
            ))
        }
    }
}

/// A validated path, leaf first, ending at the trust anchor, with the verdict of every
/// signature checked on the way.
#[derive(Debug)]
pub struct ValidPath {
    /// The certificates from the leaf up to (not including) the anchor.
    pub certificates: Vec<Certificate>,
    /// The trust anchor's subject.
    pub anchor: String,
    /// The verdicts of the signatures checked.
    pub verdicts: Vec<Verdict>,
}

/// Why a path did not validate, in words.
pub fn explain(e: &webpki::Error) -> String {
    use webpki::Error as E;
    match e {
        E::CertExpired { .. } => "the certificate has expired".into(),
        E::CertNotValidYet { .. } => "the certificate is not yet valid".into(),
        E::UnknownIssuer => "no path from the signer's certificate to a trust anchor (untrusted)".into(),
        E::RequiredEkuNotFoundContext(_) => {
            "the certificate's extended key usage does not allow document signing (emailProtection, documentSigning or codeSigning)".into()
        }
        E::CaUsedAsEndEntity => "a CA certificate was used to sign a document".into(),
        E::EndEntityUsedAsCa => "an end-entity certificate was used as a CA".into(),
        E::InvalidSignatureForPublicKey => {
            "a certificate's signature does not verify (altered, or signed with an algorithm the policy refuses)".into()
        }
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "a certificate is signed with an algorithm crypto-core does not verify".into()
        }
        E::PathLenConstraintViolated => "the path is longer than a CA's path-length constraint allows".into(),
        E::MaximumPathDepthExceeded | E::MaximumPathBuildCallsExceeded => "the path is too long to build".into(),
        E::BadDer | E::BadDerTime => "a certificate is not valid DER".into(),
        E::UnsupportedCriticalExtension => {
            "a certificate has a critical extension kagi does not understand (RFC 5280 §4.2: it must then be rejected)".into()
        }
        E::ExtensionValueInvalid => "a certificate has a malformed extension".into(),
        E::UnsupportedCertVersion => {
            "a certificate is not X.509 version 3 (version 1 and 2 certificates carry no extensions to judge)".into()
        }
        E::NameConstraintViolation => "a name in the path violates a CA's name constraints".into(),
        E::CertRevoked => "a certificate on the path is revoked".into(),
        _ => "the certificate path does not validate".into(),
    }
}

/// Validates `leaf` to one of `anchors` through any of `intermediates`, at `when`.
pub fn validate(
    provider: &Provider,
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    when: OffsetDateTime,
) -> Result<ValidPath, webpki::Error> {
    validate_for(provider, leaf, intermediates, anchors, when, SignerEku)
}

/// Validates a TLS server's `leaf` (extended key usage serverAuth, when it has the extension)
/// to one of `anchors` through any of `intermediates`, at `when`. The host name is checked
/// apart, with [`webpki::EndEntityCert::verify_is_valid_for_subject_name`].
pub fn validate_server(
    provider: &Provider,
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    when: OffsetDateTime,
) -> Result<ValidPath, webpki::Error> {
    validate_for(
        provider,
        leaf,
        intermediates,
        anchors,
        when,
        webpki::KeyUsage::server_auth(),
    )
}

fn validate_for(
    provider: &Provider,
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    when: OffsetDateTime,
    usage: impl webpki::ExtendedKeyUsageValidator,
) -> Result<ValidPath, webpki::Error> {
    let leaf_der = CertificateDer::from(leaf);
    let ee = webpki::EndEntityCert::try_from(&leaf_der)?;
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .iter()
        .map(|a| CertificateDer::from(a.as_slice()))
        .collect();
    let trust: Vec<_> = anchor_ders
        .iter()
        .filter_map(|a| webpki::anchor_from_trusted_cert(a).ok())
        .collect();
    let inter: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let algs = algorithms(provider);
    let dyn_algs: Vec<&dyn SignatureVerificationAlgorithm> = algs
        .iter()
        .map(|a| a as &dyn SignatureVerificationAlgorithm)
        .collect();
    let secs = u64::try_from(when.unix_timestamp()).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
    let path = ee.verify_for_usage(&dyn_algs, &trust, &inter, time, usage, None, None)?;
    let mut certificates = vec![Certificate::from_der(leaf).map_err(|_| webpki::Error::BadDer)?];
    for c in path.intermediate_certificates() {
        certificates
            .push(Certificate::from_der(c.der().as_ref()).map_err(|_| webpki::Error::BadDer)?);
    }
    // The anchor is the certificate named as issuer by the last certificate of the path.
    let top_issuer = certificates
        .last()
        .map(|c| c.issuer.clone())
        .unwrap_or_default();
    let anchor = anchors
        .iter()
        .filter_map(|a| Certificate::from_der(a).ok())
        .find(|c| c.subject == top_issuer)
        .map(|c| c.subject)
        .unwrap_or(top_issuer);
    let _ = path.anchor();
    let verdicts = algs
        .iter()
        .flat_map(|a| {
            a.verdicts
                .as_ref()
                .and_then(|m| m.lock().ok().map(|v| v.clone()))
                .unwrap_or_default()
        })
        .collect();
    Ok(ValidPath {
        certificates,
        anchor,
        verdicts,
    })
}

/// The policy's verdicts on a certificate: its key (process) and its signature algorithm given
/// its issuer's key (process). Refused items come back as `Err` with the verdict.
pub fn certificate_verdicts(
    provider: &Provider,
    cert: &Certificate,
    issuer: Option<&Certificate>,
) -> Vec<Result<Verdict, Verdict>> {
    let mut out = Vec::new();
    if let Ok(k) = &cert.public_key {
        for alg in k.kind().algorithms().into_iter().take(1) {
            let v = provider
                .policy()
                .evaluate(&alg, Use::Process, provider.date());
            out.push(if v.allows() { Ok(v) } else { Err(v) });
        }
    }
    if let Some(issuer_key) = issuer.and_then(|i| i.public_key.as_ref().ok())
        && let Some(alg) = cert.signature_algorithm(issuer_key)
    {
        let v = provider
            .policy()
            .evaluate(&alg, Use::Process, provider.date());
        out.push(if v.allows() { Ok(v) } else { Err(v) });
    }
    out
}

impl From<webpki::Error> for Error {
    fn from(e: webpki::Error) -> Self {
        Error::Malformed(explain(&e))
    }
}
