/* fleet_tftp.c - the file sequence of each boot chain and the TFTP clients
 * that fetch it, as the QEMU boots' captures show them:
 *
 *  BIOS  iPXE:      RRQ bootfile "blksize 1432 tsize 0", lock-step; retry
 *                   timer 0.25 s doubling, gives up past 10 s (iPXE retry.c)
 *        pxelinux:  ldlinux.c32, the config, kernel, initrd with
 *                   "tsize 0 blksize 1408", lock-step, a new port per file
 *  UEFI  edk2:      RRQ bootfile "tsize 0 blksize 1468 windowsize 4", reads
 *                   the OACK's tsize and answers ERROR 8; then RRQ "blksize
 *                   1468 windowsize 4" and ACKs every 4th block; 4 s timeout,
 *                   6 retries (PXEBC_MTFTP_TIMEOUT/RETRIES)
 *        syslinux.efi: a second DORA (fleet_dhcp.c), then ldlinux.e64, the
 *                   config, kernel, initrd as pxelinux does
 *  syslinux's timer (both): its TimeoutTable, in 55 ms ticks, restarted for
 *  every packet it waits for; each expiry resends the last RRQ or ACK.
 *  Lock-step clients ACK every DATA they get (a duplicate too, as the
 *  captures show); the windowed one ACKs its last in-order block on a gap.
 *
 * The path prefix and config file come from options 210 and 209 (or the
 * boot file's folder and pxelinux's search); kernel and initrd from the
 * config file's KERNEL/LINUX and initrd= (or INITRD) lines. */
#define _GNU_SOURCE
#include "fleet_sim.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const uint8_t SYSLINUX_TICKS[] = { 2, 2, 3, 3, 4, 5, 6, 7, 9, 10, 12, 15, 18, 21, 26, 31,
                                          37, 44, 53, 64, 77, 92, 110, 132, 159, 191, 229, 255,
                                          255, 255, 255 };
#define SYSLINUX_TICK 0.055
#define EDK2_TIMEOUT 4.0
#define EDK2_RETRIES 6
#define IPXE_MIN_TIMEOUT 0.25
#define IPXE_MAX_TIMEOUT 10.0
#define CFG_MAX 65536

enum client { CL_IPXE, CL_EDK2, CL_SYSLINUX };

static enum client client_of(const struct machine *m)
{
    if (m->step <= ST_BOOTFILE)
        return m->kind == FLEET_BIOS ? CL_IPXE : CL_EDK2;
    return CL_SYSLINUX;
}

/* Arm the timer for transmission number m->tries (0 = the first); false when
 * the client has given up. */
static bool arm(struct machine *m)
{
    switch (client_of(m)) {
    case CL_IPXE: {
        double t = IPXE_MIN_TIMEOUT;
        for (unsigned i = 0; i < m->tries; i++)
            t *= 2;
        if (t > IPXE_MAX_TIMEOUT)
            return false;
        fleet_timer(m, t);
        return true;
    }
    case CL_EDK2:
        if (m->tries > EDK2_RETRIES)
            return false;
        fleet_timer(m, EDK2_TIMEOUT);
        return true;
    case CL_SYSLINUX:
        if (m->tries >= sizeof SYSLINUX_TICKS)
            return false;
        fleet_timer(m, SYSLINUX_TICKS[m->tries] * SYSLINUX_TICK);
        return true;
    }
    return false;
}

/* The TFTP server: next-server, else the DHCP server, else --server. */
static uint32_t server_of(const struct fleet *f, const struct machine *m)
{
    return m->siaddr ? m->siaddr : m->server_id ? m->server_id : f->server;
}

static void send_last(struct fleet *f, struct machine *m)
{
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = server_of(f, m),
                              .sin_port = m->last_to_69 ? htons(69) : m->tid };
    if (sendto(m->fd, m->last, m->last_len, 0, (struct sockaddr *)&to, sizeof to) < 0 && errno != EAGAIN)
        fleet_fail(f, m, "TFTP sendto failed");
}

/* Send (and remember for retransmission) an ACK of BLOCK. */
static void send_ack(struct fleet *f, struct machine *m, uint32_t block)
{
    uint8_t *p = m->last;
    p[0] = 0; p[1] = 4; p[2] = (uint8_t)(block >> 8); p[3] = (uint8_t)block;
    m->last_len = 4;
    m->last_to_69 = false;
    m->acked = block;
    m->tries = 0;
    send_last(f, m);
    if (m->phase == PH_TFTP && !arm(m))
        fleet_fail(f, m, "TFTP gave up");
}

