//! The CRYPTREC list, the LS-0003 timeline and compromise events, as data.
//!
//! The dataset is embedded at build time from `cryptrec/data/*.toml`; [`Dataset::from_dir`] loads
//! a newer one from files. A dataset names its revision, and every verdict cites it.

use std::path::Path;

use serde::Deserialize;
use time::Date;

use crate::Error;

const LIST_TOML: &str = include_str!("../data/ls-0001-2022r2.toml");
const STRENGTH_TOML: &str = include_str!("../data/ls-0003-2022r1.toml");
const EVENTS_TOML: &str = include_str!("../data/events.toml");

/// Which of the CRYPTREC lists an entry stands on.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// 電子政府推奨暗号リスト 表1 (current ciphers).
    Recommended,
    /// 電子政府推奨暗号リスト 表2 (post-quantum list).
    Pqc,
    /// 推奨候補暗号リスト.
    Candidate,
    /// 運用監視暗号リスト: compatibility with systems in operation only.
    Monitored,
}

impl ListKind {
    /// The list's name as a citation.
    pub fn title(self) -> &'static str {
        match self {
            ListKind::Recommended => "e-Government Recommended Ciphers List, Table 1",
            ListKind::Pqc => "e-Government Recommended Ciphers List, Table 2 (PQC)",
            ListKind::Candidate => "Candidate Recommended Ciphers List",
            ListKind::Monitored => "Monitored Ciphers List",
        }
    }

    /// The short name used on the command line (`--list`).
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Recommended => "recommended",
            ListKind::Pqc => "pqc",
            ListKind::Candidate => "candidate",
            ListKind::Monitored => "monitored",
        }
    }

    /// Whether the entry belongs to the e-Government Recommended list (Tables 1 and 2).
    pub fn is_egov(self) -> bool {
        matches!(self, ListKind::Recommended | ListKind::Pqc)
    }
}

/// What role an entry plays: modes, MACs and entity authentication wrap listed primitives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A cipher, hash, signature, key agreement or AEAD.
    Primitive,
    /// A mode of operation.
    Mode,
    /// A message authentication code.
    Mac,
    /// An entity-authentication protocol.
    EntityAuth,
}

/// One entry of one list.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The name as the list writes it (`AES`, `RSA-PSS`, `SHA-512/256`).
    pub name: String,
    /// The list it stands on.
    pub list: ListKind,
    /// The list's category, English with the Japanese heading.
    pub category: String,
    /// Its role.
    pub kind: EntryKind,
    /// Parameter sets, where the list restricts them (Table 2: `AES-256`, `ML-KEM-768`).
    #[serde(default)]
    pub params: Vec<String>,
    /// Note identifiers (`注4`).
    #[serde(default)]
    pub notes: Vec<String>,
    /// The list revision that introduced the entry.
    pub since: String,
}

/// A note of the list.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// `注1` … `注17`.
    pub id: String,
    /// The note, paraphrased in English.
    pub en: String,
}

/// A name on no list, with the true reason it is refused.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Unlisted {
    /// The name (`MD5`, `X25519`).
    pub name: String,
    /// Why it is not permitted.
    pub reason: String,
}

/// A revision of the list.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// `LS-0001-2022R2`.
    pub id: String,
    /// Its date, `YYYY-MM-DD`.
    pub date: String,
    /// What changed.
    pub summary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    revision: String,
    title: String,
    published: String,
    revised: String,
    revisions: Vec<Revision>,
    notes: Vec<Note>,
    entries: Vec<Entry>,
    unlisted: Vec<Unlisted>,
}

/// One row of the LS-0003 security-strength timeline.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StrengthRow {
    /// 112, 128, 192 or 256.
    pub bits: u16,
    /// Last day new protection is 利用可 without qualification (None: through the table's end).
    pub protect_usable_until: Option<Date>,
    /// Last day of the migration period (移行完遂期間) for new protection; after it, 利用不可.
    pub protect_until: Option<Date>,
    /// Last day processing is 利用可; after it, 許容 (legacy processing only).
    pub process_usable_until: Option<Date>,
    /// The row in words.
    pub text: String,
}

