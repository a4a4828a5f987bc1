#!/usr/bin/python3
"""pxe_wire.py PCAP - who said what to whom in a PXE boot capture.

One line per DHCP/BOOTP message (ports 67, 68 and 4011) and per TFTP request
(port 69), with both ends, and for DHCP the fields a PXE client acts on:

    3.016 192.0.2.1:67 > 255.255.255.255:68 OFFER yiaddr=192.0.2.125 siaddr=0.0.0.0 file= 54=192.0.2.1
    4.737 192.0.2.124:1536 > 192.0.2.2:69 RRQ grub/x86_64-efi/core.efi

Used to show where a proxyDHCP boot goes wrong (scripts/proxy-boot CAPTURE=);
the pcap reader is scripts/pxe-timeline's.
"""
import importlib.machinery
import importlib.util
import os
import socket
import sys

TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
         7: "RELEASE", 8: "INFORM"}


def load_timeline():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "pxe-timeline")
    loader = importlib.machinery.SourceFileLoader("pxe_timeline", path)
    spec = importlib.util.spec_from_loader("pxe_timeline", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def options(p):
    """{code: bytes} of a DHCP payload's options; stops at the end or a short one."""
    out, i = {}, 240
    while i + 1 < len(p) and p[i] != 255:
        if p[i] == 0:
            i += 1
            continue
        out[p[i]] = p[i + 2:i + 2 + p[i + 1]]
        i += 2 + p[i + 1]
    return out


def describe_dhcp(p):
    if len(p) < 240:
        return "short BOOTP"
    o = options(p)
    kind = TYPES.get(o.get(53, b"\0")[0], "BOOTP")
    line = "%s yiaddr=%s ciaddr=%s siaddr=%s file=%s" % (
        kind, socket.inet_ntoa(p[16:20]), socket.inet_ntoa(p[12:16]),
        socket.inet_ntoa(p[20:24]), p[108:236].split(b"\0")[0].decode(errors="replace"))
    if 54 in o and len(o[54]) == 4:
        line += " 54=" + socket.inet_ntoa(o[54])
    if 60 in o:
        line += " 60=" + o[60].decode(errors="replace")
    if 43 in o:
        line += " 43=" + o[43].hex()
    return line


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: pxe_wire.py PCAP")
    start = None
    for t, src, sport, dst, dport, p in load_timeline().udp_datagrams(sys.argv[1]):
        if {sport, dport} & {67, 68, 4011}:
            what = describe_dhcp(p)
        elif dport == 69 and p[:2] == b"\0\1":
            what = "RRQ " + p[2:].split(b"\0")[0].decode(errors="replace")
        else:
            continue
        start = t if start is None else start
        print("%7.3f %s:%d > %s:%d %s" % (t - start, src, sport, dst, dport, what))


if __name__ == "__main__":
    main()
