/* tftp_io.c - the libuv shell of the TFTP server (see tftp_io.h).
 *
 * The pure parts decide (tftp_wire: parse/negotiate, tftp_path: where,
 * tftp_session: which blocks when); tftp_send puts the blocks on the wire;
 * this file owns the sockets, timers and transfer list and wires them
 * together. The send buffer is shared by all transfers: every send copies
 * the data into the kernel before it returns, so one buffer is enough. */
#include "tftp_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "netif.h"
#include "tftp_path.h"
#include "tftp_send.h"
#include "tftp_session.h"
#include "tftp_wire.h"

struct tftp_listener {
    uv_udp_t udp;
    struct netif nif;
    struct tftp_server *srv;
    bool open;
};

struct tftp_xfer {
    struct tftp_server *srv;
    struct tftp_xfer *prev, *next;
    struct tftp_sender tx;      /* socket (this transfer's TID), peer, file, buffers */
    uv_poll_t poll;             /* tx.sock readable: one datagram read per wakeup */
    uv_timer_t timer;
    int handles_open;
    struct tftp_session s;
    struct tftp_accepted acc;
    uint8_t oack[256];
    size_t oack_len;
    uint64_t start_ms;
    bool final_sent;            /* the last block went out at least once */
    uint64_t last_rx_ns;        /* uv_hrtime() of its last datagram (busy polling) */
    uint64_t rx_gap_ns;         /* average time between its datagrams */
    bool finished;
    char file[TFTP_MAX_FILENAME + 1];
};

struct tftp_server {
    uv_loop_t *loop;
    int root_fd;
    struct config_tftp cfg;
    char *root;
    struct tftp_listener *listeners;
    size_t n_listeners;
    struct tftp_xfer *xfers;
    unsigned n_xfers;
    tftp_report_cb report;
    void *ctx;
    bool stopping;
    int handles_open;
    struct tftp_send_buf *sendbuf;
    struct log_ratelimit rl_bad, rl_busy;
    uv_idle_t busy_poll;        /* active: the loop polls instead of sleeping */
    bool busy_poll_hit;         /* a datagram came while this round polled */
    unsigned busy_poll_misses;  /* rounds in a row that polled in vain */
    uint64_t busy_poll_until;   /* uv_hrtime() at which polling stops */
    uint64_t busy_poll_resume;  /* after too many misses: no polling before this */
};

static void maybe_free_server(struct tftp_server *srv)
{
    if (!srv->stopping || srv->handles_open > 0 || srv->xfers)
        return;
    if (srv->root_fd >= 0)
        close(srv->root_fd);
    free(srv->listeners);
    free(srv->root);
    free(srv->sendbuf);
    free(srv);
}

static const char *peer_text(const struct sockaddr_in *sin, char *buf, size_t size)
{
    char ip[16];
    inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
    snprintf(buf, size, "%s:%u", ip, ntohs(sin->sin_port));
    return buf;
}

static void send_error_fd(int fd, const struct sockaddr_in *to, uint16_t code, const char *msg)
{
    uint8_t pkt[300];
    size_t len = tftp_build_error(code, msg, pkt, sizeof pkt);
    if (len)
        (void)sendto(fd, pkt, len, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof *to);
}

static void send_error(uv_udp_t *udp, const struct sockaddr_in *to, uint16_t code, const char *msg)
{
    int fd;
    if (uv_fileno((const uv_handle_t *)udp, &fd) == 0)
        send_error_fd(fd, to, code, msg);
}

/* ---- one transfer ---- */

static void xfer_handle_closed(uv_handle_t *h)
{
    struct tftp_xfer *x = h->data;
    if (--x->handles_open > 0)
        return;
    struct tftp_server *srv = x->srv;
    if (x->prev)
        x->prev->next = x->next;
    else
        srv->xfers = x->next;
    if (x->next)
        x->next->prev = x->prev;
    srv->n_xfers--;
    close(x->tx.sock);  /* only now: libuv watched it until the handle closed */
    tftp_sender_free(&x->tx);
    free(x);
    maybe_free_server(srv);
}

