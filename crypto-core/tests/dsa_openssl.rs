//! DSA against OpenSSL: kagi's signatures verify with `openssl dgst -verify`, OpenSSL's with
//! kagi, for an OpenSSL-made 2048/256 key; and a key kagi generates signs and verifies.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crypto_core::dsa::{self, DsaPrivateKey};
use crypto_core::hash::HashAlgorithm;
use crypto_core::{Error, Provider};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("kagi-dsa-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn openssl(dir: &Path, args: &[&str]) -> (bool, Vec<u8>) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (out.status.success(), out.stdout)
}

#[test]
fn signatures_cross_verify_with_openssl_and_generated_keys_work() {
    let d = dir();
    // DSA-2048 (112-bit) may sign only through 2030: the cross-checks run on a date it may,
    // whatever the clock says (CI runs the suite with the clock at 2031 and 2041).
    let p = Provider::egov()
        .unwrap()
        .at_date(cryptrec::parse_date("2030-06-01").unwrap());
    for args in [
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DSA",
            "-pkeyopt",
            "dsa_paramgen_bits:2048",
            "-pkeyopt",
            "dsa_paramgen_q_bits:256",
            "-out",
            "params.pem",
        ][..],
        &["genpkey", "-paramfile", "params.pem", "-out", "dsa.pem"],
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "dsa.pem", "-outform", "DER", "-out", "dsa.p8",
        ],
        &["pkey", "-in", "dsa.pem", "-pubout", "-out", "pub.pem"],
        &[
            "pkey", "-in", "dsa.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ],
    ] {
        assert!(openssl(&d, args).0, "openssl {args:?}");
    }
    let msg = "決裁 2026-11 DSA 署名".as_bytes();
    std::fs::write(d.join("msg"), msg).unwrap();
    let key = DsaPrivateKey::from_pkcs8(&p, &std::fs::read(d.join("dsa.p8")).unwrap()).unwrap();
    assert_eq!(
        key.public_key_der().unwrap(),
        std::fs::read(d.join("pub.der")).unwrap()
    );
    // kagi signs, openssl verifies; the signature is deterministic (RFC 6979).
    let sig = key.sign(&p, HashAlgorithm::Sha256, msg).unwrap();
    assert_eq!(sig, key.sign(&p, HashAlgorithm::Sha256, msg).unwrap());
    std::fs::write(d.join("sig.der"), &sig).unwrap();
    let (ok, out) = openssl(
        &d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig.der",
            "msg",
        ],
    );
    assert!(ok, "{}", String::from_utf8_lossy(&out));
    // openssl signs, kagi verifies; a changed message does not.
    assert!(
        openssl(
            &d,
            &[
                "dgst", "-sha256", "-sign", "dsa.pem", "-out", "osig.der", "msg"
            ]
        )
        .0
    );
    let osig = std::fs::read(d.join("osig.der")).unwrap();
    let public = std::fs::read(d.join("pub.der")).unwrap();
    dsa::verify(&p, &public, HashAlgorithm::Sha256, msg, &osig).unwrap();
    assert!(dsa::verify(&p, &public, HashAlgorithm::Sha256, b"other", &osig).is_err());
    // A key kagi generates (new domain parameters).
    let mine = DsaPrivateKey::generate(&p, 2048, 256).unwrap();
    let s = mine.sign(&p, HashAlgorithm::Sha256, msg).unwrap();
    dsa::verify(
        &p,
        &mine.public_key_der().unwrap(),
        HashAlgorithm::Sha256,
        msg,
        &s,
    )
    .unwrap();
    // DSA-2048 may protect only until 2030-12-31 (112-bit).
    let later = Provider::egov()
        .unwrap()
        .at_date(cryptrec::parse_date("2031-01-01").unwrap());
    let err = key.sign(&later, HashAlgorithm::Sha256, msg).unwrap_err();
    assert!(
        matches!(&err, Error::Refused(v) if v.status == cryptrec::Status::Refused
            && v.reasons.iter().any(|r| r.source.contains("LS-0003"))),
        "{err:?}"
    );
    // Verifying old signatures is still permitted (legacy processing).
    dsa::verify(&later, &public, HashAlgorithm::Sha256, msg, &osig).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}
