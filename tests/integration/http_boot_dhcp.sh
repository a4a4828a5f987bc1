#!/bin/bash
# UEFI HTTP boot, the DHCP side (issue 25), against the running daemon:
#  - full mode: edk2's HTTP boot DISCOVER (60 HTTPClient:Arch:00016, 93 =
#    16) gets an OFFER with an address, 60 "HTTPClient" and the class's
#    URL with ${server} filled in (in `file` and in 67), and the ACK to its
#    REQUEST the same
#  - a PXE firmware's DISCOVER on the same link still gets no option 60
#    (edk2's PXE driver would take it for a proxy offer: PXE-E16)
#  - proxy mode: the HTTP client gets a proxy OFFER (yiaddr 0) with 60
#    "HTTPClient", the URL and no 43; a PXE client still gets PXEClient + 43
#  - --check reports a malformed URL at its line and column
. "$(dirname "$0")/../lib/prologue.sh" hb
PROBE=tests/tools/dhcp_probe.py
HTTP="HTTPClient:Arch:00016:UNDI:003001"
PXE="PXEClient:Arch:00007:UNDI:003016"
PRL=1,3,6,15,28,43,54,60,66,67
write_profile() {   # $1 = full or proxy
    local mode="range: 192.0.2.100-192.0.2.199"
    [ "$1" = proxy ] && mode="mode: proxy"
    cat > "$LAB_TMP/$1.yaml" <<YAML
interfaces: [srv0]
subnets:
  - subnet: 192.0.2.0/24
    $mode
boot:
  - name: uefi-http
    match: { arch: [efi-x64-http], vendor-class: [HTTPClient] }
    filename: http://\${server}/efi64/grubx64.efi
  - name: uefi64
    match: { arch: [efi-x64] }
    filename: efi64/syslinux.efi
tftp: { root: /nonexistent }
leases: { file: /nonexistent/leases }
YAML
}
probe() { inns timeout 10 /usr/bin/python3 "$PROBE" --iface cli0 --prl "$PRL" --wait 1.5 "$@"; }
URL=http://192.0.2.1/efi64/grubx64.efi

# 1. Full mode.
write_profile full
NB_PROFILE="$LAB_TMP/full.yaml" start_netbootd
out=$(probe --mac 52:54:00:48:00:01 --arch 16 --vendor-class "$HTTP") ||
    { tail "$NB_LOG"; fail "HTTP boot DISCOVER not answered"; }
echo "result: full-mode offer to an HTTP client: $out"
echo "$out" | grep -q "type=2 yiaddr=192.0.2.1[0-9][0-9] siaddr=192.0.2.1 file=$URL " ||
    fail "OFFER header: $out"
echo "$out" | grep -q "opts=53,54,60," || fail "60 not right after 53, 54: $out"
echo "$out" | grep -q " vci=HTTPClient opt67=$URL$" || fail "60/67: $out"
ip=$(echo "$out" | sed -n 's/.* yiaddr=\([0-9.]*\) .*/\1/p')
out=$(probe --type 3 --mac 52:54:00:48:00:01 --arch 16 --vendor-class "$HTTP" \
    --server-id 192.0.2.1 --requested "$ip") || fail "REQUEST not answered"
echo "$out" | grep -q "type=5 yiaddr=$ip siaddr=192.0.2.1 file=$URL .* vci=HTTPClient opt67=$URL$" ||
    fail "ACK: $out"
grep -q "DHCPACK $ip to 52:54:00:48:00:01 arch=efi-x64-http class=uefi-http file=$URL via srv0" \
    "$NB_LOG" || fail "ACK log line"
out=$(probe --mac 52:54:00:48:00:02 --arch 7 --vendor-class "$PXE") || fail "PXE DISCOVER"
echo "result: full-mode offer to a PXE client: $out"
echo "$out" | grep -q "type=2 yiaddr=192.0.2.1[0-9][0-9] siaddr=192.0.2.1 file=efi64/syslinux.efi " ||
    fail "PXE OFFER header: $out"
echo "$out" | grep -q "vci=" && fail "option 60 in a full-mode OFFER to a PXE client: $out"
stop_netbootd

# 2. Proxy mode.
write_profile proxy
NB_PROFILE="$LAB_TMP/proxy.yaml" start_netbootd
out=$(probe --mac 52:54:00:48:00:03 --arch 16 --vendor-class "$HTTP") ||
    { tail "$NB_LOG"; fail "proxy: HTTP boot DISCOVER not answered"; }
echo "result: proxy offer to an HTTP client: $out"
echo "$out" | grep -q "type=2 yiaddr=0.0.0.0 siaddr=192.0.2.1 file=$URL opts=53,54,60," ||
    fail "proxy OFFER: $out"
echo "$out" | grep -q " vci=HTTPClient opt67=$URL$" || fail "proxy 60/67: $out"
echo "$out" | grep -q "opt43=" && fail "43 in an HTTP proxy offer: $out"
out=$(probe --mac 52:54:00:48:00:04 --arch 7 --vendor-class "$PXE") || fail "proxy: PXE DISCOVER"
echo "$out" | grep -q "file=efi64/syslinux.efi .* vci=PXEClient opt43=060108ff" ||
    fail "proxy offer to a PXE client: $out"
stop_netbootd

# 3. --check: the column of the problem.
printf 'interfaces: [srv0]\nsubnets: [{ subnet: 192.0.2.0/24 }]\nboot:\n  - filename: http://${server}/efi64/\n' \
    > "$LAB_TMP/bad.yaml"
if msg=$("$(netbootd_bin)" --check --profile "$LAB_TMP/bad.yaml" 2>&1); then
    fail "--check accepted a URL ending in /"
fi
echo "$msg" | grep -q "bad.yaml:4:37: boot\[0\].filename: the path ends in '/': it must name a file" ||
    fail "--check message: $msg"
echo "result: --check: $(echo "$msg" | grep filename)"

