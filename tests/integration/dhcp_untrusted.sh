#!/bin/bash
# What a local client must not make netbootd do with giaddr and ciaddr
# (issue 21 item 3), against the running daemon in a namespace lab:
#  - a broadcast DISCOVER with giaddr set (from port 68, or from 67) gets no
#    reply and takes nothing from the relay subnet's pool; nor does one
#    unicast to the server from port 68
#  - a relay (unicast to the server from port 67) is answered
#  - with `relays:` set, only a listed relay is answered
#  - INFORM gets no reply for a ciaddr outside its subnet or a broadcast one
#  - the drops are counted and logged, rate-limited
# and a plain BOOTP request (no options) is told siaddr (item 12).
. "$(dirname "$0")/../lib/prologue.sh" ut
NB_LOG_LEVEL=info
start_netbootd
PROBE=tests/tools/dhcp_probe.py
# none DESCRIPTION probe-args...: the probe must get no reply at all.
none() {
    local what="$1"; shift
    if inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --wait 1.5 --listen67 "$@" \
            > "$LAB_TMP/none.out"; then
        fail "$what was answered: $(cat "$LAB_TMP/none.out")"
    fi
    echo "result: no reply to $what"
}

# The client side can receive whatever a wrong reply would be sent to: the
# relay address, an address outside every subnet, and this link's broadcast.
inns ip addr add 192.0.2.2/24 dev cli0
inns ip addr add 198.51.100.1/24 dev cli0
inns ip addr add 198.51.100.254/24 dev cli0
inns ip addr add 198.18.0.5/15 dev cli0
ip -n "$LAB_SRV" route add 198.51.100.0/24 dev srv0
ip -n "$LAB_SRV" route add 198.18.0.0/15 dev srv0

# 1. giaddr from a client: broadcast from 68, broadcast from 67, unicast from 68.
none "a broadcast DISCOVER with giaddr (port 68)" --mac 52:54:00:cc:00:01 --giaddr 198.51.100.1
none "a broadcast DISCOVER with giaddr (port 67)" --mac 52:54:00:cc:00:02 --giaddr 198.51.100.1 \
    --sport 67
none "a unicast DISCOVER with giaddr from port 68" --mac 52:54:00:cc:00:03 --giaddr 198.51.100.1 \
    --server 192.0.2.1
none "a DISCOVER with giaddr = the relay subnet's broadcast" --mac 52:54:00:cc:00:04 \
    --giaddr 198.51.100.255 --sport 67 --server 192.0.2.1 --bind 198.51.100.1
! grep -q "DHCPOFFER 198.51.100" "$NB_LOG" || fail "the relay subnet's pool was drawn on"
grep -q "dropped: giaddr in a broadcast" "$NB_LOG" || fail "no log of the dropped broadcast"
grep -q "dropped: giaddr from a port other than 67" "$NB_LOG" || fail "no log of the port-68 giaddr"
grep -q "dropped: giaddr is a broadcast" "$NB_LOG" || fail "no log of the broadcast giaddr"

# 2. A relay: unicast to the server from port 67.
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --relay 198.51.100.1 --server 192.0.2.1 \
    --mac 52:54:00:cc:00:05) || fail "relayed DISCOVER not answered"
echo "$out" | grep -q "from=192.0.2.1:67 type=2 yiaddr=198.51.100.5[0-9]" || fail "relay answer: $out"
echo "result: relay answered: $out"

# 3. INFORM: only for a ciaddr inside its own subnet.
none "an INFORM with a ciaddr outside every subnet" --type 8 --mac 52:54:00:cc:00:06 \
    --ciaddr 198.18.0.5
none "an INFORM with the link's broadcast as ciaddr" --type 8 --mac 52:54:00:cc:00:07 \
    --ciaddr 192.0.2.255
none "an INFORM with the relay subnet's address from this link" --type 8 --mac 52:54:00:cc:00:08 \
    --ciaddr 198.51.100.1
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --type 8 --mac 52:54:00:cc:00:09 \
    --ciaddr 192.0.2.2 --wait 1.5) || fail "INFORM from 192.0.2.2 not answered"
echo "$out" | grep -q "type=5 yiaddr=0.0.0.0" || fail "INFORM answer: $out"
echo "result: INFORM inside the subnet answered"

# 4. A plain BOOTP request learns the boot server (item 12).
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --type 0 --mac 52:54:00:cc:00:0a \
    --wait 1.5) || fail "BOOTP request not answered"
echo "$out" | grep -q "type=0 yiaddr=192.0.2.1[0-9][0-9] siaddr=192.0.2.1 " || fail "BOOTP answer: $out"
echo "result: BOOTP: $out"

# 5. A flood of them: every one dropped and counted, few log lines.
before=$(grep -c "dropped: " "$NB_LOG")
none "200 broadcast DISCOVERs with giaddr" --mac 52:54:00:cc:00:0b --giaddr 198.51.100.1 --count 200
lines=$(( $(grep -c "dropped: " "$NB_LOG") - before ))
[ "$lines" -le 10 ] || fail "untrusted drops not rate-limited: $lines lines for 200"
echo "result: 200 untrusted DISCOVERs logged in $lines lines"
echo "result: e.g. $(grep -m1 "dropped: " "$NB_LOG" | cut -c1-160)"

stop_netbootd
count=$(sed -n 's/.*DHCP: \([0-9]*\) requests dropped for an untrusted giaddr or ciaddr.*/\1/p' "$NB_LOG")
[ "${count:-0}" -ge 207 ] || { tail -5 "$NB_LOG"; fail "drop count ${count:-none}, expected >= 207"; }
echo "result: $count untrusted requests counted"

# 6. relays: only the listed relay's giaddr is believed.
mv "$NB_LOG" "$LAB_TMP/first.log"
start_netbootd --set 'relays=[198.51.100.254]'
none "a relay not listed in relays" --relay 198.51.100.1 --server 192.0.2.1 --mac 52:54:00:cc:00:0c
grep -q "dropped: giaddr from a source not listed in relays" "$NB_LOG" || fail "no log of the unlisted relay"
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --relay 198.51.100.254 --server 192.0.2.1 \
    --mac 52:54:00:cc:00:0d) || fail "listed relay not answered"
echo "$out" | grep -q "type=2 yiaddr=198.51.100.5[0-9]" || fail "listed relay answer: $out"
echo "result: listed relay answered, unlisted one dropped"
stop_netbootd
exit 0
