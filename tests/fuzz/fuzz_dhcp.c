/* fuzz_dhcp.c - DHCP decode -> decide -> encode -> decode again.
 * Any datagram must be refused or answered with a reply our own decoder
 * accepts, within the client's size budget; the pool never hands one
 * address to two clients (checked by the allocator's own invariants).
 * The same bytes also go through the IPv6 router solicitation check, the
 * other thing netbootd reads from the served links. A proxyDHCP subnet
 * (port 67) and port 4011 must never hand out an address or touch the pool. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dhcp_server.h"
#include "dhcp_wire.h"
#include "lease_pool.h"
#include "ra_wire.h"

static struct config *cfg;
static struct lease_pool *pool;
static int64_t now = 1700000000;

static const char profile[] =
    "interfaces: [tap0]\ntftp: { root: /tmp }\n"
    "subnets:\n"
    "  - { subnet: 192.0.2.0/24, range: 192.0.2.100-192.0.2.110, router: 192.0.2.1, bootp: true }\n"
    "  - { subnet: 198.51.100.0/24, range: 198.51.100.10-198.51.100.12, clients: pxe }\n"
    "  - { subnet: 198.18.0.0/24, mode: proxy }\n"
    "hosts: [{ mac: \"52:54:00:00:00:42\", ip: 192.0.2.42, hostname: h, boot: b }]\n"
    "boot:\n"
    "  - { name: b, match: { arch: [bios] }, filename: bios/pxelinux.0,\n"
    "      pxelinux: { magic: true, configfile: c, pathprefix: bios/, reboottime: 3 } }\n"
    "  - { name: i, match: { user-class: iPXE }, filename: boot.ipxe }\n"
    "options: [{ code: 150, type: ip, value: 192.0.2.1, force: true }]\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dhcp_msg msg, again;
    static struct dhcp_decision d;
    const char *why;
    if (!cfg) {
        struct config_diag diag = { 0 };
        if (config_load_buffer("fuzz.yaml", "/tmp", profile, sizeof profile - 1, NULL, 0, &cfg,
                               &diag) < 0)
            abort();
        config_diag_free(&diag);
        pool = lease_pool_new(cfg);
    }
    if (ra_solicitation_valid(data, size, 255, size & 1, &why) && (size < 8 || data[0] != 133))
        abort();                        /* "valid" but not a solicitation */
    if (ra_advertisement_valid(data, size, 255, size & 2, &why) && (size < 16 || data[0] != 134))
        abort();                        /* "valid" but not an advertisement */
    if (dhcp_wire_decode(data, size, &msg, &why) < 0)
        return 0;
    /* How it arrived varies with the length: a client's broadcast, or a
     * relay's unicast from port 67 (so the giaddr paths are reached too). */
    bool relayed = size & 2;
    struct dhcp_ingress in = { 2, "tap0", 0xc0000201u, 0xffffff00u, msg.giaddr ? msg.giaddr : msg.ciaddr,
                               relayed ? 67 : 68, relayed ? 0xc0000201u : 0xffffffffu, 67 };
    /* ...or on the proxy subnet's link, or to port 4011 there (unicast
     * from the client's own address). */
    bool proxy = size & 4, port4011 = proxy && (size & 8);
    if (proxy)
        in.ifaddr = 0xc6120001u;            /* 198.18.0.1 */
    if (port4011) {
        in.port = 4011;
        in.dst = in.ifaddr;
        in.sport = size & 16 ? 4011 : 68;
    }
    /* A relay's giaddr picks the subnet, maybe a full one. */
    const struct config_subnet *sn = config_subnet_for(cfg, msg.giaddr ? msg.giaddr : in.ifaddr);
    proxy = port4011 || (sn && sn->mode == CONFIG_MODE_PROXY);
    size_t before = lease_pool_count(pool);
    now += 7;
    if (dhcp_server_handle(cfg, pool, &msg, &in, now, &d) < 0)
        return 0;
    if (proxy && (lease_pool_count(pool) != before || d.n_changes))
        abort();                        /* a proxy touched the pool */
    lease_pool_expire(pool, now, NULL, NULL);
    if (d.action != DHCP_ACTION_REPLY)
        return 0;
    if (proxy && d.reply.yiaddr)
        abort();                        /* a proxy offered an address */
    if (port4011 && (d.dest.kind != DHCP_DEST_SOURCE || d.dest.ip != in.src))
        abort();                        /* a 4011 answer went elsewhere */
    uint8_t out[DHCP_MAX_MSG];
    size_t len;
    unsigned dropped;
    if (dhcp_wire_encode(&d.reply, out, sizeof out, &len, &dropped) < 0)
        abort();
    if (len > (size_t)d.reply.max_size - DHCP_IP_UDP_HEADERS && len > DHCP_BOOTP_MIN_LEN)
        abort();                        /* over the client's budget */
    out[0] = BOOTREQUEST;
    if (dhcp_wire_decode(out, len, &again, &why) < 0)
        abort();                        /* we built something we can't read */
    return 0;
}
