# tests/lib/pg.sh - a throwaway PostgreSQL server for a test (source it after
# tests/lib/netns.sh and lab_up, or with PG_TMP set to a folder of your own).
#
# pg_start: initdb + pg_ctl in $LAB_TMP/pg (or $PG_TMP), unix socket only
# (listen_addresses=''), trust authentication for that socket, run as the
# unprivileged user $PG_USER (default netbootd: the postgres server refuses
# root). Sets PG_DIR (data), PG_SOCK (socket folder), PG_PID, PG_CONNINFO.
# pg_stop: fast shutdown, waiting for that PID. pg_kill: SIGKILL the server
# (its PID only). pg_sql SQL: psql -At on database $PG_DB (default postgres).
# PG_TASKSET="taskset -c N" pins the server (benchmarks).
# Everything lives below the lab's folder and goes with it; lab_down stops
# the server by its PID (pg_start registers it) if the test did not.
#
# pglab_up NAME: two netbootd servers and the clients on one segment (a
# bridge), for the shared-database tests: namespaces $PGLAB_S1 (srv0
# 198.18.0.2/22) and $PGLAB_S2 (srv0 198.18.0.3/22), clients in $LAB_CLI
# (cli0). pglab_profile [EXTRA YAML]: $PGLAB_PROFILE, a pool of ~1,000
# addresses on the database. pglab_server N NS [args...]: netbootd N in NS
# as the netbootd user, waiting until it loaded the database; PGLAB_PID[N],
# PGLAB_LOG[N], event log PGLAB_EVENTS[N].

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
PG_USER="${PG_USER:-netbootd}"

pg_need() {
    [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not installed (postgresql)"; exit 77; }
    getent passwd "$PG_USER" >/dev/null || { echo "no user $PG_USER to run PostgreSQL as"; exit 77; }
}

pg_as() { runuser -u "$PG_USER" -- "$@"; }

pg_start() {
    pg_need
    local base="${PG_TMP:-$LAB_TMP}/pg"
    PG_DIR="$base/data"; PG_SOCK="$base/sock"
    if [ ! -d "$PG_DIR" ]; then
        mkdir -p "$base" "$PG_SOCK"
        chown "$PG_USER" "$base" "$PG_SOCK"
        chmod 755 "${PG_TMP:-$LAB_TMP}" "$base"
        pg_as "$PG_BIN/initdb" -D "$PG_DIR" -A trust -U "$PG_USER" --no-sync -E UTF8 \
            > "$base/initdb.log" 2>&1 || { cat "$base/initdb.log"; fail "initdb failed"; }
        printf "listen_addresses = ''\nunix_socket_directories = '%s'\nmax_connections = 40\nshared_buffers = 32MB\n" \
            "$PG_SOCK" >> "$PG_DIR/postgresql.conf"
    fi
    ${PG_TASKSET:-} runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$base/server.log" -w -t 60 start > /dev/null ||
        { cat "$base/server.log"; fail "PostgreSQL did not start"; }
    PG_PID=$(head -1 "$PG_DIR/postmaster.pid")
    lab_track "$PG_PID"
    PG_CONNINFO="host=$PG_SOCK dbname=postgres user=$PG_USER"
}

pg_stop() {
    [ -n "${PG_PID:-}" ] || return 0
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w -t 30 stop > /dev/null 2>&1
    wait_for 30 "! kill -0 $PG_PID 2>/dev/null" || kill -KILL "$PG_PID" 2>/dev/null
    PG_PID=""
}

pg_kill() {
    [ -n "${PG_PID:-}" ] && kill -KILL "$PG_PID" 2>/dev/null
    wait_for 10 "! kill -0 $PG_PID 2>/dev/null"
    PG_PID=""
}

pg_sql() { pg_as "$PG_BIN/psql" -h "$PG_SOCK" -U "$PG_USER" -d "${PG_DB:-postgres}" -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

pglab_up() {
    local name="${1:-pgl}$$" ns pair
    LAB_TMP=$(mktemp -d /tmp/netbootd-lab.XXXXXX)
    chmod 755 "$LAB_TMP"
    export RUNTIME_DIRECTORY="$LAB_TMP/run"
    trap lab_down EXIT
    trap 'exit 130' INT TERM
    PGLAB_BR="${name}b"; PGLAB_S1="${name}1"; PGLAB_S2="${name}2"; LAB_CLI="${name}c"
    for ns in "$PGLAB_BR" "$PGLAB_S1" "$PGLAB_S2" "$LAB_CLI"; do
        ip netns add "$ns"; LAB_NS+=("$ns"); ip -n "$ns" link set lo up
    done
    ip -n "$PGLAB_BR" link add br0 type bridge forward_delay 0 stp_state 0
    ip -n "$PGLAB_BR" link set br0 up
    for pair in "$PGLAB_S1:srv0:p1" "$PGLAB_S2:srv0:p2" "$LAB_CLI:cli0:pc"; do
        IFS=: read -r ns ifname port <<< "$pair"
        ip link add "$ifname" netns "$ns" type veth peer name "$port" netns "$PGLAB_BR"
        ip -n "$PGLAB_BR" link set "$port" master br0 up
        ip -n "$ns" link set "$ifname" up
    done
    ip -n "$PGLAB_S1" addr add 198.18.0.2/22 dev srv0
    ip -n "$PGLAB_S2" addr add 198.18.0.3/22 dev srv0
    declare -gA PGLAB_PID PGLAB_LOG PGLAB_EVENTS
}

pglab_profile() {
    PGLAB_PROFILE="$LAB_TMP/profile.yaml"
    mkdir -p "$LAB_TMP/root"
    cat > "$PGLAB_PROFILE" <<EOT
interfaces: [srv0]
subnets:
  - subnet: 198.18.0.0/22
    range: 198.18.0.10-198.18.3.250
    lease-time: 3600
    max-lease-time: 3600
    min-lease-time: 1
tftp: { root: $LAB_TMP/root }
leases:
  backend: postgresql
  postgresql: { conninfo: "$PG_CONNINFO" }
${1:-}
EOT
}

pglab_server() {    # N NAMESPACE [args...]
    local n="$1" ns="$2"; shift 2
    PGLAB_LOG[$n]="$LAB_TMP/netbootd$n.log"
    PGLAB_EVENTS[$n]="$LAB_TMP/events$n.json"
    : > "${PGLAB_EVENTS[$n]}"
    PGLAB_PID[$n]=$(lab_bg "$ns" "${PGLAB_LOG[$n]}" "$(netbootd_bin)" --profile "$PGLAB_PROFILE" \
        --set leases.file="$LAB_TMP/leases$n/leases" --set control="$LAB_TMP/control$n" \
        --set leases.event-log="${PGLAB_EVENTS[$n]}" --set user=netbootd --log-level info "$@")
    wait_for 15 "grep -q 'lease database connected' '${PGLAB_LOG[$n]}'" ||
        { cat "${PGLAB_LOG[$n]}"; fail "server $n did not connect to the database"; }
}
