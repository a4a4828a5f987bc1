#!/bin/bash
# TFTP resource limits, against the release build (ASan's quarantine and
# shadow memory would hide how much the daemon really keeps):
#  - 100 netascii transfers of an 8 MiB file held open grow the daemon's
#    RSS by less than 16 MiB (netascii is converted block by block)
. "$(dirname "$0")/../lib/prologue.sh"
[ -x ./netbootd ] || { echo "needs the release build (make)"; exit 77; }
netbootd_bin() { echo "$REPO/netbootd"; }
lab_up tl
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
mkdir -p "$LAB_TMP/tftproot"
# 8 MiB of text: lines of 63 characters.
/usr/bin/python3 -c 'import sys; sys.stdout.write(("x" * 63 + "\n") * (8 << 14))' \
    > "$LAB_TMP/tftproot/big.txt"
NB_LOG_LEVEL=info
start_netbootd
status_kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/"$NB_PID"/status; }

# Netascii: each transfer takes two blocks and then holds still, as a slow
# or spoofed client would; the daemon's memory is read while all are open.
n=${NETASCII_SESSIONS:-100}
rss0=$(status_kib VmRSS)
inns timeout 60 /usr/bin/python3 tests/tools/tftp_hold.py --file big.txt --mode netascii \
    --count "$n" --blocks 2 --hold 2 > "$LAB_TMP/hold.out" 2>&1 &
hold=$!; lab_track "$hold"
wait_log "$LAB_TMP/hold.out" '^held' 40 || { cat "$LAB_TMP/hold.out"; fail "netascii sessions did not start"; }
rss1=$(status_kib VmRSS); hwm=$(status_kib VmHWM)
wait "$hold" || { cat "$LAB_TMP/hold.out"; fail "netascii sessions: $(cat "$LAB_TMP/hold.out")"; }
echo "measured: $n netascii sessions of an 8 MiB file: RSS $rss0 -> $rss1 KiB (peak $hwm KiB), growth $(((rss1 - rss0) / 1024)) MiB"
[ $((hwm - rss0)) -lt 16384 ] || fail "RSS grew by $((hwm - rss0)) KiB for $n netascii sessions"
# Netascii through a real client still round-trips.
head -c 300000 "$LAB_TMP/tftproot/big.txt" > "$LAB_TMP/tftproot/part.txt"
inns timeout 30 tftp 192.0.2.1 -m netascii -c get part.txt "$LAB_TMP/part.got"
cmp -s "$LAB_TMP/part.got" "$LAB_TMP/tftproot/part.txt" || fail "netascii round trip differs"
echo "result: netascii sessions bounded in memory"

stop_netbootd
exit 0
