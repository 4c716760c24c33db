//! X.509: reading certificates (x509-parser) and issuing them (rcgen), with every signature
//! made and checked through crypto-core, so the policy decides.
//!
//! Issued certificates are signed with ECDSA (P-256/SHA-256, P-384/SHA-384), Ed25519 or, for
//! RSA keys, RSASSA-PKCS1-v1_5 with SHA-256 — rcgen does not encode RSA-PSS certificate
//! signatures, and RSASSA-PKCS1-v1_5 is itself on the list (Table 1, signatures).

use ::time::{Duration, OffsetDateTime};

pub mod path;
use cryptrec::{Algorithm, HashAlg, Use, Verdict};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyIdMethod, KeyUsagePurpose,
};
use x509_parser::prelude::*;

use crate::Error;
use crate::keys::{Fingerprint, KeyKind, PrivateKey, PublicKey};
use crate::provider::Provider;
use crate::sig::{SignatureScheme, SigningKey};

/// What an issued certificate is for; sets key usage and extended key usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Signing files (CMS): digitalSignature, contentCommitment; EKU emailProtection, which
    /// `openssl cms -verify` requires by default.
    Signing,
    /// Receiving encrypted files and key escrow: keyEncipherment (RSA) or keyAgreement (EC);
    /// EKU emailProtection.
    Encryption,
    /// Signing erase certificates: digitalSignature, contentCommitment; EKU documentSigning
    /// (RFC 9336) and emailProtection.
    EraseCertificates,
    /// A certificate authority for an organisation without a PKI: keyCertSign, cRLSign,
    /// basicConstraints CA:TRUE.
    Ca,
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "signing" | "sign" => Ok(Profile::Signing),
            "encryption" | "encrypt" => Ok(Profile::Encryption),
            "erase" | "erase-certificates" => Ok(Profile::EraseCertificates),
            "ca" => Ok(Profile::Ca),
            _ => Err(format!(
                "unknown certificate profile `{s}` (signing, encryption, erase, ca)"
            )),
        }
    }
}

/// id-kp-documentSigning (RFC 9336).
const DOCUMENT_SIGNING: [u64; 9] = [1, 3, 6, 1, 5, 5, 7, 3, 36];

/// A certificate, read.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The DER.
    pub der: Vec<u8>,
    /// Subject DN (RFC 4514 order as x509-parser prints it).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// The subject public key, or why kagi cannot use it.
    pub public_key: Result<PublicKey, String>,
    /// The raw SubjectPublicKeyInfo DER.
    pub spki: Vec<u8>,
    /// The signature algorithm with the issuer's key size filled in when known, or its OID.
    pub signature_oid: String,
    /// RSASSA-PSS hash, if the signature is RSASSA-PSS.
    pub pss_hash: Option<HashAlg>,
    /// basicConstraints CA flag.
    pub is_ca: bool,
    /// Key usage names.
    pub key_usage: Vec<&'static str>,
    /// Extended key usage OIDs (names where known).
    pub extended_key_usage: Vec<String>,
    /// SHA-256 of the certificate DER.
    pub fingerprint: Fingerprint,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

