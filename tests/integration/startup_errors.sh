#!/bin/bash
# A daemon that cannot start (its TFTP or DHCP port is taken by another
# program, an interface or its user does not exist) says why, exits non-zero,
# frees everything it had already opened (the sanitized build reports no leak
# on that path) and creates nothing: no lease folder, no lease file.
. "$(dirname "$0")/../lib/prologue.sh" se
mkdir -p "$LAB_TMP/root"

for port in 69 67; do
    # The blocker binds without SO_REUSEADDR, so netbootd's bind fails.
    blocker=$(lab_bg "$LAB_SRV" "$LAB_TMP/blocker.log" /usr/bin/python3 tests/tools/udp_blocker.py "$port" 30)
    wait_for 5 "ip netns exec $LAB_SRV ss -Hlun | grep -q ':$port '" || fail "blocker on port $port did not start"
    out="$LAB_TMP/out.$port"
    ip netns exec "$LAB_SRV" timeout 20 "$(netbootd_bin)" --profile tests/fixtures/profiles/lab.yaml \
        --set interfaces=[srv0] --set tftp.root="$LAB_TMP/root" --set leases.file="$LAB_TMP/leases/l" \
        --set user=root > "$out" 2>&1
    rc=$?
    kill "$blocker" 2>/dev/null; wait "$blocker" 2>/dev/null
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { cat "$out"; fail "exit status $rc with port $port taken"; }
    [ ! -e "$LAB_TMP/leases" ] || { ls -la "$LAB_TMP/leases"; fail "port $port taken: the lease folder was created"; }
    grep -q "port $port on srv0: Address already in use" "$out" || { cat "$out"; fail "no clear error for port $port"; }
    if grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "$out"; then
        grep -A20 -E "LeakSanitizer|AddressSanitizer|runtime error:" "$out" | head -40
        fail "sanitizer report on the failed start (port $port)"
    fi
    echo "result: port $port taken: exit $rc, '$(grep -m1 "port $port on srv0" "$out")'"
done

# refused_start NAME 'expected message' [netbootd args...]: the start fails
# with that message and leaves nothing behind under $LAB_TMP/state.
refused_start() {
    local name="$1" want="$2" out="$LAB_TMP/out.$1" rc; shift 2
    ip netns exec "$LAB_SRV" timeout 20 "$@" > "$out" 2>&1
    rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { cat "$out"; fail "$name: exit status $rc"; }
    grep -q -- "$want" "$out" || { cat "$out"; fail "$name: no clear error ('$want')"; }
    [ ! -e "$LAB_TMP/state" ] || { ls -laR "$LAB_TMP/state"; fail "$name: the lease folder was created"; }
    if grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "$out"; then
        grep -A20 -E "LeakSanitizer|AddressSanitizer|runtime error:" "$out" | head -40
        fail "sanitizer report on the failed start ($name)"
    fi
    echo "result: $name: exit $rc, '$(grep -m1 -- "$want" "$out" | cut -c1-150)'"
}
NB=("$(netbootd_bin)" --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$LAB_TMP/root"
    --set leases.file="$LAB_TMP/state/leases")
refused_start "missing interface" "interface nosuch0: no such interface" \
    "${NB[@]}" --set interfaces=[srv0,nosuch0] --set user=root
refused_start "unknown user" "user: nosuchuser: no such user" \
    "${NB[@]}" --set interfaces=[srv0] --set user=nosuchuser
# No `user:` and no netbootd user: the old fallback to nobody is gone.
grep -v '^netbootd:' /etc/passwd > "$LAB_TMP/passwd"
refused_start "no netbootd user" "useradd --system" unshare -m sh -c \
    'mount --bind "$0" /etc/passwd && exec "$@"' "$LAB_TMP/passwd" "${NB[@]}" --set interfaces=[srv0]
# A step after the files were made fails: dropping privileges in a user
# namespace that denies setgroups (root and netbootd mapped, own network
# namespace with lo). What this start created - the lease folder, the lease
# file, the event log in that folder - is removed again.
if id netbootd >/dev/null 2>&1; then
    NBU=$(id -u netbootd); NBG=$(id -g netbootd)
    mkfifo "$LAB_TMP/go"
    unshare --user --net sh -c 'read x < "$0"; ip link set lo up; exec "$@"' "$LAB_TMP/go" \
        "$(netbootd_bin)" --profile tests/fixtures/profiles/lab.yaml --set interfaces=[lo] \
        --set tftp.root="$LAB_TMP/root" --set leases.file="$LAB_TMP/state/leases" \
        --set leases.event-log="$LAB_TMP/state/events" > "$LAB_TMP/out.undo" 2>&1 &
    upid=$!; lab_track "$upid"
    wait_for 5 "[ \"\$(readlink /proc/$upid/ns/user)\" != \"\$(readlink /proc/self/ns/user)\" ]" ||
        fail "no user namespace"
    map() { /usr/bin/python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY)
os.write(fd, ("0 0 1\n%s %s 1\n" % (sys.argv[2], sys.argv[2])).encode())' "$@"; }
    map /proc/$upid/uid_map "$NBU"; echo deny > /proc/$upid/setgroups; map /proc/$upid/gid_map "$NBG"
    echo go > "$LAB_TMP/go"
    wait "$upid"; rc=$?
    [ "$rc" -ne 0 ] || { cat "$LAB_TMP/out.undo"; fail "undo: started"; }
    grep -q "dropping privileges to netbootd" "$LAB_TMP/out.undo" || { cat "$LAB_TMP/out.undo"; fail "undo: did not get as far as the drop"; }
    grep -q "created folder $LAB_TMP/state" "$LAB_TMP/out.undo" || { cat "$LAB_TMP/out.undo"; fail "undo: made nothing to undo"; }
    [ ! -e "$LAB_TMP/state" ] || { ls -laR "$LAB_TMP/state"; fail "undo: the failed start left $LAB_TMP/state"; }
    if grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "$LAB_TMP/out.undo"; then
        grep -A20 -E "LeakSanitizer|AddressSanitizer|runtime error:" "$LAB_TMP/out.undo" | head -40
        fail "sanitizer report on the failed start (undo)"
    fi
    echo "result: privilege drop failed after the files were made: exit $rc, folder, lease file and event log removed"
fi
lab_down
