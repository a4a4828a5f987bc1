#!/usr/bin/python3
"""dhcp_probe.py - send one hand-made DHCP message and print the replies.

Used by the integration tests for what real clients can't be told to do:
a REQUEST naming another server, a relayed DISCOVER (giaddr), a PXE-style
DISCOVER with option 93, a short lease (option 51), a DECLINE, a PXE firmware's DISCOVER (60
PXEClient, 93, 97) and its REQUEST to a proxyDHCP server's port 4011
(--port 4011), and what a
hostile client sends: giaddr or ciaddr of its choosing, from any port, to
a broadcast or unicast address, many times. Prints one line per reply:
    reply type=2 yiaddr=192.0.2.100 siaddr=192.0.2.1 file=bios/pxelinux.0 opts=53,54,208,...
and exits 0 when at least one reply arrived (1 otherwise).
"""
import argparse, select, socket, struct, sys, time

def build(msgtype, mac, xid, giaddr="0.0.0.0", broadcast=True, opts=(), ciaddr="0.0.0.0"):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1 if giaddr != "0.0.0.0" else 0,
                      xid, 0, 0x8000 if broadcast else 0, socket.inet_aton(ciaddr), b"\0" * 4,
                      b"\0" * 4, socket.inet_aton(giaddr), mac + b"\0" * 10, b"\0" * 64,
                      b"\0" * 128)
    if msgtype == 0:        # plain BOOTP: no options at all
        return hdr + b"\x63\x82\x53\x63\xff"
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
    ap.add_argument("--giaddr", help="giaddr without acting as a relay")
    ap.add_argument("--ciaddr", default="0.0.0.0")
    ap.add_argument("--bind", default="0.0.0.0", help="source address")
    ap.add_argument("--sport", type=int, help="source port (default 68, 67 with --relay)")
    ap.add_argument("--listen67", action="store_true",
                    help="also catch replies sent to port 67 (to a giaddr on this host)")
    ap.add_argument("--vendor-class", help="option 60, e.g. PXEClient:Arch:00000:UNDI:002001")
    ap.add_argument("--uuid", help="option 97 (type 0 + these 16 hex bytes)")
    ap.add_argument("--user-class", help="option 77 as iPXE sends it")
    ap.add_argument("--port", type=int, default=67, help="server port (4011: proxyDHCP)")
    ap.add_argument("--count", type=int, default=1, help="send this many (new xid each)")
    ap.add_argument("--wait", type=float, default=3.0)
    a = ap.parse_args()
    mac = bytes(int(x, 16) for x in a.mac.split(":"))
    opts = []
    if a.requested: opts.append((50, socket.inet_aton(a.requested)))
    if a.server_id: opts.append((54, socket.inet_aton(a.server_id)))
    if a.arch is not None: opts.append((93, struct.pack("!H", a.arch)))
    if a.lease is not None: opts.append((51, struct.pack("!I", a.lease)))
    if a.prl: opts.append((55, bytes(int(x) for x in a.prl.split(","))))
    if a.vendor_class: opts.append((60, a.vendor_class.encode()))
    if a.uuid: opts.append((97, b"\0" + bytes.fromhex(a.uuid)))
    if a.user_class: opts.append((77, a.user_class.encode()))
    xid0 = int(time.time() * 1000) & 0xffffffff
    xids = set((xid0 + i) & 0xffffffff for i in range(a.count))
    def sock(addr, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
        s.bind((addr, port))
        return s
    giaddr = a.relay or a.giaddr or "0.0.0.0"
    sport = a.sport if a.sport is not None else (67 if a.relay else 68)
    s = sock(a.relay or a.bind, sport)
    socks = [s]
    if a.listen67 and sport != 67:
        socks.append(sock("0.0.0.0", 67))
    for xid in sorted(xids):
        pkt = build(a.type, mac, xid, giaddr=giaddr, broadcast=not a.relay, opts=opts,
                    ciaddr=a.ciaddr)
        s.sendto(pkt, (a.server, a.port))
    got = 0
    end = time.time() + a.wait
    while time.time() < end:
        ready, _, _ = select.select(socks, [], [], 0.2)
        for r_sock in ready:
            data, src = r_sock.recvfrom(4096)
            r = parse(data)
            if not r or r[0] not in xids:
                continue
            xid_, yi, si, fname, o, order = r
            t = o.get(53, b"\0")[0]
            extra = ""
            if 60 in o: extra += " vci=%s" % o[60].decode(errors="replace")
            if 43 in o: extra += " opt43=%s" % o[43].hex()
            if 97 in o: extra += " opt97=%s" % o[97].hex()
            if 67 in o: extra += " opt67=%s" % o[67].decode(errors="replace")
            print("reply from=%s:%d type=%d yiaddr=%s siaddr=%s file=%s opts=%s port=%d%s" %
                  (src[0], src[1], t, yi, si, fname, ",".join(map(str, order)),
                   r_sock.getsockname()[1], extra))
            got += 1
    return 0 if got else 1

if __name__ == "__main__":
    sys.exit(main())