impl Certificate {
    /// Parses one certificate (DER).
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        // x509-parser's error text is its own debug form (`Der(UnexpectedTag { .. })`): not
        // for users. What matters is that these bytes are not a certificate.
        let (rest, x) = parse_x509_certificate(der).map_err(|_| {
            Error::Malformed(
                "certificate: not an X.509 certificate (DER that does not parse)".into(),
            )
        })?;
        if !rest.is_empty() {
            return Err(Error::Malformed("certificate: trailing bytes".into()));
        }
        let spki = x.tbs_certificate.subject_pki.raw.to_vec();
        let public_key = PublicKey::from_spki_der(&spki).map_err(|e| e.to_string());
        let pss_hash = match x.signature_algorithm.parameters.as_ref() {
            Some(p)
                if x.signature_algorithm.algorithm.to_id_string() == cryptrec::oid::RSASSA_PSS =>
            {
                p.clone()
                    .try_into()
                    .ok()
                    .and_then(
                        |params: x509_parser::signature_algorithm::RsaSsaPssParams<'_>| {
                            cryptrec::oid::hash(&params.hash_algorithm_oid().to_id_string())
                        },
                    )
                    .or(Some(HashAlg::Sha1))
            }
            _ => None,
        };
        let mut key_usage = Vec::new();
        let mut extended_key_usage = Vec::new();
        let mut is_ca = false;
        for ext in x.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => is_ca = bc.ca,
                ParsedExtension::KeyUsage(ku) => key_usage = key_usage_names(ku),
                ParsedExtension::ExtendedKeyUsage(eku) => extended_key_usage = eku_names(eku),
                _ => {}
            }
        }
        Ok(Certificate {
            der: der.to_vec(),
            subject: x.subject().to_string(),
            issuer: x.issuer().to_string(),
            serial: x.raw_serial_as_string().replace(':', ""),
            not_before: x.validity().not_before.to_datetime(),
            not_after: x.validity().not_after.to_datetime(),
            public_key,
            spki,
            signature_oid: x.signature_algorithm.algorithm.to_id_string(),
            pss_hash,
            is_ca,
            key_usage,
            extended_key_usage,
            fingerprint: Fingerprint::of(der),
            tbs: x.tbs_certificate.as_ref().to_vec(),
            signature: x.signature_value.data.to_vec(),
        })
    }

    /// Whether subject and issuer are the same name.
    pub fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// The signature algorithm, given the issuer's public key; `None` if unknown.
    pub fn signature_algorithm(&self, issuer_key: &PublicKey) -> Option<Algorithm> {
        let key = issuer_key.kind().algorithms().into_iter().next()?;
        cryptrec::oid::signature(&self.signature_oid)?.algorithm(&key, self.pss_hash)
    }

    /// Checks that `issuer` signed this certificate, with an algorithm the policy permits for
    /// processing; returns that verdict.
    pub fn verify_issued_by(
        &self,
        provider: &Provider,
        issuer: &Certificate,
    ) -> Result<Verdict, Error> {
        let key = issuer
            .public_key
            .as_ref()
            .map_err(|e| Error::Unsupported(format!("the issuer's key: {e}")))?;
        let alg = self.signature_algorithm(key).ok_or_else(|| {
            Error::Unsupported(format!("signature algorithm {}", self.signature_oid))
        })?;
        let scheme = SignatureScheme::from_algorithm(&alg)?;
        crate::sig::verify(provider, scheme, &key.raw()?, &self.tbs, &self.signature)
    }
}

fn key_usage_names(ku: &KeyUsage) -> Vec<&'static str> {
    let mut v = Vec::new();
    let pairs = [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "contentCommitment"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
    ];
    for (set, name) in pairs {
        if set {
            v.push(name);
        }
    }
    v
}

fn eku_names(eku: &ExtendedKeyUsage<'_>) -> Vec<String> {
    let mut v = Vec::new();
    let named = [
        (eku.any, "any"),
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
    ];
    for (set, name) in named {
        if set {
            v.push(name.to_string());
        }
    }
    for oid in &eku.other {
        let s = oid.to_id_string();
        v.push(if s == "1.3.6.1.5.5.7.3.36" {
            "documentSigning".to_string()
        } else {
            s
        });
    }
    v
}

