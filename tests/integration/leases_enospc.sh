#!/bin/bash
# A full disk under the lease file: the journal sits on a tiny tmpfs that is
# filled in the middle of a DORA burst (writes fail with ENOSPC, one of them
# part-way through a line), then space comes back and more clients follow.
# One client is offered an address while the disk is full and requests it
# once space is back: its ACK is the first record written after the failure
# (main's journal appended it to the torn line and lost it). After kill -9
# and a restart every address ever ACKed (as the clients saw it) must still
# be leased to its client.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/daemon.sh
lab_need_root
lab_up le
NB_LOG_LEVEL=info
SETS=(--set subnets[0].lease-time=3600 --set subnets[0].max-lease-time=3600
      --set subnets[0].range=192.0.2.10-192.0.2.250)
DISK="$LAB_TMP/leases"
mkdir -p "$DISK"
mount -t tmpfs -o size=256k,mode=0750 tmpfs "$DISK" || { echo "cannot mount a tmpfs"; exit 77; }
LAB_MOUNTS+=("$DISK")
start_netbootd "${SETS[@]}"
ACKS="$LAB_TMP/acks"
: > "$ACKS"
burst() {   # burst SEED COUNT SECONDS: DORA clients one after another, ACKs into $ACKS
    inns /usr/bin/python3 tests/tools/dora_burst.py --iface cli0 --count "$2" --seconds "$3" \
        --seed "$1" --out "$ACKS" > /dev/null
}

burst $$ 20 20
n1=$(wc -l < "$ACKS")
[ "$n1" -ge 15 ] || fail "only $n1 of 20 clients ACKed before the disk filled"

# Fill the disk while a second burst runs; wait until a write has failed.
burst2=$(lab_bg "$LAB_CLI" "$LAB_TMP/burst2.log" /usr/bin/python3 tests/tools/dora_burst.py \
    --iface cli0 --count 40 --seconds 12 --seed $(( $$ + 1 )) --out "$ACKS")
dd if=/dev/zero of="$DISK/filler" bs=1k 2>/dev/null
wait_log "$NB_LOG" "write failed" 10 || { tail -20 "$NB_LOG"; fail "no write failed on the full disk"; }
wait_for 20 "! kill -0 $burst2 2>/dev/null" || fail "second burst did not end"
n2=$(wc -l < "$ACKS")

# Offered while the disk is full, requested once it has room again.
MAC=52:54:00:ee:05:01
offer=$(inns /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac "$MAC" --type 1 --wait 2)
yi=$(printf '%s\n' "$offer" | sed -n 's/.* type=2 yiaddr=\([0-9.]*\) .*/\1/p' | head -1)
[ -n "$yi" ] || fail "no OFFER while the disk was full: $offer"
rm -f "$DISK/filler"
ack=$(inns /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac "$MAC" --type 3 \
    --requested "$yi" --server-id 192.0.2.1 --wait 4)
if printf '%s\n' "$ack" | grep -q " type=5 yiaddr=$yi "; then
    echo "ack $MAC $yi" >> "$ACKS"
fi

# Space is back: new clients are ACKed again.
burst $(( $$ + 2 )) 20 30
n3=$(wc -l < "$ACKS")
[ $((n3 - n2)) -ge 15 ] || { tail -20 "$NB_LOG"; fail "only $((n3 - n2)) ACKs once space was back"; }
echo "measured: $n1 ACKs before the disk filled, $((n2 - n1)) during the full-disk burst, $((n3 - n2)) after"
grep -c "reply not sent" "$NB_LOG" | sed 's/^/measured: replies held back while the disk was full: /'

# kill -9 and restart on the same file: every ACKed lease is there.
kill -KILL "$NB_PID"
wait_for 10 "! kill -0 $NB_PID 2>/dev/null" || fail "daemon did not die"
start_netbootd "${SETS[@]}"
"$(netbootd_bin)" --leases --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$NB_ROOT" \
    --set leases.file="$NB_LEASES" "${SETS[@]}" > "$LAB_TMP/table" 2>/dev/null || fail "--leases failed"
lost=0
while read -r _ mac ip; do
    grep -qE "^$ip +$mac +.* bound " "$LAB_TMP/table" || { echo "lost: $ip ($mac)"; lost=$((lost + 1)); }
done < "$ACKS"
[ "$lost" -eq 0 ] || { tail -30 "$NB_LOG"; fail "$lost of $n3 ACKed leases lost after ENOSPC and a restart"; }
echo "result: all $n3 ACKed leases survived a full disk, its recovery and kill -9"
stop_netbootd
exit 0
