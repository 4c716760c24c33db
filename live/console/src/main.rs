//! kagi-live: the console of the bootable erasure image (`live/README.md`).
//!
//! `kagi-live console` runs as the image's user interface on a bare console: it finds the
//! boot medium (by the volume id the build stamped) and the KAGI-DATA partition, mounts them
//! (the boot medium read-only, so kagi refuses it too), lists every drive with what it would
//! do, and erases the operator's choice — or, unattended, every internal drive after a
//! countdown — with one `kagi erase run`, leaving the signed certificates, their HTML pages,
//! the ledger and the session log on the stick. The exit status tells `/init` what to do:
//! 0 power off, 1 a failure the operator must see (init restarts the console interactively),
//! 2 bad input.
//!
//! `kagi-live find-boot VOLUME-ID` prints the devices carrying the stamped file system.

mod boot;
mod config;
mod drives;
mod log;
mod run;
mod ui;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("console") => ui::Options::parse(&args[1..]).and_then(ui::console),
        Some("find-boot") if args.len() == 2 => {
            let found = boot::find(&args[1]);
            for b in &found {
                println!("/dev/{} /dev/{}", b.holder, b.whole);
            }
            Ok(if found.is_empty() { 1 } else { 0 })
        }
        _ => Err(
            "usage: kagi-live console [--kagi PATH] [--volume-id-file FILE] [--cmdline FILE] [--mnt DIR] [--interactive] | kagi-live find-boot VOLUME-ID"
                .to_string(),
        ),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kagi-live: {e}");
            ExitCode::from(2)
        }
    }
}
