#!/bin/bash
# The HTTP server (http/, docs/http.md), with curl from the client namespace:
#  - GET and HEAD of a file beneath the root: body, Content-Length, ETag,
#    Last-Modified, Accept-Ranges; the body sent with sendfile, in pieces
#    of up to 2 MiB; keep-alive (two URLs, one connection)
#  - Range: one range (206, Content-Range), suffix, open end; 416 past the
#    end; two ranges -> multipart/byteranges; overlapping -> the whole
#    file (200); If-Range stale -> 200
#  - conditional GET: If-None-Match and If-Modified-Since -> 304
#  - refusals: 404, 403 for ../ and for a symlink out of the root and for
#    a folder, 405 for POST (with Allow), 400 for garbage and a missing Host
#  - limits: max-connections, max-connections-per-client, idle-timeout (a
#    silent client, one silent half way through its headers, and one that
#    reads nothing are cut off), max-header-size (431)
#  - http-done / http-failed events with the client's MAC (neighbour table),
#  - without http: in the profile nothing listens on port 80; with it,
#    port 80 is bound before the drop to the service user
#  - a client with a lease: its HTTP fetch shows in netbootd --leases
#  - SIGHUP: a new http.root is served at once; a new listen is warned of
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

# ---- off by default; --check says so, and what it would serve ----
"$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$LAB_TMP/tftproot" \
    | grep -qx 'http: off (no http: key)' || fail "--check: no 'http: off'"
"$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$LAB_TMP/tftproot" \
    --set 'http={listen: [192.0.2.1:80]}' | grep -q "^http: 192.0.2.1:80; root $LAB_TMP/tftproot," ||
    fail "--check: no http: line"
start_netbootd
ip netns exec "$LAB_SRV" ss -Hltn | grep -q ':80 \|:8080 ' && fail "HTTP listens without http: in the profile"
stop_netbootd
echo "result: no http: key, no HTTP listener"

start_netbootd --set 'http={listen: [192.0.2.1:8080], idle-timeout: 2, max-header-size: 2048}' \
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
# Sent with sendfile: a few calls for 1 MB, not a pread per buffer
# (hundreds when MHD falls back to copying).
r0=$(awk '/^syscr/ { print $2 }' /proc/"$NB_PID"/io)
c -o /dev/null "$U/big.bin" || fail "GET big.bin"
r1=$(awk '/^syscr/ { print $2 }' /proc/"$NB_PID"/io)
echo "measured: read-side system calls for a 1 MB GET: $((r1 - r0))"
[ $((r1 - r0)) -lt 64 ] || fail "1 MB took $((r1 - r0)) read calls: not sent with sendfile"
# In large pieces (http/sendfile_piece.h): 24 MiB in about a dozen sendfile
# calls (192 in libmicrohttpd's own 128 KiB pieces), the bytes exact, for
# the whole file and for one range in the middle.
head -c $((24 << 20)) /dev/urandom > "$LAB_TMP/tftproot/large.bin"
w0=$(awk '/^syscw/ { print $2 }' /proc/"$NB_PID"/io)
c -o "$LAB_TMP/got" "$U/large.bin" || fail "GET large.bin"
w1=$(awk '/^syscw/ { print $2 }' /proc/"$NB_PID"/io)
cmp -s "$LAB_TMP/got" "$LAB_TMP/tftproot/large.bin" || fail "GET large.bin: body differs"
echo "measured: write-side system calls for a 24 MiB GET: $((w1 - w0))"
[ $((w1 - w0)) -lt 96 ] || fail "24 MiB took $((w1 - w0)) write calls: not in large pieces"
c -o "$LAB_TMP/part" -r 3000007-13000006 "$U/large.bin" || fail "GET a range of large.bin"
cmp -s "$LAB_TMP/part" <(tail -c +3000008 "$LAB_TMP/tftproot/large.bin" | head -c 10000000) ||
    fail "a 10 MB range of large.bin: wrong bytes"
rm -f "$LAB_TMP/tftproot/large.bin"

