//! What is written: zeros, ones, a repeated pattern, or a keystream.

use crypto_core::Provider;
use crypto_core::keystream::Keystream;

use crate::Error;

/// The longest repeated pattern, in bytes.
pub const MAX_PATTERN: usize = 4096;

/// An overwrite method (one pass).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// 0x00 bytes.
    Zero,
    /// 0xFF bytes.
    One,
    /// A repeated byte pattern, aligned to the start of the device.
    Pattern(Vec<u8>),
    /// An AES-256-CTR keystream with a fresh key (see `crypto_core::keystream`).
    Random,
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "zero" => Ok(Method::Zero),
            "one" => Ok(Method::One),
            "random" => Ok(Method::Random),
            _ => match s.strip_prefix("pattern:") {
                Some(h) => {
                    // Long input is never echoed whole: the limit is what the operator needs.
                    if h.len() > 2 * MAX_PATTERN {
                        return Err(Error::Invalid(format!(
                            "a pattern is 1 to {MAX_PATTERN} bytes ({} hex digits); this one is {} bytes",
                            2 * MAX_PATTERN,
                            h.len().div_ceil(2)
                        )));
                    }
                    let p = hex::decode(h).map_err(|_| {
                        Error::Invalid(format!(
                            "the pattern after `pattern:` is not hex (two hex digits a byte){}",
                            if h.len() <= 32 {
                                format!(": `{h}`")
                            } else {
                                String::new()
                            }
                        ))
                    })?;
                    if p.is_empty() {
                        return Err(Error::Invalid(format!(
                            "a pattern is 1 to {MAX_PATTERN} bytes; this one is empty"
                        )));
                    }
                    Ok(Method::Pattern(p))
                }
                None => Err(Error::Invalid(format!(
                    "unknown method `{}` (zero, one, pattern:HEX, random)",
                    if s.chars().count() > 40 {
                        format!("{}…", s.chars().take(32).collect::<String>())
                    } else {
                        s.to_string()
                    }
                ))),
            },
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::Zero => f.write_str("zero"),
            Method::One => f.write_str("one"),
            Method::Pattern(p) => write!(f, "pattern:{}", hex::encode(p)),
            Method::Random => f.write_str("random"),
        }
    }
}

/// Produces the bytes of a pass at any offset, for writing and again for verifying.
pub struct Generator {
    method: Method,
    stream: Option<Keystream>,
}

impl Generator {
    /// A generator for `method`; `random` draws a fresh key.
    pub fn new(provider: &Provider, method: &Method) -> Result<Generator, Error> {
        let stream = match method {
            Method::Random => Some(Keystream::random(provider)?),
            _ => None,
        };
        Ok(Generator {
            method: method.clone(),
            stream,
        })
    }

    /// The keystream key's commitment, for `random`.
    pub fn commitment(&self) -> Option<[u8; 32]> {
        self.stream.as_ref().map(|s| s.commitment())
    }

    /// Fills `buf` with the bytes of block `index` of a pass cut into `block`-byte blocks (the
    /// last may be shorter): the same call regenerates them for verification.
    pub fn fill(&self, index: u64, block: usize, buf: &mut [u8]) -> Result<(), Error> {
        match &self.method {
            Method::Zero => buf.fill(0),
            Method::One => buf.fill(0xff),
            Method::Pattern(p) => {
                let start = ((index * block as u64) % p.len() as u64) as usize;
                for (i, b) in buf.iter_mut().enumerate() {
                    *b = p[(start + i) % p.len()];
                }
            }
            Method::Random => {
                if let Some(s) = &self.stream {
                    s.fill(index, buf)?;
                }
            }
        }
        Ok(())
    }
}

/// A method or scheme as shown to a person: a long `pattern:HEX` (up to 8 KiB of hex) is cut
/// to its first 16 bytes and its length; the full value stays in JSON and certificates.
pub fn abbreviate(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(256));
    let mut rest = text;
    while let Some(i) = rest.find("pattern:") {
        let (head, tail) = rest.split_at(i + "pattern:".len());
        out.push_str(head);
        let hex = tail.len()
            - tail
                .trim_start_matches(|c: char| c.is_ascii_hexdigit())
                .len();
        if hex > 64 {
            out.push_str(&tail[..32]);
            out.push_str(&format!("…({} bytes)", hex / 2));
        } else {
            out.push_str(&tail[..hex]);
        }
        rest = &tail[hex..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod abbreviate_tests {
    #[test]
    fn a_long_pattern_is_shown_by_its_start_and_length() {
        let long = format!("pattern:{}", "ab".repeat(4096));
        assert_eq!(
            super::abbreviate(&long),
            format!("pattern:{}…(4096 bytes)", "ab".repeat(16))
        );
        assert_eq!(
            super::abbreviate("vsitr (zero, pattern:aa)"),
            "vsitr (zero, pattern:aa)"
        );
    }
}