/* Is `a` this transfer's client: its address and its port (TID)? */
static bool is_client(const struct tftp_xfer *x, const struct sockaddr_in *a)
{
    return a->sin_family == AF_INET && a->sin_addr.s_addr == x->tx.peer.sin_addr.s_addr &&
           a->sin_port == x->tx.peer.sin_port;
}

/* End the transfer: one log line and one report. `error` says why it
 * failed, or, when ok, is an optional note appended to the log line. */
static void xfer_finish(struct tftp_xfer *x, bool ok, const char *error, bool quiet)
{
    if (x->finished)
        return;
    x->finished = true;
    struct tftp_server *srv = x->srv;
    double secs = (double)(uv_now(srv->loop) - x->start_ms) / 1000.0;
    char ip[16];
    inet_ntop(AF_INET, &x->tx.peer.sin_addr, ip, sizeof ip);
    if (ok) {
        double kib = (double)x->s.size / 1024.0;
        char resent[80] = "";
        if (x->s.retransmitted)
            snprintf(resent, sizeof resent, ", %llu blocks resent, %llu after %u timeouts",
                     (unsigned long long)x->s.retransmitted,
                     (unsigned long long)x->s.retransmitted_on_timeout, x->s.timeouts);
        log_info("TFTP sent %s to %s: %.0f %s in %.2f s, blksize %u, window %u%s%s%s", x->file, ip,
                 kib >= 10240 ? kib / 1024 : kib, kib >= 10240 ? "MiB" : "KiB", secs,
                 x->s.blksize, x->s.windowsize, resent, error ? "; " : "", error ? error : "");
    } else if (!quiet) {
        log_warn("TFTP %s to %s failed: %s", x->file, ip, error);
    } else {
        log_debug("TFTP %s to %s: %s", x->file, ip, error);
    }
    if (srv->report && !quiet) {
        struct tftp_transfer_report r = {
            .client_ip = ntohl(x->tx.peer.sin_addr.s_addr), .client_port = ntohs(x->tx.peer.sin_port),
            .file = x->file, .bytes = ok ? x->s.size : (uint64_t)x->s.acked * x->s.blksize,
            .seconds = secs, .ok = ok, .error = ok ? NULL : error, .blksize = x->s.blksize,
            .windowsize = x->s.windowsize };
        srv->report(&r, srv->ctx);
    }
    uv_timer_stop(&x->timer);
    uv_poll_stop(&x->poll);
    uv_close((uv_handle_t *)&x->timer, xfer_handle_closed);
    uv_close((uv_handle_t *)&x->poll, xfer_handle_closed);
}

/* Send blocks first..last; a read error ends the transfer. */
static void send_blocks(struct tftp_xfer *x, uint32_t first, uint32_t last)
{
    const char *why = NULL;
    long sent = tftp_send_blocks(&x->tx, &x->s, first, last, &why);
    if (sent < 0) {
        send_error_fd(x->tx.sock, &x->tx.peer, TFTP_ERR_UNDEFINED, "read error");
        xfer_finish(x, false, why ? why : "read error", false);
        return;
    }
    /* Netascii ran on an upper bound of its size until the conversion met
     * the end of the file (tftp_netascii.h). */
    if (x->tx.ascii && x->tx.ascii->ended && x->s.size != x->tx.ascii->size)
        tftp_session_set_size(&x->s, x->tx.ascii->size);
    if ((uint32_t)sent < last - first + 1)
        tftp_session_sent(&x->s, first + (uint32_t)sent - 1);
    if (sent > 0 && first + (uint32_t)sent - 1 == x->s.last_block)
        x->final_sent = true;
}

static void arm_timer(struct tftp_xfer *x);

