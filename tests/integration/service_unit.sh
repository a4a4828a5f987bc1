#!/bin/bash
# The service files in dist/ (cheap: no namespaces, no daemon run).
#  - dist/netbootd.service passes `systemd-analyze verify` with no output,
#    and `systemd-analyze security --offline=true` scores at most 2.0;
#    its AmbientCapabilities= and CapabilityBoundingSet= are the same set.
#  - `make install DESTDIR=... PREFIX=...` lays out the binary, the unit
#    (ExecStart= under that PREFIX), sysusers.d, tmpfiles.d, logrotate and
#    the example profile, which passes `netbootd --check`; a second install
#    keeps an edited profile; `make uninstall` removes all but the profile.
#  - The sysusers.d and tmpfiles.d entries applied to an empty root make the
#    user netbootd and its folders, owned by it, 0750.
# privileges.sh starts the daemon the way this unit does (setpriv).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/netns.sh
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing"; exit 77; }
MAX_SCORE=2.0
BIN=$(netbootd_bin)
[ -x "$BIN" ] || { echo "no netbootd binary (make)"; exit 77; }
T=$(mktemp -d /tmp/netbootd-unit.XXXXXX)
trap 'rm -rf --one-file-system "$T"' EXIT

# verify wants ExecStart= to exist: the unit as installed with this binary.
# --man=no here: the man pages it names are checked once installed, below.
sed "s|^ExecStart=/usr/sbin/netbootd|ExecStart=$PWD/${BIN#"$PWD"/}|" dist/netbootd.service > "$T/netbootd.service"
out=$(systemd-analyze verify --man=no "$T/netbootd.service" 2>&1) || fail "verify failed: $out"
[ -z "$out" ] || fail "verify is not clean: $out"
echo "result: systemd-analyze verify: clean"

score=$(systemd-analyze security --offline=true "$T/netbootd.service" 2>&1 |
        sed -n 's/.*Overall exposure level for netbootd.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no score from systemd-analyze security"
awk -v s="$score" -v m="$MAX_SCORE" 'BEGIN { exit !(s <= m) }' ||
    { systemd-analyze security --offline=true "$T/netbootd.service" | grep '✗'; fail "security score $score > $MAX_SCORE"; }
echo "measured: systemd-analyze security --offline=true: exposure $score (at most $MAX_SCORE)"

unit_caps() { sed -n "s/^$1=//p" dist/netbootd.service | tr ' ' '\n' | sort | paste -sd' '; }
amb=$(unit_caps AmbientCapabilities); bnd=$(unit_caps CapabilityBoundingSet)
[ "$amb" = "$bnd" ] || fail "AmbientCapabilities=$amb but CapabilityBoundingSet=$bnd"
[ "$amb" = "CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW" ] || fail "capabilities: $amb"
grep -qx 'Type=notify' dist/netbootd.service || fail "not Type=notify"
grep -qx 'User=netbootd' dist/netbootd.service || fail "not User=netbootd"
echo "result: unit capabilities: $amb (ambient = bounding)"

# make install / uninstall into a DESTDIR.
D="$T/dest"; P=/opt/nb
inst() { make -s --no-print-directory install DESTDIR="$D" PREFIX=$P > "$T/make.log" 2>&1 ||
             { cat "$T/make.log"; fail "make install failed"; }; }
inst
for f in $P/sbin/netbootd $P/lib/systemd/system/netbootd.service $P/lib/sysusers.d/netbootd.conf \
         $P/lib/tmpfiles.d/netbootd.conf /etc/logrotate.d/netbootd /etc/netbootd/netbootd.yaml; do
    [ -f "$D$f" ] || fail "make install: no $f"
done
[ -x "$D$P/sbin/netbootd" ] || fail "make install: $P/sbin/netbootd not executable"
men=0
for src in docs/man/*.scd; do
    [ -e "$src" ] || continue
    page=$(basename "$src" .scd)
    [ -s "$D$P/share/man/man${page##*.}/$page" ] || fail "make install: no man page $page"
    men=$((men + 1))
done
grep -qx "ExecStart=$P/sbin/netbootd --profile /etc/netbootd/netbootd.yaml" \
    "$D$P/lib/systemd/system/netbootd.service" || fail "installed unit: $(grep ExecStart "$D$P/lib/systemd/system/netbootd.service")"
# Documentation= names the man pages make install just installed.
if [ "$men" -gt 0 ] && command -v man >/dev/null; then
    out=$(MANPATH="$D$P/share/man" systemd-analyze verify "$T/netbootd.service" 2>&1) &&
        [ -z "$out" ] || fail "verify with the installed man pages: $out"
    echo "result: systemd-analyze verify: Documentation= man pages found"
fi
"$D$P/sbin/netbootd" --check --profile "$D/etc/netbootd/netbootd.yaml" > "$T/check.log" 2>&1 ||
    { cat "$T/check.log"; fail "the installed example profile fails --check"; }
echo "# edited" >> "$D/etc/netbootd/netbootd.yaml"
inst
tail -1 "$D/etc/netbootd/netbootd.yaml" | grep -qx '# edited' || fail "make install overwrote the profile"
make -s --no-print-directory uninstall DESTDIR="$D" PREFIX=$P > "$T/make.log" 2>&1 ||
    { cat "$T/make.log"; fail "make uninstall failed"; }
left=$(cd "$D" && find . -type f | sort | paste -sd' ')
[ "$left" = "./etc/netbootd/netbootd.yaml" ] || fail "after make uninstall: $left"
echo "result: make install PREFIX=$P: 6 files and $men man pages, ExecStart under PREFIX, example passes --check;" \
     "an edited profile kept; make uninstall leaves only the profile"

# sysusers.d + tmpfiles.d on an empty root.
if command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null && [ "$(id -u)" -eq 0 ]; then
    R="$T/root"; mkdir -p "$R/etc" "$R/usr/lib/sysusers.d" "$R/usr/lib/tmpfiles.d"
    cp dist/netbootd.sysusers "$R/usr/lib/sysusers.d/netbootd.conf"
    cp dist/netbootd.tmpfiles "$R/usr/lib/tmpfiles.d/netbootd.conf"
    systemd-sysusers --root="$R" netbootd.conf > "$T/su.log" 2>&1 || { cat "$T/su.log"; fail "systemd-sysusers"; }
    line=$(grep '^netbootd:' "$R/etc/passwd") || fail "sysusers: no user netbootd"
    uid=$(echo "$line" | cut -d: -f3)
    [ "$uid" -lt 1000 ] && [ "$(echo "$line" | cut -d: -f7)" = /usr/sbin/nologin ] || fail "sysusers: $line"
    grep -q '^netbootd:' "$R/etc/group" || fail "sysusers: no group netbootd"
    systemd-tmpfiles --root="$R" --create netbootd.conf > "$T/tf.log" 2>&1 || { cat "$T/tf.log"; fail "systemd-tmpfiles"; }
    for d in var/lib/netbootd run/netbootd var/log/netbootd; do
        [ "$(stat -c '%u %a' "$R/$d")" = "$uid 750" ] || fail "tmpfiles: /$d is $(stat -c '%u %a' "$R/$d")"
    done
    [ "$(stat -c '%u %a' "$R/srv/tftp")" = "0 755" ] || fail "tmpfiles: /srv/tftp is $(stat -c '%u %a' "$R/srv/tftp")"
    echo "result: sysusers.d: system user netbootd (uid $uid, nologin); tmpfiles.d: its 3 folders, 0750," \
         "and the example's TFTP root /srv/tftp, root's, 0755"
fi
exit 0
