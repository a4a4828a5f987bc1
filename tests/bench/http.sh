# tests/bench/http.sh - row family 7: HTTP, netbootd's server next to
# nginx (sourced by tests/bench/run): one large file to one curl, and a
# storm of curls fetching the same file at once, in interleaved rounds
# with the order rotated each round.
#
# nginx runs as one process (master_process off: no worker of its own to
# balance onto the other core), pinned to the server core like netbootd's
# one loop; sendfile on and access_log off, as netbootd sends with sendfile
# and logs no request. Every client writes to /dev/null: the rows measure
# the servers, not a filesystem. Each transfer must report the file's
# exact size, else it counts as failed. The notes give each server
# process's own CPU seconds and write calls per GiB (http_cost1).

http_start() {      # NAME: starts one HTTP server on 192.0.2.1:80, SRV_PID
    local log="$LAB_TMP/http-$1.log"
    case "$1" in
    netbootd)
        # All clients share one address: the per-client limit is raised
        # above the storm, as for TFTP.
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU "$top/netbootd" \
            --profile tests/fixtures/profiles/lab.yaml --set interfaces=[srv0] --set tftp.root="$ROOT" \
            --set leases.file="$LAB_TMP/nb-leases/leases" --set user=root \
            --set 'http={listen: [192.0.2.1:80], max-connections-per-client: 1024}' --log-level warn) ;;
    nginx)
        mkdir -p "$LAB_TMP/nginx"
        cat > "$LAB_TMP/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $LAB_TMP/nginx.pid;
error_log $LAB_TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
    default_type application/octet-stream;
    sendfile on;
    access_log off;
    client_body_temp_path $LAB_TMP/nginx/body;
    proxy_temp_path $LAB_TMP/nginx/proxy;
    server { listen 192.0.2.1:80; root $ROOT; }
}
NGINX
        SRV_PID=$(lab_bg "$LAB_SRV" "$log" taskset -c $SRV_CPU nginx -p "$LAB_TMP/nginx" \
            -e "$LAB_TMP/nginx-error.log" -c "$LAB_TMP/nginx.conf") ;;
    esac
    sleep 1.5
    kill -0 "$SRV_PID" 2>/dev/null || { echo "bench: $1 (http) did not start:"; tail -5 "$log"; SRV_PID=""; return 1; }
}
# The server process's own cost, which other load on the machine does not
# inflate the way it does the core's busy time: CPU seconds (user + system)
# per GiB sent, and write-side system calls per GiB (/proc/PID/io syscw;
# sendfile counts as one), i.e. how large a piece each sendfile sends.
http_cost0() { HTTP_T0=$(cpu_ticks "$SRV_PID"); HTTP_W0=$(awk '/^syscw:/ { print $2 }' /proc/"$SRV_PID"/io 2>/dev/null || echo 0); }
http_cost1() {      # SERVER KEY BYTES: HTTP_COST[SERVER|KEY] += "cpu/GiB calls/GiB"
    local t w
    t=$(cpu_ticks "$SRV_PID"); w=$(awk '/^syscw:/ { print $2 }' /proc/"$SRV_PID"/io 2>/dev/null || echo 0)
    HTTP_COST[$1|$2]+="$(awk -v t=$((t - HTTP_T0)) -v w=$((w - HTTP_W0)) -v b="$3" -v hz="$hz" \
        'BEGIN { g = b / 2^30; printf "%.2f:%.0f", t / hz / g, w / g }') "
}
# median CPU s per GiB and calls per GiB of one server's rounds of KEY
http_cost_med() {
    local c
    c=$(printf '%s\n' ${HTTP_COST[$1|$2]:-} | cut -d: -f1 | stats 2)
    printf '%s CPU s/GiB (%s), ' "${c%% *}" "${c#* }"
    c=$(printf '%s\n' ${HTTP_COST[$1|$2]:-} | cut -d: -f2 | stats 0)
    printf '%s write calls/GiB' "${c%% *}"
}
# the server's peak resident set so far (KiB): one process for both servers
http_hwm() { awk '/^VmHWM:/ { v = $2 } END { print v + 0 }' /proc/"$SRV_PID"/status 2>/dev/null || echo 0; }

