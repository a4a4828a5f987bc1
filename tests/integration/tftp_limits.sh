#!/bin/bash
# TFTP resource limits, against the release build (ASan's quarantine and
# shadow memory would hide how much the daemon really keeps):
#  - 100 netascii transfers of an 8 MiB file held open grow the daemon's
#    RSS by less than 16 MiB (netascii is converted block by block), and
#    their requests, all at once, do not hold up DHCP answers
#  - 700 spoofed RRQs from one address, a victim that drops the replies,
#    hold at most tftp.max-sessions-per-client (64) sessions: a second
#    client's transfer, DHCP and its hook go on, the descriptor count stays
#    bounded, the log lines about it are rate-limited, and the sessions that
#    were never answered end quietly (no event) within seconds
#  - spoofed RRQs from 150 addresses hold at most tftp.max-pending-sessions
#  - 3,000 spoofed RRQs for a missing file draw at most the ERROR bucket's
#    burst and rate of replies towards the victim, not one each
#  - started with a soft RLIMIT_NOFILE of 1024, the daemon raises it to fit
#    tftp.max-sessions; one that cannot fit under the hard limit is refused
# NETBOOTD_BIN=path tests another release build; NETASCII_SESSIONS=0 skips
# the netascii part (for a build without tftp.max-sessions-per-client).
. "$(dirname "$0")/../lib/prologue.sh"
[ -x ./netbootd ] || { echo "skip: needs the release build (make)"; exit 77; }
command -v nft >/dev/null || { echo "skip: nft (package nftables) not installed"; exit 77; }
netbootd_bin() { echo "${NETBOOTD_BIN:-$REPO/netbootd}"; }
lab_up tl
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
mkdir -p "$LAB_TMP/tftproot"
# 8 MiB of text: lines of 63 characters.
/usr/bin/python3 -c 'import sys; sys.stdout.write(("x" * 63 + "\n") * (8 << 14))' \
    > "$LAB_TMP/tftproot/big.txt"
head -c 3000000 /dev/urandom > "$LAB_TMP/tftproot/medium.bin"
NB_LOG_LEVEL=info
status_kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/"$NB_PID"/status; }
fds() { ls /proc/"$NB_PID"/fd | wc -l; }

# ---- netascii: memory bounded per session ----
n=${NETASCII_SESSIONS:-100}
if [ "$n" -gt 0 ]; then
    start_netbootd --set tftp.max-sessions-per-client=1024
    rss0=$(status_kib VmRSS)
    # DHCP answers timed every 20 ms meanwhile (its own client address).
    inns timeout 30 /usr/bin/python3 tests/tools/dhcp_latency.py --iface cli0 --seconds 4 \
        > "$LAB_TMP/latency.out" 2>&1 &
    lat=$!; lab_track "$lat"
    sleep 1
    # Each transfer takes two blocks and then holds still, as a slow or
    # spoofed client would; the daemon's memory is read while all are open.
    inns timeout 60 /usr/bin/python3 tests/tools/tftp_hold.py --file big.txt --mode netascii \
        --count "$n" --blocks 2 --hold 2 > "$LAB_TMP/hold.out" 2>&1 &
    hold=$!; lab_track "$hold"
    wait_log "$LAB_TMP/hold.out" '^held' 40 || { cat "$LAB_TMP/hold.out"; fail "netascii sessions did not start"; }
    rss1=$(status_kib VmRSS); hwm=$(status_kib VmHWM)
    wait "$hold" || fail "netascii sessions: $(cat "$LAB_TMP/hold.out")"
    wait "$lat" || fail "no DHCP answers: $(cat "$LAB_TMP/latency.out")"
    echo "measured: $n netascii sessions of an 8 MiB file: RSS $rss0 -> $rss1 KiB (peak $hwm KiB), growth $(((rss1 - rss0) / 1024)) MiB"
    echo "measured: DHCP answers meanwhile: $(cat "$LAB_TMP/latency.out")"
    [ $((hwm - rss0)) -lt 16384 ] || fail "RSS grew by $((hwm - rss0)) KiB for $n netascii sessions"
    max_ms=$(sed -n 's/^max_ms=\([0-9]*\).*/\1/p' "$LAB_TMP/latency.out")
    [ -n "$max_ms" ] && [ "$max_ms" -lt 300 ] || fail "DHCP held up by the netascii requests: $(cat "$LAB_TMP/latency.out")"
    head -c 300000 "$LAB_TMP/tftproot/big.txt" > "$LAB_TMP/tftproot/part.txt"
    inns timeout 30 tftp 192.0.2.1 -m netascii -c get part.txt "$LAB_TMP/part.got"
    cmp -s "$LAB_TMP/part.got" "$LAB_TMP/tftproot/part.txt" || fail "netascii round trip differs"
    echo "result: netascii sessions bounded in memory"
    stop_netbootd
fi

