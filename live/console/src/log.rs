//! The session log: everything the console shows, also appended to a file on the stick once
//! the KAGI-DATA partition is mounted (lines written before that are kept and written first).

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A shared, cloneable console + file log.
#[derive(Clone, Default)]
pub struct Log {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    file: Option<std::fs::File>,
    pending: Vec<String>,
}

impl Log {
    /// Prints a line on the console and records it.
    pub fn say(&self, line: impl AsRef<str>) {
        let line = line.as_ref();
        println!("{line}");
        let _ = std::io::stdout().flush();
        self.record(line);
    }

    /// Records a line in the log file only (what the console showed another way).
    pub fn record(&self, line: &str) {
        let stamp = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let entry = format!("{stamp} {line}");
        let Ok(mut g) = self.inner.lock() else {
            return;
        };
        match g.file.as_mut() {
            Some(f) => {
                let _ = writeln!(f, "{entry}");
            }
            None => g.pending.push(entry),
        }
    }

    /// From now on, lines also go to `path` (appended), starting with those held so far.
    pub fn to_file(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let mut g = self
            .inner
            .lock()
            .map_err(|_| std::io::Error::other("log lock poisoned"))?;
        for l in g.pending.drain(..) {
            writeln!(f, "{l}")?;
        }
        g.file = Some(f);
        Ok(())
    }

    /// Flushes the file to the medium.
    pub fn sync(&self) {
        if let Ok(g) = self.inner.lock()
            && let Some(f) = &g.file
        {
            let _ = f.sync_all();
        }
    }
}
