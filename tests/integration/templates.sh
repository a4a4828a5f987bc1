#!/bin/bash
# Per-machine templates over TFTP (docs/templates.md):
#  - NAME.tmpl is served as NAME, rendered for the requesting client: two
#    clients with leases from netbootd get different files (facts from the
#    lease, hosts[].vars by MAC); ${...} passes through; {{{{ is a literal {{
#  - a rendered file of many blocks, windowed, lock-step and netascii
#  - a client without a lease gets its MAC from the neighbour table
#  - NAME itself, when present, wins over NAME.tmpl
#  - an undefined variable: TFTP ERROR "template error", a log line with
#    file:line:col, a tftp-failed event
#  - over HTTP the same: per-client renderings, 500 and the log line
#  - netbootd --check: the same template is an error with file:line:col
. "$(dirname "$0")/../lib/prologue.sh" tm
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
R="$LAB_TMP/tftproot"
mkdir -p "$R/pxelinux.cfg"
cat > "$R/pxelinux.cfg/default.tmpl" <<'T'
# {{{{literal}} and {{{{
DEFAULT linux
LABEL linux
  KERNEL vmlinuz
  APPEND initrd=initrd.img hostname={{hostname}} BOOTIF={{ mac_pxelinux }} ip={{ip}} role={{role}}
T
cat > "$R/boot.ipxe.tmpl" <<'T'
#!ipxe
echo not served: boot.ipxe itself is there
T
cat > "$R/node.ipxe.tmpl" <<'T'
#!ipxe
chain http://${next-server}/{{mac_plain}}/{{class}}-{{arch}}.ipxe?from={{server}}&mac={{mac_hyphen}}
T
printf 'ip {{ip}} mac {{mac}}\n' > "$R/who.txt.tmpl"
printf 'fine\nkernel {{ kernel_args }}\n' > "$R/bad.cfg.tmpl"
EVENTS="$LAB_TMP/events"
HOOK="$LAB_TMP/hook.sh"
printf '#!/bin/sh\necho "$NETBOOTD_EVENT $NETBOOTD_MAC $NETBOOTD_IP $NETBOOTD_FILE" >> %s\n' "$EVENTS" > "$HOOK"
chmod +x "$HOOK"
A=52:54:00:00:00:42     # hosts[0] of lab.yaml: 192.0.2.42, node42, class uefi64
B=52:54:00:ee:00:07
start_netbootd --set leases.on-event="$HOOK" --set 'hosts[0].vars={ role: worker }' \
    --set 'http={ listen: [192.0.2.1:8080] }' \
    --set "hosts[1]={ mac: \"$B\", hostname: nodeb, vars: { role: storage } }"

probe() { inns timeout 10 /usr/bin/python3 tests/tools/dhcp_probe.py --iface cli0 --wait 1 "$@"; }
lease() {   # MAC ARCH -> the address netbootd ACKed
    local ip
    ip=$(probe --mac "$1" --arch "$2" | sed -n 's/.* type=2 yiaddr=\([0-9.]*\) .*/\1/p' | head -1)
    [ -n "$ip" ] || fail "no OFFER for $1"
    probe --mac "$1" --arch "$2" --type 3 --requested "$ip" --server-id 192.0.2.1 |
        grep -q " type=5 " || fail "no ACK for $1"
    echo "$ip"
}
ip_a=$(lease $A 7)
ip_b=$(lease $B 0)
[ "$ip_a" = 192.0.2.42 ] || fail "$A got $ip_a, not its reserved 192.0.2.42"
echo "result: leases $A=$ip_a $B=$ip_b"
ip -n "$LAB_CLI" addr add "$ip_a/24" dev cli0
ip -n "$LAB_CLI" addr add "$ip_b/24" dev cli0
D="$LAB_TMP/dl"; mkdir -p "$D"
fetch() {   # SOURCE-ADDRESS FILE OUT: tftp-hpa from that address
    ip -n "$LAB_CLI" route replace 192.0.2.1/32 dev cli0 src "$1"
    inns timeout 20 tftp 192.0.2.1 -m binary -c get "$2" "$3" 2>&1
}
fetch "$ip_a" pxelinux.cfg/default "$D/a.cfg" >/dev/null
fetch "$ip_b" pxelinux.cfg/default "$D/b.cfg" >/dev/null
grep -qx "  APPEND initrd=initrd.img hostname=node42 BOOTIF=01-52-54-00-00-00-42 ip=$ip_a role=worker" \
    "$D/a.cfg" || { cat "$D/a.cfg"; fail "client A's pxelinux config"; }
