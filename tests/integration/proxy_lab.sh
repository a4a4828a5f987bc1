#!/bin/bash
# netbootd next to an existing DHCP server (issue 23), with real components:
# dnsmasq gives the addresses (DHCP only, no boot options) from one
# namespace, netbootd runs boot-profiles/proxy.yaml from another, the
# clients sit in a third, all on one bridge (tests/lib/proxylab.sh).
#  - busybox udhcpc and ISC dhclient get their address from dnsmasq, and
#    not one datagram from netbootd (the client link is recorded and read)
#  - a PXE firmware's DISCOVER (60 PXEClient, 93, 97) gets dnsmasq's address
#    offer and netbootd's proxy offer (no address, the boot file, 60
#    PXEClient, 43, 97 echoed); after its REQUEST to dnsmasq, its request to
#    netbootd's port 4011 (from port 4011, as edk2 sends it) is answered,
#    and netbootd --leases lists it as proxied, with no lease
. "$(dirname "$0")/../lib/prologue.sh"
. tests/lib/proxylab.sh
proxylab_up pl
PROBE=tests/tools/dhcp_probe.py
WIRE="$LAB_TMP/cli0.pcap"
dnsmasq_start
NB_PROFILE="$PWD/boot-profiles/proxy.yaml" start_netbootd
lab_bg "$LAB_CLI" "$LAB_TMP/pcap.log" python3 tests/tools/pcap_live.py cli0 120 "$WIRE" >/dev/null
wait_for 5 "[ -s '$WIRE' ]" || fail "no capture on cli0"

# What netbootd sent to the client link so far, one line per datagram.
from_netbootd() { python3 tests/tools/pxe_wire.py "$WIRE" | grep -E " 192\.0\.2\.2:(67|4011) > " || true; }

# 1. udhcpc: an address from dnsmasq, nothing from netbootd.
UD_LOG="$LAB_TMP/udhcpc.log"
ud_pid=$(lab_bg "$LAB_CLI" "$UD_LOG" busybox udhcpc -i cli0 -f -R -t 5 -T 2 \
    -s "$PWD/tests/integration/udhcpc.script")
wait_log "$UD_LOG" "udhcpc-bound 192.0.2.1[0-9][0-9]" 20 || { cat "$UD_LOG"; fail "udhcpc got no lease"; }
ip_ud=$(sed -n 's/^udhcpc-bound \([0-9.]*\).*/\1/p' "$UD_LOG" | head -1)
grep -q "DHCPACK(dns0) $ip_ud " "$DM_LOG" || fail "udhcpc's $ip_ud not from dnsmasq"
kill -TERM "$ud_pid"
wait_log "$DM_LOG" "DHCPRELEASE\(dns0\) $ip_ud" 10 || fail "udhcpc's release did not reach dnsmasq"
inns ip addr flush dev cli0
echo "result: udhcpc bound $ip_ud from dnsmasq"

# 2. dhclient logs every offer it hears, and from whom.
printf 'send host-name "labhost";\n' > "$LAB_TMP/dhclient.conf"
inns timeout 30 dhclient -1 -v -cf "$LAB_TMP/dhclient.conf" -lf "$LAB_TMP/dhclient.leases" \
    -pf "$LAB_TMP/dhclient.pid" -sf "$PWD/tests/integration/dhclient.script" cli0 \
    > "$LAB_TMP/dh.log" 2>&1 || { cat "$LAB_TMP/dh.log"; fail "dhclient failed"; }
grep -q "DHCPACK of 192.0.2.1[0-9][0-9] from 192.0.2.1" "$LAB_TMP/dh.log" ||
    { cat "$LAB_TMP/dh.log"; fail "dhclient has no ACK from dnsmasq"; }
grep "from 192.0.2.2" "$LAB_TMP/dh.log" && fail "dhclient heard netbootd"
inns dhclient -r -cf "$LAB_TMP/dhclient.conf" -lf "$LAB_TMP/dhclient.leases" -pf "$LAB_TMP/dhclient.pid" \
    -sf "$PWD/tests/integration/dhclient.script" cli0 >/dev/null 2>&1 || true
