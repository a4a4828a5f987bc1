#!/bin/bash
# The service manager's view of netbootd (Type=notify, sd_notify): READY=1
# only once DHCP and TFTP answer and the leases are replayed; RELOADING=1
# then READY=1 around each SIGHUP, taken or refused; STATUS= summaries;
# WATCHDOG=1 every half WATCHDOG_USEC, only when WATCHDOG_PID is unset or
# names the daemon; STOPPING=1 on SIGTERM; and without NOTIFY_SOCKET nothing
# at all. systemd is installed here but is not PID 1: the test listens on
# the notification socket itself (tests/tools/notify_listen.py), in the
# client namespace, so that on READY=1 it can at once send one DISCOVER and
# one RRQ, with no retry.
. "$(dirname "$0")/../lib/prologue.sh" ny
chmod 755 "$LAB_TMP"    # the service user reaches the socket and re-reads the profile
ip -n "$LAB_CLI" addr add 192.0.2.50/24 dev cli0
SOCK="$LAB_TMP/notify.sock"
NB_USER=netbootd
NB_PROFILE="$LAB_TMP/profile.yaml"
cp tests/fixtures/profiles/lab.yaml "$NB_PROFILE"
chmod 644 "$NB_PROFILE"

# The journal the last run left: a big one (its replay takes a while, so a
# READY=1 sent before it is over cannot go unseen), and last in it a lease
# the probe's DISCOVER must be offered.
mkdir -p "$LAB_TMP/leases"
python3 - "$LAB_TMP/leases/leases" <<'EOF'
import sys, time, zlib
now = int(time.time())
def record(ip, mac, host):
    line = ("lease ip=%s mac=%s cid=- state=bound expires=%d updated=%d arch=0 class=bios "
            "host=%s stage=tftp-done stage-time=%d file=bios/pxelinux.0"
            % (ip, mac, now + 3600, now, host, now))
    return "%s crc=%08x\n" % (line, zlib.crc32(line.encode()))
with open(sys.argv[1], "w") as f:
    for n in range(135000):     # 198.18.0.0/16 twice over: renewals, as a real journal has
        h = n % 65534 + 1
        f.write(record("198.18.%d.%d" % (h >> 8, h & 255), "02:00:00:00:%02x:%02x" % (h >> 8, h & 255),
                       "node-%d" % h))
    f.write(record("192.0.2.177", "52:54:00:aa:cc:01", "replayed"))
EOF
chown -R netbootd: "$LAB_TMP/leases"; chmod 750 "$LAB_TMP/leases"

# listen OUT [notify_listen options]: a fresh listener; sets LISTEN_PID.
listen() {
    local out="$1"; shift
    LISTEN_PID=$(lab_bg "$LAB_CLI" "$out.log" /usr/bin/python3 tests/tools/notify_listen.py \
        "$SOCK" "$out" --seconds 60 "$@")
    wait_log "$out" "listening" 5 || { cat "$out.log"; fail "listener did not start"; }
}
unlisten() { kill -TERM "$LISTEN_PID" 2>/dev/null; wait "$LISTEN_PID" 2>/dev/null; }
# t_of OUT PATTERN [N]: the time of the Nth line matching PATTERN (default 1st).
t_of() { grep -E -- "$2" "$1" | sed -n "${3:-1}p" | cut -d' ' -f1; }
count() { grep -cE -- "$2" "$1"; }

# --- 1: the whole life, as the service user, with a watchdog ---
OUT="$LAB_TMP/run1"
listen "$OUT" --probe-iface cli0 --probe-mac 52:54:00:aa:cc:01 --probe-file boot.ipxe \
    --log "$LAB_TMP/netbootd.log" --log-want "records replayed" --log-want "DHCP listening on srv0" \
    --log-want "TFTP listening on srv0"
export NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=2000000
start_netbootd
unset NOTIFY_SOCKET WATCHDOG_USEC
wait_log "$OUT" "msg READY=1" 10 || { cat "$OUT" "$NB_LOG"; fail "no READY=1"; }
wait_log "$OUT" "probe tftp" 5 && wait_log "$OUT" "probe dhcp" 5 || { cat "$OUT"; fail "probes did not finish"; }
grep -q "logged MISSING" "$OUT" && { cat "$OUT"; fail "READY=1 came before the daemon logged: $(grep MISSING "$OUT")"; }
grep -q "probe dhcp ok yiaddr=192.0.2.177" "$OUT" ||
    { cat "$OUT"; fail "the DISCOVER sent on READY=1 was not answered with the replayed lease"; }
grep -q "probe tftp ok block=1" "$OUT" || { cat "$OUT"; fail "the RRQ sent on READY=1 was not answered"; }
echo "result: on READY=1, the replay and both listeners were logged already; one DISCOVER got the" \
     "replayed 192.0.2.177 ($(grep -o 'dhcp ok.*after=[0-9]*ms' "$OUT" | grep -o '[0-9]*ms$')), one RRQ block 1" \
     "($(grep -o 'tftp ok.*after=[0-9]*ms' "$OUT" | grep -o '[0-9]*ms$'))"
grep -qE "msg READY=1[|]STATUS=serving 1 interface, [0-9]+ leases, 0 transfers" "$OUT" ||
    { cat "$OUT"; fail "READY=1 without the STATUS= summary"; }

