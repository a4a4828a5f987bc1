#!/usr/bin/python3
"""tftp_hold.py - open many TFTP transfers and hold them open.

Sends --count read requests for --file (--mode, one socket each), takes the
first --blocks blocks of each lock-step (acknowledging them), then prints
"held N" and keeps every transfer open, unanswered, for --hold seconds, so
the caller can look at the server meanwhile. Closing the sockets at the end
makes the server see the port closed (ICMP) on its next resend.
"""
import argparse, select, socket, sys, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="192.0.2.1")
    ap.add_argument("--file", required=True)
    ap.add_argument("--mode", default="octet")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--hold", type=float, default=3)
    ap.add_argument("--seconds", type=float, default=20, help="give up on the handshakes after")
    a = ap.parse_args()
    rrq = b"\0\x01" + a.file.encode() + b"\0" + a.mode.encode() + b"\0"
    socks = {}
    for _ in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.sendto(rrq, (a.server, 69))
        socks[s] = 0    # blocks taken
    end = time.time() + a.seconds
    while any(n < a.blocks for n in socks.values()) and time.time() < end:
        r, _, _ = select.select([s for s, n in socks.items() if n < a.blocks], [], [], 0.5)
        for s in r:
            try:
                data, peer = s.recvfrom(70000)
            except OSError:
                continue
            if data[:2] != b"\0\x03":
                print("unexpected reply %r" % data[:40], file=sys.stderr)
                return 1
            blk = int.from_bytes(data[2:4], "big")
            if blk == socks[s] + 1:
                socks[s] = blk
            s.sendto(b"\0\x04" + data[2:4], peer)
    short = sum(1 for n in socks.values() if n < a.blocks)
    print("held %d short %d" % (len(socks) - short, short), flush=True)
    time.sleep(a.hold)
    for s in socks:
        s.close()
    return 0 if short == 0 else 1

if __name__ == "__main__":
    sys.exit(main())