grep -qx "  APPEND initrd=initrd.img hostname=nodeb BOOTIF=01-52-54-00-ee-00-07 ip=$ip_b role=storage" \
    "$D/b.cfg" || { cat "$D/b.cfg"; fail "client B's pxelinux config"; }
head -1 "$D/a.cfg" | grep -qx '# {{literal}} and {{' || fail "{{{{ escape not rendered"
cmp -s "$D/a.cfg" "$D/b.cfg" && fail "both clients got the same file"
echo "result: pxelinux.cfg/default.tmpl rendered differently for $A and $B (hosts[].vars used)"

fetch "$ip_a" node.ipxe "$D/a.ipxe" >/dev/null
fetch "$ip_b" node.ipxe "$D/b.ipxe" >/dev/null
grep -qxF 'chain http://${next-server}/525400000042/uefi64-efi-x64.ipxe?from=192.0.2.1&mac=52-54-00-00-00-42' \
    "$D/a.ipxe" || { cat "$D/a.ipxe"; fail "client A's iPXE script"; }
grep -qxF 'chain http://${next-server}/525400ee0007/bios-bios.ipxe?from=192.0.2.1&mac=52-54-00-ee-00-07' \
    "$D/b.ipxe" || { cat "$D/b.ipxe"; fail "client B's iPXE script"; }
grep -q "TFTP sent node.ipxe to $ip_b" "$NB_LOG" || fail "no transfer line for the rendered file"
echo "result: node.ipxe.tmpl: \${...} untouched, class, arch, mac spellings, server per client"

# tsize is the rendered size (curl asks for it).
inns timeout 20 curl -s --interface "$ip_a" -o "$D/a-curl.cfg" tftp://192.0.2.1/pxelinux.cfg/default ||
    fail "curl (tsize) failed"
cmp -s "$D/a-curl.cfg" "$D/a.cfg" || fail "curl got other bytes"
echo "result: tsize = rendered length (curl)"

# Many blocks from memory: windowed (atftp, UDP GSO runs) and netascii.
/usr/bin/python3 -c 'import sys; sys.stdout.write("".join("line %d {{mac_plain}} ${x}\n" % i for i in range(6000)))' \
    > "$R/big.cfg.tmpl"
sed 's/{{mac_plain}}/525400000042/' "$R/big.cfg.tmpl" > "$D/big.want"
ip -n "$LAB_CLI" route replace 192.0.2.1/32 dev cli0 src "$ip_a"
inns timeout 20 atftp --option "blksize 1468" --option "windowsize 16" -g -r big.cfg -l "$D/big.got" \
    192.0.2.1 >/dev/null 2>&1 || fail "atftp of a rendered file failed"
cmp -s "$D/big.got" "$D/big.want" || fail "rendered file, windowed: bytes differ"
grep -q "TFTP sent big.cfg to $ip_a: .* blksize 1468, window 16" "$NB_LOG" || fail "window 16 not used"
fetch "$ip_a" big.cfg "$D/big.hpa" >/dev/null
cmp -s "$D/big.hpa" "$D/big.want" || fail "rendered file, lock-step: bytes differ"
inns timeout 20 tftp 192.0.2.1 -m netascii -c get big.cfg "$D/big.ascii"
cmp -s "$D/big.ascii" "$D/big.want" || fail "rendered file, netascii: bytes differ"
echo "result: a rendered file of $(stat -c %s "$D/big.want") bytes: windowed, lock-step and netascii"

