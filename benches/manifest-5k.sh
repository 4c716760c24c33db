#!/usr/bin/env bash
# Signing and verifying a manifest of 5 000 small files (about 22 MB, 50 directories) against
# `find … | xargs sha256sum` of the same tree, interleaved in one session, medians of RUNS runs.
# Usage: bash benches/manifest-5k.sh   (after `cargo build --release -p kagi`; KAGI=path overrides)
set -euo pipefail
K=${KAGI:-$(cd "$(dirname "$0")/.." && pwd)/target/release/kagi}
RUNS=${RUNS:-7}
N=${N:-5000}
W=$(mktemp -d /dev/shm/kagi-manifest.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
# Deterministic sizes 200 … 8 599 bytes (mean ≈ 4.4 kB), random content.
python3 - "$N" <<'PY'
import os, sys
n = int(sys.argv[1])
for i in range(n):
    d = f"tree/d{i % 50:02}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05}.bin", "wb") as f:
        f.write(os.urandom(200 + (i * 7919) % 8400))
PY
echo "tree: $(find tree -type f | wc -l) files, $(du -sb tree | cut -f1) bytes"
"$K" key gen --alg ecdsa-p256 --out s.key --unencrypted >/dev/null
"$K" cert self-sign --key s.key --subject "CN=bench" --out s.crt >/dev/null
"$K" sign --manifest tree --key s.key --cert s.crt -o tree.manifest --force >/dev/null
"$K" verify tree.manifest --trust s.crt >/dev/null || { echo "verify did not answer valid" >&2; exit 1; }
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }
S="" V="" H=""
for _ in $(seq "$RUNS"); do
  H+="$(t sh -c 'find tree -type f | xargs sha256sum') "
  S+="$(t "$K" sign --manifest tree --key s.key --cert s.crt -o tree.manifest --force) "
  V+="$(t "$K" verify tree.manifest --trust s.crt) "
done
h=$(echo "$H" | median); s=$(echo "$S" | median); v=$(echo "$V" | median)
echo "## $N files, seconds, medians of $RUNS interleaved runs ($(nproc) cores)"
echo "find | xargs sha256sum  $h"
echo "kagi sign --manifest    $s  ($(echo "$s / $h" | bc -l | xargs printf "%.2f")×)"
echo "kagi verify (manifest)  $v  ($(echo "$v / $h" | bc -l | xargs printf "%.2f")×)"