static void apply(struct tftp_xfer *x, const struct tftp_send *what)
{
    if (x->s.state == TFTP_SESSION_DONE) {
        xfer_finish(x, true, NULL, false);
        return;
    }
    if (x->s.state == TFTP_SESSION_FAILED) {
        xfer_finish(x, false, "client stopped answering (retries exhausted)", false);
        return;
    }
    if (what->oack)
        (void)sendto(x->tx.sock, x->oack, x->oack_len, MSG_DONTWAIT, (const struct sockaddr *)&x->tx.peer,
                     sizeof x->tx.peer);
    if (what->first <= what->last)
        send_blocks(x, what->first, what->last);
    if (!x->finished)
        arm_timer(x);
}

static void timer_cb(uv_timer_t *t)
{
    struct tftp_xfer *x = t->data;
    struct tftp_send what;
    tftp_session_on_timeout(&x->s, (int64_t)uv_now(x->srv->loop), &what);
    apply(x, &what);
}

static void arm_timer(struct tftp_xfer *x)
{
    int64_t now = (int64_t)uv_now(x->srv->loop);
    int64_t wait = x->s.deadline_ms > now ? x->s.deadline_ms - now : 0;
    uv_timer_start(&x->timer, timer_cb, (uint64_t)wait, 0);
}

/* Every receive callback consumes its datagram before returning, on the
 * one loop thread: all sockets can share one receive buffer. Requests are
 * bounded by it (a longer one arrives truncated and is refused). */
static char rx_buf[2048];

static void rx_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = rx_buf;
    buf->len = sizeof rx_buf;
}

static void xfer_packet(struct tftp_xfer *x, const uint8_t *pkt, size_t len,
                        const struct sockaddr_in *from)
{
    if (!is_client(x, from)) {
        /* RFC 1350 §4: a packet from a wrong TID gets ERROR 5; the transfer
         * itself goes on undisturbed. */
        send_error_fd(x->tx.sock, from, TFTP_ERR_UNKNOWN_TID, "unknown transfer ID");
        return;
    }
    uint16_t op, arg;
    if (tftp_parse_header(pkt, len, &op, &arg) < 0)
        return;
    if (op == TFTP_ACK) {
        struct tftp_send what;
        tftp_session_on_ack(&x->s, arg, (int64_t)uv_now(x->srv->loop), &what);
        apply(x, &what);
    } else if (op == TFTP_ERROR) {
        /* ERROR 8 right after our OACK is a size probe (edk2): not a failure. */
        bool probe = arg == TFTP_ERR_OPTIONS && x->s.state == TFTP_SESSION_OACK;
        char why[64];
        snprintf(why, sizeof why, "client sent ERROR %u", arg);
        xfer_finish(x, false, probe ? "size probe ended by the client" : why, probe);
    } else {
        send_error_fd(x->tx.sock, from, TFTP_ERR_ILLEGAL_OP, "illegal operation");
        xfer_finish(x, false, "client sent an unexpected packet", false);
    }
}

/* ---- busy polling (tftp.busy-poll) ----
 *
 * A lock-step client answers each DATA within a few tens of microseconds on
 * a local segment. Going to sleep in epoll_wait in between, and being woken
 * for each ACK, costs both sides more than that: the client's ACK has to
 * wake us across CPUs, and we answer later. So for tftp.busy-poll µs after
 * each transfer datagram the loop keeps polling (an active idle handle makes
 * libuv poll with a zero timeout) and only then sleeps. Measured on a veth
 * pair: lock-step transfers ~30% and 50-client storms ~20% faster, at the
 * price of the server's core staying busy while transfers run. Nothing
 * spins when no transfer is running; 0 turns it off.
 *
 * A windowed client answers once per window, after working through it:
 * ~80 µs for 16 blocks of 1468 bytes with atftp here, longer than the
 * poll, which then expired just before each ACK (polling measured 5-10%
 * slower than sleeping). So each transfer keeps the average gap between
 * its datagrams (each gap counted at most BUSY_POLL_MAX_FACTOR times
 * tftp.busy-poll), and the poll after one lasts 1.5x that average when this
 * is longer than tftp.busy-poll, capped at the same maximum:
 * window 16 then catches every ACK (three A/B runs, atftp window 16:
 * +5% to +25%). A transfer whose gaps stay at the maximum
 * (a slow client) polls only tftp.busy-poll, and the pause below stops that
 * being waste.
 *
 * Polling only pays when the next datagram comes within the poll. Clients
 * further away (a physical LAN with interrupt moderation: 100+ µs) would
 * make every round poll in vain, so after BUSY_POLL_MAX_MISSES such rounds
 * in a row polling pauses for BUSY_POLL_PAUSE_NS and then tries again: at
 * most a few hundred microseconds wasted per second. */
