/* tftp_xfer.c - one transfer: its socket (the TID), timer, session and
 * sender wired together. The session decides which blocks when
 * (tftp_session), the sender moves them (tftp_send); this file feeds the
 * session the client's datagrams and the timer, and ends the transfer. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "addr.h"
#include "metrics.h"
#include "tftp_netascii.h"
#include "tftp_server.h"

void tftp_send_error_fd(int fd, const struct sockaddr_in *to, uint16_t code, const char *msg)
{
    uint8_t pkt[300];
    size_t len = tftp_build_error(code, msg, pkt, sizeof pkt);
    if (len)
        (void)sendto(fd, pkt, len, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof *to);
}

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
    tftp_admit_close(&srv->admit, ntohl(x->tx.peer.sin_addr.s_addr), x->pending);
    close(x->tx.sock);  /* only now: libuv watched it until the handle closed */
    tftp_sender_free(&x->tx);
    free(x);
    tftp_server_maybe_free(srv);
}

/* Is `a` this transfer's client: its address and its port (TID)? */
static bool is_client(const struct tftp_xfer *x, const struct sockaddr_in *a)
{
    return a->sin_family == AF_INET && a->sin_addr.s_addr == x->tx.peer.sin_addr.s_addr &&
           a->sin_port == x->tx.peer.sin_port;
}

/* `error` says why it failed, or, when ok, is an optional note appended to
 * the log line. A transfer whose client never acknowledged anything ends
 * quietly (a debug line, no report): its source may have been forged, and
 * it must not turn into events for the hooks. */