void tftp_close(struct fleet *f, struct machine *m)
{
    if (m->fd >= 0) {
        epoll_ctl(f->epfd, EPOLL_CTL_DEL, m->fd, NULL);
        close(m->fd);
        m->fd = -1;
    }
    free(m->cfg);
    m->cfg = NULL;
    m->cfg_len = 0;
}

/* RRQ for NAME with OPTS ("name\0value\0" pairs, OPTS_LEN bytes) from a new port. */
static void start_transfer(struct fleet *f, struct machine *m, const char *name, const char *opts,
                           size_t opts_len)
{
    tftp_close(f, m);
    snprintf(m->file, sizeof m->file, "%s", name);
    m->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in me = { .sin_family = AF_INET, .sin_addr.s_addr = m->yiaddr };
    if (m->fd < 0 || bind(m->fd, (struct sockaddr *)&me, sizeof me) < 0) {
        fleet_fail(f, m, errno == EMFILE ? "out of descriptors" : "cannot bind the leased address");
        return;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = m->idx };
    epoll_ctl(f->epfd, EPOLL_CTL_ADD, m->fd, &ev);
    m->phase = PH_TFTP;
    m->tid = 0;
    m->blksize = 512;
    m->window = 1;
    m->next_block = 1;
    m->acked = 0;
    m->gap_at = 0;
    m->bytes = 0;
    m->has_tsize = false;
    size_t nlen = strlen(name);
    if (2 + nlen + 1 + 6 + opts_len > sizeof m->last) {
        fleet_fail(f, m, "file name too long");
        return;
    }
    uint8_t *p = m->last;
    p[0] = 0; p[1] = 1;
    memcpy(p + 2, name, nlen + 1);
    memcpy(p + 3 + nlen, "octet", 6);
    memcpy(p + 9 + nlen, opts, opts_len);
    m->last_len = 9 + nlen + opts_len;
    m->last_to_69 = true;
    m->tries = 0;
    f->tftp_rrq++;
    send_last(f, m);
    arm(m);
}

#define OPTS(s) s, sizeof s - 1

/* pxelinux's config search without option 209: UUID, 01-MAC, the address
 * in hex shortened a digit at a time, then default. */
