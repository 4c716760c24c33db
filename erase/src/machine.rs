//! The machine a drive was erased in, as its firmware names it (SMBIOS/DMI type 1 and 3, read
//! from `/sys/class/dmi/id`): manufacturer, product, serial number and asset tag. Recorded in a
//! deletion certificate (`tool.machine`) so the certificate names the PC as well as the drive —
//! what an operator erasing a stack of returned lease PCs must be able to show per PC.
//!
//! Fields the firmware leaves blank or fills with a vendor placeholder ("To Be Filled By
//! O.E.M.", "Default string", …) are `None`: a placeholder is not an identity, and nothing is
//! invented. The serial number is readable by root only.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where the kernel exposes the DMI identity.
pub const DMI_DIR: &str = "/sys/class/dmi/id";

/// The longest field kagi records (SMBIOS strings are short; anything longer is not one).
const MAX_FIELD: usize = 256;

/// A PC's identity from its firmware.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    /// System manufacturer (DMI `sys_vendor`).
    pub manufacturer: Option<String>,
    /// Product name (DMI `product_name`).
    pub product: Option<String>,
    /// System serial number (DMI `product_serial`).
    pub serial: Option<String>,
    /// Asset tag (DMI `chassis_asset_tag`).
    pub asset_tag: Option<String>,
}

/// Strings firmware writes where it has nothing to say (compared case-insensitively).
const PLACEHOLDERS: &[&str] = &[
    "to be filled by o.e.m.",
    "to be filled by oem",
    "default string",
    "not specified",
    "not applicable",
    "none",
    "n/a",
    "na",
    "unknown",
    "system manufacturer",
    "system product name",
    "system serial number",
    "chassis serial number",
    "asset tag",
    "asset-1234567890",
    "no asset tag",
    "no asset information",
    "0123456789",
    "123456789",
    "0",
    "00000000",
];

/// A DMI string as recorded: trimmed, printable, not a placeholder, not all `0`/`F`/space.
fn field(raw: &str) -> Option<String> {
    let t = raw.trim().trim_matches(char::from(0)).trim();
    if t.is_empty()
        || t.len() > MAX_FIELD
        || t.chars().any(char::is_control)
        || PLACEHOLDERS.contains(&t.to_ascii_lowercase().as_str())
        || t.chars()
            .all(|c| matches!(c, '0' | 'F' | 'f' | ' ' | '-' | '.'))
    {
        return None;
    }
    Some(t.to_string())
}

impl Machine {
    /// The running machine's identity, or `None` where the kernel exposes no DMI table (not a
    /// PC, a container without `/sys/class/dmi`) or every field is blank.
    pub fn read() -> Option<Machine> {
        Machine::read_from(Path::new(DMI_DIR))
    }

    /// As [`Machine::read`], from another directory laid out like `/sys/class/dmi/id`.
    pub fn read_from(dir: &Path) -> Option<Machine> {
        let get = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .ok()
                .and_then(|s| field(&s))
        };
        let m = Machine {
            manufacturer: get("sys_vendor"),
            product: get("product_name"),
            serial: get("product_serial"),
            asset_tag: get("chassis_asset_tag"),
        };
        (m != Machine::default()).then_some(m)
    }

    /// What is wrong with a recorded identity (a certificate's consistency check): a field
    /// that is present but empty, not printable, overlong, or a placeholder kagi would not
    /// have recorded; or no field at all (then `machine` must be `null`).
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (name, v) in self.fields() {
            if let Some(v) = v
                && field(v).as_deref() != Some(v)
            {
                p.push(format!(
                    "tool.machine.{name} is not a DMI identity kagi records (empty, padded, not printable, over {MAX_FIELD} characters or a firmware placeholder)"
                ));
            }
        }
        if self.fields().iter().all(|(_, v)| v.is_none()) {
            p.push("tool.machine has no field: it must be null instead".into());
        }
        p
    }

    fn fields(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("manufacturer", self.manufacturer.as_deref()),
            ("product", self.product.as_deref()),
            ("serial", self.serial.as_deref()),
            ("asset_tag", self.asset_tag.as_deref()),
        ]
    }
}

impl std::fmt::Display for Machine {
    /// `QEMU Standard PC, serial KAGI-PC-0001, asset tag PC-0042` (what is known).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name: Vec<&str> = [self.manufacturer.as_deref(), self.product.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let mut parts = Vec::new();
        if !name.is_empty() {
            parts.push(name.join(" "));
        }
        if let Some(s) = &self.serial {
            parts.push(format!("serial {s}"));
        }
        if let Some(a) = &self.asset_tag {
            parts.push(format!("asset tag {a}"));
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dmi(files: &[(&str, &str)]) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "kagi-dmi-{}-{}",
            std::process::id(),
            files.len() * 31 + files.first().map_or(0, |f| f.1.len())
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        for (n, v) in files {
            std::fs::write(d.join(n), v).unwrap();
        }
        d
    }

    #[test]
    fn reads_the_firmware_identity_and_drops_placeholders() {
        let d = dmi(&[
            ("sys_vendor", "LENOVO\n"),
            ("product_name", "20XWCTO1WW\n"),
            ("product_serial", "PF2ABCDE\n"),
            ("chassis_asset_tag", "To Be Filled By O.E.M.\n"),
        ]);
        let m = Machine::read_from(&d).unwrap();
        assert_eq!(m.manufacturer.as_deref(), Some("LENOVO"));
        assert_eq!(m.product.as_deref(), Some("20XWCTO1WW"));
        assert_eq!(m.serial.as_deref(), Some("PF2ABCDE"));
        assert_eq!(m.asset_tag, None);
        assert!(m.problems().is_empty());
        assert_eq!(m.to_string(), "LENOVO 20XWCTO1WW, serial PF2ABCDE");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn no_table_or_only_placeholders_is_none() {
        assert_eq!(Machine::read_from(Path::new("/nonexistent/kagi/dmi")), None);
        let d = dmi(&[
            ("sys_vendor", "System manufacturer"),
            ("product_serial", "0000000000"),
            ("chassis_asset_tag", " \n"),
        ]);
        assert_eq!(Machine::read_from(&d), None);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn recorded_fields_are_checked() {
        let good = Machine {
            serial: Some("KAGI-PC-0001".into()),
            ..Machine::default()
        };
        assert!(good.problems().is_empty());
        for bad in ["", " X", "Default string", "a\u{7}b", &"x".repeat(300)] {
            let m = Machine {
                serial: Some(bad.into()),
                ..Machine::default()
            };
            assert_eq!(m.problems().len(), 1, "{bad:?}: {:?}", m.problems());
        }
        assert_eq!(Machine::default().problems().len(), 1);
    }
}
