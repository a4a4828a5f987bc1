#!/bin/bash
# ARM64 UEFI (option 93 = 11): AAVMF on QEMU's virt machine PXE-boots GRUB for
# arm64 from netbootd (boot-profiles/grub-efi.yaml, class grub-arm64), which
# fetches its modules and grub.cfg over TFTP and boots Debian's arm64 kernel
# to the marker (tree: scripts/make-boot-tree-arm64; VM: scripts/lab-boot arm64).
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-aarch64 >/dev/null || { echo "qemu-system-arm not installed"; exit 77; }
[ -f /usr/share/AAVMF/AAVMF_CODE.fd ] || { echo "qemu-efi-aarch64 (AAVMF) not installed"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
scripts/make-boot-tree-arm64 build/tftproot >/dev/null || exit 1
out=$(PROFILE=boot-profiles/grub-efi.yaml BOOT_TIMEOUT="${BOOT_TIMEOUT:-300}" scripts/lab-boot arm64 netbootd)
rc=$?
echo "$out"
[ "$rc" = 0 ] || exit 1
# The class netbootd chose, and what the booted kernel says of itself.
grep -q "arch=efi-arm64 class=grub-arm64" <<< "$out" || { echo "netbootd did not answer option 93 = 11 with class grub-arm64"; exit 1; }
grep -q "NETBOOTD-MARKER: booted arch=arm64 firmware=efi64" <<< "$out" || { echo "the marker is not from a 64-bit UEFI arm64 kernel"; exit 1; }
