#!/bin/bash
# Prometheus metrics (metrics: { listen }, docs/metrics.md):
#  - metrics: without listen is refused by --check (no default address);
#    --check says "metrics: off" without the key, the URL with it
#  - /metrics on 127.0.0.1 in the server's namespace only: nothing listens
#    on the served address's metrics port
#  - scraped before and after one DORA (dhcp_probe.py), one TFTP transfer
#    (tftp-hpa), one HTTP GET and one HTTP 404: every series that changed moved by exactly
#    what happened (DISCOVER/REQUEST in, OFFER/ACK out, one lease from free
#    to active, one transfer each with its bytes, one malformed datagram
#    dropped), and nothing else did;
#    the journal commit histogram counted the ACK's commit
#  - the text passes `promtool check metrics` when promtool is there
#    (Debian's prometheus package unpacked under build/promtool, or
#    $PROMTOOL), and always tests/tools/prom_text.py's grammar check
#  - a held TFTP transfer (tftp_hold.py) shows in the sessions gauge; when
#    it fails: failed +1, its acknowledged bytes, resent blocks >= 1
#  - events waiting behind a slow on-event hook show in the queue depth
#  - other paths get 404, POST gets 405
. "$(dirname "$0")/../lib/prologue.sh" mt
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
command -v tftp >/dev/null || { echo "skip: tftp (tftp-hpa) not installed"; exit 77; }
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
PT=tests/tools/prom_text.py

"$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root=/tmp \
    --set 'metrics={}' > "$LAB_TMP/check" 2>&1 && fail "--check took metrics: without listen"
grep -q "metrics.listen" "$LAB_TMP/check" || { cat "$LAB_TMP/check"; fail "--check: no metrics.listen error"; }
echo "result: metrics: {} refused: $(grep -m1 metrics.listen "$LAB_TMP/check")"
chk() { "$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root=/tmp "$@" 2>/dev/null; }
chk | grep -qx 'metrics: off (no metrics: key)' || fail "--check: no 'metrics: off'"
chk --set 'metrics={listen: 127.0.0.1:9100}' | grep -qx 'metrics: http://127.0.0.1:9100/metrics' ||
    fail "--check: no metrics URL"

start_netbootd --set 'metrics={listen: 127.0.0.1:9100}' --set 'http={listen: [192.0.2.1:8080]}'
wait_for 5 "ip netns exec $LAB_SRV ss -Hltn | grep -q '127.0.0.1:9100 '" || { cat "$NB_LOG"; fail "metrics not listening"; }
ip netns exec "$LAB_SRV" ss -Hltn | grep ':9100 ' | grep -qv '127.0.0.1:9100 ' && fail "metrics listen elsewhere too"
inns curl -s --max-time 3 -o /dev/null http://192.0.2.1:9100/metrics && fail "metrics reachable on the served address"
scrape() { ip netns exec "$LAB_SRV" curl -sS --max-time 5 -D "$1.h" -o "$1" http://127.0.0.1:9100/metrics ||
           fail "scrape failed"; }
scrape "$LAB_TMP/before"
grep -qi '^content-type: text/plain; version=0.0.4' "$LAB_TMP/before.h" || { cat "$LAB_TMP/before.h"; fail "content type"; }
code=$(ip netns exec "$LAB_SRV" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9100/other)
[ "$code" = 404 ] || fail "/other: $code, not 404"
code=$(ip netns exec "$LAB_SRV" curl -s -o /dev/null -w '%{http_code}' -d x http://127.0.0.1:9100/metrics)
[ "$code" = 405 ] || fail "POST: $code, not 405"

# ---- one DORA, one TFTP transfer, one HTTP GET, one HTTP 404, one bad datagram ----
MAC=52:54:00:3e:00:01
offer=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac "$MAC" --type 1 --wait 2)
yi=$(printf '%s\n' "$offer" | sed -n 's/.* type=2 yiaddr=\([0-9.]*\) .*/\1/p' | head -1)
[ -n "$yi" ] || fail "no OFFER: $offer"
ack=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac "$MAC" --type 3 \
    --requested "$yi" --server-id 192.0.2.1 --wait 2)