#define BUSY_POLL_MAX_MISSES 8
#define BUSY_POLL_MAX_FACTOR 4
#define BUSY_POLL_PAUSE_NS 1000000000ull

static void busy_poll_cb(uv_idle_t *h)
{
    struct tftp_server *srv = h->data;
    uint64_t now = uv_hrtime();
    if (now < srv->busy_poll_until)
        return;
    uv_idle_stop(h);
    if (srv->busy_poll_hit) {
        srv->busy_poll_misses = 0;
    } else if (++srv->busy_poll_misses >= BUSY_POLL_MAX_MISSES) {
        srv->busy_poll_misses = 0;
        srv->busy_poll_resume = now + BUSY_POLL_PAUSE_NS;
    }
}

/* A datagram of transfer x came: poll for its next one (see above). */
static void busy_poll_extend(struct tftp_server *srv, struct tftp_xfer *x)
{
    if (!srv->cfg.busy_poll_us || srv->stopping)
        return;
    uint64_t now = uv_hrtime();
    uint64_t poll_ns = (uint64_t)srv->cfg.busy_poll_us * 1000u;
    uint64_t max_ns = poll_ns * BUSY_POLL_MAX_FACTOR;
    if (x->last_rx_ns) {
        /* Gaps count at most max_ns: one stall of the client must not
         * turn a fast transfer's polling off for the next dozen ACKs. */
        uint64_t gap = now - x->last_rx_ns;
        if (gap > max_ns)
            gap = max_ns;
        x->rx_gap_ns = x->rx_gap_ns ? (7 * x->rx_gap_ns + gap) / 8 : gap;
    }
    x->last_rx_ns = now;
    if (now < srv->busy_poll_resume)
        return;
    if (x->rx_gap_ns < max_ns) {
        uint64_t want = x->rx_gap_ns + x->rx_gap_ns / 2;
        if (want > poll_ns)
            poll_ns = want < max_ns ? want : max_ns;
    }
    if (now + poll_ns > srv->busy_poll_until)
        srv->busy_poll_until = now + poll_ns;
    if (uv_is_active((const uv_handle_t *)&srv->busy_poll)) {
        srv->busy_poll_hit = true;      /* polling caught this one */
    } else {
        srv->busy_poll_hit = false;
        uv_idle_start(&srv->busy_poll, busy_poll_cb);
    }
}

static void busy_poll_closed_cb(uv_handle_t *h)
{
    struct tftp_server *srv = h->data;
    srv->handles_open--;
    maybe_free_server(srv);
}

/* IP_RECVERR queues the ICMP errors our sends provoke on the transfer
 * socket. Port unreachable for the client's own address and port means its
 * socket is closed: no retry can reach it. Anything else (host unreachable
 * while ARP retries, an error for an ERROR 5 sent to a stray port) changes
 * nothing: the timeout goes on resending. Drains the queue and the socket's
 * pending error, so the level-triggered poll stops reporting it. */
