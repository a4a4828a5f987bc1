/* ra_io.c - see ra_io.h. */
#include "ra_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "ra_wire.h"

#define MAX_RA_DELAY_MS 500         /* RFC 4861 §10 MAX_RA_DELAY_TIME */
#define STARTUP_LISTEN_MS 1000      /* no answers before a router could answer our own solicitation */
#define MIN_MULTICAST_GAP_MS 3000   /* MIN_DELAY_BETWEEN_RAS, for answers to :: */
#define PENDING_MAX 16              /* hosts waiting for one delayed answer */
#define READS_PER_WAKEUP 32

struct ra_link {
    struct ra_io *io;
    char name[IF_NAMESIZE];
    unsigned ifindex;
    uint8_t mac[6];
    int fd;
    uv_poll_t poll;
    uv_timer_t delay;
    struct in6_addr pending[PENDING_MAX];   /* who the delayed answer goes to */
    size_t n_pending;
    uint64_t last_multicast_ms;
    uint64_t answer_from_ms;    /* loop time before which nothing is answered */
    bool router_seen;       /* a real IPv6 router advertises here: stay quiet */
    struct log_ratelimit rl_bad;
};

struct ra_io {
    struct ra_link *links;
    size_t n_links;
    unsigned open_handles;
    bool stopping;
};

static const struct in6_addr all_nodes = { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } };
static const struct in6_addr all_routers = { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 } } };

static const char *addr_text(const struct in6_addr *a, char *buf, size_t size)
{
    return inet_ntop(AF_INET6, a, buf, (socklen_t)size) ? buf : "?";
}

static void send_advertisement(struct ra_link *l, const struct in6_addr *to)
{
    uint8_t ra[RA_ADVERT_LEN];
    size_t len = ra_build_advertisement(l->mac, ra, sizeof ra);
    struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_addr = *to, .sin6_scope_id = l->ifindex };
    char text[INET6_ADDRSTRLEN];
    if (sendto(l->fd, ra, len, MSG_DONTWAIT, (const struct sockaddr *)&dst, sizeof dst) < 0)
        log_limited(&l->rl_bad, LOG_WARN, "IPv6: router advertisement to %s on %s: %s",
                    addr_text(to, text, sizeof text), l->name, strerror(errno));
    else
        log_debug("IPv6: answered the router solicitation of %s on %s (no prefix, not a router)",
                  addr_text(to, text, sizeof text), l->name);
}

static void delay_cb(uv_timer_t *t)
{
    struct ra_link *l = t->data;
    /* Nothing is pending once a router was seen (readable_cb drops it). */
    for (size_t i = 0; i < l->n_pending; i++)
        send_advertisement(l, &l->pending[i]);
    l->n_pending = 0;
}

/* A valid solicitation from `from`: queue it for the next delayed answer. */
static void solicited(struct ra_link *l, const struct in6_addr *from)
{
    const struct in6_addr *to = from;
    if (IN6_IS_ADDR_UNSPECIFIED(from)) {
        /* No address to answer: all nodes, rate limited (RFC 4861 §6.2.6). */
        uint64_t now = uv_now(l->delay.loop);
        if (l->last_multicast_ms && now - l->last_multicast_ms < MIN_MULTICAST_GAP_MS)
            return;
        l->last_multicast_ms = now;
        to = &all_nodes;
    }
    for (size_t i = 0; i < l->n_pending; i++)
        if (IN6_ARE_ADDR_EQUAL(&l->pending[i], to))
            return;
    if (l->n_pending == PENDING_MAX)
        return;             /* a flood: the hosts ask again */
    l->pending[l->n_pending++] = *to;
    if (!uv_is_active((const uv_handle_t *)&l->delay)) {
        uint64_t now = uv_now(l->delay.loop), wait = arc4random_uniform(MAX_RA_DELAY_MS + 1);
        if (now + wait < l->answer_from_ms)
            wait = l->answer_from_ms - now;
        uv_timer_start(&l->delay, delay_cb, wait, 0);
    }
}

static void readable_cb(uv_poll_t *h, int status, int events)
{
    struct ra_link *l = h->data;
    (void)events;
    if (status < 0)
        return;
    for (int n = 0; n < READS_PER_WAKEUP; n++) {
        uint8_t msg[1280];
        struct sockaddr_in6 from;
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } control;
        struct iovec iov = { msg, sizeof msg };
        struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                             .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf };
        ssize_t len = recvmsg(l->fd, &mh, MSG_DONTWAIT);
        if (len < 0)
            return;
        int hop_limit = -1;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT)
                memcpy(&hop_limit, CMSG_DATA(cm), sizeof hop_limit);
        char text[INET6_ADDRSTRLEN];
        const char *why;
        if (ra_is_advertisement(msg, (size_t)len)) {
            if (!ra_advertisement_valid(msg, (size_t)len, hop_limit,
                                        IN6_IS_ADDR_LINKLOCAL(&from.sin6_addr), &why)) {
                log_limited(&l->rl_bad, LOG_WARN, "IPv6: ignored a router advertisement from %s on %s: %s",
                            addr_text(&from.sin6_addr, text, sizeof text), l->name, why);
                continue;
            }
            if (!l->router_seen) {
                l->router_seen = true;
                l->n_pending = 0;
                log_warn("IPv6: router %s advertises on %s: no longer answering router "
                         "solicitations there", addr_text(&from.sin6_addr, text, sizeof text), l->name);
            }
            continue;
        }
        if (!ra_solicitation_valid(msg, (size_t)len, hop_limit, IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr),
                                   &why)) {
            log_limited(&l->rl_bad, LOG_DEBUG, "IPv6: ignored a router solicitation from %s on %s: %s",
                        addr_text(&from.sin6_addr, text, sizeof text), l->name, why);
            continue;
        }
        if (!l->router_seen)
            solicited(l, &from.sin6_addr);
    }
}

