#!/usr/bin/env bash
# Builds kagi-live.iso: a hybrid ISO that boots on BIOS and UEFI PCs, from a CD or from a USB
# stick it is written to with dd (live/README.md). Everything comes from Debian packages
# (linux-image-amd64, busybox-static, grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools) plus
# the kagi and kagi-live binaries of this repository; nothing is downloaded at boot.
#
#   live/build.sh                      # release build of kagi, then the image
#   live/build.sh --kagi BIN --console BIN --out FILE
#   live/build.sh --data-dir DIR --data-size 64M   # also a KAGI-DATA partition, filled from DIR
#
# Output: $CARGO_TARGET_DIR/live/kagi-live.iso (target/live/ by default). Downloaded .deb files
# are kept in $KAGI_LIVE_CACHE (default target/live/cache) and reused. Bad input or a missing
# tool: a one-line error and exit 2.
set -euo pipefail
export LC_ALL=C

die() { echo "live/build.sh: $*" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/live/kagi-live.iso"
cache="${KAGI_LIVE_CACHE:-$target/live/cache}"
kagi="" console="" data_dir="" data_size=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:?--out needs a file}"; shift 2 ;;
    --kagi) kagi="${2:?--kagi needs a file}"; shift 2 ;;
    --console) console="${2:?--console needs a file}"; shift 2 ;;
    --data-dir) data_dir="${2:?--data-dir needs a directory}"; shift 2 ;;
    --data-size) data_size="${2:?--data-size needs a size}"; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ -n "$kagi" ] && [ -z "$console" ] && die "--kagi needs --console too (the kagi-live binary)"
[ -n "$console" ] && [ -z "$kagi" ] && die "--console needs --kagi too"
[ -n "$data_dir" ] && [ -z "$data_size" ] && data_size=64M
[ -n "$data_dir" ] && [ ! -d "$data_dir" ] && die "--data-dir $data_dir: not a directory"

# Tools, each with the Debian package that has it.
for t in apt-get:apt dpkg-deb:dpkg grub-mkrescue:grub-common xorriso:xorriso mformat:mtools \
  mcopy:mtools depmod:kmod cpio:cpio gzip:gzip strip:binutils sha256sum:coreutils; do
  command -v "${t%%:*}" >/dev/null || die "${t%%:*} is missing (apt-get install ${t#*:})"
done
[ -d /usr/lib/grub/i386-pc ] || die "grub's BIOS modules are missing (apt-get install grub-pc-bin)"
[ -d /usr/lib/grub/x86_64-efi ] || die "grub's UEFI modules are missing (apt-get install grub-efi-amd64-bin)"
if [ -n "$data_size" ]; then
  command -v mkfs.vfat >/dev/null || die "mkfs.vfat is missing (apt-get install dosfstools)"
fi

started=$(date +%s)
if [ -z "$kagi" ]; then
  echo "== cargo build --release -p kagi -p kagi-live"
  (cd "$root" && cargo build --release --locked -p kagi -p kagi-live)
  kagi="$target/release/kagi" console="$target/release/kagi-live"
fi
for b in "$kagi" "$console"; do
  [ -x "$b" ] || die "$b: not an executable"
done

# Debian packages: the kernel linux-image-amd64 points to, and busybox-static. The versions
# are recorded in the image (/kagi-live/manifest.txt); KAGI_LIVE_KERNEL pins another kernel.
mkdir -p "$cache"
kpkg="${KAGI_LIVE_KERNEL:-$(apt-cache depends linux-image-amd64 2>/dev/null \
  | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}"
