#!/usr/bin/env bash
# Builds the fuzzers' seed corpora in fuzz/corpus/TARGET from test-vectors/, the embedded
# CRYPTREC dataset and files made on the spot by the real kagi binary, openssl and python3
# (CMS signatures, certificates and CSRs, manifests, an erasure certificate and its ledger, an
# erase journal, a signed dataset package, TLS server flights). Seeds are added beside what is
# already there; `cargo +nightly fuzz cmin TARGET` then keeps the inputs that add coverage.
#
# Usage: fuzz/seed_corpus.sh            (builds kagi with cargo, or set KAGI=/path/to/kagi)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
tv="$root/test-vectors"
if [ -z "${KAGI:-}" ]; then
  (cd "$root" && cargo build -q --locked -p kagi)
  KAGI="${CARGO_TARGET_DIR:-$root/target}/debug/kagi"
fi
work="$(mktemp -d)"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export KAGI_STATE_DIR="$work/state"
kagi() { "$KAGI" "$@"; }

# seed TARGET FILE...: copy files into a target's corpus under their own names.
seed() {
  local t="$1"
  shift
  mkdir -p "$corpus/$t"
  for f in "$@"; do
    [ -s "$f" ] && cp "$f" "$corpus/$t/seed-$(basename "$f")"
  done
  return 0
}
# text TARGET NAME TEXT: a seed written from a string.
text() {
  mkdir -p "$corpus/$1"
  printf '%s' "$3" >"$corpus/$1/seed-$2"
}

