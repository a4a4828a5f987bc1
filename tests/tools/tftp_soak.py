#!/usr/bin/python3
"""tftp_soak.py - many TFTP transfers, some clients vanishing mid-transfer.

Runs --count read transfers of --file, --parallel at a time, from one
process (lock-step, blksize 1468). Every --vanish-th client stops answering
after a few blocks, as a machine that loses power would. Completed
transfers are checked against --size. Prints "done=N vanished=M bad=K".
"""
import argparse, select, socket, struct, sys, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="192.0.2.1")
    ap.add_argument("--file", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--parallel", type=int, default=20)
    ap.add_argument("--vanish", type=int, default=2, help="every Nth client vanishes")
    ap.add_argument("--seconds", type=float, default=300)
    a = ap.parse_args()
    rrq = b"\0\x01" + a.file.encode() + b"\0octet\0blksize\x001468\0"
    started = done = vanished = bad = 0
    live = {}   # sock -> [received bytes, last block, vanish_after, peer]
    end = time.time() + a.seconds
    while (started < a.count or live) and time.time() < end:
        while started < a.count and len(live) < a.parallel:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            s.sendto(rrq, (a.server, 69))
            vanish_after = 3 if started % a.vanish == 0 else -1
            live[s] = [0, 0, vanish_after, None, time.time()]
            started += 1
        r, _, _ = select.select(list(live), [], [], 0.5)
        for s in r:
            st = live[s]
            try:
                data, peer = s.recvfrom(65536)
            except OSError:
                continue
            op, = struct.unpack("!H", data[:2])
            if op == 6:          # OACK
                s.sendto(b"\0\x04\0\0", peer); continue
            if op != 3:
                bad += 1; s.close(); del live[s]; continue
            blk, = struct.unpack("!H", data[2:4])
            if blk == (st[1] + 1) & 0xffff:
                st[0] += len(data) - 4; st[1] += 1
            if st[2] >= 0 and st[1] >= st[2]:
                vanished += 1; s.close(); del live[s]; continue     # gone without a word
            s.sendto(b"\0\x04" + struct.pack("!H", blk), peer)
            if len(data) - 4 < 1468 and blk == st[1] & 0xffff:
                if st[0] == a.size: done += 1
                else: bad += 1
                s.close(); del live[s]
        now = time.time()
        for s in [s for s, st in live.items() if now - st[4] > 60]:
            bad += 1; s.close(); del live[s]
    print("done=%d vanished=%d bad=%d" % (done, vanished, bad))
    return 0 if bad == 0 and done + vanished == a.count else 1

if __name__ == "__main__":
    sys.exit(main())
