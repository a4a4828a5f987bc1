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