/// Every certificate in `bytes`: PEM blocks labelled CERTIFICATE, or one DER certificate.
pub fn certificates(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN ") => {
            let mut out = Vec::new();
            for (label, block) in crate::keys::pem_blocks(text) {
                if label == "CERTIFICATE" {
                    let (_, der) = der::pem::decode_vec(block.as_bytes())
                        .map_err(|e| Error::Malformed(format!("PEM certificate: {e}")))?;
                    out.push(Certificate::from_der(&der)?);
                }
            }
            if out.is_empty() {
                return Err(Error::Malformed(
                    "certificate file: no PEM CERTIFICATE block in it".into(),
                ));
            }
            Ok(out)
        }
        // Text that cannot open a DER SEQUENCE: say what it lacks rather than fail as DER.
        Ok(_) if bytes.first() != Some(&0x30) => Err(Error::Malformed(
            "certificate file: text without a PEM CERTIFICATE block, and not DER".into(),
        )),
        _ => Ok(vec![Certificate::from_der(bytes)?]),
    }
}

/// The certificate as PEM.
pub fn to_pem(der: &[u8]) -> Result<String, Error> {
    crate::keys::pem(der, "CERTIFICATE")
}

struct Signer {
    key: SigningKey,
    public: Vec<u8>,
    alg: &'static rcgen::SignatureAlgorithm,
}

impl rcgen::PublicKeyData for Signer {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}

impl rcgen::SigningKey for Signer {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.key.sign(msg).map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

struct SubjectKey {
    raw: Vec<u8>,
    alg: &'static rcgen::SignatureAlgorithm,
}

impl rcgen::PublicKeyData for SubjectKey {
    fn der_bytes(&self) -> &[u8] {
        &self.raw
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}

fn rcgen_alg(
    kind: KeyKind,
) -> Result<(SignatureScheme, &'static rcgen::SignatureAlgorithm), Error> {
    use cryptrec::Curve;
    Ok(match kind {
        KeyKind::Ec(Curve::P256) => (
            SignatureScheme::EcdsaP256Sha256,
            &rcgen::PKCS_ECDSA_P256_SHA256,
        ),
        KeyKind::Ec(Curve::P384) => (
            SignatureScheme::EcdsaP384Sha384,
            &rcgen::PKCS_ECDSA_P384_SHA384,
        ),
        KeyKind::Ed25519 => (SignatureScheme::Ed25519, &rcgen::PKCS_ED25519),
        KeyKind::Rsa { .. } => (SignatureScheme::RsaPkcs1Sha256, &rcgen::PKCS_RSA_SHA256),
        other => return Err(Error::Unsupported(format!("certificates for {other} keys"))),
    })
}

fn signer(provider: &Provider, key: &PrivateKey) -> Result<Signer, Error> {
    let (scheme, alg) = rcgen_alg(key.kind())?;
    let key = key.signing_key(provider, scheme)?;
    // Signing is a protection: refuse now, with the verdict, rather than inside rcgen.
    provider.check(&key.algorithm(), Use::Protect)?;
    Ok(Signer {
        public: key.public_key(),
        key,
        alg,
    })
}

/// Parses `CN=…,O=…,OU=…,C=…,ST=…,L=…` (commas inside values escaped as `\,`).
pub fn parse_dn(s: &str) -> Result<DistinguishedName, Error> {
    let mut dn = DistinguishedName::new();
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.extend(chars.next()),
            ',' => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| Error::Malformed(format!("subject: `{part}` is not KEY=VALUE")))?;
        let v = v.trim().to_string();
        let ty = match k.trim().to_ascii_uppercase().as_str() {
            "CN" => DnType::CommonName,
            "O" => DnType::OrganizationName,
            "OU" => DnType::OrganizationalUnitName,
            "C" => {
                let p = rcgen::string::PrintableString::try_from(v.as_str())
                    .map_err(|_| Error::Malformed(format!("subject: country `{v}`")))?;
                if v.len() != 2 {
                    return Err(Error::Malformed(format!(
                        "subject: country `{v}` is not two letters"
                    )));
                }
                dn.push(DnType::CountryName, rcgen::DnValue::PrintableString(p));
                continue;
            }
            "ST" => DnType::StateOrProvinceName,
            "L" => DnType::LocalityName,
            other => {
                return Err(Error::Malformed(format!(
                    "subject: unknown attribute `{other}` (CN, O, OU, C, ST, L)"
                )));
            }
        };
        dn.push(ty, v);
    }
    if dn.iter().next().is_none() {
        return Err(Error::Malformed("subject: empty".into()));
    }
    Ok(dn)
}

