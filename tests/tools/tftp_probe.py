#!/usr/bin/python3
"""tftp_probe.py - packet-level TFTP checks against 192.0.2.1 (tftp_clients.sh).

  tftp_probe.py empty-tsize
      RRQ empty.cfg with tsize 0 and blksize: OACK with tsize 0, then one
      empty DATA block.
  tftp_probe.py size-probe
      edk2's size probe of sub/medium.bin: RRQ tsize 0 (and blksize,
      windowsize), OACK with tsize 3000000, then ERROR 8.
  tftp_probe.py wrong-tid
      read sub/medium.bin; an ACK from a second port gets ERROR 5 and the
      transfer goes on.
  tftp_probe.py slow-lockstep
      read sub/medium.bin (3,000,000 bytes) lock-step, 0.5 ms before each
      ACK.
  tftp_probe.py slow-window
      read sub/medium.bin with blksize 1468 and windowsize 16, 3 ms before
      each window's ACK.
  tftp_probe.py netascii-window FILE
      read lines.txt in netascii with blksize 512 and windowsize 8 (no
      tsize in the OACK), signal a gap in the second window (ACK 10 after
      block 12), and check the bytes against FILE (the root's copy)
      converted whole: LF -> CR LF, CR -> CR NUL.
  tftp_probe.py too-many-blocks
      RRQ huge.bin (a sparse 40 GiB file) with blksize 8: more blocks than
      a 32-bit counter holds, refused with an ERROR, not cut short; with
      the default blksize it starts (DATA block 1).

Each exits non-zero (an assertion or a socket timeout) when the server
does not answer as it should.
"""
import socket
import sys
import time

SERVER = ("192.0.2.1", 69)


def empty_tsize():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b"\0\x01empty.cfg\0octet\0tsize\x000\0blksize\x001468\0", SERVER)
    data, peer = s.recvfrom(2048)
    assert data[:2] == b"\0\x06" and b"tsize\x000\0" in data, data
    s.sendto(b"\0\x04\0\0", peer)
    data, _ = s.recvfrom(2048)
    assert data == b"\0\x03\0\x01", data
    s.sendto(b"\0\x04\0\x01", peer)


def size_probe():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b"\0\x01sub/medium.bin\0octet\0tsize\0" + b"0\0blksize\x001468\0windowsize\x004\0", SERVER)
    data, peer = s.recvfrom(2048)
    assert data[:2] == b"\0\x06", data
    assert b"tsize\x003000000\0" in data, data
    s.sendto(b"\0\x05\0\x08probe done\0", peer)


def wrong_tid():
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.settimeout(3)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.settimeout(3)
    a.sendto(b"\0\x01sub/medium.bin\0octet\0", SERVER)
    data, peer = a.recvfrom(2048)
    assert data[:4] == b"\0\x03\0\x01" and len(data) == 516, data[:4]
    b.sendto(b"\0\x04\0\x01", peer)
    err, _ = b.recvfrom(2048)
    assert err[:4] == b"\0\x05\0\x05", err
    a.sendto(b"\0\x04\0\x01", peer)
    data, _ = a.recvfrom(2048)
    assert data[:4] == b"\0\x03\0\x02" and len(data) == 516, data[:4]
    a.sendto(b"\0\x05\0\x00done\0", peer)


def slow_lockstep():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b"\0\x01sub/medium.bin\0octet\0", SERVER)
    got, expect = 0, 1
    while True:
        d, peer = s.recvfrom(1000)
        assert d[:2] == b"\0\x03", d[:4]
        if int.from_bytes(d[2:4], "big") == expect & 0xffff:
            got += len(d) - 4; expect += 1
        time.sleep(0.0005)
        s.sendto(b"\0\x04" + d[2:4], peer)
        if len(d) < 516:
            break
    assert got == 3000000, got


def slow_window():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b"\0\x01sub/medium.bin\0octet\0blksize\x001468\0windowsize\x0016\0", SERVER)
    d, peer = s.recvfrom(2048)
    assert d[:2] == b"\0\x06", d[:4]
    s.sendto(b"\0\x04\0\0", peer)
    got, expect, in_window = 0, 1, 0
    while True:
        d, _ = s.recvfrom(2048)
        assert d[:2] == b"\0\x03", d[:4]
        if int.from_bytes(d[2:4], "big") != expect & 0xffff:
            continue
        got += len(d) - 4; expect += 1; in_window += 1
        last = len(d) < 1472
        if in_window == 16 or last:
            time.sleep(0.003)
            s.sendto(b"\0\x04" + d[2:4], peer)
            in_window = 0
        if last:
            break
    assert got == 3000000, got


def netascii_window(path):
    raw = open(path, "rb").read()
    want = raw.replace(b"\r", b"\r\0").replace(b"\n", b"\r\n")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b"\0\x01lines.txt\0netascii\0tsize\x000\0blksize\x00512\0windowsize\x008\0", SERVER)
    d, peer = s.recvfrom(2048)
    assert d[:2] == b"\0\x06" and b"tsize" not in d and b"windowsize\x008\0" in d, d
    s.sendto(b"\0\x04\0\0", peer)
    got, expect, in_window, gapped = bytearray(), 1, 0, False
    while True:
        d, _ = s.recvfrom(2048)
        assert d[:2] == b"\0\x03", d[:4]
        if int.from_bytes(d[2:4], "big") != expect & 0xffff:
            continue
        got += d[4:]; expect += 1; in_window += 1
        last = len(d) < 516
        if not gapped and expect - 1 == 12:
            # RFC 7440 gap signal: ACK 10 (as if 11 was lost); the server
            # resends from 11, converting those blocks again.
            gapped = True
            del got[10 * 512:]
            expect, in_window = 11, 0
            s.sendto(b"\0\x04\0\x0a", peer)
            continue
        if in_window == 8 or last:
            s.sendto(b"\0\x04" + d[2:4], peer)
            in_window = 0
        if last:
            break
    assert gapped and bytes(got) == want, (len(got), len(want))


def too_many_blocks():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b"\0\x01huge.bin\0octet\0blksize\x008\0", SERVER)
    data, _ = s.recvfrom(2048)
    assert data[:4] == b"\0\x05\0\0" and b"too large" in data, data
    s.sendto(b"\0\x01huge.bin\0octet\0", SERVER)
    data, peer = s.recvfrom(2048)
    assert data[:4] == b"\0\x03\0\x01", data[:4]
    s.sendto(b"\0\x05\0\0done\0", peer)


CHECKS = {"empty-tsize": empty_tsize, "size-probe": size_probe, "wrong-tid": wrong_tid,
          "slow-lockstep": slow_lockstep, "slow-window": slow_window,
          "too-many-blocks": too_many_blocks, "netascii-window": netascii_window}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CHECKS:
        sys.exit("usage: tftp_probe.py " + "|".join(CHECKS) + " [FILE]")
    CHECKS[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