static bool config_candidate(const struct machine *m, unsigned i, char *out, size_t size)
{
    const uint8_t *a = (const uint8_t *)&m->yiaddr;
    char hex[9];
    snprintf(hex, sizeof hex, "%02X%02X%02X%02X", a[0], a[1], a[2], a[3]);
    if (i == 0) {
        const uint8_t *u = m->uuid;
        snprintf(out, size, "pxelinux.cfg/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                 u[14], u[15]);
    } else if (i == 1) {
        snprintf(out, size, "pxelinux.cfg/01-%02x-%02x-%02x-%02x-%02x-%02x", m->mac[0], m->mac[1],
                 m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
    } else if (i < 10) {
        snprintf(out, size, "pxelinux.cfg/%.*s", 10 - (int)i, hex);
    } else if (i == 10) {
        snprintf(out, size, "pxelinux.cfg/default");
    } else {
        return false;
    }
    return true;
}

static void start_config(struct fleet *f, struct machine *m)
{
    char rel[FLEET_NAME_MAX], path[2 * FLEET_NAME_MAX];
    if (m->configfile[0]) {
        snprintf(rel, sizeof rel, "%s", m->configfile);
    } else if (!config_candidate(m, m->config_try, rel, sizeof rel)) {
        fleet_fail(f, m, "no config file found");
        return;
    }
    snprintf(path, sizeof path, "%s%s", rel[0] == '/' ? "" : m->prefix, rel);
    start_transfer(f, m, path, OPTS("tsize\0" "0\0" "blksize\0" "1408\0"));
}

/* Start the step m->step is at (skipping those the machine's chain has not). */
void chain_next(struct fleet *f, struct machine *m)
{
    char path[2 * FLEET_NAME_MAX];
    bool bios = m->kind == FLEET_BIOS;
    if (!m->prefix[0]) {                /* pxelinux: the boot file's folder */
        const char *slash = strrchr(m->bootfile, '/');
        size_t n = slash ? (size_t)(slash - m->bootfile) + 1 : 0;
        memcpy(m->prefix, m->bootfile, n);
        m->prefix[n] = '\0';
    }
    switch (m->step) {
    case ST_DHCP_ROM:
        dhcp_start(f, m);
        return;
    case ST_BOOTFILE_PROBE:
        if (bios) {
            m->step++;
            chain_next(f, m);
            return;
        }
        m->probe = true;
        start_transfer(f, m, m->bootfile, OPTS("tsize\0" "0\0" "blksize\0" "1468\0" "windowsize\0" "4\0"));
        return;
    case ST_BOOTFILE:
        m->probe = false;
        if (bios)
            start_transfer(f, m, m->bootfile, OPTS("blksize\0" "1432\0" "tsize\0" "0\0"));
        else
            start_transfer(f, m, m->bootfile, OPTS("blksize\0" "1468\0" "windowsize\0" "4\0"));
        return;
    case ST_DHCP_LOADER:
        if (bios) {
            m->step++;
            chain_next(f, m);
            return;
        }
        dhcp_start(f, m);
        return;
    case ST_LDLINUX:
        snprintf(path, sizeof path, "%s%s", m->prefix, bios ? "ldlinux.c32" : "ldlinux.e64");
        break;
    case ST_CONFIG:
        start_config(f, m);
        return;
    case ST_KERNEL:
    case ST_INITRD: {
        const char *name = m->step == ST_KERNEL ? m->kernel : m->initrd;
        if (!name[0]) {
            fleet_fail(f, m, m->step == ST_KERNEL ? "no KERNEL in the config" : "no initrd in the config");
            return;
        }
        snprintf(path, sizeof path, "%s%s", name[0] == '/' ? "" : m->prefix, name);
        break;
    }
    case ST_END:
        tftp_close(f, m);
        m->phase = PH_DONE;
        m->t_done = fleet_now();
        f->booted++;
        f->active--;
        m->deadline = 0;
        return;
    }
    start_transfer(f, m, path, OPTS("tsize\0" "0\0" "blksize\0" "1408\0"));
}

/* The first word after KEY (case-insensitive) on a line of the config, or after
 * "initrd=" in an APPEND line. */
static void config_word(const char *text, const char *key, char *out)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        const char *hit = NULL;
        if (strncasecmp(s, key, klen) == 0 && (s[klen] == ' ' || s[klen] == '\t' || s[klen] == '='))
            hit = s + klen + 1;
        else if (strcasecmp(key, "initrd") == 0 && strncasecmp(s, "append", 6) == 0)
            hit = strcasestr(s, "initrd="), hit = hit ? hit + 7 : NULL;
        if (!hit)
            continue;
        while (*hit == ' ' || *hit == '\t')
            hit++;
        size_t n = strcspn(hit, " \t\r\n,");
        if (n >= FLEET_NAME_MAX)
            n = FLEET_NAME_MAX - 1;
        memcpy(out, hit, n);
        out[n] = '\0';
        return;
    }
}

static void transfer_done(struct fleet *f, struct machine *m)
{
    if (m->has_tsize && m->bytes != m->tsize) {
        fleet_fail(f, m, "size differs from tsize");
        return;
    }
    m->total_bytes += m->bytes;
    if (m->step == ST_CONFIG) {
        char *text = m->cfg ? m->cfg : "";
        config_word(text, "kernel", m->kernel);
        if (!m->kernel[0])
            config_word(text, "linux", m->kernel);
        config_word(text, "initrd", m->initrd);
    }
    tftp_close(f, m);
    m->deadline = 0;
    m->step++;
    /* From the timelines: a few ms between files (pxelinux.0 to ldlinux 56 ms, syslinux.efi to its DORA 53 ms). */
    fleet_pause(f, m, m->step == ST_LDLINUX && m->kind == FLEET_BIOS ? 0.056
                      : m->step == ST_DHCP_LOADER ? 0.053 : 0.004);
}

