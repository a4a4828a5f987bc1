#!/bin/bash
# A class whose boot file is a URL on netbootd's own HTTP server
# (http://${server}:PORT/PATH, or an own address) and PATH is not under the
# HTTP root: netbootd warns at start, as for a missing TFTP boot file; a
# client of that class whose GET gets 404 is warned of once (with MAC and
# class, however often it retries) and gets one http-failed event; 404s
# for other files stay probes.
. "$(dirname "$0")/../lib/prologue.sh" hm
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
EVLOG="$LAB_TMP/events.json"
URL='http://${server}:8080/efi64/gone.efi'
NB_LOG_LEVEL=info start_netbootd --set leases.event-log="$EVLOG" \
    --set 'http={listen: [192.0.2.1:8080]}' --set "boot[2].filename=\"$URL\""
wait_for 5 "ip netns exec $LAB_SRV ss -Hltn | grep -q '192.0.2.1:8080 '" || { cat "$NB_LOG"; fail "HTTP not listening"; }
start_warn="boot\[2\].filename: http://\\\${server}:8080/efi64/gone.efi: efi64/gone.efi does not exist under the HTTP root $NB_ROOT"
grep -q "$start_warn" "$NB_LOG" || { cat "$NB_LOG"; fail "no warning at start for the missing HTTP boot file"; }
echo "result: at start: $(grep -o "boot\[2\].filename: .*" "$NB_LOG" | head -1)"
# The same URL with the interface's own address, and one of another host
# (--check in the server's namespace, where srv0 has 192.0.2.1).
check_url() {
    ip netns exec "$LAB_SRV" "$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml \
        --set interfaces=[srv0] --set tftp.root="$NB_ROOT" --set 'http={listen: [0.0.0.0:8080]}' \
        --set "boot[2].filename=\"$1\"" 2>&1
}
u=http://192.0.2.1:8080/efi64/gone.efi
check_url "$u" | grep -q "boot\[2\].filename: $u: efi64/gone.efi does not exist under the HTTP root" ||
    { check_url "$u"; fail "--check: no warning for $u (srv0's own address)"; }
u=http://198.51.100.9:8080/efi64/gone.efi
check_url "$u" | grep -q "boot\[2\].filename" && { check_url "$u"; fail "--check warns about another host's URL $u"; }
echo "result: --check: own address warned of, another host's URL not"

UD_LOG="$LAB_TMP/udhcpc.log"
lab_bg "$LAB_CLI" "$UD_LOG" busybox udhcpc -i cli0 -f -R -t 5 -T 2 -x 0x5d:0007 \
    -s "$PWD/tests/integration/udhcpc.script" > /dev/null
wait_log "$UD_LOG" "udhcpc-bound" 20 || { cat "$UD_LOG"; tail "$NB_LOG"; fail "no lease"; }
ip=$(sed -n 's/^udhcpc-bound \([0-9.]*\).*/\1/p' "$UD_LOG" | head -1)
mac=$(inns cat /sys/class/net/cli0/address)
# A probe (another missing file), then the class's boot file three times.
codes=$(inns curl -s -o /dev/null -w '%{http_code} ' http://192.0.2.1:8080/efi64/probe.cfg)
for i in 1 2 3; do
    codes+=$(inns curl -s -o /dev/null -w '%{http_code} ' http://192.0.2.1:8080/efi64/gone.efi)
done
[ "$codes" = "404 404 404 404 " ] || fail "HTTP answers: $codes (want 4 x 404)"
wait_log "$EVLOG" '"http-failed"' 5 || true
sleep 0.5
warn="the class's boot file is not under the HTTP root"
n_warn=$(grep -c "$warn" "$NB_LOG")
n_ev=$(grep -c '"http-failed"' "$EVLOG" 2>/dev/null)
echo "measured: 3 GETs of the missing boot file, 1 probe: $n_warn warning(s), $n_ev http-failed event(s)"
grep "$warn" "$NB_LOG" | sed 's/^/log: /'
[ "$n_warn" = 1 ] || { cat "$NB_LOG"; fail "$n_warn warnings (want 1)"; }
grep "$warn" "$NB_LOG" | grep -q "warn: HTTP efi64/gone.efi from $ip ($mac, class uefi64)" ||
    fail "the warning lacks the file, address, MAC or class"
[ "$n_ev" = 1 ] || { cat "$EVLOG"; fail "$n_ev http-failed events (want 1)"; }
/usr/bin/python3 tests/tools/event_log_check.py --one http-failed "$EVLOG" efi64/gone.efi "$mac" "$ip" uefi64 ||
    fail "the http-failed event is wrong"
grep -q "probe.cfg" "$EVLOG" && fail "a probe became an event"
stop_netbootd
echo "result: the missing HTTP boot file of class uefi64: warned at start, 1 warning with MAC and class, 1 http-failed event; probes quiet"
exit 0
