#!/bin/bash
# fleet_smoke.sh - 20 simulated machines (60% UEFI, 40% BIOS) boot at once
# from netbootd with tests/bench/fleet_sim, over a small tree with the real
# tree's names: every one must get its address and every file of its chain
# (BIOS: pxelinux.0, ldlinux.c32, config, kernel, initrd; UEFI: the tsize
# probe, syslinux.efi in windows of 4, a second DORA, ldlinux.e64, ...),
# with the event log and a hook on: one commit event per machine, and as
# many hook lines as event-log lines. Keeps the simulator working.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/netns.sh
. tests/lib/daemon.sh
lab_need_root
N=${FLEET_SMOKE_MACHINES:-20}
lab_up fs
gcc -O2 -Wall -o "$LAB_TMP/fleet_sim" tests/bench/fleet_sim.c tests/bench/fleet_dhcp.c tests/bench/fleet_tftp.c ||
    fail "fleet_sim does not build"
# The pool is local to the client namespace (fleet_sim.c explains why).
ip -n "$LAB_CLI" route add 192.0.2.0/24 dev cli0
ip -n "$LAB_CLI" route add local 192.0.2.128/25 dev lo
ip -n "$LAB_CLI" link set cli0 promisc on
printf 'table netdev fleet {\n chain in {\n  type filter hook ingress device "cli0" priority 0;\n  meta pkttype other meta pkttype set host\n }\n}\n' |
    ip netns exec "$LAB_CLI" nft -f - || { echo "nft cannot take frames for the machines' MACs"; exit 77; }

NB_ROOT="$LAB_TMP/tftproot"
for d in bios efi64; do
    mkdir -p "$NB_ROOT/$d/pxelinux.cfg"
    head -c 1500000 /dev/urandom > "$NB_ROOT/$d/linux"
    head -c 300000 /dev/urandom > "$NB_ROOT/$d/initrd.gz"
    printf 'DEFAULT linux\nLABEL linux\n    KERNEL linux\n    APPEND initrd=initrd.gz quiet\n' > "$NB_ROOT/$d/pxelinux.cfg/default"
done
head -c 42430 /dev/urandom > "$NB_ROOT/bios/pxelinux.0"
head -c 119524 /dev/urandom > "$NB_ROOT/bios/ldlinux.c32"
head -c 171456 /dev/urandom > "$NB_ROOT/efi64/syslinux.efi"
head -c 136880 /dev/urandom > "$NB_ROOT/efi64/ldlinux.e64"
cat > "$LAB_TMP/hook.sh" <<'HOOK'
#!/bin/sh
echo "$NETBOOTD_EVENT $NETBOOTD_MAC" >> "$(dirname "$0")/hook.out"
HOOK
chmod +x "$LAB_TMP/hook.sh"
NB_PROFILE="$PWD/boot-profiles/pxe.yaml" NB_LOG_LEVEL=warn start_netbootd \
    --set subnets[0].range=192.0.2.128-192.0.2.254 --set leases.event-log="$LAB_TMP/events.json" \
    --set leases.on-event="$LAB_TMP/hook.sh"

out=$(inns taskset -c 1 "$LAB_TMP/fleet_sim" --iface cli0 --server 192.0.2.1 --machines "$N" --uefi 60 \
      --timeout 60 --out "$LAB_TMP/machines.txt" --verbose 2>&1)
rc=$?
echo "$out" | tail -5
line=$(grep '^fleet ' <<< "$out")
val() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<< "$line"; }
booted=$(val booted); failed=$(val failed)
echo "measured: $booted machines booted in $(val span_s) s, p50 $(val boot_p50) s, p99 $(val boot_p99) s, $(val retries) retries"
[ "$rc" = 0 ] && [ "${booted:-0}" = "$N" ] || { tail -20 "$NB_LOG"; fail "$failed of $N machines failed"; }
# Every byte of each chain: BIOS 5 files, UEFI 5 files and the probe (no data).
for kind in bios efi64; do
    want=0
    for f in "$NB_ROOT/$kind"/* "$NB_ROOT/$kind"/pxelinux.cfg/default; do [ -f "$f" ] && want=$((want + $(stat -c %s "$f"))); done
    k=$([ $kind = bios ] && echo bios || echo uefi)
    awk -v k="$k" -v w="$want" '$2 == k && $9 != w { bad++ } END { exit bad > 0 }' "$LAB_TMP/machines.txt" ||
        fail "a $k machine did not get all $want bytes"
done
# Events: one commit per machine; the hook ran once per logged event.
wait_for 30 "[ \$(wc -l < '$LAB_TMP/hook.out' 2>/dev/null || echo 0) -ge \$(wc -l < '$LAB_TMP/events.json') ]" ||
    fail "hook lines $(wc -l < "$LAB_TMP/hook.out") < event-log lines $(wc -l < "$LAB_TMP/events.json")"
commits=$(grep -c '"event":"commit"' "$LAB_TMP/events.json")
[ "$commits" = "$N" ] || fail "$commits commit events for $N machines"
echo "result: $N machines (60% UEFI) booted, 0 failures, $(wc -l < "$LAB_TMP/events.json") events, all through the hook"
stop_netbootd
exit 0
