#!/bin/bash
# scripts/pxe-timeline on a capture made here: a DHCP exchange, an edk2-style
# size probe (RRQ, OACK, ERROR 8) and a 3-block transfer, written once as
# plain Ethernet frames (tcpdump, e1000) and once behind a 10-byte vnet header
# (QEMU's filter-dump on virtio-net). Both must give the same timeline.
set -u
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/netbootd-pxetl.XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 tests/tools/pxe_capture.py "$work" || exit 1

fail=0
for name in plain vnet; do
    out=$(scripts/pxe-timeline "$work/$name.pcap" 2>&1)
    for want in "0.000  DHCPDISCOVER" "0.004  DHCPOFFER 192.0.2.100" "3.504  DHCPACK 192.0.2.100" \
                "3.700  TFTP RRQ boot.efi (blksize 1000)" "3.700  TFTP boot.efi: 2 KiB in 0.40 s" \
                "measured: network phase 4.10 s, transfers 0.40 s (1 file, 2 KiB), client 3.70 s"; do
        grep -qF -- "$want" <<< "$out" || { echo "FAIL $name: no line '$want' in:"; echo "$out"; fail=1; }
    done
done
# Given the VM's start, when the first DHCP packet and the last TFTP datagram came.
want="measured: from the VM's start: first DHCP packet 0.50 s, last TFTP datagram 4.60 s"
grep -qF -- "$want" <<< "$(scripts/pxe-timeline "$work/plain.pcap" 999.5)" ||
    { echo "FAIL: no line '$want'"; fail=1; }
[ "$fail" = 0 ] && echo "result: pxe-timeline reads plain and vnet-header captures alike"
exit "$fail"
