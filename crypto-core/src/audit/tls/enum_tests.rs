//! Unit tests of the enumeration: the registry cut into parts, every suite judged, the SSL 2.0
//! messages, key shares and ClientHello sizes.

use cryptrec::Mode;

use super::BATCH;
use super::judge::*;
use super::registry::*;
use super::wire::*;
use crate::provider::Provider;

fn provider() -> Provider {
    Provider::egov()
        .unwrap_or_else(|e| panic!("{e}"))
        .at_date(time::macros::date!(2026 - 12 - 01))
}

#[test]
fn every_registry_entry_is_cut_into_its_parts() {
    assert_eq!(IANA.len(), 350, "the IANA registry's assigned suites");
    // Every name parsed: none dropped.
    assert_eq!(SUITES.len(), IANA.len() + GOST_UNREGISTERED.len());
    let mut codes: Vec<u16> = SUITES.iter().map(|s| s.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), SUITES.len(), "codes are unique");
    let get = |c| suite(c).unwrap_or_else(|| panic!("0x{c:04X}"));
    let s = get(0x0003); // TLS_RSA_EXPORT_WITH_RC4_40_MD5
    assert_eq!(
        (s.kx, s.enc, s.mac, s.export),
        (Rsa, Rc4(40), Mac::Md5, true)
    );
    let s = get(0xC0AA); // TLS_PSK_DHE_WITH_AES_128_CCM_8
    assert_eq!(
        (s.kx, s.auth, s.enc, s.mac),
        (DhePsk, Auth::Psk, Aes(128, Mode::Ccm), Mac::Aead)
    );
    let s = get(0x0019); // TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA
    assert_eq!(
        (s.kx, s.auth, s.enc, s.export),
        (Dhe, Auth::Anon, Des(40), true)
    );
    let s = get(0xC0B4); // TLS_SHA256_SHA256: TLS 1.3, integrity only
    assert!(
        s.tls13 && s.enc == Enc::Null && s.mac == Mac::Sha256,
        "{s:?}"
    );
    let s = get(0xC103); // TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L: TLS 1.3
    assert!(
        s.tls13 && s.enc == Kuznyechik && s.mac == Mac::Aead,
        "{s:?}"
    );
    let s = get(0xC100); // RFC 9189, TLS 1.2
    assert!(!s.tls13 && s.kx == Gost && s.mac == Mac::Gost, "{s:?}");
    let s = get(0x0000);
    assert_eq!((s.kx, s.enc, s.mac), (Kx::Null, Enc::Null, Mac::Null));
    let s = get(0x1305);
    assert!(s.tls13 && s.enc == Aes(128, Mode::Ccm), "{s:?}");
    let s = get(0xC049); // TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384
    assert_eq!(
        (s.kx, s.auth, s.enc, s.mac),
        (Ecdhe, Auth::Ecdsa, Aria(256, Mode::Cbc), Mac::Sha384)
    );
    let s = get(0xC02D); // TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256: static ECDH
    assert_eq!((s.kx, s.auth), (Ecdh, Auth::Ecdsa));
    let tls13: Vec<u16> = SUITES.iter().filter(|s| s.tls13).map(|s| s.code).collect();
    assert_eq!(
        tls13,
        [
            0x00C6, 0x00C7, 0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x1306, 0x1307, 0xC0B4, 0xC0B5,
            0xC103, 0xC104, 0xC105, 0xC106
        ]
    );
}

#[test]
fn every_suite_is_judged_and_only_listed_parts_pass() {
    let p = provider();
    let p256 = || Some(group_finding(&p, 23));
    let mut permitted = Vec::new();
    for s in SUITES.iter() {
        // The key exchange as a good server would use it: P-256, DH-3072, RSA-3072.
        let kx = match s.kx {
            Ecdhe | EcdhePsk => p256(),
            Dhe | DhePsk => Some(cryptrec::audit::judge(
                p.policy(),
                &cryptrec::Algorithm::Dh { bits: 3072 },
                "cipher suite",
                p.date(),
            )),
            Rsa | RsaPsk => Some(cryptrec::audit::judge(
                p.policy(),
                &cryptrec::Algorithm::RsaPkcs1Encrypt { bits: 3072 },
                "cipher suite",
                p.date(),
            )),
            Ecdh => Some(cryptrec::audit::judge(
                p.policy(),
                &cryptrec::Algorithm::Ecdh(cryptrec::Curve::P256),
                "cipher suite",
                p.date(),
            )),
            _ => None,
        };
        let f = suite_finding(&p, s, kx, "TLS 1.2");
        assert!(
            f.note.as_deref().is_some_and(|n| n.starts_with(s.name)),
            "{f:?}"
        );
        let listed_cipher = matches!(s.enc, Aes(..) | Camellia(..) | ChaCha | TripleDes);
        let listed_kx = matches!(s.kx, Ecdhe | Dhe | Rsa | Ecdh | Tls13);
        if !f.refused {
            assert!(
                listed_cipher && listed_kx && !s.export && s.auth != Auth::Anon,
                "{} passed: {f:?}",
                s.name
            );
            permitted.push(s.name);
        } else if listed_cipher && listed_kx && !s.export && s.auth != Auth::Anon {
            // Refused for a listed part the policy refuses: 3DES (Sweet32), HMAC-SHA-1/MD5,
            // RSAES-PKCS1-v1_5 key transport (Monitored), static DH (not read).
            assert!(
                matches!(s.enc, TripleDes)
                    || matches!(s.mac, Mac::Md5 | Mac::Sha1)
                    || matches!(s.kx, Dh | Rsa),
                "{} refused: {f:?}",
                s.name
            );
        }
    }
    for want in [
        "TLS_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
    ] {
        assert!(permitted.contains(&want), "{want}: {permitted:?}");
    }
    for refused in [
        "TLS_RSA_WITH_IDEA_CBC_SHA",
        "TLS_RSA_WITH_SEED_CBC_SHA",
        "TLS_PSK_WITH_AES_128_GCM_SHA256",
        "TLS_SRP_SHA_WITH_AES_128_CBC_SHA",
        "TLS_SM4_GCM_SM3",
        "TLS_AEGIS_256_SHA384",
        "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256",
        "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
    ] {
        assert!(!permitted.contains(&refused), "{refused}");
    }
    // Export and NULL suites are broken outright.
    for c in [0x0003u16, 0x0006, 0x0008, 0x0000, 0x0001, 0xC0B4] {
        let s = suite(c).unwrap_or_else(|| panic!("{c}"));
        let f = suite_finding(&p, s, None, "TLS 1.0");
        assert_eq!(
            f.severity,
            cryptrec::audit::Severity::Critical,
            "{}: {f:?}",
            s.name
        );
    }
}

