# tests/bench/storm.sh - row family 3: boot storms, N clients fetching the
# same file at once from each server in interleaved rounds (sourced by
# tests/bench/run).

peak_rss() {        # total RSS (KiB) of the server and its children
    local total=0 p
    for p in "$SRV_PID" $(pgrep -P "$SRV_PID" 2>/dev/null); do
        # a zombie child (tftpd-hpa's, just exited) has no VmRSS line: 0
        total=$((total + $(awk '/^VmRSS:/ { v = $2 } END { print v + 0 }' /proc/"$p"/status 2>/dev/null || echo 0)))
    done
    echo "$total"
}
# Each storm runs in 5 interleaved rounds (median reported; the order rotates
# each round): single runs minutes apart swung with the machine's other load
# by more than the servers differ.
# The clients write to a tmpfs: on disk the kernel starts writing a storm's
# gigabytes back mid-storm (dirty_background_ratio), on either core and at
# the virtual disk's pace: noise none of the servers cause. On disk when
# memory is short (noted in RESULTS.md).
# curl overwrites files made once before the first storm (stdout opened
# read-write, no truncation) instead of creating them. Memory a storm frees
# can go back to the hypervisor (virtio-balloon free page reporting), and
# the next storm to allocate it pays the host's page faults inside its
# copies, landing on whichever server ran after a pause. The numbers behind
# both choices: docs/performance.md.
# curl reports the bytes it received, so a transfer cut short cannot pass
# on the previous round's bytes. atftp always truncates its local file.
# The client core's busy share says whether the clients, not the server,
# set the pace. Clients: curl (lock-step, blksize 1468) or atftp
# asking windowsize 4, what edk2's PXE client asks: a room of UEFI machines
# fetching their boot loader. Servers without windowsize answer it lock-step.
# The second curl storm ("new files on tmpfs", kind `new`) is the set-up of a
# user comparing servers (issue 27): each curl writes a new file (curl -o),
# the files of the last storm deleted right after it, so every storm
# allocates its pages again, and every TFTP server, atftpd too, takes part.
# Each storm also counts the datagrams the server's interface sent and
# received: beyond one per block and the OACK, the server sent duplicates
# (resends), whatever server it is.
storm_client_label() {  # CLIENT N
    case $1 in curl) echo "curl 1468 x $2" ;; new) echo "curl 1468 x $2, new files on tmpfs" ;;
    w4) echo "atftp 1468 window 4 x $2" ;; esac
}
# CPU ticks of the server process itself, its threads and the children it
# has reaped (tftpd-hpa's per-transfer processes): set against the server
# core's busy time, the rest is other work on that core (the kernel's
# softirqs, and on a shared machine other processes).
srv_ticks() { awk '{ print $14 + $15 + $16 + $17 }' /proc/"$SRV_PID"/stat 2>/dev/null || echo 0; }
srv_dgrams() {      # datagrams the server namespace's interface sent and received
    ip netns exec "$LAB_SRV" cat /sys/class/net/srv0/statistics/tx_packets \
        /sys/class/net/srv0/statistics/rx_packets | tr '\n' ' '
}
storm_once() {      # SERVER N CLIENT ROUND MiB: one storm, appends "MB/s secs fails peakMiB server-core-s client-core%
                    # stolen-ticks all-ticks extra-sent-per-1000-blocks server-own-s" (both cores) to STORM_RES
    local server=$1 n=$2 client=$3 mb=$5 t0 t1 c0 c1 b0 t_0 b1 t_1 peak alive r p fails secs agg s0 s1 ss0 ss1 st_0 st_1
    local file="storm-$mb.bin" tx0 rx0 tx1 rx1 own0 own1
    start_server "$server" || return 0
    # atftp's files go: one it never opened would pass on the last round's bytes
    [ "$client" = w4 ] && rm -f "$STORM_DIR"/*
    read -r tx0 rx0 <<< "$(srv_dgrams)"; own0=$(srv_ticks)
    read -r c0 st_0 ss0 <<< "$(cpu_busy $SRV_CPU)"; read -r b0 t_0 s0 <<< "$(cpu_busy $CLI_CPU)"
    t0=$(date +%s%N)
    local pids=()
    for i in $(seq 1 "$n"); do
        if [ "$client" = w4 ]; then
            cli timeout "$STORM_TIMEOUT" atftp --option "blksize 1468" --option "windowsize 4" -g -r "$file" \
                -l "$STORM_DIR/$i" 192.0.2.1 >/dev/null 2>&1 &
        elif [ "$client" = new ]; then
            cli timeout "$STORM_TIMEOUT" curl -s -w '%{stderr}%{size_download}' --tftp-blksize 1468 \
                -o "$STORM_DIR/$i" tftp://192.0.2.1/"$file" 2>"$STORM_DIR/$i.got" &
        else
            cli timeout "$STORM_TIMEOUT" curl -s -w '%{stderr}%{size_download}' --tftp-blksize 1468 \
                tftp://192.0.2.1/"$file" 1<>"$STORM_DIR/$i" 2>"$STORM_DIR/$i.got" &
        fi
        pids+=($!)
    done
    peak=0
    while :; do
        alive=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1 && break; done
        r=$(peak_rss); [ "$r" -gt "$peak" ] && peak=$r
        [ "$alive" = 1 ] || break
        sleep 0.2
    done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    t1=$(date +%s%N)
    read -r c1 st_1 ss1 <<< "$(cpu_busy $SRV_CPU)"; read -r b1 t_1 s1 <<< "$(cpu_busy $CLI_CPU)"
    read -r tx1 rx1 <<< "$(srv_dgrams)"; own1=$(srv_ticks)
    fails=0
    for i in $(seq 1 "$n"); do
        { [ "$client" = w4 ] || [ "$(cat "$STORM_DIR/$i.got" 2>/dev/null)" = "$((mb << 20))" ]; } &&
            cmp -s "$STORM_DIR/$i" "$ROOT/$file" || fails=$((fails + 1))
    done
    # new files: deleted now, so the next storm allocates its pages again
    [ "$client" = new ] && rm -f "$STORM_DIR"/*
    local res
    res=$(awk -v ns=$((t1 - t0)) -v n="$n" -v mb="$mb" -v f=$fails -v pk=$((peak / 1024)) \
        -v c=$((c1 - c0)) -v hz="$hz" -v bb=$((b1 - b0)) -v bt=$((t_1 - t_0)) \
        -v st=$((s1 - s0 + ss1 - ss0)) -v all=$((t_1 - t_0 + st_1 - st_0)) -v tx=$((tx1 - tx0)) -v own=$((own1 - own0)) 'BEGIN { s = ns / 1e9
        blocks = n * (int(mb * 1048576 / 1468) + 1)
        printf "%.1f %.1f %d %d %.1f %.0f %d %d %.1f %.1f", n * mb * 1.048576 / s, s, f, pk, c / hz, bt ? 100 * bb / bt : 0, st, all,
            1000 * (tx - blocks - n) / blocks, own / hz }')
    STORM_RES[$server]+="$res;"
    STORM_ROUND[$server|storm|$4]=${res%% *}
    stop_server
}
bench_storm() {
    STORM_DIR="$LAB_TMP/storm"; STORM_ON=disk
    # a spec is CLIENTS:KIND[:MiB] (default STORM_MB)
    need=$(for spec in $STORMS; do IFS=: read -r n _ mb <<< "$spec"; echo $(( n * ${mb:-$STORM_MB} + 64 )); done |
        sort -n | tail -1)
    avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
    if [ "$avail" -gt $((2 * need)) ] && lab_tmpfs "$STORM_DIR" "$need"; then STORM_ON=tmpfs
    else mkdir -p "$STORM_DIR"; echo "bench: storm outputs on disk (${avail} MiB available, a tmpfs needs ${need})"; fi
    rounds=${BENCH_STORM_ROUNDS:-5}; [ "$QUICK" = 1 ] && rounds=1
    STORM_TIMEOUT=600
    for spec in $STORMS; do
        IFS=: read -r n client mb <<< "$spec"; mb=${mb:-$STORM_MB}
        if [ ! -f "$ROOT/storm-$mb.bin" ]; then
            if [ "$mb" = "$STORM_MB" ]; then ln "$ROOT/storm.bin" "$ROOT/storm-$mb.bin"
            else head -c $((mb << 20)) /dev/urandom > "$ROOT/storm-$mb.bin"; fi
        fi
        servers="netbootd tftpd-hpa dnsmasq"
        [ "$client" != curl ] && servers=$TFTP_SERVERS
        label=$(storm_client_label "$client" "$n")
        declare -gA STORM_RES=() STORM_MED=() STORM_ROUND=()
        if [ "$client" = curl ]; then
            # the files to write over: this storm's size, made once
            for i in $(seq 1 "$n"); do
                [ "$(stat -c %s "$STORM_DIR/$i" 2>/dev/null)" = $((mb << 20)) ] || cp "$ROOT/storm-$mb.bin" "$STORM_DIR/$i"
            done
        fi
        for round in $(seq 1 "$rounds"); do
            for server in $(rotated "$round" $servers); do storm_once "$server" "$n" "$client" "$round" "$mb"; done
        done
        for server in $servers; do
            res="${STORM_RES[$server]:-}"
            [ -n "$res" ] || continue
            # the round with the median throughput stands for the server
            med=$(echo "$res" | tr ';' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }')
            all=$(echo "$res" | tr ';' '\n' | awk 'NF { printf "%s%s", sep, $1; sep = "/" }')
            read -r agg secs _ _ scpu cbusy stolen ticks _ own <<< "$med"
            STORM_MED[$server]=$agg
            # failures summed, peak RSS the highest over all rounds, extra datagrams the highest
            read -r fails peak extra <<< "$(echo "$res" | tr ';' '\n' |
                awk 'NF { f += $3; if ($4 > p) p = $4; if (NR == 1 || $9 > x) x = $9 } END { print f + 0, p + 0, x + 0 }')"
            note="${secs} s, $fails failed, peak RSS $peak MiB, server core busy $scpu s (the server's own CPU $own s), client core busy ${cbusy}%$(steal_note "$stolen" "$ticks")"
            # lock-step: datagrams beyond one per block and the OACK are resends
            [ "$client" != w4 ] && note+=", resent up to ${extra} per 1000 blocks"
            [ "$rounds" -gt 1 ] && note+="; rounds $all MB/s"
            row "3. storm $n x ${mb} MiB" "$server" "$label" "$agg MB/s" "$note"
        done
        [ -n "${STORM_MED[netbootd]:-}" ] &&
            row "3. netbootd / peer (same run)" "netbootd" "$label" \
                "$(ratios "${STORM_MED[netbootd]}" tftpd-hpa "${STORM_MED[tftpd-hpa]:-}" dnsmasq "${STORM_MED[dnsmasq]:-}" \
                    atftpd "${STORM_MED[atftpd]:-}")" \
                "per round: $(paired_ratios STORM_ROUND "$rounds" storm ${servers#netbootd })"
        unset STORM_RES STORM_MED STORM_ROUND
    done
}