fn params(
    subject: DistinguishedName,
    days: u32,
    profile: Profile,
    kind: KeyKind,
    raw_key: &[u8],
) -> Result<CertificateParams, Error> {
    if days == 0 || days > 36_500 {
        return Err(Error::InvalidInput("validity must be 1 to 36500 days"));
    }
    let mut p = CertificateParams::default();
    p.distinguished_name = subject;
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::minutes(5);
    p.not_after = now + Duration::days(i64::from(days));
    let mut serial: [u8; 16] = crate::rand::array()?;
    serial[0] &= 0x7f;
    serial[0] |= 0x40;
    p.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let mut id = crate::hash::digest_unchecked(crate::hash::HashAlgorithm::Sha256, raw_key);
    id.truncate(20);
    p.key_identifier_method = KeyIdMethod::PreSpecified(id);
    p.use_authority_key_identifier_extension = true;
    // End-entity certificates say CA:FALSE explicitly, which also makes rcgen write the subject
    // key identifier (RFC 5280 §4.2.1.2; `openssl cms -keyid` needs it).
    p.is_ca = IsCa::ExplicitNoCa;
    match profile {
        Profile::Signing => {
            p.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ];
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
        }
        Profile::EraseCertificates => {
            p.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ];
            p.extended_key_usages = vec![
                ExtendedKeyUsagePurpose::Other(DOCUMENT_SIGNING.to_vec()),
                ExtendedKeyUsagePurpose::EmailProtection,
            ];
        }
        Profile::Encryption => {
            p.key_usages = match kind {
                KeyKind::Rsa { .. } => vec![KeyUsagePurpose::KeyEncipherment],
                KeyKind::Ec(_) => vec![KeyUsagePurpose::KeyAgreement],
                _ => {
                    return Err(Error::Unsupported(
                        "encryption certificates for Ed25519 keys (Ed25519 only signs)".into(),
                    ));
                }
            };
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
        }
        Profile::Ca => {
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
            ];
        }
    }
    Ok(p)
}

fn rcgen_err(e: rcgen::Error) -> Error {
    Error::Malformed(format!("certificate: {e}"))
}

/// A self-signed certificate for `key`.
pub fn self_signed(
    provider: &Provider,
    key: &PrivateKey,
    subject: &str,
    days: u32,
    profile: Profile,
) -> Result<Vec<u8>, Error> {
    let signer = signer(provider, key)?;
    let p = params(
        parse_dn(subject)?,
        days,
        profile,
        key.kind(),
        &signer.public,
    )?;
    Ok(p.self_signed(&signer).map_err(rcgen_err)?.der().to_vec())
}

/// A PKCS#10 certificate signing request for `key`.
pub fn request(provider: &Provider, key: &PrivateKey, subject: &str) -> Result<Vec<u8>, Error> {
    let signer = signer(provider, key)?;
    let mut p = CertificateParams::default();
    p.distinguished_name = parse_dn(subject)?;
    Ok(p.serialize_request(&signer)
        .map_err(rcgen_err)?
        .der()
        .to_vec())
}

/// A CSR, read and its self-signature checked through crypto-core.
#[derive(Clone, Debug)]
pub struct Csr {
    /// The subject DN.
    pub subject: String,
    /// The subject's public key.
    pub public_key: PublicKey,
    /// The verdict on the CSR's signature algorithm.
    pub signature_verdict: Verdict,
    der: Vec<u8>,
}

