/* fleet_sim.c - a fleet of PXE machines powering on at once, in one process.
 *
 *   fleet_sim --iface IF --server ADDR --machines N [--uefi PCT] [--window S]
 *             [--pauses SCALE] [--timeout S] [--seed N] [--out FILE] [--dhcp-only]
 *
 * Each simulated machine has its own MAC, UUID and xid and walks its boot
 * chain (fleet_dhcp.c, fleet_tftp.c): BIOS machines as SeaBIOS + iPXE +
 * pxelinux, UEFI machines (PCT of them, default 60) as OVMF's edk2 +
 * syslinux.efi. Machine i powers on at a random moment of the first S seconds
 * (--window, default 0: all at once). --pauses scales the client's own waits
 * the QEMU timelines show (edk2 collecting OFFERs 3.7 s, twice; a few ms
 * between files): 1 as measured, 0 (default) none. Retransmission timers are
 * the firmwares' own, never scaled.
 *
 * Addresses: every machine sends and receives from the address it was
 * leased. The simulator neither adds addresses nor answers ARP: the caller
 * makes the pool local to the client namespace with one route
 *     ip route add local POOL/PREFIX dev lo
 * (the kernel then answers ARP for every address in it, with the interface's
 * MAC) and sets the interface promiscuous, because the servers unicast OFFER
 * and ACK to the MAC in chaddr (iPXE leaves the broadcast flag clear). The
 * server's neighbour table holds one entry per machine.
 *
 * One DHCP socket (0.0.0.0:68, bound to IF) and one socket per transfer in
 * flight, all on one epoll loop; timers are deadlines scanned every
 * millisecond. Prints one summary line; --out writes one line per machine:
 *   idx kind mac ip on addr done retries bytes status reason
 * (times in seconds from the start; addr and done relative to power-on).
 * --dhcp-only ends each machine's boot at its first ACK (DHCP rates).
 * Exits 0 when every machine booted, 1 when any failed. */
#define _GNU_SOURCE
#include "fleet_sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DHCP_TAG 0xffffffffu

double fleet_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fleet_timer(struct machine *m, double seconds)
{
    m->deadline = fleet_now() + seconds;
}

void fleet_pause(struct fleet *f, struct machine *m, double seconds)
{
    m->phase = PH_PAUSE;
    m->deadline = fleet_now() + seconds * f->pause_scale;
}

void fleet_fail(struct fleet *f, struct machine *m, const char *why)
{
    if (m->phase == PH_DONE || m->phase == PH_FAILED)
        return;
    tftp_close(f, m);
    snprintf(m->reason, sizeof m->reason, "%s", why);
    m->phase = PH_FAILED;
    m->deadline = 0;
    m->t_done = fleet_now();
    f->failed++;
    f->active--;
    if (f->verbose)
        fprintf(stderr, "fleet_sim: machine %u failed at step %d (%s): %s\n", m->idx, m->step, m->file, why);
}

/* splitmix64: the same fleet for the same seed. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void make_fleet(struct fleet *f, unsigned uefi_pct, double window, uint64_t seed)
{
    uint64_t s = seed;
    for (unsigned i = 0; i < f->n; i++) {
        struct machine *m = &f->m[i];
        memset(m, 0, sizeof *m);
        m->idx = i;
        m->fd = -1;
        /* UEFI machines spread evenly through the index range: any prefix of
         * the fleet has the ratio too. */
        m->kind = (i * uefi_pct) / 100 != ((i + 1) * uefi_pct) / 100 ? FLEET_UEFI : FLEET_BIOS;
        uint64_t r = next_rand(&s);
        m->mac[0] = 0x02;               /* locally administered */
        m->mac[1] = 0xfb;
        m->mac[2] = (uint8_t)(seed >> 8);
        m->mac[3] = (uint8_t)seed;
        m->mac[4] = (uint8_t)(i >> 8);
        m->mac[5] = (uint8_t)i;
        for (int k = 0; k < 16; k++)
            m->uuid[k] = (uint8_t)(next_rand(&s) >> 24);
        m->xid = (uint32_t)(r & 0xffff0000u) | i;
        m->t_on = f->t0 + (window > 0 ? window * (double)(next_rand(&s) >> 11) / 9007199254740992.0 : 0);
        m->phase = PH_OFF;
        m->step = ST_DHCP_ROM;
    }
}

