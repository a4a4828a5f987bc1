#!/bin/bash
# http.header-timeout (docs/http.md): a request's headers must be complete
# within the deadline however the bytes trickle in (slowloris); idle-timeout
# alone counts silence and never cuts a client that sends a byte a second.
#  - a client trickling one header byte a second is cut at header-timeout
#    (3 s here), while curl on the same server is served meanwhile
#  - keep-alive: a connection idle between requests longer than the
#    deadline (but within idle-timeout) is kept and its next request served;
#    the clock of that next request starts with its first byte, and a
#    trickled second request is cut at the deadline as well
#  - --check shows the deadline; each cut is logged and counted in
#    netbootd_http_header_timeouts_total
. "$(dirname "$0")/../lib/prologue.sh" hl
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
mkdir -p "$LAB_TMP/tftproot"
printf 'hello\n' > "$LAB_TMP/tftproot/a.txt"
HTTP_SET='http={listen: [192.0.2.1:8080], idle-timeout: 30, header-timeout: 3}'

"$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$LAB_TMP/tftproot" \
    --set "$HTTP_SET" 2>/dev/null | grep -q '^http: 192.0.2.1:8080; .*header-timeout 3 s' || fail "--check: no header-timeout"
"$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$LAB_TMP/tftproot" \
    --set 'http={}' 2>/dev/null | grep -q '^http: .*header-timeout 10 s' || fail "--check: header-timeout default is not 10 s"
start_netbootd --set "$HTTP_SET" --set 'metrics={listen: 127.0.0.1:9109}'
cuts() { ip netns exec "$LAB_SRV" curl -s --max-time 5 http://127.0.0.1:9109/metrics |
    sed -n 's/^netbootd_http_header_timeouts_total \([0-9]*\)$/\1/p'; }
[ "$(cuts)" = 0 ] || fail "netbootd_http_header_timeouts_total is not 0 at start: '$(cuts)'"
wait_for 5 "ip netns exec $LAB_SRV ss -Hltn | grep -q '192.0.2.1:8080 '" || { cat "$NB_LOG"; fail "HTTP not listening"; }

# A trickle client: the request line at once, then a header one byte a
# second for at most 15 s; prints when the server ended the connection.
cat > "$LAB_TMP/trickle.py" <<'PY'
import socket, sys, time
s = socket.create_connection(("192.0.2.1", 8080))
t0 = time.monotonic()
if sys.argv[1] == "keepalive":
    # one whole request, its answer, then silence longer than the deadline
    s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    s.settimeout(5)
    while not got.endswith(b"hello\n"):
        d = s.recv(1000)
        if not d:
            print("first answer cut short", got); sys.exit(0)
        got += d
    time.sleep(float(sys.argv[2]))
    s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while not got.endswith(b"hello\n"):
        d = s.recv(1000)
        if not d:
            print("second request refused after idle"); sys.exit(0)
        got += d
    print("second request served after %.1f s idle" % float(sys.argv[2]))
    t0 = time.monotonic()
s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n")
s.settimeout(0.2)
for i in range(15):
    try:
        s.send(b"X-Slow: " if i == 0 else b"a")
    except OSError:
        print("closed after %.1f s (send failed)" % (time.monotonic() - t0)); sys.exit(0)
    end = time.monotonic() + 1
    while time.monotonic() < end:
        try:
            if s.recv(1000) == b"":
                print("closed after %.1f s" % (time.monotonic() - t0)); sys.exit(0)
        except socket.timeout:
            pass
        except OSError:
            print("closed after %.1f s (reset)" % (time.monotonic() - t0)); sys.exit(0)
print("still open after 15 s")
PY
closed_after() { sed -n 's/^closed after \([0-9.]*\) s.*/\1/p' "$1"; }
in_window() { awk -v t="$1" 'BEGIN { exit !(t != "" && t >= 2.5 && t < 5.5) }'; }

inns timeout 30 python3 "$LAB_TMP/trickle.py" first > "$LAB_TMP/trickle.out" 2>&1 &
tpid=$!
sleep 1.5
# Served meanwhile, on the same server (the trickle is still going).
for i in 1 2; do
    [ "$(inns curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://192.0.2.1:8080/a.txt)" = 200 ] ||
        fail "a normal client was not served while a trickle client was connected"
    sleep 0.5
done
kill -0 "$tpid" 2>/dev/null || fail "the trickle client ended before the deadline: $(cat "$LAB_TMP/trickle.out")"
wait "$tpid"
t=$(closed_after "$LAB_TMP/trickle.out")
in_window "$t" || fail "trickle client (header-timeout 3 s): $(cat "$LAB_TMP/trickle.out")"
echo "measured: a client sending one header byte a second was cut after $t s (header-timeout 3 s, idle-timeout 30 s)"
wait_log "$NB_LOG" "request headers not complete after 3 s: connection closed" 5 ||
    { tail -20 "$NB_LOG"; fail "the cut is not logged"; }
echo "result: slowloris cut at the header deadline, a normal client served meanwhile"

inns timeout 40 python3 "$LAB_TMP/trickle.py" keepalive 5 > "$LAB_TMP/keep.out" 2>&1
grep -q '^second request served after 5.0 s idle' "$LAB_TMP/keep.out" ||
    fail "keep-alive connection idle 5 s (header-timeout 3, idle-timeout 30): $(cat "$LAB_TMP/keep.out")"
t=$(closed_after "$LAB_TMP/keep.out")
in_window "$t" || fail "trickled second request on a kept-alive connection: $(cat "$LAB_TMP/keep.out")"
echo "measured: kept alive 5 s idle and served again; its trickled next request cut after $t s"
echo "result: keep-alive idle is idle-timeout's, the next request's headers header-timeout's"
[ "$(cuts)" = 2 ] || fail "netbootd_http_header_timeouts_total after 2 cuts: '$(cuts)'"
echo "result: netbootd_http_header_timeouts_total 2 after the 2 cuts"
stop_netbootd