printf '%s\n' "$ack" | grep -q " type=5 yiaddr=$yi " || fail "no ACK: $ack"
inns timeout 10 tftp 192.0.2.1 -m binary -c get bios/pxelinux.0 "$LAB_TMP/got" || fail "tftp get"
cmp -s "$LAB_TMP/got" "$NB_ROOT/bios/pxelinux.0" || fail "tftp: wrong bytes"
# One datagram too short to be BOOTP: a drop, reason malformed.
inns python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 68)); s.sendto(b"\x01" * 20, ("192.0.2.1", 67))' || fail "send malformed"
wait_for 5 "grep -q 'dropped malformed DHCP datagram' '$NB_LOG'" || fail "malformed datagram not logged"
inns curl -sS --max-time 10 -o "$LAB_TMP/got2" http://192.0.2.1:8080/efi64/syslinux.efi || fail "http get"
code=$(inns curl -s --max-time 10 -o /dev/null -w '%{http_code}' http://192.0.2.1:8080/nope)
[ "$code" = 404 ] || fail "GET /nope: $code, not 404"
# The transfers are counted when they end: the client is done before the
# server has its last ACK, and the HTTP report comes once the body is sent.
wait_for 5 "grep -q 'TFTP sent bios/pxelinux.0' '$NB_LOG'" || fail "TFTP transfer not logged as done"
sleep 0.5
scrape "$LAB_TMP/after"

# ---- format ----
python3 "$PT" check "$LAB_TMP/after" || fail "prom_text.py: bad exposition text"
PROMTOOL=${PROMTOOL:-$(command -v promtool || echo build/promtool/x/usr/bin/promtool)}
if [ -x "$PROMTOOL" ]; then
    "$PROMTOOL" check metrics < "$LAB_TMP/after" || fail "promtool check metrics"
    echo "result: promtool check metrics: ok ($("$PROMTOOL" --version 2>&1 | head -1))"
else
    echo "note: promtool not available (apt-get download prometheus; dpkg -x it into build/promtool/x," \
         "or set PROMTOOL): format checked by prom_text.py only"
fi

# ---- exactly what happened ----
python3 "$PT" diff "$LAB_TMP/before" "$LAB_TMP/after" > "$LAB_TMP/diff" || fail "diff"
grep -v '^netbootd_lease_journal_sync_seconds' "$LAB_TMP/diff" > "$LAB_TMP/moved"
cat > "$LAB_TMP/expect" <<EXP
netbootd_dhcp_dropped_total{reason="malformed"} 1
netbootd_dhcp_received_total{type="DHCPDISCOVER"} 1
netbootd_dhcp_received_total{type="DHCPREQUEST"} 1
netbootd_dhcp_sent_total{type="DHCPACK"} 1
netbootd_dhcp_sent_total{type="DHCPOFFER"} 1
netbootd_http_sent_bytes_total{} 200000
netbootd_http_transfers_done_total{} 1
netbootd_http_transfers_failed_total{} 1
netbootd_leases{state="active",subnet="192.0.2.0/24"} 1
netbootd_leases{state="free",subnet="192.0.2.0/24"} -1
netbootd_tftp_sent_bytes_total{} 40000
netbootd_tftp_transfers_done_total{} 1
netbootd_tftp_transfers_started_total{} 1
EXP
diff -u "$LAB_TMP/expect" "$LAB_TMP/moved" || fail "counters did not move by exactly what was done"
commits=$(sed -n 's/^netbootd_lease_journal_sync_seconds_count{} //p' "$LAB_TMP/diff")
[ "${commits:-0}" -ge 1 ] || fail "journal commit histogram did not count the ACK's commit"
echo "result: after one DORA + TFTP + HTTP GET + HTTP 404 + a malformed datagram, $(wc -l < "$LAB_TMP/moved") series moved exactly as expected;" \
     "journal commits observed: $commits"
grep '^netbootd_lease_journal_sync_seconds_' "$LAB_TMP/after" | grep -v bucket | tr '\n' ' '; echo

# ---- a TFTP transfer that fails: in flight, then given up ----
HOLD_LOG="$LAB_TMP/hold.log"
hold=$(lab_bg "$LAB_CLI" "$HOLD_LOG" python3 tests/tools/tftp_hold.py --count 1 --blocks 2 --hold 2 \
    --file bios/pxelinux.0)
wait_log "$HOLD_LOG" "held 1 short 0" 10 || { cat "$HOLD_LOG"; fail "tftp_hold: no transfer held"; }
scrape "$LAB_TMP/held"
python3 "$PT" diff "$LAB_TMP/after" "$LAB_TMP/held" > "$LAB_TMP/held.diff"
grep -qx 'netbootd_tftp_sessions{} 1' "$LAB_TMP/held.diff" || { cat "$LAB_TMP/held.diff"; fail "sessions gauge not 1"; }
grep -qx 'netbootd_tftp_transfers_started_total{} 1' "$LAB_TMP/held.diff" || fail "held transfer not started"
wait_for 20 "grep -q 'TFTP bios/pxelinux.0 to 192.0.2.2 failed' '$NB_LOG'" || fail "held transfer did not fail"
wait "$hold" 2>/dev/null
scrape "$LAB_TMP/failed"
python3 "$PT" check "$LAB_TMP/failed" >/dev/null || fail "prom_text.py: bad text after the failure"
python3 "$PT" diff "$LAB_TMP/held" "$LAB_TMP/failed" > "$LAB_TMP/failed.diff"
# Two blocks acknowledged (512 bytes each, no blksize option); the resends
# before the client's port is seen closed depend on timing: at least one.
grep -v '^netbootd_tftp_resent_blocks_total' "$LAB_TMP/failed.diff" > "$LAB_TMP/failed.moved"
printf '%s\n' 'netbootd_tftp_sent_bytes_total{} 1024' 'netbootd_tftp_sessions{} -1' \
    'netbootd_tftp_transfers_failed_total{} 1' > "$LAB_TMP/failed.expect"
diff -u "$LAB_TMP/failed.expect" "$LAB_TMP/failed.moved" || fail "a failed TFTP transfer counted wrong"
resent=$(sed -n 's/^netbootd_tftp_resent_blocks_total{} //p' "$LAB_TMP/failed.diff")
[ "${resent:-0}" -ge 1 ] || fail "no resent blocks counted"
echo "result: held TFTP transfer: sessions 1 while held; then failed +1, bytes +1024, resent +$resent"
stop_netbootd

# ---- the hook queue: a hook that takes a while, events waiting behind it ----
printf '#!/bin/sh\nsleep 3\n' > "$LAB_TMP/slow-hook.sh"
chmod +x "$LAB_TMP/slow-hook.sh"
start_netbootd --set 'metrics={listen: 127.0.0.1:9100}' --set leases.on-event="$LAB_TMP/slow-hook.sh"
wait_for 5 "ip netns exec $LAB_SRV ss -Hltn | grep -q '127.0.0.1:9100 '" || fail "metrics not listening"
for m in 52:54:00:3e:00:02 52:54:00:3e:00:03; do
    inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac "$m" --type 1 --wait 1 \
        | grep -q ' type=2 ' || fail "no OFFER for $m"
done
scrape "$LAB_TMP/hooks"
depth=$(sed -n 's/^netbootd_hook_queue_depth //p' "$LAB_TMP/hooks")
[ "${depth:-0}" -ge 1 ] || { grep hook "$LAB_TMP/hooks"; fail "hook queue depth not counted"; }
echo "result: two OFFERs behind a 3 s hook: hook queue depth $depth"
stop_netbootd
echo "PASS"
