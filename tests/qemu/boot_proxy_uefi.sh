#!/bin/bash
# netbootd in proxy mode (boot-profiles/proxy.yaml) next to dnsmasq, which
# gives the address: OVMF's own PXE client -> efi64/syslinux.efi
# boots Linux to the marker (scripts/proxy-boot does the work).
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
command -v dnsmasq >/dev/null || { echo "dnsmasq not installed (scripts/install-deps check)"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
exec scripts/proxy-boot uefi netbootd
