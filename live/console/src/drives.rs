//! The drives of this PC as `kagi erase list --json` describes them, and what kagi-live would
//! do with each: erase it in the "all internal drives" plan, offer it only when picked (USB and
//! removable drives), leave it alone (the boot medium, the KAGI-DATA stick, loop and optical
//! devices), or report kagi's own refusal.

use serde::Deserialize;

/// One whole block device, as `kagi erase list --json` prints it (the fields used here).
#[derive(Clone, Debug, Deserialize)]
pub struct Drive {
    /// Kernel name (`sda`, `nvme0n1`).
    pub name: String,
    /// `/dev/NAME`.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// Model, if reported.
    pub model: Option<String>,
    /// Serial number, if reported.
    pub serial: Option<String>,
    /// NVMe, SATA/SCSI, USB, virtio, …
    pub transport: String,
    /// Removable medium.
    #[serde(default)]
    pub removable: bool,
    /// Partitions (by kernel name).
    #[serde(default)]
    pub partitions: Vec<Part>,
    /// kagi's reason to refuse it, if any.
    pub refused: Option<String>,
}

/// A partition of a [`Drive`].
#[derive(Clone, Debug, Deserialize)]
pub struct Part {
    /// Kernel name (`sda1`).
    pub name: String,
}

/// What kagi-live would do with a drive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Erased by the "erase all internal drives" plan.
    Internal,
    /// Not internal (USB, removable): erased only when the operator picks it.
    OnRequest(String),
    /// Never erased here; the reason says why.
    Excluded(String),
    /// kagi refuses it; its reason.
    Refused(String),
}

/// Kernel names that are not drives a returned PC's data lives on.
fn not_a_drive(name: &str) -> Option<&'static str> {
    let kinds: [(&str, &str); 9] = [
        ("loop", "a loop device"),
        ("ram", "a RAM disk"),
        ("zram", "a compressed RAM disk"),
        ("sr", "an optical drive"),
        ("fd", "a floppy drive"),
        ("dm-", "a device-mapper device (erase the drives under it)"),
        ("md", "a software RAID device (erase the drives under it)"),
        ("nbd", "a network block device"),
        ("mtdblock", "a firmware flash device"),
    ];
    kinds
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map(|(_, w)| *w)
        .or_else(|| {
            (name.starts_with("mmcblk") && (name.contains("boot") || name.contains("rpmb")))
                .then_some("an eMMC hardware boot or RPMB area")
        })
}

/// What to do with `d`, given the whole-device names of the boot medium and of the drive
/// holding the KAGI-DATA partition.
pub fn judge(d: &Drive, boot: &[String], data: Option<&str>) -> Verdict {
    if boot.contains(&d.name) {
        return Verdict::Excluded("the kagi-live boot medium: never erased".into());
    }
    if data == Some(d.name.as_str()) {
        return Verdict::Excluded(
            "holds the KAGI-DATA partition the certificates are written to".into(),
        );
    }
    if let Some(what) = not_a_drive(&d.name) {
        return Verdict::Excluded(format!("{what}, not a drive to erase"));
    }
    if let Some(why) = &d.refused {
        return Verdict::Refused(why.clone());
    }
    if d.transport == "USB" || d.removable {
        return Verdict::OnRequest(format!(
            "{}: not in the all-internal plan; pick it to erase",
            if d.transport == "USB" {
                "USB drive"
            } else {
                "removable drive"
            }
        ));
    }
    Verdict::Internal
}

/// `64.0 MiB`, `512.1 GB` — the size an operator reads off a label.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

