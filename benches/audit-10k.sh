#!/usr/bin/env bash
# kagi audit on 10 000 certificates: as 10 000 files in a directory, and as one bundle, against
# openssl reading the same bundle (crl2pkcs7 | pkcs7 -print_certs: parse and print every
# certificate); RUNS runs each, medians. Usage: bash benches/audit-10k.sh
# (after `cargo build --release -p kagi -p kagi-benches`)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=${KAGI:-$ROOT/target/release/kagi}
G=$ROOT/target/release/gen-certs
RUNS=${RUNS:-5}
N=${N:-10000}
W=$(mktemp -d /dev/shm/kagi-audit.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$G" "$N" "$W/certs"
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l | xargs printf "%.3f"; }
echo "## $N certificates, seconds, $RUNS runs ($(nproc) cores)"
for _ in $(seq "$RUNS"); do
  d=$(t "$K" audit "$W/certs" --format json)
  b=$(t "$K" audit "$W/bundle.pem" --format json)
  o=$(t sh -c "openssl crl2pkcs7 -nocrl -certfile '$W/bundle.pem' | openssl pkcs7 -print_certs -noout")
  echo "kagi-dir $d kagi-bundle $b openssl-bundle $o"
done
"$K" audit "$W/bundle.pem" --format json | python3 -c "import json,sys; d=json.load(sys.stdin); print('certificates judged:', d['summary']['by_kind'].get('certificate'))"