static bool on_oack(struct fleet *f, struct machine *m, const uint8_t *p, size_t n)
{
    size_t i = 2;
    while (i < n) {
        const char *name = (const char *)p + i;
        size_t nl = strnlen(name, n - i);
        if (i + nl + 1 >= n)
            break;
        const char *val = name + nl + 1;
        size_t vl = strnlen(val, n - i - nl - 1);
        if (i + nl + 1 + vl >= n)
            break;
        unsigned long v = strtoul(val, NULL, 10);
        if (strcasecmp(name, "blksize") == 0 && v >= 8 && v <= 65464)
            m->blksize = (uint16_t)v;
        else if (strcasecmp(name, "windowsize") == 0 && v >= 1 && v <= 65535)
            m->window = (uint16_t)v;
        else if (strcasecmp(name, "tsize") == 0)
            m->tsize = v, m->has_tsize = true;
        i += nl + 1 + vl + 1;
    }
    if (m->probe) {                     /* edk2 has the size: "User aborted the transfer" */
        static const char err[] = "\0\5\0\10User aborted the transfer";
        memcpy(m->last, err, sizeof err);
        m->last_len = sizeof err;
        m->last_to_69 = false;
        send_last(f, m);
        tftp_close(f, m);
        m->deadline = 0;
        m->step++;
        fleet_pause(f, m, 0.005);       /* ERROR 8 to the real RRQ: 5 ms */
        return false;
    }
    send_ack(f, m, 0);
    return true;
}

static void on_data(struct fleet *f, struct machine *m, const uint8_t *p, size_t n)
{
    uint16_t blk16 = (uint16_t)(p[2] << 8 | p[3]);
    size_t len = n - 4;
    if (blk16 != (uint16_t)m->next_block) {
        uint16_t behind = (uint16_t)(m->next_block - 1 - blk16);
        if (m->window == 1 && behind < 0x8000)
            send_ack(f, m, m->next_block - 1 - behind);     /* a duplicate: ACKed again */
        else if (m->window > 1 && (uint16_t)(blk16 - m->next_block) < 0x8000 &&
                 m->gap_at != m->next_block) {
            m->gap_at = m->next_block;
            send_ack(f, m, m->next_block - 1);      /* a gap: edk2 ACKs what it has, once */
        }
        return;
    }
    if (m->step == ST_CONFIG && m->cfg_len + len < CFG_MAX) {
        char *c = realloc(m->cfg, m->cfg_len + len + 1);
        if (c) {
            memcpy(c + m->cfg_len, p + 4, len);
            m->cfg = c;
            m->cfg_len += len;
            c[m->cfg_len] = '\0';
        }
    }
    m->bytes += len;
    bool last = len < m->blksize;
    uint32_t blk = m->next_block++;
    if (last || m->window == 1 || blk - m->acked >= m->window)
        send_ack(f, m, blk);
    if (last)
        transfer_done(f, m);
}

static void on_error(struct fleet *f, struct machine *m, const uint8_t *p, size_t n)
{
    uint16_t code = n >= 4 ? (uint16_t)(p[2] << 8 | p[3]) : 0;
    if (m->step == ST_CONFIG && !m->configfile[0] && code == 1 && m->tid == 0) {
        m->config_try++;                /* not this one: the next name of the search */
        tftp_close(f, m);
        start_config(f, m);
        return;
    }
    char why[64];
    snprintf(why, sizeof why, "TFTP ERROR %u on %s", code, m->step == ST_CONFIG ? "config" : "file");
    fleet_fail(f, m, why);
}

void tftp_on_readable(struct fleet *f, struct machine *m)
{
    uint8_t buf[65536];
    for (int k = 0; k < 64 && m->phase == PH_TFTP && m->fd >= 0; k++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(m->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0)
            return;
        if (n < 4 || from.sin_addr.s_addr != server_of(f, m))
            continue;
        if (m->tid == 0 && buf[1] != 5)
            m->tid = from.sin_port;     /* the server's transfer port (RFC 1350 section 4) */
        else if (from.sin_port != m->tid && buf[1] != 5)
            continue;
        switch (buf[1]) {
        case 3:
            if (m->last_to_69) {        /* the server ignored our options */
                m->last_to_69 = false;
                if (m->probe) {
                    fleet_fail(f, m, "no OACK to the tsize probe");
                    return;
                }
            }
            on_data(f, m, buf, (size_t)n);
            break;
        case 5:
            if (from.sin_port == m->tid || m->tid == 0)
                on_error(f, m, buf, (size_t)n);
            return;
        case 6:
            if (m->last_to_69) {
                if (!on_oack(f, m, buf, (size_t)n))
                    return;
            } else if (m->next_block == 1) {
                send_ack(f, m, 0);      /* the OACK again: our ACK 0 was lost */
            }
            break;
        }
    }
}

void tftp_on_timer(struct fleet *f, struct machine *m)
{
    m->tries++;
    if (!arm(m)) {
        char why[64];
        snprintf(why, sizeof why, "TFTP timeout on %s", m->last_to_69 ? "RRQ" : "DATA");
        fleet_fail(f, m, why);
        return;
    }
    m->retries++;
    send_last(f, m);
}
