//! Policies: the CRYPTREC list as a base, narrowed by an organisation.
//!
//! A built-in policy (`egov`, `egov-high`, `pqc`) is the base. An organisation policy file
//! (TOML, see `docs/POLICY.md`) names a base and may only narrow it: fewer entries, a higher
//! minimum strength, fewer uses, an earlier end date for new protection. The one visible
//! exception is `[legacy_process]`, which lets Monitored entries *process* (decrypt, verify) old
//! data — never protect new data.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use time::Date;

use crate::Error;
use crate::algorithm::{Algorithm, Mode};
use crate::data::{Dataset, EntryKind, ListKind, parse_date};
use crate::verdict::{Builder, Effect, Status, Use, Verdict, strength};

/// The built-in policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base {
    /// The e-Government Recommended list (Tables 1 and 2) with LS-0003 at the evaluation date.
    Egov,
    /// As `egov`, with at least 128-bit strength and authenticated encryption only.
    EgovHigh,
    /// Table 2 (PQC list) primitives only; Table 1 modes, and Table 1 MACs and KDFs (HMAC,
    /// HKDF, PBKDF2, with any listed hash inside HMAC) may wrap them; ECDH may serve only as
    /// the classical half of a hybrid with ML-KEM.
    Pqc,
}

impl Base {
    /// Every built-in, in order.
    pub const ALL: [Base; 3] = [Base::Egov, Base::EgovHigh, Base::Pqc];

    /// The name used on the command line and in policy files.
    pub fn name(self) -> &'static str {
        match self {
            Base::Egov => "egov",
            Base::EgovHigh => "egov-high",
            Base::Pqc => "pqc",
        }
    }

    /// What it permits, in words.
    pub fn description(self) -> &'static str {
        match self {
            Base::Egov => {
                "the e-Government Recommended Ciphers List (Tables 1 and 2) with the LS-0003 key-length timeline"
            }
            Base::EgovHigh => {
                "egov, with at least 128-bit security strength and authenticated encryption only"
            }
            Base::Pqc => {
                "Table 2 (PQC list) primitives only: ML-KEM-768/1024, AES-192/256, SHA-384/512, SHA3-384/512 (so AES-256-GCM, not AES-128, Camellia or ChaCha20-Poly1305; no RSA, ECDSA, EdDSA or ECDH alone); Table 1 modes (GCM, CTR, …) around them; Table 1 MACs and KDFs (HMAC, HKDF, PBKDF2) with any listed hash inside HMAC, never a bare SHA-256; ECDH P-384 only as the classical half of the hybrid recipient with ML-KEM-1024. Envelopes: hybrid, symmetric key-file and passphrase recipients"
            }
        }
    }

    /// A built-in base by name (`egov`, `egov-high`, `pqc`).
    pub fn parse(s: &str) -> Option<Base> {
        Base::ALL.into_iter().find(|b| b.name() == s)
    }

    fn rules(self) -> Rules {
        let mut r = Rules {
            min_strength: 112,
            aead_only: false,
            pqc_only: false,
            allow: None,
            deny: BTreeSet::new(),
            protect: true,
            process: true,
            protect_until: None,
            legacy_process: BTreeSet::new(),
            legacy_reason: None,
        };
        match self {
            Base::Egov => {}
            Base::EgovHigh => {
                r.min_strength = 128;
                r.aead_only = true;
            }
            Base::Pqc => r.pqc_only = true,
        }
        r
    }
}

#[derive(Clone, Debug)]
struct Rules {
    min_strength: u16,
    aead_only: bool,
    pqc_only: bool,
    allow: Option<BTreeSet<String>>,
    deny: BTreeSet<String>,
    protect: bool,
    process: bool,
    protect_until: Option<Date>,
    legacy_process: BTreeSet<String>,
    legacy_reason: Option<String>,
}

