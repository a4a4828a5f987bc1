# tests/lib/netns.sh - shared helpers for integration tests (source it).
#
# lab_up NAME: two namespaces joined by a veth pair
#     ${NAME}-srv  veth "srv0" 192.0.2.1/24   (netbootd runs here)
#     ${NAME}-cli  veth "cli0" (no address: DHCP clients configure it)
# Sets LAB_SRV, LAB_CLI. Everything the test starts is recorded with
# lab_track PID and stopped by PID in lab_down (registered on EXIT).
# Names carry the test's PID so parallel or leftover runs never collide.

LAB_PIDS=()
LAB_NS=()
LAB_MOUNTS=()
LAB_TMP=""

lab_need_root() {
    if [ "$(id -u)" -ne 0 ]; then echo "needs root (network namespaces)"; exit 77; fi
}

lab_up() {
    local name="${1:-nb}$$"
    LAB_SRV="${name}s"; LAB_CLI="${name}c"
    LAB_TMP=$(mktemp -d /tmp/netbootd-lab.XXXXXX)
    # Daemons and `netbootd status` started here keep their control socket
    # in the lab, not in the host's /run/netbootd.
    export RUNTIME_DIRECTORY="$LAB_TMP/run"
    trap lab_down EXIT
    trap 'exit 130' INT TERM
    ip netns add "$LAB_SRV"; LAB_NS+=("$LAB_SRV")
    ip netns add "$LAB_CLI"; LAB_NS+=("$LAB_CLI")
    ip link add srv0 netns "$LAB_SRV" type veth peer name cli0 netns "$LAB_CLI"
    ip -n "$LAB_SRV" addr add 192.0.2.1/24 dev srv0
    ip -n "$LAB_SRV" link set lo up
    ip -n "$LAB_SRV" link set srv0 up
    ip -n "$LAB_CLI" link set lo up
    ip -n "$LAB_CLI" link set cli0 up
}

# Run a command in the background inside a namespace and remember its PID.
# usage: pid=$(lab_bg NS LOGFILE cmd args...)   -> prints the PID
# It is usually called in $(...), a subshell: the PID is also written to
# $LAB_TMP/pids so that lab_down, in the test's own shell, stops it.
lab_bg() {
    local ns="$1" log="$2"; shift 2
    ip netns exec "$ns" "$@" >"$log" 2>&1 &
    local pid=$!
    LAB_PIDS+=("$pid")
    [ -n "$LAB_TMP" ] && echo "$pid" >> "$LAB_TMP/pids"
    echo "$pid"
}

# inns CMD...: run CMD in the client namespace.
inns() { ip netns exec "$LAB_CLI" "$@"; }

lab_track() { LAB_PIDS+=("$1"); [ -n "$LAB_TMP" ] && echo "$1" >> "$LAB_TMP/pids"; }

# lab_tmpfs DIR MIB: a tmpfs of MIB MiB on DIR (inside $LAB_TMP), unmounted by
# lab_down before it removes $LAB_TMP. Fails when the mount does.
lab_tmpfs() {
    mkdir -p "$1" && mount -t tmpfs -o "size=${2}m,mode=0755" tmpfs "$1" || return 1
    LAB_MOUNTS+=("$1")
}

lab_down() {
    local pid ns i
    if [ -n "$LAB_TMP" ] && [ -f "$LAB_TMP/pids" ]; then
        while read -r pid; do LAB_PIDS+=("$pid"); done < "$LAB_TMP/pids"
    fi
    for pid in "${LAB_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${LAB_PIDS[@]}"; do
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    LAB_PIDS=()
    for i in "${LAB_MOUNTS[@]}"; do umount "$i" 2>/dev/null || umount -l "$i"; done
    LAB_MOUNTS=()
    for ns in "${LAB_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    LAB_NS=()
    [ -n "$LAB_TMP" ] && rm -rf "$LAB_TMP"
    LAB_TMP=""
}

# wait_for SECONDS 'shell condition'   (polls every 0.1 s, bounded)
wait_for() {
    local secs="$1" cond="$2" i
    for i in $(seq 1 $((secs * 10))); do
        if eval "$cond"; then return 0; fi
        sleep 0.1
    done
    return 1
}

# wait_log FILE PATTERN SECONDS: until grep -q PATTERN FILE succeeds.
wait_log() { wait_for "$3" "grep -qE -- '$2' '$1' 2>/dev/null"; }

fail() { echo "FAIL: $*"; exit 1; }

# The daemon binary to test: the sanitized build when present.
netbootd_bin() {
    local top; top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    if [ -x "$top/build/san/netbootd" ]; then echo "$top/build/san/netbootd"
    else echo "$top/netbootd"; fi
}
