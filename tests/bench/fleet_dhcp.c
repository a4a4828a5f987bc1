/* fleet_dhcp.c - the DHCP exchanges of the simulated firmwares, as the
 * QEMU boots of `make check` put them on the wire (scripts/pxe-timeline on
 * the VMs' captures, December 2026, Debian 12's ipxe-qemu and OVMF):
 *
 *  iPXE (QEMU's BIOS ROM): broadcast flag clear (the server unicasts to
 *    yiaddr), options 53, 57 = 1472, 93 = 0, 94 = 1.2.1, 60
 *    "PXEClient:Arch:00000:UNDI:002001", 77 "iPXE", the 23-code PRL below,
 *    175 (its feature list), 61 = 01+MAC, 97 = UUID. It REQUESTs 5 ms after
 *    the OFFER when the OFFER carries 175.176 (no-pxedhcp), else after its
 *    ProxyDHCP wait (2 s). Retransmits after 1, 2, 4, 8 s (DHCP_MIN_TIMEOUT
 *    doubling up to DHCP_MAX_TIMEOUT), then gives up.
 *  edk2 (OVMF's PXE base code): broadcast flag set, 57 = 1472, the 35-code
 *    PRL below, 97, 94 = 1.3.0, 93 = 7, 60 "PXEClient:Arch:00007:UNDI:003000";
 *    collects OFFERs for ~3.7 s before it REQUESTs (57 = 65280 then).
 *    Retransmits after 4, 8, 16, 32 s.
 *  syslinux.efi asks edk2's DHCP4 driver for a second DORA: broadcast flag,
 *    57 = 65280, PRL 1, 3, 6 and nothing PXE; the same ~3.9 s collection.
 *
 * Every reply comes to the one port-68 socket (fleet_sim.c); the xid's low
 * 16 bits name the machine, the chaddr must match. */
#include "fleet_sim.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t PRL_IPXE[] = { 1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129,
                                    130, 131, 132, 133, 134, 135, 175, 203 };
static const uint8_t PRL_EDK2[] = { 1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43,
                                    50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132,
                                    133, 134, 135 };
static const uint8_t PRL_LOADER[] = { 1, 3, 6 };
/* iPXE 1.21's option 175: the features it was built with (from the capture). */
static const uint8_t IPXE_175[] = { 0xb1, 0x05, 0x01, 0x80, 0x86, 0x10, 0x0e, 0xeb, 0x03, 0x01, 0x00,
                                    0x00, 0x17, 0x01, 0x01, 0x22, 0x01, 0x01, 0x13, 0x01, 0x01, 0x11,
                                    0x01, 0x01, 0x27, 0x01, 0x01, 0x19, 0x01, 0x01, 0x29, 0x01, 0x01,
                                    0x10, 0x01, 0x02, 0x21, 0x01, 0x01, 0x15, 0x01, 0x01, 0x18, 0x01,
                                    0x01, 0x12, 0x01, 0x01 };

static const double TIMEOUTS_IPXE[] = { 1, 2, 4, 8 };
static const double TIMEOUTS_EDK2[] = { 4, 8, 16, 32 };
#define OFFER_WAIT_IPXE_PROXY 2.0
#define OFFER_WAIT_IPXE 0.005
#define OFFER_COLLECT_EDK2 3.7
#define OFFER_COLLECT_LOADER 3.9

struct wr { uint8_t *p; size_t len, cap; };

static void put(struct wr *w, uint8_t code, const void *v, size_t len)
{
    if (w->len + 2 + len > w->cap)
        return;
    w->p[w->len++] = code;
    w->p[w->len++] = (uint8_t)len;
    memcpy(w->p + w->len, v, len);
    w->len += len;
}

static void put16(struct wr *w, uint8_t code, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    put(w, code, b, 2);
}

static bool is_ipxe(const struct machine *m) { return m->kind == FLEET_BIOS; }
static bool is_loader(const struct machine *m) { return m->step == ST_DHCP_LOADER; }