static bool client_port_closed(struct tftp_xfer *x)
{
    bool closed = false;
    for (int i = 0; i < 16; i++) {
        struct sockaddr_in dst = { 0 };
        uint8_t data[64];
        union {
            char buf[CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in))];
            struct cmsghdr align;
        } control;
        struct iovec iov = { data, sizeof data };
        struct msghdr msg = { .msg_name = &dst, .msg_namelen = sizeof dst, .msg_iov = &iov,
                              .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof control.buf };
        if (recvmsg(x->tx.sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            break;
        bool to_peer = msg.msg_namelen >= sizeof dst && is_client(x, &dst);
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_RECVERR)
                continue;
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(cm), sizeof ee);
            if (to_peer && ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == ICMP_DEST_UNREACH &&
                ee.ee_code == ICMP_PORT_UNREACH)
                closed = true;
        }
    }
    int err;
    socklen_t len = sizeof err;
    (void)getsockopt(x->tx.sock, SOL_SOCKET, SO_ERROR, &err, &len);
    return closed;
}

/* The client closed its port. TFTP clients close only when done or giving
 * up; after our last block went out that is nearly always a client whose
 * final ACK was lost (tftp-hpa and atftp exit right after sending it): the
 * transfer counts as sent. Before that, the client went away mid-transfer,
 * and the transfer is reclaimed now instead of after every retry. */
static void client_left(struct tftp_xfer *x)
{
    if (x->final_sent)
        xfer_finish(x, true, "the client left before its last ACK arrived", false);
    else
        xfer_finish(x, false, "the client went away (its port is closed)", false);
}

/* A transfer's socket is readable. Its client has at most one ACK in
 * flight, so read one datagram and return to the loop (the poll is
 * level-triggered: it fires again if more is queued). A uv_udp_t would try
 * again until EAGAIN: one wasted receive per ACK, which a boot storm of 50
 * lock-step clients measured at about 10% of the aggregate. */
static void xfer_readable(uv_poll_t *h, int status, int events)
{
    struct tftp_xfer *x = h->data;
    (void)events;
    if (x->finished)
        return;
    if (status < 0) {
        /* libuv reports POLLERR as UV_EBADF and stops the poll: with
         * IP_RECVERR that is an ICMP error for one of our sends. */
        if (client_port_closed(x)) {
            client_left(x);
            return;
        }
        if (uv_poll_start(&x->poll, UV_READABLE, xfer_readable) < 0)
            xfer_finish(x, false, uv_strerror(status), false);
        return;
    }
    struct sockaddr_in from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(x->tx.sock, rx_buf, sizeof rx_buf, MSG_DONTWAIT, (struct sockaddr *)&from,
                         &from_len);
    if (n < 0 || from_len < sizeof from)
        return;     /* EAGAIN, or a queued ICMP error: nothing to act on */
    busy_poll_extend(x->srv, x);
    xfer_packet(x, (const uint8_t *)rx_buf, (size_t)n, &from);
}

/* ---- the listener ---- */

