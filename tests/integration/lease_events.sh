#!/bin/bash
# Every kind of lease event reaches the hook from a running daemon, with the
# client's MAC and address: commit, renew (the same client asks again),
# expire (a 5-second lease asked for with option 51), decline (and the
# declined address is offered to no client, even once the decliner has
# moved on and another asks for it by option 50), tftp-done, and
# tftp-failed (a client that stops ACKing mid-transfer); a client with a
# static address (no lease) still gets its MAC in tftp events.
. "$(dirname "$0")/../lib/prologue.sh" le
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
EVENTS="$LAB_TMP/events"
HOOK="$LAB_TMP/hook.sh"
cat > "$HOOK" <<HOOKEOF
#!/bin/sh
echo "\$NETBOOTD_EVENT \$NETBOOTD_MAC \$NETBOOTD_IP \${NETBOOTD_FILE:-}" >> "$EVENTS"
HOOKEOF
chmod +x "$HOOK"
start_netbootd --set leases.on-event="$HOOK" --set tftp.timeout=1 --set tftp.retries=2 \
    --set subnets[0].min-lease-time=1
probe() { ip netns exec "$LAB_CLI" timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --wait 1 "$@"; }
offered() { sed -n 's/.* type=2 yiaddr=\([0-9.]*\) .*/\1/p' | head -1; }
seen() { wait_for "$1" "grep -q '^$2' '$EVENTS'"; }

# commit, renew, expire
A=52:54:00:ee:00:01
ip_a=$(probe --mac $A | offered)
[ -n "$ip_a" ] || fail "no OFFER for $A"
probe --mac $A --type 3 --requested "$ip_a" --server-id 192.0.2.1 --lease 5 | grep -q " type=5 " ||
    fail "no ACK for $A"
seen 5 "commit $A $ip_a" || fail "no commit event"
probe --mac $A --type 3 --requested "$ip_a" --lease 5 | grep -q " type=5 " || fail "no ACK on renewal"
seen 5 "renew $A $ip_a" || { cat "$EVENTS"; tail -5 "$NB_LOG"; fail "no renew event"; }
seen 15 "expire $A $ip_a" || { cat "$EVENTS"; fail "the 5-second lease did not expire"; }
grep -q "lease expired: $ip_a" "$NB_LOG" || fail "expiry not logged"
echo "result: commit, renew, expire for $A ($ip_a)"

# decline: quarantined, not offered again
B=52:54:00:ee:00:02
ip_b=$(probe --mac $B | offered)
[ -n "$ip_b" ] || fail "no OFFER for $B"
probe --mac $B --type 3 --requested "$ip_b" --server-id 192.0.2.1 | grep -q " type=5 " || fail "no ACK for $B"
probe --mac $B --type 4 --requested "$ip_b" --server-id 192.0.2.1 --wait 0.5 >/dev/null   # no reply to a DECLINE
seen 5 "decline $B $ip_b" || { cat "$EVENTS"; fail "no decline event"; }
# B moving on to another address does not end the quarantine (issue 21
# item 11): a client asking for the declined address still gets another.
ip_b2=$(probe --mac $B | offered)
[ -n "$ip_b2" ] && [ "$ip_b2" != "$ip_b" ] || fail "after its DECLINE $B was offered '$ip_b2'"
ip_c=$(probe --mac 52:54:00:ee:00:06 --requested "$ip_b" | offered)
[ -n "$ip_c" ] && [ "$ip_c" != "$ip_b" ] || fail "declined address $ip_b offered to a client asking for it"
for i in 3 4 5; do
    ip_c=$(probe --mac 52:54:00:ee:00:0$i | offered)
    [ -n "$ip_c" ] || fail "no OFFER for a client after the decline"
    [ "$ip_c" != "$ip_b" ] || fail "declined address $ip_b offered again"
done
echo "result: decline for $B ($ip_b), address quarantined"

# tftp-done, tftp-failed
ip netns exec "$LAB_CLI" timeout 20 tftp 192.0.2.1 -m binary -c get efi64/syslinux.efi "$LAB_TMP/got" ||
    fail "tftp failed"
seen 5 "tftp-done .* 192.0.2.2 efi64/syslinux.efi" || { cat "$EVENTS"; fail "no tftp-done event"; }
# 192.0.2.2 has a static address, no lease: its MAC comes from the neighbour table.
cli_mac=$(ip netns exec "$LAB_CLI" cat /sys/class/net/cli0/address)
seen 1 "tftp-done $cli_mac 192.0.2.2 efi64/syslinux.efi" ||
    { cat "$EVENTS"; fail "tftp-done for a lease-less client without its MAC ($cli_mac)"; }
# Read the first block and go silent: the server resends, gives up, reports.
ip netns exec "$LAB_CLI" timeout 10 /usr/bin/python3 tests/tools/tftp_first_block.py 192.0.2.1 efi64/syslinux.efi ||
    fail "no first block"
seen 20 "tftp-failed .* 192.0.2.2 efi64/syslinux.efi" || { cat "$EVENTS"; fail "no tftp-failed event"; }
grep -q "TFTP efi64/syslinux.efi to 192.0.2.2 failed" "$NB_LOG" || fail "failed transfer not logged"
echo "result: tftp-done and tftp-failed"
cat "$EVENTS"
stop_netbootd
lab_down
