#!/bin/bash
# The privilege boundary (issue 21, items 1 and 2).
#  - Started as root (default user netbootd), as dist/netbootd.service
#    starts it without root (setpriv: its User=, capabilities, umask), and with
#    `user: root`: the hook runs with no capability in any set and with no
#    descriptor but stdio, though netbootd itself inherited one; the daemon
#    keeps CAP_NET_ADMIN only, with no_new_privs set.
#  - The state files, while root: a lease file replaced by a symbolic link
#    is refused (the link's target untouched), a lease folder owned by
#    another user is refused with the fix and not chowned, a missing one is
#    created 0750 for the service user; an event log that is a link too.
. "$(dirname "$0")/../lib/prologue.sh"
id netbootd >/dev/null 2>&1 || { echo "no user netbootd (scripts/install-deps creates it)"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv (util-linux) missing"; exit 77; }
lab_up pv
BIN=$(netbootd_bin)
NBUID=$(id -u netbootd)
chmod 755 "$LAB_TMP"                    # the hook, running as netbootd, writes below it
PROFILE="$LAB_TMP/lab.yaml"
cp tests/fixtures/profiles/lab.yaml "$PROFILE"; chmod 644 "$PROFILE"
ROOT="$LAB_TMP/tftproot"; mkdir -p "$ROOT"
OUT="$LAB_TMP/hookout"; mkdir -m 1777 "$OUT"
HOOK="$LAB_TMP/hook.sh"
cat > "$HOOK" <<HOOKEOF
#!/bin/sh
# What this hook was given: identity, capabilities, descriptors.
# ls is a plain child: it holds what the hook got, plus its own listing.
f="$OUT/\$NETBOOTD_EVENT.\$\$"
grep -E '^(Uid|Cap[A-Za-z]+|NoNewPrivs):' /proc/\$\$/status > "\$f.tmp"
ls -l /proc/self/fd >> "\$f.tmp"
mv "\$f.tmp" "\$f"
HOOKEOF
chmod 755 "$HOOK"
# A descriptor netbootd inherits and must not pass on.
INHERITED="$LAB_TMP/inherited-fd"
exec 7>>"$INHERITED"

status_field() { awk -v k="$2:" '$1 == k { print $2 }' "$1"; }

# check_run NAME WANT_UID LOG: one DHCP exchange -> one hook run; judge it and
# the daemon ($NB_PID), then stop the daemon.
check_run() {
    local name="$1" want_uid="$2" log="$3" f k v
    wait_log "$log" "netbootd ready" 15 || { cat "$log"; fail "$name: did not start"; }
    rm -f "$OUT"/*
    ip netns exec "$LAB_CLI" timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 \
        --mac 52:54:00:aa:cc:01 > /dev/null || { cat "$log"; fail "$name: no DHCP answer"; }
    wait_for 10 "ls '$OUT'/discover.* >/dev/null 2>&1" || { cat "$log"; fail "$name: hook did not run"; }
    f=$(ls "$OUT"/discover.* | head -1)
    echo "$name: hook saw: $(grep -v -- '->' "$f" | tr '\n' ' ') fds $(awk '$10 == "->" { printf "%s ", $9 }' "$f")"
    [ "$(status_field "$f" Uid)" = "$want_uid" ] || fail "$name: hook ran as uid $(status_field "$f" Uid)"
    for k in CapInh CapPrm CapEff CapAmb; do
        v=$(status_field "$f" $k)
        [ "$v" = 0000000000000000 ] || fail "$name: hook has $k=$v"
    done
    [ "$(status_field "$f" NoNewPrivs)" = 1 ] || fail "$name: hook without no_new_privs"
    # stdio, and ls's own listing of /proc/self/fd; nothing else.
    extra=$(awk '$10 == "->" && $9 > 2 && $11 !~ "^/proc/[0-9]+/fd$" { print $9, $11 }' "$f")
    [ -z "$extra" ] || fail "$name: hook got descriptors: $(echo $extra)"
    [ "$(awk '$10 == "->"' "$f" | wc -l)" -ge 3 ] || fail "$name: no descriptor listing"
    local st=/proc/$NB_PID/status
    [ "$(status_field $st CapEff)" = 0000000000001000 ] || fail "$name: daemon CapEff=$(status_field $st CapEff)"
    [ "$(status_field $st CapInh)" = 0000000000000000 ] || fail "$name: daemon CapInh=$(status_field $st CapInh)"
    [ "$(status_field $st CapAmb)" = 0000000000000000 ] || fail "$name: daemon CapAmb=$(status_field $st CapAmb)"
    [ "$(status_field $st NoNewPrivs)" = 1 ] || fail "$name: daemon without no_new_privs"
    if ls -l /proc/$NB_PID/fd | grep -q "$INHERITED"; then fail "$name: daemon kept the inherited descriptor"; fi
    echo "result: $name: hook uid $want_uid, no capabilities, no extra descriptors;" \
        "daemon CapEff=$(status_field $st CapEff) CapBnd=$(status_field $st CapBnd) NoNewPrivs=1"
    kill -TERM "$NB_PID"; wait_for 10 "! kill -0 $NB_PID 2>/dev/null" || fail "$name: no stop"
}

ARGS=(--profile "$PROFILE" --set interfaces=[srv0] --set tftp.root="$ROOT"
      --set leases.on-event="$HOOK" --log-level debug)

# 1. Root start, no user: in the profile: runs as netbootd; the lease folder
#    it creates is netbootd's, 0750.
LOG="$LAB_TMP/root.log"
NB_PID=$(lab_bg "$LAB_SRV" "$LOG" "$BIN" "${ARGS[@]}" --set leases.file="$LAB_TMP/st1/leases")
check_run "root start" "$NBUID" "$LOG"
[ "$(stat -c '%U %a' "$LAB_TMP/st1")" = "netbootd 750" ] || fail "lease folder is $(stat -c '%U %a' "$LAB_TMP/st1")"
[ -f "$LAB_TMP/st1/leases" ] && [ ! -L "$LAB_TMP/st1/leases" ] &&
    [ "$(stat -c %U "$LAB_TMP/st1/leases")" = netbootd ] || fail "lease file: $(ls -l "$LAB_TMP/st1")"
echo "result: missing lease folder created: $(stat -c '%U %a' "$LAB_TMP/st1")"

# 2. As dist/netbootd.service starts it: its User=, AmbientCapabilities=,
#    CapabilityBoundingSet=, NoNewPrivileges= and UMask=, read from the unit.
unit_key() { sed -n "s/^$1=//p" dist/netbootd.service; }
unit_caps() { unit_key "$1" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g'; }
AMB=$(unit_caps AmbientCapabilities); BND=$(unit_caps CapabilityBoundingSet)
[ "$(unit_key User)" = netbootd ] && [ "$(unit_key NoNewPrivileges)" = yes ] && [ -n "$AMB" ] ||
    fail "dist/netbootd.service: User=$(unit_key User) NoNewPrivileges=$(unit_key NoNewPrivileges) caps '$AMB'"
mkdir -p "$LAB_TMP/st2"; chown netbootd: "$LAB_TMP/st2"
LOG="$LAB_TMP/ambient.log"
NB_PID=$(lab_bg "$LAB_SRV" "$LOG" setpriv --reuid netbootd --regid netbootd --clear-groups \
    --no-new-privs --bounding-set "-all,$BND" --inh-caps "$AMB" --ambient-caps "$AMB" \
    sh -c 'umask "$0"; exec "$@"' "$(unit_key UMask)" \
    "$BIN" "${ARGS[@]}" --set leases.file="$LAB_TMP/st2/leases/leases")
check_run "unit start ($AMB)" "$NBUID" "$LOG"

# 3. user: root stays root; its hooks still get no capability.
LOG="$LAB_TMP/asroot.log"
NB_PID=$(lab_bg "$LAB_SRV" "$LOG" "$BIN" "${ARGS[@]}" --set leases.file="$LAB_TMP/st3/leases" --set user=root)
wait_log "$LOG" "netbootd ready" 15 || { cat "$LOG"; fail "user root: did not start"; }
rm -f "$OUT"/*
ip netns exec "$LAB_CLI" timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 \
    --mac 52:54:00:aa:cc:02 > /dev/null || fail "user root: no DHCP answer"
wait_for 10 "ls '$OUT'/discover.* >/dev/null 2>&1" || { cat "$LOG"; fail "user root: hook did not run"; }
f=$(ls "$OUT"/discover.* | head -1)
echo "user root: hook saw: $(grep -v -- '->' "$f" | tr '\n' ' ')"
[ "$(status_field "$f" Uid)" = 0 ] || fail "user root: hook ran as uid $(status_field "$f" Uid)"
for k in CapInh CapPrm CapEff CapAmb; do
    [ "$(status_field "$f" $k)" = 0000000000000000 ] || fail "user root: hook has $k=$(status_field "$f" $k)"
done
grep -q "running as root" "$LOG" || fail "user root: no warning"
echo "result: user root: hook uid 0 with no capabilities"
# An event log named by SIGHUP is opened later, by the same rules: here a
# second name of a file of root's, which root must not append to.
VICTIM="$LAB_TMP/victim"; printf 'root:only\n' > "$VICTIM"; chmod 600 "$VICTIM"
mkdir "$LAB_TMP/evl"; ln "$VICTIM" "$LAB_TMP/evl/events"
sed -i "s|^leases: { file: /nonexistent/leases }|leases: { file: /nonexistent/leases, event-log: $LAB_TMP/evl/events }|" "$PROFILE"
kill -HUP "$NB_PID"
wait_log "$LOG" "SIGHUP: reloaded" 10 || { cat "$LOG"; fail "user root: no reload"; }
ip netns exec "$LAB_CLI" timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 \
    --mac 52:54:00:aa:cc:03 > /dev/null || fail "user root: no DHCP answer after SIGHUP"
wait_log "$LOG" "event-log: .*evl/events has 2 names" 10 || { cat "$LOG"; fail "user root: hard-linked event log not refused"; }
[ "$(cat "$VICTIM")" = "root:only" ] || fail "user root: the event log's other name was appended to"
rm "$LAB_TMP/evl/events"; cp tests/fixtures/profiles/lab.yaml "$PROFILE"
echo "result: user root: event log named by SIGHUP as a hard link of root's file: refused"
kill -TERM "$NB_PID"; wait_for 10 "! kill -0 $NB_PID 2>/dev/null" || fail "user root: no stop"
exec 7>&-

# refused NAME 'message' ARGS...: the start fails with that message.
refused() {
    local name="$1" want="$2" out="$LAB_TMP/refused.log" rc; shift 2
    ip netns exec "$LAB_SRV" timeout 20 "$BIN" "${ARGS[@]}" "$@" > "$out" 2>&1
    rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { cat "$out"; fail "$name: started (exit $rc)"; }
    grep -q -- "$want" "$out" || { cat "$out"; fail "$name: no clear error ('$want')"; }
    echo "result: $name: refused, '$(grep -m1 -- "$want" "$out" | cut -c1-160)'"
}

# 4. The lease file replaced by a link to a file of root's: refused, the
#    target neither truncated nor appended to.
rm "$LAB_TMP/st1/leases"; ln -s "$VICTIM" "$LAB_TMP/st1/leases"; chown -h netbootd: "$LAB_TMP/st1/leases"
refused "lease file is a symlink" "is a symbolic link" --set leases.file="$LAB_TMP/st1/leases"
[ "$(cat "$VICTIM")" = "root:only" ] || fail "the link's target was changed: $(cat "$VICTIM")"
# The same through a hard link, where the kernel allows one.
rm "$LAB_TMP/st1/leases"
if ln "$VICTIM" "$LAB_TMP/st1/leases" 2>/dev/null; then
    refused "lease file is a hard link" "hard links" --set leases.file="$LAB_TMP/st1/leases"
    rm "$LAB_TMP/st1/leases"
fi
[ "$(cat "$VICTIM")" = "root:only" ] || fail "the hard link's file was changed"

# 5. A folder of someone else's: refused with the fix, never chowned.
mkdir -m 700 "$LAB_TMP/rootonly"
refused "folder of another user" "chown netbootd: $LAB_TMP/rootonly" \
    --set leases.file="$LAB_TMP/rootonly/leases"
[ "$(stat -c %U "$LAB_TMP/rootonly")" = root ] || fail "the folder was given away"
[ ! -e "$LAB_TMP/rootonly/leases" ] || fail "a lease file was created in root's folder"

# 6. The event log: same rules.
ln -s "$VICTIM" "$LAB_TMP/st1/events.json"
refused "event log is a symlink" "leases.event-log: .* is a symbolic link" \
    --set leases.file="$LAB_TMP/st1/leases" --set leases.event-log="$LAB_TMP/st1/events.json"
[ "$(cat "$VICTIM")" = "root:only" ] || fail "the event log link's target was changed"
exit 0
