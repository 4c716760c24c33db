#!/usr/bin/env bash
# The image test (.ci/run calls it): builds kagi-live.iso from the kagi and kagi-live binaries
# cargo built (debug by default, as CI already has them; --release for the release ones) and
# boots it in QEMU by BIOS and by UEFI, unattended, then interactively over the serial console
# (live/test/qemu_test.py). Fails — never skips — when QEMU, OVMF or an image tool is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
profile=debug
cargo_profile=()
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release cargo_profile=(--release); shift ;;
    *) pass+=("$1"); shift ;;
  esac
done
start=$(date +%s)
(cd "$root" && cargo build --locked "${cargo_profile[@]}" -p kagi -p kagi-live)
iso="$target/live/test/kagi-live.iso"
"$root/live/build.sh" --kagi "$target/$profile/kagi" --console "$target/$profile/kagi-live" --out "$iso"
built=$(date +%s)
python3 "$root/live/test/qemu_test.py" --iso "$iso" --kagi "$target/$profile/kagi" "${pass[@]}"
echo "live image test: image built in $((built - start)) s, QEMU boots in $(($(date +%s) - built)) s"
rm -f "$iso"
