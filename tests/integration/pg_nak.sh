#!/bin/bash
# A REQUEST whose lease the shared database refuses (another server bound
# the address first) is answered with a NAK at once, as Kea does, rather
# than left unanswered until the client's retransmission: the client goes
# back to DISCOVER without waiting. The other server is played here by a
# row written straight into the database between our OFFER and the
# client's REQUEST. A real PostgreSQL from tests/lib/pg.sh.
. "$(dirname "$0")/../lib/prologue.sh"
. tests/lib/pg.sh
pg_need
pglab_up pgn
pg_start
pglab_profile
"$(netbootd_bin)" db init --profile "$PGLAB_PROFILE" > /dev/null || fail "db init"
pglab_server 1 "$PGLAB_S1"
declare -n LOG=PGLAB_LOG
probe() { ip netns exec "$LAB_CLI" /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 "$@"; }

C=02:00:00:00:0c:01
probe --type 1 --mac "$C" > "$LAB_TMP/offer" || fail "no OFFER"
ip=$(grep -m1 -o "yiaddr=[0-9.]*" "$LAB_TMP/offer" | cut -d= -f2)
[ -n "$ip" ] || { cat "$LAB_TMP/offer"; fail "no address offered"; }
IFS=. read -r a b c d <<< "$ip"
addr=$(( (a << 24) | (b << 16) | (c << 8) | d ))
# Another server's client takes the address (as netbootd_lease4_put would).
pg_sql "INSERT INTO netbootd_lease4 (address, mac, state, expires, updated, server)
        VALUES ($addr, '\\x020000000d01', 2, extract(epoch FROM now())::bigint + 3600,
                extract(epoch FROM now())::bigint, 'other')
        ON CONFLICT (address) DO UPDATE SET mac = EXCLUDED.mac, state = 2,
            expires = EXCLUDED.expires, updated = EXCLUDED.updated" || fail "insert"
out=$(probe --type 3 --mac "$C" --requested "$ip" --server-id 198.18.0.2 --wait 2)
echo "$out"
grep -q "type=6" <<< "$out" || fail "no NAK for the refused REQUEST"
grep -q "type=5" <<< "$out" && fail "an ACK for an address the database gave to another client"
grep -q "DHCPNAK instead of DHCPACK $ip" "${LOG[1]}" ||
    { tail -20 "${LOG[1]}"; fail "the NAK was not the database's refusal"; }
[ "$(pg_sql "SELECT encode(mac, 'hex') FROM netbootd_lease4 WHERE address = $addr")" = 020000000d01 ] ||
    fail "the other client's lease changed"
echo "result: REQUEST for $ip refused by the database: NAK at once, other lease kept"
