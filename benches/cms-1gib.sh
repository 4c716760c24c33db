#!/usr/bin/env bash
# Signing and verifying a 1 GiB file: kagi against `openssl cms` and the machine's SHA-256 rate
# (`openssl speed -evp sha256`), in one session, files in /dev/shm so the disk does not count.
# Usage: bash benches/cms-1gib.sh   (after `cargo build --release -p kagi`)
set -euo pipefail
K=${KAGI:-$(cd "$(dirname "$0")/.." && pwd)/target/release/kagi}
W=$(mktemp -d /dev/shm/kagi-cms.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
head -c 1073741824 /dev/urandom > big.bin
"$K" key gen --alg ecdsa-p256 --out s.key --unencrypted >/dev/null
"$K" cert self-sign --key s.key --subject "CN=bench" --out s.crt >/dev/null
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l | cut -c1-5; }
echo "## $(openssl version); seconds for 1 GiB, three runs"
openssl speed -seconds 2 -bytes 1048576 -evp sha256 2>/dev/null | tail -1
for _ in 1 2 3; do
  echo "kagi sign $(t "$K" sign --key s.key --cert s.crt big.bin -o k.p7s --force)" \
       "kagi verify $(t "$K" verify big.bin --sig k.p7s --trust s.crt)" \
       "openssl cms -sign $(t openssl cms -sign -binary -in big.bin -signer s.crt -inkey s.key -outform DER -out o.p7s)" \
       "openssl cms -verify $(t openssl cms -verify -binary -inform DER -content big.bin -in o.p7s -CAfile s.crt -out /dev/null)" \
       "openssl dgst $(t openssl dgst -sha256 big.bin)"
done
