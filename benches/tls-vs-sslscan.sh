#!/usr/bin/env bash
# kagi audit --tls against sslscan on the same openssl s_server (127.0.0.1), interleaved runs,
# medians: a plain server (TLS 1.2 + 1.3, OpenSSL's defaults) and the SECLEVEL=0 server with
# everything OpenSSL offers (issue 17, item 6). kagi asks every IANA suite, group and signature
# scheme; sslscan its own lists. Usage: bash benches/tls-vs-sslscan.sh
# (after `cargo build --release -p kagi`; KAGI=path overrides, RUNS=n sets the runs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=${KAGI:-${CARGO_TARGET_DIR:-$ROOT/target}/release/kagi}
RUNS=${RUNS:-7}
W=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=localhost -days 30 2>/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() {
  local p; p=$(port)
  openssl s_server -accept "127.0.0.1:$p" -www -key k.pem -cert c.pem "$@" >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
  echo "$p"
}
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l | xargs printf "%.3f"; }
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for name in plain seclevel0; do
  if [ "$name" = plain ]; then P=$(serve); else P=$(serve -min_protocol TLSv1 -cipher 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'); fi
  ks=""; ss=""
  for _ in $(seq "$RUNS"); do
    ks="$ks $(t "$K" audit --tls "127.0.0.1:$P" --format json)"
    ss="$ss $(t sslscan --no-colour "127.0.0.1:$P")"
  done
  km=$(echo $ks | median); sm=$(echo $ss | median)
  n=$("$K" audit --tls "127.0.0.1:$P" --format json | python3 -c 'import json,sys; t=json.load(sys.stdin)["artefacts"][0]["tls"]; print(len(t["suites"]), "suites,", t["connections"], "connections")' || true)
  echo "$name: kagi $km s, sslscan $sm s, kagi/sslscan $(echo "$km / $sm" | bc -l | xargs printf "%.2f") ($n; runs: kagi$ks | sslscan$ss)"
done
