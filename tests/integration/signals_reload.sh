#!/bin/bash
# Process behaviour: SIGHUP reloads a good profile (a new class takes effect
# without a restart), refuses a bad one with file:line:column errors and keeps
# serving; SIGTERM stops cleanly with the lease file flushed; --check prints
# a summary or every error; after binding, netbootd drops root.
. "$(dirname "$0")/../lib/prologue.sh" sg
PROFILE="$LAB_TMP/profile.yaml"
chmod 755 "$LAB_TMP"    # the unprivileged daemon re-reads its profile on SIGHUP
cp tests/fixtures/profiles/lab.yaml "$PROFILE"
BIN=$(netbootd_bin)

# --check: summary and exit 0; a broken profile: every error, exit 1.
mkdir -p "$LAB_TMP/tftproot"
"$BIN" --check --profile "$PROFILE" --set tftp.root="$LAB_TMP/tftproot" > "$LAB_TMP/check.out" 2>&1 ||
    { cat "$LAB_TMP/check.out"; fail "--check failed on a good profile"; }
grep -q "boot classes (first match wins)" "$LAB_TMP/check.out" || fail "no summary"
printf 'interfaces: [srv0]\nsubnets:\n  - subnet: 192.0.2.0/24\n    range: 192.0.2.10-192.0.2.300\n    lease-tme: 5\n' > "$LAB_TMP/bad.yaml"
if "$BIN" --check --profile "$LAB_TMP/bad.yaml" > "$LAB_TMP/bad.out" 2>&1; then fail "--check accepted a bad profile"; fi
grep -q "bad.yaml:4:12: subnets\[0\].range: 192.0.2.300 is not an IPv4 address" "$LAB_TMP/bad.out" || { cat "$LAB_TMP/bad.out"; fail "range error missing"; }
grep -q "bad.yaml:5:5: subnets\[0\].lease-tme: unknown key (did you mean lease-time?)" "$LAB_TMP/bad.out" || fail "unknown key error missing"
echo "result: --check ok"

# Run as an unprivileged user (nobody), keeping only CAP_NET_ADMIN.
NB_ROOT="$LAB_TMP/tftproot"; NB_LEASES="$LAB_TMP/leases/leases"; NB_LOG="$LAB_TMP/nb.log"
mkdir -p "$NB_ROOT/efi64"; head -c 5000 /dev/urandom > "$NB_ROOT/efi64/syslinux.efi"; chmod -R a+rX "$NB_ROOT"
NB_PID=$(lab_bg "$LAB_SRV" "$NB_LOG" "$BIN" --profile "$PROFILE" --set interfaces=[srv0] \
    --set tftp.root="$NB_ROOT" --set leases.file="$NB_LEASES" --set user=nobody)
wait_log "$NB_LOG" "netbootd ready" 10 || { cat "$NB_LOG"; fail "did not start"; }
uid=$(awk '/^Uid:/ {print $2}' /proc/$NB_PID/status)
capeff=$(awk '/^CapEff:/ {print $2}' /proc/$NB_PID/status)
[ "$uid" = "$(id -u nobody)" ] || fail "still uid $uid"
[ "$capeff" = "0000000000001000" ] || fail "capabilities $capeff (want only CAP_NET_ADMIN)"
echo "result: running as nobody with CapEff=$capeff"
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:10 --arch 7)
echo "$out" | grep -q "file=efi64/syslinux.efi" || fail "not serving after privilege drop: $out"

# SIGHUP with a new class: takes effect at once.
cat >> "$PROFILE" <<'YAML'
YAML
sed -i 's/^boot:$/boot:\n  - { name: arm, match: { arch: [efi-arm64] }, filename: arm64\/grubaa64.efi }/' "$PROFILE"
kill -HUP "$NB_PID"
wait_log "$NB_LOG" "SIGHUP: reloaded" 10 || { cat "$NB_LOG"; fail "reload not logged"; }
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:11 --arch 11)
echo "$out" | grep -q "file=arm64/grubaa64.efi" || fail "reloaded class not used: $out"
echo "result: SIGHUP reload applied"

# SIGHUP with a broken profile: refused with positions, the old one stays.
echo "subnets: [{ subnet: 192.0.2.0/33 }]" >> "$PROFILE"
kill -HUP "$NB_PID"
wait_log "$NB_LOG" "refused .* the running profile stays in force" 10 || { cat "$NB_LOG"; fail "bad reload not refused"; }
grep -q "profile.yaml:[0-9]*:[0-9]*: " "$NB_LOG" || fail "no positioned error on reload"
out=$(inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --mac 52:54:00:aa:bb:12 --arch 0)
echo "$out" | grep -q "type=2" || fail "stopped serving after a bad reload"
echo "result: bad SIGHUP refused, still serving"

# SIGTERM: clean stop, leases flushed.
kill -TERM "$NB_PID"
wait_for 10 "! kill -0 $NB_PID 2>/dev/null" || fail "no stop on SIGTERM"
grep -q "netbootd stopped" "$NB_LOG" || fail "no clean stop line"
exit 0
