#!/usr/bin/env bash
# The peer figures for benches/RESULTS.md: `openssl speed` on the same primitives and sizes,
# one core, on this machine. Run beside `cargo bench -p kagi-benches` in the same session.
set -euo pipefail
secs=${SECS:-2}
echo "## $(openssl version)"
for alg in aes-128-gcm aes-256-gcm chacha20-poly1305 camellia-256-ctr sha256; do
  openssl speed -seconds "$secs" -bytes 16384 -evp "$alg" 2>/dev/null | tail -1
  openssl speed -seconds "$secs" -bytes 1048576 -evp "$alg" 2>/dev/null | tail -1
done
# Issue 10's primitives: CTR over AES and Camellia, CMAC, finite-field DH.
for alg in aes-128-ctr camellia-128-ctr; do
  openssl speed -seconds "$secs" -bytes 16384 -evp "$alg" 2>/dev/null | tail -1
done
openssl speed -seconds "$secs" -bytes 16384 -cmac aes-128-cbc 2>/dev/null | tail -1 || true
openssl speed -seconds "$secs" -bytes 16384 -cmac camellia-128-cbc 2>/dev/null | tail -1 || true
openssl speed -seconds "$secs" ffdh2048 2>/dev/null | grep -E "ffdh2048|2048 bits ffdh" | tail -1 || true
openssl speed -seconds "$secs" ecdsap256 2>/dev/null | grep -E "256 bits ecdsa" | tail -1
openssl speed -seconds "$secs" rsa3072 2>/dev/null | grep -E "^rsa 3072" | tail -1
# PBKDF2-HMAC-SHA-256 at 600000 iterations (kagi's floor for key files): seconds per derivation.
start=$(date +%s.%N)
for _ in 1 2 3 4 5; do
  openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:password -kdfopt salt:saltsaltsaltsalt \
    -kdfopt iter:600000 PBKDF2 >/dev/null
done
end=$(date +%s.%N)
echo "pbkdf2-sha256 600000 iterations: $(echo "($end - $start) / 5" | bc -l | cut -c1-6) s per derivation (openssl kdf)"
