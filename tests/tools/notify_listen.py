#!/usr/bin/python3
"""notify_listen.py SOCKET OUT [options] - play the service manager's side of
sd_notify(3) for tests/integration/notify.sh.

Binds a datagram unix socket at SOCKET (mode 0777, as systemd's own
/run/systemd/notify is, so a daemon that dropped root can still send) and
writes one line to OUT per datagram, flushed at once:
    <seconds since start> msg READY=1|STATUS=serving 1 interface, ...
(the datagram's newlines shown as '|'). With --probe-iface, the first
READY=1 starts, at once and in a thread of its own, one DHCP DISCOVER (MAC
--probe-mac, no retry) and one TFTP RRQ for --probe-file (no retry): a
daemon that said READY=1 before its sockets were bound and its leases
replayed misses them, answers them late or with the wrong address. Their
results are lines too:
    <t> probe dhcp ok yiaddr=192.0.2.177 after=3ms
    <t> probe tftp ok block=1 after=2ms
    <t> probe dhcp FAIL timeout
With --log FILE, the first READY=1 also reads the daemon's log at once and
says, for each --log-want PATTERN (a plain substring), whether it is there
already: the lines a daemon writes before it says READY=1 must be.
    <t> logged ok records replayed
    <t> logged MISSING TFTP listening
Runs for --seconds at most (bounded), then exits 0.
"""
import argparse, os, socket, struct, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dhcp_probe import build, parse  # noqa: E402

T0 = time.monotonic()
LOCK = threading.Lock()


def emit(out, text):
    with LOCK:
        out.write("%.3f %s\n" % (time.monotonic() - T0, text))
        out.flush()


def probe_dhcp(a, out):
    mac = bytes(int(x, 16) for x in a.probe_mac.split(":"))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.probe_iface.encode())
    s.bind(("0.0.0.0", 68))
    xid = 0x4e6f7449
    t0 = time.monotonic()
    s.sendto(build(1, mac, xid, opts=[(93, struct.pack("!H", 0))]), ("255.255.255.255", 67))
    end = t0 + a.probe_wait
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, _ = s.recvfrom(4096)
        except socket.timeout:
            break
        r = parse(data)
        if r and r[0] == xid:
            emit(out, "probe dhcp ok yiaddr=%s after=%dms" % (r[1], (time.monotonic() - t0) * 1000))
            return
    emit(out, "probe dhcp FAIL timeout")


def probe_tftp(a, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(a.probe_wait)
    t0 = time.monotonic()
    s.sendto(b"\0\x01" + a.probe_file.encode() + b"\0octet\0", (a.probe_server, 69))
    try:
        data, peer = s.recvfrom(2048)
    except OSError as e:       # a timeout, or ICMP port unreachable
        emit(out, "probe tftp FAIL %s" % (type(e).__name__,))
        return
    op, blk = struct.unpack("!HH", data[:4])
    if op == 3:
        s.sendto(struct.pack("!HH", 4, blk), peer)   # a short file: this ends it
        emit(out, "probe tftp ok block=%d after=%dms" % (blk, (time.monotonic() - t0) * 1000))
    else:
        emit(out, "probe tftp FAIL opcode=%d" % op)


def check_log(a, out):
    try:
        text = open(a.log, errors="replace").read()
    except OSError as e:
        text = ""
        emit(out, "logged FAIL %s" % e)
    for want in a.log_want:
        emit(out, "logged %s %s" % ("ok" if want in text else "MISSING", want))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("out")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--probe-iface")
    ap.add_argument("--probe-mac", default="52:54:00:aa:cc:01")
    ap.add_argument("--probe-server", default="192.0.2.1")
    ap.add_argument("--probe-file", default="boot.ipxe")
    ap.add_argument("--probe-wait", type=float, default=2.0)
    ap.add_argument("--log")
    ap.add_argument("--log-want", action="append", default=[])
    a = ap.parse_args()
    if os.path.exists(a.socket):
        os.unlink(a.socket)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(a.socket)
    os.chmod(a.socket, 0o777)
    out = open(a.out, "a")
    emit(out, "listening")
    probed = False
    threads = []
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        lines = data.decode(errors="replace").split("\n")
        if "READY=1" in lines and not probed:
            probed = True
            if a.log:
                check_log(a, out)
            for fn in (probe_dhcp, probe_tftp) if a.probe_iface else ():
                t = threading.Thread(target=fn, args=(a, out), daemon=True)
                t.start()
                threads.append(t)
        emit(out, "msg " + "|".join(lines))
    for t in threads:
        t.join(a.probe_wait + 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
