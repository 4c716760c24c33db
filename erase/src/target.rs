//! What can be erased: block devices (`O_DIRECT | O_EXCL`), regular files, and a
//! fault-injecting target for tests.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::Error;

/// Something the engine writes and reads back.
pub trait Target: Send {
    /// What it is, for reports.
    fn name(&self) -> &str;
    /// Size in bytes.
    fn size(&self) -> u64;
    /// Logical and physical sector sizes.
    fn sectors(&self) -> (u32, u32);
    /// Writes all of `buf` at `offset`.
    fn write_at(&mut self, buf: &[u8], offset: u64) -> io::Result<()>;
    /// Fills all of `buf` from `offset`.
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Makes written data durable and drops it from caches, so verification reads the medium.
    fn flush(&mut self) -> io::Result<()>;
    /// Whether reads bypass the page cache (O_DIRECT).
    fn direct(&self) -> bool;
    /// Discards (TRIMs) `len` bytes from `offset`: the device may then drop what it keeps
    /// there, including copies an overwrite cannot reach. Unsupported by default.
    fn discard(&mut self, offset: u64, len: u64) -> io::Result<()> {
        let _ = (offset, len);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "discard is not supported by this target",
        ))
    }
    /// After an erase: has the kernel forget partitions that no longer exist (whole block
    /// devices); nothing for other targets.
    fn rescan(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A buffer aligned to 4096 bytes in memory (O_DIRECT needs it), without `unsafe`: a larger
/// vector and the aligned window inside it.
pub struct AlignedBuf {
    raw: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuf {
    /// `len` zero bytes at a 4096-byte-aligned address.
    pub fn new(len: usize) -> AlignedBuf {
        let raw = vec![0u8; len + 4096];
        let start = raw.as_ptr().align_offset(4096).min(4096);
        AlignedBuf { raw, start, len }
    }
    /// The aligned bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.raw[self.start..self.start + self.len]
    }
    /// The aligned bytes, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.raw[self.start..self.start + self.len]
    }
}

fn io_err(name: &str) -> impl Fn(io::Error) -> Error + '_ {
    move |e| Error::Io(name.to_string(), e)
}

/// A block device, opened for exclusive, direct I/O.
pub struct Device {
    name: String,
    file: File,
    size: u64,
    sectors: (u32, u32),
}

impl Device {
    /// Opens `path` read-write with `O_DIRECT | O_EXCL` (the kernel refuses `O_EXCL` on a
    /// device that is mounted or otherwise claimed).
    pub fn open(path: &Path) -> Result<Device, Error> {
        Self::open_with(path, true)
    }

    /// Opens `path` read-only with `O_DIRECT` (for an auditor's check; no exclusive claim).
    pub fn open_read_only(path: &Path) -> Result<Device, Error> {
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, write: bool) -> Result<Device, Error> {
        let name = path.display().to_string();
        let md = std::fs::metadata(path).map_err(io_err(&name))?;
        if !md.file_type().is_block_device() {
            return Err(Error::Invalid(format!("{name}: not a block device")));
        }
        let flags = if write {
            rustix::fs::OFlags::DIRECT | rustix::fs::OFlags::EXCL
        } else {
            rustix::fs::OFlags::DIRECT
        };
        let file = OpenOptions::new()
            .read(true)
            .write(write)
            .custom_flags(flags.bits() as i32)
            .open(path)
            .map_err(|e| match e.raw_os_error() {
                Some(16) => Error::Refused(
                    name.clone(),
                    "the kernel reports it busy (mounted, or claimed by another holder)".into(),
                ),
                _ => Error::Io(name.clone(), e),
            })?;
        let logical =
            rustix::fs::ioctl_blksszget(&file).map_err(|e| Error::Io(name.clone(), e.into()))?;
        let physical =
            rustix::fs::ioctl_blkpbszget(&file).map_err(|e| Error::Io(name.clone(), e.into()))?;
        let size = {
            use std::io::Seek;
            let mut f = &file;
            f.seek(io::SeekFrom::End(0)).map_err(io_err(&name))?
        };
        Ok(Device {
            name,
            file,
            size,
            sectors: (logical, physical),
        })
    }
}

impl Target for Device {
    fn name(&self) -> &str {
        &self.name
    }
    fn size(&self) -> u64 {
        self.size
    }
    fn sectors(&self) -> (u32, u32) {
        self.sectors
    }
    fn write_at(&mut self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.file.write_all_at(buf, offset)
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.file.read_exact_at(buf, offset)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.sync_all()
    }
    fn direct(&self) -> bool {
        true
    }
    fn discard(&mut self, offset: u64, len: u64) -> io::Result<()> {
        crate::sys::discard(&self.file, offset, len)
    }
    fn rescan(&mut self) -> io::Result<()> {
        let name = Path::new(&self.name)
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        if Path::new("/sys/block").join(&name).exists() {
            crate::sys::reread_partitions(&self.file)
        } else {
            Ok(())
        }
    }
}