static void send_packet(struct fleet *f, struct machine *m, uint8_t type)
{
    uint8_t buf[548] = { 1, 1, 6, 0 };
    uint32_t xid = htonl(m->xid);
    memcpy(buf + 4, &xid, 4);
    double secs = fleet_now() - m->t_on;
    uint16_t s = htons(is_ipxe(m) ? (uint16_t)secs : 0);
    memcpy(buf + 8, &s, 2);
    if (!is_ipxe(m))
        buf[10] = 0x80;                                 /* edk2: broadcast flag */
    memcpy(buf + 28, m->mac, 6);
    static const uint8_t cookie[4] = { 99, 130, 83, 99 };
    memcpy(buf + 236, cookie, 4);
    struct wr w = { buf + 240, 0, sizeof buf - 241 };
    uint8_t uuid[17] = { 0 };
    memcpy(uuid + 1, m->uuid, 16);
    put(&w, 53, &type, 1);
    if (is_ipxe(m)) {
        uint8_t cid[7] = { 1 };
        memcpy(cid + 1, m->mac, 6);
        put16(&w, 57, 1472);
        put(&w, 93, "\0\0", 2);
        put(&w, 94, "\1\2\1", 3);
        put(&w, 60, "PXEClient:Arch:00000:UNDI:002001", 32);
        put(&w, 77, "iPXE", 4);
        put(&w, 55, PRL_IPXE, sizeof PRL_IPXE);
        put(&w, 175, IPXE_175, sizeof IPXE_175);
        put(&w, 61, cid, sizeof cid);
        put(&w, 97, uuid, sizeof uuid);
    }
    if (type == 3 && m->server_id) {
        put(&w, 54, &m->server_id, 4);
        put(&w, 50, &m->yiaddr, 4);
    }
    if (!is_ipxe(m)) {
        put16(&w, 57, type == 1 && !is_loader(m) ? 1472 : 65280);
        if (is_loader(m)) {
            put(&w, 55, PRL_LOADER, sizeof PRL_LOADER);
        } else {
            put(&w, 55, PRL_EDK2, sizeof PRL_EDK2);
            put(&w, 97, uuid, sizeof uuid);
            put(&w, 94, "\1\3\0", 3);
            put(&w, 93, "\0\7", 2);
            put(&w, 60, "PXEClient:Arch:00007:UNDI:003000", 32);
        }
    }
    buf[240 + w.len++] = 255;
    size_t len = 240 + w.len;
    if (len < 300)
        len = 300;                                      /* BOOTP's minimum, padded with zeros */
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(67),
                              .sin_addr.s_addr = htonl(INADDR_BROADCAST) };
    if (sendto(f->dhcp_fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
        perror("fleet_sim: DHCP sendto");
    f->dhcp_sent++;
    const double *t = is_ipxe(m) ? TIMEOUTS_IPXE : TIMEOUTS_EDK2;
    fleet_timer(m, t[m->tries < 4 ? m->tries : 3]);
    m->tries++;
}

void dhcp_start(struct fleet *f, struct machine *m)
{
    m->phase = PH_DISCOVER;
    m->offered = false;
    m->tries = 0;
    m->xid = (m->xid & 0xffff0000u) + 0x10000u + (m->idx & 0xffffu);
    send_packet(f, m, 1);
}

static void send_request(struct fleet *f, struct machine *m)
{
    m->phase = PH_REQUEST;
    m->tries = 0;
    send_packet(f, m, 3);
}

void dhcp_on_timer(struct fleet *f, struct machine *m)
{
    if (m->tries >= 5) {
        fleet_fail(f, m, m->phase == PH_DISCOVER ? "no OFFER" : "no ACK");
        return;
    }
    m->retries++;
    send_packet(f, m, m->phase == PH_DISCOVER ? 1 : 3);
}

/* The end of a pause in a DHCP step: the OFFER wait is over. */
void dhcp_on_pause_end(struct fleet *f, struct machine *m)
{
    send_request(f, m);
}

/* Option CODE of a reply, or NULL (a bounded walk; LEN gets its length). */
static const uint8_t *option(const uint8_t *p, size_t n, uint8_t code, uint8_t *len)
{
    size_t i = 240;
    while (i < n && p[i] != 255) {
        if (p[i] == 0) {
            i++;
            continue;
        }
        if (i + 2 > n || i + 2 + p[i + 1] > n)
            return NULL;
        if (p[i] == code) {
            *len = p[i + 1];
            return p + i + 2;
        }
        i += 2 + (size_t)p[i + 1];
    }
    return NULL;
}

static void copy_text(char *dst, const uint8_t *v, size_t len)
{
    if (len >= FLEET_NAME_MAX)
        len = FLEET_NAME_MAX - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
    dst[strnlen(dst, len)] = '\0';
}

/* What the ACK says about the boot: file, next server, PXELINUX 209/210. */
static void take_boot_options(struct machine *m, const uint8_t *p, size_t n)
{
    uint8_t len = 0;
    const uint8_t *v = option(p, n, 67, &len);
    if (v)
        copy_text(m->bootfile, v, len);
    else if (p[108])
        copy_text(m->bootfile, p + 108, 128);
    uint32_t siaddr;
    memcpy(&siaddr, p + 20, 4);
    if (siaddr)
        m->siaddr = siaddr;
    if ((v = option(p, n, 209, &len)))
        copy_text(m->configfile, v, len);
    if ((v = option(p, n, 210, &len)))
        copy_text(m->prefix, v, len);
}

static void on_offer(struct fleet *f, struct machine *m, const uint8_t *p, size_t n)
{
    if (m->phase != PH_DISCOVER || m->offered)
        return;                         /* the first OFFER wins, as both ROMs pick it here */
    uint8_t len = 0;
    const uint8_t *sid = option(p, n, 54, &len);
    if (!sid || len != 4)
        return;
    memcpy(&m->server_id, sid, 4);
    memcpy(&m->yiaddr, p + 16, 4);
    m->offered = true;
    const uint8_t *eb = option(p, n, 175, &len);
    m->no_pxedhcp = false;
    for (size_t i = 0; eb && i + 2 <= len; i += 2u + eb[i + 1])
        if (eb[i] == 176 && eb[i + 1] == 1 && i + 3 <= len && eb[i + 2])
            m->no_pxedhcp = true;
    double wait = is_ipxe(m) ? (m->no_pxedhcp ? OFFER_WAIT_IPXE : OFFER_WAIT_IPXE_PROXY)
                             : (is_loader(m) ? OFFER_COLLECT_LOADER : OFFER_COLLECT_EDK2);
    fleet_pause(f, m, wait);
}

static void on_ack(struct fleet *f, struct machine *m, const uint8_t *p, size_t n)
{
    uint32_t yiaddr;
    memcpy(&yiaddr, p + 16, 4);
    if (m->phase != PH_REQUEST || yiaddr != m->yiaddr)
        return;
    take_boot_options(m, p, n);
    if (!m->t_addr)
        m->t_addr = fleet_now();
    /* From the timelines: ACK to the first RRQ 60 ms (iPXE), 7 ms (edk2), 3 ms (syslinux.efi). */
    double wait = is_ipxe(m) ? 0.06 : is_loader(m) ? 0.003 : 0.007;
    m->step = f->dhcp_only ? ST_END : m->step + 1;
    fleet_pause(f, m, wait);
}

void dhcp_on_reply(struct fleet *f, const uint8_t *p, size_t n)
{
    uint8_t len = 0;
    if (n < 244 || p[0] != 2)
        return;
    const uint8_t *type = option(p, n, 53, &len);
    if (!type || len != 1)
        return;
    uint32_t xid;
    memcpy(&xid, p + 4, 4);
    xid = ntohl(xid);
    unsigned idx = xid & 0xffff;
    if (idx >= f->n)
        return;
    struct machine *m = &f->m[idx];
    if (m->xid != xid || memcmp(p + 28, m->mac, 6) != 0)
        return;
    if (type[0] == 2) {
        on_offer(f, m, p, n);
    } else if (type[0] == 5) {
        on_ack(f, m, p, n);
    } else if (type[0] == 6 && m->phase == PH_REQUEST) {
        m->retries++;                   /* a NAK: start over, as RFC 2131 4.4.1 says */
        dhcp_start(f, m);
    }
}