# -- From test-vectors/ and the embedded dataset --------------------------------------------
seed envelope_header "$tv"/envelope/*.kagi "$tv"/envelope/invalid/*.kagi
seed key_file "$tv"/keys/*.pem "$tv"/keys/*.der "$tv"/envelope/*.key "$tv"/envelope/*.pub \
  "$tv"/envelope/*.key.pub
seed key_share "$tv"/keys/shares/*.txt
seed key_escrow "$tv"/keys/*.escrow
seed certificate "$tv"/keys/*.crt "$tv"/envelope/*.crt
seed audit_file "$tv"/keys/*.pem "$tv"/keys/*.crt "$tv"/envelope/p256-aes256gcm-hello.kagi \
  "$tv"/keys/ed25519.escrow
seed policy_file "$root"/cryptrec/data/events.toml
for n in aes-256-gcm aes-128-gcm camellia-256-gcm chacha20-poly1305 sha-256 sha3-512 shake256 \
  hmac-sha-256 ecdsa-p256-sha256 ed25519 rsa-pss-3072 rsa-oaep-3072 ml-kem-768 pbkdf2-hmac-sha256 \
  kcipher2-hmac dsa-2048 3des rsa-2048 x25519 ecdh-p384; do
  text algorithm_name "$n" "$n"
done
text policy_file narrow.toml 'name = "ministry"
base = "egov"
min_strength = 128
authenticated_encryption_only = true
deny = ["rsa-pss-2048"]
uses = ["protect", "process"]
protect_until = "2030-12-31"
'
text policy_file legacy.toml 'name = "archive"
base = "egov-high"
allow = ["aes-256-gcm", "sha-384"]
[legacy_process]
entries = ["3des"]
reason = "old archive"
'

# -- Made with kagi and openssl -------------------------------------------------------------
cd "$work"
kagi key gen --alg ecdsa-p256 --unencrypted --out p256.key >/dev/null 2>&1 \
  || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key
openssl req -new -x509 -key p256.key -subj /CN=fuzz-seed -days 30 -out self.crt \
  -addext keyUsage=digitalSignature -addext extendedKeyUsage=codeSigning 2>/dev/null
openssl req -new -key p256.key -subj /CN=fuzz-seed -out req.csr 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl req -new -x509 -key rsa.key -subj /CN=rsa-seed -days 30 -out rsa.crt 2>/dev/null
openssl x509 -in self.crt -outform DER -out self.der
cat self.crt rsa.crt >bundle.pem
seed certificate self.crt self.der req.csr bundle.pem
seed key_file p256.key rsa.key
seed audit_file self.crt req.csr rsa.key

# CMS: kagi's own detached signature and openssl's.
echo "signed content" >doc.txt
kagi sign --key p256.key --cert self.crt -o doc.kagi.p7s doc.txt >/dev/null 2>&1 || true
openssl cms -sign -binary -in doc.txt -signer self.crt -inkey p256.key -outform DER \
  -out doc.openssl.p7s 2>/dev/null || true
openssl cms -sign -binary -in doc.txt -signer rsa.crt -inkey rsa.key -outform DER \
  -out doc.rsa.p7s 2>/dev/null || true
seed cms_signature doc.*.p7s
seed audit_file doc.*.p7s

# A signed manifest of a small tree.
mkdir -p tree/sub && echo a >tree/a.txt && echo b >tree/sub/b.txt && ln -s a.txt tree/link
kagi sign --key p256.key --cert self.crt --manifest tree -o tree.manifest >/dev/null 2>&1 || true
seed manifest tree.manifest
seed audit_file tree.manifest

# An erasure certificate and the ledger entry it leaves (erasing a small regular file).
# The signing certificate carries documentSigning (1.3.6.1.4.1.311.10.3.12), profile `erase`.
openssl req -new -x509 -key p256.key -subj /CN=erase-seed -days 30 -out erase.crt \
  -addext keyUsage=digitalSignature -addext extendedKeyUsage=1.3.6.1.4.1.311.10.3.12 2>/dev/null
head -c 65536 /dev/zero >disk.img
mkdir -p certs
kagi erase run disk.img --method zero --yes --sign-key p256.key --sign-cert erase.crt \
  --organisation Fuzz --operator Seed --role Tester --location Lab --certificate-dir certs \
  --ledger ledger.jsonl >/dev/null 2>&1 || true
seed erasure_certificate certs/*
seed ledger ledger.jsonl
seed audit_file certs/*

# An erase journal: interrupt a run of a larger file and keep the last checkpoint.
head -c 256M /dev/zero >big.img 2>/dev/null
"$KAGI" erase run big.img --passes nist --yes --state-dir jstate >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 50); do
  sleep 0.1
  [ -n "$(find jstate -type f 2>/dev/null | head -1)" ] && break
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
mkdir -p "$corpus/erase_journal"
find jstate -type f -name '*.json' -exec cp {} "$corpus/erase_journal/" \;
rm -f big.img

# A signed dataset package.
kagi policy sign-dataset --list "$root"/cryptrec/data/ls-0001-2022r2.toml \
  --strength "$root"/cryptrec/data/ls-0003-2022r1.toml --events "$root"/cryptrec/data/events.toml \
  --serial 2 --key p256.key --cert self.crt --out dataset.kagi >/dev/null 2>&1 || true
seed dataset_package dataset.kagi

# TLS: a TLS 1.2 and a TLS 1.3 server's first flight, as received by a client.
port=$((20000 + RANDOM % 20000))
openssl s_server -quiet -accept "$port" -key p256.key -cert self.crt -www >/dev/null 2>&1 &
server=$!
sleep 1
python3 - "$port" "$corpus/tls_flight" <<'EOF' || true
import os, socket, ssl, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
for name, v in (("tls12", ssl.TLSVersion.TLSv1_2), ("tls13", ssl.TLSVersion.TLSv1_3)):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = v
    inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, outg, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(outg.read())
    s.settimeout(1.0)
    data = b""
    try:
        while len(data) < 65536:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    open(os.path.join(out, "seed-" + name), "wb").write(data)
EOF
echo "seed corpora in $corpus:"
for d in "$corpus"/*/; do
  printf '  %-22s %4d files\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"
done
