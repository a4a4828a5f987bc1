#!/bin/bash
# netbootd in proxy mode (boot-profiles/proxy.yaml) next to dnsmasq, which
# gives the address: OVMF's own PXE client loads GRUB and GRUB boots Linux to
# the marker (scripts/proxy-boot does the work). The core.efi is built with a
# prefix naming netbootd, (tftp,192.0.2.2)/grub: grub-mknetdir's own asks the
# address server for its modules and cannot boot behind any proxyDHCP server
# (docs/proxy.md; `scripts/proxy-boot grub` shows it, not run by make check).
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
command -v dnsmasq >/dev/null || { echo "dnsmasq not installed (scripts/install-deps check)"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
exec scripts/proxy-boot grub-prefix netbootd
