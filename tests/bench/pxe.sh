# tests/bench/pxe.sh - row family 5: whole PXE boots of a QEMU guest to
# the Linux marker, netbootd against dnsmasq (sourced by tests/bench/run).

# A boot takes 20-40 s under TCG: 3 rounds by default (BENCH_PXE_RUNS), interleaved
# between the two servers like the TFTP rows. Most of it is the guest under TCG
# (firmware, edk2 collecting DHCP offers for ~4 s, Linux booting), so the notes
# also give the part on the wire that a server can shorten, from the VM's pcap.
PXE_RUNS="${BENCH_PXE_RUNS:-3}"
[ "$QUICK" = 1 ] && PXE_RUNS=1
bench_pxe() {
    scripts/make-boot-tree build/tftproot >/dev/null || true
    scripts/make-boot-tree-secureboot build/tftproot-secureboot >/dev/null || true
    # arm64, ia32: GRUB from grub-efi.yaml; secureboot: shim, GRUB and kernel
    # signed (lab-boot); BENCH_PXE_ARCHS picks a subset
    for arch in ${BENCH_PXE_ARCHS:-bios uefi arm64 ia32 secureboot}; do
        declare -gA pxe_vals=() pxe_failed=() pxe_net=() pxe_xfer=()
        for _ in $(seq 1 "$PXE_RUNS"); do
            for server in netbootd dnsmasq; do
                out=$(NETBOOTD="$top/netbootd" scripts/lab-boot "$arch" "$server" 2>&1)
                s=$(sed -n 's/^measured: .* to marker \([0-9.]*\) s.*/\1/p' <<< "$out")
                if [ -n "$s" ]; then pxe_vals[$server]+="$s "
                else pxe_failed[$server]=$(( ${pxe_failed[$server]:-0} + 1 )); fi
                # The part of the boot the server takes part in (scripts/pxe-timeline).
                read -r net xfer <<< "$(sed -n 's/^measured: network phase \([0-9.]*\) s, transfers \([0-9.]*\) s.*/\1 \2/p' <<< "$out")"
                [ -n "$net" ] && { pxe_net[$server]+="$net "; pxe_xfer[$server]+="$xfer "; }
            done
        done
        for server in netbootd dnsmasq; do
            read -r med range <<< "$(printf '%s\n' ${pxe_vals[$server]:-} | stats)"
            [ -n "${pxe_failed[$server]:-}" ] && range="$range (${pxe_failed[$server]} failed)"
            read -r net_med _ <<< "$(printf '%s\n' ${pxe_net[$server]:-} | stats)"
            read -r xfer_med _ <<< "$(printf '%s\n' ${pxe_xfer[$server]:-} | stats)"
            row "5. PXE boot to marker, s" "$server" "QEMU $arch (TCG)" "$med" \
                "$range, $PXE_RUNS runs; on the wire: first DHCP to last TFTP datagram $net_med s, of it transfers $xfer_med s"
        done
        unset pxe_vals pxe_failed pxe_net pxe_xfer
    done
}
