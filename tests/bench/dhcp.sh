# tests/bench/dhcp.sh - row family 4: DHCP rates, open loop (perfdhcp)
# and closed loop (dhcp_load through a relay address), each server from an
# empty lease database (sourced by tests/bench/run). Sets NB_CPU_PER_K for
# the cost rows.

bench_dhcp() {
    for server in netbootd dnsmasq kea dhcpd; do
        clear_leases
        start_server "$server" || continue
        best=0; best_lat="-"; cpu_per_k="-"
        for rate in 50 100 250 500 1000 2000 4000 6000 8000 10000 12000 16000 24000; do
            cpu0=$(cpu_ticks "$SRV_PID")
            out=$(cli timeout $((DHCP_SECS + 15)) perfdhcp -4 -l cli0 -r "$rate" -p "$DHCP_SECS" -R 200 192.0.2.1 2>&1)
            cpu1=$(cpu_ticks "$SRV_PID")
            sent=$(echo "$out" | awk '/sent packets:/ { s += $3 } END { print s + 0 }')
            drops=$(echo "$out" | awk '/drops ratio:/ { gsub("%", "", $3); if ($3 + 0 > m) m = $3 + 0 } END { print m + 0 }')
            acks=$(echo "$out" | awk '/received packets:/ { r = $3 } END { print r + 0 }')
            [ "$sent" -gt 0 ] || break
            if awk -v d="$drops" 'BEGIN { exit !(d < 1) }'; then
                best=$rate
                best_lat=$(echo "$out" | awk '/avg delay:/ { print $3; exit }')
                cpu_per_k=$(awk -v t=$((cpu1 - cpu0)) -v hz="$hz" -v a="$acks" 'BEGIN { if (a) printf "%.3f", (t / hz) / a * 1000 }')
            else
                break
            fi
        done
        row "4. DORA/s with < 1% drops" "$server" "perfdhcp -R 200" "$best" "avg DISCOVER->OFFER ${best_lat} ms"
        [ "$server" = netbootd ] && NB_CPU_PER_K="$cpu_per_k"
        stop_server
    done
    declare -gA DHCP_RATE=()
    # Closed loop: 200 exchanges always in flight through a relay address, so the
    # rate is what the server can do rather than what perfdhcp can send.
    for server in netbootd dnsmasq kea dhcpd; do
        clear_leases
        start_server "$server" || continue
        cpu0=$(cpu_ticks "$SRV_PID")
        out=$(cli timeout $((DHCP_SECS + 15)) "$B/dhcp_load" 192.0.2.1 192.0.2.2 200 "$DHCP_SECS")
        cpu1=$(cpu_ticks "$SRV_PID")
        read -r _ rate _ completed _ lost _ naks _ _ _ lat _ lcpu _ secs <<< "$out"
        note=$(awk -v t=$((cpu1 - cpu0)) -v hz="$hz" -v s="${secs:-0}" -v d="${completed:-0}" -v l="${lost:-?}" \
            -v n="${naks:-?}" -v lat="${lat:-?}" -v lc="${lcpu:-?}" 'BEGIN {
            printf "server CPU %.0f%%, %.3f CPU s per 1,000; %s lost, %s NAK; avg DISCOVER->ACK %s ms; loader CPU %s s",
                s ? 100 * t / hz / s : 0, d ? (t / hz) / d * 1000 : 0, l, n, lat, lc }')
        row "4. DORA/s, 200 in flight (relay)" "$server" "dhcp_load 200" "${rate:--}" "$note"
        DHCP_RATE[$server]="${rate:-}"
        stop_server
    done
    row "4. netbootd / peer (same run)" "netbootd" "dhcp_load 200" \
        "$(ratios "${DHCP_RATE[netbootd]:-}" dnsmasq "${DHCP_RATE[dnsmasq]:-}" kea "${DHCP_RATE[kea]:-}" \
            dhcpd "${DHCP_RATE[dhcpd]:-}")" "-"
}
