//! criterion benchmarks of crypto-core's primitives, as the foundation issue lists them.
//! Compare with `benches/openssl-speed.sh` on the same machine; RESULTS.md keeps the ratios.
#![allow(clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crypto_core::Provider;
use crypto_core::aead::{AeadAlgorithm, AeadKey};
use crypto_core::hash::{self, HashAlgorithm};
use crypto_core::sig::{self, SignatureScheme, SigningKey};

fn aeads(c: &mut Criterion) {
    let p = Provider::egov().unwrap();
    let mut g = c.benchmark_group("aead-seal");
    for size in [16 * 1024, 1024 * 1024] {
        g.throughput(Throughput::Bytes(size as u64));
        for alg in AeadAlgorithm::ALL {
            let key = AeadKey::new(&p, alg, &vec![7u8; alg.key_len()]).unwrap();
            let mut buf = vec![0u8; size];
            g.bench_with_input(
                BenchmarkId::new(format!("{}", alg.algorithm()), size),
                &size,
                |b, _| b.iter(|| key.seal_detached(&[1u8; 12], b"", &mut buf).unwrap()),
            );
        }
    }
    g.finish();
}

fn sha256(c: &mut Criterion) {
    let p = Provider::egov().unwrap();
    let mut g = c.benchmark_group("hash");
    for size in [16 * 1024, 1024 * 1024] {
        let data = vec![0u8; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("sha-256", size), &size, |b, _| {
            b.iter(|| hash::digest(&p, HashAlgorithm::Sha256, &data).unwrap())
        });
    }
    g.finish();
}

fn signatures(c: &mut Criterion) {
    let p = Provider::egov().unwrap();
    let mut g = c.benchmark_group("signature");
    let ec = SigningKey::generate_pkcs8(&p, SignatureScheme::EcdsaP256Sha256, 0).unwrap();
    let ec = SigningKey::from_pkcs8(&p, SignatureScheme::EcdsaP256Sha256, ec.expose()).unwrap();
    let msg = [0u8; 32];
    let s = ec.sign(&msg).unwrap();
    let public = ec.public_key();
    g.bench_function("ecdsa-p256-sha256 sign", |b| {
        b.iter(|| ec.sign(&msg).unwrap())
    });
    g.bench_function("ecdsa-p256-sha256 verify", |b| {
        b.iter(|| sig::verify(&p, SignatureScheme::EcdsaP256Sha256, &public, &msg, &s).unwrap())
    });
    let rsa = SigningKey::generate_pkcs8(&p, SignatureScheme::RsaPssSha256, 3072).unwrap();
    let rsa = SigningKey::from_pkcs8(&p, SignatureScheme::RsaPssSha256, rsa.expose()).unwrap();
    g.bench_function("rsa-pss-3072-sha256 sign", |b| {
        b.iter(|| rsa.sign(&msg).unwrap())
    });
    g.finish();
}

/// What opening a key file costs: PBKDF2-HMAC-SHA-256 at kagi's floor of 600 000 iterations
/// (peer: `openssl kdf … PBKDF2` in openssl-speed.sh).
fn key_files(c: &mut Criterion) {
    let p = Provider::egov().unwrap();
    let mut g = c.benchmark_group("key-file");
    g.sample_size(10);
    g.bench_function("pbkdf2-sha-256 x600000", |b| {
        b.iter(|| {
            crypto_core::kdf::pbkdf2(
                &p,
                crypto_core::mac::HmacAlgorithm::Sha256,
                600_000,
                b"saltsaltsaltsalt",
                b"password",
                32,
            )
            .unwrap()
        })
    });
    g.finish();
}

/// The envelope's payload pipeline (read → seal → write, 1 MiB chunks) on 64 MiB in memory,
/// beside one AES-256-GCM seal of 1 MiB: the chunking's cost is the difference.
fn envelope(c: &mut Criterion) {
    use crypto_core::envelope::{self, Label, Metadata, PayloadAlg, Recipient};
    let p = Provider::egov().unwrap();
    let data = vec![7u8; 64 << 20];
    let mut g = c.benchmark_group("envelope");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("seal 64 MiB aes-256-gcm", |b| {
        b.iter(|| {
            let r = [Recipient::KeyFile(crypto_core::secret::SecretBytes::new(
                vec![1; 32],
            ))];
            let (_, sealer) = envelope::seal(
                &p,
                &r,
                PayloadAlg::Aes256Gcm,
                Label::default(),
                &Metadata::default(),
            )
            .unwrap();
            sealer.seal(&mut &data[..], &mut std::io::sink()).unwrap()
        })
    });
    g.finish();
}

/// The issue-10 primitives (peers: `openssl speed` lines in openssl-speed.sh).
fn list_primitives(c: &mut Criterion) {
    use crypto_core::modes;
    use cryptrec::{BlockCipher, Use};
    let p = Provider::egov().unwrap();
    let size = 16 * 1024;
    let mut g = c.benchmark_group("modes");
    g.throughput(Throughput::Bytes(size as u64));
    let mut buf = vec![0u8; size];
    for (cipher, name) in [
        (BlockCipher::Aes, "aes"),
        (BlockCipher::Camellia, "camellia"),
    ] {
        let key = [7u8; 16];
        g.bench_function(format!("{name}-128-ctr 16KiB"), |b| {
            b.iter(|| modes::ctr(&p, cipher, &key, &[0u8; 16], &mut buf, Use::Protect).unwrap())
        });
        g.bench_function(format!("{name}-128-ccm 16KiB"), |b| {
            b.iter(|| modes::ccm_seal(&p, cipher, &key, &[1u8; 12], b"", &buf, 16).unwrap())
        });
        let mac = modes::CmacKey::new(&p, cipher, &key).unwrap();
        g.bench_function(format!("{name}-128-cmac 16KiB"), |b| {
            b.iter(|| mac.tag(&buf))
        });
    }
    let kc = crypto_core::kcipher2::KCipher2Hmac::new(&p, &[3u8; 32]).unwrap();
    g.bench_function("kcipher2+hmac-sha-256 16KiB", |b| {
        b.iter(|| kc.seal(&[0u8; 16], b"", &buf).unwrap())
    });
    g.finish();
    let mut g = c.benchmark_group("public-key");
    g.sample_size(10);
    use crypto_core::kem::{MlKem, MlKemPrivateKey, encapsulate};
    let dk = MlKemPrivateKey::generate(&p, MlKem::MlKem768).unwrap();
    let ek = dk.public_key();
    let (ct, _) = encapsulate(&p, MlKem::MlKem768, &ek).unwrap();
    g.bench_function("ml-kem-768 encapsulate", |b| {
        b.iter(|| encapsulate(&p, MlKem::MlKem768, &ek).unwrap())
    });
    g.bench_function("ml-kem-768 decapsulate", |b| {
        b.iter(|| dk.decapsulate(&ct).unwrap())
    });
    use crypto_core::dh::{DhPrivateKey, Ffdhe};
    let a = DhPrivateKey::generate(&p, Ffdhe::Ffdhe2048).unwrap();
    let peer = DhPrivateKey::generate(&p, Ffdhe::Ffdhe2048)
        .unwrap()
        .public_key();
    g.bench_function("dh ffdhe2048 agree (with validation)", |b| {
        b.iter(|| a.agree(&peer).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(20);
    targets = aeads, sha256, signatures, key_files, envelope, list_primitives
}
criterion_main!(benches);
