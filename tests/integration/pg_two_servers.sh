#!/bin/bash
# Two netbootd servers sharing one PostgreSQL lease database, on one client
# segment (a bridge), the same pool: 200-client DORA bursts with random
# MACs, repeated; one server killed with SIGKILL mid-burst; PostgreSQL
# stopped and restarted mid-burst. Throughout: no address bound to two
# clients (the clients' ACKs and the database agree), and every ACK a
# client saw is in the database for that client (an ACK leaves only after
# its commit). A real server from tests/lib/pg.sh.
. "$(dirname "$0")/../lib/prologue.sh"
. tests/lib/pg.sh
pg_need
pglab_up pg2
pg_start
pglab_profile
"$(netbootd_bin)" db init --profile "$PGLAB_PROFILE" > /dev/null || fail "db init"
pglab_server 1 "$PGLAB_S1"
pglab_server 2 "$PGLAB_S2"
declare -n PID=PGLAB_PID LOG=PGLAB_LOG

ACKS="$LAB_TMP/acks"
: > "$ACKS"
# burst SEED COUNT: two client processes of COUNT/2 clients each, in parallel.
burst() {
    local a b
    a=$(lab_bg "$LAB_CLI" "$LAB_TMP/b$1a.log" /usr/bin/python3 tests/tools/dora_burst.py \
        --iface cli0 --count $(($2 / 2)) --seconds 60 --seed "$1" --out "$ACKS")
    b=$(lab_bg "$LAB_CLI" "$LAB_TMP/b$1b.log" /usr/bin/python3 tests/tools/dora_burst.py \
        --iface cli0 --count $(($2 / 2)) --seconds 60 --seed "$(($1 + 50000))" --out "$ACKS")
    echo "$a $b"
}
wait_pids() { local p; for p in $1; do wait_for 90 "! kill -0 $p 2>/dev/null" || fail "burst $p hung"; done; }

# Every ACK the clients saw: no address to two clients, and the database
# holds each one for its client.
check() {
    local dup
    dup=$(awk '{ print $3 }' "$ACKS" | sort | uniq -d | head -3)
    [ -z "$dup" ] || fail "$1: address ACKed to two clients: $dup"
    pg_sql "SELECT (address >> 24) || '.' || (address >> 16 & 255) || '.' || (address >> 8 & 255)
            || '.' || (address & 255) || ' ' || encode(mac, 'hex') FROM netbootd_lease4
            WHERE state = 2" | sort > "$LAB_TMP/db"
    awk '{ gsub(":", "", $2); print $3 " " $2 }' "$ACKS" | sort > "$LAB_TMP/acked"
    local missing
    missing=$(comm -23 "$LAB_TMP/acked" "$LAB_TMP/db" | head -3)
    [ -z "$missing" ] || fail "$1: ACKed but not in the database for that client: $missing"
    [ -z "$(pg_sql "SELECT client FROM netbootd_lease4 WHERE state = 2 GROUP BY client
                    HAVING count(*) > 1")" ] || fail "$1: a client bound twice in the database"
}

for round in 1 2 3; do
    before=$(wc -l < "$ACKS")
    wait_pids "$(burst $((RANDOM * 7 + round)) 200)"
    got=$(($(wc -l < "$ACKS") - before))
    [ "$got" -ge 180 ] || fail "round $round: only $got of 200 clients got an ACK"
    check "round $round"
    echo "measured: round $round: $got/200 clients ACKed by the pair"
done
n1=$(grep -c "DHCPACK " "${LOG[1]}"); n2=$(grep -c "DHCPACK " "${LOG[2]}")
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "one server never ACKed (1: $n1, 2: $n2)"
echo "measured: ACKs by server 1: $n1, by server 2: $n2"

# kill -9 one server mid-burst: the other keeps serving.
before=$(wc -l < "$ACKS")
pids=$(burst $((RANDOM * 7 + 11)) 200)
wait_for 30 "[ \$(wc -l < '$ACKS') -ge $((before + 40)) ]" || fail "no ACKs before the kill"
kill -KILL "${PID[1]}"
killed_at=$(wc -l < "$ACKS")
wait_pids "$pids"
after=$(($(wc -l < "$ACKS") - killed_at))
[ "$after" -ge 50 ] || fail "only $after ACKs after server 1 was killed"
check "after kill -9"
echo "measured: server 1 killed after $((killed_at - before)) ACKs; server 2 ACKed $after more"
pglab_server 1 "$PGLAB_S1"

# PostgreSQL stopped and restarted mid-burst: no ACK without a commit.
before=$(wc -l < "$ACKS")
pids=$(burst $((RANDOM * 7 + 13)) 200)
wait_for 30 "[ \$(wc -l < '$ACKS') -ge $((before + 40)) ]" || fail "no ACKs before the database stop"
pg_stop
down_at=$(wc -l < "$ACKS")
sleep 3
down_acks=$(($(wc -l < "$ACKS") - down_at))
pg_start
wait_pids "$pids"
check "after the database restart"
grep -q "lease database unreachable" "${LOG[2]}" || fail "server 2 did not say the database was down"
# Acks while it was down can only be for changes committed before the stop.
echo "measured: $down_acks ACKs in the 3 s the database was down (committed before the stop)"
wait_for 40 "[ \$(grep -c 'lease database connected' '${LOG[1]}') -ge 2 ] &&
             [ \$(grep -c 'lease database connected' '${LOG[2]}') -ge 2 ]" ||
    fail "the servers did not reconnect"
before=$(wc -l < "$ACKS")
wait_pids "$(burst $((RANDOM * 7 + 17)) 40)"
[ $(($(wc -l < "$ACKS") - before)) -ge 30 ] || fail "few ACKs after the database came back"
check "after reconnecting"

for n in 1 2; do
    kill -TERM "${PID[$n]}"
    wait_for 10 "! kill -0 ${PID[$n]} 2>/dev/null" || fail "server $n did not stop"
    if grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "${LOG[$n]}"; then
        grep -A30 -E "LeakSanitizer|AddressSanitizer|runtime error:" "${LOG[$n]}" | head -40
        fail "sanitizer report from server $n"
    fi
done
pg_stop
echo "result: $(wc -l < "$ACKS") ACKs from two servers on one database: none to two clients, all committed"
exit 0
