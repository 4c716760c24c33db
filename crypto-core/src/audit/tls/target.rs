//! What a probe is pointed at: `HOST:PORT`, the name sent as SNI (and checked against the
//! certificate), and a STARTTLS protocol spoken before every ClientHello; lists of targets
//! read from a file, one a line.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::starttls::{self, Starttls};
use crate::Error;

/// One TLS endpoint to probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The host name or IP address (without brackets).
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// The name to send as SNI and to match the certificate against, when it is not `host`
    /// (`--sni`); an IP address `host` otherwise sends no SNI.
    pub sni: Option<String>,
    /// The protocol whose STARTTLS upgrade every connection makes first.
    pub starttls: Option<Starttls>,
}

impl Target {
    /// Parses `HOST:PORT` (`[v6]:PORT` for IPv6): the port must be a number from 1 to 65535.
    pub fn parse(s: &str) -> Result<Target, Error> {
        let bad = |why: &str| Error::Endpoint(format!("'{s}' is not HOST:PORT: {why}"));
        let (host, port) = s.rsplit_once(':').ok_or_else(|| bad("no port"))?;
        let host = match host.strip_prefix('[') {
            Some(h) => h
                .strip_suffix(']')
                .ok_or_else(|| bad("an IPv6 address goes in brackets"))?,
            None if host.contains(':') => return Err(bad("an IPv6 address goes in brackets")),
            None => host,
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("no host name"));
        }
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("the port is a number from 1 to 65535"))?;
        Ok(Target {
            host: host.to_string(),
            port,
            sni: None,
            starttls: None,
        })
    }

    /// `host:port`, with brackets around an IPv6 address: the endpoint's name in reports.
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// What the report calls it: the label, and the STARTTLS protocol and SNI when given.
    pub fn description(&self) -> String {
        let mut d = self.label();
        if let Some(p) = self.starttls {
            d.push_str(&format!(" via {} STARTTLS", p.name()));
        }
        if let Some(n) = &self.sni {
            d.push_str(&format!(" (SNI {n})"));
        }
        d
    }

    /// The SNI to send: `--sni`, else the host when it is a name (RFC 6066 §3: never an
    /// address).
    pub fn server_name(&self) -> Option<&str> {
        self.sni
            .as_deref()
            .or_else(|| (self.host.parse::<std::net::IpAddr>().is_err()).then_some(&self.host))
    }

    /// The name the certificate must be valid for: `--sni`, else the host (name or address).
    pub fn check_name(&self) -> &str {
        self.sni.as_deref().unwrap_or(&self.host)
    }

    /// Resolves the endpoint; the dialer opens every connection of a probe.
    pub(super) fn dialer(&self) -> Result<Dialer, Error> {
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| Error::Endpoint(format!("{}: does not resolve: {e}", self.label())))?
            .next()
            .ok_or_else(|| Error::Endpoint(format!("{}: does not resolve", self.label())))?;
        Ok(Dialer {
            addr,
            label: self.label(),
            starttls: self.starttls,
            host: self.check_name().to_string(),
        })
    }
}

/// Opens the connections of one probe: TCP, then the STARTTLS upgrade when there is one.
#[derive(Clone, Debug)]
pub(super) struct Dialer {
    pub(super) addr: SocketAddr,
    label: String,
    starttls: Option<Starttls>,
    /// The host name a protocol announces (XMPP's `to`).
    host: String,
}

impl Dialer {
    /// A connection ready for a ClientHello, within `timeout`.
    pub(super) fn connect(&self, timeout: Duration) -> Result<TcpStream, Error> {
        let stream = TcpStream::connect_timeout(&self.addr, timeout)
            .map_err(|e| Error::Endpoint(format!("{}: {e}", self.label)))?;
        stream.set_write_timeout(Some(timeout)).map_err(Error::Io)?;
        if let Some(p) = self.starttls {
            starttls::upgrade(&stream, p, &self.host, timeout)
                .map_err(|why| Error::Endpoint(format!("{}: {why}", self.label)))?;
        }
        Ok(stream)
    }
}

/// Reads a target list: one `HOST:PORT` a line, optionally followed by `starttls=PROTO` and
/// `sni=NAME`; `#` starts a comment; blank lines are skipped. Lines without their own
/// `starttls=`/`sni=` take `default`'s. An error names the line (from 1) and what is wrong.
pub fn parse_list(text: &str, default: &Target) -> Result<Vec<Target>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split_once('#').map_or(raw, |(l, _)| l).trim();
        if line.is_empty() {
            continue;
        }
        let at = |why: String| format!("line {}: {why}", i + 1);
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let mut t = Target::parse(first).map_err(|e| at(e.to_string()))?;
        t.sni = default.sni.clone();
        t.starttls = default.starttls;
        for w in words {
            match w.split_once('=') {
                Some(("starttls", p)) => {
                    t.starttls = Some(p.parse().map_err(at)?);
                }
                Some(("sni", n)) if !n.is_empty() => t.sni = Some(n.to_string()),
                _ => {
                    return Err(at(format!("'{w}' is neither starttls=PROTO nor sni=NAME")));
                }
            }
        }
        out.push(t);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_bad_ones_say_why() {
        let t = Target::parse("mail.example.go.jp:587").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.host.as_str(), t.port), ("mail.example.go.jp", 587));
        assert_eq!(t.server_name(), Some("mail.example.go.jp"));
        let v6 = Target::parse("[::1]:443").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v6.host.as_str(), v6.label()), ("::1", "[::1]:443".into()));
        assert_eq!(v6.server_name(), None, "no SNI for an address");
        for bad in [
            "host",
            "host:",
            "host:0",
            "host:65536",
            ":443",
            "::1:443",
            "a b:1",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lists_allow_comments_and_name_the_bad_line() {
        let d = Target::parse("x:1").unwrap_or_else(|e| panic!("{e}"));
        let l = parse_list(
            "# mail relays\n\na:25 starttls=smtp\n  b:443 sni=www.b # the web\nc:5432 starttls=postgres sni=db\n",
            &d,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].starttls, Some(Starttls::Smtp));
        assert_eq!(l[1].sni.as_deref(), Some("www.b"));
        assert_eq!(
            (l[2].starttls, l[2].sni.as_deref()),
            (Some(Starttls::Postgres), Some("db"))
        );
        let e = parse_list("a:1\n\nb:x\n", &d).err().unwrap_or_default();
        assert!(e.starts_with("line 3:") && e.contains("'b:x'"), "{e}");
        let e = parse_list("a:1 starttls=gopher\n", &d)
            .err()
            .unwrap_or_default();
        assert!(e.starts_with("line 1:") && e.contains("gopher"), "{e}");
        let e = parse_list("a:1 extra\n", &d).err().unwrap_or_default();
        assert!(e.starts_with("line 1:") && e.contains("extra"), "{e}");
    }
}