/// One row of the key-size equivalence table (SP 800-57 Part 1, followed by LS-0003).
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalence {
    /// Security strength in bits.
    pub bits: u16,
    /// RSA modulus bits giving it.
    pub ifc_modulus: u32,
    /// DH / DSA modulus bits (L) giving it.
    pub ffc_modulus: u32,
    /// DSA subgroup bits (N) giving it.
    pub ffc_subgroup: u32,
    /// Elliptic-curve order bits giving it.
    pub ecc_order: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrengthRowFile {
    bits: u16,
    protect_usable_until: Option<String>,
    protect_until: Option<String>,
    process_usable_until: Option<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrengthFile {
    revision: String,
    title: String,
    strength: Vec<StrengthRowFile>,
    below_table_text: String,
    equivalence: Vec<Equivalence>,
}

/// A dated compromise or deprecation event.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// A stable identifier (`shattered`).
    pub id: String,
    /// When it happened, `YYYY-MM-DD`.
    pub date: String,
    /// Entry or unlisted names it affects.
    pub affects: Vec<String>,
    /// For key-size events: it affects keys below this many bits.
    #[serde(default)]
    pub below_bits: Option<u32>,
    /// What happened.
    pub title: String,
    /// H, M or L, as in the reference.
    pub confidence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsFile {
    event: Vec<Event>,
}

/// The whole dataset: list, timeline, equivalences and events.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// List revision, `LS-0001-2022R2`.
    pub revision: String,
    /// The list's title.
    pub title: String,
    /// First edition date.
    pub published: String,
    /// Last revision date.
    pub revised: String,
    /// Revision history.
    pub revisions: Vec<Revision>,
    /// Notes 注1–注17.
    pub notes: Vec<Note>,
    /// Every entry of every list.
    pub entries: Vec<Entry>,
    /// Names on no list, with reasons.
    pub unlisted: Vec<Unlisted>,
    /// Timeline revision, `LS-0003-2022R1`.
    pub strength_revision: String,
    /// Timeline title.
    pub strength_title: String,
    /// Timeline rows, ascending by bits.
    pub strength: Vec<StrengthRow>,
    /// Text for strengths below the table.
    pub below_table_text: String,
    /// Key-size equivalences, ascending by bits.
    pub equivalence: Vec<Equivalence>,
    /// Compromise events.
    pub events: Vec<Event>,
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<Date, Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &format).map_err(|_| Error::BadDate(s.to_string()))
}

fn toml_error(file: &str, e: toml::de::Error) -> Error {
    Error::Dataset(format!("{file}: {}", e.message()))
}

impl Dataset {
    /// The dataset compiled into this build.
    pub fn embedded() -> Result<Dataset, Error> {
        Self::parse(LIST_TOML, STRENGTH_TOML, EVENTS_TOML)
    }

