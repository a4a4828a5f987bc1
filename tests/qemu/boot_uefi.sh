#!/bin/bash
# A UEFI QEMU VM PXE-boots from netbootd (boot-profiles/pxe.yaml) to the
# marker printed by the booted Linux (scripts/lab-boot does the work).
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
scripts/make-boot-tree build/tftproot || exit 1
exec scripts/lab-boot uefi netbootd
