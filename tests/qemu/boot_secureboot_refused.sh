#!/bin/bash
# The Secure Boot chain of boot_secureboot.sh with one link broken, twice:
#  1. one byte of GRUB's code changed: its Authenticode hash no longer
#     matches Debian's signature, so shim must refuse to start it
#     ("Verification failed: (0x1A) Security Violation", after which shim
#     would start MokManager, mmx64.efi, once the message is acknowledged);
#  2. the kernel with its signature stripped: GRUB must refuse to boot it
#     ("bad shim signature").
# Each VM is stopped as soon as the refusal is on its console (LAB_STOP_AT);
# the test asserts the refusal, no marker, and nothing fetched after it.
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

# refused NAME FILE PATTERN NOT_FETCHED: boot the good tree with FILE (already
# altered in $tree) and expect PATTERN on the console, NOT_FETCHED never asked for.
refused() {
    local name="$1" file="$2" pattern="$3" not_fetched="$4" out rc
    cmp -s "$good/$file" "$tree/$file" && { echo "FAIL: $file not altered"; return 1; }
    out=$(TREE="$tree" LAB_STOP_AT="$pattern" BOOT_TIMEOUT="${BOOT_TIMEOUT:-240}" \
          PROFILE=boot-profiles/secureboot.yaml scripts/lab-boot secureboot netbootd 2>&1)
    rc=$?
    echo "=== $name"
    echo "$out"
    grep -q '^NETBOOTD-MARKER' <<< "$out" && { echo "FAIL: $name: the marker appeared"; return 1; }
    [ "$rc" -eq 3 ] || { echo "FAIL: $name: the refusal never appeared on the console (lab-boot exit $rc)"; return 1; }
    grep -q "TFTP sent $file" <<< "$out" || { echo "FAIL: $name: $file was never fetched"; return 1; }
    grep -q "$not_fetched" <<< "$out" && { echo "FAIL: $name: $not_fetched was fetched after the refusal"; return 1; }
    echo "measured: $name: refused $(sed -n 's/^measured: secureboot boot to LAB_STOP_AT \([0-9.]* s\).*/\1/p' <<< "$out") after QEMU started"
}

# 1. One byte inside GRUB's .text (the first section): hashed by
# Authenticode, unlike the checksum or the certificate table.
cp -a "$good/." "$tree/"
python3 - "$tree/secureboot/grubx64.efi" <<'PY' || exit 1
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
pe = struct.unpack_from("<I", d, 0x3c)[0]
sec = pe + 24 + struct.unpack_from("<H", d, pe + 20)[0]
assert bytes(d[sec:sec + 8]).rstrip(b"\0") == b".text"
d[struct.unpack_from("<I", d, sec + 20)[0] + 0x200] ^= 0xff
open(p, "wb").write(d)
PY
refused "GRUB with one byte changed" secureboot/grubx64.efi \
    'Verification failed: \(0x1A\) Security Violation' 'grub/grub.cfg' || exit 1

# 2. The kernel without its signature: data directory 4 (the certificate
# table) cleared and the table cut off, as an unsigned build would be.
cp -a "$good/secureboot/grubx64.efi" "$tree/secureboot/grubx64.efi"
python3 - "$tree/secureboot/linux" <<'PY' || exit 1
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
pe = struct.unpack_from("<I", d, 0x3c)[0]
opt = pe + 24
dd = opt + (112 if struct.unpack_from("<H", d, opt)[0] == 0x20b else 96) + 4 * 8
va, size = struct.unpack_from("<II", d, dd)
assert size > 0 and va + size <= len(d)
struct.pack_into("<II", d, dd, 0, 0)
open(p, "wb").write(d[:va])
PY
refused "kernel without its signature" secureboot/linux 'bad shim signature' 'secureboot/initrd.gz' || exit 1
echo "result: shim refused a GRUB with one byte changed, GRUB refused an unsigned kernel; no marker"
