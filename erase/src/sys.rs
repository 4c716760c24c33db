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

/// `BLKDISCARD` (`_IO(0x12, 119)`, linux/fs.h): the argument is a pointer to `[start, length]`
/// in bytes.
const BLKDISCARD: rustix::ioctl::Opcode = opcode::none(0x12, 119);

/// Tells the device that `len` bytes from `start` no longer hold data (TRIM / UNMAP /
/// Deallocate; a loop device punches a hole in its backing file).
pub fn discard(fd: impl AsFd, start: u64, len: u64) -> std::io::Result<()> {
    // SAFETY: BLKDISCARD reads a `[u64; 2]` (start, length) through the pointer `Setter`
    // passes, which points at the value it owns for the duration of the call; `fd` is a valid
    // open descriptor borrowed for the call.
    unsafe {
        ioctl(
            fd,
            rustix::ioctl::Setter::<BLKDISCARD, [u64; 2]>::new([start, len]),
        )
    }
    .map_err(std::io::Error::from)
}

/// `LOOP_GET_STATUS64` (linux/loop.h): fills a `struct loop_info64`.
const LOOP_GET_STATUS64: rustix::ioctl::Opcode = 0x4C05;

/// `struct loop_info64` (linux/loop.h), 232 bytes.
#[repr(C)]
struct LoopInfo64 {
    device: u64,
    inode: u64,
    rdevice: u64,
    offset: u64,
    sizelimit: u64,
    number: u32,
    encrypt_type: u32,
    encrypt_key_size: u32,
    flags: u32,
    file_name: [u8; 64],
    crypt_name: [u8; 64],
    encrypt_key: [u8; 32],
    init: [u64; 2],
}

/// The device number and inode of the file behind the loop device open at `fd` (ENXIO when
/// nothing is bound to it).
pub fn loop_backing(fd: impl AsFd) -> std::io::Result<(u64, u64)> {
    // SAFETY: LOOP_GET_STATUS64 writes exactly one `struct loop_info64` through the pointer
    // `Getter` passes; `LoopInfo64` has that C layout (5 u64, 4 u32, 160 bytes, 2 u64 = 232
    // bytes, checked below); `fd` is a valid open descriptor borrowed for the call.
    let info: LoopInfo64 = unsafe {
        ioctl(
            fd,
            rustix::ioctl::Getter::<LOOP_GET_STATUS64, LoopInfo64>::new(),
        )
    }?;
    Ok((info.device, info.inode))
}

const _: () = assert!(std::mem::size_of::<LoopInfo64>() == 232);
