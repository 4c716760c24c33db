//! Device syscalls that rustix offers only as raw ioctls: the one place in kagi with `unsafe`.

#![allow(unsafe_code)]

use std::os::fd::AsFd;

use rustix::ioctl::{NoArg, ioctl, opcode};

/// `BLKRRPART` (`_IO(0x12, 95)`, linux/fs.h): ask the kernel to re-read the partition table.
const BLKRRPART: rustix::ioctl::Opcode = opcode::none(0x12, 95);

/// Asks the kernel to re-read `fd`'s partition table, so partitions an erase destroyed
/// disappear from `/dev` and `/sys`.
pub fn reread_partitions(fd: impl AsFd) -> std::io::Result<()> {
    // SAFETY: BLKRRPART takes no argument (`NoArg` passes none) and only reads the device's
    // first sectors in the kernel; `fd` is a valid open descriptor borrowed for the call.
    unsafe { ioctl(fd, NoArg::<BLKRRPART>::new()) }.map_err(std::io::Error::from)
}
