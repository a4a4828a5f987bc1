# tests/bench/lib.sh - what every row family of tests/bench/run shares
# (sourced by it, after the lab is up): the client-side command prefix,
# table rows, medians and ratios, CPU and steal accounting, and starting
# and stopping each peer server pinned to the server core.
#
# Uses from tests/bench/run: LAB_SRV, LAB_CLI, LAB_TMP, SRV_CPU, CLI_CPU,
# ROOT, B (build/bench), top (the repository).

# A command on the client side: in the client namespace, on the client core.
cli() { ip netns exec "$LAB_CLI" taskset -c $CLI_CPU "$@"; }

ROWS=()
row() { ROWS+=("$(printf '| %s | %s | %s | %s | %s |' "$@")"); printf '%-34s %-12s %-30s %-14s %s\n' "$@"; }

# median and min-max of numbers on stdin, with DIGITS decimals (default 1)
stats() { sort -g | awk -v d="${1:-1}" '{ v[NR] = $1 } END { if (!NR) { print "- -"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
    f = "%." d "f"; printf f " " f "-" f "\n", m, v[1], v[NR] }'; }

# "peer 1.23x, peer2 0.98x": OURS divided by each peer's value (empty: left out).
# The parentheses matter: awk reads a bare `>` in printf's arguments as a redirection.
ratios() {          # OURS PEER VALUE [PEER VALUE]...
    local ours=$1 out=""; shift
    while [ $# -ge 2 ]; do
        [ -n "$2" ] && [ -n "$ours" ] && [ "$ours" != "-" ] &&
            out+="$1 $(awk -v a="$ours" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x, "
        shift 2
    done
    echo "${out%, }"
}
# "peer 1.31x (1.10-1.52), ...": netbootd's value divided by each peer's in
# the same round, median and min-max over the rounds both finished. The
# rounds are interleaved, so a pair is measured seconds apart and a slow
# spell of the machine (minutes long) mostly hits both sides of it; the
# ratio of the two medians above can be set by spells that hit one server's
# runs more than the other's.
paired_ratios() {   # ARRAY ROUNDS KEY PEER...: ARRAY holds "server|KEY|round" -> value
    local -n per_round=$1
    local rounds=$2 key=$3 out="" peer r list med range
    shift 3
    for peer; do
        list=""
        for r in $(seq 1 "$rounds"); do
            local a=${per_round[netbootd|$key|$r]:-} b=${per_round[$peer|$key|$r]:-}
            [ -n "$a" ] && [ -n "$b" ] && list+="$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.4f", a / b }') "
        done
        [ -n "$list" ] || continue
        read -r med range <<< "$(printf '%s\n' $list | stats 2)"
        out+="$peer ${med}x ($range), "
    done
    echo "${out%, }"
}
# ", stolen 1.2% of both cores" when the hypervisor took 0.5% or more, else nothing
steal_note() { awk -v s="$1" -v t="$2" 'BEGIN { p = t ? 100 * s / t : 0; if (p >= 0.5) printf ", stolen %.1f%% of both cores", p }'; }
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat 2>/dev/null || echo 0; }
# Busy and total ticks of one CPU from /proc/stat. TFTP rows count the server
# core's busy time rather than the server process's: tftpd-hpa forks a child
# per transfer whose time never reaches the parent, and the core's time also
# holds the kernel work each server's sends cause.
# Steal (the hypervisor running someone else on this vCPU) is not busy time:
# it is counted apart, as the third number. Guest time is already in user.
cpu_busy() { awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6 - $9, t, $9 }' /proc/stat; }
hz=$(getconf CLK_TCK)

# Every DHCP run starts from an empty lease database.
clear_leases() {
    rm -rf "$LAB_TMP/nb-leases" "$LAB_TMP"/kea.leases* "$LAB_TMP/dnsmasq.leases"
    : > "$LAB_TMP/dhcpd.leases"
}

