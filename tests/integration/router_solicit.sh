#!/bin/bash
# answer-router-solicitations: a router solicitation on a served interface
# gets an advertisement that offers nothing (router lifetime 0, no M/O, no
# prefix, our MAC), unicast to the host, with hop limit 255 - also after
# netbootd dropped root. A solicitation with another hop limit is ignored.
# Once a real router advertises on the link netbootd stops answering there
# (a forged advertisement - hop limit below 255, global source - does not count);
# it solicits once at start to find one. Without the key nothing answers.
. "$(dirname "$0")/../lib/prologue.sh" rs
chmod 755 "$LAB_TMP"        # the unprivileged daemon keeps its lease folder here
NB_USER=nobody              # every run: the lease folder is nobody's from the first one
# The client's own kernel solicits on link-up; keep it quiet so that every
# advertisement seen here answers the script's solicitation.
inns sysctl -qw net.ipv6.conf.cli0.router_solicitations=0
wait_for 10 "ip -n $LAB_CLI -6 addr show dev cli0 scope link | grep -q inet6 &&
             ! ip -n $LAB_CLI -6 addr show dev cli0 | grep -q tentative &&
             ! ip -n $LAB_SRV -6 addr show dev srv0 | grep -q tentative" ||
    fail "no usable IPv6 link-local addresses on the veth pair"
srv_mac=$(ip netns exec "$LAB_SRV" cat /sys/class/net/srv0/address | tr -d ':')
link_local() { ip -n "$1" -6 addr show dev "$2" scope link | awk '/inet6/ { sub("/.*", "", $2); print $2; exit }'; }
cli_ll=$(link_local "$LAB_CLI" cli0)
solicit() { inns timeout 10 /usr/bin/python3 tests/tools/router_solicit.py --iface cli0 solicit "$@"; }
# netbootd noticed the client acting as a router and no longer answers; stops it.
expect_quiet_next_to_router() {     # WHAT (for the failure messages)
    wait_log "$NB_LOG" "IPv6: router $cli_ll advertises on srv0: no longer answering" 5 ||
        { cat "$NB_LOG"; fail "$1 went unnoticed"; }
    local out
    out=$(solicit --wait 1.5)
    [ "$out" = "no ra" ] || fail "still answering after $1: $out"
    stop_netbootd
}

# Off by default.
start_netbootd
out=$(solicit --wait 1.5)
[ "$out" = "no ra" ] || fail "an advertisement without answer-router-solicitations: $out"
grep -q "answering router solicitations" "$NB_LOG" && fail "answering although not configured"
stop_netbootd
echo "result: off by default"

# On, running as nobody.
start_netbootd --set answer-router-solicitations=true --set user=nobody
grep -q "IPv6: answering router solicitations on srv0" "$NB_LOG" || { cat "$NB_LOG"; fail "no start line"; }
[ "$(awk '/^Uid:/ {print $2}' /proc/$NB_PID/status)" = "$(id -u nobody)" ] || fail "did not drop root"
out=$(solicit --wait 2)
echo "$out"
want="to $cli_ll hops=255 lifetime=0 flags=0 options=1:$srv_mac"
[ "$(grep -c '^ra from fe80::' <<< "$out")" = 1 ] || fail "want one advertisement from a link-local address: $out"
grep -qF "$want" <<< "$out" || fail "want '$want'"
wait_log "$NB_LOG" "answered the router solicitation of $cli_ll on srv0" 5 || fail "answer not logged"
echo "result: solicitation answered by the empty advertisement, unicast, hop limit 255, after dropping root"

out=$(solicit --hop-limit 64 --wait 1.5)
[ "$out" = "no ra" ] || fail "answered a solicitation with hop limit 64: $out"
wait_log "$NB_LOG" "ignored a router solicitation from $cli_ll on srv0: hop limit is not 255" 5 ||
    fail "routed solicitation not logged"
echo "result: a solicitation with hop limit 64 ignored"

# Forged advertisements (RFC 4861 6.1.2): routed here (hop limit 64), or
# from a global address. Neither may switch the feature off.
advertise() { inns timeout 10 /usr/bin/python3 tests/tools/router_solicit.py --iface cli0 advertise "$@" >/dev/null ||
    fail "could not send a router advertisement $*"; }
advertise --hop-limit 64
wait_log "$NB_LOG" "ignored a router advertisement from $cli_ll on srv0: hop limit is not 255" 5 ||
    fail "advertisement with hop limit 64 not logged as ignored"
inns ip -6 addr add 2001:db8::2/64 dev cli0 nodad
advertise --source 2001:db8::2
wait_log "$NB_LOG" "ignored a router advertisement from 2001:db8::2 on srv0: source is not a link-local" 5 ||
    fail "advertisement from a global address not logged as ignored"
grep -q "advertises on srv0: no longer answering" "$NB_LOG" && fail "a forged advertisement silenced us"
out=$(solicit --wait 2)
grep -qF "$want" <<< "$out" || fail "no answer after forged advertisements: $out"
inns ip -6 addr del 2001:db8::2/64 dev cli0
echo "result: forged advertisements (hop limit 64, global source) ignored"

advertise
expect_quiet_next_to_router "the other router's advertisement"
echo "result: quiet once another router advertises"

# A router already on the link answers the solicitation netbootd sends at
# start: quiet from the first second, before any client asks.
inns timeout 15 /usr/bin/python3 tests/tools/router_solicit.py --iface cli0 respond --wait 12 \
    > "$LAB_TMP/router.out" 2>&1 &
router=$!
lab_track "$router"
sleep 0.5
srv_ll=$(link_local "$LAB_SRV" srv0)
start_netbootd --set answer-router-solicitations=true
wait_log "$LAB_TMP/router.out" "answered $srv_ll" 10 || { cat "$LAB_TMP/router.out"; fail "netbootd did not solicit at start"; }
expect_quiet_next_to_router "the router's answer to the startup solicitation"
echo "result: a router found by netbootd's own solicitation at start keeps it quiet"
