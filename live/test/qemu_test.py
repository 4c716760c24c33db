#!/usr/bin/env python3
"""kagi-live in QEMU (software emulation): the image boots by BIOS and by UEFI, erases two
internal disks (NVMe and AHCI) filled with a marker, and leaves signed certificates on a
KAGI-DATA USB disk; the host verifies them and reads the disks back. Then an interactive
session over the serial console: list, the boot medium refused even when named, pick,
confirm, passphrase, summary.

    python3 live/test/qemu_test.py --iso ISO --kagi HOST-KAGI [--work DIR] [--only NAME]

Fails (exit 1) on any failed check, and when a tool it needs is missing (naming it).
"""

import argparse
import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time

MARKER = b"KAGI-LIVE-MARKER:this sector held the leaseholder's data;"
DISK_SIZE = 64 << 20
PASSPHRASE = "correct horse battery staple 2026"
DMI = {"manufacturer": "KagiTest", "product": "LeasePC-9000", "serial": "KAGI-QEMU-0001"}
ASSET = "PC-0042"
DISK_SERIALS = {"nvme": "KAGI-NVME-0001", "sata": "KAGI-SATA-0001"}
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

failures = []
figures = {}


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def need_tools():
    tools = {
        "qemu-system-x86_64": "qemu-system-x86",
        "mkfs.vfat": "dosfstools",
        "mcopy": "mtools",
        "mdir": "mtools",
    }
    missing = [f"{t} (apt-get install {p})" for t, p in tools.items() if not shutil.which(t)]
    if not os.path.exists(OVMF_CODE):
        missing.append(f"{OVMF_CODE} (apt-get install ovmf)")
    if missing:
        sys.exit("qemu_test.py: missing: " + ", ".join(missing))


def run(args, cwd=None, env=None, ok=True):
    p = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"qemu_test.py: {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def pki(kagi, d):
    """An organisation CA and the operator's encrypted key and erase-profile certificate."""
    env = dict(os.environ, PW=PASSPHRASE)
    steps = [
        ["key", "gen", "--alg", "ecdsa-p384", "--out", "org-ca.key", "--unencrypted"],
        ["cert", "self-sign", "--key", "org-ca.key", "--subject",
         "CN=消去証明 CA,O=テスト省,C=JP", "--ca", "--days", "3650", "--out", "org-ca.crt"],
        ["key", "gen", "--alg", "ecdsa-p256", "--out", "operator.key", "--passphrase-env", "PW"],
        ["cert", "request", "--key", "operator.key", "--passphrase-env", "PW", "--subject",
         "CN=山田 太郎,O=テスト省", "--out", "operator.csr"],
        ["cert", "issue", "--ca-cert", "org-ca.crt", "--ca-key", "org-ca.key", "--csr",
         "operator.csr", "--profile", "erase", "--days", "365", "--out", "operator.crt"],
    ]
    for s in steps:
        run([kagi] + s, cwd=d, env=env)


def data_image(path, src, unattended):
    """The KAGI-DATA stick: FAT32 with the certificate configuration."""
    with open(path, "wb") as f:
        f.truncate(64 << 20)
    run(["mkfs.vfat", "-F", "32", "-n", "KAGI-DATA", path])
    files = {
        "certificate.toml": (
            'organisation = "テスト省 情報システム室"\n'
            'operator = "山田 太郎"\n'
            'role = "情報システム担当"\n'
            'contract = "リース契約 2026-17"\n'
            'destination = "return to lessor"\n'
            'sign_key = "operator.key"\n'
            'sign_cert = "operator.crt"\n'
            'chain = "org-ca.crt"\n'
        ),
        "kagi-live.toml": (
            f"unattended = {'true' if unattended else 'false'}\n"
            "countdown = 3\n"
            'trust = "org-ca.crt"\n'
            + ('passphrase_file = "unattended.pass"\n' if unattended else "")
        ),
    }
    for name, text in files.items():
        with open(os.path.join(src, name), "w") as f:
            f.write(text)
    names = ["certificate.toml", "kagi-live.toml", "operator.key", "operator.crt", "org-ca.crt"]
    if unattended:
        with open(os.path.join(src, "unattended.pass"), "w") as f:
            f.write(PASSPHRASE + "\n")
        names.append("unattended.pass")
    run(["mcopy", "-i", path] + [os.path.join(src, n) for n in names] + ["::/"])


