#!/usr/bin/env python3
"""prom_text.py - check and compare Prometheus text exposition (0.0.4).

  prom_text.py check FILE         grammar check (HELP/TYPE before samples,
                                  one TYPE per family, label escapes, values,
                                  histogram buckets cumulative with +Inf = _count)
  prom_text.py diff BEFORE AFTER  print "SERIES DELTA" for every series whose
                                  value changed, sorted (series in canonical form)

Used by tests/integration/metrics.sh next to `promtool check metrics` (when
promtool is there) and in its place when it is not.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
SAMPLE = re.compile(r"^(%s)(\{(.*)\})? (\S+)$" % NAME)
LABEL_PAIR = re.compile(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)' % LABEL)
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(n, line, why):
    sys.exit("line %d: %s: %r" % (n, why, line))


def value(s):
    if s in ("+Inf", "-Inf", "NaN"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    return float(s)


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) == "histogram":
            return name[: -len(suffix)]
    return name


def parse(path):
    """{canonical series: value}; exits with a message on bad text."""
    types, helps, out, seen_samples = {}, set(), {}, set()
    text = open(path, encoding="utf-8").read()
    if text and not text.endswith("\n"):
        sys.exit("no newline at the end")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            m = re.match(r"^# HELP (%s) (.*)$" % NAME, line)
            if not m or m.group(1) in helps:
                fail(n, line, "bad or repeated HELP")
            helps.add(m.group(1))
            continue
        if line.startswith("# TYPE "):
            m = re.match(r"^# TYPE (%s) (\S+)$" % NAME, line)
            if not m or m.group(2) not in TYPES or m.group(1) in types:
                fail(n, line, "bad or repeated TYPE")
            if m.group(1) in seen_samples:
                fail(n, line, "TYPE after its samples")
            types[m.group(1)] = m.group(2)
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        if not m:
            fail(n, line, "not a sample line")
        name, labels = m.group(1), []
        if m.group(3):
            rest = m.group(3)
            while rest:
                lm = LABEL_PAIR.match(rest)
                if not lm:
                    fail(n, line, "bad label")
                labels.append((lm.group(1), lm.group(2)))
                rest = rest[lm.end():]
        try:
            v = value(m.group(4))
        except ValueError:
            fail(n, line, "bad value")
        fam = family_of(name, types)
        if fam not in types:
            fail(n, line, "sample without a TYPE")
        seen_samples.add(fam)
        key = name + "{" + ",".join('%s="%s"' % kv for kv in sorted(labels)) + "}"
        if key in out:
            fail(n, line, "repeated series")
        out[key] = v
    check_histograms(types, out)
    return out


def check_histograms(types, series):
    for fam, t in types.items():
        if t != "histogram":
            continue
        buckets = sorted(((value(re.search(r'le="([^"]*)"', k).group(1)), v)
                          for k, v in series.items() if k.startswith(fam + "_bucket{")))
        if not buckets or buckets[-1][0] != float("inf"):
            sys.exit("%s: no +Inf bucket" % fam)
        if any(b[1] > c[1] for b, c in zip(buckets, buckets[1:])):
            sys.exit("%s: buckets not cumulative" % fam)
        if series.get(fam + "_count{}") != buckets[-1][1]:
            sys.exit("%s: _count differs from the +Inf bucket" % fam)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        s = parse(sys.argv[2])
        print("ok: %d series" % len(s))
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        a, b = parse(sys.argv[2]), parse(sys.argv[3])
        for k in sorted(set(a) | set(b)):
            d = b.get(k, 0.0) - a.get(k, 0.0)
            if d:
                print("%s %g" % (k, d))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
