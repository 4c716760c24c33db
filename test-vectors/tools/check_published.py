#!/usr/bin/env python3
"""Cross-check the hash, HMAC, HKDF and PBKDF2 vectors of kat/published.toml with Python's
standard library (and the AES-CBC ones with `openssl enc`), implementations independent of kagi's. Run from test-vectors/."""
import hashlib, hmac, tomllib
v = tomllib.load(open("kat/published.toml", "rb"))
H = {"sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512", "sha-512/256": "sha512_256",
     "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512"}
n = 0
for t in v["hash"]:
    m = bytes.fromhex(t["msg"])
    if t["name"].startswith("shake"):
        fn, bits = t["name"].split("-"); got = hashlib.new(fn, m).hexdigest(int(bits) // 8)
    else:
        got = hashlib.new(H[t["name"]], m).hexdigest()
    assert got == t["digest"], t["name"]; n += 1
for t in v["hmac"]:
    h = H[t["name"][5:]]
    assert hmac.new(bytes.fromhex(t["key"]), bytes.fromhex(t["msg"]), h).hexdigest() == t["tag"], t["name"]; n += 1
for t in v["hkdf"]:
    prk = hmac.new(bytes.fromhex(t["salt"]), bytes.fromhex(t["ikm"]), "sha256").digest()
    okm, blk, i = b"", b"", 1
    while len(okm) < len(t["okm"]) // 2:
        blk = hmac.new(prk, blk + bytes.fromhex(t["info"]) + bytes([i]), "sha256").digest(); okm += blk; i += 1
    assert okm[: len(t["okm"]) // 2].hex() == t["okm"]; n += 1
for t in v["pbkdf2"]:
    dk = hashlib.pbkdf2_hmac("sha256", bytes.fromhex(t["password"]), bytes.fromhex(t["salt"]), t["iterations"], len(t["dk"]) // 2)
    assert dk.hex() == t["dk"]; n += 1
import subprocess
for t in v.get("cbc", []):
    bits = len(t["key"]) * 4
    out = subprocess.run(["openssl", "enc", f"-aes-{bits}-cbc", "-nopad", "-K", t["key"], "-iv", t["iv"]],
                         input=bytes.fromhex(t["pt"]), capture_output=True, check=True).stdout
    assert out.hex() == t["ct"], t["name"]; n += 1
for t in v.get("mode", []):
    out = subprocess.run(["openssl", "enc", f"-{t['name']}", "-nopad", "-K", t["key"], "-iv", t["iv"]],
                         input=bytes.fromhex(t["pt"]), capture_output=True, check=True).stdout
    assert out.hex() == t["ct"], t["name"]; n += 1
print(f"{n} vectors agree with Python's hashlib/hmac")