# ---- keep-alive: two URLs, one connection ----
c -v -o /dev/null -o /dev/null "$U/sub/a.txt" "$U/big.bin" 2> "$LAB_TMP/ka" || { tail -5 "$LAB_TMP/ka"; fail "keep-alive GETs"; }
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
c -D "$LAB_TMP/h" -o "$LAB_TMP/multi" -r 0-1,3-4 "$U/sub/a.txt"
grep -q '^HTTP/1.1 206' "$LAB_TMP/h" || { cat "$LAB_TMP/h"; fail "two ranges: not 206"; }
grep -qi '^content-type: multipart/byteranges; boundary=' "$LAB_TMP/h" || fail "two ranges: not multipart"
/usr/bin/python3 - "$LAB_TMP/multi" "$LAB_TMP/h" <<'PY' || fail "two ranges: wrong multipart body"
import re, sys
body = open(sys.argv[1], "rb").read()
head = open(sys.argv[2], "rb").read().decode()
b = re.search(r"boundary=(\S+)", head).group(1).encode()
cl = int(re.search(r"(?i)content-length: (\d+)", head).group(1))
want = (b"--" + b + b"\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-1/6\r\n\r\nhe"
        b"\r\n--" + b + b"\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 3-4/6\r\n\r\nlo"
        b"\r\n--" + b + b"--\r\n")