def disk(path, name):
    unit = MARKER + name.encode() + b";"
    block = (unit * (4096 // len(unit) + 1))[:4096]
    with open(path, "wb") as f:
        for _ in range(DISK_SIZE // 4096):
            f.write(block)


def marker_count(path):
    n = 0
    with open(path, "rb") as f:
        tail = b""
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            n += (tail + b).count(MARKER)
            tail = b[-(len(MARKER) - 1):]
    return n


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


class Guest:
    """QEMU with its serial console on stdin/stdout, driven expect-style."""

    def __init__(self, name, args, log_path):
        self.name = name
        self.log = open(log_path, "wb")
        self.buf = b""
        self.start = time.monotonic()
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)

    def _read(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if r:
            b = os.read(self.p.stdout.fileno(), 65536)
            if b:
                self.log.write(b)
                self.log.flush()
                self.buf += b
                return True
        return False

    def expect(self, pattern, timeout):
        """Waits for `pattern` (a regex on the text seen since the last match)."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        end = time.monotonic() + timeout
        while True:
            text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", self.buf)
            m = rx.search(text)
            if m:
                self.buf = text[m.end():]
                return m
            if self.p.poll() is not None:
                while self._read(0):
                    pass
                text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", self.buf)
                m = rx.search(text)
                if m:
                    self.buf = text[m.end():]
                    return m
                raise RuntimeError(f"{self.name}: QEMU exited before {pattern!r}")
            left = end - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"{self.name}: timed out after {timeout} s waiting for {pattern!r}")
            self._read(min(left, 1.0))

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def wait_exit(self, timeout):
        end = time.monotonic() + timeout
        while self.p.poll() is None:
            if time.monotonic() > end:
                self.p.kill()
                raise RuntimeError(f"{self.name}: QEMU did not power off within {timeout} s")
            self._read(1.0)
        while self._read(0):
            pass
        return self.p.returncode

    def elapsed(self):
        return time.monotonic() - self.start

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.log.close()


def qemu_args(firmware, iso, stick, data, nvme, sata, vars_fd):
    # Westmere: AES-NI without AVX. QEMU 7.2's software emulation of AVX is slow enough that
    # with `-cpu max` unlocking the operator's key (PBKDF2, 600 000 iterations) takes 95 s
    # instead of 14 s (measured under qemu-x86_64).
    a = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "Westmere", "-smp", "2", "-m", "1024",
         "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot", "-nic", "none",
         "-smbios", f"type=1,manufacturer={DMI['manufacturer']},product={DMI['product']},serial={DMI['serial']}",
         "-smbios", f"type=3,asset={ASSET}",
         "-drive", f"if=none,id=nvm,file={nvme},format=raw",
         "-device", f"nvme,drive=nvm,serial={DISK_SERIALS['nvme']}",
         "-device", "ahci,id=ahci0",
         "-drive", f"if=none,id=sata,file={sata},format=raw",
         "-device", f"ide-hd,drive=sata,bus=ahci0.0,serial={DISK_SERIALS['sata']}",
         "-device", "qemu-xhci,id=xhci",
         "-drive", f"if=none,id=data,file={data},format=raw",
         "-device", "usb-storage,bus=xhci.0,drive=data"]
    if firmware == "bios":
        a += ["-cdrom", iso, "-boot", "d"]
    else:
        a += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
              "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}",
              "-drive", f"if=none,id=stick,file={stick},format=raw",
              "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=0"]
    return a


def boot_serial(g):
    """Chooses the serial-console entry in the GRUB menu."""
    g.expect(r"kagi-live on the serial console", 300)
    g.send("s")
    t = g.elapsed()
    g.expect(r"kagi-live: KAGI_LIVE_[0-9A-F]{16}", 300)
    return t


def extract(data, dest):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    run(["mcopy", "-s", "-n", "-i", data, "::/certificates", "::/state", "::/sessions", dest])


def certificates(d):
    out = []
    cdir = os.path.join(d, "certificates")
    for n in sorted(os.listdir(cdir)) if os.path.isdir(cdir) else []:
        if n.endswith(".erasure"):
            text = open(os.path.join(cdir, n), encoding="utf-8").read()
            out.append((n, json.loads(text.split("-----BEGIN CMS-----")[0])))
    return out


def unattended(args, firmware, work, iso, pkidir):
    name = f"unattended-{firmware}"
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    nvme, sata, data = (os.path.join(d, x) for x in ("nvme.img", "sata.img", "data.img"))
    disk(nvme, "nvme")
    disk(sata, "sata")
    check(marker_count(nvme) > 1000 and marker_count(sata) > 1000, f"{name}: both disks hold the marker before")
    data_image(data, pkidir, unattended=True)
    stick = os.path.join(d, "stick.img")
    shutil.copyfile(iso, stick)
    vars_fd = os.path.join(d, "vars.fd")
    shutil.copyfile(OVMF_VARS, vars_fd)
    g = Guest(name, qemu_args(firmware, iso, stick, data, nvme, sata, vars_fd), os.path.join(d, "serial.log"))
    try:
        t_menu = boot_serial(g)
        m = g.expect(r"\[a\] erase all|UNATTENDED: erase every internal drive", 600)
        figures[f"{name}: boot to console (s)"] = round(g.elapsed(), 1)
        figures[f"{name}: GRUB menu at (s)"] = round(t_menu, 1)
        check(b"UNATTENDED" in m.group(0), f"{name}: the console starts in unattended mode")
        g.expect(r"erasing 2 internal drive\(s\) in 3 s", 300)
        t0 = g.elapsed()
        g.expect(r"kagi-live: (DONE|FAILED)[^\n]*", 1800)
        figures[f"{name}: erase + certificates (s)"] = round(g.elapsed() - t0, 1)
        rc = g.wait_exit(300)
        figures[f"{name}: whole boot (s)"] = round(g.elapsed(), 1)
    except RuntimeError as e:
        check(False, str(e) + f" (serial log: {d}/serial.log)")
        g.close()
        return
    g.close()
    check(rc == 0, f"{name}: the guest powered off by itself (qemu exit {rc})")
    serial = open(os.path.join(d, "serial.log"), "rb").read().decode("utf-8", "replace")
    check("kagi-live: DONE" in serial, f"{name}: the console says DONE")
    check("leave: the kagi-live boot medium" in serial, f"{name}: the boot medium is listed as never erased")
    out = os.path.join(d, "out")
    extract(data, out)
    certs = certificates(out)
    check(len(certs) == 2, f"{name}: two certificates on the data partition (found {len(certs)})")
    p = run([args.kagi, "certificate", "verify", os.path.join(out, "certificates"), "--trust",
             os.path.join(pkidir, "org-ca.crt")], ok=False)
    check(p.returncode == 0, f"{name}: kagi certificate verify --trust accepts every certificate\n{p.stdout}{p.stderr}")
    serials = sorted(c["device"]["serial"] or "" for _, c in certs)
    check(serials == sorted(DISK_SERIALS.values()), f"{name}: the certificates name the disk serials {serials}")
    for n, c in certs:
        m = c["tool"].get("machine") or {}
        check(m.get("serial") == DMI["serial"] and m.get("manufacturer") == DMI["manufacturer"]
              and m.get("product") == DMI["product"] and m.get("asset_tag") == ASSET,
              f"{name}: {n} names the PC by its DMI identity {m}")
        check(c["sanitization"]["nist_level"] == "Clear" and c["verification"]["mode"] == "full",
              f"{name}: {n} claims Clear after a full read-back")
        check(os.path.exists(os.path.join(out, "certificates", n[:-len(".erasure")] + ".html")),
              f"{name}: {n} has its HTML page")
    p = run([args.kagi, "ledger", "verify", "--ledger", os.path.join(out, "state", "ledger.jsonl"),
             "--certificates", os.path.join(out, "certificates")], ok=False)
    check(p.returncode == 0, f"{name}: the ledger on the stick verifies with every certificate in it\n{p.stdout}{p.stderr}")
    logs = os.listdir(os.path.join(out, "sessions"))
    check(any(x.endswith(".log") for x in logs) and any(x.endswith(".json") for x in logs),
          f"{name}: the session log and report are on the stick ({logs})")
    for x, path in (("nvme", nvme), ("sata", sata)):
        n = marker_count(path)
        check(n == 0, f"{name}: no marker survives on the {x} disk (found {n})")
    if firmware == "uefi":
        check(sha256(stick) == sha256(iso), f"{name}: the boot stick is unchanged")


def interactive(args, work, iso, pkidir):
    name = "interactive-uefi-stick"
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    nvme, sata, data = (os.path.join(d, x) for x in ("nvme.img", "sata.img", "data.img"))
    disk(nvme, "nvme")
    disk(sata, "sata")
    sata_before = marker_count(sata)
    data_image(data, pkidir, unattended=False)
    stick = os.path.join(d, "stick.img")
    shutil.copyfile(iso, stick)
    vars_fd = os.path.join(d, "vars.fd")
    shutil.copyfile(OVMF_VARS, vars_fd)
    g = Guest(name, qemu_args("uefi", iso, stick, data, nvme, sata, vars_fd), os.path.join(d, "serial.log"))
    menu = r"\[a\] erase all internal drives  \[p\] pick drives  \[r\] rescan  \[o\] power off > "
    try:
        boot_serial(g)
        m = g.expect(r"drives of this PC[\s\S]*?" + menu, 600)
        figures[f"{name}: boot to prompt (s)"] = round(g.elapsed(), 1)
        listing = m.group(0).decode("utf-8", "replace")
        lines = listing.splitlines()
        internal = [l for l in lines if "ERASE (internal drive)" in l]
        check(len(internal) == 2 and any("/dev/nvme0n1" in l and DISK_SERIALS["nvme"] in l for l in internal)
              and any(DISK_SERIALS["sata"] in l for l in internal),
              f"{name}: the listing offers exactly the two internal disks, with model and serial")
        boot = [l for l in lines if "leave: the kagi-live boot medium" in l]
        data_line = [l for l in lines if "holds the KAGI-DATA partition" in l]
        check(len(boot) == 1 and len(data_line) == 1, f"{name}: the boot stick and the data stick are left alone")
        check(re.search(r"plan: erase all 2 internal drive\(s\)", listing) is not None, f"{name}: the plan names both internal drives")
        stick_dev = re.search(r"/dev/\w+", boot[0]).group(0) if boot else "/dev/sdz"
        # The boot medium, named: refused (and its partition too).
        g.send("p\r")
        g.expect(r"drives to erase \(numbers or names\): ", 60)
        g.send(stick_dev + "\r")
        m = g.expect(r"(refused[^\n]*\n|type ERASE)", 60)
        check(b"boot medium" in m.group(0), f"{name}: naming the boot medium {stick_dev} is refused: {m.group(0)!r}")
        g.expect(menu, 120)
        g.send("p\r")
        g.expect(r"drives to erase \(numbers or names\): ", 60)
        g.send(stick_dev + "1\r")
        m = g.expect(r"(is a partition of[^\n]*\n|type ERASE)", 60)
        check(b"boot medium" in m.group(0), f"{name}: naming a partition of the boot medium is refused")
        g.expect(menu, 120)
        # Pick the NVMe disk only; cancel once, then confirm.
        g.send("p\r")
        g.expect(r"drives to erase \(numbers or names\): ", 60)
        g.send("nvme0n1\r")
        g.expect(r"type ERASE to erase 1 drive\(s\)[^:]*: ", 60)
        g.send("no\r")
        g.expect(r"cancelled: nothing was written", 60)
        g.expect(menu, 120)
        g.send("p\r")
        g.expect(r"drives to erase \(numbers or names\): ", 60)
        g.send("/dev/nvme0n1\r")
        g.expect(r"type ERASE to erase 1 drive\(s\)[^:]*: ", 60)
        g.send("ERASE\r")
        g.expect(r"passphrase of the signing key [^:]*: ", 60)
        g.send("wrong passphrase\r")
        g.expect(r"not unlocked", 300)
        g.expect(r"passphrase of the signing key [^:]*: ", 60)
        g.send(PASSPHRASE + "\r")
        g.expect(r"the signing key is unlocked", 300)
        g.expect(r"/dev/nvme0n1 +pass 1/1 verify", 900)
        m = g.expect(r"device +serial +method +level +verified +signature +certificate\s*\n[^\n]*\n", 1200)
        row = m.group(0).decode("utf-8", "replace").splitlines()[-1]
        check(re.search(r"/dev/nvme0n1 +" + DISK_SERIALS["nvme"] + r" +random +Clear +yes \(full, 67108864 B\) +valid +[0-9a-f]{32}", row)
              is not None, f"{name}: the summary row: {row.strip()}")
        g.expect(r"press Enter for the menu ", 120)
        g.send("\r")
        g.expect(menu, 300)
        g.send("o\r")
        rc = g.wait_exit(300)
    except RuntimeError as e:
        check(False, str(e) + f" (serial log: {d}/serial.log)")
        g.close()
        return
    g.close()
    check(rc == 0, f"{name}: powered off from the menu")
    check(marker_count(nvme) == 0, f"{name}: the picked NVMe disk holds no marker")
    check(marker_count(sata) == sata_before, f"{name}: the AHCI disk, not picked, still holds every marker")
    check(sha256(stick) == sha256(iso), f"{name}: the boot stick is unchanged")
    out = os.path.join(d, "out")
    extract(data, out)
    certs = certificates(out)
    check(len(certs) == 1 and certs[0][1]["device"]["serial"] == DISK_SERIALS["nvme"],
          f"{name}: one certificate, for the NVMe disk")
    p = run([args.kagi, "certificate", "verify", os.path.join(out, "certificates"), "--trust",
             os.path.join(pkidir, "org-ca.crt")], ok=False)
    check(p.returncode == 0, f"{name}: the certificate verifies on the host\n{p.stdout}{p.stderr}")
    log = "".join(open(os.path.join(out, "sessions", x), encoding="utf-8", errors="replace").read()
                  for x in os.listdir(os.path.join(out, "sessions")) if x.endswith(".log"))
    check("refused" in log and "boot medium" in log and PASSPHRASE not in log,
          f"{name}: the session log has the refusal and never the passphrase")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", required=True)
    ap.add_argument("--kagi", required=True, help="the host's kagi binary (PKI, verification)")
    ap.add_argument("--work", default=None)
    ap.add_argument("--only", choices=["bios", "uefi", "interactive"], action="append")
    args = ap.parse_args()
    need_tools()
    if not os.path.isfile(args.iso):
        sys.exit(f"qemu_test.py: {args.iso}: no such image")
    work = args.work or os.path.join(os.path.dirname(os.path.abspath(args.iso)), "qemu-test")
    os.makedirs(work, exist_ok=True)
    pkidir = os.path.join(work, "pki")
    shutil.rmtree(pkidir, ignore_errors=True)
    os.makedirs(pkidir)
    pki(os.path.abspath(args.kagi), pkidir)
    args.kagi = os.path.abspath(args.kagi)
    figures["image size (MiB)"] = round(os.path.getsize(args.iso) / 1048576, 1)
    started = time.monotonic()
    only = args.only or ["bios", "uefi", "interactive"]
    for fw in ("bios", "uefi"):
        if fw in only:
            unattended(args, fw, work, args.iso, pkidir)
    if "interactive" in only:
        interactive(args, work, args.iso, pkidir)
    figures["all boots (s)"] = round(time.monotonic() - started, 1)
    for k, v in figures.items():
        print(f"figure: {k}: {v}")
    if failures:
        print(f"qemu_test.py: {len(failures)} check(s) failed (logs in {work})")
        sys.exit(1)
    print("qemu_test.py: all checks passed")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
