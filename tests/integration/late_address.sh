#!/bin/bash
# An interface that has no IPv4 address when netbootd starts: DHCP and TFTP
# start answering once the address appears (the interface keeps its name
# through the re-lookup).
. "$(dirname "$0")/../lib/prologue.sh" la
ip -n "$LAB_SRV" addr flush dev srv0
start_netbootd
UD_LOG="$LAB_TMP/udhcpc.log"

# Before the address exists: a DISCOVER is seen and ignored on srv0.
inns timeout 10 busybox udhcpc -i cli0 -n -q -t 2 -T 1 \
    -s "$PWD/tests/integration/udhcpc.script" > "$UD_LOG" 2>&1
wait_log "$NB_LOG" "on srv0" 5 || { tail -20 "$NB_LOG"; fail "no log line names srv0 before the address"; }
grep -q "udhcpc-bound" "$UD_LOG" && fail "a lease was handed out from an interface without an address"

ip -n "$LAB_SRV" addr add 192.0.2.1/24 dev srv0
inns timeout 30 busybox udhcpc -i cli0 -n -q -t 5 -T 2 \
    -s "$PWD/tests/integration/udhcpc.script" > "$UD_LOG" 2>&1
grep -q "udhcpc-bound 192.0.2.1[0-9][0-9]" "$UD_LOG" || { cat "$UD_LOG"; tail -20 "$NB_LOG"; fail "no lease after the address appeared"; }
grep -q "ignored on ''" "$NB_LOG" && fail "the interface lost its name"
echo "result: DHCP answers once the address appears"

inns timeout 30 tftp 192.0.2.1 -m binary -c get boot.ipxe "$LAB_TMP/got.ipxe" ||
    { tail -20 "$NB_LOG"; fail "TFTP failed after the address appeared"; }
cmp -s "$LAB_TMP/got.ipxe" "$NB_ROOT/boot.ipxe" || fail "TFTP bytes differ"
echo "result: TFTP answers once the address appears"
stop_netbootd