static int open_link(struct ra_link *l)
{
    int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (fd < 0)
        return -errno;
    l->fd = fd;
    struct icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(RA_ICMP_ROUTER_SOLICIT, &filter);
    ICMP6_FILTER_SETPASS(RA_ICMP_ROUTER_ADVERT, &filter);
    int on = 1, off = 0, hops = RA_HOP_LIMIT;
    struct ipv6_mreq join = { .ipv6mr_multiaddr = all_routers, .ipv6mr_interface = l->ifindex };
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, l->name, sizeof l->name);
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, l->name, (socklen_t)strlen(l->name)) < 0 ||
        setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) < 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) < 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) < 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) < 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &join, sizeof join) < 0 ||
        ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
        return -errno;
    memcpy(l->mac, ifr.ifr_hwaddr.sa_data, sizeof l->mac);
    return 0;
}

static void handle_closed(uv_handle_t *h)
{
    struct ra_io *io = ((struct ra_link *)h->data)->io;
    if (--io->open_handles == 0) {
        for (size_t i = 0; i < io->n_links; i++)
            if (io->links[i].fd >= 0)
                close(io->links[i].fd);
        free(io->links);
        free(io);
    }
}

int ra_io_start(uv_loop_t *loop, const struct config *cfg, struct ra_io **out)
{
    *out = NULL;
    if (!cfg->answer_router_solicitations || cfg->n_interfaces == 0)
        return 0;
    struct ra_io *io = calloc(1, sizeof *io);
    struct ra_link *links = calloc(cfg->n_interfaces, sizeof *links);
    if (!io || !links) {
        free(io);
        free(links);
        return -ENOMEM;
    }
    io->links = links;
    uv_update_time(loop);
    for (size_t i = 0; i < cfg->n_interfaces; i++) {
        struct ra_link *l = &links[io->n_links];
        memset(l, 0, sizeof *l);
        l->io = io;
        l->fd = -1;
        l->rl_bad = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 5);
        snprintf(l->name, sizeof l->name, "%s", cfg->interfaces[i]);
        l->ifindex = if_nametoindex(l->name);
        int err = l->ifindex ? open_link(l) : -ENODEV;
        if (err < 0) {
            log_warn("IPv6: not answering router solicitations on %s: %s", l->name, strerror(-err));
            if (l->fd >= 0)
                close(l->fd);
            continue;
        }
        uv_poll_init_socket(loop, &l->poll, l->fd);
        uv_timer_init(loop, &l->delay);
        l->poll.data = l->delay.data = l;
        io->open_handles += 2;
        uv_poll_start(&l->poll, UV_READABLE, readable_cb);
        io->n_links++;
        l->answer_from_ms = uv_now(loop) + STARTUP_LISTEN_MS;
        log_info("IPv6: answering router solicitations on %s (no prefix, not a default router)",
                 l->name);
        /* Ask once ourselves: a real router answers within 0.5 s (RFC 4861
         * MAX_RA_DELAY_TIME), and readable_cb then silences this link; no
         * client gets an answer in the first second (answer_from_ms). Fails while
         * the link-local address is still tentative: then the router's
         * next advertisement does the same, later. */
        uint8_t rs[RA_SOLICIT_LEN];
        struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_addr = all_routers,
                                    .sin6_scope_id = l->ifindex };
        if (sendto(l->fd, rs, ra_build_solicitation(l->mac, rs, sizeof rs), MSG_DONTWAIT,
                   (const struct sockaddr *)&dst, sizeof dst) < 0)
            log_debug("IPv6: router solicitation on %s: %s", l->name, strerror(errno));
    }
    if (io->n_links == 0) {
        free(links);
        free(io);
        return 0;
    }
    *out = io;
    return 0;
}

void ra_io_stop(struct ra_io *io)
{
    if (!io || io->stopping)
        return;
    io->stopping = true;
    for (size_t i = 0; i < io->n_links; i++) {
        uv_close((uv_handle_t *)&io->links[i].poll, handle_closed);
        uv_close((uv_handle_t *)&io->links[i].delay, handle_closed);
    }
}
