#!/bin/bash
# Lease events reach a provisioning hook in order, with their variables, and
# the JSON event log; a hanging hook is killed and never delays DHCP; the
# boot timeline shows up in `netbootd --leases`.
. "$(dirname "$0")/../lib/prologue.sh" hk
HOOK="$LAB_TMP/hook.sh"
EVENTS="$LAB_TMP/events"
cat > "$HOOK" <<HOOKEOF
#!/bin/sh
echo "\$NETBOOTD_EVENT \$NETBOOTD_MAC \$NETBOOTD_IP \$NETBOOTD_ARCH \$NETBOOTD_CLASS \${NETBOOTD_FILE:-} \${NETBOOTD_BYTES:-}" >> "$EVENTS"
# One event makes the hook hang: it must be killed after hook-timeout.
[ "\$NETBOOTD_EVENT" = release ] && exec sleep 600
exit 0
HOOKEOF
chmod +x "$HOOK"
start_netbootd --set leases.on-event="$HOOK" --set leases.hook-timeout=2 \
    --set leases.event-log="$LAB_TMP/events.json"
MAC=52:54:00:aa:bb:07
UD_LOG="$LAB_TMP/udhcpc.log"
ud_pid=$(lab_bg "$LAB_CLI" "$UD_LOG" busybox udhcpc -i cli0 -f -R -t 5 -T 2 -x 0x5d:0007 \
    -s "$PWD/tests/integration/udhcpc.script")
wait_log "$UD_LOG" "udhcpc-bound" 20 || { cat "$UD_LOG"; tail "$NB_LOG"; fail "no lease"; }
ip=$(sed -n 's/^udhcpc-bound \([0-9.]*\).*/\1/p' "$UD_LOG" | head -1)
inns timeout 20 tftp 192.0.2.1 -m binary -c get efi64/syslinux.efi "$LAB_TMP/got" || fail "tftp failed"
kill -TERM "$ud_pid"            # release -> the hook hangs -> killed after 2 s
wait_for 10 "grep -q '^release ' '$EVENTS'" || fail "no release event"
# DHCP keeps answering while the hook hangs.
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:09)
echo "$out" | grep -q "type=2" || fail "DHCP stalled behind a hanging hook"
wait_log "$NB_LOG" "hook ignored SIGTERM|hook killed by signal" 10 || fail "hanging hook not killed"
wait_for 10 "[ \$(grep -c . '$EVENTS') -ge 7 ]" || { cat "$EVENTS"; fail "events after the hung hook did not run"; }
cat "$EVENTS"
mac=$(inns cat /sys/class/net/cli0/address)
order=$(grep " $mac " "$EVENTS" | awk '{print $1}' | tr '\n' ' ')
case "$order" in
    "discover offer commit tftp-done release "*) ;;
    *) fail "events out of order for $mac: $order" ;;
esac
grep -q "^commit $mac $ip efi-x64 uefi64" "$EVENTS" || fail "commit event variables wrong"
grep -q "^tftp-done $mac $ip efi-x64 uefi64 efi64/syslinux.efi 200000" "$EVENTS" || fail "tftp-done variables wrong"
/usr/bin/python3 tests/tools/event_log_check.py "$LAB_TMP/events.json" efi64/syslinux.efi 200000 ||
    fail "JSON event log wrong"
echo "result: events in order: $order"
stop_netbootd
"$(netbootd_bin)" --leases --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$NB_ROOT" \
    --set leases.file="$NB_LEASES" > "$LAB_TMP/table"
cat "$LAB_TMP/table"
grep -qE "^$ip +$mac .* efi-x64 +uefi64 +released .* fetched efi64/syslinux.efi" "$LAB_TMP/table" ||
    fail "boot progress not in --leases"
exit 0
