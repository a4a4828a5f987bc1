#!/bin/bash
# Crash safety: a burst of DORA exchanges, netbootd killed with SIGKILL at a
# random moment, restarted on the same lease file. Every address ever ACKed
# must still be leased to the same client, no address to two clients, and
# the restarted daemon must not hand an ACKed address to someone else.
. "$(dirname "$0")/../lib/prologue.sh" lc
NB_LOG_LEVEL=warn
SETS=(--set subnets[0].lease-time=3600 --set subnets[0].max-lease-time=3600
      --set subnets[0].range=192.0.2.10-192.0.2.250)
start_netbootd "${SETS[@]}"
ACKS="$LAB_TMP/acks"
: > "$ACKS"
burst_pid=$(lab_bg "$LAB_CLI" "$LAB_TMP/burst1.log" /usr/bin/python3 tests/tools/dora_burst.py \
    --iface cli0 --count 230 --seconds 30 --pace 0.01 --seed "$$" --out "$ACKS")
# Kill the daemon in the middle of the burst, at a random point.
wait_for 20 "[ \$(wc -l < '$ACKS') -ge 20 ]" || fail "no ACKs before the kill"
sleep "0.$((RANDOM % 8 + 1))"
kill -KILL "$NB_PID"
# Stop the burst too, so the ACK list holds exactly what the killed daemon
# acknowledged (lab_bg ran in a subshell: wait by polling, not `wait`).
kill -TERM "$burst_pid" 2>/dev/null
wait_for 10 "! kill -0 $burst_pid 2>/dev/null && ! kill -0 $NB_PID 2>/dev/null" || fail "burst or daemon did not stop"
n_before=$(wc -l < "$ACKS")
echo "measured: $n_before addresses ACKed before kill -9"
[ "$n_before" -lt 230 ] || echo "note: the burst finished before the kill"

# Restart on the same lease file; its replay must hold every ACKed lease.
start_netbootd "${SETS[@]}"
"$(netbootd_bin)" --leases --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$NB_ROOT" \
    --set leases.file="$NB_LEASES" "${SETS[@]}" > "$LAB_TMP/table" || fail "--leases failed"
while read -r _ mac ip; do
    grep -qE "^$ip +$mac +.* bound " "$LAB_TMP/table" || { cat "$LAB_TMP/table"; fail "ACKed $ip to $mac lost after kill -9"; }
done < "$ACKS"
dups=$(awk 'NR > 1 { print $1 }' "$LAB_TMP/table" | sort | uniq -d)
[ -z "$dups" ] || fail "address listed twice: $dups"

# New clients after the restart never get an address ACKed before the crash.
: > "$LAB_TMP/acks2"
ip netns exec "$LAB_CLI" /usr/bin/python3 tests/tools/dora_burst.py --iface cli0 --count 20 \
    --seconds 20 --seed $(( $$ + 1 )) --out "$LAB_TMP/acks2" > /dev/null
while read -r _ mac ip; do
    if grep -q " $ip\$" "$ACKS"; then fail "$ip handed out again after the restart"; fi
done < "$LAB_TMP/acks2"
echo "result: $n_before ACKed leases survived kill -9; $(wc -l < "$LAB_TMP/acks2") new clients got fresh addresses"
stop_netbootd
exit 0
