//! Known-answer self-tests, run once per process before any provider exists.
//!
//! The vectors are the files of `test-vectors/kat/`, embedded at build time, so the self-tests
//! and the repository's KAT files cannot drift apart. Each result names its source.

use std::sync::OnceLock;
use std::time::Instant;

use serde::Deserialize;

use crate::Error;
use crate::aead::{AeadAlgorithm, AeadKey, NONCE_LEN, TAG_LEN};
use crate::ecdh::{EcdhCurve, EcdhPrivateKey};
use crate::hash::{HashAlgorithm, Hasher, Shake, shake_unchecked};
use crate::kdf::{hkdf_unchecked, pbkdf2_unchecked};
use crate::mac::{HmacAlgorithm, HmacKey};
use crate::rsa_oaep::{OaepHash, OaepPrivateKey};
use crate::sig::{SignatureScheme, SigningKey, generate_pkcs8_unchecked, verify_unchecked};

const PUBLISHED: &str = include_str!("../../test-vectors/kat/published.toml");
const WYCHEPROOF: &str = include_str!("../../test-vectors/kat/wycheproof.toml");

/// The outcome of one self-test.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SelfTestResult {
    /// What was tested (`aes-256-gcm`, `pairwise ecdsa-p256`).
    pub name: String,
    /// Where the vector comes from.
    pub source: String,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed.
    pub failure: Option<String>,
    /// How long it took, in microseconds.
    pub micros: u64,
}

/// Every self-test result.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SelfTestReport {
    /// The results, in the order run.
    pub results: Vec<SelfTestResult>,
}

impl SelfTestReport {
    /// Whether every test passed.
    pub fn passed(&self) -> bool {
        !self.results.is_empty() && self.results.iter().all(|r| r.passed)
    }
}

static REPORT: OnceLock<SelfTestReport> = OnceLock::new();

/// The report of this process's power-on self-tests, running them on first use. The slow
/// big-integer tests (DSA, finite-field DH) are conditional: they run the first time their
/// algorithm is used, and `kagi selftest` ([`run`]) runs everything.
pub fn report() -> &'static SelfTestReport {
    REPORT.get_or_init(|| run_scope(None))
}

/// Self-tests deferred to the first use of their algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    /// DSA (Wycheproof KAT).
    Dsa,
    /// Finite-field DH (pairwise consistency).
    Dh,
}

fn group_of(name: &str) -> Option<Group> {
    if name.starts_with("dsa-") {
        Some(Group::Dsa)
    } else if name.starts_with("pairwise dh") {
        Some(Group::Dh)
    } else {
        None
    }
}

