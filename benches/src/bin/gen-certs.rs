//! Writes N distinct self-signed certificates (ECDSA P-256, RSA-2048 keys are too slow to make
//! by the thousand) for `benches/audit-10k.sh`: one PEM file each under DIR, and all of them in
//! DIR/../bundle.pem.
//! Usage: gen-certs N DIR
#![allow(clippy::unwrap_used)]

use std::io::Write;

use crypto_core::Provider;
use crypto_core::keys::{KeyAlg, PrivateKey};
use crypto_core::pki::{Profile, self_signed, to_pem};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[1].parse().unwrap();
    let dir = std::path::PathBuf::from(&args[2]);
    std::fs::create_dir_all(&dir).unwrap();
    let p = Provider::egov().unwrap();
    let mut bundle =
        std::io::BufWriter::new(std::fs::File::create(dir.join("../bundle.pem")).unwrap());
    let key = PrivateKey::generate(&p, KeyAlg::Ecdsa(cryptrec::Curve::P256)).unwrap();
    for i in 0..n {
        let der = self_signed(
            &p,
            &key,
            &format!("CN=audit bench {i},O=kagi"),
            365,
            Profile::Signing,
        )
        .unwrap();
        let pem = to_pem(&der).unwrap();
        std::fs::write(dir.join(format!("{i:05}.pem")), &pem).unwrap();
        bundle.write_all(pem.as_bytes()).unwrap();
    }
}
