#!/bin/bash
# Asking the running daemon over its control socket: `netbootd status` and
# `status --json` show a lease with its boot progress, a statically
# addressed client seen by TFTP and a transfer in flight; `--leases --json`
# gives the same clients from the files; `netbootd reload` takes a good
# profile and refuses a broken one with file:line:col (the old one stays);
# a user who may not ask is refused (by the socket's mode, and by
# SO_PEERCRED when the mode is opened up); an oversized request, idle
# clients and one over the limit are cut off and the daemon keeps serving.
. "$(dirname "$0")/../lib/prologue.sh" st
BIN=$(netbootd_bin)
chmod 755 "$LAB_TMP"        # other users reach the socket's folder (the socket's mode decides)
NB_PROFILE="$LAB_TMP/profile.yaml"
cp tests/fixtures/profiles/lab.yaml "$NB_PROFILE"
start_netbootd
wait_for 5 "[ -S '$NB_CONTROL' ]" || { cat "$NB_LOG"; fail "no control socket"; }
mode=$(stat -c '%a %U:%G' "$NB_CONTROL")
[ "$mode" = "660 root:root" ] || fail "control socket is $mode (want 660 root:root, user: root)"
echo "result: control socket $NB_CONTROL, $mode"

# A client with an address of its own (not from us) fetches a file.
inns ip addr add 192.0.2.250/24 dev cli0
inns timeout 20 busybox tftp -g -r bios/pxelinux.0 -l /dev/null 192.0.2.1 || fail "static client: TFTP failed"
inns ip addr del 192.0.2.250/24 dev cli0
mac_cli=$(inns cat /sys/class/net/cli0/address)
# A lease, then a slow transfer from the leased address, held open.
UD_LOG="$LAB_TMP/udhcpc.log"
ud_pid=$(lab_bg "$LAB_CLI" "$UD_LOG" busybox udhcpc -i cli0 -f -t 5 -T 2 \
    -s "$PWD/tests/integration/udhcpc.script")
wait_log "$UD_LOG" "udhcpc-bound 192.0.2.1[0-9][0-9]" 20 || { cat "$UD_LOG"; fail "udhcpc got no lease"; }
ip_lease=$(sed -n 's/^udhcpc-bound \([0-9.]*\).*/\1/p' "$UD_LOG" | head -1)
HOLD_LOG="$LAB_TMP/hold.log"
lab_bg "$LAB_CLI" "$HOLD_LOG" /usr/bin/python3 tests/tools/tftp_hold.py --file efi64/syslinux.efi \
    --count 1 --blocks 3 --hold 20 > /dev/null
wait_log "$HOLD_LOG" "held 1" 10 || { cat "$HOLD_LOG"; fail "no transfer held"; }

"$BIN" status --control "$NB_CONTROL" > "$LAB_TMP/status.txt" 2>&1 || { cat "$LAB_TMP/status.txt"; fail "status failed"; }
cat "$LAB_TMP/status.txt"
grep -q "^netbootd .*, pid $NB_PID, up " "$LAB_TMP/status.txt" || fail "status: no uptime line"
grep -q "^profile $NB_PROFILE, loaded " "$LAB_TMP/status.txt" || fail "status: no profile line"
grep -Eq "^192.0.2.0/24 +full +100 +1 +99$" "$LAB_TMP/status.txt" || fail "status: pool 100/1/99 missing"
grep -Eq "^$ip_lease +$mac_cli .* bound " "$LAB_TMP/status.txt" || fail "status: the lease is missing"
grep -Eq "^192.0.2.250 +$mac_cli .* static +tftp-done bios/pxelinux.0" "$LAB_TMP/status.txt" ||
    fail "status: the static client is missing"
grep -Eq "^$ip_lease:[0-9]+ +efi64/syslinux.efi +[0-9]+ / 200000 " "$LAB_TMP/status.txt" ||
    fail "status: the transfer in flight is missing"
grep -q "^hooks: none" "$LAB_TMP/status.txt" || fail "status: no hooks line"
echo "result: status shows pool, lease, static client, transfer in flight"

# Same through --profile (the path from the profile's control:), and as JSON.
"$BIN" status --json --profile "$NB_PROFILE" --set control="$NB_CONTROL" --set tftp.root="$NB_ROOT" > "$LAB_TMP/status.json" ||
    fail "status --json failed"
