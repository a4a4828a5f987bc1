# tests/bench/tftp.sh - row family 2: one TFTP transfer of a big file per
# client kind, every server in interleaved rounds (sourced by
# tests/bench/run). Fills TFTP_CPU_ROWS for the cost rows.

# Rounds are interleaved: each round starts every server in turn and runs
# each client once, so a slow spell of this shared machine hits all servers
# alike instead of whichever happened to be measured then.
TFTP_CLIENTS=("tftp-hpa 512" "curl blksize 1468" "atftp 1468 window 16" "atftp 1468 window 64")
tftp_client_cmd() {     # LABEL: the client command line for it
    case "$1" in
    "tftp-hpa 512")      echo tftp 192.0.2.1 -m binary -c get big.bin "$LAB_TMP/out.bin" ;;
    "curl blksize 1468") echo curl -s --tftp-blksize 1468 -o "$LAB_TMP/out.bin" tftp://192.0.2.1/big.bin ;;
    "atftp 1468 window "*) echo atftp --option \"blksize 1468\" --option \"windowsize ${1##* }\" \
                              -g -r big.bin -l "$LAB_TMP/out.bin" 192.0.2.1 ;;
    esac
}
# TFTP_ROUND: MB/s of each good run by "server|client label|round" (the row's
# median and the paired ratios both read it). Per "server|client label": good
# runs, server core busy ticks, median, the client core's busy share of each
# run (near 100%: the client sets the pace), and the ticks stolen by the
# hypervisor from both cores against all their ticks.
declare -A TFTP_OK=() TFTP_CPU=() TFTP_MED=() TFTP_CPU_GIB=() TFTP_CLI=() TFTP_ROUND=()
declare -A TFTP_STEAL=() TFTP_TICKS=()
TFTP_CPU_ROWS=()
tftp_once() {           # SERVER LABEL ROUND: one transfer, its MB/s kept in TFTP_ROUND
    local k="$1|$2" t0 t1 cpu0 cpu1 cli0 cli1 all0 all1 srv_all0 srv_all1 st0 st1 sst0 sst1
    rm -f "$LAB_TMP/out.bin"
    read -r cpu0 srv_all0 sst0 <<< "$(cpu_busy $SRV_CPU)"
    read -r cli0 all0 st0 <<< "$(cpu_busy $CLI_CPU)"
    t0=$(date +%s%N)
    if eval cli timeout 120 "$(tftp_client_cmd "$2")" >/dev/null 2>&1 &&
       cmp -s "$LAB_TMP/out.bin" "$ROOT/big.bin"; then
        t1=$(date +%s%N)
        read -r cpu1 srv_all1 sst1 <<< "$(cpu_busy $SRV_CPU)"
        read -r cli1 all1 st1 <<< "$(cpu_busy $CLI_CPU)"
        TFTP_ROUND[$k|$3]=$(awk -v b=$((BIG_MB << 20)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", b / (ns / 1e9) / 1e6 }')
        [ "$all1" -gt "$all0" ] && TFTP_CLI[$k]+="$(( 100 * (cli1 - cli0) / (all1 - all0) )) "
        TFTP_CPU[$k]=$(( ${TFTP_CPU[$k]:-0} + cpu1 - cpu0 ))
        TFTP_STEAL[$k]=$(( ${TFTP_STEAL[$k]:-0} + st1 - st0 + sst1 - sst0 ))
        TFTP_TICKS[$k]=$(( ${TFTP_TICKS[$k]:-0} + all1 - all0 + srv_all1 - srv_all0 ))
        TFTP_OK[$k]=$(( ${TFTP_OK[$k]:-0} + 1 ))
    fi
}
tftp_runs() {           # LABEL: rounds that row gets
    case "$1" in *" window "*) echo "$WINDOW_RUNS" ;; *) echo "$RUNS" ;; esac
}
bench_tftp() {
    for round in $(seq 1 "$WINDOW_RUNS"); do
        for server in $(rotated "$round" $TFTP_SERVERS); do
            start_server "$server" || continue
            for label in "${TFTP_CLIENTS[@]}"; do
                [ "$round" -le "$(tftp_runs "$label")" ] && tftp_once "$server" "$label" "$round"
            done
            stop_server
        done
    done
    for server in $TFTP_SERVERS; do
        for label in "${TFTP_CLIENTS[@]}"; do
            k="$server|$label"
            ok=${TFTP_OK[$k]:-0}
            runs=$(tftp_runs "$label")
            read -r med range <<< "$(for r in $(seq 1 "$runs"); do echo ${TFTP_ROUND[$k|$r]:-}; done | sed '/^$/d' | stats)"
            [ "$ok" -eq "$runs" ] || range="$range ($((runs - ok)) failed)"
            read -r cli_med _ <<< "$(printf '%s\n' ${TFTP_CLI[$k]:-} | stats)"
            [ "$cli_med" != "-" ] && range="$range; client core ${cli_med%.*}%"
            range+=$(steal_note "${TFTP_STEAL[$k]:-0}" "${TFTP_TICKS[$k]:-0}")
            row "2. TFTP ${BIG_MB} MiB, MB/s" "$server" "$label" "$med" "$range"
            TFTP_MED[$k]=$med
            [ "$ok" -gt 0 ] && TFTP_CPU_GIB[$k]=$(awk -v t="${TFTP_CPU[$k]:-0}" -v hz="$hz" -v r="$ok" \
                -v mb="$BIG_MB" 'BEGIN { printf "%.2f", (t / hz) / (r * mb / 1024) }')
        done
    done
    for label in "${TFTP_CLIENTS[@]}"; do
        notes=""
        for server in $TFTP_SERVERS; do
            [ -n "${TFTP_CPU_GIB[$server|$label]:-}" ] && notes+="$server ${TFTP_CPU_GIB[$server|$label]}, "
        done
        TFTP_CPU_ROWS+=("$label|${TFTP_CPU_GIB[netbootd|$label]:--}|${notes%, }")
    done
    for label in "${TFTP_CLIENTS[@]}"; do
        row "2. netbootd / peer (same run)" "netbootd" "$label" \
            "$(ratios "${TFTP_MED[netbootd|$label]:-}" tftpd-hpa "${TFTP_MED[tftpd-hpa|$label]:-}" \
                dnsmasq "${TFTP_MED[dnsmasq|$label]:-}" atftpd "${TFTP_MED[atftpd|$label]:-}")" \
            "per round: $(paired_ratios TFTP_ROUND "$(tftp_runs "$label")" "$label" ${TFTP_SERVERS#netbootd })"
    done
    nb16="${TFTP_MED[netbootd|atftp 1468 window 16]:-}"
    [ -n "$ceiling" ] && [ -n "$nb16" ] &&
        row "2. netbootd window 16 / UDP ceiling" "netbootd" "atftp 1468 window 16" \
            "$(awk -v a="$nb16" -v c="$ceiling" 'BEGIN { printf "%.0f%%", 100 * a / c }')" \
            "$(awk -v a="$nb16" -v c="$ceiling_spin" 'BEGIN { if (c > 0) printf "%.0f%% of the polling one", 100 * a / c; else print "-" }')"
}