[ -n "$kpkg" ] || die "apt-cache knows no linux-image-amd64 (run apt-get update)"
debs=()
for p in "$kpkg" busybox-static; do
  v="$(apt-cache policy "$p" | awk '/Candidate:/ {print $2}')"
  [ -n "$v" ] && [ "$v" != "(none)" ] || die "no candidate version of $p (apt-get update?)"
  f="$(ls "$cache"/"${p}"_*.deb 2>/dev/null | grep -F "_${v//:/%3a}_" | head -n1 || true)"
  if [ -z "$f" ]; then
    echo "== apt-get download $p=$v"
    (cd "$cache" && apt-get download -q "$p=$v" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    f="$(ls "$cache"/"${p}"_*.deb 2>/dev/null | grep -F "_${v//:/%3a}_" | head -n1 || true)"
    [ -n "$f" ] || die "apt-get download $p=$v failed"
  fi
  debs+=("$f")
done

work="$(mktemp -d "${TMPDIR:-/tmp}/kagi-live.XXXXXX")"
trap 'rm -rf "$work"' EXIT
for f in "${debs[@]}"; do dpkg-deb -x "$f" "$work/pkgs"; done
kver="$(ls "$work/pkgs/lib/modules")"
[ "$(echo "$kver" | wc -l)" = 1 ] || die "expected one kernel in $kpkg, found: $kver"

# The volume id identifies this image's boot medium at boot: a hash of everything in it, so
# two builds from the same inputs agree and a stick of another build is not mistaken for it.
inputs_hash="$(cat "${debs[@]}" "$kagi" "$console" "$root/live/rootfs/init" \
  "$root/live/rootfs/modules" "$root/live/grub.cfg" | sha256sum | cut -c1-16 | tr a-f A-F)"
volid="KAGI_LIVE_$inputs_hash"
# Timestamps in the image: those of the inputs' commit, for reproducible builds.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"

echo "== initramfs ($volid)"
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,dev,proc,sys,run,tmp,etc/kagi-live,lib64,lib/x86_64-linux-gnu}
install -m 0755 "$work/pkgs/bin/busybox" "$rootfs/bin/busybox"
for a in $("$rootfs/bin/busybox" --list); do
  [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"
done
install -m 0755 "$kagi" "$rootfs/bin/kagi"
install -m 0755 "$console" "$rootfs/bin/kagi-live"
strip --strip-debug "$rootfs/bin/kagi" "$rootfs/bin/kagi-live"
# Their shared libraries (glibc), at the paths the binaries name.
for lib in $(ldd "$kagi" "$console" | awk '/=> \// {print $3} /^[ \t]+\// {print $1}' | sort -u); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
# Both must run inside the image's root with only what was copied (loader, libraries).
chroot "$rootfs" /bin/kagi --version >/dev/null || die "kagi does not run inside the image's root"
rc=0
chroot "$rootfs" /bin/kagi-live find-boot NONE >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || die "kagi-live does not run inside the image's root"
install -m 0755 "$root/live/rootfs/init" "$rootfs/init"
echo "$volid" >"$rootfs/etc/kagi-live/volume-id"
grep -v '^#' "$root/live/rootfs/modules" | grep . >"$rootfs/etc/kagi-live/modules"

# Modules: those listed and what they depend on (modules.dep of the full kernel), nothing else.
kmods="$work/pkgs/lib/modules/$kver"
depmod -b "$work/pkgs" "$kver"
mkdir -p "$rootfs/lib/modules/$kver"
cp "$kmods"/modules.{order,builtin,builtin.modinfo} "$rootfs/lib/modules/$kver/"
need=()
while read -r m; do
  rel="$(awk -v m="$m" -F: '{n=$1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n)
    if (n == m) {print; exit}}' "$kmods/modules.dep")"
  if [ -z "$rel" ]; then
    grep -q "/${m//_/[-_]}\.ko" "$kmods/modules.builtin" || die "kernel module $m: not in $kpkg"
    continue
  fi
  need+=(${rel/:/})
done <"$rootfs/etc/kagi-live/modules"
for f in $(printf '%s\n' "${need[@]}" | sort -u); do
  mkdir -p "$rootfs/lib/modules/$kver/$(dirname "$f")"
  cp "$kmods/$f" "$rootfs/lib/modules/$kver/$f"
done
depmod -b "$rootfs" "$kver"

cat >"$rootfs/etc/kagi-live/manifest.txt" <<MANIFEST
volume id:  $volid
kernel:     $(basename "${debs[0]}")
busybox:    $(basename "${debs[1]}")
kagi:       $(sha256sum "$kagi" | cut -c1-64) ($("$kagi" --version 2>/dev/null || echo kagi))
kagi-live:  $(sha256sum "$console" | cut -c1-64)
commit:     $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
MANIFEST

mkdir -p "$work/iso/boot/grub" "$work/iso/kagi-live"
# A reproducible cpio: sorted names, fixed times and owners.
find "$rootfs" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$rootfs" && find . | sort | cpio -o -H newc --quiet --reproducible -R 0:0) \
  | gzip -9 -n >"$work/iso/boot/initrd.img"
cp "$work/pkgs/boot/vmlinuz-$kver" "$work/iso/boot/vmlinuz"
cp "$root/live/grub.cfg" "$work/iso/boot/grub/grub.cfg"
cp "$rootfs/etc/kagi-live/manifest.txt" "$work/iso/kagi-live/manifest.txt"
find "$work/iso" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# Every date in the image, its UUID and GPT disk GUID from SOURCE_DATE_EPOCH.
e="$SOURCE_DATE_EPOCH"
xargs=(-volid "$volid" -volume_date all_file_dates "=$e" -volume_date c "=$e"
  -volume_date m "=$e" -volume_date uuid "$(date -u -d "@$e" +%Y%m%d%H%M%S00)"
  -iso_nowtime "=$e" -boot_image any gpt_disk_guid=volume_date_uuid)
if [ -n "$data_size" ]; then
  echo "== KAGI-DATA partition ($data_size)"
  truncate -s "$data_size" "$work/data.img"
  mkfs.vfat -F 32 -n KAGI-DATA -i "${inputs_hash:0:8}" "$work/data.img" >/dev/null \
    || die "mkfs.vfat: $data_size is too small for FAT32 (use 64M or more)"
  if [ -n "$data_dir" ] && [ -n "$(ls -A "$data_dir")" ]; then
    mcopy -s -m -i "$work/data.img" "$data_dir"/* ::/
  fi
  xargs+=(-append_partition 3 0x0c "$work/data.img")
fi

echo "== grub-mkrescue (BIOS + UEFI, hybrid)"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$work/iso" -- "${xargs[@]}" 2>"$work/mkrescue.log" \
  || { cat "$work/mkrescue.log" >&2; die "grub-mkrescue failed"; }

# grub-mkrescue's mformat gives the EFI boot image (FAT12) a random volume serial: set it
# from the inputs' hash, so the image is reproducible (no checksum covers it).
lba="$(xorriso -indev "$out" -find /efi.img -exec report_lba -- 2>/dev/null \
  | awk -F, '/efi.img/ {print $2 + 0}')"
if [ -n "$lba" ] && [ "$(dd if="$out" bs=1 skip=$((lba * 2048 + 0x36)) count=5 2>/dev/null)" = FAT12 ]; then
  h="${inputs_hash:8:8}"
  printf "\\x${h:6:2}\\x${h:4:2}\\x${h:2:2}\\x${h:0:2}" \
    | dd of="$out" bs=1 seek=$((lba * 2048 + 0x27)) conv=notrunc status=none
fi
size=$(stat -c %s "$out")
echo "kagi-live: $out"
echo "  volume id $volid, $((size / 1048576)) MiB ($size bytes), sha256 $(sha256sum "$out" | cut -c1-64)"
echo "  kernel $kver, initramfs $(($(stat -c %s "$work/iso/boot/initrd.img") / 1048576)) MiB, built in $(($(date +%s) - started)) s"
