#!/bin/bash
# Full mode with `clients: pxe` (issue 23): netbootd leases only to PXE
# firmware and iPXE, and a BIOS VM (SeaBIOS + iPXE) still boots Linux to the
# marker with boot-profiles/pxe.yaml (scripts/lab-boot does the work).
# tests/integration/dhcp_proxy.sh shows dhclient getting nothing.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
exec scripts/lab-boot bios netbootd --set "subnets[0].clients=pxe"
