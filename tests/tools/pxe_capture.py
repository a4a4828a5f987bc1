#!/usr/bin/python3
"""pxe_capture.py - write a small PXE boot capture for scripts/pxe-timeline.

  pxe_capture.py DIR
      writes DIR/plain.pcap (Ethernet frames, as tcpdump on e1000 saves
      them) and DIR/vnet.pcap (the same frames behind a 10-byte vnet header,
      as QEMU's filter-dump saves virtio-net). Both hold, timed from 1000 s:
      a DHCP exchange (DISCOVER 0.000, OFFER 0.004, REQUEST 3.500,
      ACK 3.504 for 192.0.2.100), an edk2-style size probe (RRQ, OACK,
      ERROR 8) and a 3-block transfer of boot.efi (2,500 bytes, blksize
      1000) from 3.700 to its last block at 4.100 and the ACK at 4.101.
"""
import struct
import sys


def ip_udp(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    return b"\xff" * 6 + b"\x52\x54\x00\x00\x0b\x01" + b"\x08\x00" + ip + udp


def dhcp(op, kind, yiaddr="0.0.0.0"):
    b = bytearray(240)
    b[0] = op
    b[16:20] = bytes(map(int, yiaddr.split(".")))
    b[236:240] = b"\x63\x82\x53\x63"
    return bytes(b) + bytes([53, 1, kind, 255])


C, S = "192.0.2.100", "192.0.2.1"
PKTS = [
    (0.000, ip_udp("0.0.0.0", "255.255.255.255", 68, 67, dhcp(1, 1))),
    (0.004, ip_udp(S, "255.255.255.255", 67, 68, dhcp(2, 2, C))),
    (3.500, ip_udp("0.0.0.0", "255.255.255.255", 68, 67, dhcp(1, 3))),
    (3.504, ip_udp(S, "255.255.255.255", 67, 68, dhcp(2, 5, C))),
    # size probe: RRQ, OACK, ERROR 8: no data, not a file
    (3.600, ip_udp(C, S, 1032, 69, b"\0\1boot.efi\0octet\0tsize\0" + b"0\0")),
    (3.601, ip_udp(S, C, 40000, 1032, b"\0\6tsize\0" + b"2500\0")),
    (3.602, ip_udp(C, S, 1032, 40000, b"\0\5\0\x08\0")),
    # the transfer: 1000 + 1000 + 500 bytes, last block at 4.100
    (3.700, ip_udp(C, S, 1033, 69, b"\0\1boot.efi\0octet\0blksize\0" + b"1000\0")),
    (3.800, ip_udp(S, C, 40001, 1033, b"\0\3\0\1" + b"x" * 1000)),
    (3.900, ip_udp(S, C, 40001, 1033, b"\0\3\0\2" + b"x" * 1000)),
    (4.100, ip_udp(S, C, 40001, 1033, b"\0\3\0\3" + b"x" * 500)),
    (4.101, ip_udp(C, S, 1033, 40001, b"\0\4\0\3")),
]


def main():
    for name, lead in (("plain", b""), ("vnet", b"\0" * 10)):
        with open(f"{sys.argv[1]}/{name}.pcap", "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, fr in PKTS:
                rec = lead + fr
                f.write(struct.pack("<IIII", 1000 + int(t), round((t % 1) * 1e6), len(rec), len(rec)) + rec)


if __name__ == "__main__":
    main()
