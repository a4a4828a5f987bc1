#!/bin/bash
# netbootd in proxy mode (boot-profiles/proxy.yaml) next to dnsmasq, which
# gives the address: OVMF's own PXE client loads iPXE (ipxe.efi), iPXE runs
# grub/grub.ipxe, which points GRUB at netbootd, and grub-mknetdir's own
# core.efi boots Linux to the marker (scripts/proxy-boot does the work).
# Loaded by the firmware directly, that core.efi asks the address server for
# its modules and never boots behind a proxyDHCP server (docs/proxy.md;
# `scripts/proxy-boot grub` shows it, not run by make check).
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
command -v dnsmasq >/dev/null || { echo "dnsmasq not installed (scripts/install-deps check)"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
[ -f build/tftproot/grub/grub.ipxe ] || { echo "GRUB netboot tree missing"; exit 1; }
exec scripts/proxy-boot grub-chain netbootd
