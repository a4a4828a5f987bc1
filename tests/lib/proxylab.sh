# tests/lib/proxylab.sh - a link that already has a DHCP server (source it
# after tests/lib/netns.sh; tests/lib/prologue.sh with no NAME, then
# proxylab_up NAME).
#
# proxylab_up NAME: four namespaces, one Ethernet segment (bridge br0):
#     ${NAME}b  br0, the bridge; QEMU's taps join it here (proxylab_tap)
#     ${NAME}d  dns0 192.0.2.1/24    the address server (dnsmasq_start)
#     ${NAME}s  srv0 192.0.2.2/24    netbootd, or another boot server
#     ${NAME}c  cli0 (no address)    DHCP clients (inns)
# Two DHCP servers cannot both bind port 67 in one namespace: that is why the
# address server and the boot server live apart. Sets LAB_SRV and LAB_CLI
# as lab_up does (so start_netbootd and inns work unchanged), plus LAB_DHCP
# and LAB_BR. Everything is stopped and removed by lab_down.

proxylab_up() {
    local name="${1:-px}$$" ns pair
    LAB_SRV="${name}s"; LAB_CLI="${name}c"; LAB_DHCP="${name}d"; LAB_BR="${name}b"
    LAB_TMP=$(mktemp -d /tmp/netbootd-lab.XXXXXX)
    export RUNTIME_DIRECTORY="$LAB_TMP/run"     # the control socket stays in the lab
    chmod 755 "$LAB_TMP"
    trap lab_down EXIT
    trap 'exit 130' INT TERM
    for ns in "$LAB_BR" "$LAB_DHCP" "$LAB_SRV" "$LAB_CLI"; do
        ip netns add "$ns"; LAB_NS+=("$ns")
        ip -n "$ns" link set lo up
    done
    ip -n "$LAB_BR" link add br0 type bridge forward_delay 0 stp_state 0
    ip -n "$LAB_BR" link set br0 up
    # namespace:interface on one side, its bridge port on the other
    for pair in "$LAB_DHCP:dns0:pd" "$LAB_SRV:srv0:ps" "$LAB_CLI:cli0:pc"; do
        IFS=: read -r ns ifname port <<< "$pair"
        ip link add "$ifname" netns "$ns" type veth peer name "$port" netns "$LAB_BR"
        ip -n "$LAB_BR" link set "$port" master br0 up
        ip -n "$ns" link set "$ifname" up
    done
    ip -n "$LAB_DHCP" addr add 192.0.2.1/24 dev dns0
    ip -n "$LAB_SRV" addr add 192.0.2.2/24 dev srv0
}

# proxylab_tap NAME: a tap device on the bridge, for QEMU run with
# `ip netns exec $LAB_BR qemu-system-x86_64 -netdev tap,ifname=NAME,...`.
proxylab_tap() {
    ip -n "$LAB_BR" tuntap add dev "$1" mode tap
    ip -n "$LAB_BR" link set "$1" master br0 up
}

# dnsmasq_start [extra dnsmasq args...]: the link's own DHCP server, as a home
# router or a hypervisor runs it: addresses 192.0.2.100-199, a router and
# nothing for booting (no dhcp-boot, no pxe-service, no TFTP). Sets DM_PID and
# DM_LOG (--log-dhcp: one line per message it answers). Stopped by lab_down.
dnsmasq_start() {
    command -v dnsmasq >/dev/null || { echo "dnsmasq not installed (scripts/install-deps bench)"; exit 77; }
    DM_LOG="$LAB_TMP/dnsmasq.log"
    DM_PID=$(lab_bg "$LAB_DHCP" "$DM_LOG" dnsmasq --keep-in-foreground --no-daemon \
        --conf-file=/dev/null --port=0 --interface=dns0 --bind-interfaces --log-dhcp \
        --dhcp-range=192.0.2.100,192.0.2.199,10m --dhcp-option=3,192.0.2.1 \
        --dhcp-leasefile="$LAB_TMP/dnsmasq.leases" --pid-file="$LAB_TMP/dnsmasq.pid" "$@")
    wait_for 10 "ip netns exec $LAB_DHCP ss -Hlun | grep -q ':67 '" ||
        { cat "$DM_LOG"; fail "dnsmasq did not start"; }
}
