#!/bin/bash
# http.listen with IPv6 addresses (docs/http.md):
#  - "[::1]:8080" serves on the loopback address, curl -g 'http://[::1]:8080/...'
#  - "[::]:8081" next to "0.0.0.0:8081": both bound (the IPv6 socket is
#    IPv6-only, as with nginx), each family served on its own socket
#  - --check shows the addresses in brackets; a malformed one is refused
#  - the per-client limit counts an IPv6 client's connections as well
. "$(dirname "$0")/../lib/prologue.sh" h6
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
ip netns exec "$LAB_SRV" ip -6 addr show dev lo | grep -q '::1/128' ||
    { echo "skip: no IPv6 on the namespace's loopback"; exit 77; }
mkdir -p "$LAB_TMP/tftproot"
printf 'hello over IPv6\n' > "$LAB_TMP/tftproot/a.txt"
HTTP_SET='http={listen: ["[::1]:8080", "[::]:8081", "0.0.0.0:8081"], max-connections-per-client: 2}'
"$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$LAB_TMP/tftproot" \
    --set "$HTTP_SET" 2>/dev/null | grep -q '^http: \[::1\]:8080, \[::\]:8081, 0.0.0.0:8081; ' ||
    fail "--check: the IPv6 listen addresses are not shown"
for bad in '[::1:8080' '::1:8080' '[::g]:80' '[::1]:0'; do
    "$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$LAB_TMP/tftproot" \
        --set "http={listen: [\"$bad\"]}" > "$LAB_TMP/bad" 2>&1 && fail "--check accepted listen '$bad'"
    grep -q "is not ADDR:PORT" "$LAB_TMP/bad" || { cat "$LAB_TMP/bad"; fail "no error for '$bad'"; }
done
echo "result: --check: [::1]:8080 and [::]:8081 shown, 4 malformed addresses refused"

start_netbootd --set "$HTTP_SET"
srv() { ip netns exec "$LAB_SRV" "$@"; }
wait_for 5 "srv ss -Hltn | grep -q '\[::1\]:8080 '" || { cat "$NB_LOG"; fail "not listening on [::1]:8080"; }
srv ss -Hltn | grep -q '\[::\]:8081 ' || { srv ss -Hltn; fail "not listening on [::]:8081"; }
srv ss -Hltn | grep -q '0.0.0.0:8081 ' || { srv ss -Hltn; fail "not listening on 0.0.0.0:8081 next to [::]:8081"; }
got=$(srv curl -sS -g --max-time 5 'http://[::1]:8080/a.txt') || fail "GET over [::1]:8080"
[ "$got" = "hello over IPv6" ] || fail "GET over [::1]:8080: '$got'"
got=$(srv curl -sS -g --max-time 5 'http://[::1]:8081/a.txt') || fail "GET over [::]:8081"
[ "$got" = "hello over IPv6" ] || fail "GET over [::]:8081: '$got'"
got=$(srv curl -sS --max-time 5 'http://127.0.0.1:8081/a.txt') || fail "GET over 0.0.0.0:8081"
[ "$got" = "hello over IPv6" ] || fail "GET over 0.0.0.0:8081: '$got'"
code=$(srv curl -s -g -o /dev/null -w '%{http_code}' --max-time 5 'http://[::1]:8080/nope')
[ "$code" = 404 ] || fail "404 over IPv6: $code"
echo "result: GET over [::1]:8080, [::]:8081 and 0.0.0.0:8081 (one port, both families)"
# Two held connections from ::1 are the limit; a third is closed on accept.
srv timeout 15 python3 -c '
import socket, time
held = [socket.create_connection(("::1", 8080)) for _ in range(2)]
time.sleep(0.3)
s = socket.create_connection(("::1", 8080))
s.settimeout(3)
try:
    s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    print("third:", "served" if s.recv(100) else "closed")
except Exception:
    print("third: closed")' > "$LAB_TMP/per6" 2>&1
grep -q 'third: closed' "$LAB_TMP/per6" || fail "per-client limit over IPv6: $(cat "$LAB_TMP/per6")"
echo "result: max-connections-per-client 2 holds for an IPv6 client"
grep -q 'HTTP listening on \[::1\]:8080' "$NB_LOG" || fail "the log does not name [::1]:8080"
stop_netbootd
