//! STARTTLS: the plaintext exchange that turns a mail, directory, chat or database connection
//! into a TLS one, made before every ClientHello of a probe — SMTP `EHLO`/`STARTTLS`
//! (RFC 3207), IMAP `STARTTLS` (RFC 9051), POP3 `STLS` (RFC 2595), FTP `AUTH TLS` (RFC 4217),
//! the LDAP StartTLS extended operation 1.3.6.1.4.1.1466.20037 (RFC 4511 §4.14), the XMPP
//! `<starttls/>` stanza (RFC 6120 §5) and PostgreSQL's SSLRequest. Bytes are read one at a
//! time so nothing of the TLS stream is consumed; every exchange is bounded in time and size.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A protocol with a STARTTLS upgrade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Starttls {
    /// SMTP (25, 587): `EHLO`, then `STARTTLS`, answered `220`.
    Smtp,
    /// IMAP (143): `a STARTTLS`, answered `a OK`.
    Imap,
    /// POP3 (110): `STLS`, answered `+OK`.
    Pop3,
    /// FTP (21): `AUTH TLS`, answered `234`.
    Ftp,
    /// LDAP (389): the StartTLS ExtendedRequest, answered with resultCode success.
    Ldap,
    /// XMPP (5222): the `<starttls/>` stanza, answered `<proceed/>`.
    Xmpp,
    /// PostgreSQL (5432): SSLRequest, answered `S`.
    Postgres,
}

/// Every protocol, by the name `--starttls` takes.
pub const PROTOCOLS: [(&str, Starttls); 7] = [
    ("smtp", Starttls::Smtp),
    ("imap", Starttls::Imap),
    ("pop3", Starttls::Pop3),
    ("ftp", Starttls::Ftp),
    ("ldap", Starttls::Ldap),
    ("xmpp", Starttls::Xmpp),
    ("postgres", Starttls::Postgres),
];

impl Starttls {
    /// The name `--starttls` takes (`smtp`, …).
    pub fn name(self) -> &'static str {
        PROTOCOLS
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("?", |(n, _)| n)
    }
}

impl std::str::FromStr for Starttls {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PROTOCOLS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, p)| *p)
            .ok_or_else(|| {
                let names: Vec<&str> = PROTOCOLS.iter().map(|(n, _)| *n).collect();
                format!(
                    "'{s}' is not a STARTTLS protocol kagi speaks ({})",
                    names.join(", ")
                )
            })
    }
}

/// The most a server may say before it agrees (greetings, capabilities, XMPP features).
const MAX_TALK: usize = 64 * 1024;

struct Talk<'a> {
    s: &'a TcpStream,
    deadline: Instant,
    read: usize,
    proto: &'static str,
}

impl Talk<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || self.read >= MAX_TALK {
            return Err(format!(
                "no {} STARTTLS answer in time (or it never ended)",
                self.proto
            ));
        }
        self.s
            .set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        let mut b = [0u8];
        match (&mut &*self.s).read(&mut b) {
            Ok(1) => {
                self.read += 1;
                Ok(b[0])
            }
            Ok(_) => Err(format!(
                "the server closed the connection during the {} STARTTLS exchange",
                self.proto
            )),
            Err(e) => Err(format!("{} STARTTLS exchange: {e}", self.proto)),
        }
    }

    fn line(&mut self) -> Result<String, String> {
        let mut v = Vec::new();
        loop {
            let b = self.byte()?;
            if b == b'\n' {
                break;
            }
            v.push(b);
        }
        Ok(String::from_utf8_lossy(&v)
            .trim_end_matches('\r')
            .to_string())
    }

    /// A reply of numbered lines (`250-…` … `250 …`): the last line.
    fn reply(&mut self) -> Result<String, String> {
        loop {
            let l = self.line()?;
            if l.as_bytes().get(3) != Some(&b'-') {
                return Ok(l);
            }
        }
    }

    fn send(&mut self, data: &[u8]) -> Result<(), String> {
        (&mut &*self.s)
            .write_all(data)
            .map_err(|e| format!("{} STARTTLS exchange: {e}", self.proto))
    }

    /// Reads until the text read so far contains one of `ends`; returns it.
    fn until(&mut self, ends: &[&str]) -> Result<String, String> {
        let mut v = Vec::new();
        loop {
            v.push(self.byte()?);
            if v.last() == Some(&b'>') {
                let s = String::from_utf8_lossy(&v);
                if ends.iter().any(|e| s.contains(e)) {
                    return Ok(s.into_owned());
                }
            }
        }
    }
}

