# tests/bench/fleet.sh - row family 9: fleet boots. N simulated machines
# (tests/bench/fleet_sim: iPXE + pxelinux for BIOS, edk2 + syslinux.efi for
# UEFI) power on and each fetches its whole chain from the real boot tree
# (scripts/make-boot-tree: ~9 MiB a machine), DHCP and TFTP from one server:
# netbootd, dnsmasq, or ISC dhcpd with tftpd-hpa, in interleaved rounds
# (sourced by tests/bench/run).
#
# The fleet has its own veth pair in the bench's namespaces (fsrv0
# 198.18.0.1/20, fcli0) and a pool of 2,046 addresses: netbootd serves the
# subnet of its interface's address, and 192.0.2.0/24 holds 240. Server on
# CPU 0, fleet_sim on CPU 1. Every server gets what an admin expecting a
# fleet would give it: the same boot files and PXELINUX options 209/210 (and
# 175.176 for iPXE, which netbootd's pxe.yaml sends), dnsmasq --tftp-max and
# --dhcp-lease-max above the fleet, no ping before an OFFER (dnsmasq,
# dhcpd: netbootd does not ping).
#
#   FLEET_SIZES   fleets of the 60/40 mix, window 0 (default "10 100 1000")
#   FLEET_BIG     the fleet size for the other rows (default 1000)
#   FLEET_MIXES   UEFI shares for the mix rows (default "100 0"; 60 is above)
#   FLEET_WINDOWS power-on windows in s for the window rows (default 30)
#   FLEET_LOSS    percent lost each way for the loss row, at N=100 (default 1; 0 none)
#   FLEET_PAUSES  fleet_sim --pauses: the firmwares' own waits (default 0: none)
#   FLEET_RUNS    rounds (default: the bench's RUNS, at most 3); FLEET_RUNS_BIG for N >= 1000
#   FLEET_SERVERS (default "netbootd dnsmasq dhcpd")
#   FLEET_HOOKS   0: no hook rows; FLEET_HOOK_N their fleet size (default FLEET_BIG)
#   FLEET_NB_ARGS more netbootd options (A/B: FLEET_NB_ARGS="--set tftp.busy-poll=0")
# The curve of the largest 60/40 fleet (machines booted against time, the
# median round of each server) goes to tests/bench/fleet.dat, and gnuplot
# draws tests/bench/fleet.png from it with tests/bench/fleet.gp.

FLEET_ADDR=198.18.0.1
FLEET_TREE="$top/build/tftproot"

fleet_lab() {
    ip link add fsrv0 netns "$LAB_SRV" type veth peer name fcli0 netns "$LAB_CLI" || return 1
    ip -n "$LAB_SRV" addr add $FLEET_ADDR/20 dev fsrv0
    ip -n "$LAB_SRV" link set fsrv0 up
    ip -n "$LAB_CLI" link set fcli0 up
    ip -n "$LAB_CLI" link set fcli0 promisc on
    ip -n "$LAB_CLI" route add 198.18.0.0/20 dev fcli0
    # The pool is local to the client side: each machine binds the address it
    # was leased, and the kernel answers ARP for it.
    ip -n "$LAB_CLI" route add local 198.18.8.0/21 dev lo
    # Frames the servers unicast to a machine's own MAC (OFFER and ACK to an
    # iPXE client, then what follows to that address) are the host's.
    printf 'table netdev fleet {\n chain in {\n  type filter hook ingress device "fcli0" priority 0;\n  meta pkttype other meta pkttype set host\n }\n}\n' |
        ip netns exec "$LAB_CLI" nft -f -
}