/// A policy: a base, an organisation's narrowing, and the dataset it reads.
#[derive(Clone, Debug)]
pub struct Policy {
    name: String,
    base: Base,
    origin: String,
    dataset: Arc<Dataset>,
    rules: Rules,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    name: toml::Spanned<String>,
    base: toml::Spanned<String>,
    #[serde(default)]
    min_strength: Option<toml::Spanned<u16>>,
    #[serde(default)]
    authenticated_encryption_only: Option<toml::Spanned<bool>>,
    #[serde(default)]
    allow: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    deny: Vec<toml::Spanned<String>>,
    #[serde(default)]
    uses: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    protect_until: Option<toml::Spanned<String>>,
    #[serde(default)]
    legacy_process: Option<LegacyFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegacyFile {
    entries: Vec<toml::Spanned<String>>,
    reason: toml::Spanned<String>,
}

fn line_of(text: &str, span: Range<usize>) -> usize {
    text[..span.start.min(text.len())].matches('\n').count() + 1
}

impl Policy {
    /// A built-in policy over the embedded dataset.
    pub fn builtin(base: Base) -> Result<Policy, Error> {
        Ok(Self::builtin_with(base, Arc::new(Dataset::embedded()?)))
    }

    /// A built-in policy over a given dataset.
    pub fn builtin_with(base: Base, dataset: Arc<Dataset>) -> Policy {
        Policy {
            name: base.name().to_string(),
            base,
            origin: "built-in".into(),
            dataset,
            rules: base.rules(),
        }
    }

    /// A built-in policy by name (`egov`, `egov-high`, `pqc`).
    pub fn named(name: &str) -> Result<Policy, Error> {
        let base = Base::parse(name).ok_or_else(|| Error::UnknownPolicy(name.to_string()))?;
        Self::builtin(base)
    }

    /// The default policy: `egov`.
    pub fn default_policy() -> Result<Policy, Error> {
        Self::builtin(Base::Egov)
    }

