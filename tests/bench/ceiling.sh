# tests/bench/ceiling.sh - row family 1: what the link itself carries, with
# no TFTP server (sourced by tests/bench/run). Sets ceiling and
# ceiling_spin (MB/s), which the TFTP rows compare themselves with.

ceiling=""; ceiling_spin=""

bench_ceiling() {
    # Sleeping ends first (the issue's "plain UDP sender"), then both ends
    # polling; one after the other, as a polling receiver would steal the
    # server core from a sleeping one.
    for mode in plain spin; do
        arg=""; [ "$mode" = spin ] && arg=spin
        rp=$(lab_bg "$LAB_SRV" "$LAB_TMP/udpw.log" taskset -c $SRV_CPU "$B/udp_window" recv 9000 $arg)
        sleep 0.3
        vals=$(for _ in $(seq 1 "$WINDOW_RUNS"); do cli "$B/udp_window" send 192.0.2.1 9000 $((BIG_MB << 20)) $arg; done)
        kill "$rp"; wait "$rp" 2>/dev/null
        read -r med range <<< "$(echo "$vals" | stats)"
        if [ "$mode" = plain ]; then
            ceiling=$med
            row "1. windowed UDP ceiling, MB/s" "-" "1472 B x 16 per ACK" "$med" "$range"
        else
            ceiling_spin=$med
            row "1. windowed UDP ceiling, polling, MB/s" "-" "1472 B x 16 per ACK" "$med" "$range; both ends poll instead of sleeping"
        fi
    done
    if command -v iperf3 >/dev/null; then
        ip_pid=$(lab_bg "$LAB_SRV" "$LAB_TMP/iperf.log" taskset -c $SRV_CPU iperf3 -s -1)
        sleep 0.5
        tcp=$(cli iperf3 -c 192.0.2.1 -t 3 -J 2>/dev/null | awk -F: '/"bits_per_second"/ { v = $2 } END { gsub(/[ ,]/, "", v); printf "%.1f", v / 8e6 }')
        row "1. TCP (iperf3), MB/s" "-" "iperf3 3 s" "$tcp" "-"
        wait "$ip_pid" 2>/dev/null
    fi
}
