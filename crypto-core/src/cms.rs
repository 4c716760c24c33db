//! Detached CMS SignedData (RFC 5652), DER — what `openssl cms -sign -binary` writes and
//! `openssl cms -verify` reads, and what holders of GPKI and corporate certificates use.
//!
//! Signing: the content is hashed in one streaming pass ([`crate::hash::digest_reader`]); the
//! signed attributes are content-type (id-data), message-digest and signing-time; the signer
//! is identified by issuer and serial number; its certificate and chain are embedded.
//!
//! | key | digest | signature algorithm |
//! |---|---|---|
//! | EC P-256 | SHA-256 | ecdsa-with-SHA256 |
//! | EC P-384 | SHA-384 | ecdsa-with-SHA384 |
//! | Ed25519 | SHA-512 | id-Ed25519 (RFC 8419) |
//! | RSA | SHA-256 or SHA-384 | id-RSASSA-PSS, MGF1 with the same hash, salt = hash length |
//!
//! Verifying accepts those and what openssl writes by default (RSASSA-PKCS1-v1_5 identified by
//! rsaEncryption or sha*WithRSAEncryption), each algorithm judged by the policy for processing.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use cryptrec::{Algorithm, HashAlg, Status, Use, Verdict};
use der::asn1::{Any, ObjectIdentifier as Oid, OctetString, SetOfVec, UtcTime};
use der::{Decode, Encode};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;

use crate::Error;
use crate::hash::HashAlgorithm;
use crate::keys::{KeyKind, PrivateKey};
use crate::pki::{Certificate, path};
use crate::provider::Provider;
use crate::sig::SignatureScheme;

const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

fn hash_oid(h: HashAlgorithm) -> Oid {
    Oid::new_unwrap(match h {
        HashAlgorithm::Sha256 => "2.16.840.1.101.3.4.2.1",
        HashAlgorithm::Sha384 => "2.16.840.1.101.3.4.2.2",
        HashAlgorithm::Sha512 => "2.16.840.1.101.3.4.2.3",
        HashAlgorithm::Sha512_256 => "2.16.840.1.101.3.4.2.6",
        HashAlgorithm::Sha3_256 => "2.16.840.1.101.3.4.2.8",
        HashAlgorithm::Sha3_384 => "2.16.840.1.101.3.4.2.9",
        HashAlgorithm::Sha3_512 => "2.16.840.1.101.3.4.2.10",
    })
}

/// RSASSA-PSS-params (RFC 4055) for SHA-256 and SHA-384: the hash, MGF1 over the same hash,
/// salt length = hash length, trailer field default.
const PSS_SHA256_PARAMS: [u8; 54] = [
    0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
    0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0xa2, 0x03, 0x02, 0x01, 0x20,
];
const PSS_SHA384_PARAMS: [u8; 54] = [
    0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
    0x02, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0xa2, 0x03, 0x02, 0x01, 0x30,
];

fn alg_id(oid: &str, params: Option<&[u8]>) -> Result<AlgorithmIdentifierOwned, Error> {
    let parameters = match params {
        Some(p) => {
            Some(Any::from_der(p).map_err(|e| Error::Malformed(format!("parameters: {e}")))?)
        }
        None => None,
    };
    Ok(AlgorithmIdentifierOwned {
        oid: Oid::new(oid).map_err(|_| Error::InvalidInput("object identifier"))?,
        parameters,
    })
}

fn der_err(what: &'static str) -> impl Fn(der::Error) -> Error {
    move |e| Error::Malformed(format!("{what}: {e}"))
}

/// How a key will sign: chosen before the content is hashed, so the caller knows the digest.
pub struct Signer<'a> {
    key: crate::sig::SigningKey,
    cert: x509_cert::Certificate,
    cert_der: &'a [u8],
    digest: HashAlgorithm,
    signature_alg: AlgorithmIdentifierOwned,
}