    /// Loads an organisation policy file over the embedded dataset.
    pub fn from_file(path: &Path) -> Result<Policy, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::PolicyFile {
            origin: path.display().to_string(),
            line: 0,
            message: e.to_string(),
        })?;
        Self::parse(
            &text,
            &path.display().to_string(),
            Arc::new(Dataset::embedded()?),
        )
    }

    /// Parses an organisation policy; `origin` names it in errors (`FILE:LINE: message`).
    pub fn parse(text: &str, origin: &str, dataset: Arc<Dataset>) -> Result<Policy, Error> {
        let err = |span: Range<usize>, message: String| Error::PolicyFile {
            origin: origin.to_string(),
            line: line_of(text, span),
            message,
        };
        let file: PolicyFile = toml::from_str(text)
            .map_err(|e| err(e.span().unwrap_or(0..0), e.message().to_string()))?;
        let base = Base::parse(file.base.get_ref()).ok_or_else(|| {
            err(
                file.base.span(),
                format!(
                    "unknown base policy `{}` (egov, egov-high, pqc)",
                    file.base.get_ref()
                ),
            )
        })?;
        let mut rules = base.rules();
        let base_policy = Policy::builtin_with(base, dataset.clone());

        if let Some(min) = &file.min_strength {
            let m = *min.get_ref();
            if m < rules.min_strength {
                return Err(err(
                    min.span(),
                    format!(
                        "min_strength {m} would widen base `{}` (its minimum is {}): a policy may only narrow",
                        base.name(),
                        rules.min_strength
                    ),
                ));
            }
            if ![112, 128, 192, 256].contains(&m) {
                return Err(err(
                    min.span(),
                    format!("min_strength {m} is not an LS-0003 strength (112, 128, 192, 256)"),
                ));
            }
            rules.min_strength = m;
        }
        if let Some(aead) = &file.authenticated_encryption_only {
            if !*aead.get_ref() && rules.aead_only {
                return Err(err(
                    aead.span(),
                    format!(
                        "authenticated_encryption_only = false would widen base `{}`: a policy may only narrow",
                        base.name()
                    ),
                ));
            }
            rules.aead_only |= *aead.get_ref();
        }
        let check_entry = |s: &toml::Spanned<String>| -> Result<(), Error> {
            let name = s.get_ref();
            if dataset.entries_named(name).next().is_none() {
                let hint = match dataset.unlisted(name) {
                    Some(u) => u.reason.clone(),
                    None => "not an entry of the CRYPTREC list (write names as the list does: AES, GCM, SHA-256, RSA-PSS, …)".into(),
                };
                return Err(err(s.span(), format!("`{name}`: {hint}")));
            }
            Ok(())
        };
        if let Some(allow) = &file.allow {
            let mut set = BTreeSet::new();
            for a in allow {
                check_entry(a)?;
                if !base_policy.base_permits_entry(a.get_ref()) {
                    let lists: Vec<&str> = dataset
                        .entries_named(a.get_ref())
                        .map(|e| e.list.title())
                        .collect();
                    return Err(err(
                        a.span(),
                        format!(
                            "allowing `{}` would widen base `{}` (it stands on the {}): a policy may only narrow; use [legacy_process] to process old data",
                            a.get_ref(),
                            base.name(),
                            lists.join(", ")
                        ),
                    ));
                }
                set.insert(a.get_ref().clone());
            }
            rules.allow = Some(set);
        }
        for d in &file.deny {
            check_entry(d)?;
            rules.deny.insert(d.get_ref().clone());
        }
        if let Some(uses) = &file.uses {
            rules.protect = false;
            rules.process = false;
            for u in uses {
                match u.get_ref().as_str() {
                    "protect" => rules.protect = true,
                    "process" => rules.process = true,
                    other => {
                        return Err(err(
                            u.span(),
                            format!("unknown use `{other}` (protect, process)"),
                        ));
                    }
                }
            }
        }
        if let Some(until) = &file.protect_until {
            let d = parse_date(until.get_ref()).map_err(|_| {
                err(
                    until.span(),
                    format!("`{}` is not a date (YYYY-MM-DD)", until.get_ref()),
                )
            })?;
            rules.protect_until = Some(d);
        }
        if let Some(legacy) = &file.legacy_process {
            for e in &legacy.entries {
                check_entry(e)?;
                if !dataset
                    .entries_named(e.get_ref())
                    .any(|x| x.list == ListKind::Monitored)
                {
                    return Err(err(
                        e.span(),
                        format!(
                            "[legacy_process] may name only Monitored-list entries; `{}` is not on the Monitored Ciphers List",
                            e.get_ref()
                        ),
                    ));
                }
                rules.legacy_process.insert(e.get_ref().clone());
            }
            if legacy.reason.get_ref().trim().is_empty() {
                return Err(err(
                    legacy.reason.span(),
                    "[legacy_process] needs a reason, shown with every verdict it affects".into(),
                ));
            }
            rules.legacy_reason = Some(legacy.reason.get_ref().clone());
        }
        Ok(Policy {
            name: file.name.into_inner(),
            base,
            origin: origin.to_string(),
            dataset,
            rules,
        })
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its base.
    pub fn base(&self) -> Base {
        self.base
    }

    /// Where it came from: `built-in` or a file path.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The dataset it evaluates against.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The minimum strength it requires.
    pub fn min_strength(&self) -> u16 {
        self.rules.min_strength
    }

    /// Entries allowed for legacy processing, with the reason given.
    pub fn legacy_process(&self) -> (Vec<String>, Option<&str>) {
        (
            self.rules.legacy_process.iter().cloned().collect(),
            self.rules.legacy_reason.as_deref(),
        )
    }

    /// Whether the base permits this entry at all (before dates and strengths).
    fn base_permits_entry(&self, name: &str) -> bool {
        self.dataset.entries_named(name).any(|e| {
            if self.rules.pqc_only {
                // Table 1 hashes serve inside HMAC, and ECDH as the hybrid's classical half.
                e.list == ListKind::Pqc
                    || (e.list == ListKind::Recommended
                        && (e.kind != EntryKind::Primitive
                            || e.category.starts_with("hash")
                            || e.name == "ECDH"))
            } else {
                e.list.is_egov()
            }
        })
    }

    /// Today's date (UTC).
    pub fn today() -> Date {
        time::OffsetDateTime::now_utc().date()
    }

    /// Evaluates an algorithm for a use on a date.
    pub fn evaluate(&self, alg: &Algorithm, use_: Use, as_of: Date) -> Verdict {
        self.evaluate_part(alg, use_, as_of, false)
    }

    /// Evaluates a hybrid key establishment as a whole: a classical key agreement
    /// (`classical`, e.g. ECDH P-384) and a Table 2 KEM (`pq`, e.g. ML-KEM-1024) whose secrets
    /// both enter the key derivation, so the result stays confidential while either holds.
    ///
    /// Each half is evaluated as usual, with one difference: under a `pqc` base the classical
    /// half is not refused for standing outside Table 2, because it adds to the KEM's
    /// protection and never replaces it. Every other rule (an organisation's `deny`, dates,
    /// strengths) applies to both halves, and the verdict is the worse of the two.
    pub fn evaluate_hybrid(
        &self,
        classical: &Algorithm,
        pq: &Algorithm,
        use_: Use,
        as_of: Date,
    ) -> Verdict {
        let c = self.evaluate_part(classical, use_, as_of, true);
        let mut q = self.evaluate(pq, use_, as_of);
        let mut reasons = c.reasons;
        reasons.append(&mut q.reasons);
        let order = |e: Effect| match e {
            Effect::Refuses => 0,
            Effect::Limits => 1,
            Effect::Permits => 2,
            Effect::Informs => 3,
        };
        reasons.sort_by_key(|r| order(r.effect));
        Verdict {
            algorithm: format!("{}+{}", c.algorithm, q.algorithm),
            use_,
            as_of,
            policy: c.policy,
            dataset: c.dataset,
            status: c.status.worst(q.status),
            strength: c.strength,
            reasons,
        }
    }

    fn evaluate_part(&self, alg: &Algorithm, use_: Use, as_of: Date, hybrid_half: bool) -> Verdict {
        let ds = &*self.dataset;
        let mut b = Builder::new();
        let list_cite =
            |list: ListKind, entry: &str| format!("{} {}: {}", ds.revision, list.title(), entry);

        // 1. Every component must be on the e-Government Recommended list.
        for comp in alg.components() {
            let entries: Vec<_> = ds.entries_named(comp.entry).collect();
            if entries.is_empty() {
                let text = ds.unlisted(comp.entry).map_or_else(
                    || format!("{} is not on the CRYPTREC Ciphers List", comp.entry),
                    |u| u.reason.clone(),
                );
                b.refuse(format!("{} (not listed)", ds.revision), text);
                continue;
            }
            let egov = entries.iter().find(|e| e.list == ListKind::Recommended);
            let pqc = entries.iter().find(|e| {
                e.list == ListKind::Pqc
                    && (e.params.is_empty()
                        || comp.param.as_ref().is_none_or(|p| e.params.contains(p)))
            });
            if let Some(e) = egov.or(pqc) {
                b.push(
                    Effect::Permits,
                    list_cite(e.list, &e.name),
                    format!("{} is on the {} ({})", e.name, e.list.title(), e.category),
                );
                cite_notes(ds, e, &mut b);
                let in_hmac = matches!(
                    alg,
                    Algorithm::Hmac(_) | Algorithm::Hkdf(_) | Algorithm::Pbkdf2(_)
                );
                if self.rules.pqc_only && e.kind == EntryKind::Primitive && pqc.is_none() && in_hmac
                {
                    b.push(
                        Effect::Limits,
                        format!("policy {}: Table 1 MACs and KDFs", self.name),
                        format!(
                            "{} is not on Table 2 (PQC list); it is permitted here only keyed inside HMAC (a Table 1 MAC, also the core of HKDF and PBKDF2), never as a bare hash",
                            comp.entry
                        ),
                    );
                } else if self.rules.pqc_only
                    && e.kind == EntryKind::Primitive
                    && pqc.is_none()
                    && hybrid_half
                {
                    b.push(
                        Effect::Limits,
                        format!("policy {}: hybrid", self.name),
                        format!(
                            "{} is not on Table 2 (PQC list); it is permitted only as the classical half of a hybrid with a Table 2 KEM, whose secret the key derivation also needs",
                            comp.entry
                        ),
                    );
                } else if self.rules.pqc_only && e.kind == EntryKind::Primitive && pqc.is_none() {
                    let text = match comp.param.as_ref() {
                        Some(p) => format!("{p} is not on Table 2 (PQC list)"),
                        None => format!("{} is not on Table 2 (PQC list)", comp.entry),
                    };
                    b.refuse(format!("policy {}: Table 2 only", self.name), text);
                }
            } else if let Some(e) = entries.iter().find(|e| e.list == ListKind::Monitored) {
                let cite = list_cite(e.list, &e.name);
                cite_notes(ds, e, &mut b);
                if use_ == Use::Process && self.rules.legacy_process.contains(&e.name) {
                    let why = self.rules.legacy_reason.clone().unwrap_or_default();
                    b.limit(Status::LegacyProcessOnly, format!("policy {} [legacy_process]", self.name),
                        format!("{} is Monitored; this policy allows it to process old data only: {why}", e.name));
                } else if use_ == Use::Process {
                    b.refuse(cite, format!("{} is on the Monitored Ciphers List (compatibility only); this policy has no [legacy_process] allowance for it", e.name));
                } else {
                    b.refuse(cite, format!("{} is on the Monitored Ciphers List: compatibility with systems in operation only, never new protection", e.name));
                }
            } else if let Some(e) = entries.iter().find(|e| e.list == ListKind::Candidate) {
                b.refuse(list_cite(e.list, &e.name), format!("{} is on the Candidate Recommended list, not the e-Government Recommended list", e.name));
            } else if let Some(p) = &comp.param {
                b.refuse(
                    format!("{} Table 2 (PQC)", ds.revision),
                    format!("{p} is not a listed parameter set of {}", comp.entry),
                );
            }
            for ev in ds.events_for(comp.entry) {
                let applies = match (ev.below_bits, alg) {
                    (None, _) => true,
                    (
                        Some(limit),
                        Algorithm::RsaPss { bits, .. }
                        | Algorithm::RsaPkcs1Sign { bits, .. }
                        | Algorithm::RsaOaep { bits, .. }
                        | Algorithm::RsaPkcs1Encrypt { bits }
                        | Algorithm::RsaKey { bits },
                    ) => *bits < limit,
                    _ => false,
                };
                if applies {
                    b.push(
                        Effect::Informs,
                        format!("event {} ({})", ev.id, ev.date),
                        ev.title.clone(),
                    );
                }
            }
        }

        // 2. Notes that can be checked.
        self.check_notes(alg, &mut b);

        // 3. Strength against LS-0003.
        let (bits, basis) = strength(ds, alg);
        let row_cite = |bits: u16| format!("{} {}-bit row", ds.strength_revision, bits);
        if alg.ls0003_exempt() {
            b.push(
                Effect::Permits,
                format!("{} footnote 3", ds.revision),
                format!("LS-0003 is not applied to Table 2 public-key entries for now ({basis})"),
            );
        } else if bits < 112 {
            b.refuse(
                format!("{} (below the table)", ds.strength_revision),
                format!(
                    "{alg} gives {} ({basis}); {}",
                    fmt_bits(bits),
                    ds.below_table_text
                ),
            );
        } else if let Some(row) = ds.strength_row(bits) {
            match use_ {
                Use::Protect => match row.protect_until {
                    Some(end) if as_of > end => b.refuse(row_cite(row.bits),
                        format!("{}-bit strength ({basis}) may protect new data only through {end}: {}", row.bits, row.text)),
                    Some(end) => {
                        let migrating = row.protect_usable_until.is_some_and(|u| as_of > u);
                        let text = if migrating {
                            format!("{}-bit strength ({basis}) is in its migration period (移行完遂期間): new protection only through {end}", row.bits)
                        } else {
                            format!("{basis}: {}", row.text)
                        };
                        b.limit(Status::PermittedUntil { until: end }, row_cite(row.bits), text);
                    }
                    None => b.push(Effect::Permits, row_cite(row.bits), format!("{basis}: {}", row.text)),
                },
                Use::Process => match row.process_usable_until {
                    Some(end) if as_of > end => b.limit(Status::LegacyProcessOnly, row_cite(row.bits),
                        format!("{}-bit strength ({basis}) is 許容 (legacy) after {end}: it may only process data protected earlier", row.bits)),
                    _ => b.push(Effect::Permits, row_cite(row.bits), format!("{basis}: {}", row.text)),
                },
            }
        }

        // 4. The policy's own narrowing.
        self.apply_rules(alg, use_, as_of, bits, &mut b);

        let (status, reasons) = b.finish();
        Verdict {
            algorithm: alg.to_string(),
            use_,
            as_of,
            policy: self.name.clone(),
            dataset: format!("{} + {}", ds.revision, ds.strength_revision),
            status,
            strength: bits,
            reasons,
        }
    }

    fn check_notes(&self, alg: &Algorithm, b: &mut Builder) {
        let rev = &self.dataset.revision;
        match *alg {
            Algorithm::Hash(h) | Algorithm::Hmac(h) | Algorithm::Hkdf(h) | Algorithm::Pbkdf2(h)
                if matches!(
                    h,
                    crate::algorithm::HashAlg::Shake128(_) | crate::algorithm::HashAlg::Shake256(_)
                ) && h.output_bits() < 256 =>
            {
                b.refuse(
                    format!("{rev} 注4"),
                    format!(
                        "{h} has a {}-bit output; SHAKE output must be at least 256 bits",
                        h.output_bits()
                    ),
                );
            }
            Algorithm::Cipher {
                cipher,
                key_bits,
                mode: Some(Mode::Xts),
            } => {
                if cipher.block_bits() != 128 {
                    b.refuse(
                        format!("{rev} 注5"),
                        format!(
                            "XTS requires a listed 128-bit block cipher; {} has {}-bit blocks",
                            cipher.entry(),
                            cipher.block_bits()
                        ),
                    );
                } else if key_bits == 192 {
                    b.refuse(format!("{rev} 注5"), "XTS is implemented per NIST SP 800-38E, which defines 128- and 256-bit keys only");
                } else {
                    b.push(
                        Effect::Limits,
                        format!("{rev} 注5"),
                        "XTS is for storage-device encryption only",
                    );
                }
            }
            _ => {}
        }
    }

    fn apply_rules(&self, alg: &Algorithm, use_: Use, as_of: Date, bits: u16, b: &mut Builder) {
        let r = &self.rules;
        let cite = |rule: &str| format!("policy {} ({}): {rule}", self.name, self.origin);
        let allowed = match use_ {
            Use::Protect => r.protect,
            Use::Process => r.process,
        };
        if !allowed {
            b.refuse(
                cite("uses"),
                format!("this policy does not permit the {} use", use_.as_str()),
            );
        }
        if !alg.ls0003_exempt() && bits >= 112 && bits < r.min_strength {
            b.refuse(
                cite("min_strength"),
                format!(
                    "{alg} gives {bits}-bit strength; this policy requires at least {}",
                    r.min_strength
                ),
            );
        }
        if r.aead_only && alg.is_symmetric_encryption() && !alg.is_aead() {
            b.refuse(cite("authenticated encryption only"), format!("{alg} does not authenticate; this policy permits only authenticated encryption (GCM, CCM, ChaCha20-Poly1305)"));
        }
        for comp in alg.components() {
            if let Some(allow) = &r.allow {
                if !allow.contains(comp.entry)
                    && self.dataset.entries_named(comp.entry).next().is_some()
                    && !r.legacy_process.contains(comp.entry)
                {
                    b.refuse(
                        cite("allow"),
                        format!("{} is not among the entries this policy allows", comp.entry),
                    );
                }
            }
            if r.deny.contains(comp.entry) {
                b.refuse(cite("deny"), format!("this policy denies {}", comp.entry));
            }
        }
        if let (Use::Protect, Some(end)) = (use_, r.protect_until) {
            if as_of > end {
                b.refuse(
                    cite("protect_until"),
                    format!("this policy permits new protection only through {end}"),
                );
            } else {
                b.limit(
                    Status::PermittedUntil { until: end },
                    cite("protect_until"),
                    format!("this policy permits new protection through {end}"),
                );
            }
        }
    }
}

/// Adds the list's notes on an entry as background reasons.
fn cite_notes(ds: &Dataset, e: &crate::data::Entry, b: &mut Builder) {
    for n in &e.notes {
        if let Some(note) = ds.note(n) {
            b.push(
                Effect::Informs,
                format!("{} {n}", ds.revision),
                note.en.clone(),
            );
        }
    }
}

fn fmt_bits(bits: u16) -> String {
    if bits == 0 {
        "no meaningful strength (broken)".into()
    } else {
        format!("{bits}-bit strength")
    }
}
