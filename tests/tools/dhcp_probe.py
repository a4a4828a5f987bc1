#!/usr/bin/python3
"""dhcp_probe.py - send one hand-made DHCP message and print the replies.

Used by the integration tests for what real clients can't be told to do:
a REQUEST naming another server, a relayed DISCOVER (giaddr), a PXE-style
DISCOVER with option 93, a short lease (option 51), a DECLINE. Prints one line per reply:
    reply type=2 yiaddr=192.0.2.100 siaddr=192.0.2.1 file=bios/pxelinux.0 opts=53,54,208,...
and exits 0 when at least one reply arrived (1 otherwise).
"""
import argparse, socket, struct, sys, time

def build(msgtype, mac, xid, giaddr="0.0.0.0", broadcast=True, opts=()):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1 if giaddr != "0.0.0.0" else 0,
                      xid, 0, 0x8000 if broadcast else 0, b"\0" * 4, b"\0" * 4, b"\0" * 4,
                      socket.inet_aton(giaddr), mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    body = b"\x63\x82\x53\x63" + bytes([53, 1, msgtype])
    for code, val in opts:
        body += bytes([code, len(val)]) + val
    return hdr + body + b"\xff"

def parse(data):
    if len(data) < 240 or data[0] != 2:
        return None
    xid, = struct.unpack("!I", data[4:8])
    yiaddr = socket.inet_ntoa(data[16:20]); siaddr = socket.inet_ntoa(data[20:24])
    fname = data[108:236].split(b"\0")[0].decode(errors="replace")
    opts, i = {}, 240
    order = []
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1; continue
        code, ln = data[i], data[i + 1]
        opts[code] = data[i + 2:i + 2 + ln]; order.append(code)
        i += 2 + ln
    return xid, yiaddr, siaddr, fname, opts, order

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--type", type=int, default=1)
    ap.add_argument("--mac", default="52:54:00:aa:bb:01")
    ap.add_argument("--requested")
    ap.add_argument("--server-id")
    ap.add_argument("--arch", type=int)
    ap.add_argument("--lease", type=int, help="ask for this lease time (option 51)")
    ap.add_argument("--prl", default="")
    ap.add_argument("--relay", help="act as a relay at this address (giaddr), port 67")
    ap.add_argument("--server", default="255.255.255.255")
    ap.add_argument("--wait", type=float, default=3.0)
    a = ap.parse_args()
    mac = bytes(int(x, 16) for x in a.mac.split(":"))
    opts = []
    if a.requested: opts.append((50, socket.inet_aton(a.requested)))
    if a.server_id: opts.append((54, socket.inet_aton(a.server_id)))
    if a.arch is not None: opts.append((93, struct.pack("!H", a.arch)))
    if a.lease is not None: opts.append((51, struct.pack("!I", a.lease)))
    if a.prl: opts.append((55, bytes(int(x) for x in a.prl.split(","))))
    xid = int(time.time() * 1000) & 0xffffffff
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    if a.relay:
        s.bind((a.relay, 67))
        pkt = build(a.type, mac, xid, giaddr=a.relay, broadcast=False, opts=opts)
    else:
        s.bind(("0.0.0.0", 68))
        pkt = build(a.type, mac, xid, opts=opts)
    s.sendto(pkt, (a.server, 67))
    s.settimeout(0.2)
    got = 0
    end = time.time() + a.wait
    while time.time() < end:
        try:
            data, src = s.recvfrom(4096)
        except socket.timeout:
            continue
        r = parse(data)
        if not r or r[0] != xid:
            continue
        xid_, yi, si, fname, o, order = r
        t = o.get(53, b"\0")[0]
        print("reply from=%s:%d type=%d yiaddr=%s siaddr=%s file=%s opts=%s" %
              (src[0], src[1], t, yi, si, fname, ",".join(map(str, order))))
        got += 1
    return 0 if got else 1

if __name__ == "__main__":
    sys.exit(main())