thread_local! {
    /// Set while self-tests run, so the primitives they call do not ask for them again.
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `group`'s conditional self-tests once per process; an error (and every later use
/// refused) if one fails.
pub(crate) fn ensure_group(group: Group) -> Result<(), Error> {
    if RUNNING.with(|r| r.get()) {
        return Ok(());
    }
    static DSA: OnceLock<SelfTestReport> = OnceLock::new();
    static DH: OnceLock<SelfTestReport> = OnceLock::new();
    let cell = match group {
        Group::Dsa => &DSA,
        Group::Dh => &DH,
    };
    let r = cell.get_or_init(|| run_scope(Some(group)));
    if r.passed() {
        Ok(())
    } else {
        Err(Error::SelfTestFailed(format!(
            "{group:?} conditional self-test"
        )))
    }
}

pub(crate) fn ensure_passed() -> Result<(), Error> {
    #[cfg(test)]
    if let Some(text) = injected::vectors() {
        return verdict(&run_scope_on(None, &text));
    }
    verdict(report())
}

/// `Ok` if every test of `r` passed, else the names of those that failed.
fn verdict(r: &SelfTestReport) -> Result<(), Error> {
    if r.passed() {
        return Ok(());
    }
    let failed: Vec<&str> = r
        .results
        .iter()
        .filter(|t| !t.passed)
        .map(|t| t.name.as_str())
        .collect();
    Err(Error::SelfTestFailed(if failed.is_empty() {
        "no tests ran".into()
    } else {
        failed.join(", ")
    }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Vectors {
    #[serde(default)]
    aead: Vec<AeadV>,
    #[serde(default)]
    block: Vec<BlockV>,
    #[serde(default)]
    cbc: Vec<CbcV>,
    #[serde(default)]
    mode: Vec<CbcV>,
    #[serde(default)]
    ccm: Vec<AeadV>,
    #[serde(default)]
    cmac: Vec<CmacV>,
    #[serde(default)]
    xts: Vec<CbcV>,
    #[serde(default)]
    mlkem: Vec<MlKemV>,
    #[serde(default)]
    dsa: Vec<VerifyV>,
    #[serde(default)]
    stream: Vec<StreamV>,
    #[serde(default)]
    hash: Vec<HashV>,
    #[serde(default)]
    hmac: Vec<MacV>,
    #[serde(default)]
    hkdf: Vec<HkdfV>,
    #[serde(default)]
    pbkdf2: Vec<Pbkdf2V>,
    #[serde(default)]
    ed25519: Vec<Ed25519V>,
    #[serde(default)]
    verify: Vec<VerifyV>,
    #[serde(default)]
    oaep: Vec<OaepV>,
    #[serde(default)]
    ecdh: Vec<EcdhV>,
}

#[derive(Deserialize)]
struct AeadV {
    name: String,
    source: String,
    key: String,
    nonce: String,
    aad: String,
    pt: String,
    ct: String,
    tag: String,
}
#[derive(Deserialize)]
struct BlockV {
    name: String,
    source: String,
    key: String,
    pt: String,
    ct: String,
}
#[derive(Deserialize)]
struct CbcV {
    name: String,
    source: String,
    key: String,
    iv: String,
    pt: String,
    ct: String,
}
#[derive(Deserialize)]
struct StreamV {
    name: String,
    source: String,
    key: String,
    iv: String,
    keystream: String,
}
#[derive(Deserialize)]
struct MlKemV {
    name: String,
    source: String,
    seed: String,
    ek: String,
    ct: String,
    k: String,
}
#[derive(Deserialize)]
struct CmacV {
    name: String,
    source: String,
    key: String,
    msg: String,
    tag: String,
}
#[derive(Deserialize)]
struct HashV {
    name: String,
    source: String,
    msg: String,
    digest: String,
}
#[derive(Deserialize)]
struct MacV {
    name: String,
    source: String,
    key: String,
    msg: String,
    tag: String,
}
#[derive(Deserialize)]
struct HkdfV {
    name: String,
    source: String,
    ikm: String,
    salt: String,
    info: String,
    okm: String,
}
#[derive(Deserialize)]
struct Pbkdf2V {
    name: String,
    source: String,
    password: String,
    salt: String,
    iterations: u32,
    dk: String,
}
#[derive(Deserialize)]
struct Ed25519V {
    name: String,
    source: String,
    secret: String,
    public: String,
    msg: String,
    sig: String,
}
#[derive(Deserialize)]
struct VerifyV {
    name: String,
    source: String,
    public_key: String,
    msg: String,
    sig: String,
}
#[derive(Deserialize)]
struct OaepV {
    name: String,
    source: String,
    pkcs8: String,
    ct: String,
    label: String,
    pt: String,
}
#[derive(Deserialize)]
struct EcdhV {
    name: String,
    source: String,
    private: String,
    public: String,
    shared: String,
}

type Check = Result<(), String>;

fn h(s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s).map_err(|e| format!("bad hex in vector: {e}"))
}

fn expect(cond: bool, what: &str) -> Check {
    if cond { Ok(()) } else { Err(what.to_string()) }
}

fn e2s(e: Error) -> String {
    e.to_string()
}

/// Runs every self-test now (not cached), conditional ones included; `kagi selftest` shows
/// this.
pub fn run() -> SelfTestReport {
    let core = run_scope(None);
    let mut results = core.results;
    for g in [Group::Dsa, Group::Dh] {
        results.extend(run_scope(Some(g)).results);
    }
    SelfTestReport { results }
}

/// The power-on tests (`None`) or one conditional group's, from the embedded vector files.
fn run_scope(scope: Option<Group>) -> SelfTestReport {
    // Both files hold only arrays of tables, so their concatenation is one TOML document.
    run_scope_on(scope, &format!("{PUBLISHED}\n{WYCHEPROOF}"))
}

/// Unit tests only: vector text that replaces the embedded files in this thread's power-on
/// check, so a test can make a self-test fail and watch `Provider::new` refuse. Not compiled
/// into the library anyone links against.
#[cfg(test)]
pub(crate) mod injected {
    use std::cell::RefCell;

    thread_local! {
        static VECTORS: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Runs `f` with `text` in place of the vector files for this thread's power-on check.
    pub(crate) fn with_vectors<T>(text: String, f: impl FnOnce() -> T) -> T {
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                VECTORS.with(|v| *v.borrow_mut() = None);
            }
        }
        VECTORS.with(|v| *v.borrow_mut() = Some(text));
        let _reset = Reset;
        f()
    }

    pub(super) fn vectors() -> Option<String> {
        VECTORS.with(|v| v.borrow().clone())
    }

    /// The embedded vector files, as the power-on check reads them.
    pub(crate) fn embedded() -> String {
        format!("{}\n{}", super::PUBLISHED, super::WYCHEPROOF)
    }
}

/// The tests of `scope` over the vectors in `text` (TOML, arrays of tables).
fn run_scope_on(scope: Option<Group>, text: &str) -> SelfTestReport {
    struct Guard;
    impl Drop for Guard {
        fn drop(&mut self) {
            RUNNING.with(|r| r.set(false));
        }
    }
    RUNNING.with(|r| r.set(true));
    let _guard = Guard;
    let mut results = Vec::new();
    let mut record = |name: &str, source: &str, f: &dyn Fn() -> Check| {
        if group_of(name) != scope {
            return;
        }
        let start = Instant::now();
        let outcome = f();
        results.push(SelfTestResult {
            name: name.to_string(),
            source: source.to_string(),
            passed: outcome.is_ok(),
            failure: outcome.err(),
            micros: u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
        });
    };
    let all = match toml::from_str::<Vectors>(text) {
        Ok(v) => v,
        Err(e) => {
            let message = format!("vector files do not parse: {}", e.message());
            record(
                "test-vectors/kat",
                "published.toml + wycheproof.toml",
                &|| Err(message.clone()),
            );
            Vectors::default()
        }
    };
    for v in &all.aead {
        record(&v.name, &v.source, &|| aead_kat(v));
    }
    for v in &all.block {
        record(&v.name, &v.source, &|| block_kat(v));
    }
    for v in &all.cbc {
        record(&v.name, &v.source, &|| cbc_kat(v));
    }
    for v in &all.mode {
        record(&v.name, &v.source, &|| mode_kat(v));
    }
    for v in &all.ccm {
        record(&v.name, &v.source, &|| ccm_kat(v));
    }
    for v in &all.cmac {
        record(&v.name, &v.source, &|| cmac_kat(v));
    }
    for v in &all.xts {
        record(&v.name, &v.source, &|| xts_kat(v));
    }
    for v in &all.mlkem {
        record(&v.name, &v.source, &|| mlkem_kat(v));
    }
    for v in &all.stream {
        record(&v.name, &v.source, &|| {
            let p = kat_provider()?;
            let key: [u8; 16] = h(&v.key)?[..].try_into().map_err(|_| "a 128-bit key")?;
            let iv: [u8; 16] = h(&v.iv)?[..].try_into().map_err(|_| "a 128-bit IV")?;
            let want = h(&v.keystream)?;
            let mut buf = vec![0u8; want.len()];
            crate::kcipher2::apply_keystream(&p, &key, &iv, &mut buf, cryptrec::Use::Protect)
                .map_err(e2s)?;
            expect(buf == want, "keystream differs")
        });
    }
    for v in &all.dsa {
        record(&v.name, &v.source, &|| {
            let p = kat_provider()?;
            crate::dsa::verify(
                &p,
                &h(&v.public_key)?,
                crate::hash::HashAlgorithm::Sha256,
                &h(&v.msg)?,
                &h(&v.sig)?,
            )
            .map(|_| ())
            .map_err(e2s)?;
            let mut bad = h(&v.msg)?;
            bad.push(0);
            expect(
                crate::dsa::verify(
                    &p,
                    &h(&v.public_key)?,
                    crate::hash::HashAlgorithm::Sha256,
                    &bad,
                    &h(&v.sig)?,
                )
                .is_err(),
                "a different message verifies",
            )
        });
    }
    for v in &all.hash {
        record(&v.name, &v.source, &|| hash_kat(v));
    }
    for v in &all.hmac {
        record(&v.name, &v.source, &|| hmac_kat(v));
    }
    for v in &all.hkdf {
        record(&v.name, &v.source, &|| {
            let okm = h(&v.okm)?;
            let got = hkdf_unchecked(
                HmacAlgorithm::Sha256,
                &h(&v.salt)?,
                &h(&v.ikm)?,
                &h(&v.info)?,
                okm.len(),
            )
            .map_err(e2s)?;
            expect(got.expose() == okm.as_slice(), "HKDF output differs")
        });
    }
    for v in &all.pbkdf2 {
        record(&v.name, &v.source, &|| {
            let dk = h(&v.dk)?;
            let got = pbkdf2_unchecked(
                HmacAlgorithm::Sha256,
                v.iterations,
                &h(&v.salt)?,
                &h(&v.password)?,
                dk.len(),
            )
            .map_err(e2s)?;
            expect(got.expose() == dk.as_slice(), "PBKDF2 output differs")
        });
    }
    for v in &all.ed25519 {
        record(&v.name, &v.source, &|| ed25519_kat(v));
    }
    for v in &all.verify {
        record(&format!("verify {}", v.name), &v.source, &|| verify_kat(v));
    }
    for v in &all.oaep {
        record(&v.name, &v.source, &|| oaep_kat(v));
    }
    for v in &all.ecdh {
        record(&v.name, &v.source, &|| ecdh_kat(v));
    }
    if let Some(key) = all.oaep.first() {
        for scheme in [
            SignatureScheme::RsaPssSha256,
            SignatureScheme::RsaPkcs1Sha256,
        ] {
            record(
                &format!("pairwise {scheme:?}"),
                "sign and verify with the Wycheproof RSA-OAEP test key",
                &|| pairwise(scheme, Some(&h(&key.pkcs8)?)),
            );
        }
    }
    for scheme in [
        SignatureScheme::EcdsaP256Sha256,
        SignatureScheme::EcdsaP384Sha384,
    ] {
        record(
            &format!("pairwise {scheme:?}"),
            "sign and verify with a freshly generated key (FIPS 140-3 pairwise consistency)",
            &|| pairwise(scheme, None),
        );
    }
    record(
        "pairwise dh ffdhe2048",
        "two fresh RFC 7919 ffdhe2048 keys agree on one secret; the value 1 is refused",
        &|| {
            use crate::dh::{DhPrivateKey, Ffdhe};
            let p = kat_provider()?;
            let a = DhPrivateKey::generate(&p, Ffdhe::Ffdhe2048).map_err(e2s)?;
            let b = DhPrivateKey::generate(&p, Ffdhe::Ffdhe2048).map_err(e2s)?;
            let (za, zb) = (
                a.agree(&b.public_key()).map_err(e2s)?,
                b.agree(&a.public_key()).map_err(e2s)?,
            );
            expect(za.expose() == zb.expose(), "the two sides differ")?;
            let mut one = vec![0u8; 256];
            one[255] = 1;
            expect(a.agree(&one).is_err(), "the value 1 was accepted")
        },
    );
    for (name, mech) in [
        ("entity-auth ISO/IEC 9798-4", 4u8),
        ("entity-auth ISO/IEC 9798-2", 2),
        ("entity-auth ISO/IEC 9798-3", 3),
    ] {
        record(
            name,
            "one challenge-response round, then the same answer replayed (must fail)",
            &|| entity_round(mech),
        );
    }
    SelfTestReport { results }
}

fn aead_kat(v: &AeadV) -> Check {
    let alg: cryptrec::Algorithm = v.name.parse().map_err(|e: cryptrec::Error| e.to_string())?;
    let aead = AeadAlgorithm::from_algorithm(&alg).map_err(e2s)?;
    let key = AeadKey::unchecked(aead, &h(&v.key)?).map_err(e2s)?;
    let nonce: [u8; NONCE_LEN] = h(&v.nonce)?.try_into().map_err(|_| "nonce length")?;
    let (aad, pt, ct, tag) = (h(&v.aad)?, h(&v.pt)?, h(&v.ct)?, h(&v.tag)?);
    let mut buf = pt.clone();
    let got_tag = key.seal_detached(&nonce, &aad, &mut buf).map_err(e2s)?;
    expect(buf == ct, "ciphertext differs")?;
    expect(got_tag[..] == tag[..], "tag differs")?;
    let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| "tag length")?;
    key.open_detached(&nonce, &aad, &mut buf, &tag)
        .map_err(e2s)?;
    expect(buf == pt, "decryption differs")?;
    let mut bad = tag;
    bad[0] ^= 1;
    let mut buf2 = ct.clone();
    expect(
        key.open_detached(&nonce, &aad, &mut buf2, &bad).is_err(),
        "a forged tag was accepted",
    )
}

fn block_kat(v: &BlockV) -> Check {
    use camellia::cipher::{Block, BlockCipherEncrypt, KeyInit};
    let (key, pt, ct) = (h(&v.key)?, h(&v.pt)?, h(&v.ct)?);
    let mut block =
        Block::<camellia::Camellia128>::try_from(&pt[..]).map_err(|_| "block length")?;
    match key.len() {
        16 => camellia::Camellia128::new_from_slice(&key)
            .map_err(|_| "key")?
            .encrypt_block(&mut block),
        32 => camellia::Camellia256::new_from_slice(&key)
            .map_err(|_| "key")?
            .encrypt_block(&mut block),
        _ => return Err("unsupported key length".into()),
    }
    expect(block[..] == ct[..], "ciphertext differs")
}

fn cbc_kat(v: &CbcV) -> Check {
    use crate::modes::{cbc_decrypt_unchecked, cbc_encrypt_unchecked};
    let aes = cryptrec::BlockCipher::Aes;
    let (key, iv, pt, ct) = (h(&v.key)?, h(&v.iv)?, h(&v.pt)?, h(&v.ct)?);
    let got = cbc_encrypt_unchecked(aes, &key, &iv, &pt, false).map_err(|e| e.to_string())?;
    expect(got == ct, "ciphertext differs")?;
    let back = cbc_decrypt_unchecked(aes, &key, &iv, &ct, false).map_err(|e| e.to_string())?;
    expect(back == pt, "decryption differs")
}

/// The cipher named at the start of a vector's name (`aes-…`, `camellia-…`).
fn cipher_of(name: &str) -> cryptrec::BlockCipher {
    if name.starts_with("camellia") {
        cryptrec::BlockCipher::Camellia
    } else {
        cryptrec::BlockCipher::Aes
    }
}

/// The mode KATs run through the policy-gated API under the built-in `egov` policy (the
/// self-tests run before any caller's provider exists).
fn kat_provider() -> Result<crate::Provider, String> {
    static P: std::sync::OnceLock<Result<crate::Provider, String>> = std::sync::OnceLock::new();
    P.get_or_init(|| crate::Provider::unchecked_for_selftest().map_err(e2s))
        .clone()
}

fn mode_kat(v: &CbcV) -> Check {
    use crate::modes;
    let p = kat_provider()?;
    let (key, iv, pt, ct) = (h(&v.key)?, h(&v.iv)?, h(&v.pt)?, h(&v.ct)?);
    let iv: [u8; 16] = iv[..].try_into().map_err(|_| "a 16-byte IV")?;
    let c = cipher_of(&v.name);
    let mut buf = pt.clone();
    match v.name.rsplit('-').next() {
        Some("ctr") => modes::ctr(&p, c, &key, &iv, &mut buf, cryptrec::Use::Protect),
        Some("cfb") => modes::cfb_encrypt(&p, c, &key, &iv, &mut buf),
        Some("ofb") => modes::ofb(&p, c, &key, &iv, &mut buf, cryptrec::Use::Protect),
        _ => return Err("unknown mode".into()),
    }
    .map_err(e2s)?;
    expect(buf == ct, "ciphertext differs")?;
    match v.name.rsplit('-').next() {
        Some("cfb") => modes::cfb_decrypt(&p, c, &key, &iv, &mut buf),
        Some("ctr") => modes::ctr(&p, c, &key, &iv, &mut buf, cryptrec::Use::Process),
        _ => modes::ofb(&p, c, &key, &iv, &mut buf, cryptrec::Use::Process),
    }
    .map_err(e2s)?;
    expect(buf == pt, "decryption differs")
}

fn ccm_kat(v: &AeadV) -> Check {
    let p = kat_provider()?;
    let (key, nonce, aad, pt, ct, tag) = (
        h(&v.key)?,
        h(&v.nonce)?,
        h(&v.aad)?,
        h(&v.pt)?,
        h(&v.ct)?,
        h(&v.tag)?,
    );
    let c = cipher_of(&v.name);
    let sealed = crate::modes::ccm_seal(&p, c, &key, &nonce, &aad, &pt, tag.len()).map_err(e2s)?;
    let mut want = ct.clone();
    want.extend_from_slice(&tag);
    expect(sealed == want, "ciphertext or tag differs")?;
    let back =
        crate::modes::ccm_open(&p, c, &key, &nonce, &aad, &sealed, tag.len()).map_err(e2s)?;
    expect(back == pt, "decryption differs")
}

fn cmac_kat(v: &CmacV) -> Check {
    let p = kat_provider()?;
    let k = crate::modes::CmacKey::new(&p, cipher_of(&v.name), &h(&v.key)?).map_err(e2s)?;
    let tag = h(&v.tag)?;
    expect(k.tag(&h(&v.msg)?)[..tag.len()] == tag[..], "tag differs")
}

fn xts_kat(v: &CbcV) -> Check {
    let p = kat_provider()?;
    let (key, iv, pt, ct) = (h(&v.key)?, h(&v.iv)?, h(&v.pt)?, h(&v.ct)?);
    let mut tweak = [0u8; 16];
    tweak[..iv.len().min(16)].copy_from_slice(&iv[..iv.len().min(16)]);
    let mut buf = pt.clone();
    crate::modes::xts(&p, cipher_of(&v.name), &key, &tweak, &mut buf, true).map_err(e2s)?;
    expect(buf == ct, "ciphertext differs")?;
    crate::modes::xts(&p, cipher_of(&v.name), &key, &tweak, &mut buf, false).map_err(e2s)?;
    expect(buf == pt, "decryption differs")
}

fn mlkem_kat(v: &MlKemV) -> Check {
    use crate::kem::{MlKem, MlKemPrivateKey};
    let p = kat_provider()?;
    let level = if v.name.ends_with("1024") {
        MlKem::MlKem1024
    } else {
        MlKem::MlKem768
    };
    let dk = MlKemPrivateKey::from_seed(&p, level, &h(&v.seed)?).map_err(e2s)?;
    expect(dk.public_key() == h(&v.ek)?, "encapsulation key differs")?;
    let k = dk.decapsulate(&h(&v.ct)?).map_err(e2s)?;
    expect(k.expose() == h(&v.k)?, "shared secret differs")
}

fn entity_round(mech: u8) -> Check {
    use crate::entity_auth::{Verifier, respond_encrypted, respond_mac, respond_signature};
    let p = kat_provider()?;
    let mut bob = Verifier::new("bob");
    let c = bob.challenge().map_err(e2s)?;
    let ok = |r: Result<(), Error>| r.is_ok();
    let (first, replay) = match mech {
        4 => {
            let k = crate::mac::HmacKey::new(&p, crate::mac::HmacAlgorithm::Sha256, &[0x5a; 32])
                .map_err(e2s)?;
            let a = respond_mac(&k, &c, "alice", "bob").map_err(e2s)?;
            (
                ok(bob.verify_mac(&k, "alice", &a)),
                ok(bob.verify_mac(&k, "alice", &a)),
            )
        }
        2 => {
            let k =
                crate::aead::AeadKey::new(&p, crate::aead::AeadAlgorithm::Aes256Gcm, &[0x5a; 32])
                    .map_err(e2s)?;
            let a = respond_encrypted(&k, &c, "alice", "bob").map_err(e2s)?;
            (
                ok(bob.verify_encrypted(&k, "alice", &a)),
                ok(bob.verify_encrypted(&k, "alice", &a)),
            )
        }
        _ => {
            let key = crate::keys::PrivateKey::generate(
                &p,
                crate::keys::KeyAlg::Ecdsa(cryptrec::Curve::P256),
            )
            .map_err(e2s)?;
            let scheme = SignatureScheme::EcdsaP256Sha256;
            let signer = key.signing_key(&p, scheme).map_err(e2s)?;
            let public = key.public_key().raw().map_err(e2s)?;
            let a = respond_signature(&signer, &c, "alice", "bob").map_err(e2s)?;
            (
                ok(bob.verify_signature(&p, scheme, &public, "alice", &a)),
                ok(bob.verify_signature(&p, scheme, &public, "alice", &a)),
            )
        }
    };
    expect(first, "the honest answer did not verify")?;
    expect(!replay, "a replayed answer verified")
}

fn hash_kat(v: &HashV) -> Check {
    let msg = h(&v.msg)?;
    let want = h(&v.digest)?;
    let got = match v.name.as_str() {
        "shake128-256" => shake_unchecked(Shake::Shake128, &msg, want.len()),
        "shake256-512" => shake_unchecked(Shake::Shake256, &msg, want.len()),
        name => {
            let alg = match name
                .parse::<cryptrec::Algorithm>()
                .map_err(|e| e.to_string())?
            {
                cryptrec::Algorithm::Hash(hh) => HashAlgorithm::from_hash_alg(hh).map_err(e2s)?,
                _ => return Err("not a hash".into()),
            };
            // Feed in two parts to exercise the streaming path.
            let mut hs = Hasher::unchecked(alg);
            let (a, b) = msg.split_at(msg.len() / 2);
            hs.update(a);
            hs.update(b);
            hs.finish()
        }
    };
    expect(got == want, "digest differs")
}

fn hmac_kat(v: &MacV) -> Check {
    let alg = match v
        .name
        .parse::<cryptrec::Algorithm>()
        .map_err(|e| e.to_string())?
    {
        cryptrec::Algorithm::Hmac(hh) => HmacAlgorithm::from_hash_alg(hh).map_err(e2s)?,
        _ => return Err("not an HMAC".into()),
    };
    let key = HmacKey::unchecked(alg, &h(&v.key)?);
    let (msg, tag) = (h(&v.msg)?, h(&v.tag)?);
    expect(key.sign(&msg).map_err(e2s)? == tag, "tag differs")?;
    key.verify(&msg, &tag).map_err(e2s)?;
    let mut bad = tag.clone();
    bad[0] ^= 1;
    expect(key.verify(&msg, &bad).is_err(), "a forged tag was accepted")
}

fn ed25519_kat(v: &Ed25519V) -> Check {
    let kp =
        ring::signature::Ed25519KeyPair::from_seed_and_public_key(&h(&v.secret)?, &h(&v.public)?)
            .map_err(|_| "key rejected")?;
    let (msg, sig) = (h(&v.msg)?, h(&v.sig)?);
    expect(
        kp.sign(&msg).as_ref() == sig.as_slice(),
        "signature differs",
    )?;
    verify_unchecked(SignatureScheme::Ed25519, &h(&v.public)?, &msg, &sig).map_err(e2s)
}

fn verify_kat(v: &VerifyV) -> Check {
    let scheme = match v.name.as_str() {
        "ecdsa-p256" => SignatureScheme::EcdsaP256Sha256,
        "ecdsa-p384" => SignatureScheme::EcdsaP384Sha384,
        "rsa-pss-sha256" => SignatureScheme::RsaPssSha256,
        "rsassa-pkcs1-sha256" => SignatureScheme::RsaPkcs1Sha256,
        other => return Err(format!("unknown scheme {other}")),
    };
    let (pk, msg, sig) = (h(&v.public_key)?, h(&v.msg)?, h(&v.sig)?);
    verify_unchecked(scheme, &pk, &msg, &sig).map_err(e2s)?;
    let mut other = msg.clone();
    other.push(0);
    expect(
        verify_unchecked(scheme, &pk, &other, &sig).is_err(),
        "a signature verified over another message",
    )
}

fn oaep_kat(v: &OaepV) -> Check {
    let key = OaepPrivateKey::from_pkcs8_unchecked(OaepHash::Sha256, &h(&v.pkcs8)?).map_err(e2s)?;
    let pt = key.decrypt(&h(&v.ct)?, &h(&v.label)?).map_err(e2s)?;
    expect(pt.expose() == h(&v.pt)?.as_slice(), "plaintext differs")?;
    let mut ct = h(&v.ct)?;
    ct[10] ^= 1;
    expect(
        key.decrypt(&ct, &h(&v.label)?).is_err(),
        "an altered ciphertext decrypted",
    )
}

fn ecdh_kat(v: &EcdhV) -> Check {
    let curve = if v.name.ends_with("p384") {
        EcdhCurve::P384
    } else {
        EcdhCurve::P256
    };
    let key = EcdhPrivateKey::from_scalar_unchecked(curve, &h(&v.private)?).map_err(e2s)?;
    let shared = key.agree(&h(&v.public)?).map_err(e2s)?;
    expect(
        shared.expose() == h(&v.shared)?.as_slice(),
        "shared secret differs",
    )
}

fn pairwise(scheme: SignatureScheme, pkcs8: Option<&[u8]>) -> Check {
    let owned;
    let der = match pkcs8 {
        Some(d) => d,
        None => {
            owned = generate_pkcs8_unchecked(scheme, 0).map_err(e2s)?;
            owned.expose()
        }
    };
    let key = SigningKey::from_pkcs8_unchecked(scheme, der).map_err(e2s)?;
    let msg = b"kagi pairwise consistency test";
    let sig = key.sign(msg).map_err(e2s)?;
    verify_unchecked(scheme, &key.public_key(), msg, &sig).map_err(e2s)?;
    expect(
        verify_unchecked(scheme, &key.public_key(), b"another message", &sig).is_err(),
        "signature verified over another message",
    )
}

#[cfg(test)]
mod conditional_tests {
    use super::*;

    #[test]
    fn slow_tests_are_conditional_and_kagi_selftest_runs_them_all() {
        let names =
            |r: &SelfTestReport| r.results.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        let power_on = names(report());
        assert!(
            power_on.iter().all(|n| group_of(n).is_none()),
            "{power_on:?}"
        );
        let all = names(&run());
        assert!(all.iter().any(|n| group_of(n) == Some(Group::Dsa)));
        assert!(all.iter().any(|n| group_of(n) == Some(Group::Dh)));
        assert_eq!(all.len(), power_on.len() + 2);
        assert!(ensure_group(Group::Dsa).is_ok() && ensure_group(Group::Dh).is_ok());
    }
}