# No lease from us: the neighbour table's MAC.
cli_mac=$(ip -n "$LAB_CLI" -o link show cli0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
# Its ARP request for the server (from 192.0.2.2) is how the server learns it.
ip -n "$LAB_CLI" neigh flush dev cli0
fetch 192.0.2.2 who.txt "$D/who.txt" >/dev/null
grep -qx "ip 192.0.2.2 mac $cli_mac" "$D/who.txt" || { cat "$D/who.txt"; fail "lease-less client"; }
echo "result: a client without a lease: MAC from the neighbour table ($cli_mac)"

fetch "$ip_a" boot.ipxe "$D/boot.ipxe" >/dev/null
cmp -s "$D/boot.ipxe" "$R/boot.ipxe" || fail "boot.ipxe.tmpl served over boot.ipxe"
echo "result: NAME wins over NAME.tmpl"

# The same over HTTP: the address the request came from finds the client.
hget() { inns timeout 10 curl -s --interface "$1" -o "$3" -w '%{http_code}' "http://192.0.2.1:8080/$2"; }
[ "$(hget "$ip_a" node.ipxe "$D/a-http.ipxe")" = 200 ] || fail "HTTP node.ipxe for $A"
[ "$(hget "$ip_b" pxelinux.cfg/default "$D/b-http.cfg")" = 200 ] || fail "HTTP pxelinux.cfg/default for $B"
cmp -s "$D/a-http.ipxe" "$D/a.ipxe" || { cat "$D/a-http.ipxe"; fail "HTTP rendered other bytes than TFTP for $A"; }
cmp -s "$D/b-http.cfg" "$D/b.cfg" || { cat "$D/b-http.cfg"; fail "HTTP rendered other bytes than TFTP for $B"; }
[ "$(hget "$ip_a" bad.cfg "$D/bad-http")" = 500 ] || fail "HTTP: no 500 for an undefined variable"
wait_log "$NB_LOG" "HTTP bad.cfg to $ip_a: bad.cfg.tmpl:2:8: undefined variable kernel_args" 5 ||
    { tail -5 "$NB_LOG"; fail "HTTP: no log line with the template position"; }
[ "$(hget "$ip_a" nothing.cfg "$D/none-http")" = 404 ] || fail "HTTP: a missing file without template"
echo "result: HTTP: the same renderings per client, 500 and bad.cfg.tmpl:2:8 for the undefined variable"

out=$(fetch "$ip_a" bad.cfg "$D/bad.cfg")
echo "$out" | grep -q "template error" || fail "no TFTP ERROR for an undefined variable: $out"
wait_log "$NB_LOG" "TFTP bad.cfg to $ip_a:[0-9]+: bad.cfg.tmpl:2:8: undefined variable kernel_args" 5 ||
    { tail -5 "$NB_LOG"; fail "no log line with the template position"; }
wait_for 5 "grep -q '^tftp-failed $A $ip_a bad.cfg' '$EVENTS'" || { cat "$EVENTS"; fail "no tftp-failed event"; }
echo "result: undefined variable: TFTP ERROR, log line with bad.cfg.tmpl:2:8, tftp-failed event"
stop_netbootd

# --check: the same tree; the undefined variable is an error with its position.
check=$("$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$R" \
    --set 'hosts[0].vars={ role: worker }' 2>&1) && fail "--check passed a template with an undefined variable"
echo "$check" | grep -qF "$R/bad.cfg.tmpl:2:8: {{kernel_args}}: undefined variable" ||
    { echo "$check"; fail "--check: no error with file:line:col"; }
echo "$check" | grep -q "error" || true
check=$("$(netbootd_bin)" --check --profile tests/fixtures/profiles/lab.yaml --set tftp.root="$R" \
    --set 'hosts[0].vars={ role: worker, kernel_args: quiet }' \
    --set "hosts[1]={ mac: \"$B\", hostname: nodeb, vars: { role: storage } }" 2>&1) ||
    { echo "$check"; fail "--check refused templates whose variables are all defined"; }
echo "$check" | grep -qF "$R/bad.cfg.tmpl:2:8: warning: {{kernel_args}}: set in the vars of 1 of 2 hosts" ||
    { echo "$check"; fail "--check: no warning for a variable one host lacks"; }
echo "result: --check: undefined variable an error at bad.cfg.tmpl:2:8; one host lacking it a warning"
