# tests/lib/daemon.sh - start netbootd inside the lab (source it
# after tests/lib/netns.sh and lab_up).
#
# start_netbootd [extra --set args...]: writes a small TFTP root and a lease
# folder under $LAB_TMP, starts netbootd on srv0 in $LAB_SRV with
# tests/fixtures/profiles/lab.yaml (or $NB_PROFILE), waits until it listens. Sets NB_PID, NB_LOG,
# NB_ROOT, NB_LEASES, NB_CONTROL (its control socket). The daemon runs as NB_USER (default root; a test that
# wants the service user sets NB_USER=netbootd, or --set user=...).

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

start_netbootd() {
    NB_ROOT="$LAB_TMP/tftproot"
    NB_LEASES="$LAB_TMP/leases/leases"
    NB_LOG="$LAB_TMP/netbootd.log"
    NB_CONTROL="$LAB_TMP/control"
    mkdir -p "$NB_ROOT/bios" "$NB_ROOT/efi64"
    [ -f "$NB_ROOT/bios/pxelinux.0" ] || head -c 40000 /dev/urandom > "$NB_ROOT/bios/pxelinux.0"
    [ -f "$NB_ROOT/boot.ipxe" ] || printf '#!ipxe\necho netbootd\n' > "$NB_ROOT/boot.ipxe"
    [ -f "$NB_ROOT/efi64/syslinux.efi" ] || head -c 200000 /dev/urandom > "$NB_ROOT/efi64/syslinux.efi"
    NB_PID=$(lab_bg "$LAB_SRV" "$NB_LOG" "$(netbootd_bin)" --profile "${NB_PROFILE:-$REPO/tests/fixtures/profiles/lab.yaml}" \
        --set interfaces=[srv0] --set tftp.root="$NB_ROOT" --set leases.file="$NB_LEASES" \
        --set control="$NB_CONTROL" --set user="${NB_USER:-root}" --log-level "${NB_LOG_LEVEL:-debug}" "$@")
    # Ready when both ports are bound (works at any --log-level).
    wait_for 10 "kill -0 $NB_PID 2>/dev/null && ip netns exec $LAB_SRV ss -Hlun | grep -q ':69 ' &&
                 ip netns exec $LAB_SRV ss -Hlun | grep -q ':67 '" ||
        { cat "$NB_LOG"; fail "netbootd did not start"; }
}

# CPU time (user + system, in clock ticks) netbootd has used so far.
nb_cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$NB_PID"/stat; }

stop_netbootd() {
    kill -TERM "$NB_PID" 2>/dev/null
    wait_for 10 "! kill -0 $NB_PID 2>/dev/null" || { kill -KILL "$NB_PID"; fail "netbootd did not stop on SIGTERM"; }
    wait "$NB_PID" 2>/dev/null
    # The sanitized build reports leaks and undefined behaviour at exit.
    if grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "$NB_LOG"; then
        grep -A30 -E "LeakSanitizer|AddressSanitizer|runtime error:" "$NB_LOG" | head -60
        fail "sanitizer report from netbootd"
    fi
}
