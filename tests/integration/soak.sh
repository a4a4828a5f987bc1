#!/bin/bash
# Soak: 1,000 TFTP transfers of which half the clients vanish mid-transfer,
# plus DORA churn. Afterwards netbootd's open file descriptors and memory
# are back near where they started (printed), and it still serves.
. "$(dirname "$0")/../lib/prologue.sh" sk
NB_LOG_LEVEL=warn
mkdir -p "$LAB_TMP/tftproot"
head -c 262144 /dev/urandom > "$LAB_TMP/tftproot/soak.bin"
# All clients share one address: the per-client and pending limits are
# raised to let the soak's parallel transfers through.
start_netbootd --set tftp.retries=2 --set tftp.timeout=1 --set leases.offer-hold=2 \
    --set tftp.max-sessions-per-client=1024 --set tftp.max-pending-sessions=1024
inns ip addr add 192.0.2.2/24 dev cli0
fds() { ls /proc/"$NB_PID"/fd | wc -l; }
rss() { awk '/^VmRSS:/ {print $2}' /proc/"$NB_PID"/status; }
fd0=$(fds); rss0=$(rss)
out=$(inns timeout 400 /usr/bin/python3 tests/tools/tftp_soak.py --file soak.bin --size 262144 \
    --count "${SOAK_COUNT:-1000}" --parallel 25 --vanish 2)
echo "result: $out"
echo "$out" | grep -q "bad=0" || fail "transfers failed: $out"
inns ip addr flush dev cli0
churn=$(inns timeout 120 /usr/bin/python3 tests/tools/dora_burst.py --iface cli0 --count 300 \
    --seconds 60 --seed 9 --out "$LAB_TMP/acks")
echo "result: DORA churn $churn"
# Vanished clients are reclaimed after retries (1 + 2 + 4 s here).
wait_for 20 "[ \$(ls /proc/$NB_PID/fd | wc -l) -le $((fd0 + 2)) ]" || fail "fds not reclaimed: $fd0 -> $(fds)"
fd1=$(fds); rss1=$(rss)
echo "measured: open fds $fd0 -> $fd1, RSS ${rss0} KiB -> ${rss1} KiB"
[ "$rss1" -lt $((rss0 + 65536)) ] || fail "RSS grew from $rss0 to $rss1 KiB"
inns ip addr add 192.0.2.2/24 dev cli0
inns timeout 20 tftp 192.0.2.1 -m binary -c get soak.bin "$LAB_TMP/after.bin" || fail "no TFTP after the soak"
cmp -s "$LAB_TMP/after.bin" "$LAB_TMP/tftproot/soak.bin" || fail "bytes differ after the soak"
stop_netbootd
exit 0