http_single_once() {    # SERVER ROUND: one curl fetches big file, HTTP_ROUND[SERVER|single|ROUND] = MB/s
    local got size
    http_start "$1" || return 0
    size=$(stat -c %s "$ROOT/http-big.bin")
    http_cost0
    got=$(cli timeout 600 curl -s -o /dev/null -w '%{size_download} %{time_total}' http://192.0.2.1/http-big.bin)
    http_cost1 "$1" single "$size"
    if [ "${got%% *}" = "$size" ]; then
        HTTP_ROUND[$1|single|$2]=$(awk -v b="$size" -v s="${got#* }" 'BEGIN { printf "%.1f", b / 1e6 / s }')
    else
        HTTP_FAILS[$1|single]=$(( ${HTTP_FAILS[$1|single]:-0} + 1 ))
    fi
    stop_server
}
http_storm_once() {     # SERVER N ROUND: N curls at once, HTTP_ROUND[SERVER|storm|ROUND] = MB/s
    local server=$1 n=$2 t0 t1 i p fails=0 hwm c0 c1 b0 b1 t_0 t_1 _s
    http_start "$server" || return 0
    rm -f "$LAB_TMP"/http-got.*
    local pids=()
    read -r c0 _s _s <<< "$(cpu_busy $SRV_CPU)"; read -r b0 t_0 _s <<< "$(cpu_busy $CLI_CPU)"
    http_cost0
    t0=$(date +%s%N)
    for i in $(seq 1 "$n"); do
        cli timeout 600 curl -s -o /dev/null -w '%{size_download}' http://192.0.2.1/storm.bin \
            > "$LAB_TMP/http-got.$i" 2>/dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    t1=$(date +%s%N)
    http_cost1 "$server" storm $((n * STORM_SIZE))
    read -r c1 _s _s <<< "$(cpu_busy $SRV_CPU)"; read -r b1 t_1 _s <<< "$(cpu_busy $CLI_CPU)"
    hwm=$(http_hwm)
    for i in $(seq 1 "$n"); do
        [ "$(cat "$LAB_TMP/http-got.$i" 2>/dev/null)" = "$STORM_SIZE" ] || fails=$((fails + 1))
    done
    HTTP_ROUND[$server|storm|$3]=$(awk -v ns=$((t1 - t0)) -v n="$n" -v b="$STORM_SIZE" 'BEGIN { printf "%.1f", n * b / 1e6 / (ns / 1e9) }')
    HTTP_CPU[$server]+="$(awk -v c=$((c1 - c0)) -v hz="$hz" -v bb=$((b1 - b0)) -v bt=$((t_1 - t_0)) \
        'BEGIN { printf "%.1f/%.0f%%", c / hz, bt ? 100 * bb / bt : 0 }') "
    HTTP_FAILS[$server|storm]=$(( ${HTTP_FAILS[$server|storm]:-0} + fails ))
    [ "$hwm" -gt "${HTTP_HWM[$server]:-0}" ] && HTTP_HWM[$server]=$hwm
    stop_server
}
# the median of one server's rounds of KEY, and all of them "a/b/c"
http_med() { local r; for r in $(seq 1 "$2"); do echo "${HTTP_ROUND[$1|$3|$r]:-}"; done | sed '/^$/d' | stats 1; }
http_list() { local r; for r in $(seq 1 "$2"); do echo "${HTTP_ROUND[$1|$3|$r]:-}"; done | sed '/^$/d' | paste -sd/; }
bench_http() {
    local servers="netbootd nginx" rounds=$RUNS n=200 big_mb=1024 server round med range key label cpu
    command -v nginx >/dev/null || { echo "bench: nginx missing (scripts/install-deps bench): no HTTP rows"; return 0; }
    [ "$QUICK" = 1 ] && { n=20; big_mb=64; }
    STORM_SIZE=$((STORM_MB << 20))
    [ -f "$ROOT/http-big.bin" ] || head -c $((big_mb << 20)) /dev/urandom > "$ROOT/http-big.bin"
    chmod a+r "$ROOT/http-big.bin"
    declare -gA HTTP_ROUND=() HTTP_FAILS=() HTTP_HWM=() HTTP_CPU=() HTTP_COST=()
    for round in $(seq 1 "$rounds"); do
        for server in $(rotated "$round" $servers); do http_single_once "$server" "$round"; done
        for server in $(rotated "$round" $servers); do http_storm_once "$server" "$n" "$round"; done
    done
    for key in single storm; do
        if [ "$key" = single ]; then label="curl x 1"; else label="curl x $n"; fi
        for server in $servers; do
            read -r med range <<< "$(http_med "$server" "$rounds" "$key")"
            HTTP_MED[$server]=$med; [ "$med" = - ] && HTTP_MED[$server]=""
            local note="$range, ${HTTP_FAILS[$server|$key]:-0} failed, server process $(http_cost_med "$server" "$key")"
            cpu=${HTTP_CPU[$server]:-}
            [ "$key" = storm ] && note+=", peak RSS (VmHWM) $(( ${HTTP_HWM[$server]:-0} / 1024 )) MiB, server core busy s / client core busy per round: ${cpu% }"
            [ "$rounds" -gt 1 ] && note+="; rounds $(http_list "$server" "$rounds" "$key") MB/s"
            if [ "$key" = single ]; then
                row "7. HTTP 1 x ${big_mb} MiB" "$server" "$label" "$med MB/s" "$note"
            else
                row "7. HTTP storm $n x ${STORM_MB} MiB" "$server" "$label" "$med MB/s" "$note"
            fi
        done
        row "7. HTTP netbootd / nginx" "netbootd" "$label" "$(ratios "${HTTP_MED[netbootd]:--}" nginx "${HTTP_MED[nginx]:-}")" \
            "per round: $(paired_ratios HTTP_ROUND "$rounds" "$key" nginx)"
    done
}
declare -A HTTP_MED=()
