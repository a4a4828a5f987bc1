#!/usr/bin/python3
"""pcap_live.py IFACE SECONDS OUT.pcap - record an interface's frames.

A small tcpdump -w for the test namespaces (no packages needed): every
Ethernet frame seen on IFACE, both ways, for SECONDS at most or until
SIGTERM, written to OUT.pcap (classic format, microseconds). Each frame is
written as it arrives, so a test may read the file while this still runs.
tests/tools/pxe_wire.py and scripts/pxe-timeline read the result.
"""
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def main():
    if len(sys.argv) != 4:
        raise SystemExit("usage: pcap_live.py IFACE SECONDS OUT.pcap")
    iface, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    end = time.time() + seconds
    with open(out, "wb", buffering=0) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        while time.time() < end and not stop:
            try:
                frame = s.recv(65535)
            except socket.timeout:
                continue
            now = time.time()
            f.write(struct.pack("<IIII", int(now), int((now % 1) * 1e6), len(frame), len(frame))
                    + frame)


if __name__ == "__main__":
    main()
