#!/bin/bash
# The HTTP server (http/, docs/http.md), with curl from the client namespace:
#  - GET and HEAD of a file beneath the root: body, Content-Length, ETag,
#    Last-Modified, Accept-Ranges; keep-alive (two URLs, one connection)
#  - Range: one range (206, Content-Range), suffix, open end; 416 past the
#    end; several ranges -> the whole file (200); If-Range stale -> 200
#  - conditional GET: If-None-Match and If-Modified-Since -> 304
#  - refusals: 404, 403 for ../ and for a symlink out of the root and for
#    a folder, 405 for POST (with Allow)
#  - limits: max-connections-per-client, idle-timeout (a silent client is
#    cut off), max-header-size (431)
#  - http-done / http-failed events with the client's MAC (neighbour table),
#    and --leases-style progress is not needed: no lease here
#  - without http: in the profile nothing listens on port 80
. "$(dirname "$0")/../lib/prologue.sh" hs
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
CLI_MAC=$(ip -n "$LAB_CLI" -br link show cli0 | awk '{ print $3 }')
mkdir -p "$LAB_TMP/tftproot/sub"
head -c 1000000 /dev/urandom > "$LAB_TMP/tftproot/big.bin"
printf 'hello\n' > "$LAB_TMP/tftproot/sub/a.txt"
echo secret > "$LAB_TMP/outside.txt"
ln -s "$LAB_TMP/outside.txt" "$LAB_TMP/tftproot/escape"
EVENTS="$LAB_TMP/events"
printf '#!/bin/sh\necho "$NETBOOTD_EVENT $NETBOOTD_IP $NETBOOTD_MAC $NETBOOTD_FILE $NETBOOTD_BYTES" >> %s\n' \
    "$EVENTS" > "$LAB_TMP/hook.sh"
chmod +x "$LAB_TMP/hook.sh"
U=http://192.0.2.1:8080

# ---- off by default ----
start_netbootd
ip netns exec "$LAB_SRV" ss -Hltn | grep -q ':80 \|:8080 ' && fail "HTTP listens without http: in the profile"
stop_netbootd
echo "result: no http: key, no HTTP listener"

start_netbootd --set 'http={listen: [192.0.2.1:8080], max-connections-per-client: 4, idle-timeout: 2, max-header-size: 2048}' \
    --set leases.on-event="$LAB_TMP/hook.sh"
wait_for 5 "ip netns exec $LAB_SRV ss -Hltn | grep -q '192.0.2.1:8080 '" || { cat "$NB_LOG"; fail "HTTP not listening"; }
c() { inns curl -sS --max-time 10 "$@"; }
code() { c -o /dev/null -w '%{http_code}' "$@"; }

# ---- GET, HEAD, validators ----
c -o "$LAB_TMP/got" "$U/big.bin" || fail "GET big.bin"
cmp -s "$LAB_TMP/got" "$LAB_TMP/tftproot/big.bin" || fail "GET body differs"
c -I "$U/big.bin" > "$LAB_TMP/head" || fail "HEAD"
grep -qi '^content-length: 1000000' "$LAB_TMP/head" || { cat "$LAB_TMP/head"; fail "HEAD: Content-Length"; }
grep -qi '^accept-ranges: bytes' "$LAB_TMP/head" || fail "HEAD: Accept-Ranges"
ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$LAB_TMP/head")
LASTMOD=$(sed -n 's/^[Ll]ast-[Mm]odified: *\(.*\)\r$/\1/p' "$LAB_TMP/head")
[ -n "$ETAG" ] && [ -n "$LASTMOD" ] || { cat "$LAB_TMP/head"; fail "no ETag / Last-Modified"; }
echo "result: GET and HEAD, ETag $ETAG, Last-Modified $LASTMOD"

# ---- keep-alive: two URLs, one connection ----
c -v -o /dev/null -o /dev/null "$U/sub/a.txt" "$U/big.bin" 2> "$LAB_TMP/ka" || fail "keep-alive GETs"
grep -q 'Re-using existing connection' "$LAB_TMP/ka" || { cat "$LAB_TMP/ka"; fail "connection not re-used"; }
echo "result: keep-alive"

