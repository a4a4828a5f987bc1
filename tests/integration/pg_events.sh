#!/bin/bash
# Two netbootd servers on one PostgreSQL lease database, one segment: the
# events and the quarantine work as with one server. A commit is told by
# the server that ACKed it only; a DECLINE made on one server keeps the
# address from being offered by the other; a lease that runs out is
# reported once, by one server, although both see it expire. A real
# server from tests/lib/pg.sh.
. "$(dirname "$0")/../lib/prologue.sh"
. tests/lib/pg.sh
pg_need
pglab_up pge
pg_start
pglab_profile "  decline-time: 600"
"$(netbootd_bin)" db init --profile "$PGLAB_PROFILE" > /dev/null || fail "db init"
pglab_server 1 "$PGLAB_S1" --set metrics.listen=127.0.0.1:9167
pglab_server 2 "$PGLAB_S2"
probe() { ip netns exec "$LAB_CLI" /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 "$@"; }
ip4() { pg_sql "SELECT (address >> 24) || '.' || (address >> 16 & 255) || '.' || (address >> 8 & 255)
                || '.' || (address & 255) FROM netbootd_lease4 WHERE $1"; }
events() { grep -c "\"event\":\"$1\"" "${PGLAB_EVENTS[$2]}"; }

# Client A: offered by both, takes server 1's offer with a 5-second lease.
A=02:00:00:00:0a:01
probe --type 1 --mac "$A" > "$LAB_TMP/offer_a" || fail "no OFFER for A"
[ "$(grep -c "type=2" "$LAB_TMP/offer_a")" -ge 2 ] || { cat "$LAB_TMP/offer_a"; fail "not both servers offered"; }
ip_a=$(grep -m1 -o "yiaddr=[0-9.]*" "$LAB_TMP/offer_a" | cut -d= -f2)
probe --type 3 --mac "$A" --requested "$ip_a" --server-id 198.18.0.2 --lease 5 | grep -q "type=5" ||
    fail "server 1 did not ACK A"
[ "$(ip4 "state = 2 AND encode(mac, 'hex') = '020000000a01'")" = "$ip_a" ] ||
    fail "A's lease is not in the database"
wait_for 5 "[ \$(events commit 1) -ge 1 ]" || fail "server 1 did not report the commit"
[ "$(events commit 2)" = 0 ] || fail "server 2 reported a commit it did not make"

# Client B: takes server 2's offer, then declines it to server 2.
B=02:00:00:00:0b:01
probe --type 1 --mac "$B" > "$LAB_TMP/offer_b" || fail "no OFFER for B"
ip_b=$(grep "from=198.18.0.3:" "$LAB_TMP/offer_b" | grep -m1 -o "yiaddr=[0-9.]*" | cut -d= -f2)
[ -n "$ip_b" ] || { cat "$LAB_TMP/offer_b"; fail "server 2 made B no offer"; }
probe --type 3 --mac "$B" --requested "$ip_b" --server-id 198.18.0.3 | grep -q "type=5" ||
    fail "server 2 did not ACK B"
probe --type 4 --mac "$B" --requested "$ip_b" --server-id 198.18.0.3 > /dev/null
wait_for 5 "[ \"\$(ip4 'state = 5')\" = '$ip_b' ]" || fail "the DECLINE of $ip_b is not in the database"
wait_for 5 "[ \$(events decline 2) -ge 1 ]" || fail "server 2 did not report the decline"
sleep 2     # a pull: server 1 learns of the quarantine
# Nobody is offered the quarantined address, by either server, even asking for it.
C=02:00:00:00:0c:01
probe --type 1 --mac "$C" --requested "$ip_b" > "$LAB_TMP/offer_c" || fail "no OFFER for C"
if grep -q "yiaddr=$ip_b " "$LAB_TMP/offer_c"; then cat "$LAB_TMP/offer_c"; fail "$ip_b offered while quarantined"; fi

# A's 5-second lease runs out: both servers see it, one reports it.
wait_for 20 "[ \$(( \$(events expire 1) + \$(events expire 2) )) -ge 1 ]" || fail "no expire event"
sleep 5     # both expiry timers have run by now
total=$(( $(events expire 1) + $(events expire 2) ))
[ "$total" = 1 ] || fail "the expiry of $ip_a was reported $total times"
[ "$(pg_sql "SELECT state FROM netbootd_lease4 WHERE encode(mac, 'hex') = '020000000a01'")" = 4 ] ||
    fail "A's lease is not expired in the database"

# status reads the shared state and says where it lives.
"$(netbootd_bin)" status --control "$LAB_TMP/control2" > "$LAB_TMP/status" || fail "status failed"
grep -q "^leases: postgresql, connected" "$LAB_TMP/status" || { cat "$LAB_TMP/status"; fail "status does not name the database"; }
ip netns exec "$PGLAB_S1" curl -s http://127.0.0.1:9167/metrics | grep -q "^netbootd_lease_database_up 1" ||
    fail "metrics do not say the database is up"
grep -q "another DHCP server" "${PGLAB_LOG[1]}" "${PGLAB_LOG[2]}" &&
    fail "a server of the pair warned about the other one"

for n in 1 2; do
    kill -TERM "${PGLAB_PID[$n]}"
    wait_for 10 "! kill -0 ${PGLAB_PID[$n]} 2>/dev/null" || fail "server $n did not stop"
    if grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "${PGLAB_LOG[$n]}"; then
        grep -A30 -E "LeakSanitizer|AddressSanitizer|runtime error:" "${PGLAB_LOG[$n]}" | head -40
        fail "sanitizer report from server $n"
    fi
done
pg_stop
echo "result: commit reported by the ACKing server only, a DECLINE on one server honoured by the other, one expire event for two servers"
exit 0
