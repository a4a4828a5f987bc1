#!/usr/bin/python3
"""dora_burst.py - many clients doing DISCOVER/OFFER/REQUEST/ACK in a row.

Each client has its own MAC (02:nn:nn:nn:nn:nn from a seed). Every ACK is
written, flushed, as "ack MAC IP" to --out the moment it arrives, so a test
that kill -9s the server knows exactly what was acknowledged. Bounded by
--count clients and --seconds.
"""
import argparse, random, socket, struct, sys, time

def pkt(t, mac, xid, opts=b""):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4,
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    return hdr + b"\x63\x82\x53\x63" + bytes([53, 1, t]) + opts + b"\xff"

def opt(data, code):
    i = 240
    while i + 1 < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1; continue
        if data[i] == code:
            return data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return None

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--pace", type=float, default=0, help="seconds between clients")
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    s.bind(("0.0.0.0", 68))
    s.settimeout(0.3)
    out = open(a.out, "a", buffering=1)
    end = time.time() + a.seconds
    acks = 0
    rnd = random.Random(a.seed)
    for n in range(a.count):
        if time.time() > end:
            break
        if a.pace:
            time.sleep(a.pace)
        mac = bytes([2]) + rnd.randbytes(5)
        xid = rnd.getrandbits(32)
        try:
            s.sendto(pkt(1, mac, xid), ("255.255.255.255", 67))
            offer = None
            t0 = time.time()
            while time.time() - t0 < 1.0:
                data, _ = s.recvfrom(2048)
                if data[4:8] == struct.pack("!I", xid) and opt(data, 53) == b"\x02":
                    offer = data; break
            if not offer:
                continue
            yi = offer[16:20]
            sid = opt(offer, 54)
            s.sendto(pkt(3, mac, xid, bytes([50, 4]) + yi + bytes([54, 4]) + sid), ("255.255.255.255", 67))
            t0 = time.time()
            while time.time() - t0 < 1.0:
                data, _ = s.recvfrom(2048)
                if data[4:8] == struct.pack("!I", xid) and opt(data, 53) in (b"\x05", b"\x06"):
                    if opt(data, 53) == b"\x05":
                        out.write("ack %s %s\n" % (":".join("%02x" % b for b in mac), socket.inet_ntoa(data[16:20])))
                        acks += 1
                    break
        except (socket.timeout, OSError):
            continue
    print("acks=%d" % acks)
    return 0

if __name__ == "__main__":
    sys.exit(main())
