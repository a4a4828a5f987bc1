#!/bin/bash
# A client that sends its read request again before the first answer came
# (PXELINUX's timer is 110 ms, iPXE's 250 ms: a fleet powering on at once
# makes them fire) gets one transfer, not two: with tftp.max-sessions=1 the
# repeated request (sent twice at once, and once more after the client
# answered the OACK) is neither refused "server busy" nor a second session,
# and the transfer it repeats completes. Before the fix each repeat held a
# session and a pending slot until it gave up, and 1,000 simulated machines
# (tests/bench/fleet.sh) filled tftp.max-pending-sessions, then
# tftp.max-sessions, and 121 of them failed.
. "$(dirname "$0")/../lib/prologue.sh" rr
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
start_netbootd --set tftp.max-sessions=1 --set tftp.max-pending-sessions=1
head -c 5000 /dev/urandom > "$NB_ROOT/five.bin"
out=$(inns timeout 20 /usr/bin/python3 - "$NB_ROOT/five.bin" <<'PY'
import socket, sys, time
want = open(sys.argv[1], "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 0))
rrq = b"\0\1five.bin\0octet\0blksize\0001408\0"
s.sendto(rrq, ("192.0.2.1", 69))
s.sendto(rrq, ("192.0.2.1", 69))        # the client's timer fired: the same request again
s.sendto(rrq, ("192.0.2.1", 69))
ports, errors, got, tid, blk, end = set(), 0, b"", None, 0, time.time() + 5
s.settimeout(0.5)
while time.time() < end:
    try:
        p, (addr, port) = s.recvfrom(2048)
    except socket.timeout:
        if len(got) == len(want):
            break
        continue
    ports.add(port)
    op = p[1]
    if op == 5:
        errors += 1
        print("error", p[4:-1].decode(errors="replace"))
    elif op == 6 and port == (tid or port):
        s.sendto(b"\0\4\0\0", (addr, port))
        if tid is None:                  # and once more after answering the OACK:
            s.sendto(rrq, ("192.0.2.1", 69))    # a repeat read late
        tid = port
    elif op == 3 and port == tid:
        n = p[2] << 8 | p[3]
        if n == blk + 1:
            blk, got = n, got + p[4:]
        s.sendto(b"\0\4" + p[2:4], (addr, port))
print("ports", len(ports), "errors", errors, "ok", got == want)
PY
)
echo "$out"
grep -q "^ports 1 errors 0 ok True$" <<< "$out" || fail "a repeated request made a second transfer or an error"
echo "result: a request sent four times: one transfer, no ERROR, the file complete"
stop_netbootd
