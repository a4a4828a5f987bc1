#!/bin/bash
# The man pages build without scdoc errors, render without man warnings,
# and netbootd(8) documents every option `netbootd --help` lists. (That
# netbootd.yaml(5) documents every profile key is a unit test:
# tests/unit/test_config_keys.c.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/netns.sh
command -v scdoc >/dev/null || { echo "scdoc is not installed (scripts/install-deps build)"; exit 77; }
tmp=$(mktemp -d /tmp/netbootd-man.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for src in docs/man/*.scd; do
    page="$tmp/$(basename "$src" .scd)"
    scdoc < "$src" > "$page" 2> "$tmp/err" || { cat "$tmp/err"; fail "scdoc refuses $src"; }
    if command -v man >/dev/null; then
        LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" > /dev/null 2> "$tmp/warn"
        [ ! -s "$tmp/warn" ] || { cat "$tmp/warn"; fail "man warns about $src"; }
    fi
    echo "result: $src: $(wc -l < "$page") roff lines"
done

opts=$("$(netbootd_bin)" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
[ -n "$opts" ] || fail "netbootd --help lists no options"
missing=0
for o in $opts; do
    grep -qF -- "*$o*" docs/man/netbootd.8.scd || { echo "netbootd(8) does not document $o"; missing=1; }
done
[ "$missing" -eq 0 ] || fail "options missing from docs/man/netbootd.8.scd"
echo "result: netbootd(8) documents all $(echo "$opts" | wc -l) options of --help"