# A loss of PCT percent of the UDP datagrams each way (nftables, as loss.sh;
# random rather than every n-th: many machines share the link).
fleet_loss() {      # PCT (0: off)
    ip netns exec "$LAB_CLI" nft delete table inet fleetloss 2>/dev/null
    ip netns exec "$LAB_SRV" nft delete table inet fleetloss 2>/dev/null
    [ "$1" != 0 ] || return 0
    local ns
    for ns in "$LAB_CLI" "$LAB_SRV"; do
        printf 'table inet fleetloss {\n chain input {\n  type filter hook input priority 0;\n  meta l4proto udp numgen random mod 1000 < %d drop\n }\n}\n' \
            "$(awk -v p="$1" 'BEGIN { printf "%d", p * 10 }')" | ip netns exec "$ns" nft -f - || return 1
    done
}

# The server's side holds a neighbour entry per machine, and the kernel's
# ARP table is one for the whole host (all namespaces): past gc_thresh2
# (default 512) entries it reclaims ones older than 5 s, and it never holds
# more than gc_thresh3 (default 1024): "neighbor table overflow!", and
# datagrams to a machine whose entry could not be made are dropped. A fleet
# of 1,000 reaches it with the host's own entries. Unless FLEET_NEIGH=keep,
# the thresholds are raised for the fleet rows (the host's setting, not the
# namespace's: only the initial namespace has them) and put back after; each
# run reports the table overflows it saw (table_fulls).
FLEET_NEIGH_SAVED=""
fleet_neigh_raise() {   # N
    [ "${FLEET_NEIGH:-raise}" = keep ] && return 0
    local d=/proc/sys/net/ipv4/neigh/default want=$(( $1 + 2048 ))
    [ "$(cat $d/gc_thresh3)" -ge "$want" ] && return 0
    [ -n "$FLEET_NEIGH_SAVED" ] || FLEET_NEIGH_SAVED="$(cat $d/gc_thresh1) $(cat $d/gc_thresh2) $(cat $d/gc_thresh3)"
    echo $((want / 2)) > $d/gc_thresh2 && echo "$want" > $d/gc_thresh3
}
fleet_neigh_restore() {
    [ -n "$FLEET_NEIGH_SAVED" ] || return 0
    local d=/proc/sys/net/ipv4/neigh/default t1 t2 t3
    read -r t1 t2 t3 <<< "$FLEET_NEIGH_SAVED"
    echo "$t3" > $d/gc_thresh3; echo "$t2" > $d/gc_thresh2; echo "$t1" > $d/gc_thresh1
    FLEET_NEIGH_SAVED=""
}
# Neighbour table overflows so far, all CPUs (hex columns of /proc/net/stat/arp_cache).
fleet_table_fulls() { local s=0 l; while read -r l; do s=$((s + 0x${l##* })); done < <(tail -n +2 /proc/net/stat/arp_cache); echo $s; }

FLEET_PIDS=""
fleet_start() {     # SERVER [HOOK_SCRIPT]: starts it on fsrv0, sets FLEET_PIDS (main first)
    local log="$LAB_TMP/fleet-$1.log" f="$LAB_TMP/fleet"
    rm -rf "$f"; mkdir -p "$f"
    case "$1" in
    netbootd)
        local hook=()
        [ -n "${2:-}" ] && hook=(--set leases.on-event="$2" --set leases.event-log="$f/events.json")
        FLEET_PIDS=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU "$top/netbootd" --profile boot-profiles/pxe.yaml \
            --set interfaces=[fsrv0] --set tftp.root="$FLEET_TREE" --set leases.file="$f/leases/leases" \
            --set control="$f/control" --set user=root --set subnets[0].subnet=198.18.0.0/20 \
            --set subnets[0].range=198.18.8.1-198.18.15.254 --set subnets[0].router=$FLEET_ADDR \
            --set subnets[0].dns=[$FLEET_ADDR] "${hook[@]}" ${FLEET_NB_ARGS:-} --log-level warn) ;;
    dnsmasq)
        FLEET_PIDS=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU dnsmasq --keep-in-foreground --no-daemon \
            --conf-file=/dev/null --port=0 --interface=fsrv0 --bind-interfaces --user=root \
            --pid-file="$f/dnsmasq.pid" --enable-tftp --tftp-root="$FLEET_TREE" --tftp-max=4096 \
            --dhcp-range=198.18.8.1,198.18.15.254,10m --dhcp-leasefile="$f/dnsmasq.leases" \
            --dhcp-lease-max=4096 --no-ping --dhcp-option=3,$FLEET_ADDR --dhcp-option=6,$FLEET_ADDR \
            --dhcp-match=set:bios,option:client-arch,0 --dhcp-match=set:efi64,option:client-arch,7 \
            --dhcp-match=set:efi64,option:client-arch,9 \
            --dhcp-boot=tag:bios,bios/pxelinux.0,,$FLEET_ADDR --dhcp-boot=tag:efi64,efi64/syslinux.efi,,$FLEET_ADDR \
            --dhcp-option-force=tag:bios,208,f1:00:74:7e --dhcp-option-force=tag:bios,209,pxelinux.cfg/default \
            --dhcp-option-force=tag:bios,210,bios/ --dhcp-option-force=tag:bios,211,30 \
            --dhcp-option-force=tag:bios,175,b0:01:01 \
            --dhcp-option-force=tag:efi64,209,pxelinux.cfg/default --dhcp-option-force=tag:efi64,210,efi64/ \
            --dhcp-option-force=tag:efi64,211,30) ;;
    dhcpd)
        cat > "$f/dhcpd.conf" <<DHCPD