python3 -m json.tool "$LAB_TMP/status.json" > /dev/null || fail "status --json is not JSON"
python3 - "$LAB_TMP/status.json" "$ip_lease" "$NB_PID" <<'PY' || fail "status --json fields"
import json, sys
d = json.load(open(sys.argv[1])); ip = sys.argv[2]
assert d["pid"] == int(sys.argv[3]) and d["uptime"] >= 0, d
assert d["profile"]["loaded"] <= d["now"]
s = [x for x in d["subnets"] if x["subnet"] == "192.0.2.0/24"][0]
assert (s["size"], s["used"], s["free"]) == (100, 1, 99), s
l = [x for x in d["leases"] if x["ip"] == ip][0]
assert l["state"] == "bound" and l["mode"] == "lease" and l["expires_in"] > 0, l
st = [x for x in d["static"] if x["ip"] == "192.0.2.250"][0]
assert st["stage"] == "tftp-done" and st["stage_file"] == "bios/pxelinux.0", st
t = [x for x in d["transfers"] if x["client"] == ip][0]
assert t["file"] == "efi64/syslinux.efi" and t["size"] == 200000 and t["bytes"] > 0 and t["rate"] >= 0, t
assert d["hooks"]["enabled"] is False and isinstance(d["errors"], list)
print("result: status --json: lease %s, static %s, transfer %d/%d bytes" % (ip, st["ip"], t["bytes"], t["size"]))
PY
# --leases --json: the same clients from the lease file (fields as in status --json).
"$BIN" --leases --json --profile "$NB_PROFILE" --set leases.file="$NB_LEASES" --set tftp.root="$NB_ROOT" > "$LAB_TMP/leases.json" ||
    fail "--leases --json failed"
python3 - "$LAB_TMP/leases.json" "$LAB_TMP/status.json" "$ip_lease" <<'PY' || fail "--leases --json"
import json, sys
f = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
a = [x for x in f["leases"] if x["ip"] == sys.argv[3]][0]
b = [x for x in d["leases"] if x["ip"] == sys.argv[3]][0]
assert sorted(a) == sorted(b), (sorted(a), sorted(b))
for k in ("ip", "mac", "state", "expires", "class", "arch"):
    assert a[k] == b[k], (k, a[k], b[k])
print("result: --leases --json matches status --json for", sys.argv[3])
PY

