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
lab_down