void tftp_xfer_finish(struct tftp_xfer *x, bool ok, const char *error, bool quiet)
{
    if (x->finished)
        return;
    x->finished = true;
    struct tftp_server *srv = x->srv;
    if (!ok && !x->s.answered)
        quiet = true;
    double secs = (double)(uv_now(srv->loop) - x->start_ms) / 1000.0;
    uint64_t sent = ok ? x->s.size : (uint64_t)x->s.acked * x->s.blksize;
    *(ok ? &metrics.tftp_done : &metrics.tftp_failed) += 1;
    metrics.tftp_bytes += sent;
    metrics.tftp_resent += x->s.retransmitted;
    char ip[16];
    log_ipv4(ntohl(x->tx.peer.sin_addr.s_addr), ip, sizeof ip);
    if (ok) {
        double kib = (double)x->s.size / 1024.0;
        char resent[80] = "";
        if (x->s.retransmitted)
            snprintf(resent, sizeof resent, ", %llu blocks resent, %llu after %u timeouts",
                     (unsigned long long)x->s.retransmitted,
                     (unsigned long long)x->s.retransmitted_on_timeout, x->s.timeouts);
        log_limited(&srv->rl_done, LOG_INFO,
                    "TFTP sent %s to %s: %.0f %s in %.2f s, blksize %u, window %u%s%s%s", x->file,
                    ip, kib >= 10240 ? kib / 1024 : kib, kib >= 10240 ? "MiB" : "KiB", secs,
                    x->s.blksize, x->s.windowsize, resent, error ? "; " : "", error ? error : "");
    } else {
        log_limited(&srv->rl_fail, quiet ? LOG_DEBUG : LOG_WARN, "TFTP %s to %s %s: %s", x->file,
                    ip, quiet ? "ended" : "failed", error);
    }
    if (srv->report && !quiet) {
        struct tftp_transfer_report r = {
            .client_ip = ntohl(x->tx.peer.sin_addr.s_addr), .client_port = ntohs(x->tx.peer.sin_port),
            .file = x->file, .bytes = sent,
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
        tftp_send_error_fd(x->tx.sock, &x->tx.peer, TFTP_ERR_UNDEFINED, "read error");
        tftp_xfer_finish(x, false, why ? why : "read error", false);
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
        tftp_xfer_finish(x, true, NULL, false);
        return;
    }
    if (x->s.state == TFTP_SESSION_FAILED) {
        tftp_xfer_finish(x, false, x->s.answered ? "client stopped answering (retries exhausted)"
                                                 : "client never answered", false);
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

/* An ERROR reply to a datagram, if the server's bucket allows one now
 * (tftp_admit.h): anyone can send to a transfer's port. */
static void xfer_error(struct tftp_xfer *x, const struct sockaddr_in *to, uint16_t code,
                       const char *msg)
{
    if (tftp_admit_error_reply(&x->srv->admit, (int64_t)uv_now(x->srv->loop)))
        tftp_send_error_fd(x->tx.sock, to, code, msg);
}

static void xfer_packet(struct tftp_xfer *x, const uint8_t *pkt, size_t len,
                        const struct sockaddr_in *from)
{
    if (!is_client(x, from)) {
        /* RFC 1350 §4: a packet from a wrong TID gets ERROR 5; the transfer
         * itself goes on undisturbed. */
        xfer_error(x, from, TFTP_ERR_UNKNOWN_TID, "unknown transfer ID");
        return;
    }
    uint16_t op, arg;
    if (tftp_parse_header(pkt, len, &op, &arg) < 0)
        return;
    if (op == TFTP_ACK) {
        struct tftp_send what;
        tftp_session_on_ack(&x->s, arg, (int64_t)uv_now(x->srv->loop), &what);
        if (x->pending && x->s.answered) {
            x->pending = false;
            tftp_admit_answered(&x->srv->admit);
        }
        apply(x, &what);
    } else if (op == TFTP_ERROR) {
        /* ERROR 8 right after our OACK is a size probe (edk2): not a failure. */
        bool probe = arg == TFTP_ERR_OPTIONS && x->s.state == TFTP_SESSION_OACK;
        char why[64];
        snprintf(why, sizeof why, "client sent ERROR %u", arg);
        tftp_xfer_finish(x, false, probe ? "size probe ended by the client" : why, probe);
    } else {
        xfer_error(x, from, TFTP_ERR_ILLEGAL_OP, "illegal operation");
        tftp_xfer_finish(x, false, "client sent an unexpected packet", false);
    }
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
        tftp_xfer_finish(x, true, "the client left before its last ACK arrived", false);
    else
        tftp_xfer_finish(x, false, "the client went away (its port is closed)", false);
}

/* A transfer's socket is readable. Its client has at most one ACK in
 * flight, so read one datagram and return to the loop (the poll is
 * level-triggered: it fires again if more is queued). A uv_udp_t would try
 * again until EAGAIN: one wasted receive per ACK, a cost boot storms of
 * lock-step clients feel (docs/tftp.md). */
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
            tftp_xfer_finish(x, false, uv_strerror(status), false);
        return;
    }
    struct sockaddr_in from;
    socklen_t from_len = sizeof from;
    uint8_t *buf = x->srv->rx_buf;
    ssize_t n = recvfrom(x->tx.sock, buf, TFTP_RX_BUF_BYTES, MSG_DONTWAIT, (struct sockaddr *)&from,
                         &from_len);
    if (n < 0 || from_len < sizeof from)
        return;     /* EAGAIN, or a queued ICMP error: nothing to act on */
    tftp_server_rx_activity(x->srv, x);
    xfer_packet(x, buf, (size_t)n, &from);
}

/* Negotiate the options against this link and the profile; netascii gets
 * its converter. NULL, or the text of the ERROR to send. */
static const char *xfer_negotiate(struct tftp_xfer *x, const struct tftp_listener *l,
                                  const struct tftp_request *req, uint64_t *size)
{
    const struct config_tftp *cfg = &x->srv->cfg;
    /* The biggest block that needs no IP fragmentation on this link. */
    struct tftp_limits lim = { cfg->max_block_size, cfg->max_window_size };
    if (l->nif.mtu > 32 && lim.max_blksize > l->nif.mtu - 32)
        lim.max_blksize = (uint16_t)(l->nif.mtu - 32);
    if (req->netascii && lim.max_windowsize > TFTP_NETASCII_MAX_WINDOW)
        lim.max_windowsize = TFTP_NETASCII_MAX_WINDOW;
    tftp_negotiate(req, &lim, *size, &x->acc);
    x->oack_len = tftp_accepted_any(&x->acc) ? tftp_build_oack(&x->acc, x->oack, sizeof x->oack) : 0;
    /* Netascii is converted block by block as it is sent: the transfer
     * runs on an upper bound of the size until the conversion meets the
     * end. Blocks are counted in 32 bits (tftp_session.h): a file of more
     * blocks than that (40 GiB in blocks of 8) is refused, not cut short. */
    uint64_t bound = req->netascii ? tftp_netascii_size_bound(*size) : *size;
    if (bound / x->acc.blksize_value >= UINT32_MAX)
        return "file too large for this block size";
    if (!req->netascii)
        return NULL;
    x->tx.ascii = tftp_netascii_new(*size, x->acc.blksize_value, x->acc.windowsize_value);
    if (!x->tx.ascii)
        return "out of memory";
    *size = bound;
    return NULL;
}

/* A fresh socket is this transfer's TID (RFC 1350 §4), sending from the
 * address the client talked to. */
static int xfer_socket(const struct tftp_listener *l)
{
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr = { htonl(l->nif.addr) } };
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (const struct sockaddr *)&local, sizeof local) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    int sndbuf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    /* The block size fits the link's MTU; should a route to this client
     * have a smaller one, fragment rather than fail every send. */
    int pmtu = IP_PMTUDISC_DONT;
    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
    /* ICMP errors for our sends: tells a client that closed its port (see
     * client_port_closed). */
    int on = 1;
    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    return fd;
}

