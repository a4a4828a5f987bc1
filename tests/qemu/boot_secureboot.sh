#!/bin/bash
# boot-profiles/secureboot.yaml: OVMF's Secure Boot build with Microsoft's keys
# enrolled PXE-boots Microsoft-signed shim from netbootd, shim verifies and
# starts Debian's signed network GRUB, GRUB has shim verify Debian's signed
# kernel, and the initramfs reports the SecureBoot EFI variable: the test
# passes only on a marker with secureboot=1 (and the kernel in lockdown),
# GRUB's config being rendered by netbootd for the machine.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] && [ -f /usr/share/OVMF/OVMF_VARS_4M.ms.fd ] ||
    { echo "ovmf without the Secure Boot build (OVMF_CODE_4M.secboot.fd, OVMF_VARS_4M.ms.fd)"; exit 77; }
good="$PWD/build/tftproot-secureboot"
scripts/make-boot-tree-secureboot "$good" || exit 1
# The same tree with grub.cfg as a template netbootd renders per client
# (what a fleet uses for per-machine GRUB configs: the signed GRUB asks for
# /grub/grub.cfg only, docs/secureboot.md).
tree=$(mktemp -d "$PWD/build/sb-boot.XXXXXX")
trap 'rm -rf "$tree"' EXIT
cp -a "$good/." "$tree/"
sed 's/^menuentry "\([^"]*\)"/menuentry "\1 for {{mac}} ({{class}})"/' "$good/grub/grub.cfg" > "$tree/grub/grub.cfg.tmpl"
rm "$tree/grub/grub.cfg"
grep -q '{{mac}}' "$tree/grub/grub.cfg.tmpl" || { echo "FAIL: no menuentry in grub.cfg"; exit 1; }
out=$(TREE="$tree" LAB_KEEP_LOGS="$tree/logs" PROFILE=boot-profiles/secureboot.yaml \
      scripts/lab-boot secureboot netbootd 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: no marker from the Secure Boot chain"; exit 1; }
marker=$(grep -m1 '^NETBOOTD-MARKER:' <<< "$out")
grep -q ' secureboot=1 ' <<< "$marker" || { echo "FAIL: booted, but not with Secure Boot on: $marker"; exit 1; }
grep -q ' lockdown=integrity ' <<< "$marker" || { echo "FAIL: Secure Boot on, but the kernel is not locked down: $marker"; exit 1; }
entry=$(grep -a -o "Booting \`[^']*'" "$tree/logs/console.log" | head -1)
grep -q 'for 52:54:00:00:0e:01 (secureboot)' <<< "$entry" ||
    { echo "FAIL: GRUB did not boot the entry rendered for this machine: ${entry:-none}"; exit 1; }
echo "result: shim -> GRUB -> Linux under Secure Boot (secureboot=1, lockdown=integrity; GRUB: $entry)"