impl<'a> Signer<'a> {
    /// A signer for `key` with its certificate. `rsa_hash` chooses SHA-256 or SHA-384 for RSA
    /// keys (RSA-PSS); EC and Ed25519 keys have fixed digests.
    pub fn new(
        provider: &Provider,
        key: &PrivateKey,
        cert_der: &'a [u8],
        rsa_hash: HashAlgorithm,
    ) -> Result<Signer<'a>, Error> {
        let cert = x509_cert::Certificate::from_der(cert_der).map_err(der_err("certificate"))?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(der_err("certificate"))?;
        if spki != key.public_key().spki_der() {
            return Err(Error::InvalidInput(
                "the key does not belong to the certificate",
            ));
        }
        let (scheme, digest, signature_alg) = match key.kind() {
            KeyKind::Ec(cryptrec::Curve::P256) => (
                SignatureScheme::EcdsaP256Sha256,
                HashAlgorithm::Sha256,
                alg_id("1.2.840.10045.4.3.2", None)?,
            ),
            KeyKind::Ec(cryptrec::Curve::P384) => (
                SignatureScheme::EcdsaP384Sha384,
                HashAlgorithm::Sha384,
                alg_id("1.2.840.10045.4.3.3", None)?,
            ),
            KeyKind::Ed25519 => (
                SignatureScheme::Ed25519,
                HashAlgorithm::Sha512,
                alg_id(cryptrec::oid::ED25519, None)?,
            ),
            KeyKind::Rsa { .. } => match rsa_hash {
                HashAlgorithm::Sha384 => (
                    SignatureScheme::RsaPssSha384,
                    HashAlgorithm::Sha384,
                    alg_id(cryptrec::oid::RSASSA_PSS, Some(&PSS_SHA384_PARAMS))?,
                ),
                _ => (
                    SignatureScheme::RsaPssSha256,
                    HashAlgorithm::Sha256,
                    alg_id(cryptrec::oid::RSASSA_PSS, Some(&PSS_SHA256_PARAMS))?,
                ),
            },
            other => {
                return Err(Error::Unsupported(format!(
                    "CMS signatures with {other} keys"
                )));
            }
        };
        let key = key.signing_key(provider, scheme)?;
        provider.check(&key.algorithm(), Use::Protect)?;
        provider.check(&Algorithm::Hash(digest.hash_alg()), Use::Protect)?;
        Ok(Signer {
            key,
            cert,
            cert_der,
            digest,
            signature_alg,
        })
    }

    /// Applies to the signer's certificate, at `at`, the checks [`Signature::verify`] applies
    /// to it: inside its validity period, and, when it states a key usage, one for signing
    /// (digitalSignature or nonRepudiation). A signature that verify (and openssl) would
    /// reject is not made.
    pub fn check_certificate(&self, at: OffsetDateTime) -> Result<(), Error> {
        let c = Certificate::from_der(self.cert_der)?;
        if at < c.not_before {
            return Err(Error::CertificateNotUsable(format!(
                "the certificate is not yet valid: its validity starts {}",
                rfc3339(c.not_before)
            )));
        }
        if at > c.not_after {
            return Err(Error::CertificateNotUsable(format!(
                "the certificate has expired: its validity ended {}",
                rfc3339(c.not_after)
            )));
        }
        if let Some(why) = not_for_signing(&c) {
            return Err(Error::CertificateNotUsable(format!(
                "the certificate {why}"
            )));
        }
        // What path validation will reject in the certificate itself (a critical extension it
        // does not understand, a malformed extension), found now rather than by the verifier.
        let der = pki_types::CertificateDer::from(self.cert_der);
        if let Err(e) = webpki::EndEntityCert::try_from(&der) {
            return Err(Error::CertificateNotUsable(crate::pki::path::explain(&e)));
        }
        Ok(())
    }

    /// The digest the content must be hashed with.
    pub fn digest_algorithm(&self) -> HashAlgorithm {
        self.digest
    }

    /// The signature algorithm, with the key size.
    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    /// A detached SignedData (DER) over content whose digest is `content_digest`, made at
    /// `when`, embedding the signer's certificate and `chain`.
    pub fn sign(
        &self,
        content_digest: &[u8],
        chain: &[Vec<u8>],
        when: OffsetDateTime,
    ) -> Result<Vec<u8>, Error> {
        if content_digest.len() != self.digest.output_len() {
            return Err(Error::InvalidInput(
                "digest length does not match the digest algorithm",
            ));
        }
        let secs = u64::try_from(when.unix_timestamp())
            .map_err(|_| Error::InvalidInput("signing time"))?;
        let time = UtcTime::from_unix_duration(std::time::Duration::from_secs(secs))
            .map_err(der_err("signing time"))?;
        let attr = |oid: Oid, value: Any| -> Result<Attribute, Error> {
            Ok(Attribute {
                oid,
                values: SetOfVec::try_from(vec![value]).map_err(der_err("attribute"))?,
            })
        };
        fn any(v: &(impl der::EncodeValue + der::Tagged)) -> Result<Any, Error> {
            Any::encode_from(v).map_err(der_err("attribute"))
        }
        let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
            attr(ID_CONTENT_TYPE, any(&ID_DATA)?)?,
            attr(ID_SIGNING_TIME, any(&time)?)?,
            attr(
                ID_MESSAGE_DIGEST,
                any(&OctetString::new(content_digest).map_err(der_err("digest"))?)?,
            )?,
        ])
        .map_err(der_err("signed attributes"))?;
        let to_sign = signed_attrs
            .to_der()
            .map_err(der_err("signed attributes"))?;
        let signature = self.key.sign(&to_sign)?;
        let tbs = self.cert.tbs_certificate();
        let digest_alg = AlgorithmIdentifierOwned {
            oid: hash_oid(self.digest),
            parameters: None,
        };
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            }),
            digest_alg: digest_alg.clone(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: self.signature_alg.clone(),
            signature: OctetString::new(signature).map_err(der_err("signature"))?,
            unsigned_attrs: None,
        };
        let mut certs = vec![CertificateChoices::Certificate(self.cert.clone())];
        for c in chain {
            if c.as_slice() == self.cert_der {
                continue;
            }
            certs.push(CertificateChoices::Certificate(
                x509_cert::Certificate::from_der(c).map_err(der_err("chain certificate"))?,
            ));
        }
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![digest_alg])
                .map_err(der_err("digest algorithms"))?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent: None,
            },
            certificates: Some(CertificateSet(
                SetOfVec::try_from(certs).map_err(der_err("certificates"))?,
            )),
            crls: None,
            signer_infos: SignerInfos(
                SetOfVec::try_from(vec![signer_info]).map_err(der_err("signer infos"))?,
            ),
        };
        let content = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).map_err(der_err("signed data"))?,
        };
        content.to_der().map_err(der_err("signed data"))
    }
}

