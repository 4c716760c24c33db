//! Re-checking a medium against its deletion certificate, read-only: it must be the certified
//! device (the identity the certificate records) and still hold what the certificate says was
//! written — the last pass of an overwrite, or the random overwrite of a crypto-erase's key
//! area with no header parsing.

use std::path::Path;

use crypto_core::Provider;

use crate::certificate::{CryptoErase, Document};
use crate::engine;
use crate::identity::Identity;
use crate::method::Method;

/// Re-reads `dev` read-only: it must be the device `d` certifies and still hold what the last
/// pass wrote (byte for byte for zero/one/pattern; keystream-like sectors for random). `Ok`
/// says what was found to hold; `Err` says why the device does not match (or could not be
/// read).
pub fn check_device(provider: &Provider, d: &Document, dev: &Path) -> Result<String, String> {
    let now = Identity::of(dev).map_err(|e| e.to_string())?;
    if let Some(why) = d.device.identity().mismatch(&now) {
        return Err(format!(
            "{} is not the certified device: {why}",
            dev.display()
        ));
    }
    if let Some(c) = &d.crypto_erase {
        return check_crypto_erased(provider, c, dev);
    }
    let last = d
        .sanitization
        .passes
        .last()
        .ok_or("the certificate lists no pass")?;
    let method: Method = last
        .method
        .parse()
        .map_err(|e: crate::Error| e.to_string())?;
    let mut t = crate::target::Device::open_read_only(dev).map_err(|e| e.to_string())?;
    let r = engine::check(provider, &mut t, &method, &mut |_| {}).map_err(|e| e.to_string())?;
    let bad = unverified(&r);
    if !bad.is_empty() {
        return Err(format!(
            "{} no longer holds what the certificate says was written ({}): bytes {}",
            dev.display(),
            last.method,
            bad.join(", ")
        ));
    }
    Ok(format!(
        "{} re-read ({} bytes): still holds the last pass ({})",
        dev.display(),
        r.bytes_verified,
        last.method
    ))
}

/// The first few ranges of a re-read that did not hold or could not be read, as `START..END`.
fn unverified(r: &engine::Report) -> Vec<String> {
    r.mismatches
        .iter()
        .chain(&r.read_failures)
        .take(5)
        .map(|x| format!("{}..{}", x.start, x.end))
        .collect()
}

/// A crypto-erase certificate claims one thing about the medium: its key area (bytes
/// 0..N: headers, keyslots, wrapped keys) was overwritten with a random keystream and no
/// header parses. That is re-read, and nothing else: the data area was left in place and the
/// certificate says nothing about its bytes.
fn check_crypto_erased(provider: &Provider, c: &CryptoErase, dev: &Path) -> Result<String, String> {
    let mut t = crate::target::open(dev, false).map_err(|e| e.to_string())?;
    let area = c.destroyed;
    let r = {
        let mut key_area = crate::crypto_erase::Prefix::new(t.as_mut(), area.end);
        engine::check(provider, &mut key_area, &Method::Random, &mut |_| {})
            .map_err(|e| e.to_string())?
    };
    let bad = unverified(&r);
    if !bad.is_empty() {
        return Err(format!(
            "{} no longer holds the random overwrite of its destroyed key area (bytes {}..{}): bytes {}",
            dev.display(),
            area.start,
            area.end,
            bad.join(", ")
        ));
    }
    if crate::crypto_erase::locate(t.as_mut()).is_ok() {
        return Err(format!(
            "{}: a {} header parses at its start again",
            dev.display(),
            c.format
        ));
    }
    Ok(format!(
        "{} re-read bytes {}..{} (the destroyed key area): still the random overwrite, no header parses; the data area (bytes {}..{}) is not checked: the certificate claims nothing about its bytes",
        dev.display(),
        area.start,
        area.end,
        c.data_left.start,
        c.data_left.end
    ))
}
