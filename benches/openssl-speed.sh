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
openssl speed -seconds "$secs" ecdsap256 2>/dev/null | grep -E "256 bits ecdsa" | tail -1
openssl speed -seconds "$secs" rsa3072 2>/dev/null | grep -E "^rsa 3072" | tail -1
