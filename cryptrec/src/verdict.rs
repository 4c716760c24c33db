//! Verdicts: may this algorithm be used for this purpose on this date, and why.

use serde::Serialize;
use time::Date;

use crate::algorithm::{Algorithm, Edwards, Montgomery};
use crate::data::Dataset;

/// What the algorithm is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Use {
    /// Apply protection to new data: encrypt, sign, MAC, derive keys (新規生成).
    Protect,
    /// Process data protected earlier: decrypt, verify (処理).
    Process,
}

impl Use {
    /// `protect` or `process`.
    pub fn as_str(self) -> &'static str {
        match self {
            Use::Protect => "protect",
            Use::Process => "process",
        }
    }
}

impl std::str::FromStr for Use {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, crate::Error> {
        match s {
            "protect" => Ok(Use::Protect),
            "process" => Ok(Use::Process),
            _ => Err(crate::Error::BadUse(s.to_string())),
        }
    }
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// Permitted with no end date in the tables.
    Permitted,
    /// Permitted through this day.
    PermittedUntil {
        /// The last permitted day.
        #[serde(serialize_with = "ser_date")]
        until: Date,
    },
    /// Only to decrypt or verify data protected earlier.
    LegacyProcessOnly,
    /// Not permitted.
    Refused,
}

fn ser_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

impl Status {
    /// Rank for folding: higher is worse.
    fn rank(self) -> u8 {
        match self {
            Status::Permitted => 0,
            Status::PermittedUntil { .. } => 1,
            Status::LegacyProcessOnly => 2,
            Status::Refused => 3,
        }
    }

    /// The worse of two statuses (the earlier date of two limits).
    pub fn worst(self, other: Status) -> Status {
        match (self, other) {
            (Status::PermittedUntil { until: a }, Status::PermittedUntil { until: b }) => {
                Status::PermittedUntil { until: a.min(b) }
            }
            (a, b) if b.rank() > a.rank() => b,
            (a, _) => a,
        }
    }

    /// Whether the answer lets the operation go ahead.
    pub fn allows(self) -> bool {
        self != Status::Refused
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Permitted => f.write_str("permitted"),
            Status::PermittedUntil { until } => write!(f, "permitted until {until}"),
            Status::LegacyProcessOnly => f.write_str("legacy-process-only"),
            Status::Refused => f.write_str("refused"),
        }
    }
}

/// How a reason bears on the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// It supports permission.
    Permits,
    /// It limits permission (a date, a condition of use).
    Limits,
    /// It refuses.
    Refuses,
    /// Background: a note or a compromise event.
    Informs,
}

/// One reason, with what it cites.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// How it bears on the verdict.
    pub effect: Effect,
    /// The citation: list and entry, note, strength row, policy rule, event.
    pub source: String,
    /// The reason in words.
    pub text: String,
}

/// A verdict on one algorithm, for one use, on one date, under one policy.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The algorithm, canonical name.
    pub algorithm: String,
    /// The use asked about.
    #[serde(rename = "use")]
    pub use_: Use,
    /// The evaluation date.
    #[serde(serialize_with = "ser_date")]
    pub as_of: Date,
    /// The policy's name.
    pub policy: String,
    /// The dataset revisions (`LS-0001-2022R2 + LS-0003-2022R1`).
    pub dataset: String,
    /// The answer.
    #[serde(flatten)]
    pub status: Status,
    /// Security strength in bits (0 = broken or below the table).
    pub strength: u16,
    /// Every reason, refusals first.
    pub reasons: Vec<Reason>,
}

impl Verdict {
    /// Whether the operation may go ahead.
    pub fn allows(&self) -> bool {
        self.status.allows()
    }

    /// The reasons that refuse, in words, joined for a one-line message.
    pub fn refusal_summary(&self) -> String {
        let parts: Vec<String> = self
            .reasons
            .iter()
            .filter(|r| matches!(r.effect, Effect::Refuses))
            .map(|r| format!("{} ({})", r.text, r.source))
            .collect();
        parts.join("; ")
    }
}

