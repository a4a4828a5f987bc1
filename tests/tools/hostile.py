#!/usr/bin/python3
"""hostile.py - garbage for netbootd's DHCP and TFTP ports (bounded).

Sends, from the client namespace: empty and 1-byte datagrams, every
truncation of a valid DISCOVER, bad cookies, options running past the end,
option 52 pointing at garbage, a 255-entry PRL, hlen 17, BOOTREPLYs,
--random random datagrams to each port, and malformed TFTP requests
(no NUL, a huge name, unknown modes, odd options, escapes, WRQ).
"""
import argparse, os, random, socket, struct, time

def discover(mac=b"\x52\x54\x00\xee\xee\x01", extra=b""):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x1234, 0, 0x8000, b"\0" * 4,
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    return hdr + b"\x63\x82\x53\x63\x35\x01\x01" + extra + b"\xff"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="192.0.2.1")
    ap.add_argument("--random", type=int, default=10000)
    a = ap.parse_args()
    rnd = random.Random(7)
    d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    def dhcp(p):
        nonlocal sent
        d.sendto(p, (a.server, 67)); sent += 1
    def tftp(p):
        nonlocal sent
        t.sendto(p, (a.server, 69)); sent += 1
    dhcp(b""); dhcp(b"\x01")
    good = discover()
    for n in range(len(good)):
        dhcp(good[:n])
    dhcp(good[:236] + b"\x63\x82\x53\x64" + good[240:])
    dhcp(discover(extra=b"\x0c\xc8abc"))                       # length past the end
    dhcp(discover(extra=b"\x34\x01\x03"))                      # 52 over zeroed file/sname
    g = bytearray(discover(extra=b"\x34\x01\x03"))
    g[108:236] = bytes([0x34, 1, 3]) * 42 + b"\x01\x01"        # 52 inside file
    dhcp(bytes(g))
    dhcp(discover(extra=b"\x37\xff" + bytes(range(255))))       # 255-entry PRL
    h = bytearray(good); h[2] = 17; dhcp(bytes(h))
    r = bytearray(good); r[0] = 2; dhcp(bytes(r))
    dhcp(discover(extra=b"\x35\x05\x01\x02\x03\x04\x05"))       # second, malformed 53
    dhcp(good + b"\0" * 5000)                                   # oversized
    for _ in range(a.random):
        dhcp(rnd.randbytes(rnd.randint(0, 700)))
        if rnd.random() < 0.5:
            b = bytearray(good); b[rnd.randrange(len(b))] = rnd.randrange(256); dhcp(bytes(b))
    tftp(b""); tftp(b"\x00\x01nonul"); tftp(b"\x00\x01" + b"a" * 2000 + b"\0octet\0")
    tftp(b"\x00\x01x\0mail\0"); tftp(b"\x00\x01x\0octet\0blksize\0" + b"9" * 50 + b"\0")
    tftp(b"\x00\x01x\0octet\0windowsize\0"); tftp(b"\x00\x01../../etc/passwd\0octet\0")
    tftp(b"\x00\x02evil\0octet\0"); tftp(b"\x00\x04\x00\x01"); tftp(b"\x00\x09junk")
    tftp(b"\x00\x05\x00\x01err\0")
    for _ in range(a.random // 10):
        tftp(rnd.randbytes(rnd.randint(0, 600)))
        time.sleep(0.0005)
    print("sent=%d" % sent)

if __name__ == "__main__":
    main()
