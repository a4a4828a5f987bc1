#!/bin/bash
# A client asks for its own class's boot file and it is not under the TFTP
# root: its boot stops there, so netbootd says so at warning level, with the
# client's MAC and class, and emits a tftp-failed event, once per client
# however often the firmware retries. A missing file that is no class's
# boot file (PXELINUX looking for its configuration) stays a debug line.
. "$(dirname "$0")/../lib/prologue.sh" bm
EVLOG="$LAB_TMP/events.json"
NB_LOG_LEVEL=info start_netbootd --set leases.event-log="$EVLOG"
rm "$NB_ROOT/efi64/syslinux.efi"
UD_LOG="$LAB_TMP/udhcpc.log"
lab_bg "$LAB_CLI" "$UD_LOG" busybox udhcpc -i cli0 -f -R -t 5 -T 2 -x 0x5d:0007 \
    -s "$PWD/tests/integration/udhcpc.script" > /dev/null
wait_log "$UD_LOG" "udhcpc-bound" 20 || { cat "$UD_LOG"; tail "$NB_LOG"; fail "no lease"; }
ip=$(sed -n 's/^udhcpc-bound \([0-9.]*\).*/\1/p' "$UD_LOG" | head -1)
mac=$(inns cat /sys/class/net/cli0/address)

# PXELINUX's config search: missing files, no class's boot file.
for f in efi64/pxelinux.cfg/01-${mac//:/-} efi64/pxelinux.cfg/C000020 efi64/pxelinux.cfg/default; do
    inns timeout 10 tftp 192.0.2.1 -m binary -c get "$f" "$LAB_TMP/got" > /dev/null 2>&1
done
# The class's own boot file, three times as a retrying firmware would.
for i in 1 2 3; do
    inns timeout 10 tftp 192.0.2.1 -m binary -c get efi64/syslinux.efi "$LAB_TMP/got" > /dev/null 2>&1
done
wait_log "$EVLOG" '"tftp-failed"' 5 || true
sleep 0.5

warn="the class's boot file is not under the TFTP root"
n_warn=$(grep -c "$warn" "$NB_LOG")
n_ev=$(grep -c '"tftp-failed"' "$EVLOG")
echo "measured: 3 requests for the missing boot file, 3 config probes: $n_warn warning(s), $n_ev tftp-failed event(s)"
grep "$warn" "$NB_LOG" | sed 's/^/log: /'
[ "$n_warn" = 1 ] || { cat "$NB_LOG"; fail "$n_warn warnings (want 1)"; }
grep "$warn" "$NB_LOG" | grep -q "warn: TFTP efi64/syslinux.efi from $ip ($mac, class uefi64)" ||
    fail "the warning lacks the file, address, MAC or class"
[ "$n_ev" = 1 ] || { cat "$EVLOG"; fail "$n_ev tftp-failed events (want 1)"; }
/usr/bin/python3 tests/tools/event_log_check.py --one tftp-failed "$EVLOG" efi64/syslinux.efi "$mac" "$ip" uefi64 ||
    fail "the tftp-failed event is wrong"
grep -q "pxelinux.cfg" "$EVLOG" && fail "a config probe became an event"
"$(netbootd_bin)" --leases --profile tests/fixtures/profiles/lab.yaml --set leases.file="$NB_LEASES" \
    --set tftp.root="$NB_ROOT" 2>/dev/null | grep "$mac" | tee "$LAB_TMP/leases.out"
grep -q "failed to fetch efi64/syslinux.efi" "$LAB_TMP/leases.out" || fail "--leases does not show the failed boot"
stop_netbootd
echo "result: the missing boot file of class uefi64: 1 warning with MAC and class, 1 tftp-failed event; probes quiet"
exit 0