/// Builds a verdict step by step.
pub(crate) struct Builder {
    pub status: Status,
    pub reasons: Vec<Reason>,
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            status: Status::Permitted,
            reasons: Vec::new(),
        }
    }

    pub fn push(&mut self, effect: Effect, source: impl Into<String>, text: impl Into<String>) {
        self.reasons.push(Reason {
            effect,
            source: source.into(),
            text: text.into(),
        });
    }

    pub fn refuse(&mut self, source: impl Into<String>, text: impl Into<String>) {
        self.status = self.status.worst(Status::Refused);
        self.push(Effect::Refuses, source, text);
    }

    pub fn limit(&mut self, status: Status, source: impl Into<String>, text: impl Into<String>) {
        self.status = self.status.worst(status);
        self.push(Effect::Limits, source, text);
    }

    pub fn finish(mut self) -> (Status, Vec<Reason>) {
        // Refusals first, then limits, then support, then background; stable otherwise.
        let order = |e: Effect| match e {
            Effect::Refuses => 0,
            Effect::Limits => 1,
            Effect::Permits => 2,
            Effect::Informs => 3,
        };
        self.reasons.sort_by_key(|r| order(r.effect));
        (self.status, self.reasons)
    }
}

/// Security strength of an algorithm in bits, with the basis in words. 0 means broken or below
/// the equivalence table.
pub fn strength(ds: &Dataset, alg: &Algorithm) -> (u16, String) {
    use Algorithm::*;
    let sig = |key: u16, key_basis: String, hash: crate::algorithm::HashAlg| {
        let h = hash.collision_bits();
        if h < key {
            (
                h,
                format!("{key_basis}, limited to {h} by the collision resistance of {hash}"),
            )
        } else {
            (key, key_basis)
        }
    };
    match *alg {
        Cipher {
            cipher, key_bits, ..
        }
        | Cmac { cipher, key_bits }
        | CbcMac { cipher, key_bits } => {
            let s = cipher.strength(key_bits);
            (s, format!("{}-bit key of {}", key_bits, cipher.entry()))
        }
        ChaCha20Poly1305 => (256, "256-bit key".into()),
        KCipher2 => (128, "128-bit key".into()),
        Rc4 => (0, "RC4 keystream biases are practically exploitable".into()),
        Hash(h) => (h.collision_bits(), format!("collision resistance of {h}")),
        Hmac(h) | Hkdf(h) | Pbkdf2(h) => {
            (h.prf_bits(), format!("PRF strength of HMAC-{}", h.entry()))
        }
        RsaPss { bits, hash } | RsaPkcs1Sign { bits, hash } => sig(
            ds.ifc_strength(bits),
            format!("{bits}-bit RSA modulus"),
            hash,
        ),
        RsaOaep { bits, .. } | RsaPkcs1Encrypt { bits } | RsaKey { bits } => {
            (ds.ifc_strength(bits), format!("{bits}-bit RSA modulus"))
        }
        Ecdsa { curve, hash } => {
            let key = ds.ecc_strength(curve.order_bits());
            let basis = format!("{}-bit curve order", curve.order_bits());
            match hash {
                Some(h) => sig(key, basis, h),
                None => (key, basis),
            }
        }
        EdDsa(Edwards::Ed25519) | Xdh(Montgomery::X25519) => (128, "Curve25519 (≈128-bit)".into()),
        EdDsa(Edwards::Ed448) | Xdh(Montgomery::X448) => {
            (192, "Curve448 (≈224-bit, table row 192)".into())
        }
        Dsa { l, n, hash } => {
            let key = ds.ffc_strength(l, n);
            let basis = format!("{l}-bit modulus, {n}-bit subgroup");
            match hash {
                Some(h) => sig(key, basis, h),
                None => (key, basis),
            }
        }
        Ecdh(curve) => (
            ds.ecc_strength(curve.order_bits()),
            format!("{}-bit curve order", curve.order_bits()),
        ),
        Dh { bits } => (ds.ffc_strength(bits, 512), format!("{bits}-bit modulus")),
        MlKem(p) => {
            let (s, cat) = match p {
                512 => (128, 1),
                768 => (192, 3),
                _ => (256, 5),
            };
            (s, format!("NIST PQC category {cat}"))
        }
    }
}