inns ip addr flush dev cli0
echo "result: dhclient: $(grep -m1 "DHCPACK of" "$LAB_TMP/dh.log")"
sleep 1     # the last datagrams reach the capture
sent=$(from_netbootd)
[ -z "$sent" ] || fail "netbootd answered a client that does not PXE-boot: $sent"
grep -iwE "offer|ack|dhcpoffer|dhcpack|bootreply" "$NB_LOG" && fail "netbootd logs a reply to a plain client"
echo "result: netbootd sent nothing to udhcpc and dhclient"

# 3. A PXE firmware (x64 UEFI, as edk2 sends it) hears both servers.
MAC=52:54:00:aa:bb:23 UUID=00112233445566778899aabbccddeeff VCI=PXEClient:Arch:00007:UNDI:003000
out=$(inns timeout 15 "$PROBE" --iface cli0 --mac $MAC --arch 7 --vendor-class $VCI --uuid $UUID \
    --prl 1,3,43,60,66,67,97 --wait 5)
echo "$out"
addr=$(echo "$out" | sed -n 's/^reply from=192.0.2.1:67 type=2 yiaddr=\(192\.0\.2\.1[0-9][0-9]\) .*/\1/p' | head -1)
[ -n "$addr" ] || fail "no address offer from dnsmasq"
proxy=$(echo "$out" | grep "^reply from=192.0.2.2:67 type=2 ")
[ -n "$proxy" ] || fail "no proxy offer from netbootd"
echo "$proxy" | grep -q " yiaddr=0.0.0.0 siaddr=192.0.2.2 file=efi64/syslinux.efi " || fail "proxy offer fields: $proxy"
echo "$proxy" | grep -q " vci=PXEClient " || fail "proxy offer without option 60 PXEClient: $proxy"
echo "$proxy" | grep -q " opt43=" || fail "proxy offer without option 43: $proxy"
echo "$proxy" | grep -q " opt97=00$UUID" || fail "proxy offer does not echo option 97: $proxy"
echo "result: address offer $addr from dnsmasq, proxy offer from netbootd"

# It takes dnsmasq's address, then asks netbootd's boot server on 4011.
out=$(inns timeout 10 "$PROBE" --iface cli0 --mac $MAC --type 3 --requested "$addr" \
    --server-id 192.0.2.1 --arch 7 --vendor-class $VCI --uuid $UUID --wait 2)
echo "$out" | grep -q "^reply from=192.0.2.1:67 type=5 yiaddr=$addr " || fail "dnsmasq did not ACK: $out"
inns ip addr add "$addr/24" dev cli0
out=$(inns timeout 10 "$PROBE" --iface cli0 --mac $MAC --type 3 --server 192.0.2.2 --port 4011 \
    --bind "$addr" --sport 4011 --ciaddr "$addr" --arch 7 --vendor-class $VCI --uuid $UUID --wait 2)
echo "$out"
echo "$out" | grep -q "^reply from=192.0.2.2:4011 type=5 .*siaddr=192.0.2.2 file=efi64/syslinux.efi " ||
    fail "4011 request not answered with the boot file: $out"
echo "result: 4011 request answered: $out"
grep -q "$addr" "$LAB_TMP/dnsmasq.leases" || fail "dnsmasq holds no lease for $addr"
stop_netbootd

# netbootd leased nothing, and --leases shows the proxied client by MAC.
table=$("$(netbootd_bin)" --leases --profile boot-profiles/proxy.yaml --set tftp.root="$NB_ROOT" \
    --set leases.file="$NB_LEASES" 2>&1)
echo "$table"
echo "$table" | grep -E "^192\.0\.2\.[0-9]+ .*bound" && fail "netbootd leased an address"
echo "$table" | grep -qE "^$addr +$MAC .*proxy" || fail "--leases does not show $MAC as proxied"
cli_mac=$(inns cat /sys/class/net/cli0/address)
echo "$table" | grep -q "$cli_mac" && fail "udhcpc's and dhclient's $cli_mac recorded"
echo "result: --leases shows $MAC ($addr) as a proxied client, no lease"