static void start_transfer(struct tftp_listener *l, const struct sockaddr_in *peer,
                           const struct tftp_request *req)
{
    struct tftp_server *srv = l->srv;
    char rel[TFTP_MAX_FILENAME + 1], who[32], shown[3 * TFTP_MAX_FILENAME + 1];
    const char *why = NULL;
    uint64_t size = 0;

    peer_text(peer, who, sizeof who);
    log_escape(req->filename, req->filename_len, shown, sizeof shown);
    if (srv->n_xfers >= srv->cfg.max_sessions) {
        log_limited(&srv->rl_busy, LOG_WARN, "TFTP %s from %s refused: %u transfers running",
                    shown, who, srv->n_xfers);
        send_error(&l->udp, peer, TFTP_ERR_UNDEFINED, "server busy");
        return;
    }
    int err = tftp_path_clean(req->filename, req->filename_len, srv->cfg.map_backslash, rel,
                              sizeof rel);
    int fd = err < 0 ? err : tftp_path_open(srv->root_fd, rel, &size);
    if (fd < 0) {
        if (fd == -ENOENT) {
            log_debug("TFTP %s from %s: not found", shown, who);
            send_error(&l->udp, peer, TFTP_ERR_NOT_FOUND, "file not found");
        } else {
            log_warn("TFTP %s from %s refused: %s", shown, who,
                     fd == -EACCES ? "outside the root or not a regular file" : strerror(-fd));
            send_error(&l->udp, peer, TFTP_ERR_ACCESS, "access violation");
        }
        return;
    }

    struct tftp_xfer *x = calloc(1, sizeof *x);
    if (!x) {
        close(fd);
        return;
    }
    x->srv = srv;
    x->tx = (struct tftp_sender){ .sock = -1, .peer = *peer, .file_fd = -1, .shared = srv->sendbuf };
    x->tx.file_fd = fd;
    snprintf(x->file, sizeof x->file, "%s", rel);

    /* The biggest block that needs no IP fragmentation on this link. */
    struct tftp_limits lim = { srv->cfg.max_block_size, srv->cfg.max_window_size };
    if (l->nif.mtu > 32 && lim.max_blksize > l->nif.mtu - 32)
        lim.max_blksize = (uint16_t)(l->nif.mtu - 32);
    if (req->netascii && lim.max_windowsize > TFTP_NETASCII_MAX_WINDOW)
        lim.max_windowsize = TFTP_NETASCII_MAX_WINDOW;
    tftp_negotiate(req, &lim, size, &x->acc);
    if (req->netascii) {
        /* Converted block by block as it is sent: the transfer runs on an
         * upper bound of the size until the conversion meets the end. */
        uint64_t bound = tftp_netascii_size_bound(size);
        x->tx.ascii = tftp_netascii_new(size, x->acc.blksize_value, x->acc.windowsize_value);
        why = !x->tx.ascii ? "out of memory" :
              bound / x->acc.blksize_value >= UINT32_MAX ? "file too large for netascii mode" : NULL;
        if (why) {
            tftp_sender_free(&x->tx);   /* closes fd */
            free(x);
            send_error(&l->udp, peer, TFTP_ERR_UNDEFINED, why);
            return;
        }
        size = bound;
    }
    x->oack_len = tftp_accepted_any(&x->acc) ? tftp_build_oack(&x->acc, x->oack, sizeof x->oack) : 0;

    /* A fresh socket is this transfer's TID (RFC 1350 §4), sending from
     * the address the client talked to. */
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr = { htonl(l->nif.addr) } };
    x->tx.sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (x->tx.sock < 0 || bind(x->tx.sock, (const struct sockaddr *)&local, sizeof local) < 0) {
        log_warn("TFTP %s to %s: cannot open a transfer socket: %s", rel, who, strerror(errno));
        if (x->tx.sock >= 0)
            close(x->tx.sock);
        tftp_sender_free(&x->tx);
        free(x);
        send_error(&l->udp, peer, TFTP_ERR_UNDEFINED, "server error");
        return;
    }
    int sndbuf = 1 << 20;
    setsockopt(x->tx.sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    /* The block size fits the link's MTU; should a route to this client
     * have a smaller one, fragment rather than fail every send. */
    int pmtu = IP_PMTUDISC_DONT;
    setsockopt(x->tx.sock, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
    /* ICMP errors for our sends: tells a client that closed its port (see
     * client_port_closed). */
    int on = 1;
    setsockopt(x->tx.sock, IPPROTO_IP, IP_RECVERR, &on, sizeof on);

    uv_poll_init_socket(srv->loop, &x->poll, x->tx.sock);
    uv_timer_init(srv->loop, &x->timer);
    x->poll.data = x->timer.data = x;
    x->handles_open = 2;
    x->next = srv->xfers;
    if (srv->xfers)
        srv->xfers->prev = x;
    srv->xfers = x;
    srv->n_xfers++;
    x->start_ms = uv_now(srv->loop);
    err = uv_poll_start(&x->poll, UV_READABLE, xfer_readable);
    if (err < 0) {
        send_error_fd(x->tx.sock, peer, TFTP_ERR_UNDEFINED, "server error");
        xfer_finish(x, false, uv_strerror(err), false);
        return;
    }
    tftp_sender_setup_gso(&x->tx, x->acc.blksize_value, x->acc.windowsize_value);

    /* A negotiated timeout is the client's choice: fixed. Otherwise the
     * profile's is the longest first wait; the session measures the round
     * trip and waits less (see tftp_session.h), and backs off. */
    unsigned timeout_ms = x->acc.timeout ? x->acc.timeout_value * 1000u : srv->cfg.timeout * 1000u;
    struct tftp_send what;
    tftp_session_start(&x->s, size, x->acc.blksize_value,
                       x->acc.windowsize_value, timeout_ms, !x->acc.timeout, srv->cfg.retries,
                       x->oack_len > 0, (int64_t)uv_now(srv->loop), &what);
    apply(x, &what);
}

static void listener_recv_cb(uv_udp_t *udp, ssize_t nread, const uv_buf_t *buf,
                             const struct sockaddr *addr, unsigned flags)
{
    struct tftp_listener *l = udp->data;
    struct tftp_server *srv = l->srv;
    char who[32];
    if (nread <= 0 || !addr || addr->sa_family != AF_INET || srv->stopping)
        return;
    const struct sockaddr_in *peer = (const struct sockaddr_in *)addr;
    peer_text(peer, who, sizeof who);
    if (flags & UV_UDP_PARTIAL) {
        log_limited(&srv->rl_bad, LOG_WARN, "TFTP: oversized request from %s dropped", who);
        return;
    }
    if (!l->nif.addr)
        netif_lookup(l->nif.name, &l->nif);

    struct tftp_request req;
    const char *reason;
    int err = tftp_parse_request((const uint8_t *)buf->base, (size_t)nread, &req, &reason);
    if (err < 0) {
        uint16_t op = 0, arg;
        tftp_parse_header((const uint8_t *)buf->base, (size_t)nread, &op, &arg);
        log_limited(&srv->rl_bad, LOG_WARN, "TFTP: bad request from %s: %s", who, reason);
        if (op == TFTP_ERROR)
            return;     /* never answer an error with an error */
        send_error(udp, peer, err == -EPROTONOSUPPORT ? TFTP_ERR_ILLEGAL_OP :
                              err == -ENAMETOOLONG ? TFTP_ERR_ACCESS : TFTP_ERR_ILLEGAL_OP,
                   reason);
        return;
    }
    if (req.opcode == TFTP_WRQ) {
        char shown[3 * TFTP_MAX_FILENAME + 1];
        log_escape(req.filename, req.filename_len, shown, sizeof shown);
        log_warn("TFTP write of %s from %s refused: read-only server", shown, who);
        send_error(udp, peer, TFTP_ERR_ACCESS, "read-only server");
        return;
    }
    start_transfer(l, peer, &req);
}

static void listener_closed_cb(uv_handle_t *h)
{
    struct tftp_listener *l = h->data;
    l->srv->handles_open--;
    maybe_free_server(l->srv);
}

static int listener_open(struct tftp_server *srv, struct tftp_listener *l, const char *ifname)
{
    int one = 1, err;
    l->srv = srv;
    if ((err = netif_lookup(ifname, &l->nif)) < 0) {
        log_error("TFTP: interface %s: %s", ifname, strerror(-err));
        return err;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(srv->cfg.port) };
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0 ||
        bind(fd, (struct sockaddr *)&any, sizeof any) < 0) {
        err = -errno;
        log_error("TFTP: port %u on %s: %s", srv->cfg.port, ifname, strerror(-err));
        close(fd);
        return err;
    }
    uv_udp_init(srv->loop, &l->udp);
    l->udp.data = l;
    srv->handles_open++;
    err = uv_udp_open(&l->udp, fd);
    if (err == 0)
        err = uv_udp_recv_start(&l->udp, rx_alloc_cb, listener_recv_cb);
    if (err < 0) {
        uv_close((uv_handle_t *)&l->udp, listener_closed_cb);
        return err;
    }
    l->open = true;
    log_info("TFTP listening on %s port %u, root %s", ifname, srv->cfg.port, srv->root);
    return 0;
}

