# tests/bench/pgsql.sh - row family 10: DHCP with every lease committed to
# one PostgreSQL server (sourced by tests/bench/run). netbootd with
# leases.backend: postgresql against Kea with its PostgreSQL lease backend,
# the same database server for both (pinned to the clients' CPU), each run
# from empty tables; then two netbootd servers on that database against one.
# Closed loop: dhcp_load keeps 200 exchanges in flight through a relay
# address; every ACK is a commit (a client starting over renews its lease).
#
# Its own segment: a bridge joining server A (198.18.0.1), server B
# (198.18.0.3) and the loaders (relay addresses 198.18.0.2 and .4); a pool
# of 1,024 addresses, so that 200 clients leave it far from full.

pgb_up() {
    local name="pgb$$" ns pair
    PGB_BR="${name}b"; PGB_A="${name}a"; PGB_B="${name}s"; PGB_C="${name}c"
    for ns in "$PGB_BR" "$PGB_A" "$PGB_B" "$PGB_C"; do
        ip netns add "$ns"; LAB_NS+=("$ns"); ip -n "$ns" link set lo up
    done
    ip -n "$PGB_BR" link add br0 type bridge forward_delay 0 stp_state 0
    ip -n "$PGB_BR" link set br0 up
    for pair in "$PGB_A:srv0:pa" "$PGB_B:srv0:pb" "$PGB_C:cli0:pc"; do
        IFS=: read -r ns ifname port <<< "$pair"
        ip link add "$ifname" netns "$ns" type veth peer name "$port" netns "$PGB_BR"
        ip -n "$PGB_BR" link set "$port" master br0 up
        ip -n "$ns" link set "$ifname" up
    done
    ip -n "$PGB_A" addr add 198.18.0.1/16 dev srv0
    ip -n "$PGB_B" addr add 198.18.0.3/16 dev srv0
    ip -n "$PGB_C" addr add 198.18.0.2/16 dev cli0
    ip -n "$PGB_C" addr add 198.18.0.4/16 dev cli0
}

# pgb_start NAME NS PIDVAR: netbootd (or kea) in NS on the shared database.
pgb_start() {
    local log="$LAB_TMP/pgb-$1-$2.log" p_
    case "$1" in
    netbootd)
        p_=$(lab_bg "$2" "$log" taskset -c $SRV_CPU "$top/netbootd" \
            --profile tests/fixtures/profiles/lab.yaml --set interfaces=[srv0] --set tftp.root="$ROOT" \
            --set leases.file="$LAB_TMP/pgb-$2/leases" --set user=netbootd --set control="$LAB_TMP/pgb-$2.ctl" \
            --set subnets[0].subnet=198.18.0.0/16 --set subnets[0].range=198.18.1.0-198.18.4.255 \
            --set subnets[0].router=198.18.0.1 --set subnets[0].dns=[198.18.0.1] \
            --set hosts=[] --set subnets[0].lease-time=3600 \
            --set subnets[0].max-lease-time=3600 --set leases.backend=postgresql \
            --set "leases.postgresql.conninfo=\"host=$PG_SOCK dbname=nb user=$PG_USER\"" --log-level warn)
        wait_for 20 "ip netns exec $2 ss -Hlun | grep -q ':67 '" || return 1
        sleep 1 ;;
    kea)
        cat > "$LAB_TMP/kea-pg.json" <<KEA
{ "Dhcp4": { "interfaces-config": { "interfaces": [ "srv0" ] },
  "lease-database": { "type": "postgresql", "name": "kea", "host": "$PG_SOCK", "user": "$PG_USER" },
  "valid-lifetime": 3600,
  "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 8, "packet-queue-size": 256 },
  "subnet4": [ { "id": 1, "subnet": "198.18.0.0/16", "pools": [ { "pool": "198.18.1.0 - 198.18.4.255" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "stderr" } ] } ] } }
KEA
        p_=$(lab_bg "$2" "$log" env KEA_LOCKFILE_DIR="$LAB_TMP" KEA_PIDFILE_DIR="$LAB_TMP" \
            taskset -c $SRV_CPU kea-dhcp4 -c "$LAB_TMP/kea-pg.json")
        sleep 2 ;;
    esac
    kill -0 "$p_" 2>/dev/null || { echo "bench: $1 on PostgreSQL did not start:"; tail -5 "$log"; return 1; }
    printf -v "$3" "%s" "$p_"
}