fn server_hello_v2(cert: &[u8], specs: &[u32]) -> Vec<u8> {
    let mut m = vec![4u8, 0, 1, 0, 2];
    m.extend((cert.len() as u16).to_be_bytes());
    m.extend(((specs.len() * 3) as u16).to_be_bytes());
    m.extend(16u16.to_be_bytes());
    m.extend(cert);
    for s in specs {
        m.extend(&s.to_be_bytes()[1..]);
    }
    m.extend([7u8; 16]);
    let mut rec = (0x8000u16 | m.len() as u16).to_be_bytes().to_vec();
    rec.extend(m);
    rec
}

#[test]
fn ssl2_hellos_are_built_and_read() {
    let ch = ssl2_client_hello();
    assert_eq!(ch[0] & 0x80, 0x80);
    assert_eq!(
        usize::from(u16::from_be_bytes([ch[0] & 0x7f, ch[1]])),
        ch.len() - 2
    );
    assert_eq!(
        (ch[2], ch[3], ch[4]),
        (1, 0, 2),
        "CLIENT-HELLO, version 0.2"
    );
    assert_eq!(
        usize::from(u16::from_be_bytes([ch[5], ch[6]])),
        SSL2_CIPHERS.len() * 3
    );
    let rec = server_hello_v2(&[0x30, 1, 0], &[0x010080, 0x0700C0]);
    assert_eq!(
        parse_ssl2_server_hello(&rec),
        Some((vec![0x010080, 0x0700C0], vec![0x30, 1, 0]))
    );
    for cut in 0..rec.len() {
        assert_eq!(parse_ssl2_server_hello(&rec[..cut]), None, "cut at {cut}");
    }
    // A TLS alert, or an SSL 2.0 ERROR message, is not a SERVER-HELLO.
    assert_eq!(parse_ssl2_server_hello(&[0x15, 3, 1, 0, 2, 2, 40]), None);
    assert_eq!(parse_ssl2_server_hello(&[0x80, 3, 0, 0, 1]), None);
}

#[test]
fn key_shares_have_their_groups_sizes() {
    for (g, len) in [
        (23u16, 65usize),
        (24, 97),
        (25, 133),
        (29, 32),
        (30, 56),
        (256, 256),
        (258, 512),
        (260, 1024),
        (512, 800),
        (513, 1184),
        (514, 1568),
        (0x11EB, 65 + 1184),
        (0x11EC, 1184 + 32),
        (0x11ED, 97 + 1568),
    ] {
        let share = key_share(g).unwrap_or_else(|| panic!("group {g}"));
        assert_eq!(share.len(), len, "group {g}");
    }
    assert_eq!(key_share(25).map(|s| s[0]), Some(4), "uncompressed point");
    for g in [31u16, 34, 41] {
        assert!(key_share(g).is_none(), "{g}");
    }
}

#[test]
fn client_hellos_avoid_256_to_511_bytes() {
    for n in 1..=BATCH {
        let suites: Vec<u16> = SUITES.iter().take(n).map(|s| s.code).collect();
        for v in [0x0301, 0x0303, 0x0304] {
            let r = client_hello(&Hello::new(Some("example.jp"), v, &suites, &GROUPS));
            let hs = r.len() - 5;
            assert!(
                !(256..512).contains(&hs),
                "{n} suites, version {v:04X}: {hs}"
            );
            assert_eq!(usize::from(u16::from_be_bytes([r[3], r[4]])), hs);
        }
    }
}