/// A parsed detached signature, before the content is hashed.
pub struct Signature {
    signer_info: SignerInfo,
    certificates: Vec<Vec<u8>>,
    digest: Option<HashAlg>,
}

/// The one problem of a [`Report`] made without trust anchors that says nothing about the
/// bytes: everything else (the digest, the signature with the embedded signer certificate,
/// that certificate's usage) was still checked.
pub const NO_TRUST_ANCHORS: &str = "not trusted: no trust anchors were given (--trust CA-BUNDLE)";

/// What verification found. Valid when `problems` is empty.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The signer's certificate subject, issuer, serial and SHA-256.
    pub signer: Option<SignerSummary>,
    /// The signing-time attribute (RFC 3339), if present.
    pub signing_time: Option<String>,
    /// The digest algorithm.
    pub digest_algorithm: String,
    /// The signature algorithm with the key size, when known.
    pub signature_algorithm: Option<String>,
    /// The certificates from the signer to the trust anchor (subjects).
    pub chain: Vec<String>,
    /// The trust anchor's subject, when the path validated.
    pub trust_anchor: Option<String>,
    /// Every verdict consulted: digest, signature, and each certificate's key and signature.
    pub verdicts: Vec<Verdict>,
    /// Algorithms accepted only to process old data (past their protect date).
    pub legacy: Vec<String>,
    /// Why the signature is not valid; empty when it is.
    pub problems: Vec<String>,
}

/// Who signed.
#[derive(Clone, Debug, Serialize)]
pub struct SignerSummary {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the certificate.
    pub fingerprint: String,
}

