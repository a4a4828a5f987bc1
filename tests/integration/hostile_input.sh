#!/bin/bash
# Hostile input on the DHCP and TFTP ports: the daemon must not crash, must
# log malformed packets (rate-limited), must read or write nothing outside
# the TFTP root, and must serve the next valid DHCP and TFTP clients.
. "$(dirname "$0")/../lib/prologue.sh" ho
NB_LOG_LEVEL=info
mkdir -p "$LAB_TMP/tftproot"
echo secret > "$LAB_TMP/secret"
start_netbootd --set leases.offer-hold=2
inns ip addr add 192.0.2.2/24 dev cli0
before=$(find "$LAB_TMP" -newer "$NB_LOG" -type f | grep -v -e netbootd.log -e leases | wc -l)
inns timeout 120 /usr/bin/python3 tests/tools/hostile.py --random "${HOSTILE_COUNT:-10000}" || fail "sender failed"
sleep 1
kill -0 "$NB_PID" 2>/dev/null || { tail -30 "$NB_LOG"; fail "netbootd died"; }
grep -q "dropped malformed DHCP datagram" "$NB_LOG" || fail "no malformed-packet log"
# Malformed packets are logged, rate-limited (well-formed mutants each get
# their one line per exchange, as any client would).
lines=$(grep -c -e "malformed" -e "bad request" -e "oversized" "$NB_LOG")
[ "$lines" -lt 200 ] || { cut -c1-60 "$NB_LOG" | sort | uniq -c | sort -rn | head; fail "malformed-packet log flooded: $lines lines"; }
[ ! -e "$LAB_TMP/tftproot/evil" ] || fail "WRQ created a file"
after=$(find "$LAB_TMP" -newer "$NB_LOG" -type f | grep -v -e netbootd.log -e leases | wc -l)
[ "$after" -eq "$before" ] || fail "files changed outside the lease file"
inns ip addr flush dev cli0
# Random MACs filled the pool with offer holds: a reservation is still served
# at once, and dynamic clients again once the holds (2 s here) run out.
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:00:00:42 --arch 7)
echo "$out" | grep -q "type=2 yiaddr=192.0.2.42" || fail "reservation not served after the garbage: $out"
sleep 3
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:20 --arch 7)
echo "$out" | grep -q "type=2" || fail "no OFFER after the garbage"
inns ip addr add 192.0.2.2/24 dev cli0
inns timeout 20 tftp 192.0.2.1 -m binary -c get efi64/syslinux.efi "$LAB_TMP/ok.efi" || fail "tftp after garbage failed"
cmp -s "$LAB_TMP/ok.efi" "$NB_ROOT/efi64/syslinux.efi" || fail "tftp bytes differ"
echo "result: survived $(grep -c . "$NB_LOG") log lines of garbage handling; DHCP and TFTP still serve"
# A DISCOVER flood: one log line per exchange, but at most 500 a second.
inns ip addr flush dev cli0
before=$(grep -c "DHCPOFFER" "$NB_LOG")
t0=$(date +%s)
inns timeout 30 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:21 \
    --count 3000 --wait 2 > "$LAB_TMP/flood.out"
offers=$(grep -c "type=2" "$LAB_TMP/flood.out")
logged=$(( $(grep -c "DHCPOFFER" "$NB_LOG") - before ))
secs=$(( $(date +%s) - t0 + 1 ))
# The probe may miss replies on a busy machine: compare with what was sent.
[ "$offers" -gt 0 ] || fail "the flood got no offers"
[ "$logged" -le $((500 * secs)) ] && [ "$logged" -lt 3000 ] ||
    fail "3000 DISCOVERs, $logged OFFER lines logged in $secs s: the exchange log is not rate-limited"
grep -q "similar messages suppressed" "$NB_LOG" || fail "no suppressed-lines note"
echo "result: $offers offers to a DISCOVER flood, $logged logged"
stop_netbootd
exit 0
