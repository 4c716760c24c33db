//! Where kagi keeps its state off the targets (erase journals, the certificate ledger), and how
//! a device path or serial becomes part of a file name there.

use std::path::PathBuf;

/// The state directory: `$KAGI_STATE_DIR`, else `/var/lib/kagi` for root, else
/// `$XDG_STATE_HOME/kagi` or `~/.local/state/kagi`.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KAGI_STATE_DIR") {
        return PathBuf::from(d);
    }
    if rustix::process::geteuid().is_root() {
        return PathBuf::from("/var/lib/kagi");
    }
    match (std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME")) {
        (Some(x), _) => PathBuf::from(x).join("kagi"),
        (None, Some(h)) => PathBuf::from(h).join(".local/state/kagi"),
        (None, None) => PathBuf::from("/var/lib/kagi"),
    }
}

/// `s` with every character but ASCII letters, digits, `.` and `-` made `_`: a file name part
/// from a device path or serial.
pub fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