impl Report {
    /// Whether the signature is valid and trusted.
    pub fn valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What to trust and when.
#[derive(Clone, Debug)]
pub struct VerifyOptions<'a> {
    /// Trust anchors (DER certificates).
    pub trust: &'a [Vec<u8>],
    /// More certificates to build the path with (DER).
    pub extra: &'a [Vec<u8>],
    /// The time to check validity at, besides the signing time.
    pub at: OffsetDateTime,
}

impl Signature {
    /// Parses a DER (or PEM `CMS`/`PKCS7`) detached SignedData with one signer.
    pub fn parse(bytes: &[u8]) -> Result<Signature, Error> {
        let der = match std::str::from_utf8(bytes) {
            Ok(t) if t.contains("-----BEGIN ") => {
                let (_, d) = der::pem::decode_vec(t.trim().as_bytes())
                    .map_err(|e| Error::Malformed(format!("PEM signature: {e}")))?;
                d
            }
            _ => bytes.to_vec(),
        };
        let ci = ContentInfo::from_der(&der).map_err(der_err("signature (CMS ContentInfo)"))?;
        if ci.content_type != ID_SIGNED_DATA {
            return Err(Error::Malformed(format!(
                "signature: CMS content type {} is not SignedData",
                ci.content_type
            )));
        }
        let sd: SignedData = ci
            .content
            .decode_as()
            .map_err(der_err("signature (SignedData)"))?;
        if sd.encap_content_info.econtent.is_some() {
            return Err(Error::Malformed(
                "signature: the content is embedded; kagi verifies detached signatures (give the content file)".into(),
            ));
        }
        if sd.encap_content_info.econtent_type != ID_DATA {
            return Err(Error::Malformed(
                "signature: the signed content type is not id-data".into(),
            ));
        }
        let signers = sd.signer_infos.0.as_slice();
        // The unsigned framing must agree with the signer, so no byte of the file is free to
        // change: RFC 5652 §5.1/§5.3 versions, and the digest algorithm listed up front.
        for si in signers {
            let want = match si.sid {
                SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
                SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
            };
            if si.version != want {
                return Err(Error::Malformed(
                    "signature: SignerInfo version does not match its signer identifier".into(),
                ));
            }
            if !sd
                .digest_algorithms
                .iter()
                .any(|d| d.oid == si.digest_alg.oid)
            {
                return Err(Error::Malformed("signature: the signer's digest algorithm is not among the SignedData's digest algorithms".into()));
            }
        }
        let all_v1 = signers.iter().all(|si| si.version == CmsVersion::V1);
        let want_version = if all_v1 {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        };
        if sd.version != want_version {
            return Err(Error::Malformed(
                "signature: SignedData version does not match its contents (RFC 5652 §5.1)".into(),
            ));
        }
        let [signer_info] = signers else {
            return Err(Error::Malformed(format!(
                "signature: {} signers; kagi verifies signatures with exactly one",
                signers.len()
            )));
        };
        let mut certificates = Vec::new();
        if let Some(set) = &sd.certificates {
            for c in set.0.iter() {
                if let CertificateChoices::Certificate(c) = c {
                    certificates.push(c.to_der().map_err(der_err("certificate"))?);
                }
            }
        }
        let digest = cryptrec::oid::hash(&signer_info.digest_alg.oid.to_string());
        Ok(Signature {
            signer_info: signer_info.clone(),
            certificates,
            digest,
        })
    }

    /// The certificates embedded in the signature (DER).
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// The digest the content must be hashed with: an error carrying the verdict when the policy
    /// refuses it (SHA-1) or crypto-core does not implement it.
    pub fn digest_algorithm(&self, provider: &Provider) -> Result<HashAlgorithm, Error> {
        let h = self.digest.ok_or_else(|| {
            Error::Unsupported(format!(
                "digest algorithm {}",
                self.signer_info.digest_alg.oid
            ))
        })?;
        provider.check(&Algorithm::Hash(h), Use::Process)?;
        HashAlgorithm::from_hash_alg(h)
    }

