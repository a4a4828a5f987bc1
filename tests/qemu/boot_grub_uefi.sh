#!/bin/bash
# boot-profiles/grub-efi.yaml: OVMF's PXE client loads GRUB (grub-mknetdir),
# which fetches its modules and grub.cfg over TFTP and boots Linux to the marker.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
[ -f build/tftproot/grub/x86_64-efi/core.efi ] || { echo "GRUB netboot tree missing"; exit 1; }
PROFILE=boot-profiles/grub-efi.yaml exec scripts/lab-boot uefi netbootd
