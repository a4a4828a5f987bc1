#!/bin/bash
# netbootd --check looks at the machine, not only at the profile: in a
# namespace with an interface whose address is outside the subnets, one
# without an address and one that does not exist, a profile and a boot file
# the service user cannot read, a hook it cannot run, a lease folder it
# cannot write, an event log it cannot reopen, a class that can never match
# and a missing boot file, --check
# prints one warning for each with file:line:col, in file order, and exits
# 0; --strict exits 1. The same checks on a profile whose machine is right
# print nothing, and --strict exits 0.
. "$(dirname "$0")/../lib/prologue.sh" cm
id netbootd >/dev/null 2>&1 || { echo "no netbootd user (scripts/install-deps creates it)"; exit 77; }
BIN="$(netbootd_bin)"
chmod 0755 "$LAB_TMP"       # the service user must reach what is inside
# Two more links (veth pairs: the dummy driver may be missing).
ip -n "$LAB_SRV" link add dummy0 type veth peer name dummy0p
ip -n "$LAB_SRV" link add dummy1 type veth peer name dummy1p
ip -n "$LAB_SRV" addr add 198.51.100.1/24 dev dummy0

T="$LAB_TMP"
mkdir -p "$T/root/bios" "$T/root/locked" "$T/bad" "$T/good"
touch "$T/root/bios/pxelinux.0" "$T/root/locked/boot.efi"
chmod 0700 "$T/root/locked"
printf '#!/bin/sh\nexit 0\n' > "$T/bad/hook.sh"; chmod 0744 "$T/bad/hook.sh"     # root's, not executable by others
cp "$T/bad/hook.sh" "$T/good/hook.sh"; chmod 0755 "$T/good/hook.sh"
mkdir "$T/bad/state"; chown netbootd: "$T/bad/state"; chmod 0550 "$T/bad/state"   # its own, but read-only
mkdir "$T/bad/log"; touch "$T/bad/log/events"; chmod 0644 "$T/bad/log/events"   # root's 0644
mkdir "$T/good/log"; touch "$T/good/log/events"; chown netbootd: "$T/good/log/events"

cat > "$T/bad.yaml" <<YAML
interfaces: [srv0, dummy0, dummy1, nosuch0]
subnets:
  - subnet: 192.0.2.0/24
    range: 192.0.2.100-192.0.2.199
boot:
  - name: locked
    match: { arch: efi-ia32 }
    filename: locked/boot.efi
  - name: any
    filename: bios/pxelinux.0
  - name: uefi
    match: { arch: efi-x64 }
    filename: efi64/syslinux.efi
tftp: { root: $T/root }
leases:
  file: $T/bad/state/leases
  on-event: $T/bad/hook.sh
  event-log: $T/bad/log/events
user: netbootd
YAML
sed -e 's/\[srv0, dummy0, dummy1, nosuch0\]/[srv0]/' -e 's#/bad/hook.sh#/good/hook.sh#' \
    -e 's#/bad/state/#/good/state/#' -e 's#/bad/log/#/good/log/#' "$T/bad.yaml" |
    sed -e '6,8d' -e '11,13d' > "$T/good.yaml"
chmod 0600 "$T/bad.yaml"        # SIGHUP reloads would fail

check() { ip netns exec "$LAB_SRV" "$BIN" --check "$@" > "$T/out" 2> "$T/err"; }

check --profile "$T/bad.yaml"; rc=$?
cat "$T/err"
[ "$rc" -eq 0 ] || fail "--check exited $rc on warnings only"
expect() {  # expect LINE:COL 'text': one warning at that position saying that
    grep -q "^$T/bad.yaml:$1: warning: .*$2" "$T/err" || fail "no warning at $1 saying '$2'"
}
expect 1:20 "interfaces\[1\]: interface dummy0 has no IPv4 address inside a subnet of the profile (it has 198.51.100.1/24)"
expect 1:28 "interfaces\[2\]: interface dummy1 has no IPv4 address"
expect 1:36 "interfaces\[3\]: interface nosuch0 does not exist"
expect 8:15 "boot\[0\].filename: netbootd cannot reach locked/boot.efi: folder $T/root/locked/ (mode 0700"
expect 12:12 "boot\[2\].match: class 'uefi' can never match: boot\[1\] 'any' (line 9) before it matches every client"
expect 13:15 "boot\[2\].filename: efi64/syslinux.efi does not exist under the TFTP root"
expect 16:9 "leases.file: netbootd cannot write in folder $T/bad/state (mode 0550)"
expect 17:13 "leases.on-event: netbootd cannot run $T/bad/hook.sh: a script needs read and execute permission (mode 0744"
expect 18:14 "leases.event-log: netbootd cannot write $T/bad/log/events (mode 0644, owner uid 0)"
# The profile itself has no position: its warning comes first.
head -1 "$T/err" | grep -q "^$T/bad.yaml: warning: netbootd cannot read the profile (mode 0600" ||
    fail "no warning (first) about the profile netbootd cannot read"
n=$(grep -c ': warning: ' "$T/err")
[ "$n" -eq 10 ] || fail "expected 10 warnings, got $n"
# File order: line, then column, never decreasing.
grep -o "^$T/bad.yaml:[0-9]*:[0-9]*" "$T/err" | awk -F: '{ print $2 * 1000 + $3 }' > "$T/pos"
sort -n -c "$T/pos" || fail "warnings are not in file order"
grep -q "^interfaces" "$T/out" || grep -q "srv0" "$T/out" || fail "no summary on stdout"
echo "result: --check: $n warnings in file order, exit 0"

check --strict --profile "$T/bad.yaml"; rc=$?
[ "$rc" -eq 1 ] || { cat "$T/err"; fail "--check --strict exited $rc with 10 warnings"; }
grep -q "10 warnings, and --strict: profile refused" "$T/err" || { cat "$T/err"; fail "--strict said nothing"; }
echo "result: --check --strict: exit 1, '$(tail -1 "$T/err")'"

# The same profile with the machine put right: not a word, even with --strict.
check --strict --profile "$T/good.yaml"; rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || { cat "$T/good.yaml" "$T/err"; fail "--check --strict on a right machine: exit $rc"; }
echo "result: a right machine: no warning, --strict exit 0"
# A lease folder that does not exist yet is fine (netbootd creates it) ...
[ ! -e "$T/good/state" ] || fail "--check created $T/good/state"
# ... unless its parent is missing too.
check --profile "$T/good.yaml" --set leases.file="$T/nothere/state/leases"
grep -q "warning: leases.file: folder $T/nothere/state does not exist, and netbootd cannot create it" "$T/err" ||
    { cat "$T/err"; fail "no warning for a lease folder without a parent"; }
echo "result: a missing lease folder is fine, one without a parent is a warning"
lab_down