/// Opens the regular file or block device at `path`: a device for writing exclusively with
/// direct I/O ([`Device::open`]), or read-only ([`Device::open_read_only`]).
pub fn open(path: &Path, write: bool) -> Result<Box<dyn Target>, Error> {
    let md = std::fs::metadata(path).map_err(io_err(&path.display().to_string()))?;
    if md.is_file() {
        return Ok(Box::new(RegularFile::open(path)?));
    }
    Ok(if write {
        Box::new(Device::open(path)?)
    } else {
        Box::new(Device::open_read_only(path)?)
    })
}

/// A regular file (its blocks as the file system maps them — see the caveats in the report).
pub struct RegularFile {
    name: String,
    file: File,
    size: u64,
}

impl RegularFile {
    /// Opens an existing regular file read-write.
    pub fn open(path: &Path) -> Result<RegularFile, Error> {
        let name = path.display().to_string();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io_err(&name))?;
        let md = file.metadata().map_err(io_err(&name))?;
        if !md.file_type().is_file() {
            return Err(Error::Invalid(format!("{name}: not a regular file")));
        }
        Ok(RegularFile {
            name,
            size: md.len(),
            file,
        })
    }
}

impl Target for RegularFile {
    fn name(&self) -> &str {
        &self.name
    }
    fn size(&self) -> u64 {
        self.size
    }
    fn sectors(&self) -> (u32, u32) {
        // A file is byte-addressed: any length is erased whole.
        (1, 4096)
    }
    fn write_at(&mut self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.file.write_all_at(buf, offset)
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.file.read_exact_at(buf, offset)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.sync_all()?;
        // Drop the file's pages so verification reads what reached the file system.
        rustix::fs::fadvise(&self.file, 0, None, rustix::fs::Advice::DontNeed)
            .map_err(io::Error::from)
    }
    fn direct(&self) -> bool {
        false
    }
}

/// A fault to inject at a byte offset (it persists: retries fail too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Writes covering the offset fail.
    WriteError(u64),
    /// Reads covering the offset fail.
    ReadError(u64),
    /// Reads covering the offset come back short.
    ShortRead(u64),
    /// The byte at the offset reads back wrong (a sector that does not hold data).
    BadByte(u64),
}

/// An in-memory target that injects faults, for tests.
pub struct Faulty {
    data: Vec<u8>,
    faults: Vec<Fault>,
    sectors: (u32, u32),
}

impl Faulty {
    /// `size` bytes of `fill`, with `faults`.
    pub fn new(size: usize, fill: u8, faults: Vec<Fault>) -> Faulty {
        Faulty {
            data: vec![fill; size],
            faults,
            sectors: (512, 4096),
        }
    }
    /// The current contents.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    fn hits(&self, off: u64, len: usize, pred: impl Fn(&Fault) -> Option<u64>) -> bool {
        self.faults
            .iter()
            .filter_map(pred)
            .any(|at| at >= off && at < off + len as u64)
    }
}

impl Target for Faulty {
    fn name(&self) -> &str {
        "fault-injecting test target"
    }
    fn size(&self) -> u64 {
        self.data.len() as u64
    }
    fn sectors(&self) -> (u32, u32) {
        self.sectors
    }
    fn write_at(&mut self, buf: &[u8], offset: u64) -> io::Result<()> {
        if self.hits(offset, buf.len(), |f| match f {
            Fault::WriteError(a) => Some(*a),
            _ => None,
        }) {
            return Err(io::Error::other("injected write error"));
        }
        let o = offset as usize;
        self.data[o..o + buf.len()].copy_from_slice(buf);
        Ok(())
    }
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        if self.hits(offset, buf.len(), |f| match f {
            Fault::ReadError(a) => Some(*a),
            _ => None,
        }) {
            return Err(io::Error::other("injected read error"));
        }
        if self.hits(offset, buf.len(), |f| match f {
            Fault::ShortRead(a) => Some(*a),
            _ => None,
        }) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "injected short read",
            ));
        }
        let o = offset as usize;
        buf.copy_from_slice(&self.data[o..o + buf.len()]);
        for f in &self.faults {
            if let Fault::BadByte(a) = f
                && *a >= offset
                && *a < offset + buf.len() as u64
            {
                buf[(*a - offset) as usize] ^= 0x5a;
            }
        }
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn direct(&self) -> bool {
        true
    }
}