/// Resolves the operator's picks (list numbers from 1, or names like `sda`, `/dev/sda`)
/// against `drives` (in listed order, with their verdicts), refusing anything not pickable —
/// with the reason — including a partition of an excluded drive.
pub fn pick<'a>(
    input: &str,
    drives: &'a [(Drive, Verdict)],
) -> Result<Vec<&'a (Drive, Verdict)>, String> {
    let mut chosen: Vec<&(Drive, Verdict)> = Vec::new();
    let tokens: Vec<&str> = input
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return Err("no drive named".into());
    }
    for t in tokens {
        let name = t.trim_start_matches("/dev/");
        let found = match t.parse::<usize>() {
            Ok(n) if n >= 1 && n <= drives.len() => Some(&drives[n - 1]),
            Ok(_) => return Err(format!("{t}: no drive has that number")),
            Err(_) => drives.iter().find(|(d, _)| d.name == name).or_else(|| {
                drives
                    .iter()
                    .find(|(d, _)| d.partitions.iter().any(|p| p.name == name))
            }),
        };
        let Some(entry) = found else {
            return Err(format!("{t}: no such drive"));
        };
        let (d, v) = entry;
        if d.name != name && t.parse::<usize>().is_err() {
            // A partition: only whole drives are erased here.
            let why = match v {
                Verdict::Excluded(w) | Verdict::Refused(w) => format!(" ({}: {w})", d.path),
                _ => String::new(),
            };
            return Err(format!(
                "{t} is a partition of {}{why}; kagi-live erases whole drives",
                d.path
            ));
        }
        match v {
            Verdict::Excluded(w) => return Err(format!("refused: {} is {w}", d.path)),
            Verdict::Refused(w) => return Err(format!("refused by kagi: {}: {w}", d.path)),
            _ => {}
        }
        if !chosen.iter().any(|(c, _)| c.name == d.name) {
            chosen.push(entry);
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn drive(name: &str, transport: &str, parts: &[&str]) -> Drive {
        Drive {
            name: name.into(),
            path: format!("/dev/{name}"),
            size: 64 << 20,
            model: Some("M".into()),
            serial: Some(format!("S-{name}")),
            transport: transport.into(),
            removable: false,
            partitions: parts.iter().map(|p| Part { name: (*p).into() }).collect(),
            refused: None,
        }
    }

    fn machine() -> Vec<(Drive, Verdict)> {
        let boot = vec!["sdc".to_string()];
        let mut refused = drive("sdd", "SATA/SCSI", &[]);
        refused.refused = Some("it has a mounted partition".into());
        [
            drive("nvme0n1", "NVMe", &["nvme0n1p1"]),
            drive("sda", "SATA/SCSI", &[]),
            drive("sdb", "USB", &["sdb1"]),
            drive("sdc", "USB", &["sdc1", "sdc2"]),
            refused,
            drive("sde", "USB", &[]),
            drive("sr0", "unknown", &[]),
            drive("loop0", "loop", &[]),
        ]
        .into_iter()
        .map(|d| {
            let v = judge(&d, &boot, Some("sdb"));
            (d, v)
        })
        .collect()
    }

    #[test]
    fn internal_drives_only_in_the_plan() {
        let m = machine();
        let internal: Vec<&str> = m
            .iter()
            .filter(|(_, v)| *v == Verdict::Internal)
            .map(|(d, _)| d.name.as_str())
            .collect();
        assert_eq!(internal, ["nvme0n1", "sda"]);
        assert!(matches!(&m[2].1, Verdict::Excluded(w) if w.contains("KAGI-DATA")));
        assert!(matches!(&m[3].1, Verdict::Excluded(w) if w.contains("boot medium")));
        assert!(matches!(&m[4].1, Verdict::Refused(w) if w.contains("mounted")));
        assert!(matches!(&m[5].1, Verdict::OnRequest(_)));
        assert!(matches!(&m[6].1, Verdict::Excluded(w) if w.contains("optical")));
        assert!(matches!(&m[7].1, Verdict::Excluded(_)));
        let mut removable = drive("sdf", "SATA/SCSI", &[]);
        removable.removable = true;
        assert!(matches!(
            judge(&removable, &[], None),
            Verdict::OnRequest(_)
        ));
    }

    #[test]
    fn picks_by_number_or_name_and_refuses_the_boot_medium_even_if_named() {
        let m = machine();
        let got = pick("1 /dev/sda, 6 sda", &m).unwrap();
        let names: Vec<&str> = got.iter().map(|(d, _)| d.name.as_str()).collect();
        assert_eq!(names, ["nvme0n1", "sda", "sde"]);
        for (input, want) in [
            ("/dev/sdc", "boot medium"),
            ("4", "boot medium"),
            ("sdc1", "boot medium"),
            ("/dev/sdc2", "partition of /dev/sdc"),
            ("sdb", "KAGI-DATA"),
            ("sdb1", "KAGI-DATA"),
            ("sdd", "refused by kagi"),
            ("nvme0n1p1", "erases whole drives"),
            ("9", "no drive has that number"),
            ("0", "no drive has that number"),
            ("sdz", "no such drive"),
            ("", "no drive named"),
        ] {
            let e = pick(input, &m).unwrap_err();
            assert!(e.contains(want), "{input:?}: {e}");
        }
    }

    #[test]
    fn reads_kagi_erase_list_json() {
        let json = r#"[{"name":"nvme0n1","path":"/dev/nvme0n1","dev":"259:0","size":67108864,
            "model":"QEMU NVMe Ctrl","serial":"KAGI-NVME-1","wwn":null,"logical_sector":512,
            "physical_sector":512,"rotational":false,"removable":false,"transport":"NVMe",
            "backing_file":null,"read_only":false,"partitions":[],"holders":[],
            "partition_of":null,"start":null,"refused":null}]"#;
        let d: Vec<Drive> = serde_json::from_str(json).unwrap();
        assert_eq!(d[0].serial.as_deref(), Some("KAGI-NVME-1"));
        assert_eq!(judge(&d[0], &[], None), Verdict::Internal);
        assert_eq!(human_size(d[0].size), "64.0 MiB");
        assert_eq!(human_size(512_110_190_592), "512.1 GB");
    }
}