int tftp_xfer_start(struct tftp_listener *l, const struct sockaddr_in *peer,
                    const struct tftp_request *req, int fd, char *mem, uint64_t size,
                    const char *rel, const char **why)
{
    struct tftp_server *srv = l->srv;
    struct tftp_xfer *x = calloc(1, sizeof *x);
    if (!x) {
        if (fd >= 0)
            close(fd);
        free(mem);
        *why = "out of memory";
        return -ENOMEM;
    }
    x->srv = srv;
    x->tx = (struct tftp_sender){ .sock = -1, .peer = *peer, .file_fd = fd, .mem = mem,
                                  .mem_len = (size_t)size, .shared = srv->sendbuf,
                                  .rl = &srv->rl_fail };
    snprintf(x->file, sizeof x->file, "%s", rel);
    *why = xfer_negotiate(x, l, req, &size);
    int sock = *why ? -EINVAL : xfer_socket(l);
    if (sock < 0) {
        if (!*why) {
            log_limited(&srv->rl_fail, LOG_WARN, "TFTP %s: cannot open a transfer socket: %s",
                        rel, strerror(-sock));
            *why = "server error";
        }
        tftp_sender_free(&x->tx);   /* closes fd, frees mem */
        free(x);
        return sock;
    }
    x->tx.sock = sock;
    uv_poll_init_socket(srv->loop, &x->poll, x->tx.sock);
    uv_timer_init(srv->loop, &x->timer);
    x->poll.data = x->timer.data = x;
    x->handles_open = 2;
    x->next = srv->xfers;
    if (srv->xfers)
        srv->xfers->prev = x;
    srv->xfers = x;
    srv->n_xfers++;
    metrics.tftp_started++;
    tftp_admit_open(&srv->admit, ntohl(peer->sin_addr.s_addr));
    x->pending = true;
    x->start_ms = uv_now(srv->loop);
    int err = uv_poll_start(&x->poll, UV_READABLE, xfer_readable);
    if (err < 0) {
        tftp_send_error_fd(x->tx.sock, peer, TFTP_ERR_UNDEFINED, "server error");
        tftp_xfer_finish(x, false, uv_strerror(err), false);
        return 0;   /* answered and logged already */
    }
    tftp_sender_setup_gso(&x->tx, x->acc.blksize_value, x->acc.windowsize_value);

    /* A negotiated timeout is the client's choice: fixed. Otherwise the
     * profile's is the longest first wait; the session measures the round
     * trip and waits less (see tftp_session.h), and backs off. */
    unsigned timeout_ms = x->acc.timeout ? x->acc.timeout_value * 1000u : srv->cfg.timeout * 1000u;
    struct tftp_send what;
    tftp_session_start(&x->s, size, x->acc.blksize_value, x->acc.windowsize_value, timeout_ms,
                       !x->acc.timeout, srv->cfg.retries, x->oack_len > 0,
                       (int64_t)uv_now(srv->loop), &what);
    apply(x, &what);
    return 0;
}