static int open_root(const char *root)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int tftp_server_start(uv_loop_t *loop, const struct config *cfg, tftp_report_cb cb, void *ctx,
                      struct tftp_server **out)
{
    struct tftp_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return -ENOMEM;
    srv->loop = loop;
    uv_idle_init(loop, &srv->busy_poll);
    srv->busy_poll.data = srv;
    srv->handles_open++;
    srv->cfg = cfg->tftp;
    srv->root = strdup(cfg->tftp.root ? cfg->tftp.root : "");
    srv->cfg.root = NULL;
    srv->report = cb;
    srv->ctx = ctx;
    srv->rl_bad = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    srv->rl_busy = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 3);
    srv->sendbuf = malloc(sizeof *srv->sendbuf);
    srv->listeners = calloc(cfg->n_interfaces ? cfg->n_interfaces : 1, sizeof *srv->listeners);
    srv->root_fd = srv->root ? open_root(srv->root) : -ENOMEM;
    *out = srv;
    if (!srv->sendbuf || !srv->listeners || !srv->root)
        return -ENOMEM;
    if (srv->root_fd < 0) {
        log_error("TFTP root %s: %s", srv->root, strerror(-srv->root_fd));
        return srv->root_fd;
    }
    for (size_t i = 0; i < cfg->n_interfaces; i++) {
        int err = listener_open(srv, &srv->listeners[srv->n_listeners], cfg->interfaces[i]);
        if (err < 0)
            return err;
        srv->n_listeners++;
    }
    return 0;
}

