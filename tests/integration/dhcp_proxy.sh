#!/bin/bash
# proxyDHCP and `clients:` (issue 23), against the running daemon:
#  - proxy mode: a PXE firmware's DISCOVER (60 PXEClient, 93, 97) gets a
#    proxy OFFER: yiaddr 0, siaddr, the boot file, 60 "PXEClient", 43 with
#    PXE_DISCOVERY_CONTROL = 8, 97 echoed; a DISCOVER without PXEClient gets
#    nothing; the pool stays empty (no lease written)
#  - a REQUEST to 192.0.2.1:4011 (as edk2 sends it, from port 4011, and as
#    iPXE does, from port 68 with option 54) is answered from port 4011 with
#    the boot file, to where it came from
#  - the hook sees discover, offer, proxy-ack with NETBOOTD_MODE=proxy and
#    the address the client reports
#  - full mode with clients: pxe: dhclient gets nothing, a PXE probe an
#    address (and no option 60); a client taking another server's offer
#    on the link makes one (rate-limited) warning naming that server
. "$(dirname "$0")/../lib/prologue.sh" px
PROBE=tests/tools/dhcp_probe.py
HOOK="$LAB_TMP/hook.sh"
EVENTS="$LAB_TMP/events"
cat > "$HOOK" <<HOOKEOF
#!/bin/sh
echo "\$NETBOOTD_EVENT \$NETBOOTD_MODE \$NETBOOTD_MAC \${NETBOOTD_IP:--} \$NETBOOTD_CLASS \${NETBOOTD_FILE:-}" >> "$EVENTS"
HOOKEOF
chmod +x "$HOOK"
cat > "$LAB_TMP/proxy.yaml" <<'YAML'
interfaces: [srv0]
subnets:
  - subnet: 192.0.2.0/24
    mode: proxy
boot:
  - name: ipxe
    match: { user-class: [iPXE] }
    filename: boot.ipxe
  - name: bios
    match: { arch: [bios] }
    filename: bios/pxelinux.0
    pxelinux: { configfile: pxelinux.cfg/default, pathprefix: bios/ }
  - name: uefi64
    match: { arch: [efi-x64] }
    filename: efi64/syslinux.efi
tftp: { root: /nonexistent }
leases: { file: /nonexistent/leases }
YAML
NB_PROFILE="$LAB_TMP/proxy.yaml" start_netbootd --set leases.on-event="$HOOK"
wait_for 5 "ip netns exec $LAB_SRV ss -Hlun | grep -q ':4011 '" || fail "port 4011 not bound"
grep -q "proxyDHCP (port 4011) listening on srv0" "$NB_LOG" || fail "no 4011 listener logged"
MAC=$(inns cat /sys/class/net/cli0/address)
PXE="PXEClient:Arch:00000:UNDI:002001"
UUID=00112233445566778899aabbccddeeff

# 1. The PXE DISCOVER: a proxy OFFER.
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --mac "$MAC" --arch 0 \
    --vendor-class "$PXE" --uuid "$UUID" --prl 1,3,43,60,66,67 --wait 1.5) ||
    { tail "$NB_LOG"; fail "PXE DISCOVER not answered"; }
echo "result: proxy offer: $out"
echo "$out" | grep -q "from=192.0.2.1:67 type=2 yiaddr=0.0.0.0 siaddr=192.0.2.1 file=bios/pxelinux.0 " ||
    fail "proxy OFFER header: $out"
echo "$out" | grep -q "opts=53,54,60,43,97,209,210," || fail "proxy OFFER options: $out"
echo "$out" | grep -q " vci=PXEClient opt43=060108ff opt97=00$UUID" || fail "60/43/97: $out"
echo "$out" | grep -qE "opts=([0-9]+,)*(1|3|51)(,|$| )" && fail "network options in a proxy OFFER: $out"

# 2. Anyone else: silence.
if out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --mac 52:54:00:ee:00:01 \
        --wait 1.5); then
    fail "a DISCOVER without PXEClient was answered: $out"
fi
echo "result: no reply to a DISCOVER without PXEClient"
if out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --type 3 --mac "$MAC" \
        --vendor-class "$PXE" --server-id 192.0.2.254 --requested 192.0.2.77 --wait 1); then
    fail "the REQUEST to the address server was answered: $out"
fi

# 3. Port 4011, as edk2 asks (from 4011, ciaddr set) and as iPXE does (from 68, 54 set).
inns ip addr add 192.0.2.77/24 dev cli0
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --type 3 --mac "$MAC" --arch 7 \
    --vendor-class "PXEClient:Arch:00007:UNDI:003016" --uuid "$UUID" --server 192.0.2.1 \
    --port 4011 --bind 192.0.2.77 --sport 4011 --ciaddr 192.0.2.77 --wait 1.5) ||
    { tail "$NB_LOG"; fail "4011 REQUEST not answered"; }
echo "result: 4011 (edk2 style): $out"
echo "$out" | grep -q "from=192.0.2.1:4011 type=5 yiaddr=0.0.0.0 siaddr=192.0.2.1 file=efi64/syslinux.efi .*port=4011 vci=PXEClient opt43=060108ff" ||
    fail "4011 ACK: $out"
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --type 3 --mac "$MAC" \
    --vendor-class "PXEClient:Arch:00007:UNDI:003016" --user-class iPXE --server-id 192.0.2.1 \
    --server 192.0.2.1 --port 4011 --bind 192.0.2.77 --ciaddr 192.0.2.77 --wait 1.5) ||
    fail "4011 REQUEST from port 68 not answered"
