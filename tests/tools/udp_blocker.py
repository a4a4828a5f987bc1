#!/usr/bin/python3
"""udp_blocker.py - hold a UDP port so that another program cannot bind it.

  udp_blocker.py PORT [SECONDS]
      bind 0.0.0.0:PORT without SO_REUSEADDR and sleep SECONDS (default 30),
      so a daemon that binds the same port fails with EADDRINUSE.
"""
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 30
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    time.sleep(secs)


if __name__ == "__main__":
    main()
