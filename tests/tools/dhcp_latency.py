#!/usr/bin/python3
"""dhcp_latency.py - how long the DHCP server takes to answer, over time.

Sends a DHCPDISCOVER (broadcast on --iface, new xid each) every --interval
seconds for --seconds, and prints the slowest answer and how many went
unanswered: "max_ms=N median_ms=M lost=K sent=S". Used to see whether
something else the daemon does (a burst of TFTP requests) stalls DHCP.
"""
import argparse, random, select, socket, struct, sys, time

def discover(mac, xid):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4,
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    return hdr + b"\x63\x82\x53\x63" + bytes([53, 1, 1]) + b"\xff"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--mac", default="52:54:00:aa:cc:01")
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--interval", type=float, default=0.02)
    a = ap.parse_args()
    mac = bytes(int(x, 16) for x in a.mac.split(":"))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    s.bind(("0.0.0.0", 68))
    sent, rtts = {}, []
    xid = random.getrandbits(31)
    end = time.time() + a.seconds
    next_send = time.time()
    while time.time() < end + 1.0:
        now = time.time()
        if now >= next_send and now < end:
            xid += 1
            sent[xid] = now
            s.sendto(discover(mac, xid), ("255.255.255.255", 67))
            next_send = now + a.interval
        r, _, _ = select.select([s], [], [], max(0.0, min(next_send - time.time(), 0.05)))
        if r:
            data = s.recv(4096)
            if len(data) >= 240 and data[0] == 2:
                rx, = struct.unpack("!I", data[4:8])
                if rx in sent:
                    rtts.append(time.time() - sent.pop(rx))
    rtts.sort()
    mx = rtts[-1] * 1000 if rtts else -1
    med = rtts[len(rtts) // 2] * 1000 if rtts else -1
    print("max_ms=%.1f median_ms=%.1f lost=%d sent=%d" % (mx, med, len(sent), len(sent) + len(rtts)))
    return 0 if rtts else 1

if __name__ == "__main__":
    sys.exit(main())