# WATCHDOG=1 every second (WATCHDOG_USEC 2 s): 4 to 6 in the 5.5 s after READY=1.
sleep 6
t_ready=$(t_of "$OUT" "msg READY=1")
n_wd=$(awk -v r="$t_ready" '$2 == "msg" && $3 == "WATCHDOG=1" && $1 > r && $1 <= r + 5.5' "$OUT" | wc -l)
gaps=$(awk '$3 == "WATCHDOG=1" { if (p) printf "%.2f ", $1 - p; p = $1 }' "$OUT")
echo "measured: $n_wd WATCHDOG=1 in the 5.5 s after READY=1; gaps: $gaps"
[ "$n_wd" -ge 4 ] && [ "$n_wd" -le 6 ] || { cat "$OUT"; fail "$n_wd WATCHDOG=1 in 5.5 s (want 4-6)"; }
for g in $gaps; do
    awk -v g="$g" 'BEGIN { exit !(g >= 0.7 && g <= 1.5) }' || fail "watchdog gap $g s (want about 1 s)"
done

# SIGHUP, a good profile, then a broken one: RELOADING=1 then READY=1 each time.
kill -HUP "$NB_PID"
wait_for 10 "[ \$(count '$OUT' 'msg READY=1') -ge 2 ]" || { cat "$OUT"; fail "no READY=1 after SIGHUP"; }
echo "subnets: [{ subnet: 192.0.2.0/33 }]" >> "$NB_PROFILE"
kill -HUP "$NB_PID"
wait_for 10 "[ \$(count '$OUT' 'msg READY=1') -ge 3 ]" || { cat "$OUT"; fail "no READY=1 after a refused SIGHUP"; }
grep -q "refused" "$NB_LOG" || fail "the broken profile was not refused"
for i in 1 2; do
    t_rl=$(t_of "$OUT" "msg RELOADING=1[|]MONOTONIC_USEC=[0-9]+" "$i")
    t_rd=$(t_of "$OUT" "msg READY=1" $((i + 1)))
    [ -n "$t_rl" ] && awk -v a="$t_rl" -v b="$t_rd" 'BEGIN { exit !(a <= b) }' ||
        { cat "$OUT"; fail "reload $i: RELOADING=1 (with MONOTONIC_USEC=) not before READY=1"; }
done
echo "result: SIGHUP taken and SIGHUP refused: RELOADING=1 then READY=1, both times"
cp tests/fixtures/profiles/lab.yaml "$NB_PROFILE"

stop_netbootd
grep -q "msg STOPPING=1|STATUS=stopping" "$OUT" || { cat "$OUT"; fail "no STOPPING=1 on SIGTERM"; }
t_stop=$(t_of "$OUT" "msg STOPPING=1")
late=$(awk -v s="$t_stop" '$3 == "WATCHDOG=1" && $1 > s' "$OUT" | wc -l)
[ "$late" = 0 ] || fail "$late WATCHDOG=1 after STOPPING=1"
grep -q "notification failed" "$NB_LOG" && fail "a notification failed: $(grep 'notification failed' "$NB_LOG")"
unlisten
sed 's/^/run 1: /' "$OUT"
echo "result: STOPPING=1 on SIGTERM; $(grep -c ' msg ' "$OUT") datagrams in all, none failed"

# --- 2: WATCHDOG_PID names another process: the watchdog is not ours ---
OUT="$LAB_TMP/run2"
listen "$OUT"
export NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=2000000 WATCHDOG_PID=1
start_netbootd
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
wait_log "$OUT" "msg READY=1" 10 || { cat "$OUT"; fail "run 2: no READY=1"; }
sleep 2.5
[ "$(count "$OUT" "WATCHDOG=1")" = 0 ] || { cat "$OUT"; fail "WATCHDOG=1 sent for WATCHDOG_PID=1"; }
stop_netbootd
unlisten
echo "result: WATCHDOG_PID=1: READY=1, no WATCHDOG=1 in 2.5 s"

# --- 3: WATCHDOG_PID names the daemon itself (exec keeps the shell's PID) ---
OUT="$LAB_TMP/run3"
listen "$OUT"
NB_LOG="$LAB_TMP/run3.nb.log"
NB_PID=$(NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=1000000 lab_bg "$LAB_SRV" "$NB_LOG" \
    sh -c 'WATCHDOG_PID=$$ exec "$@"' sh "$(netbootd_bin)" --profile "$NB_PROFILE" \
    --set interfaces=[srv0] --set tftp.root="$NB_ROOT" --set leases.file="$NB_LEASES" \
    --set user=netbootd)
wait_log "$OUT" "msg READY=1" 10 || { cat "$OUT" "$NB_LOG"; fail "run 3: no READY=1"; }
sleep 1.8
n_wd=$(count "$OUT" "WATCHDOG=1")
[ "$n_wd" -ge 2 ] && [ "$n_wd" -le 5 ] || { cat "$OUT"; fail "WATCHDOG_PID=own pid: $n_wd WATCHDOG=1 in 1.8 s (want 2-5)"; }
stop_netbootd
unlisten
echo "result: WATCHDOG_PID=its own PID, WATCHDOG_USEC=1 s: $n_wd WATCHDOG=1 in 1.8 s"

# --- 4: no NOTIFY_SOCKET (WATCHDOG_USEC alone): nothing is sent, no timer ---
OUT="$LAB_TMP/run4"
listen "$OUT"
export WATCHDOG_USEC=2000000
start_netbootd
unset WATCHDOG_USEC
sleep 2.5
[ "$(count "$OUT" " msg ")" = 0 ] || { cat "$OUT"; fail "datagrams without NOTIFY_SOCKET"; }
grep -q "watchdog" "$NB_LOG" && fail "a watchdog without NOTIFY_SOCKET"
stop_netbootd
unlisten
echo "result: without NOTIFY_SOCKET: no datagram, no watchdog"
exit 0