option arch code 93 = unsigned integer 16;
option pxelinux-magic code 208 = string;
option pxelinux-configfile code 209 = text;
option pxelinux-pathprefix code 210 = text;
option pxelinux-reboottime code 211 = unsigned integer 32;
option ipxe-encap code 175 = string;
authoritative;
ping-check false;
default-lease-time 600;
subnet 198.18.0.0 netmask 255.255.240.0 {
  range 198.18.8.1 198.18.15.254;
  option routers $FLEET_ADDR;
  option domain-name-servers $FLEET_ADDR;
  next-server $FLEET_ADDR;
  if option arch = 00:07 or option arch = 00:09 {
    filename "efi64/syslinux.efi";
    option pxelinux-configfile "pxelinux.cfg/default";
    option pxelinux-pathprefix "efi64/";
    option pxelinux-reboottime 30;
    option dhcp-parameter-request-list = concat(option dhcp-parameter-request-list, d1, d2, d3);
  } elsif option arch = 00:00 {
    filename "bios/pxelinux.0";
    option pxelinux-magic f1:00:74:7e;
    option pxelinux-configfile "pxelinux.cfg/default";
    option pxelinux-pathprefix "bios/";
    option pxelinux-reboottime 30;
    option ipxe-encap b0:01:01;
    option dhcp-parameter-request-list = concat(option dhcp-parameter-request-list, d0, d1, d2, d3, af);
  }
}
DHCPD
        : > "$f/dhcpd.leases"
        FLEET_PIDS=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU dhcpd -4 -f -d -q -cf "$f/dhcpd.conf" \
            -lf "$f/dhcpd.leases" -pf "$f/dhcpd.pid" fsrv0)
        FLEET_PIDS+=" $(lab_bg "$LAB_SRV" "$LAB_TMP/fleet-tftpd.log" taskset -c $SRV_CPU /usr/sbin/in.tftpd \
            --foreground --listen --address $FLEET_ADDR:69 --user root --secure "$FLEET_TREE")" ;;
    esac
    local p
    for p in $FLEET_PIDS; do
        wait_for 10 "ip netns exec $LAB_SRV ss -Hlun | grep -q ':69 ' && ip netns exec $LAB_SRV ss -Hlun | grep -q ':67 '" &&
            kill -0 "$p" 2>/dev/null ||
            { echo "bench: fleet: $1 did not start:"; tail -5 "$log"; fleet_stop; return 1; }
    done
}
fleet_stop() {
    local p
    for p in $FLEET_PIDS; do
        pkill -TERM -P "$p" 2>/dev/null     # tftpd-hpa's children, by parent PID
        kill -TERM "$p" 2>/dev/null
    done
    for p in $FLEET_PIDS; do
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    FLEET_PIDS=""
    sleep 0.5
}
# Peak RSS (KiB) of the server's long-lived processes (tftpd-hpa's per-transfer
# children are not counted), read before they stop.
fleet_hwm() { local p t=0; for p in $FLEET_PIDS; do t=$((t + $(awk '/^VmHWM:/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0))); done; echo $t; }
fleet_journal_kb() {    # SERVER: the lease database's size, KiB
    local f="$LAB_TMP/fleet"
    case "$1" in
    netbootd) du -sk "$f/leases" | awk '{ print $1 }' ;;
    dnsmasq)  du -k "$f/dnsmasq.leases" | awk '{ print $1 }' ;;
    dhcpd)    du -k "$f/dhcpd.leases" | awk '{ print $1 }' ;;
    esac
}
# A number from the "hooks" object of netbootd status --json, else "-".
fleet_hook_stat() {     # KEY (queued, dropped, high_water)
    local v
    v=$(ip netns exec "$LAB_SRV" "$top/netbootd" status --json --control "$LAB_TMP/fleet/control" 2>/dev/null |
        sed -n "s/.*\"hooks\":{[^}]*\"$1\":\([0-9]*\).*/\1/p" | head -1)
    echo "${v:--}"
}

# One fleet boot. Prints fleet_sim's summary line plus "srv_cpu_s S rss_kb K
# journal_kb J hook_hw H"; the per-machine lines stay in $LAB_TMP/fleet-machines.
# With a hook (netbootd): also "hook_dropped D", and with DRAIN=1 it waits
# (at most 600 s) for the hook to run every queued event, then adds
# "events E hook_lines L drain_s S" (the hook appends a line to
# $LAB_TMP/fleet-hook.out per event). FLEET_SIM_ARGS: more fleet_sim options.
fleet_once() {      # SERVER N UEFI_PCT WINDOW LOSS [HOOK_SCRIPT [DRAIN]]
    local server=$1 n=$2 uefi=$3 window=$4 loss=$5 hook=${6:-} c0 c1 t0 t1 out rss hw extra=""
    rm -f "$LAB_TMP/fleet-hook.out"
    fleet_start "$server" "$hook" || return 1
    fleet_loss "$loss" || { fleet_stop; return 1; }
    read -r c0 t0 _ <<< "$(cpu_busy $SRV_CPU)"
    local tf0=$(fleet_table_fulls)
    out=$(cli "$B/fleet_sim" --iface fcli0 --server $FLEET_ADDR --machines "$n" --uefi "$uefi" \
        --window "$window" --pauses "${FLEET_PAUSES:-0}" --timeout "$((window + 300))" --seed "$RANDOM" \
        --out "$LAB_TMP/fleet-machines" ${FLEET_SIM_ARGS:-} 2>"$LAB_TMP/fleet-sim.err")
    read -r c1 t1 _ <<< "$(cpu_busy $SRV_CPU)"
    rss=$(fleet_hwm)
    local neigh=$(ip -n "$LAB_SRV" neigh show dev fsrv0 | wc -l) tf=$(( $(fleet_table_fulls) - tf0 ))
    hw=$([ "$server" = netbootd ] && fleet_hook_stat high_water)
    if [ -n "$hook" ]; then
        extra="hook_dropped $(fleet_hook_stat dropped)"
        if [ "${7:-0}" = 1 ]; then
            local d0=$(date +%s%N)
            wait_for 600 '[ "$(fleet_hook_stat queued)" = 0 ] && ! ip netns exec "$LAB_SRV" "$top/netbootd" status --json --control "$LAB_TMP/fleet/control" 2>/dev/null | grep -q "\"running\":true"'
            extra+=" events $(wc -l < "$LAB_TMP/fleet/events.json") hook_lines $(wc -l < "$LAB_TMP/fleet-hook.out" 2>/dev/null || echo 0)"
            extra+=" commits $(grep -c '"event":"commit"' "$LAB_TMP/fleet/events.json")"
            extra+=" drain_s $(awk -v ns=$(( $(date +%s%N) - d0 )) 'BEGIN { printf "%.1f", ns / 1e9 }')"
        fi
    fi
    fleet_loss 0
    fleet_stop
    echo "$out srv_cpu_s $(awk -v b=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.1f", b / hz }') rss_kb $rss" \
         "journal_kb $(fleet_journal_kb "$server") hook_hw ${hw:--} neigh $neigh table_fulls $tf $extra"
}
fleet_val() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }

# Booted machines against time (s from the first power-on), one line per
# machine, from fleet_sim's per-machine lines.
fleet_curve() { awk '$7 >= 0 { print $5 + $7 }' "$1" | sort -g | awk 'BEGIN { print "0 0" } { printf "%.3f %d\n", $1, NR }'; }

# Interleaved rounds of one configuration; one table row per server.
fleet_rows() {      # LABEL N UEFI WINDOW LOSS [CURVE=1]
    local label=$1 n=$2 uefi=$3 window=$4 loss=$5 curve=${6:-0} r server line
    declare -A per_min=() p50=() p99=() fails=() note=() curves=()
    local rounds=${FLEET_RUNS:-$((RUNS < 3 ? RUNS : 3))}
    [ "$n" -ge 1000 ] && rounds=${FLEET_RUNS_BIG:-$rounds}
    for r in $(seq 1 "$rounds"); do
        for server in $(rotated "$r" ${FLEET_SERVERS:-netbootd dnsmasq dhcpd}); do
            line=$(fleet_once "$server" "$n" "$uefi" "$window" "$loss") || continue
            echo "fleet: $label $server round $r: $line" >> "$LAB_TMP/fleet-all.log"
            [ -n "${FLEET_VERBOSE:-}" ] && echo "fleet: $label $server round $r: $line"
            per_min[$server]+="$(fleet_val per_min <<< "$line") "
            p50[$server]+="$(fleet_val boot_p50 <<< "$line") "
            p99[$server]+="$(fleet_val boot_p99 <<< "$line") "
            fails[$server]+="$(( $(fleet_val failed <<< "$line") + $(fleet_val unfinished <<< "$line") )) "
            note[$server]="$(awk '{ for (i = 1; i < NF; i++) k[$i] = $(i + 1) } END {
                printf "addr p50 %s s; retries %s; server core %s s; RSS %.1f MiB; journal %s KiB; hook queue peak %s; neighbour entries %s, table overflows %s",
                    k["addr_p50"], k["retries"], k["srv_cpu_s"], k["rss_kb"] / 1024, k["journal_kb"], k["hook_hw"], k["neigh"], k["table_fulls"] }' <<< "$line")"
            [ "$curve" = 1 ] && { fleet_curve "$LAB_TMP/fleet-machines" > "$LAB_TMP/fleet-curve-$server-$r"; curves[$server]+="$(fleet_val per_min <<< "$line"):$r "; }
        done
    done
    for server in ${FLEET_SERVERS:-netbootd dnsmasq dhcpd}; do
        [ -n "${per_min[$server]:-}" ] || continue
        read -r pm pm_range <<< "$(printf '%s\n' ${per_min[$server]} | stats)"
        read -r q50 _ <<< "$(printf '%s\n' ${p50[$server]} | stats 2)"
        read -r q99 _ <<< "$(printf '%s\n' ${p99[$server]} | stats 2)"
        local f_total=$(printf '%s\n' ${fails[$server]} | awk '{ s += $1 } END { print s + 0 }')
        row "9. fleet $label, machines/min" "$server" "fleet_sim $n" "$pm" \
            "$pm_range; boot p50 $q50 s, p99 $q99 s; failures $f_total over $rounds rounds; last round: ${note[$server]}"
        FLEET_PM[$label|$server]=$pm
        if [ "$curve" = 1 ]; then     # the median round's curve
            local mid=$(printf '%s\n' ${curves[$server]} | sort -t: -g -k1 | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }')
            printf '"%s"\n' "$server" >> "$FLEET_DAT"
            cat "$LAB_TMP/fleet-curve-$server-${mid#*:}" >> "$FLEET_DAT"
            printf '\n\n' >> "$FLEET_DAT"
        fi
    done
    local peers=() p
    for p in dnsmasq dhcpd; do peers+=("$p" "${FLEET_PM[$label|$p]:-}"); done
    [ -n "${FLEET_PM[$label|netbootd]:-}" ] &&
        row "9. fleet $label, netbootd / peer" "netbootd" "fleet_sim $n" "$(ratios "${FLEET_PM[$label|netbootd]}" "${peers[@]}")" "machines/min, median rounds"
}