# ---- ranges ----
c -D "$LAB_TMP/h" -o "$LAB_TMP/part" -r 100-199 "$U/big.bin"
grep -q '^HTTP/1.1 206' "$LAB_TMP/h" || { cat "$LAB_TMP/h"; fail "Range: not 206"; }
grep -qi '^content-range: bytes 100-199/1000000' "$LAB_TMP/h" || fail "Range: Content-Range"
cmp -s "$LAB_TMP/part" <(tail -c +101 "$LAB_TMP/tftproot/big.bin" | head -c 100) || fail "Range: wrong bytes"
c -o "$LAB_TMP/part" -H 'Range: bytes=-10' "$U/big.bin"
cmp -s "$LAB_TMP/part" <(tail -c 10 "$LAB_TMP/tftproot/big.bin") || fail "suffix range"
c -o "$LAB_TMP/part" -H 'Range: bytes=999990-' "$U/big.bin"
[ "$(stat -c %s "$LAB_TMP/part")" = 10 ] || fail "open-ended range"
[ "$(code -H 'Range: bytes=1000000-' "$U/big.bin")" = 416 ] || fail "range past the end: not 416"
c -D "$LAB_TMP/h" -o /dev/null -H 'Range: bytes=1000000-' "$U/big.bin"
grep -qi '^content-range: bytes \*/1000000' "$LAB_TMP/h" || fail "416 without Content-Range"
[ "$(code -H 'Range: bytes=0-1,5-6' "$U/big.bin")" = 200 ] || fail "several ranges: not the whole file"
[ "$(code -H 'Range: bytes=0-1' -H 'If-Range: "stale"' "$U/big.bin")" = 200 ] || fail "stale If-Range honoured"
[ "$(code -H 'Range: bytes=0-1' -H "If-Range: $ETAG" "$U/big.bin")" = 206 ] || fail "current If-Range refused"
echo "result: ranges (206, suffix, open end, 416, several -> 200, If-Range)"

# ---- conditional ----
[ "$(code -H "If-None-Match: $ETAG" "$U/big.bin")" = 304 ] || fail "If-None-Match: not 304"
[ "$(code -H 'If-None-Match: "other"' "$U/big.bin")" = 200 ] || fail "If-None-Match other: not 200"
[ "$(code -H "If-Modified-Since: $LASTMOD" "$U/big.bin")" = 304 ] || fail "If-Modified-Since: not 304"
[ "$(code -H 'If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT' "$U/big.bin")" = 200 ] || fail "old If-Modified-Since: not 200"
echo "result: conditional GET (304)"

# ---- refusals ----
[ "$(code "$U/nothere")" = 404 ] || fail "missing file: not 404"
[ "$(code --path-as-is "$U/../outside.txt")" = 403 ] || fail "../: not 403"
[ "$(code --path-as-is "$U/sub/../../outside.txt")" = 403 ] || fail "sub/../../: not 403"
[ "$(code "$U/escape")" = 403 ] || fail "symlink out of the root: not 403"
[ "$(code "$U/sub")" = 403 ] || fail "folder: not 403"
c -D "$LAB_TMP/h" -o /dev/null -X POST -d x=1 "$U/big.bin"
grep -q '^HTTP/1.1 405' "$LAB_TMP/h" || fail "POST: not 405"
grep -qi '^allow: GET, HEAD' "$LAB_TMP/h" || fail "405 without Allow"
echo "result: 404, 403 (../, symlink out, folder), 405"

# ---- limits ----
ok=$(head -c 1200 /dev/zero | tr '\0' a)
[ "$(code -H "X-Ok: $ok" "$U/sub/a.txt")" = 200 ] || fail "a 1200-byte header under max-header-size 2048 refused"
big=$(head -c 3000 /dev/zero | tr '\0' a)
hc=$(code -H "X-Big: $big" "$U/sub/a.txt")
[ "$hc" = 431 ] || fail "oversized header: $hc, not 431"
# A silent client is cut off after idle-timeout (2 s).
start=$(date +%s%N)
inns timeout 10 /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("192.0.2.1", 8080))
s.settimeout(8)
print("closed" if s.recv(100) == b"" else "data")' > "$LAB_TMP/idle" 2>&1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q closed "$LAB_TMP/idle" || fail "idle client not cut off: $(cat "$LAB_TMP/idle")"
[ "$ms" -ge 1500 ] && [ "$ms" -lt 6000 ] || fail "idle client cut off after $ms ms (idle-timeout 2 s)"
echo "measured: silent client cut off after $ms ms (idle-timeout 2 s)"
# Per client: 4 held connections, a fifth is refused, another address is not.
inns timeout 10 /usr/bin/python3 -c '
import socket, time
held = [socket.create_connection(("192.0.2.1", 8080)) for _ in range(4)]
time.sleep(0.3)
s = socket.create_connection(("192.0.2.1", 8080))
s.settimeout(3)
s.sendall(b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
try:
    d = s.recv(100)
except Exception as e:
    d = b""
print("fifth:", "refused" if d == b"" else "served")' > "$LAB_TMP/per" 2>&1
grep -q 'fifth: refused' "$LAB_TMP/per" || fail "per-client limit: $(cat "$LAB_TMP/per")"
[ "$(code "$U/sub/a.txt")" = 200 ] || fail "served nothing after the per-client test"
echo "result: limits (431, idle-timeout, max-connections-per-client)"

# ---- events ----
wait_for 5 "grep -q '^http-done 192.0.2.2 $CLI_MAC big.bin 1000000' '$EVENTS'" ||
    { cat "$EVENTS"; fail "no http-done event with the client's MAC"; }
echo "result: http-done event with MAC $CLI_MAC: $(grep -c '^http-done' "$EVENTS") done, $(grep -c '^http-failed' "$EVENTS") failed"
stop_netbootd
echo "PASS"
