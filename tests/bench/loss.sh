# tests/bench/loss.sh - row family 2, lossy link: one small TFTP transfer
# per server over a link that loses a fixed share of packets each way,
# made with nftables (sourced by tests/bench/run; skipped without nft).

# Every 50th DATA packet (dropped at the client's input) and every 50th ACK
# (at the server's input) is lost: a fixed pattern, the same for every
# server, so one run per server compares like with like. The client is
# tftp-hpa's: lock-step, no timeout option (as iPXE, PXELINUX and GRUB ask),
# and it answers a repeated block at once, so the server's own retransmit
# timer sets the pace.
drop_every_50th() {     # NETNS MATCH: drop every 50th packet MATCH selects at NETNS's input
    printf 'table inet benchloss {\n chain input {\n  type filter hook input priority 0;\n  %s numgen inc mod 50 == 49 drop\n }\n}\n' \
        "$2" | ip netns exec "$1" nft -f -
}
lossy_link() {          # on | off
    ip netns exec "$LAB_CLI" nft delete table inet benchloss 2>/dev/null
    ip netns exec "$LAB_SRV" nft delete table inet benchloss 2>/dev/null
    [ "$1" = on ] || return 0
    drop_every_50th "$LAB_CLI" "ip saddr 192.0.2.1 udp sport != 69" &&
    drop_every_50th "$LAB_SRV" "ip saddr 192.0.2.2 udp dport != 69"
}
bench_loss() {
    command -v nft >/dev/null || return 0
    LOSS_KB=512
    [ "$QUICK" = 1 ] && LOSS_KB=128
    head -c $((LOSS_KB << 10)) /dev/urandom > "$ROOT/lossy.bin"
    declare -gA LOSS_SECS=()
    for server in $TFTP_SERVERS; do
        start_server "$server" || continue
        lossy_link on || { stop_server; break; }
        rm -f "$LAB_TMP/out.bin"
        t0=$(date +%s%N)
        if cli timeout 300 tftp 192.0.2.1 -m binary -c get lossy.bin "$LAB_TMP/out.bin" >/dev/null 2>&1 &&
           cmp -s "$LAB_TMP/out.bin" "$ROOT/lossy.bin"; then
            LOSS_SECS[$server]=$(awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.1f", ns / 1e9 }')
            row "2. TFTP ${LOSS_KB} KiB, 1 in 50 lost each way, s" "$server" "tftp-hpa 512" "${LOSS_SECS[$server]}" "-"
        else
            row "2. TFTP ${LOSS_KB} KiB, 1 in 50 lost each way, s" "$server" "tftp-hpa 512" "failed" "-"
        fi
        lossy_link off
        stop_server
    done
    # a peer's time divided by ours: how many times faster netbootd got the file
    [ -n "${LOSS_SECS[netbootd]:-}" ] && {
        r=""
        for server in tftpd-hpa dnsmasq atftpd; do
            [ -n "${LOSS_SECS[$server]:-}" ] &&
                r+="$server $(awk -v p="${LOSS_SECS[$server]}" -v o="${LOSS_SECS[netbootd]}" 'BEGIN { printf "%.1fx", p / o }'), "
        done
        row "2. peer s / netbootd s, lossy (same run)" "netbootd" "tftp-hpa 512" "${r%, }" "-"
    }
}