# reload: a good profile is taken, a broken one refused with positions.
loaded0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile"]["loaded"])' "$LAB_TMP/status.json")
sleep 1.1
sed -i 's/^boot:$/boot:\n  - { name: arm, match: { arch: [efi-arm64] }, filename: arm64\/grubaa64.efi }/' "$NB_PROFILE"
out=$("$BIN" reload --control "$NB_CONTROL" 2>&1) || fail "reload of a good profile failed: $out"
echo "$out" | grep -q "reloaded $NB_PROFILE" || fail "reload: '$out'"
loaded1=$("$BIN" status --json --control "$NB_CONTROL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["profile"]["loaded"])')
[ "$loaded1" -gt "$loaded0" ] || fail "reload: load time $loaded0 -> $loaded1"
echo "result: reload taken: '$out'"
cp "$NB_PROFILE" "$LAB_TMP/good.yaml"
sed -i 's/^boot:$/boot:\n  - { name: bad, match: { arch: [bios] }, filenam: x }/' "$NB_PROFILE"
if out=$("$BIN" reload --control "$NB_CONTROL" 2>&1); then fail "a broken profile was taken: $out"; fi
echo "$out"
echo "$out" | grep -Eq "^$NB_PROFILE:19:[0-9]+: boot\[0\]\.filenam: unknown key" || fail "reload: no file:line:col error"
echo "$out" | grep -q "refused; the running profile stays in force" || fail "reload: no verdict"
loaded2=$("$BIN" status --json --control "$NB_CONTROL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["profile"]["loaded"])')
[ "$loaded2" = "$loaded1" ] || fail "a refused reload changed the load time"
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:11 --arch 11)
echo "$out" | grep -q "file=arm64/grubaa64.efi" || fail "the good profile is not in force after a refused reload: $out"
"$BIN" status --control "$NB_CONTROL" | grep -A3 "^last errors" | grep -q "profile.yaml:[0-9]*:[0-9]*:" ||
    fail "status: the reload's error is not among the last errors"
echo "result: broken reload refused with positions; old profile in force; error in status"

# Who may ask: nobody is kept out by the mode; with the mode opened up,
# SO_PEERCRED still refuses; a member of the socket's group may ask.
by_mode=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN" status --control "$NB_CONTROL" 2>&1) &&
    fail "nobody was answered: $by_mode"
echo "$by_mode" | grep -q "Permission denied" || fail "nobody: '$by_mode'"
chmod 666 "$NB_CONTROL"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN" status --control "$NB_CONTROL" 2>&1) &&
    fail "nobody was answered through a 0666 socket: $out"
[ "$out" = "netbootd: permission denied" ] || fail "nobody through 0666: '$out'"
wait_log "$NB_LOG" "control socket: uid $(id -u nobody) may not ask: refused" 5 || fail "no refusal logged"
chmod 660 "$NB_CONTROL"
setpriv --reuid=nobody --regid=nogroup --groups=0 "$BIN" status --control "$NB_CONTROL" > /dev/null ||
    fail "a member of the socket's group was refused"
echo "result: nobody refused by the mode ('$by_mode') and by SO_PEERCRED ('$out'); group member answered"

# Oversized request, idle clients, one over the limit: cut off, still serving.
out=$(python3 tests/tools/ctl_probe.py "$NB_CONTROL" oversized)
[ "$out" = "ERR request too long" ] || fail "oversized request: '$out'"
out=$(python3 tests/tools/ctl_probe.py "$NB_CONTROL" idle 9)
echo "idle clients: $out"
echo "$out" | grep -Eq "^closed 9 of 9 after [4-7]\.[0-9] s \(first after 0\.[0-9] s\)" || fail "idle clients: '$out'"
grep -q "control socket: 8 clients already: one refused" "$NB_LOG" || fail "over the limit: not logged"
out=$(python3 tests/tools/ctl_probe.py "$NB_CONTROL" noread)
[ "$out" = "closed" ] || fail "a client that never reads its answer was not cut off"
grep -q "control socket: a client took longer than 5000 ms: cut off" "$NB_LOG" || fail "cut off: not logged"
"$BIN" status --control "$NB_CONTROL" > /dev/null || fail "status after the misbehaving clients"
inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:12 --arch 0 |
    grep -q "type=2" || fail "DHCP stopped after the misbehaving clients"
echo "result: oversized refused, 9 idle clients closed, a non-reader cut off, status and DHCP still answer"

stop_netbootd
[ ! -e "$NB_CONTROL" ] || fail "the control socket outlived the daemon"
out=$("$BIN" status --control "$NB_CONTROL" 2>&1) && fail "status with no daemon succeeded"
echo "$out" | grep -q "is netbootd running?" || fail "no daemon: '$out'"
echo "result: socket removed at stop; status without a daemon: '$out'"

# A daemon killed with SIGKILL leaves its socket; the next start replaces it.
cp "$LAB_TMP/good.yaml" "$NB_PROFILE"
start_netbootd
wait_for 5 "[ -S '$NB_CONTROL' ]" || fail "no control socket after a restart"
kill -KILL "$NB_PID"; wait "$NB_PID" 2>/dev/null
[ -S "$NB_CONTROL" ] || fail "SIGKILL: no stale socket left to test with"
start_netbootd
"$BIN" status --control "$NB_CONTROL" | grep -q "pid $NB_PID," || fail "the stale socket was not replaced"
grep -q "control socket" "$NB_LOG" && { grep "control socket" "$NB_LOG"; fail "an error about the stale socket"; }
stop_netbootd
echo "result: a stale socket after SIGKILL is replaced at the next start"

# A socket someone still answers on is left alone: the daemon runs without one.
HELD="$LAB_TMP/held"
lab_bg "$LAB_SRV" "$LAB_TMP/held.log" /usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4); time.sleep(30)' "$HELD" > /dev/null
wait_for 5 "[ -S '$HELD' ]" || fail "no listener at $HELD"
start_netbootd --set control="$HELD"
grep -q "control socket $HELD: another netbootd answers there; running without one" "$NB_LOG" ||
    { cat "$NB_LOG"; fail "a live socket: no clear error"; }
[ -S "$HELD" ] && ip netns exec "$LAB_SRV" ss -Hlx | grep -q "$HELD" || fail "the live socket was taken over"
stop_netbootd
[ -S "$HELD" ] || fail "the daemon removed a socket that was not its own"
echo "result: a socket another process answers on is left alone; the daemon serves without one"
exit 0