# ---- spoofed requests: per-client and pending limits ----
# The victim, 192.0.2.66, is on the client's link and drops all that comes
# to it (no ICMP either): the server's DATA and OACKs vanish.
ip -n "$LAB_CLI" addr add 192.0.2.66/24 dev cli0
inns nft -f - <<'NFT' || fail "nft rules for the victim"
table ip victim {
    chain input { type filter hook input priority 0; ip daddr 192.0.2.66 drop; }
}
NFT
EVENTS="$LAB_TMP/events"
printf '#!/bin/sh\necho "$NETBOOTD_EVENT $NETBOOTD_IP $NETBOOTD_MAC" >> %s\n' "$EVENTS" > "$LAB_TMP/hook.sh"
chmod +x "$LAB_TMP/hook.sh"
: > "$LAB_TMP/netbootd.log"
# The usual soft limit of open files: 1024 transfers need more (2 each).
ulimit -Sn 1024
start_netbootd --set leases.on-event="$LAB_TMP/hook.sh"
soft=$(awk '/^Max open files/ { print $4 }' /proc/"$NB_PID"/limits)
echo "measured: soft RLIMIT_NOFILE 1024 at start, $soft in the daemon"
[ "$soft" -ge $((1024 * 2 + 4 + 64)) ] || fail "soft RLIMIT_NOFILE not raised: $soft"
fd0=$(fds)
inns timeout 30 /usr/bin/python3 tests/tools/tftp_spoof.py --src 192.0.2.66 --count 700 \
    --file medium.bin || fail "spoofing failed"
sleep 0.5
fd1=$(fds)
echo "measured: 700 spoofed RRQs from one address: open fds $fd0 -> $fd1"
[ "$fd1" -le $((fd0 + 2 * 64 + 4)) ] || fail "700 spoofed RRQs took $((fd1 - fd0)) descriptors"
# Another client's transfer, DHCP and the hook, while those sessions wait.
inns timeout 30 tftp 192.0.2.1 -m binary -c get medium.bin "$LAB_TMP/medium.got"
cmp -s "$LAB_TMP/medium.got" "$LAB_TMP/tftproot/medium.bin" || fail "second client's transfer failed"
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:42)
echo "$out" | grep -q "type=2" || fail "no DHCP OFFER during the spoofed requests"
wait_for 10 "grep -q '^discover .* 52:54:00:aa:bb:42' '$EVENTS'" || fail "the hook did not run"
echo "result: second client, DHCP and its hook served during 700 spoofed RRQs"
dropped=$(grep -c "dropped: .*max-sessions-per-client" "$NB_LOG")
echo "measured: 'dropped' log lines for 636 dropped requests: $dropped"
[ "$dropped" -ge 1 ] && [ "$dropped" -le 3 ] || fail "$dropped log lines for the dropped requests"
# Never answered: given up after two resends (1 + 2 + 4 s), quietly.
wait_for 15 "[ \$(ls /proc/$NB_PID/fd | wc -l) -le $((fd0 + 1)) ]" ||
    fail "spoofed sessions not reclaimed: $fd0 -> $(fds) descriptors"
grep -q "^tftp-failed 192.0.2.66" "$EVENTS" && fail "spoofed sessions became tftp-failed events"
echo "result: spoofed sessions reclaimed without events, $(fds) descriptors"

# Many forged sources: the pending limit (256) holds.
inns timeout 30 /usr/bin/python3 tests/tools/tftp_spoof.py --src 192.0.2.100 --sources 150 \
    --count 600 --file medium.bin || fail "spoofing failed"
sleep 0.5
fd2=$(fds)
echo "measured: 600 spoofed RRQs from 150 addresses: open fds $fd0 -> $fd2"
[ "$fd2" -le $((fd0 + 2 * 256 + 4)) ] || fail "600 spoofed RRQs took $((fd2 - fd0)) descriptors"
grep -q "dropped: .*max-pending-sessions" "$NB_LOG" || fail "no pending-limit drop logged"
inns timeout 30 tftp 192.0.2.1 -m binary -c get medium.bin "$LAB_TMP/medium2.got"
cmp -s "$LAB_TMP/medium2.got" "$LAB_TMP/tftproot/medium.bin" || fail "second client's transfer failed"
echo "result: pending sessions bounded, another client served"

# ERROR replies towards a forged source come out of a token bucket (1000,
# then 500 a second): count what leaves the server for the victim.
ip netns exec "$LAB_SRV" nft -f - <<'NFT' || fail "nft counter on the server"
table ip reflect {
    chain output { type filter hook output priority 0; ip daddr 192.0.2.66 udp sport 69 counter; }
}
NFT
t0=$(date +%s%N)
inns timeout 30 /usr/bin/python3 tests/tools/tftp_spoof.py --src 192.0.2.66 --count 3000 \
    --rate 5000 --file nothing-here || fail "spoofing failed"
secs=$(( ($(date +%s%N) - t0 + 999999999) / 1000000000 ))
sleep 0.5
errors=$(ip netns exec "$LAB_SRV" nft list table ip reflect | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
echo "measured: 3000 spoofed RRQs for a missing file in ${secs} s: $errors ERROR replies to the victim"
[ -n "$errors" ] && [ "$errors" -le $((1000 + 500 * secs)) ] || fail "$errors ERROR replies to a forged source"
echo "result: ERROR replies to a forged source bounded"
stop_netbootd

# A max-sessions that cannot fit under the hard limit of open files.
out=$(ip netns exec "$LAB_SRV" prlimit --nofile=1000:1000 "$(netbootd_bin)" \
    --profile "$REPO/tests/fixtures/profiles/lab.yaml" --set interfaces=[srv0] \
    --set tftp.root="$NB_ROOT" --set leases.file="$LAB_TMP/rl/leases" --set user=root 2>&1)
rc=$?
echo "$out" | grep -q "tftp.max-sessions: 1024 transfers need .* open files" ||
    fail "max-sessions over RLIMIT_NOFILE not refused (rc $rc): $out"
[ "$rc" -ne 0 ] && [ ! -e "$LAB_TMP/rl" ] || fail "refused start left something behind (rc $rc)"
echo "result: max-sessions over RLIMIT_NOFILE refused"
exit 0
