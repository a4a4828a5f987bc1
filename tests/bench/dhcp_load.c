/* dhcp_load.c - closed-loop DHCPv4 load for `make bench`.
 *
 *   dhcp_load SERVER GIADDR CLIENTS SECONDS [MAC_GROUP]
 *
 * Acts as a relay agent bound to GIADDR:67 and keeps CLIENTS DORA exchanges
 * in flight: each simulated client sends DISCOVER, answers the OFFER with a
 * REQUEST, and as soon as its ACK arrives starts over. Prints the completed
 * DORA exchanges per second and the loader's own CPU time.
 *
 * Why not only perfdhcp: perfdhcp is open-loop (a fixed rate) and uses a whole
 * core at about 10,000 DORA/s on this machine, so past that it measures
 * itself. This loader batches with recvmmsg/sendmmsg and answers replies as
 * fast as the server sends them, so the rate it reports is the server's.
 * Relay mode means replies come back unicast to GIADDR:67, with no broadcast
 * or promiscuous receive in the way. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PACKET_LEN 300          /* BOOTP minimum, what most clients send */
#define MAX_CLIENTS 65535
#define REPLY_TIMEOUT 0.5       /* seconds before an exchange counts as lost */

enum { WAIT_OFFER, WAIT_ACK };

struct client {
    uint8_t state;
    uint16_t seq;               /* high half of the xid, bumped per exchange */
    double started;             /* when the DISCOVER went out */
    double last_sent;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in server;
static uint8_t mac_group;
static struct in_addr giaddr;
static struct mmsghdr out_msgs[BATCH];
static struct iovec out_iov[BATCH];
static uint8_t out_buf[BATCH][PACKET_LEN];
static unsigned out_count;

static void flush(int fd)
{
    unsigned done = 0;
    while (done < out_count) {
        int n = sendmmsg(fd, out_msgs + done, out_count - done, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("dhcp_load: sendmmsg");
            break;
        }
        done += (unsigned)n;
    }
    out_count = 0;
}

/* Queue one DISCOVER or REQUEST for client idx. */
static void queue_packet(int fd, unsigned idx, const struct client *c, int type,
                         uint32_t requested, uint32_t server_id)
{
    if (out_count == BATCH)
        flush(fd);
    uint8_t *p = out_buf[out_count];
    memset(p, 0, PACKET_LEN);
    p[0] = 1; p[1] = 1; p[2] = 6; p[3] = 1;          /* BOOTREQUEST, ethernet, hops 1 */
    uint32_t xid = htonl(((uint32_t)c->seq << 16) | idx);
    memcpy(p + 4, &xid, 4);
    memcpy(p + 24, &giaddr, 4);
    uint8_t mac[6] = { 0x02, 0x4c, 0x44, mac_group, (uint8_t)(idx >> 8), (uint8_t)idx };
    memcpy(p + 28, mac, 6);
    static const uint8_t cookie[4] = { 99, 130, 83, 99 };
    memcpy(p + 236, cookie, 4);
    uint8_t *o = p + 240;
    *o++ = 53; *o++ = 1; *o++ = (uint8_t)type;
    if (type == 3) {
        *o++ = 50; *o++ = 4; memcpy(o, &requested, 4); o += 4;
        *o++ = 54; *o++ = 4; memcpy(o, &server_id, 4); o += 4;
    }
    *o++ = 55; *o++ = 4; *o++ = 1; *o++ = 3; *o++ = 6; *o++ = 51;
    *o = 255;
    out_iov[out_count] = (struct iovec){ p, PACKET_LEN };
    out_msgs[out_count].msg_hdr = (struct msghdr){
        .msg_name = &server, .msg_namelen = sizeof server,
        .msg_iov = &out_iov[out_count], .msg_iovlen = 1 };
    out_count++;
}

static void start_exchange(int fd, unsigned idx, struct client *c, double t)
{
    c->seq++;
    c->state = WAIT_OFFER;
    c->started = c->last_sent = t;
    queue_packet(fd, idx, c, 1, 0, 0);
}

/* Option CODE of a reply as a pointer to its LEN bytes, or NULL. */
static const uint8_t *find_option(const uint8_t *p, size_t n, uint8_t code, uint8_t *len)
{
    size_t i = 240;
    while (i < n) {
        uint8_t c = p[i];
        if (c == 255)
            break;
        if (c == 0) { i++; continue; }
        if (i + 1 >= n || i + 2 + p[i + 1] > n)
            return NULL;
        if (c == code) {
            *len = p[i + 1];
            return p + i + 2;
        }
        i += 2 + (size_t)p[i + 1];
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: dhcp_load SERVER GIADDR CLIENTS SECONDS [MAC_GROUP]\n");
        return 2;
    }
    /* Two loaders at once (two servers on one lease database): each its
     * own clients, MACs 02:4c:44:GROUP:xx:xx. */
    mac_group = argc == 6 ? (uint8_t)atoi(argv[5]) : 0;
    server = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(67) };
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1 || inet_pton(AF_INET, argv[2], &giaddr) != 1) {
        fprintf(stderr, "dhcp_load: bad address\n");
        return 2;
    }
    long nclients = atol(argv[3]);
    double seconds = atof(argv[4]);
    if (nclients < 1 || nclients > MAX_CLIENTS || seconds <= 0) {
        fprintf(stderr, "dhcp_load: CLIENTS 1-%d, SECONDS > 0\n", MAX_CLIENTS);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int one = 1, rcvbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(67), .sin_addr = giaddr };
    if (bind(fd, (struct sockaddr *)&me, sizeof me) < 0) {
        perror("dhcp_load: bind");
        return 1;
    }
    struct client *clients = calloc((size_t)nclients, sizeof *clients);
    if (!clients)
        return 1;

    static uint8_t in_buf[BATCH][1500];
    struct mmsghdr in_msgs[BATCH];
    struct iovec in_iov[BATCH];
    for (unsigned i = 0; i < BATCH; i++) {
        in_iov[i] = (struct iovec){ in_buf[i], sizeof in_buf[i] };
        in_msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &in_iov[i], .msg_iovlen = 1 };
    }

    double t0 = now(), end = t0 + seconds, last_scan = t0;
    unsigned long done = 0, lost = 0, naks = 0, bad = 0;
    double latency_sum = 0;
    for (long i = 0; i < nclients; i++)
        start_exchange(fd, (unsigned)i, &clients[i], t0);
    flush(fd);

    for (;;) {
        double t = now();
        if (t >= end)
            break;
        struct pollfd pfd = { fd, POLLIN, 0 };
        if (poll(&pfd, 1, 10) < 0 && errno != EINTR)
            break;
        int n = recvmmsg(fd, in_msgs, BATCH, MSG_DONTWAIT, NULL);
        t = now();
        for (int m = 0; m < n; m++) {
            const uint8_t *p = in_buf[m];
            size_t len = in_msgs[m].msg_len;
            uint8_t olen = 0;
            const uint8_t *type = len >= 240 && p[0] == 2 ? find_option(p, len, 53, &olen) : NULL;
            if (!type || olen != 1) { bad++; continue; }
            uint32_t xid;
            memcpy(&xid, p + 4, 4);
            xid = ntohl(xid);
            unsigned idx = xid & 0xffff;
            if (idx >= (unsigned)nclients || clients[idx].seq != (xid >> 16))
                continue;                       /* a reply to an exchange we gave up on */
            struct client *c = &clients[idx];
            if (c->state == WAIT_OFFER && type[0] == 2) {
                uint32_t yiaddr, sid = 0;
                memcpy(&yiaddr, p + 16, 4);
                const uint8_t *s = find_option(p, len, 54, &olen);
                if (s && olen == 4)
                    memcpy(&sid, s, 4);
                c->state = WAIT_ACK;
                c->last_sent = t;
                queue_packet(fd, idx, c, 3, yiaddr, sid);
            } else if (c->state == WAIT_ACK && (type[0] == 5 || type[0] == 6)) {
                if (type[0] == 5) {
                    done++;
                    latency_sum += t - c->started;
                } else {
                    naks++;
                }
                start_exchange(fd, idx, c, t);
            }
        }
        if (t - last_scan > 0.05) {             /* give up on exchanges with no reply */
            last_scan = t;
            for (long i = 0; i < nclients; i++)
                if (t - clients[i].last_sent > REPLY_TIMEOUT) {
                    lost++;
                    start_exchange(fd, (unsigned)i, &clients[i], t);
                }
        }
        flush(fd);
    }
    double elapsed = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("dora_per_s %.0f done %lu lost %lu naks %lu bad %lu avg_ms %.3f loader_cpu %.2f seconds %.1f\n",
           (double)done / elapsed, done, lost, naks, bad, done ? latency_sum / (double)done * 1e3 : 0.0,
           cpu, elapsed);
    return done ? 0 : 1;
}
