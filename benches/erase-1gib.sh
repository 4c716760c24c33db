#!/usr/bin/env bash
# Erasing a 1 GiB loop device backed by /dev/shm: kagi (random + full verify) against
# dd oflag=direct (zero write) + dd iflag=direct (read), shred -n1 (no verify) and nwipe when
# installed; RUNS runs each, one session. Needs root (losetup).
# Usage: sudo bash benches/erase-1gib.sh   (after `cargo build --release -p kagi`)
set -euo pipefail
K=${KAGI:-$(cd "$(dirname "$0")/.." && pwd)/target/release/kagi}
RUNS=${RUNS:-5}
W=$(mktemp -d /dev/shm/kagi-erase.XXXXXX)
truncate -s 1G "$W/disk.img"
DEV=$(losetup -f --show "$W/disk.img")
export KAGI_STATE_DIR="$W/state"
trap 'losetup -d "$DEV"; rm -rf "$W"' EXIT
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l | xargs printf "%.3f"; }
echo "## 1 GiB loop device on /dev/shm ($DEV), seconds, $RUNS runs"
for _ in $(seq "$RUNS"); do
  w=$(t dd if=/dev/zero of="$DEV" bs=4M oflag=direct)
  r=$(t dd if="$DEV" of=/dev/null bs=4M iflag=direct)
  k=$(t "$K" erase run "$DEV" --method random --verify full --yes)
  s=$(t shred -n1 "$DEV")
  line="dd-write $w dd-read $r dd-sum $(echo "$w + $r" | bc -l | xargs printf '%.3f') kagi-random+verify $k shred-n1 $s"
  if command -v nwipe >/dev/null; then
    line="$line nwipe $(t nwipe --autonuke --nogui --method=random --verify=last --noblank "$DEV")"
  fi
  echo "$line"
done