int tftp_server_reload(struct tftp_server *srv, const struct config *cfg)
{
    if (cfg->tftp.port != srv->cfg.port)
        log_warn("SIGHUP: tftp.port changed; it takes effect at the next restart");
    if (strcmp(cfg->tftp.root, srv->root) != 0) {
        int fd = open_root(cfg->tftp.root);
        if (fd < 0) {
            log_error("SIGHUP: TFTP root %s: %s (keeping %s)", cfg->tftp.root, strerror(-fd),
                      srv->root);
            return fd;
        }
        /* Running transfers hold their own file descriptors: safe to swap. */
        close(srv->root_fd);
        srv->root_fd = fd;
        free(srv->root);
        srv->root = strdup(cfg->tftp.root);
    }
    uint16_t port = srv->cfg.port;
    srv->cfg = cfg->tftp;
    srv->cfg.root = NULL;
    srv->cfg.port = port;
    return 0;
}

void tftp_server_stop(struct tftp_server *srv)
{
    if (!srv)
        return;
    if (!srv->stopping)
        uv_close((uv_handle_t *)&srv->busy_poll, busy_poll_closed_cb);
    srv->stopping = true;
    for (size_t i = 0; i < srv->n_listeners; i++)
        if (srv->listeners[i].open) {
            srv->listeners[i].open = false;
            uv_close((uv_handle_t *)&srv->listeners[i].udp, listener_closed_cb);
        }
    for (struct tftp_xfer *x = srv->xfers, *next; x; x = next) {
        next = x->next;
        if (!x->finished) {
            send_error_fd(x->tx.sock, &x->tx.peer, TFTP_ERR_UNDEFINED, "server shutting down");
            xfer_finish(x, false, "server shutting down", false);
        }
    }
    maybe_free_server(srv);
}
