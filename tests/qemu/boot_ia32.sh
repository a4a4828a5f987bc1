#!/bin/bash
# 32-bit x86 UEFI (option 93 = 6): OVMF's IA32 build (ovmf-ia32, q35 with SMM)
# PXE-boots GRUB for i386-efi from netbootd (boot-profiles/grub-efi.yaml,
# class grub-ia32), which boots Debian's 686 kernel to the marker (tree:
# scripts/make-boot-tree-ia32; VM: scripts/lab-boot ia32).
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-i386 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
[ -f /usr/share/OVMF/OVMF32_CODE_4M.secboot.fd ] || { echo "ovmf-ia32 not installed"; exit 77; }
[ -d /usr/lib/grub/i386-efi ] || { echo "grub-efi-ia32-bin not installed"; exit 77; }
scripts/make-boot-tree build/tftproot >/dev/null || exit 1
scripts/make-boot-tree-ia32 build/tftproot >/dev/null || exit 1
out=$(PROFILE=boot-profiles/grub-efi.yaml BOOT_TIMEOUT="${BOOT_TIMEOUT:-300}" scripts/lab-boot ia32 netbootd)
rc=$?
echo "$out"
[ "$rc" = 0 ] || exit 1
# The class netbootd chose, and what the booted kernel says of itself.
grep -q "arch=efi-ia32 class=grub-ia32" <<< "$out" || { echo "netbootd did not answer option 93 = 6 with class grub-ia32"; exit 1; }
grep -q "NETBOOTD-MARKER: booted arch=ia32 firmware=efi32" <<< "$out" || { echo "the marker is not from a 32-bit kernel on 32-bit UEFI"; exit 1; }