    /// Loads a dataset from a directory holding the three files of `cryptrec/data/`.
    pub fn from_dir(dir: &Path) -> Result<Dataset, Error> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| Error::Dataset(format!("{}: {e}", dir.join(name).display())))
        };
        Self::parse(
            &read("ls-0001-2022r2.toml")?,
            &read("ls-0003-2022r1.toml")?,
            &read("events.toml")?,
        )
    }

    /// Parses the three dataset files and checks their consistency.
    pub fn parse(list: &str, strength: &str, events: &str) -> Result<Dataset, Error> {
        let list: ListFile = toml::from_str(list).map_err(|e| toml_error("list", e))?;
        let strength: StrengthFile =
            toml::from_str(strength).map_err(|e| toml_error("strength", e))?;
        let events: EventsFile = toml::from_str(events).map_err(|e| toml_error("events", e))?;
        let opt = |s: &Option<String>| s.as_deref().map(parse_date).transpose();
        let mut rows = Vec::new();
        for r in strength.strength {
            rows.push(StrengthRow {
                bits: r.bits,
                protect_usable_until: opt(&r.protect_usable_until)?,
                protect_until: opt(&r.protect_until)?,
                process_usable_until: opt(&r.process_usable_until)?,
                text: r.text,
            });
        }
        rows.sort_by_key(|r| r.bits);
        let mut equivalence = strength.equivalence;
        equivalence.sort_by_key(|r| r.bits);
        let ds = Dataset {
            revision: list.revision,
            title: list.title,
            published: list.published,
            revised: list.revised,
            revisions: list.revisions,
            notes: list.notes,
            entries: list.entries,
            unlisted: list.unlisted,
            strength_revision: strength.revision,
            strength_title: strength.title,
            strength: rows,
            below_table_text: strength.below_table_text,
            equivalence,
            events: events.event,
        };
        ds.check()?;
        Ok(ds)
    }

    fn check(&self) -> Result<(), Error> {
        parse_date(&self.published)?;
        parse_date(&self.revised)?;
        for e in &self.entries {
            for n in &e.notes {
                if self.note(n).is_none() {
                    return Err(Error::Dataset(format!(
                        "entry {} cites unknown note {n}",
                        e.name
                    )));
                }
            }
        }
        for ev in &self.events {
            parse_date(&ev.date)?;
        }
        if self.equivalence.is_empty() || self.strength.is_empty() {
            return Err(Error::Dataset("the strength tables are empty".into()));
        }
        Ok(())
    }

    /// The note with this identifier.
    pub fn note(&self, id: &str) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }

    /// Entries with this name, on any list (AES stands on Table 1 and Table 2).
    pub fn entries_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.name == name)
    }

    /// The unlisted record for this name.
    pub fn unlisted(&self, name: &str) -> Option<&Unlisted> {
        self.unlisted.iter().find(|u| u.name == name)
    }

    /// The timeline row for a strength (the highest row not above it).
    pub fn strength_row(&self, bits: u16) -> Option<&StrengthRow> {
        self.strength.iter().rev().find(|r| r.bits <= bits)
    }

    /// Events affecting this name.
    pub fn events_for<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events
            .iter()
            .filter(move |e| e.affects.iter().any(|a| a == name))
    }

    fn equivalent(&self, pick: impl Fn(&Equivalence) -> u32, size: u32) -> u16 {
        self.equivalence
            .iter()
            .rev()
            .find(|row| size >= pick(row))
            .map_or(0, |row| row.bits)
    }

    /// Strength of an RSA modulus of `bits` (0 when below the table).
    pub fn ifc_strength(&self, bits: u32) -> u16 {
        self.equivalent(|r| r.ifc_modulus, bits)
    }

    /// Strength of a DH / DSA group with modulus `l` and subgroup `n` bits.
    pub fn ffc_strength(&self, l: u32, n: u32) -> u16 {
        self.equivalent(|r| r.ffc_modulus, l)
            .min(self.equivalent(|r| r.ffc_subgroup, n))
    }

    /// Strength of an elliptic curve whose order has `bits` bits.
    pub fn ecc_strength(&self, bits: u32) -> u16 {
        self.equivalent(|r| r.ecc_order, bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_dataset_parses_and_is_complete() {
        let ds = Dataset::embedded().unwrap();
        assert_eq!(ds.revision, "LS-0001-2022R2");
        let table1: Vec<_> = ds
            .entries
            .iter()
            .filter(|e| e.list == ListKind::Recommended)
            .map(|e| e.name.as_str())
            .collect();
        // Table 1 counts: 5 signature, 1 confidentiality, 2 key agreement, 2 block, 1 stream,
        // 9 hash, 5 modes, 2 AE modes, 2 MACs, 1 AEAD, 3 entity authentication.
        assert_eq!(table1.len(), 33, "{table1:?}");
        assert_eq!(ds.notes.len(), 17);
        for n in 1..=17 {
            assert!(ds.note(&format!("注{n}")).is_some(), "注{n}");
        }
        let pqc: Vec<_> = ds
            .entries
            .iter()
            .filter(|e| e.list == ListKind::Pqc)
            .collect();
        assert_eq!(pqc.len(), 6);
        assert!(
            ds.entries_named("SHA-1")
                .all(|e| e.list == ListKind::Monitored)
        );
    }

    #[test]
    fn equivalences_follow_sp800_57() {
        let ds = Dataset::embedded().unwrap();
        assert_eq!(ds.ifc_strength(1024), 80);
        assert_eq!(ds.ifc_strength(2048), 112);
        assert_eq!(ds.ifc_strength(3072), 128);
        assert_eq!(ds.ifc_strength(4096), 128);
        assert_eq!(ds.ifc_strength(512), 0);
        assert_eq!(ds.ecc_strength(256), 128);
        assert_eq!(ds.ecc_strength(384), 192);
        assert_eq!(ds.ffc_strength(2048, 224), 112);
        assert_eq!(ds.ffc_strength(3072, 224), 112);
    }

    #[test]
    fn a_dataset_loads_from_a_directory_like_the_embedded_one() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let ds = Dataset::from_dir(&dir).unwrap();
        let embedded = Dataset::embedded().unwrap();
        assert_eq!(ds.revision, embedded.revision);
        assert_eq!(ds.entries.len(), embedded.entries.len());
        let err = Dataset::from_dir(std::path::Path::new("/nonexistent")).unwrap_err();
        assert!(err.to_string().contains("ls-0001-2022r2.toml"), "{err}");
    }

    #[test]
    fn a_dataset_citing_an_unknown_note_is_rejected() {
        let bad = LIST_TOML.replace("notes = [\"注1\"]", "notes = [\"注99\"]");
        let err = Dataset::parse(&bad, STRENGTH_TOML, EVENTS_TOML).unwrap_err();
        assert!(err.to_string().contains("注99"), "{err}");
    }

    #[test]
    fn an_empty_strength_table_is_rejected_even_beside_a_full_one() {
        let equivalence = "[[equivalence]]\nbits = 112\nifc_modulus = 2048\nffc_modulus = 2048\nffc_subgroup = 224\necc_order = 224\n";
        let row = "[[strength]]\nbits = 256\ntext = \"t\"\n";
        let head = "revision = \"r\"\ntitle = \"t\"\nbelow_table_text = \"b\"\n";
        let no_rows = format!("{head}strength = []\n{equivalence}");
        let no_equivalence = format!("{head}equivalence = []\n{row}");
        for strength in [no_rows, no_equivalence] {
            let err = Dataset::parse(LIST_TOML, &strength, EVENTS_TOML).unwrap_err();
            assert!(
                err.to_string().contains("the strength tables are empty"),
                "{strength}\n=> {err}"
            );
        }
        let both = format!("{head}{row}{equivalence}");
        assert!(Dataset::parse(LIST_TOML, &both, EVENTS_TOML).is_ok());
    }

    #[test]
    fn lists_are_cited_by_title_and_named_by_their_short_name() {
        let all = [
            ListKind::Recommended,
            ListKind::Pqc,
            ListKind::Candidate,
            ListKind::Monitored,
        ];
        let titles: Vec<&str> = all.iter().map(|l| l.title()).collect();
        assert_eq!(
            titles,
            [
                "e-Government Recommended Ciphers List, Table 1",
                "e-Government Recommended Ciphers List, Table 2 (PQC)",
                "Candidate Recommended Ciphers List",
                "Monitored Ciphers List",
            ]
        );
        let names: Vec<&str> = all.iter().map(|l| l.as_str()).collect();
        assert_eq!(names, ["recommended", "pqc", "candidate", "monitored"]);
    }
}