impl Csr {
    /// Parses a CSR (PEM `CERTIFICATE REQUEST` or DER) and verifies its signature.
    pub fn parse(provider: &Provider, bytes: &[u8]) -> Result<Csr, Error> {
        let der = match std::str::from_utf8(bytes) {
            Ok(t) if t.contains("-----BEGIN ") => {
                let block = crate::keys::pem_blocks(t)
                    .into_iter()
                    .find(|(l, _)| *l == "CERTIFICATE REQUEST" || *l == "NEW CERTIFICATE REQUEST")
                    .ok_or_else(|| {
                        Error::Malformed(
                            "certificate request: no PEM CERTIFICATE REQUEST block in it".into(),
                        )
                    })?
                    .1;
                der::pem::decode_vec(block.as_bytes())
                    .map_err(|e| Error::Malformed(format!("PEM certificate request: {e}")))?
                    .1
            }
            _ => bytes.to_vec(),
        };
        let (_, csr) = X509CertificationRequest::from_der(&der)
            .map_err(|e| Error::Malformed(format!("certificate request: {e}")))?;
        let info = &csr.certification_request_info;
        let public_key = PublicKey::from_spki_der(info.subject_pki.raw)?;
        let key_alg = public_key
            .kind()
            .algorithms()
            .into_iter()
            .next()
            .ok_or(Error::InvalidKey("no algorithm for the key"))?;
        let oid = csr.signature_algorithm.algorithm.to_id_string();
        let alg = cryptrec::oid::signature(&oid)
            .and_then(|s| s.algorithm(&key_alg, None))
            .ok_or_else(|| Error::Unsupported(format!("CSR signature algorithm {oid}")))?;
        let scheme = SignatureScheme::from_algorithm(&alg)?;
        let signature_verdict = crate::sig::verify(
            provider,
            scheme,
            &public_key.raw()?,
            info.raw,
            &csr.signature_value.data,
        )
        .map_err(|e| match e {
            Error::BadSignature => Error::Malformed(
                "certificate request: its signature does not verify (altered, or not made with the key it carries)".into(),
            ),
            e => e,
        })?;
        Ok(Csr {
            subject: info.subject.to_string(),
            public_key,
            signature_verdict,
            der,
        })
    }
}

/// Issues a certificate for a CSR, signed by a CA certificate and its key. Only the CSR's
/// subject and public key are taken; usages and validity come from `profile` and `days`.
pub fn issue(
    provider: &Provider,
    ca_cert_der: &[u8],
    ca_key: &PrivateKey,
    csr: &Csr,
    days: u32,
    profile: Profile,
) -> Result<Vec<u8>, Error> {
    let ca = Certificate::from_der(ca_cert_der)?;
    if !ca.is_ca {
        return Err(Error::InvalidInput(
            "the CA certificate does not have basicConstraints CA:TRUE",
        ));
    }
    if !ca.key_usage.is_empty() && !ca.key_usage.contains(&"keyCertSign") {
        return Err(Error::InvalidInput(
            "the CA certificate's key usage lacks keyCertSign",
        ));
    }
    if ca.spki != ca_key.public_key().spki_der() {
        return Err(Error::InvalidInput(
            "the CA key does not belong to the CA certificate",
        ));
    }
    for alg in csr.public_key.kind().algorithms().iter().take(1) {
        provider.check(alg, Use::Protect)?;
    }
    let parsed = rcgen::CertificateSigningRequestParams::from_der(&csr.der.clone().into())
        .map_err(rcgen_err)?;
    let (_, subject_alg) = rcgen_alg(csr.public_key.kind())?;
    let subject = SubjectKey {
        raw: csr.public_key.raw()?,
        alg: subject_alg,
    };
    let p = params(
        parsed.params.distinguished_name,
        days,
        profile,
        csr.public_key.kind(),
        &subject.raw,
    )?;
    let issuer =
        rcgen::Issuer::from_ca_cert_der(&ca_cert_der.to_vec().into(), signer(provider, ca_key)?)
            .map_err(rcgen_err)?;
    Ok(p.signed_by(&subject, &issuer)
        .map_err(rcgen_err)?
        .der()
        .to_vec())
}
