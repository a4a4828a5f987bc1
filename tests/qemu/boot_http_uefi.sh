#!/bin/bash
# boot-profiles/ipxe.yaml, UEFI HTTP boot (issue 25): OVMF's own HTTP boot
# client (HttpBootDxe, the "UEFI HTTPv4" boot entry) asks with option 60
# HTTPClient and arch 16, is offered http://${server}/ipxe/ipxe.efi with 60
# "HTTPClient", fetches iPXE from netbootd's HTTP server, and iPXE boots the
# script, kernel and initramfs over HTTP to the marker. OVMF tries its PXE
# entry first: that class's file is made to be missing so PXE fails at once
# (a TFTP error) and the firmware moves on to HTTP boot.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
out=$(PROFILE=boot-profiles/ipxe.yaml scripts/lab-boot uefi netbootd \
    --set 'boot[2].filename=ipxe/pxe-off-for-this-test.efi')
rc=$?
echo "$out"
[ "$rc" = 0 ] || exit "$rc"
# The marker alone could come from PXE: check the HTTP boot path was taken.
echo "$out" | grep -q "arch=efi-x64-http class=uefi-http-to-ipxe file=http://192.0.2.1/ipxe/ipxe.efi" ||
    { echo "FAIL: no HTTP boot offer in the log"; exit 1; }
echo "$out" | grep -q "TFTP sent ipxe/ipxe.efi" && { echo "FAIL: iPXE came over TFTP"; exit 1; }
echo "result: OVMF HTTP boot -> iPXE -> Linux, all over HTTP"
exit 0