# Hooks (netbootd): the on-event hook appends a line per event to a file,
# the event log is on. (1) The whole boot of FLEET_HOOK_N machines (default
# the big fleet): is every event logged also run by the hook, one commit per
# machine? (2) DHCP only (fleet_sim --dhcp-only), in rounds: DORA/s for the
# whole fleet (N / the moment the last machine had its address) without a
# hook, with that hook, and with a slow one (sleeps 100 ms first).
fleet_hook_rows() {     # N
    local n=$1 h="$LAB_TMP/fleet-hooks" line r kind
    mkdir -p "$h"
    printf '#!/bin/sh\necho "$NETBOOTD_EVENT $NETBOOTD_MAC" >> %s\n' "$LAB_TMP/fleet-hook.out" > "$h/fast.sh"
    printf '#!/bin/sh\nsleep 0.1\necho "$NETBOOTD_EVENT $NETBOOTD_MAC" >> %s\n' "$LAB_TMP/fleet-hook.out" > "$h/slow.sh"
    chmod +x "$h/fast.sh" "$h/slow.sh"
    line=$(fleet_once netbootd "$n" 60 0 0 "$h/fast.sh" 1)
    echo "fleet: hooks N=$n whole boot: $line" >> "$LAB_TMP/fleet-all.log"
    [ -n "${FLEET_VERBOSE:-}" ] && echo "fleet: hooks N=$n whole boot: $line"
    row "9. fleet hooks, N=$n whole boot: events logged / run by the hook" "netbootd" "fleet_sim $n" \
        "$(fleet_val events <<< "$line") / $(fleet_val hook_lines <<< "$line")" \
        "$(awk '{ for (i = 1; i < NF; i++) k[$i] = $(i + 1) } END {
            printf "%s machines booted, %s failed; %s commit events; hook queue peak %s, %s dropped; the hook finished %s s after the last machine",
                k["booted"], k["failed"], k["commits"], k["hook_hw"], k["hook_dropped"], k["drain_s"] }' <<< "$line")"
    declare -A rate=() notes=()
    local rounds=${FLEET_RUNS:-$((RUNS < 3 ? RUNS : 3))}
    for r in $(seq 1 "$rounds"); do
        for kind in none fast slow; do
            local hs=""; [ "$kind" != none ] && hs="$h/$kind.sh"
            line=$(FLEET_SIM_ARGS=--dhcp-only fleet_once netbootd "$n" 60 0 0 "$hs") || continue
            echo "fleet: hooks N=$n dhcp-only $kind round $r: $line" >> "$LAB_TMP/fleet-all.log"
            rate[$kind]+="$(awk -v n="$n" '$6 >= 0 { t = $5 + $6; if (t > m) m = t } END { if (m > 0) printf "%.0f", n / m }' "$LAB_TMP/fleet-machines") "
            notes[$kind]="$(fleet_val addr_p50 <<< "$line") / $(fleet_val addr_p99 <<< "$line") s, failed $(fleet_val failed <<< "$line"), hook queue peak $(fleet_val hook_hw <<< "$line"), dropped $(fleet_val hook_dropped <<< "$line")"
        done
    done
    for kind in none fast slow; do
        [ -n "${rate[$kind]:-}" ] || continue
        read -r med range <<< "$(printf '%s\n' ${rate[$kind]} | stats 0)"
        row "9. fleet DHCP, N=$n at once, DORA/s: hook $kind" "netbootd" "fleet_sim --dhcp-only" "$med" \
            "$range; last round: time to address p50 / p99 ${notes[$kind]}"
    done
}

