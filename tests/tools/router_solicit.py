#!/usr/bin/python3
"""router_solicit.py - IPv6 router discovery from a test namespace.

  router_solicit.py --iface cli0 solicit [--hop-limit N] [--wait S]
      send one router solicitation to ff02::2 and print each router
      advertisement that comes back within S seconds:
      "ra from ADDR to DST hops=H lifetime=L flags=F options=T:HEX,..."
      or "no ra" when none does.
  router_solicit.py --iface cli0 advertise [--hop-limit N] [--source ADDR]
      send one router advertisement (lifetime 1800 s) to ff02::1, as a real
      router on the link would (hop limit 255, from the link-local address);
      --hop-limit and --source forge one that a host must ignore.
  router_solicit.py --iface cli0 respond [--wait S]
      act as that router: answer the first router solicitation heard within
      S seconds with such an advertisement; print "answered ADDR" or
      "no solicitation".
"""
import argparse
import select
import socket
import struct
import time

ALL_ROUTERS = "ff02::2"
ALL_NODES = "ff02::1"


def mac_of(iface):
    with open(f"/sys/class/net/{iface}/address") as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def open_socket(iface, hops):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    return s


def describe(data, src, cmsgs):
    hops, dst = None, "?"
    for level, kind, value in cmsgs:
        if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_HOPLIMIT:
            hops = struct.unpack("@i", value[:4])[0]
        elif level == socket.IPPROTO_IPV6 and kind == socket.IPV6_PKTINFO:
            dst = socket.inet_ntop(socket.AF_INET6, value[:16])
    _, _, _, _, flags, lifetime = struct.unpack("!BBHBBH", data[:8])
    opts, i = [], 16
    while i + 2 <= len(data) and data[i + 1]:
        size = data[i + 1] * 8
        opts.append(f"{data[i]}:{data[i + 2:i + size].hex()}")
        i += size
    return f"ra from {src[0].split('%')[0]} to {dst} hops={hops} lifetime={lifetime} flags={flags} " \
           f"options={','.join(opts)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("mode", choices=["solicit", "advertise", "respond"])
    ap.add_argument("--hop-limit", type=int, default=255)
    ap.add_argument("--wait", type=float, default=2.0)
    ap.add_argument("--source", help="send from this (global) address")
    a = ap.parse_args()
    idx = socket.if_nametoindex(a.iface)
    s = open_socket(a.iface, a.hop_limit)
    if a.source:
        s.bind((a.source, 0))
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0) + bytes([1, 1]) + mac_of(a.iface)
    if a.mode == "advertise":
        s.sendto(ra, (ALL_NODES, 0, 0, idx))
        print("sent ra")
        return
    if a.mode == "respond":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                     socket.inet_pton(socket.AF_INET6, ALL_ROUTERS) + struct.pack("@I", idx))
        end = time.monotonic() + a.wait
        while (left := end - time.monotonic()) > 0:
            if not select.select([s], [], [], left)[0]:
                break
            data, _, _, src = s.recvmsg(2048, 256)
            if data and data[0] == 133:
                s.sendto(ra, (ALL_NODES, 0, 0, idx))
                print(f"answered {src[0].split('%')[0]}", flush=True)
                return
        print("no solicitation")
        return
    rs = struct.pack("!BBHI", 133, 0, 0, 0) + bytes([1, 1]) + mac_of(a.iface)
    s.sendto(rs, (ALL_ROUTERS, 0, 0, idx))
    end = time.monotonic() + a.wait
    seen = 0
    while (left := end - time.monotonic()) > 0:
        if not select.select([s], [], [], left)[0]:
            break
        data, cmsgs, _, src = s.recvmsg(2048, 256)
        if len(data) >= 16 and data[0] == 134:
            print(describe(data, src, cmsgs), flush=True)
            seen += 1
    if not seen:
        print("no ra")


if __name__ == "__main__":
    main()