fn refused(proto: &str, said: &str) -> String {
    let said: String = said.chars().take(200).collect();
    format!("the server refused {proto} STARTTLS (it answered '{said}')")
}

/// Makes `p`'s upgrade on `s`: on success the next bytes are TLS. The error says what the
/// server answered.
pub(super) fn upgrade(
    s: &TcpStream,
    p: Starttls,
    host: &str,
    timeout: Duration,
) -> Result<(), String> {
    let mut t = Talk {
        s,
        deadline: Instant::now() + timeout,
        read: 0,
        proto: match p {
            Starttls::Smtp => "SMTP",
            Starttls::Imap => "IMAP",
            Starttls::Pop3 => "POP3",
            Starttls::Ftp => "FTP",
            Starttls::Ldap => "LDAP",
            Starttls::Xmpp => "XMPP",
            Starttls::Postgres => "PostgreSQL",
        },
    };
    let proto = t.proto;
    match p {
        Starttls::Smtp => {
            let hello = t.reply()?;
            if !hello.starts_with("220") {
                return Err(format!("not an SMTP greeting: '{hello}'"));
            }
            t.send(b"EHLO kagi.invalid\r\n")?;
            let ehlo = t.reply()?;
            if !ehlo.starts_with("250") {
                return Err(refused(proto, &ehlo));
            }
            t.send(b"STARTTLS\r\n")?;
            let r = t.reply()?;
            if !r.starts_with("220") {
                return Err(refused(proto, &r));
            }
        }
        Starttls::Ftp => {
            let hello = t.reply()?;
            if !hello.starts_with("220") {
                return Err(format!("not an FTP greeting: '{hello}'"));
            }
            t.send(b"AUTH TLS\r\n")?;
            let r = t.reply()?;
            if !r.starts_with("234") {
                return Err(refused(proto, &r));
            }
        }
        Starttls::Pop3 => {
            let hello = t.line()?;
            if !hello.starts_with("+OK") {
                return Err(format!("not a POP3 greeting: '{hello}'"));
            }
            t.send(b"STLS\r\n")?;
            let r = t.line()?;
            if !r.starts_with("+OK") {
                return Err(refused(proto, &r));
            }
        }
        Starttls::Imap => {
            let hello = t.line()?;
            if !(hello.starts_with("* OK") || hello.starts_with("* PREAUTH")) {
                return Err(format!("not an IMAP greeting: '{hello}'"));
            }
            t.send(b"a STARTTLS\r\n")?;
            loop {
                let r = t.line()?;
                if r.starts_with("* ") {
                    continue; // untagged data before the tagged answer
                }
                if r.starts_with("a OK") {
                    break;
                }
                return Err(refused(proto, &r));
            }
        }
        Starttls::Ldap => ldap(&mut t)?,
        Starttls::Xmpp => {
            let to: String = host.chars().filter(|c| !"<>&'\"".contains(*c)).collect();
            t.send(
                format!(
                    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='{to}' version='1.0'>"
                )
                .as_bytes(),
            )?;
            let features = t.until(&["</stream:features>", "<stream:features/>"])?;
            if !features.contains("urn:ietf:params:xml:ns:xmpp-tls") {
                let tail = features.len().saturating_sub(200);
                let tail = features.get(tail..).unwrap_or(&features);
                return Err(format!(
                    "the XMPP server does not offer STARTTLS (its features end: '{tail}')"
                ));
            }
            t.send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")?;
            let r = t.until(&["<proceed", "<failure", "</stream:stream>"])?;
            if !r.contains("<proceed") {
                return Err(refused(proto, &r));
            }
            // The rest of the <proceed .../> element, so the TLS stream starts clean.
            if !r.trim_end().ends_with("/>") && !r.contains("</proceed>") {
                t.until(&["</proceed>"])?;
            }
        }
        Starttls::Postgres => {
            // SSLRequest: length 8, code 80877103.
            t.send(&[0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F])?;
            match t.byte()? {
                b'S' => {}
                b'N' => return Err(refused(proto, "N: SSL not supported")),
                other => return Err(refused(proto, &format!("byte 0x{other:02X}"))),
            }
        }
    }
    Ok(())
}

