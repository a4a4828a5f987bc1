#!/usr/bin/python3
"""gen_leases.py OUT [--count N] [--base 10.0.0.0] [--seed S] - write a lease
file of N journal records (default 135,000: a /16 pool's worth plus
renewals), as netbootd writes them: one "lease ... crc=XXXXXXXX" line each,
the CRC-32 over the text before " crc=". Addresses run upwards from --base
(wrapping inside its /16 after 65,534), so later lines renew earlier
leases the way a long-running journal does. Used to test and time
`netbootd --leases` on a big file."""
import argparse, ipaddress, random, zlib

def record(ip, mac, cid, n, rnd):
    host = "node-%d" % n if n % 3 else "-"          # a hostname of "-" is written %2D
    host = "%2D" if host == "-" else host
    line = ("lease ip=%s mac=%s cid=%s state=bound expires=%d updated=%d arch=%d class=uefi64 "
            "host=%s stage=tftp-done stage-time=%d file=efi64/syslinux.efi" %
            (ip, mac, cid, 1790000000 + n, 1789999400 + n, rnd.choice((0, 7, 9)), host,
             1789999430 + n))
    return "%s crc=%08x\n" % (line, zlib.crc32(line.encode()))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=135000)
    ap.add_argument("--base", default="10.0.0.0")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    base = int(ipaddress.IPv4Address(a.base)) & 0xffff0000
    with open(a.out, "w") as f:
        for n in range(a.count):
            host = n % 65534 + 1
            ip = ipaddress.IPv4Address(base + host)
            mac = "02:00:00:%02x:%02x:%02x" % (host >> 16 & 255, host >> 8 & 255, host & 255)
            cid = "01" + mac.replace(":", "") if n % 2 else "-"
            f.write(record(ip, mac, cid, n, rnd))

main()