    fn signer_cert(&self, extra: &[Vec<u8>]) -> Option<Certificate> {
        let pool = self.certificates.iter().chain(extra.iter());
        for der in pool {
            let Ok(c) = x509_cert::Certificate::from_der(der) else {
                continue;
            };
            let tbs = c.tbs_certificate();
            let matches = match &self.signer_info.sid {
                SignerIdentifier::IssuerAndSerialNumber(isn) => {
                    tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => matches!(
                    tbs.get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>(),
                    Ok(Some((_, s))) if s == *ski
                ),
            };
            if matches {
                return Certificate::from_der(der).ok();
            }
        }
        None
    }

    fn attribute(&self, oid: Oid) -> Option<&Any> {
        self.signer_info
            .signed_attrs
            .as_ref()?
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.get(0))
    }

    /// The signing time, if the signature carries one.
    pub fn signing_time(&self) -> Option<OffsetDateTime> {
        let any = self.attribute(ID_SIGNING_TIME)?;
        let t: x509_cert::time::Time = any.decode_as().ok()?;
        let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
        OffsetDateTime::from_unix_timestamp(secs).ok()
    }

    /// Verifies the signature over content whose digest (by [`Signature::digest_algorithm`]) is
    /// `content_digest`; validates the signer's path when trust anchors are given.
    pub fn verify(
        &self,
        provider: &Provider,
        content_digest: &[u8],
        opts: &VerifyOptions<'_>,
    ) -> Report {
        let mut r = Report {
            signer: None,
            signing_time: self.signing_time().map(rfc3339),
            digest_algorithm: self
                .digest
                .map(|h| h.entry().to_string())
                .unwrap_or_else(|| self.signer_info.digest_alg.oid.to_string()),
            signature_algorithm: None,
            chain: Vec::new(),
            trust_anchor: None,
            verdicts: Vec::new(),
            legacy: Vec::new(),
            problems: Vec::new(),
        };
        self.check(provider, content_digest, opts, &mut r);
        for v in &r.verdicts {
            if v.status == Status::LegacyProcessOnly {
                r.legacy.push(format!(
                    "{}: accepted to process existing data only ({})",
                    v.algorithm,
                    v.reasons
                        .iter()
                        .filter(|x| matches!(
                            x.effect,
                            cryptrec::Effect::Limits | cryptrec::Effect::Refuses
                        ))
                        .map(|x| x.source.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
        r.legacy.sort();
        r.legacy.dedup();
        r
    }

    fn check(
        &self,
        provider: &Provider,
        content_digest: &[u8],
        opts: &VerifyOptions<'_>,
        r: &mut Report,
    ) {
        let judge = |r: &mut Report, alg: &Algorithm| -> bool {
            let v = provider
                .policy()
                .evaluate(alg, Use::Process, provider.date());
            let ok = v.allows();
            if !ok {
                r.problems.push(format!(
                    "{} is refused: {}",
                    v.algorithm,
                    v.refusal_summary()
                ));
            }
            r.verdicts.push(v);
            ok
        };
        let Some(digest) = self.digest else {
            r.problems.push(format!(
                "unknown digest algorithm {}",
                self.signer_info.digest_alg.oid
            ));
            return;
        };
        if !judge(r, &Algorithm::Hash(digest)) {
            return;
        }
        let Some(cert) = self.signer_cert(opts.extra) else {
            r.problems.push(
                "the signer's certificate is not in the signature (give it with --chain)".into(),
            );
            return;
        };
        r.signer = Some(SignerSummary {
            subject: cert.subject.clone(),
            issuer: cert.issuer.clone(),
            serial: cert.serial.clone(),
            fingerprint: cert.fingerprint.hex(),
        });
        let key = match &cert.public_key {
            Ok(k) => k.clone(),
            Err(e) => {
                r.problems.push(format!("the signer's key: {e}"));
                return;
            }
        };
        let key_alg = key.kind().algorithms().into_iter().next();
        if let Some(a) = &key_alg
            && !judge(r, a)
        {
            return;
        }
        // The signature algorithm.
        let sig_oid = self.signer_info.signature_algorithm.oid.to_string();
        let (alg, pss) = match signature_algorithm(
            &self.signer_info.signature_algorithm,
            digest,
            key_alg.as_ref(),
        ) {
            Ok(x) => x,
            Err(e) => {
                r.problems.push(e);
                return;
            }
        };
        r.signature_algorithm = Some(alg.to_string());
        if let Some(p) = pss
            && !p.mgf_matches
        {
            r.problems.push(format!(
                "{sig_oid}: RSA-PSS with MGF1 over a different hash than the message's, which crypto-core does not verify"
            ));
            return;
        }
        if matches!(alg, Algorithm::EdDsa(_)) && digest != HashAlg::Sha512 {
            r.problems
                .push("Ed25519 with signed attributes must use SHA-512 (RFC 8419)".into());
            return;
        }
        if !judge(r, &alg) {
            return;
        }
        let scheme = match SignatureScheme::from_algorithm(&alg) {
            Ok(s) => s,
            Err(e) => {
                r.problems.push(e.to_string());
                return;
            }
        };
        // The signed attributes.
        let Some(attrs) = &self.signer_info.signed_attrs else {
            r.problems.push("the signature has no signed attributes (kagi requires content-type and message-digest)".into());
            return;
        };
        match self
            .attribute(ID_CONTENT_TYPE)
            .and_then(|a| a.decode_as::<Oid>().ok())
        {
            Some(t) if t == ID_DATA => {}
            _ => r
                .problems
                .push("the content-type attribute is missing or is not id-data".into()),
        }
        match self.attribute(ID_MESSAGE_DIGEST).and_then(|a| a.decode_as::<OctetString>().ok()) {
            Some(d) if d.as_bytes() == content_digest => {}
            Some(_) => r.problems.push(format!(
                "the content does not match the signature: its {} digest differs (the file was changed, or it is not the file that was signed)",
                digest.entry()
            )),
            None => r.problems.push("the message-digest attribute is missing".into()),
        }
        let signed = match attrs.to_der() {
            Ok(d) => d,
            Err(e) => {
                r.problems.push(format!("signed attributes: {e}"));
                return;
            }
        };
        let raw = match key.raw() {
            Ok(k) => k,
            Err(e) => {
                r.problems.push(e.to_string());
                return;
            }
        };
        let sig_bytes = self.signer_info.signature.as_bytes();
        let verified = match (pss, &alg) {
            (Some(p), Algorithm::RsaPss { hash, .. }) if !p.salt_is_hash_len => {
                crate::sig::verify_rsa_pss_with_salt(
                    provider,
                    *hash,
                    &raw,
                    &signed,
                    sig_bytes,
                    p.salt as usize,
                )
            }
            _ => crate::sig::verify(provider, scheme, &raw, &signed, sig_bytes),
        };
        if verified.is_err() {
            r.problems.push(
                "the signature does not verify: the signed attributes or the signature were altered, or it was not made with this certificate's key".into(),
            );
        }
        // The signer's certificate: usage, then the path.
        if let Some(why) = not_for_signing(&cert) {
            r.problems.push(format!("the signer's certificate {why}"));
        }
        if opts.trust.is_empty() {
            r.problems.push(NO_TRUST_ANCHORS.into());
            return;
        }
        let mut pool: Vec<Vec<u8>> = self.certificates.clone();
        pool.extend(opts.extra.iter().cloned());
        let mut times = vec![("now", opts.at)];
        if let Some(t) = self.signing_time() {
            times.push(("at signing time", t));
        }
        for (label, when) in times {
            match path::validate(provider, &cert.der, &pool, opts.trust, when) {
                Ok(p) => {
                    if r.trust_anchor.is_none() {
                        r.chain = p.certificates.iter().map(|c| c.subject.clone()).collect();
                        r.trust_anchor = Some(p.anchor.clone());
                        // The policy's word on every certificate of the path.
                        for (i, c) in p.certificates.iter().enumerate() {
                            let issuer = p.certificates.get(i + 1).cloned().or_else(|| {
                                opts.trust
                                    .iter()
                                    .filter_map(|a| Certificate::from_der(a).ok())
                                    .find(|a| a.subject == c.issuer)
                            });
                            for v in path::certificate_verdicts(provider, c, issuer.as_ref()) {
                                r.verdicts.push(v.unwrap_or_else(|v| v));
                            }
                        }
                    }
                }
                Err(e) => {
                    let why = path::explain(&e);
                    let refused = self.refused_in_chain(provider, &cert, &pool, opts.trust);
                    if refused.is_empty() {
                        r.problems.push(format!(
                            "certificate path ({label}, {}): {why}",
                            rfc3339(when)
                        ));
                    } else {
                        r.problems.extend(refused);
                    }
                    r.problems.dedup();
                }
            }
        }
    }

    /// Policy refusals along the chain found by names, to explain a failed path.
    fn refused_in_chain(
        &self,
        provider: &Provider,
        leaf: &Certificate,
        pool: &[Vec<u8>],
        trust: &[Vec<u8>],
    ) -> Vec<String> {
        let all: Vec<Certificate> = pool
            .iter()
            .chain(trust.iter())
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect();
        let mut out = Vec::new();
        let mut cur = leaf.clone();
        for _ in 0..8 {
            let issuer = all
                .iter()
                .find(|c| c.subject == cur.issuer && c.der != cur.der)
                .cloned();
            for v in path::certificate_verdicts(provider, &cur, issuer.as_ref())
                .into_iter()
                .filter_map(Result::err)
            {
                out.push(format!(
                    "certificate \"{}\": {} is refused: {}",
                    cur.subject,
                    v.algorithm,
                    v.refusal_summary()
                ));
            }
            match issuer {
                Some(i) if !cur.self_issued() => cur = i,
                _ => break,
            }
        }
        out
    }
}

/// RSA-PSS parameters as they bear on verification.
#[derive(Clone, Copy, Debug)]
struct Pss {
    mgf_matches: bool,
    salt: u32,
    salt_is_hash_len: bool,
}

/// The signature algorithm of a SignerInfo, and its RSA-PSS parameters when it is RSA-PSS.
fn signature_algorithm(
    alg: &AlgorithmIdentifierOwned,
    digest: HashAlg,
    key: Option<&Algorithm>,
) -> Result<(Algorithm, Option<Pss>), String> {
    let oid = alg.oid.to_string();
    let key = key.ok_or("the signer's key type is unknown")?;
    if oid == RSA_ENCRYPTION {
        // RFC 3370 §3.2: rsaEncryption in SignerInfo means PKCS#1 v1.5 with the digest algorithm.
        let bits = match key {
            Algorithm::RsaKey { bits } => *bits,
            _ => return Err("rsaEncryption signature with a non-RSA key".into()),
        };
        return Ok((Algorithm::RsaPkcs1Sign { bits, hash: digest }, None));
    }
    let named = cryptrec::oid::signature(&oid)
        .ok_or_else(|| format!("unknown signature algorithm {oid}"))?;
    let mut pss = None;
    let mut pss_hash = None;
    if named == cryptrec::oid::SignatureOid::RsaPss {
        let params = alg
            .parameters
            .as_ref()
            .and_then(|p| p.to_der().ok())
            .ok_or("RSA-PSS without parameters")?;
        let (h, mgf_h, salt) = pss_params(&params).ok_or("malformed RSA-PSS parameters")?;
        pss_hash = Some(h);
        let hash_len = u32::from(h.output_bits() / 8);
        pss = Some(Pss {
            mgf_matches: mgf_h == h,
            salt,
            salt_is_hash_len: salt == hash_len,
        });
    }
    let full = named
        .algorithm(key, pss_hash)
        .ok_or_else(|| format!("signature algorithm {oid} does not fit the signer's key"))?;
    Ok((full, pss))
}

/// (hash, MGF1 hash, salt length) of RSASSA-PSS-params, with RFC 4055's SHA-1/20 defaults.
fn pss_params(der: &[u8]) -> Option<(HashAlg, HashAlg, u32)> {
    use x509_parser::der_parser::ber::BerObjectContent;
    let (_, seq) = x509_parser::der_parser::parse_der(der).ok()?;
    let mut hash = HashAlg::Sha1;
    let mut mgf = HashAlg::Sha1;
    let mut salt = 20u32;
    for item in seq.as_sequence().ok()? {
        let tag = item.header.tag().0;
        let BerObjectContent::Unknown(any) = &item.content else {
            continue;
        };
        let (_, inner) = x509_parser::der_parser::parse_der(any.data).ok()?;
        match tag {
            0 => {
                hash = cryptrec::oid::hash(
                    &inner
                        .as_sequence()
                        .ok()?
                        .first()?
                        .as_oid()
                        .ok()?
                        .to_id_string(),
                )?
            }
            1 => {
                let s = inner.as_sequence().ok()?;
                let h = s
                    .get(1)?
                    .as_sequence()
                    .ok()?
                    .first()?
                    .as_oid()
                    .ok()?
                    .to_id_string();
                mgf = cryptrec::oid::hash(&h)?;
            }
            2 => salt = inner.as_u32().ok()?,
            _ => {}
        }
    }
    Some((hash, mgf, salt))
}

/// Why a certificate's stated key usage does not allow signing, if it does not: RFC 5280
/// 4.2.1.3 (digitalSignature, or nonRepudiation, also named contentCommitment).
/// Why a certificate cannot sign documents as `verify` will judge it: a CA certificate, a key
/// usage without digitalSignature or nonRepudiation, an extended key usage without a document
/// signing purpose (the ones `pki::path` accepts).
fn not_for_signing(cert: &Certificate) -> Option<String> {
    if cert.is_ca {
        return Some(
            "is a CA certificate (basicConstraints CA:TRUE); documents are signed with an end-entity certificate".into(),
        );
    }
    let for_signing = cert
        .key_usage
        .iter()
        .any(|u| *u == "digitalSignature" || *u == "contentCommitment");
    if !cert.key_usage.is_empty() && !for_signing {
        return Some(format!(
            "is not for signing: its key usage is {} (signing needs digitalSignature or nonRepudiation)",
            cert.key_usage.join(", ")
        ));
    }
    const SIGNING: [&str; 4] = ["documentSigning", "emailProtection", "codeSigning", "any"];
    if !cert.extended_key_usage.is_empty()
        && !cert
            .extended_key_usage
            .iter()
            .any(|u| SIGNING.contains(&u.as_str()))
    {
        return Some(format!(
            "is not for signing documents: its extended key usage is {} (documentSigning, emailProtection or codeSigning is needed)",
            cert.extended_key_usage.join(", ")
        ));
    }
    None
}

fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// A signed text document kagi writes (erasure certificates, dataset updates): the document's
/// exact bytes, then this signature over them as one `-----BEGIN CMS-----` PEM block. Returns
/// the file's bytes.
pub fn seal_text(
    provider: &Provider,
    document: &[u8],
    signer: &Signer<'_>,
    chain: &[Vec<u8>],
    when: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let digest = crate::hash::digest(provider, signer.digest_algorithm(), document)?;
    let sig = signer.sign(&digest, chain, when)?;
    let pem = der::pem::encode_string("CMS", der::pem::LineEnding::LF, &sig)
        .map_err(|e| Error::Malformed(format!("PEM: {e}")))?;
    let mut out = document.to_vec();
    out.extend_from_slice(pem.as_bytes());
    Ok(out)
}

/// Splits a [`seal_text`] file into the signed bytes and the parsed signature; a missing,
/// damaged or second signature block, or anything after it, is an error.
pub fn open_text(bytes: &[u8]) -> Result<(&[u8], Signature), Error> {
    const BEGIN: &str = "-----BEGIN CMS-----\n";
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::Malformed("not a signed kagi document (not UTF-8)".into()))?;
    let at = text
        .find(&format!("\n{BEGIN}"))
        .map(|i| i + 1)
        .or_else(|| text.starts_with(BEGIN).then_some(0))
        .ok_or_else(|| Error::Malformed("no signature: the CMS block is missing".into()))?;
    let pem = &text[at..];
    if pem.matches("-----BEGIN ").count() != 1 || !pem.trim_end().ends_with("-----END CMS-----") {
        return Err(Error::Malformed(
            "the signature block is damaged or followed by more data".into(),
        ));
    }
    Ok((&bytes[..at], Signature::parse(pem.as_bytes())?))
}
