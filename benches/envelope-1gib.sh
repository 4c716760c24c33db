#!/usr/bin/env bash
# Encrypting and decrypting a 1 GiB file in /dev/shm: kagi (AES-256-GCM, one certificate
# recipient) against cp of the same file, age, gpg and openssl enc, medians of RUNS runs, one
# session. Needs age (apt-get install age) and gpg; skips what is missing.
# Usage: bash benches/envelope-1gib.sh   (after `cargo build --release -p kagi`)
set -euo pipefail
K=${KAGI:-$(cd "$(dirname "$0")/.." && pwd)/target/release/kagi}
RUNS=${RUNS:-5}
W=$(mktemp -d /dev/shm/kagi-env.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
head -c 1073741824 /dev/urandom > big.bin
"$K" key gen --alg ecdh-p256 --out e.key --unencrypted >/dev/null
"$K" cert self-sign --key e.key --subject "CN=bench" --profile encryption --out e.crt >/dev/null
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.3f", m}'; }
minimum() { sort -n | head -1 | xargs printf "%.3f"; }
declare -A R
run() { # name, command...
  local name=$1; shift
  R[$name]+="$(t "$@") "
}
have_age=$(command -v age >/dev/null && echo 1 || echo 0)
have_gpg=$(command -v gpg >/dev/null && echo 1 || echo 0)
[ "$have_age" = 1 ] && age-keygen -o age.key 2>/dev/null && AGEPUB=$(grep public age.key | awk '{print $4}')
# Each tool in its own phase (gpg leaves gpg-agent running; age and gpg must not disturb kagi's
# runs). cp runs beside kagi, the baseline in the same minutes.
for _ in $(seq "$RUNS"); do
  rm -f c.bin o.kagi o.out; run cp cp big.bin c.bin; rm -f c.bin
  run "kagi encrypt" "$K" encrypt big.bin -r e.crt -o o.kagi
  run "kagi decrypt" "$K" decrypt o.kagi -i e.key -o o.out; rm -f o.out o.kagi
done
if [ "$have_age" = 1 ]; then
  for _ in $(seq "$RUNS"); do
    run "age encrypt" age -r "$AGEPUB" -o o.age big.bin
    run "age decrypt" age -d -i age.key -o o.out o.age; rm -f o.out o.age
  done
  # Without the output file: the encryption pipelines alone (the read still counts).
  "$K" encrypt big.bin -r e.crt -o n.kagi; age -r "$AGEPUB" -o n.age big.bin
  for _ in $(seq "$RUNS"); do
    run "kagi encrypt >/dev/null" sh -c "'$K' encrypt big.bin -r e.crt -o - > /dev/null"
    run "age encrypt >/dev/null" sh -c "age -r '$AGEPUB' big.bin > /dev/null"
    run "kagi decrypt >/dev/null" sh -c "'$K' decrypt n.kagi -i e.key -o - > /dev/null"
    run "age decrypt >/dev/null" sh -c "age -d -i age.key n.age > /dev/null"
  done
  rm -f n.kagi n.age
fi
for _ in $(seq "$RUNS"); do
  run "openssl enc aes-256-ctr" openssl enc -aes-256-ctr -pbkdf2 -pass pass:bench -in big.bin -out o.enc
  run "openssl enc -d" openssl enc -d -aes-256-ctr -pbkdf2 -pass pass:bench -in o.enc -out o.out; rm -f o.out o.enc
done
if [ "$have_gpg" = 1 ]; then
  for _ in $(seq "$RUNS"); do
    run "gpg -c AES256" gpg --batch --yes --pinentry-mode loopback --passphrase bench --cipher-algo AES256 --compress-algo none -c -o o.gpg big.bin
    run "gpg -d" gpg --batch --yes --pinentry-mode loopback --passphrase bench -d -o o.out o.gpg; rm -f o.out o.gpg
  done
  gpgconf --kill gpg-agent 2>/dev/null || true
fi
cp_m=$(echo "${R[cp]}" | tr ' ' '\n' | grep . | median)
cp_b=$(echo "${R[cp]}" | tr ' ' '\n' | grep . | minimum)
echo "## 1 GiB in /dev/shm, $RUNS runs each (seconds): median and best, each as a ratio to cp's"
for k in cp "kagi encrypt" "kagi decrypt" "age encrypt" "age decrypt" "kagi encrypt >/dev/null" "age encrypt >/dev/null" "kagi decrypt >/dev/null" "age decrypt >/dev/null" "gpg -c AES256" "gpg -d" "openssl enc aes-256-ctr" "openssl enc -d"; do
  [ -n "${R[$k]:-}" ] || continue
  m=$(echo "${R[$k]}" | tr ' ' '\n' | grep . | median)
  b=$(echo "${R[$k]}" | tr ' ' '\n' | grep . | minimum)
  printf "%-26s median %6s s %5.2fx cp | best %6s s %5.2fx cp | runs: %s\n" "$k" "$m" "$(echo "$m / $cp_m" | bc -l)" "$b" "$(echo "$b / $cp_b" | bc -l)" "$(echo "${R[$k]}" | tr ' ' '\n' | grep . | xargs printf '%.2f ')"
done