SRV_PID=""
# Each peer is configured as an admin expecting a 200-client storm would:
# dnsmasq's --tftp-max defaults to 50 concurrent transfers and atftpd's
# --maxthread to 100, so both are raised above the largest storm (netbootd's
# tftp.max-sessions default is already higher). All storm clients share one
# address: netbootd's per-client and pending limits are raised to match.
start_server() {        # NAME
    local log="$LAB_TMP/$1.log"
    case "$1" in
    netbootd)
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU "$top/netbootd" \
            --profile tests/fixtures/profiles/lab.yaml --set interfaces=[srv0] --set tftp.root="$ROOT" \
            --set leases.file="$LAB_TMP/nb-leases/leases" --set user=root --set subnets[0].range=192.0.2.10-192.0.2.250 \
            --set subnets[0].lease-time=3600 --set subnets[0].max-lease-time=3600 \
            --set tftp.max-sessions-per-client=1024 --set tftp.max-pending-sessions=1024 --log-level warn) ;;
    tftpd-hpa)
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU /usr/sbin/in.tftpd --foreground \
            --listen --address 192.0.2.1:69 --user root --secure "$ROOT") ;;
    dnsmasq)
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU dnsmasq --keep-in-foreground --no-daemon \
            --conf-file=/dev/null --port=0 --interface=srv0 --bind-interfaces --user=root \
            --pid-file="$LAB_TMP/dnsmasq.pid" --enable-tftp --tftp-root="$ROOT" \
            --dhcp-range=192.0.2.10,192.0.2.250,1h --dhcp-leasefile="$LAB_TMP/dnsmasq.leases" \
            --dhcp-lease-max=1000 --no-ping --tftp-max=500) ;;
    atftpd)
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU "$B/atftpd/usr/sbin/atftpd" --daemon \
            --no-fork --port 69 --bind-address 192.0.2.1 --user root.root --logfile /dev/null \
            --maxthread 400 "$ROOT") ;;
    kea)
        cat > "$LAB_TMP/kea.json" <<KEA
{ "Dhcp4": { "interfaces-config": { "interfaces": [ "srv0" ] },
  "lease-database": { "type": "memfile", "persist": true, "name": "$LAB_TMP/kea.leases" },
  "valid-lifetime": 3600, "control-socket": { "socket-type": "unix", "socket-name": "$LAB_TMP/kea.sock" },
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.250" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "stderr" } ] } ] } }
KEA
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" env KEA_LOCKFILE_DIR="$LAB_TMP" KEA_PIDFILE_DIR="$LAB_TMP" \
            taskset -c $SRV_CPU kea-dhcp4 -c "$LAB_TMP/kea.json") ;;
    dhcpd)
        printf 'subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.250; default-lease-time 3600; }\nauthoritative;\nping-check false;\n' > "$LAB_TMP/dhcpd.conf"
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU dhcpd -4 -f -d -q -cf "$LAB_TMP/dhcpd.conf" \
            -lf "$LAB_TMP/dhcpd.leases" -pf "$LAB_TMP/dhcpd.pid" srv0) ;;
    esac
    sleep 1.5
    kill -0 "$SRV_PID" 2>/dev/null || { echo "bench: $1 did not start:"; tail -5 "$log"; SRV_PID=""; return 1; }
}
stop_server() {
    [ -n "$SRV_PID" ] || return 0
    pkill -TERM -P "$SRV_PID" 2>/dev/null      # children of the process we started (by parent PID)
    kill -TERM "$SRV_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    SRV_PID=""
    sleep 0.5
}

# The servers of round R in turn, starting with the R-th (counting from 1):
# no server always runs first, or always right after the same peer (whose
# exit, freeing and writeback, can spill into the next run).
rotated() {         # ROUND SERVER...
    local r=$1 i; shift
    local list=("$@")
    for i in $(seq 0 $(($# - 1))); do echo "${list[(i + r - 1) % $#]}"; done
}