pgb_stop() {
    local p
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for p in "$@"; do wait_for 10 "! kill -0 $p 2>/dev/null" || kill -KILL "$p" 2>/dev/null; done
    sleep 0.5
}

pgb_clear() {
    PG_DB=nb pg_sql "TRUNCATE netbootd_lease4"
    PG_DB=kea pg_sql "TRUNCATE lease4"
}

# One closed-loop run against SERVER from RELAY: prints "RATE LOST NAKS".
pgb_load() {        # SERVER RELAY CLIENTS [MAC_GROUP]
    ip netns exec "$PGB_C" taskset -c $CLI_CPU timeout $((DHCP_SECS + 15)) "$B/dhcp_load" "$1" "$2" "$3" \
        "$DHCP_SECS" "${4:-0}" | awk '{ print $2, $6, $8 }'
}

bench_pgsql() {
    . tests/lib/pg.sh
    [ -x "$PG_BIN/initdb" ] && command -v kea-admin >/dev/null || { echo "bench: no PostgreSQL or kea-admin"; return; }
    PG_TMP="$LAB_TMP/pgbench" PG_TASKSET="taskset -c $CLI_CPU" pg_start
    mkdir -p "$LAB_TMP/pgbench"
    pg_sql "CREATE DATABASE nb" && pg_sql "CREATE DATABASE kea"
    "$top/netbootd" db init --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$ROOT" \
        --set leases.backend=postgresql \
        --set "leases.postgresql.conninfo=\"host=$PG_SOCK dbname=nb user=$PG_USER\"" > /dev/null 2>&1 ||
        { echo "bench: netbootd db init failed"; pg_stop; return; }
    kea-admin db-init pgsql -u "$PG_USER" -n kea -h "$PG_SOCK" > "$LAB_TMP/kea-admin.log" 2>&1 ||
        { echo "bench: kea-admin db-init failed"; tail -3 "$LAB_TMP/kea-admin.log"; pg_stop; return; }
    pgb_up
    local r server pid="" pid2="" out a b lost naks nb_rates="" kea_rates="" pair_rates="" notes_nb="" notes_kea=""
    for r in $(seq 1 "$RUNS"); do
        for server in $(rotated "$r" netbootd kea); do
            pgb_clear
            pgb_start "$server" "$PGB_A" pid || continue
            out=$(pgb_load 198.18.0.1 198.18.0.2 200)
            pgb_stop "$pid"
            read -r a lost naks <<< "$out"
            if [ "$server" = netbootd ]; then nb_rates+="$a "; notes_nb="$lost lost, $naks NAK"
            else kea_rates+="$a "; notes_kea="$lost lost, $naks NAK"; fi
        done
        # The pair: both servers on the database, 100 in flight to each.
        pgb_clear
        if pgb_start netbootd "$PGB_A" pid && pgb_start netbootd "$PGB_B" pid2; then
            pgb_load 198.18.0.3 198.18.0.4 100 1 > "$LAB_TMP/pgb-pair-b" &
            local lb=$!
            out=$(pgb_load 198.18.0.1 198.18.0.2 100)
            wait "$lb"
            read -r a _ <<< "$out"; read -r b _ < "$LAB_TMP/pgb-pair-b"
            pair_rates+="$(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }') "
        fi
        pgb_stop "$pid" "${pid2:-}"
    done
    local nb kea pair
    nb=$(echo "$nb_rates" | tr ' ' '\n' | grep . | stats 0)
    kea=$(echo "$kea_rates" | tr ' ' '\n' | grep . | stats 0)
    pair=$(echo "$pair_rates" | tr ' ' '\n' | grep . | stats 0)
    row "10. DORA/s, each lease committed" "netbootd" "dhcp_load 200, PostgreSQL" "${nb%% *}" \
        "${nb#* }; $notes_nb; database on CPU $CLI_CPU with the loader"
    row "10. DORA/s, each lease committed" "kea" "dhcp_load 200, PostgreSQL" "${kea%% *}" \
        "${kea#* }; $notes_kea; kea-dhcp4 $(kea-dhcp4 -v 2>/dev/null), lease-database postgresql, 8 threads"
    row "10. netbootd / kea (PostgreSQL)" "netbootd" "dhcp_load 200" \
        "$(ratios "${nb%% *}" kea "${kea%% *}")" "-"
    row "10. two netbootd, one database" "netbootd x2" "dhcp_load 100 + 100" "${pair%% *}" \
        "${pair#* }; both servers on CPU $SRV_CPU (2-core machine): the pair shares one core"
    pg_stop
}
