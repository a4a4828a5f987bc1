#!/bin/bash
# netbootd inside dist/netbootd.service's sandbox, without systemd: setpriv
# with the unit's User=, capabilities, NoNewPrivileges= and UMask=, then its
# SystemCallFilter=, RestrictAddressFamilies= and MemoryDenyWriteExecute= as
# a seccomp filter (tests/tools/unit_seccomp.py), on the release binary as
# the package ships it (the sanitizers' leak check needs ptrace, which the
# filter refuses). Its folders are made as StateDirectory= and
# RuntimeDirectory= make them. Checked: READY=1 on the notification socket
# with DHCP and TFTP answering at once, WATCHDOG=1, the control socket
# (`netbootd status` shows the lease), a SIGHUP reload, a hook that runs
# inside the same filter (it can write its folder, cannot open a netlink
# socket), no error in the log, and SIGTERM with STOPPING=1.
. "$(dirname "$0")/../lib/prologue.sh"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing"; exit 77; }
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || { echo "python3-seccomp missing"; exit 77; }
id netbootd >/dev/null 2>&1 || { echo "no user netbootd (scripts/install-deps creates it)"; exit 77; }
[ -x netbootd ] || { echo "no release build ./netbootd (make)"; exit 77; }
lab_up us
UNIT=dist/netbootd.service
BIN="$PWD/netbootd"
chmod 755 "$LAB_TMP"
ip -n "$LAB_CLI" addr add 192.0.2.50/24 dev cli0

unit_key() { sed -n "s/^$1=//p" "$UNIT"; }
CAPS=$(unit_key AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
# StateDirectory=, RuntimeDirectory=: the service user's, 0750.
STATE="$LAB_TMP/state"; RUN="$LAB_TMP/run"
mkdir -m 750 "$STATE" "$RUN"; chown "$(unit_key User):$(unit_key Group)" "$STATE" "$RUN"
ROOT="$LAB_TMP/tftproot"; mkdir -p "$ROOT/bios"; head -c 40000 /dev/urandom > "$ROOT/bios/pxelinux.0"
printf '#!ipxe\necho netbootd\n' > "$ROOT/boot.ipxe"; chmod -R a+rX "$ROOT"
PROFILE="$LAB_TMP/profile.yaml"; cp tests/fixtures/profiles/lab.yaml "$PROFILE"; chmod 644 "$PROFILE"
HOOK="$LAB_TMP/hook.sh"
cat > "$HOOK" <<HOOKEOF
#!/bin/sh
# Inside the sandbox: writes its folder; netlink is refused.
if ip link show lo >/dev/null 2>&1; then nl=allowed; else nl=refused; fi
echo "\$NETBOOTD_EVENT netlink=\$nl" >> "$STATE/hook.out"
HOOKEOF
chmod 755 "$HOOK"

SOCK="$LAB_TMP/notify.sock"; OUT="$LAB_TMP/notify.out"
LISTEN_PID=$(lab_bg "$LAB_CLI" "$OUT.log" /usr/bin/python3 tests/tools/notify_listen.py "$SOCK" "$OUT" \
    --seconds 60 --probe-iface cli0 --probe-mac 52:54:00:aa:dd:01 --probe-file boot.ipxe)
wait_log "$OUT" "listening" 5 || { cat "$OUT.log"; fail "listener did not start"; }

LOG="$LAB_TMP/netbootd.log"
export NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=2000000
NB_PID=$(lab_bg "$LAB_SRV" "$LOG" setpriv --reuid "$(unit_key User)" --regid "$(unit_key Group)" \
    --clear-groups --no-new-privs --bounding-set "-all,$CAPS" --inh-caps "$CAPS" --ambient-caps "$CAPS" \
    sh -c 'umask "$0"; exec "$@"' "$(unit_key UMask)" \
    /usr/bin/python3 tests/tools/unit_seccomp.py "$UNIT" -- \
    "$BIN" --profile "$PROFILE" --set interfaces=[srv0] --set tftp.root="$ROOT" \
    --set leases.file="$STATE/leases" --set leases.event-log="$STATE/events.json" \
    --set leases.on-event="$HOOK" --set control="$RUN/control" --set 'http={listen: [192.0.2.1:80]}')
unset NOTIFY_SOCKET WATCHDOG_USEC
# setpriv, sh and python exec in turn: the daemon keeps the PID.
wait_log "$OUT" "msg READY=1" 15 || { cat "$OUT" "$LOG"; fail "no READY=1 inside the sandbox"; }
wait_log "$OUT" "probe tftp" 5 && wait_log "$OUT" "probe dhcp" 5 || { cat "$OUT"; fail "probes did not finish"; }
grep -q "probe dhcp ok" "$OUT" && grep -q "probe tftp ok block=1" "$OUT" ||
    { cat "$OUT" "$LOG"; fail "DHCP or TFTP did not answer on READY=1"; }
echo "result: $(grep -m1 "^unit_seccomp:" "$LOG")"
echo "result: READY=1, then DHCP and TFTP answered at once, inside the unit's seccomp filter and capabilities"

# A lease, seen by netbootd status over the control socket.
inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:dd:02 > /dev/null ||
    { cat "$LOG"; fail "no DHCP answer"; }
[ "$(stat -c '%a %U' "$RUN/control")" = "660 netbootd" ] || fail "control socket: $(stat -c '%a %U:%G' "$RUN/control")"
"$BIN" status --control "$RUN/control" > "$LAB_TMP/status.txt" 2>&1 || { cat "$LAB_TMP/status.txt" "$LOG"; fail "status failed"; }
grep -q "52:54:00:aa:dd:02" "$LAB_TMP/status.txt" || { cat "$LAB_TMP/status.txt"; fail "status: no lease"; }
echo "result: netbootd status over $RUN/control (660 netbootd): the lease is there"

# HTTP on port 80 (CAP_NET_BIND_SERVICE), files sent with sendfile, in the filter.
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
inns curl -sS --max-time 10 -o "$LAB_TMP/got" http://192.0.2.1/bios/pxelinux.0 || { cat "$LOG"; fail "HTTP GET in the sandbox"; }
cmp -s "$LAB_TMP/got" "$ROOT/bios/pxelinux.0" || fail "HTTP GET in the sandbox: wrong body"
echo "result: HTTP GET on port 80 inside the unit's seccomp filter and capabilities"

kill -HUP "$NB_PID"
wait_log "$LOG" "SIGHUP: reloaded" 10 || { cat "$LOG"; fail "no reload"; }
wait_log "$STATE/hook.out" "offer" 10 || { cat "$LOG"; fail "the hook did not run"; }
grep -q "netlink=refused" "$STATE/hook.out" && ! grep -q "netlink=allowed" "$STATE/hook.out" ||
    fail "hook: $(cat "$STATE/hook.out")"
echo "result: SIGHUP reloaded; the hook ran in the filter (wrote $STATE, netlink refused)"
n_wd=$(grep -c "msg WATCHDOG=1" "$OUT")
[ "$n_wd" -ge 1 ] || { cat "$OUT"; fail "no WATCHDOG=1"; }

kill -TERM "$NB_PID"
wait_for 10 "! kill -0 $NB_PID 2>/dev/null" || fail "no stop on SIGTERM"
grep -q "msg STOPPING=1" "$OUT" || { cat "$OUT"; fail "no STOPPING=1"; }
kill -TERM "$LISTEN_PID" 2>/dev/null
if grep -E "error|Operation not permitted|Bad system call" "$LOG"; then fail "errors in the log above"; fi
echo "result: $n_wd WATCHDOG=1, STOPPING=1 on SIGTERM, no error logged"
exit 0
