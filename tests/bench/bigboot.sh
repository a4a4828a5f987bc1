# tests/bench/bigboot.sh - row family 8: a large image booted over TFTP and
# over HTTP (sourced by tests/bench/run). One QEMU BIOS guest (SeaBIOS +
# QEMU's iPXE ROM, boot-profiles/ipxe.yaml via scripts/lab-boot) fetches
# the marker kernel and a 256 MiB initrd made here: the tree's busybox
# initramfs, zero-padded to 4 bytes, followed by an uncompressed cpio that
# holds 256 MiB of random data and the tree's /init with one more line,
# which prints the size of that file as the guest sees it before the
# marker (a run counts only when the size is right). iPXE gets a script naming tftp:// or http:// URLs;
# its TFTP is lock-step (blksize, no windowsize). The two ways alternate,
# the order rotated each round; median of BENCH_BIGBOOT_RUNS (default 3,
# 1 with BENCH_QUICK). Time to marker is lab-boot's (QEMU start to the
# marker line); the transfer time is netbootd's own tftp-done/http-done
# events for the kernel and the initrd (leases.event-log).

BIGBOOT_RUNS="${BENCH_BIGBOOT_RUNS:-3}"
[ "$QUICK" = 1 ] && BIGBOOT_RUNS=1
BIGBOOT_MB=256

bigboot_tree() {    # DIR: the tree with ipxe/big-{tftp,http}.ipxe and bios/big.img
    local dir=$1 proto
    scripts/make-boot-tree build/tftproot >/dev/null || return 1
    [ -f build/tftproot/ipxe/boot.ipxe ] || { echo "bench: no iPXE in the boot tree (package ipxe)"; return 1; }
    rm -rf "$dir"
    mkdir -p "$dir/big"
    cp -r build/tftproot/bios build/tftproot/ipxe "$dir/"
    head -c $((BIGBOOT_MB << 20)) /dev/urandom > "$dir/big/big.bin"
    gzip -dc "$dir/bios/initrd.gz" | (cd "$dir/big" && cpio -i --quiet init) || return 1
    sed -i '/^for c in/i echo "NETBOOTD-BIGBOOT: $(ls -l /big.bin)" > /dev/ttyS0' "$dir/big/init"
    grep -q NETBOOTD-BIGBOOT "$dir/big/init" || return 1
    cp "$dir/bios/initrd.gz" "$dir/bios/big.img"
    local pad=$(( (4 - $(stat -c %s "$dir/bios/big.img") % 4) % 4 ))
    head -c "$pad" /dev/zero >> "$dir/bios/big.img"
    (cd "$dir/big" && printf 'init\nbig.bin\n' | cpio -o -H newc --quiet) >> "$dir/bios/big.img" || return 1
    rm -rf "$dir/big"
    for proto in tftp http; do
        cat > "$dir/ipxe/big-$proto.ipxe" <<IPXE
#!ipxe
echo netbootd: large image over $proto
kernel $proto://\${next-server}/bios/linux initrd=big.img console=ttyS0,115200 panic=-1 quiet
initrd $proto://\${next-server}/bios/big.img
boot
IPXE
    done
    chmod -R a+rX "$dir"
}

bigboot_once() {    # TREE PROTO: one boot; BB_MARK[PROTO], BB_XFER[PROTO], BB_RATE[PROTO] += values
    local tree=$1 proto=$2 ev="$LAB_TMP/bigboot-events.jsonl" logs="$LAB_TMP/bigboot-logs" out s x
    rm -rf "$ev" "$logs"
    out=$(LAB_KEEP_LOGS="$logs" TREE="$tree" VM_MEM=1536 BOOT_TIMEOUT=1500 NETBOOTD="$top/netbootd" \
        PROFILE="$top/boot-profiles/ipxe.yaml" scripts/lab-boot bios netbootd \
        --set "boot[0].filename=\"http://\${server}/ipxe/big-$proto.ipxe\"" \
        --set "leases.event-log=$ev" 2>&1)
    s=$(sed -n 's/^measured: .* to marker \([0-9.]*\) s.*/\1/p' <<< "$out")
    # seconds and bytes of the kernel and initrd transfers that completed
    x=$(python3 - "$ev" "$proto" <<'PY'
import json, sys
secs = size = n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == sys.argv[2] + "-done" and e.get("file", "").lstrip("/") in ("bios/linux", "bios/big.img"):
        secs += e["seconds"]; size += e["bytes"]; n += 1
if n == 2 and secs > 0:
    print(f"{secs:.1f} {size / 1e6 / secs:.1f}")
PY
    )
    # the guest saw the whole file (ls -l: mode, links, owner, group, size)
    grep -aq "NETBOOTD-BIGBOOT: .* $((BIGBOOT_MB << 20)) .*/big.bin" "$logs/console.log" 2>/dev/null || s=""
    if [ -n "$s" ] && [ -n "$x" ]; then
        BB_MARK[$proto]+="$s "
        BB_XFER[$proto]+="${x% *} "
        BB_RATE[$proto]+="${x#* } "
    else
        BB_FAILED[$proto]=$(( ${BB_FAILED[$proto]:-0} + 1 ))
        echo "bench: bigboot over $proto failed:"; tail -15 <<< "$out"
    fi
}

bench_bigboot() {
    local tree="$LAB_TMP/bigtree" round proto mark xfer rate r size
    command -v cpio >/dev/null || { echo "bench: cpio missing: no large-image rows"; return 0; }
    bigboot_tree "$tree" || { echo "bench: no large-image tree: no large-image rows"; return 0; }
    size=$(stat -c %s "$tree/bios/big.img")
    declare -gA BB_MARK=() BB_XFER=() BB_RATE=() BB_FAILED=()
    for round in $(seq 1 "$BIGBOOT_RUNS"); do
        for proto in $(rotated "$round" tftp http); do bigboot_once "$tree" "$proto"; done
    done
    for proto in tftp http; do
        read -r mark r <<< "$(printf '%s\n' ${BB_MARK[$proto]:-} | stats)"
        read -r xfer _ <<< "$(printf '%s\n' ${BB_XFER[$proto]:-} | stats)"
        read -r rate _ <<< "$(printf '%s\n' ${BB_RATE[$proto]:-} | stats)"
        [ -n "${BB_FAILED[$proto]:-}" ] && r="$r (${BB_FAILED[$proto]} failed)"
        row "8. iPXE boot, $((size >> 20)) MiB initrd, s" "netbootd" "QEMU bios iPXE $proto (TCG)" "$mark" \
            "$r, $BIGBOOT_RUNS runs; kernel+initrd transfer $xfer s, $rate MB/s (netbootd's $proto-done events); per run: to marker $(echo ${BB_MARK[$proto]:-none}) s, transfer $(echo ${BB_XFER[$proto]:-none}) s"
    done
    rm -rf "$tree"
}
