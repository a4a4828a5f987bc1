#!/bin/bash
# boot-profiles/ipxe.yaml: a BIOS VM ends up in iPXE (its ROM, or ipxe.efi
# handed to edk2's PXE client), gets the script instead of iPXE again, and
# boots Linux to the marker.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
PROFILE=boot-profiles/ipxe.yaml exec scripts/lab-boot bios netbootd
