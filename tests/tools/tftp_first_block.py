#!/usr/bin/python3
"""tftp_first_block.py - start a TFTP read, take block 1 and go silent.

  tftp_first_block.py SERVER FILE
      send an RRQ (octet, no options) for FILE to SERVER:69, wait up to 3 s
      for DATA block 1, acknowledge it, wait for block 2 and exit without
      acknowledging that, so the server has to resend, give up and report
      the transfer failed. (A client that never acknowledged anything ends
      quietly, without a report: its address may be forged.) Exits non-zero
      when a block does not come.
"""
import socket
import sys


def main():
    server, name = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(b"\0\x01" + name.encode() + b"\0octet\0", (server, 69))
    data, peer = s.recvfrom(1000)
    assert data[:4] == b"\0\x03\0\x01", data[:4]
    s.sendto(b"\0\x04\0\x01", peer)
    data, _ = s.recvfrom(1000)
    assert data[:4] == b"\0\x03\0\x02", data[:4]


if __name__ == "__main__":
    main()