sys.exit(0 if body == want and cl == len(body) else 1)
PY
[ "$(code -H 'Range: bytes=0-10,5-6' "$U/big.bin")" = 200 ] || fail "overlapping ranges: not the whole file"
[ "$(code -H 'Range: bytes=0-1' -H 'If-Range: "stale"' "$U/big.bin")" = 200 ] || fail "stale If-Range honoured"
[ "$(code -H 'Range: bytes=0-1' -H "If-Range: $ETAG" "$U/big.bin")" = 206 ] || fail "current If-Range refused"
echo "result: ranges (206, suffix, open end, 416, multipart, overlapping -> 200, If-Range)"

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
bad() { inns timeout 5 /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("192.0.2.1", 8080))
s.sendall(sys.argv[1].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(4)
print(s.recv(200).split(b"\r\n")[0].decode() or "closed")' "$1"; }
# A line that is not a request is not answered (MHD closes it).
bad 'GARBAGE\r\n\r\n' | grep -qE ' 400 |^closed' || fail "a request line that is not HTTP: answered"
bad 'GET /sub/a.txt\r\n\r\n' | grep -q ' 400 ' || fail "HTTP/0.9 request: not 400"
bad 'GET /sub/a.txt HTTP/1.1\r\n\r\n' | grep -q ' 400 ' || fail "HTTP/1.1 without Host: not 400"
bad 'GET /sub/a.txt HTTP/1.0\r\n\r\n' | grep -q ' 200 ' || fail "HTTP/1.0 without Host: not 200"
echo "result: 404, 403 (../, symlink out, folder), 405, 400 (no version, no Host)"

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
# A client that stops half way through its headers is cut off too.
start=$(date +%s%N)
inns timeout 10 /usr/bin/python3 -c '
import socket
s = socket.create_connection(("192.0.2.1", 8080))
s.sendall(b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\nX-Slow: ")
s.settimeout(8)
print("closed" if s.recv(100) == b"" else "data")' > "$LAB_TMP/idle" 2>&1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q closed "$LAB_TMP/idle" || fail "half-sent headers not cut off: $(cat "$LAB_TMP/idle")"
[ "$ms" -ge 1500 ] && [ "$ms" -lt 6000 ] || fail "half-sent headers cut off after $ms ms"
echo "measured: client silent after half its headers cut off after $ms ms"
echo "result: limits (431, idle-timeout)"

# ---- events ----
# A client that goes away half way: http-failed (bytes 0: not all sent).
truncate -s 64M "$NB_ROOT/huge.bin"
# A client that asks and then reads nothing (slow read): once the socket
# buffers are full nothing moves, and after idle-timeout it is cut off.
inns timeout 20 /usr/bin/python3 -c '
import socket, time
s = socket.create_connection(("192.0.2.1", 8080))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(5)
s.settimeout(5)
got, how = 0, "end"
try:
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        got += len(d)
except socket.timeout:
    how = "timeout"
except ConnectionResetError:
    pass
print("got", got, how)' > "$LAB_TMP/slowread" 2>&1
got=$(sed -n 's/^got \([0-9]*\) end$/\1/p' "$LAB_TMP/slowread")
[ -n "$got" ] && [ "$got" -lt $((64 << 20)) ] || fail "a client that reads nothing was not cut off: $(cat "$LAB_TMP/slowread")"
echo "measured: a client that read nothing for 5 s got $got of 67108864 bytes, then the end (idle-timeout 2 s)"
c -o /dev/null --limit-rate 2M --max-time 1 "$U/huge.bin" 2>/dev/null
wait_for 5 "grep -q '^http-done 192.0.2.2 $CLI_MAC big.bin 1000000' '$EVENTS'" ||
    { cat "$EVENTS"; fail "no http-done event with the client's MAC"; }
wait_for 25 "grep -q '^http-failed 192.0.2.2 $CLI_MAC huge.bin 0' '$EVENTS'" ||
    { cat "$EVENTS"; fail "no http-failed event for a GET cut short"; }
echo "result: http-done event with MAC $CLI_MAC: $(grep -c '^http-done' "$EVENTS") done, $(grep -c '^http-failed' "$EVENTS") failed"
stop_netbootd

# ---- connection limits (a long idle-timeout: nothing is cut off meanwhile) ----
# As the service user, with port 80 too: bound before the privilege drop.
NB_USER=netbootd
id netbootd >/dev/null 2>&1 || NB_USER=nobody
chmod 755 "$LAB_TMP"
chown -R "$NB_USER": "$LAB_TMP/leases"   # the first daemon ran as root
start_netbootd --set 'http={listen: [192.0.2.1:8080, 192.0.2.1:80], max-connections: 6, max-connections-per-client: 4, idle-timeout: 20}'
wait_for 5 "ip netns exec $LAB_SRV ss -Hltn | grep -q '192.0.2.1:80 '" || { cat "$NB_LOG"; fail "HTTP not listening on port 80"; }
[ "$(stat -c %U /proc/"$NB_PID")" = "$NB_USER" ] || fail "netbootd does not run as $NB_USER"
[ "$(code http://192.0.2.1/sub/a.txt)" = 200 ] || fail "port 80 as $NB_USER: no answer"
echo "result: port 80 bound before the drop to $NB_USER"
# Per client: 4 held connections, a fifth is refused; another address gets
# 2 more (6 = max-connections), its third waits until one of them ends.
ip -n "$LAB_CLI" addr add 192.0.2.3/24 dev cli0
inns timeout 15 /usr/bin/python3 -c '
import socket, time
def conn(src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("192.0.2.1", 8080))
    return s
def answered(s, t=3):
    s.settimeout(t)
    s.sendall(b"GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        return s.recv(100) != b""
    except Exception:
        return False
held = [conn("192.0.2.2") for _ in range(4)]
time.sleep(0.3)
print("fifth:", "served" if answered(conn("192.0.2.2")) else "refused")
time.sleep(0.3)
other = [conn("192.0.2.3") for _ in range(2)]
time.sleep(0.3)
print("other:", "served" if answered(other[0]) else "refused")
# Past max-connections a connection waits in the listen backlog (MHD stops
# accepting) until another one ends.
seventh = conn("192.0.2.3")
print("seventh:", "served" if answered(seventh, 1.5) else "waits")
held[0].close()
seventh.settimeout(5)
try:
    print("seventh after one closed:", "served" if seventh.recv(100) != b"" else "closed")
except Exception:
    print("seventh after one closed: nothing")' > "$LAB_TMP/per" 2>&1
grep -q 'fifth: refused' "$LAB_TMP/per" || fail "per-client limit: $(cat "$LAB_TMP/per")"
grep -q 'other: served' "$LAB_TMP/per" || fail "another client refused: $(cat "$LAB_TMP/per")"
grep -q 'seventh: waits' "$LAB_TMP/per" || fail "max-connections: $(cat "$LAB_TMP/per")"
grep -q 'seventh after one closed: served' "$LAB_TMP/per" || fail "max-connections: $(cat "$LAB_TMP/per")"
[ "$(code "$U/sub/a.txt")" = 200 ] || fail "served nothing after the connection limits"
echo "result: limits (max-connections-per-client: closed on accept; max-connections: waits)"

# ---- a client with a lease: its HTTP fetch is its boot progress ----
UD_LOG="$LAB_TMP/udhcpc.log"
lab_bg "$LAB_CLI" "$UD_LOG" busybox udhcpc -i cli0 -f -t 5 -T 2 -x 0x5d:0007 \
    -s "$PWD/tests/integration/udhcpc.script" > /dev/null
wait_log "$UD_LOG" "udhcpc-bound" 20 || { cat "$UD_LOG"; fail "no lease"; }
ip=$(sed -n 's/^udhcpc-bound \([0-9.]*\).*/\1/p' "$UD_LOG" | head -1)
c -o /dev/null "$U/big.bin" || fail "GET from the leased address"
stop_netbootd
"$(netbootd_bin)" --leases --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$NB_ROOT" \
    --set leases.file="$NB_LEASES" > "$LAB_TMP/table"
grep -qE "^$ip +$CLI_MAC .* efi-x64 +uefi64 +bound .* fetched big.bin" "$LAB_TMP/table" ||
    { cat "$LAB_TMP/table"; fail "HTTP fetch not in --leases"; }
echo "result: --leases: $(grep -oE 'fetched big.bin.*' "$LAB_TMP/table")"

# ---- SIGHUP: a new root is served at once; a new listener needs a restart ----
mkdir -p "$LAB_TMP/rootb"
echo from-b > "$LAB_TMP/rootb/only-b.txt"
PROFILE="$LAB_TMP/profile.yaml"
{ cat tests/fixtures/profiles/lab.yaml; echo "http: { listen: [192.0.2.1:8080], root: $NB_ROOT }"; } > "$PROFILE"
chown -R root: "$LAB_TMP/leases"
# The service manager's status line counts HTTP requests in flight too.
NOTIFY_OUT="$LAB_TMP/notify"
lab_bg "$LAB_CLI" "$NOTIFY_OUT.log" /usr/bin/python3 tests/tools/notify_listen.py \
    "$LAB_TMP/notify.sock" "$NOTIFY_OUT" --seconds 30 > /dev/null
wait_log "$NOTIFY_OUT" "listening" 5 || fail "notify listener did not start"
NOTIFY_SOCKET="$LAB_TMP/notify.sock" NB_USER=root NB_PROFILE="$PROFILE" start_netbootd
wait_for 5 "ip netns exec $LAB_SRV ss -Hltn | grep -q '192.0.2.1:8080 '" || { cat "$NB_LOG"; fail "HTTP not listening"; }
truncate -s 64M "$NB_ROOT/huge.bin"      # more than the socket buffers hold
c -o /dev/null --limit-rate 1M --max-time 4 "$U/huge.bin"
grep -qE "STATUS=serving 1 interface, [0-9]+ leases?, 1 transfer" "$NOTIFY_OUT" ||
    { cat "$NOTIFY_OUT"; fail "a slow HTTP GET not in the status line"; }
echo "result: status line: $(grep -oE 'STATUS=serving 1 interface, [0-9]+ leases?, 1 transfer' "$NOTIFY_OUT" | head -1)"
[ "$(code "$U/only-b.txt")" = 404 ] || fail "only-b.txt served before the reload"
sed -i "s|root: $NB_ROOT }|root: $LAB_TMP/rootb }|; s|192.0.2.1:8080|192.0.2.1:8081|" "$PROFILE"
kill -HUP "$NB_PID"
wait_log "$NB_LOG" "SIGHUP: reloaded" 10 || { cat "$NB_LOG"; fail "reload not logged"; }
[ "$(c "$U/only-b.txt")" = from-b ] || fail "the new root not served after SIGHUP"
grep -q "SIGHUP: http: on/off, listen and limits take effect at the next restart" "$NB_LOG" ||
    fail "no warning for a listener changed by SIGHUP"
stop_netbootd
echo "result: SIGHUP: new root served, listener change warned"
echo "PASS"