static int open_dhcp(const char *iface)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1, rcvbuf = 8 << 20;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)) < 0) {
        perror("fleet_sim: SO_BINDTODEVICE");
        close(fd);
        return -1;
    }
    struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(68) };
    if (bind(fd, (struct sockaddr *)&me, sizeof me) < 0) {
        perror("fleet_sim: bind :68");
        close(fd);
        return -1;
    }
    return fd;
}

static void drain_dhcp(struct fleet *f)
{
    uint8_t buf[1500];
    for (int k = 0; k < 256; k++) {
        ssize_t n = recv(f->dhcp_fd, buf, sizeof buf, 0);
        if (n < 0)
            return;
        dhcp_on_reply(f, buf, (size_t)n);
    }
}

/* Power machines on, and fire the timers that are due. */
static void scan(struct fleet *f, double t)
{
    for (unsigned i = 0; i < f->n; i++) {
        struct machine *m = &f->m[i];
        if (m->phase == PH_OFF) {
            if (t >= m->t_on) {
                f->active++;
                m->t_on = t;
                chain_next(f, m);
            }
            continue;
        }
        if (!m->deadline || t < m->deadline)
            continue;
        m->deadline = 0;
        switch (m->phase) {
        case PH_PAUSE:
            if (m->step == ST_DHCP_ROM || m->step == ST_DHCP_LOADER)
                dhcp_on_pause_end(f, m);
            else
                chain_next(f, m);
            break;
        case PH_DISCOVER:
        case PH_REQUEST:
            dhcp_on_timer(f, m);
            break;
        case PH_TFTP:
            tftp_on_timer(f, m);
            break;
        default:
            break;
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(double *v, unsigned n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    unsigned i = (unsigned)(p * (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void report(struct fleet *f, const char *out, double end)
{
    double *boot = calloc(f->n + 1, sizeof *boot), *addr = calloc(f->n + 1, sizeof *addr);
    unsigned nb = 0, na = 0;
    unsigned long retries = 0;
    double last = f->t0;
    FILE *o = out ? fopen(out, "w") : NULL;
    if (out && !o)
        perror(out);
    for (unsigned i = 0; i < f->n; i++) {
        struct machine *m = &f->m[i];
        retries += m->retries;
        bool on = m->phase != PH_OFF;
        if (m->t_addr)
            addr[na++] = m->t_addr - m->t_on;
        if (m->phase == PH_DONE) {
            boot[nb++] = m->t_done - m->t_on;
            if (m->t_done > last)
                last = m->t_done;
        }
        if (o) {
            char ip[16];
            inet_ntop(AF_INET, &m->yiaddr, ip, sizeof ip);
            fprintf(o, "%u %s %02x:%02x:%02x:%02x:%02x:%02x %s %.4f %.4f %.4f %u %llu %s %s\n", i,
                    m->kind == FLEET_UEFI ? "uefi" : "bios", m->mac[0], m->mac[1], m->mac[2], m->mac[3],
                    m->mac[4], m->mac[5], ip, on ? m->t_on - f->t0 : -1, m->t_addr ? m->t_addr - m->t_on : -1,
                    m->phase == PH_DONE ? m->t_done - m->t_on : -1, m->retries,
                    (unsigned long long)m->total_bytes,
                    m->phase == PH_DONE ? "booted" : m->phase == PH_FAILED ? "failed" : "unfinished",
                    m->reason[0] ? m->reason : "-");
        }
    }
    if (o)
        fclose(o);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    double span = last - f->t0;
    printf("fleet machines %u booted %u failed %u unfinished %u span_s %.2f per_min %.1f "
           "boot_p50 %.3f boot_p99 %.3f addr_p50 %.3f addr_p99 %.3f retries %lu rrq %lu dhcp_sent %lu "
           "sim_cpu %.2f elapsed %.2f\n",
           f->n, f->booted, f->failed, f->n - f->booted - f->failed, span,
           span > 0 ? f->booted / span * 60 : 0, percentile(boot, nb, 0.5), percentile(boot, nb, 0.99),
           percentile(addr, na, 0.5), percentile(addr, na, 0.99), retries, f->tftp_rrq, f->dhcp_sent,
           cpu, end - f->t0);
    free(boot);
    free(addr);
}

static void usage(void)
{
    fprintf(stderr, "usage: fleet_sim --iface IF --server ADDR --machines N [--uefi PCT] [--window S]\n"
                    "                 [--pauses SCALE] [--timeout S] [--seed N] [--out FILE] [--verbose]\n"
                    "                 [--dhcp-only]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "iface", 1, 0, 'i' }, { "server", 1, 0, 's' }, { "machines", 1, 0, 'n' },
        { "uefi", 1, 0, 'u' }, { "window", 1, 0, 'w' }, { "pauses", 1, 0, 'p' },
        { "timeout", 1, 0, 't' }, { "seed", 1, 0, 'S' }, { "out", 1, 0, 'o' },
        { "verbose", 0, 0, 'v' }, { "dhcp-only", 0, 0, 'd' }, { 0, 0, 0, 0 } };
    struct fleet f = { .pause_scale = 0 };
    const char *iface = NULL, *out = NULL;
    long n = 0, uefi = 60;
    double window = 0, timeout = 600;
    uint64_t seed = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'i': iface = optarg; break;
        case 's': if (inet_pton(AF_INET, optarg, &f.server) != 1) usage(); break;
        case 'n': n = atol(optarg); break;
        case 'u': uefi = atol(optarg); break;
        case 'w': window = atof(optarg); break;
        case 'p': f.pause_scale = atof(optarg); break;
        case 't': timeout = atof(optarg); break;
        case 'S': seed = strtoull(optarg, NULL, 10); break;
        case 'o': out = optarg; break;
        case 'v': f.verbose = true; break;
        case 'd': f.dhcp_only = true; break;
        default: usage();
        }
    }
    if (!iface || !f.server || n < 1 || n > FLEET_MAX_MACHINES || uefi < 0 || uefi > 100 || window < 0 ||
        f.pause_scale < 0 || timeout <= 0)
        usage();
    /* One socket per machine at most, and the DHCP one. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    f.n = (unsigned)n;
    f.m = calloc(f.n, sizeof *f.m);
    f.epfd = epoll_create1(EPOLL_CLOEXEC);
    f.dhcp_fd = open_dhcp(iface);
    if (!f.m || f.epfd < 0 || f.dhcp_fd < 0)
        return 1;
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = DHCP_TAG };
    epoll_ctl(f.epfd, EPOLL_CTL_ADD, f.dhcp_fd, &ev);
    f.t0 = fleet_now();
    make_fleet(&f, (unsigned)uefi, window, seed);

    double end = f.t0 + timeout, t = f.t0;
    struct epoll_event evs[256];
    while (f.booted + f.failed < f.n && t < end) {
        int k = epoll_wait(f.epfd, evs, 256, 1);
        if (k < 0 && errno != EINTR) {
            perror("fleet_sim: epoll_wait");
            break;
        }
        for (int i = 0; i < k; i++) {
            if (evs[i].data.u32 == DHCP_TAG)
                drain_dhcp(&f);
            else if (evs[i].data.u32 < f.n)
                tftp_on_readable(&f, &f.m[evs[i].data.u32]);
        }
        t = fleet_now();
        scan(&f, t);
    }
    report(&f, out, t);
    if (f.verbose)
        for (unsigned i = 0; i < f.n; i++)
            if (f.m[i].phase != PH_DONE && f.m[i].phase != PH_FAILED && f.m[i].phase != PH_OFF)
                fprintf(stderr, "fleet_sim: machine %u unfinished at step %d phase %d (%s)\n", i,
                        f.m[i].step, f.m[i].phase, f.m[i].file);
    return f.booted == f.n ? 0 : 1;
}