echo "$out" | grep -q "from=192.0.2.1:4011 type=5 .*file=boot.ipxe .*port=68" || fail "iPXE 4011: $out"
echo "result: 4011 (iPXE style): $out"
if out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --type 3 --mac "$MAC" \
        --vendor-class "$PXE" --server-id 192.0.2.9 --server 192.0.2.1 --port 4011 \
        --bind 192.0.2.77 --ciaddr 192.0.2.77 --wait 1); then
    fail "a 4011 REQUEST for another server was answered: $out"
fi

# 4. Boot progress: a file fetched, the events, no lease.
inns timeout 20 tftp 192.0.2.1 -m binary -c get efi64/syslinux.efi "$LAB_TMP/got" || fail "tftp failed"
wait_for 10 "grep -q '^tftp-done ' '$EVENTS'" || { cat "$EVENTS"; fail "no tftp-done event"; }
cat "$EVENTS"
grep -q "^discover proxy $MAC - bios" "$EVENTS" || fail "no proxy discover event"
grep -q "^offer proxy $MAC - bios" "$EVENTS" || fail "no proxy offer event"
grep -q "^proxy-ack proxy $MAC 192.0.2.77 uefi64" "$EVENTS" || fail "no proxy-ack event with ciaddr"
grep -q "^tftp-done proxy $MAC 192.0.2.77 .*efi64/syslinux.efi" "$EVENTS" ||
    fail "tftp-done of the proxied client not marked proxy"
! grep -q "DHCPOFFER 192\|DHCPACK 192" "$NB_LOG" || fail "an address was handed out in proxy mode"
# The daemon saves the proxied clients' table on its 2-second timer.
leases_table() {
    "$(netbootd_bin)" --leases --profile "$LAB_TMP/proxy.yaml" --set tftp.root="$NB_ROOT" \
        --set leases.file="$NB_LEASES" > "$LAB_TMP/table" 2>&1 || fail "--leases failed"
    grep -q "192.0.2.77 *$MAC .* proxy *tftp-done efi64/syslinux.efi" "$LAB_TMP/table"
}
wait_for 6 leases_table || { cat "$LAB_TMP/table"; fail "the proxied client is not in --leases"; }
cat "$LAB_TMP/table"
grep -q "(no leases)" "$LAB_TMP/table" || fail "a lease was recorded in proxy mode"
# The running daemon tells the same (netbootd status --json), live.
"$(netbootd_bin)" status --json --control "$NB_CONTROL" > "$LAB_TMP/status.json" || fail "status failed"
python3 - "$LAB_TMP/status.json" "$MAC" <<'PY' || fail "status --json: the proxied client"
import json, sys
d = json.load(open(sys.argv[1]))
p = [x for x in d["proxied"] if x["mac"] == sys.argv[2]][0]
assert p["mode"] == "proxy" and p["ip"] == "192.0.2.77" and p["stage"] == "tftp-done", p
assert not d["leases"] and d["subnets"][0]["mode"] == "proxy" and d["hooks"]["enabled"], d
print("result: status --json: proxied %s %s %s, hook queue %d" % (p["mac"], p["ip"], p["stage"], d["hooks"]["queued"]))
PY
stop_netbootd

# 5. Full mode, clients: pxe.
inns ip addr flush dev cli0
: > "$EVENTS"
start_netbootd --set 'subnets[0].clients=pxe'
printf 'timeout 4;\nretry 1;\n' > "$LAB_TMP/dhclient.conf"
if inns timeout 15 dhclient -1 -v -cf "$LAB_TMP/dhclient.conf" -lf "$LAB_TMP/dhclient.leases" \
        -pf "$LAB_TMP/dhclient.pid" -sf "$PWD/tests/integration/dhclient.script" cli0 \
        > "$LAB_TMP/dh.log" 2>&1; then
    cat "$LAB_TMP/dh.log"; fail "dhclient got an address under clients: pxe"
fi
grep -q "DHCPOFFER of\|DHCPOFFER from" "$LAB_TMP/dh.log" && fail "dhclient was offered an address"
echo "result: dhclient under clients: pxe: $(grep -c DHCPDISCOVER "$LAB_TMP/dh.log") DISCOVERs, no OFFER"
out=$(inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --mac 52:54:00:ee:00:02 --arch 7 \
    --vendor-class "PXEClient:Arch:00007:UNDI:003016" --wait 1.5) || fail "PXE probe not answered"
echo "$out" | grep -q "type=2 yiaddr=192.0.2.1[0-9][0-9] .*file=efi64/syslinux.efi" || fail "full OFFER: $out"
echo "$out" | grep -q "vci=" && fail "option 60 in a full-mode OFFER: $out"
echo "result: PXE client under clients: pxe: $out"
# A client that took another server's offer: that server is named, once a minute.
for i in 1 2 3; do
    inns timeout 5 /usr/bin/python3 "$PROBE" --iface cli0 --type 3 --mac 52:54:00:ee:00:02 \
        --vendor-class "$PXE" --server-id 192.0.2.254 --requested 192.0.2.150 --wait 0.3 || true
done
wait_log "$NB_LOG" "another DHCP server \(192.0.2.254\) answers on srv0" 5 ||
    fail "no warning about the other DHCP server"
[ "$(grep -c "another DHCP server" "$NB_LOG")" -eq 1 ] || fail "other-server warning not rate-limited"
echo "result: $(grep -m1 "another DHCP server" "$NB_LOG" | cut -c1-150)"
stop_netbootd
grep -q "requests from clients a subnet does not serve" "$NB_LOG" || fail "policy drops not counted"
echo "result: $(grep "requests from clients a subnet does not serve" "$NB_LOG" | tail -1)"