bench_fleet() {
    declare -gA FLEET_PM=()
    gcc -O2 -o "$B/fleet_sim" tests/bench/fleet_sim.c tests/bench/fleet_dhcp.c tests/bench/fleet_tftp.c || return 0
    scripts/make-boot-tree "$FLEET_TREE" >/dev/null || { echo "bench: fleet: no boot tree"; return 0; }
    fleet_lab || { echo "bench: fleet: cannot set up its link"; return 0; }
    local sizes=${FLEET_SIZES-10 100 1000} big=${FLEET_BIG:-1000} n mix w
    [ "$QUICK" = 1 ] && { sizes=${FLEET_SIZES-10 100}; big=${FLEET_BIG:-100}; }
    fleet_neigh_raise "$(printf '%s\n' $sizes $big ${FLEET_HOOK_N:-} | sort -n | tail -1)"
    FLEET_DAT="$LAB_TMP/fleet.dat"
    : > "$FLEET_DAT"
    local largest=$(printf '%s\n' $sizes | sort -n | tail -1)
    row "9. fleet: kernel neighbour table" "-" "-" "gc_thresh3 $(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)" \
        "$([ -n "$FLEET_NEIGH_SAVED" ] && echo "raised for these rows from $FLEET_NEIGH_SAVED (gc_thresh1-3)" || echo "as the host has it")"
    for n in $sizes; do
        fleet_rows "N=$n 60/40 UEFI/BIOS, at once" "$n" 60 0 0 $([ "$n" = "$largest" ] && echo 1)
    done
    for mix in ${FLEET_MIXES-100 0}; do
        fleet_rows "N=$big $mix/$((100 - mix)) UEFI/BIOS, at once" "$big" "$mix" 0 0
    done
    for w in ${FLEET_WINDOWS-30}; do
        fleet_rows "N=$big 60/40, power-on within $w s" "$big" 60 "$w" 0
    done
    [ "${FLEET_HOOKS:-1}" = 1 ] && fleet_hook_rows "${FLEET_HOOK_N:-$big}"
    local loss=${FLEET_LOSS:-1}
    [ "$loss" != 0 ] && command -v nft >/dev/null &&
        fleet_rows "N=100 60/40, at once, $loss% lost each way" 100 60 0 "$loss"
    if [ -s "$FLEET_DAT" ]; then
        { echo "# tests/bench/fleet.sh, $(date -u '+%Y-%m-%d %H:%M UTC'): machines booted (column 2) against"
          echo "# seconds since power-on (column 1), N=$largest, 60% UEFI, all at once; one block per server"
          echo "# (the median of its rounds). Plot: gnuplot tests/bench/fleet.gp > tests/bench/fleet.png"
          cat "$FLEET_DAT"; } > tests/bench/fleet.dat
        command -v gnuplot >/dev/null && gnuplot tests/bench/fleet.gp > tests/bench/fleet.png
    fi
    fleet_neigh_restore
}
