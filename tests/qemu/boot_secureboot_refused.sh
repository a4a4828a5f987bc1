#!/bin/bash
# The Secure Boot chain of boot_secureboot.sh with one byte of GRUB's code
# changed: its Authenticode hash no longer matches Debian's signature, so shim
# must refuse to start it ("Verification failed: (0x1A) Security Violation",
# after which shim would start MokManager, mmx64.efi, once the message is
# acknowledged). The test stops the VM as soon as the refusal is on the
# console and asserts that no marker appeared and no kernel was fetched.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces, tap)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 not installed"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] && [ -f /usr/share/OVMF/OVMF_VARS_4M.ms.fd ] ||
    { echo "ovmf without the Secure Boot build (OVMF_CODE_4M.secboot.fd, OVMF_VARS_4M.ms.fd)"; exit 77; }
good="$PWD/build/tftproot-secureboot"
scripts/make-boot-tree-secureboot "$good" >/dev/null || exit 1
tree=$(mktemp -d "$PWD/build/sb-refused.XXXXXX")
trap 'rm -rf "$tree"' EXIT
cp -a "$good/." "$tree/"
# One byte inside .text (the first section, at file offset 0x1000 in
# grubnetx64.efi): hashed by Authenticode, unlike the checksum or the
# certificate table.
python3 - "$tree/secureboot/grubx64.efi" <<'PY' || exit 1
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
pe = struct.unpack_from("<I", d, 0x3c)[0]
nsec = struct.unpack_from("<H", d, pe + 6)[0]
sec = pe + 24 + struct.unpack_from("<H", d, pe + 20)[0]
name = bytes(d[sec:sec + 8]).rstrip(b"\0")
raw = struct.unpack_from("<I", d, sec + 20)[0]
assert nsec > 0 and name == b".text", name
d[raw + 0x200] ^= 0xff
open(p, "wb").write(d)
PY
cmp -s "$good/secureboot/grubx64.efi" "$tree/secureboot/grubx64.efi" && { echo "FAIL: GRUB not changed"; exit 1; }
refusal='Verification failed: \(0x1A\) Security Violation'
out=$(TREE="$tree" LAB_STOP_AT="$refusal" BOOT_TIMEOUT="${BOOT_TIMEOUT:-240}" \
      PROFILE=boot-profiles/secureboot.yaml scripts/lab-boot secureboot netbootd 2>&1)
rc=$?
echo "$out"
[ "$rc" -ne 0 ] || { echo "FAIL: a GRUB with a broken signature booted to the marker"; exit 1; }
grep -q '^NETBOOTD-MARKER' <<< "$out" && { echo "FAIL: the marker appeared"; exit 1; }
[ "$rc" -eq 3 ] || { echo "FAIL: shim's refusal never appeared on the console (lab-boot exit $rc)"; exit 1; }
grep -q 'TFTP sent secureboot/grubx64.efi' <<< "$out" || { echo "FAIL: shim never fetched grubx64.efi"; exit 1; }
grep -q 'secureboot/linux' <<< "$out" && { echo "FAIL: the kernel was fetched after the refusal"; exit 1; }
echo "result: shim refused the altered grubx64.efi ($(sed -n 's/^measured: secureboot boot to LAB_STOP_AT \([0-9.]* s\).*/\1/p' <<< "$out") to the refusal); no kernel fetched, no marker"
