#!/usr/bin/python3
"""event_log_check.py - check netbootd's JSON event log (leases.event-log).

  event_log_check.py FILE FILE_NAME BYTES
      every line of FILE parses as JSON, there is a commit and a tftp-done
      event, and the first tftp-done names FILE_NAME with BYTES bytes.
  event_log_check.py --one KIND FILE FILE_NAME MAC IP CLASS
      there is exactly one KIND event (e.g. tftp-failed), and it names
      FILE_NAME, MAC, IP and CLASS; prints it.
Exits non-zero (an assertion) otherwise.
"""
import json
import sys


def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def first_transfer(path, name, size):
    evs = events(path)
    kinds = [e["event"] for e in evs]
    assert "commit" in kinds and "tftp-done" in kinds, kinds
    t = [e for e in evs if e["event"] == "tftp-done"][0]
    assert t["file"] == name and t["bytes"] == size, t


def one_event(kind, path, name, mac, ip, cls):
    f = [e for e in events(path) if e["event"] == kind]
    assert len(f) == 1, f
    e = f[0]
    assert e["file"] == name and e["mac"] == mac and e["ip"] == ip, e
    assert e.get("class") == cls, e
    print("event:", json.dumps(e, sort_keys=True))


def main():
    if sys.argv[1] == "--one":
        one_event(*sys.argv[2:8])
    else:
        first_transfer(sys.argv[1], sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
