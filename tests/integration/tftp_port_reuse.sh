#!/bin/bash
# A client that took part of a transfer and vanished, then a new client
# the kernel gave the same port (a busy machine reuses ephemeral ports
# within seconds; tests/integration/soak.sh does it by the hundred): the
# new read request is a new transfer, not a repeat of the one still
# running for the vanished client (tftp_repeated_rrq.sh covers repeats).
. "$(dirname "$0")/../lib/prologue.sh" pr
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
start_netbootd --set tftp.timeout=2
head -c 20000 /dev/urandom > "$NB_ROOT/twenty.bin"
out=$(inns timeout 20 /usr/bin/python3 - "$NB_ROOT/twenty.bin" <<'PY'
import socket, sys, time
want = open(sys.argv[1], "rb").read()
rrq = b"\0\1twenty.bin\0octet\0blksize\0001408\0"
def client(port, stop_after):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("192.0.2.2", port))
    s.sendto(rrq, ("192.0.2.1", 69))
    s.settimeout(0.5)
    got, blk, tid, end = b"", 0, None, time.time() + 8
    while time.time() < end:
        try:
            p, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        if tid is None:
            tid = peer
        if peer != tid:
            continue                     # the vanished client's transfer
        if p[1] == 6:
            s.sendto(b"\0\4\0\0", peer)
        elif p[1] == 3:
            n = p[2] << 8 | p[3]
            if n == blk + 1:
                blk, got = n, got + p[4:]
            if blk == stop_after:
                break                    # gone without a word
            s.sendto(b"\0\4" + p[2:4], peer)
            if len(p) - 4 < 1408:
                break
        elif p[1] == 5:
            print("error", p[4:-1].decode(errors="replace"))
            break
    port = s.getsockname()[1]
    s.close()
    return port, got
port, part = client(0, 3)
port2, got = client(port, -1)
print("first", len(part), "second", "ok" if got == want else "short %d" % len(got), port == port2)
PY
)
echo "$out"
grep -q "^first 4224 second ok True$" <<< "$out" || fail "the port's new client did not get its file"
echo "result: a new client on a vanished client's port gets a transfer of its own"
stop_netbootd
