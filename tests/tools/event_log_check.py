#!/usr/bin/python3
"""event_log_check.py - check netbootd's JSON event log (leases.event-log).

  event_log_check.py FILE FILE_NAME BYTES
      every line of FILE parses as JSON, there is a commit and a tftp-done
      event, and the first tftp-done names FILE_NAME with BYTES bytes.
      Exits non-zero (an assertion) otherwise.
"""
import json
import sys


def main():
    path, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path) as f:
        evs = [json.loads(line) for line in f]
    kinds = [e["event"] for e in evs]
    assert "commit" in kinds and "tftp-done" in kinds, kinds
    t = [e for e in evs if e["event"] == "tftp-done"][0]
    assert t["file"] == name and t["bytes"] == size, t


if __name__ == "__main__":
    main()
