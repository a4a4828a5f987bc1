#!/usr/bin/python3
"""ctl_probe.py - misbehaving clients of netbootd's control socket (status.sh).

  ctl_probe.py PATH oversized
      sends 1000 bytes without a newline: prints the daemon's answer.
  ctl_probe.py PATH idle N
      opens N connections that send nothing; prints "closed K of N after S s"
      once the daemon has closed them (over its client limit at once, the
      rest at its deadline), giving up after 20 s.
  ctl_probe.py PATH noread
      sends "status json" and reads nothing for 7 s; then prints whether
      the daemon had closed the connection meanwhile ("closed" / "open").
"""
import select, socket, sys, time

def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def oversized(path):
    s = connect(path)
    s.sendall(b"a" * 1000)
    s.settimeout(10)
    out = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
    print(out.decode(errors="replace").strip())

def idle(path, n):
    socks = [connect(path) for _ in range(n)]
    start = time.time()
    open_ = set(socks)
    first = None
    while open_ and time.time() - start < 20:
        r, _, _ = select.select(list(open_), [], [], 0.2)
        for s in r:
            if not s.recv(4096):
                open_.discard(s)
                if first is None:
                    first = time.time() - start
    print("closed %d of %d after %.1f s (first after %.1f s)"
          % (n - len(open_), n, time.time() - start, first if first is not None else -1))

def noread(path):
    s = connect(path)
    s.sendall(b"status json\n")
    time.sleep(7)
    s.settimeout(1)
    try:
        while s.recv(65536):
            pass
        print("closed")
    except socket.timeout:
        print("open")

if __name__ == "__main__":
    if sys.argv[2] == "oversized":
        oversized(sys.argv[1])
    elif sys.argv[2] == "noread":
        noread(sys.argv[1])
    else:
        idle(sys.argv[1], int(sys.argv[3]))