/// The LDAP StartTLS ExtendedRequest (message 1) and its ExtendedResponse's resultCode.
fn ldap(t: &mut Talk<'_>) -> Result<(), String> {
    const OID: &[u8] = b"1.3.6.1.4.1.1466.20037";
    let mut op = vec![0x80, OID.len() as u8];
    op.extend_from_slice(OID);
    let mut msg = vec![0x02, 0x01, 0x01, 0x77, op.len() as u8];
    msg.extend(op);
    let mut req = vec![0x30, msg.len() as u8];
    req.extend(msg);
    t.send(&req)?;
    // LDAPMessage ::= SEQUENCE { messageID, protocolOp [APPLICATION 24] ExtendedResponse }
    let tag = t.byte()?;
    if tag != 0x30 {
        return Err(format!("not an LDAP message (tag 0x{tag:02X})"));
    }
    let len = ber_len(t)?;
    if len > 16 * 1024 {
        return Err("an LDAP answer too long for a StartTLS response".into());
    }
    let mut body = Vec::with_capacity(len);
    for _ in 0..len {
        body.push(t.byte()?);
    }
    let code = ldap_result(&body).ok_or("a malformed LDAP ExtendedResponse")?;
    if code != 0 {
        return Err(refused(
            "LDAP",
            &format!("resultCode {code}{}", ldap_result_name(code)),
        ));
    }
    Ok(())
}

fn ber_len(t: &mut Talk<'_>) -> Result<usize, String> {
    let first = t.byte()?;
    if first < 0x80 {
        return Ok(usize::from(first));
    }
    let n = usize::from(first & 0x7F);
    if n == 0 || n > 3 {
        return Err("an LDAP answer with an unsupported length".into());
    }
    let mut len = 0usize;
    for _ in 0..n {
        len = (len << 8) | usize::from(t.byte()?);
    }
    Ok(len)
}

/// In a LDAPMessage body: skip messageID, expect [APPLICATION 24], read its ENUMERATED.
fn ldap_result(b: &[u8]) -> Option<u32> {
    let mut p = 0;
    let tlv = |p: &mut usize| -> Option<(u8, usize)> {
        let tag = *b.get(*p)?;
        let first = *b.get(*p + 1)?;
        *p += 2;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            let mut l = 0usize;
            for _ in 0..n.min(3) {
                l = (l << 8) | usize::from(*b.get(*p)?);
                *p += 1;
            }
            l
        };
        Some((tag, len))
    };
    let (tag, len) = tlv(&mut p)?;
    if tag != 0x02 {
        return None;
    }
    p += len;
    let (tag, _) = tlv(&mut p)?;
    if tag != 0x78 {
        return None;
    }
    let (tag, len) = tlv(&mut p)?;
    if tag != 0x0A || len == 0 || len > 4 {
        return None;
    }
    Some(
        b.get(p..p + len)?
            .iter()
            .fold(0u32, |a, x| (a << 8) | u32::from(*x)),
    )
}

fn ldap_result_name(code: u32) -> &'static str {
    match code {
        1 => " operationsError",
        2 => " protocolError (StartTLS not supported)",
        52 => " unavailable",
        53 => " unwillingToPerform",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names_round_trip_and_unknown_ones_are_listed() {
        for (n, p) in PROTOCOLS {
            assert_eq!(n.parse::<Starttls>(), Ok(p));
            assert_eq!(p.name(), n);
        }
        let e = "gopher".parse::<Starttls>().err().unwrap_or_default();
        assert!(e.contains("gopher") && e.contains("postgres"), "{e}");
    }

    #[test]
    fn ldap_result_codes_are_read() {
        // messageID 1, ExtendedResponse { resultCode success, matchedDN "", diagnostic "" }
        assert_eq!(
            ldap_result(&[2, 1, 1, 0x78, 7, 0x0A, 1, 0, 4, 0, 4, 0]),
            Some(0)
        );
        assert_eq!(
            ldap_result(&[2, 1, 1, 0x78, 7, 0x0A, 1, 2, 4, 0, 4, 0]),
            Some(2)
        );
        assert_eq!(ldap_result(&[2, 1, 1, 0x61, 7, 0x0A, 1, 0]), None);
        assert_eq!(ldap_result(&[2, 1]), None);
    }
}
