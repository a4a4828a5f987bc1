/* tftp_io.c - the libuv shell of the TFTP server (see tftp_io.h): the
 * listeners, which vet each request (tftp_wire parses it, tftp_path finds
 * the file beneath the root) and start a transfer (tftp_xfer.c); the
 * server's start, reload and stop; and the busy-poll idle handle that
 * tftp_busy_poll steers. */
#include "tftp_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "tftp_path.h"
#include "tftp_rlimit.h"
#include "tftp_server.h"
#include "udp_sock.h"

void tftp_server_maybe_free(struct tftp_server *srv)
{
    if (!srv->stopping || srv->handles_open > 0 || srv->xfers)
        return;
    if (srv->root_fd >= 0)
        close(srv->root_fd);
    free(srv->listeners);
    free(srv->root);
    free(srv->sendbuf);
    tftp_admit_free(&srv->admit);
    free(srv);
}

void tftp_server_set_vars(struct tftp_server *s, tftp_vars_cb cb, void *ctx)
{
    if (!s)
        return;
    s->vars = cb;
    s->vars_ctx = ctx;
}

unsigned tftp_server_transfers(const struct tftp_server *s)
{
    return s->n_xfers;
}

static const char *peer_text(const struct sockaddr_in *sin, char *buf, size_t size)
{
    char ip[16];
    snprintf(buf, size, "%s:%u", log_ipv4(ntohl(sin->sin_addr.s_addr), ip, sizeof ip),
             ntohs(sin->sin_port));
    return buf;
}

/* An ERROR reply to a request, if the server's bucket allows one now
 * (tftp_admit.h): the source of a request may be forged. */
static void send_error(struct tftp_server *srv, uv_udp_t *udp, const struct sockaddr_in *to,
                       uint16_t code, const char *msg)
{
    int fd;
    if (tftp_admit_error_reply(&srv->admit, (int64_t)uv_now(srv->loop)) &&
        uv_fileno((const uv_handle_t *)udp, &fd) == 0)
        tftp_send_error_fd(fd, to, code, msg);
}

/* ---- busy polling (tftp.busy-poll, tftp_busy_poll.h) ---- */

static void busy_poll_cb(uv_idle_t *h)
{
    struct tftp_server *srv = h->data;
    if (!tftp_busy_poll_round(&srv->bp, uv_hrtime()))
        uv_idle_stop(h);
}

void tftp_server_rx_activity(struct tftp_server *srv, struct tftp_xfer *x)
{
    if (!srv->cfg.busy_poll_us || srv->stopping)
        return;
    if (tftp_busy_poll_rx(&srv->bp, &x->rhythm, srv->cfg.busy_poll_us, uv_hrtime()))
        uv_idle_start(&srv->busy_poll, busy_poll_cb);
}

static void busy_poll_closed_cb(uv_handle_t *h)
{
    struct tftp_server *srv = h->data;
    srv->handles_open--;
    tftp_server_maybe_free(srv);
}

static void rx_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct tftp_listener *l = h->data;
    (void)suggested;
    buf->base = (char *)l->srv->rx_buf;
    buf->len = sizeof l->srv->rx_buf;
}

/* ---- the listener ---- */

/* Past the per-client or pending limit a request is dropped unanswered;
 * past max-sessions it is refused with "server busy" (tftp_admit.h).
 * False when it may not start. */
static bool admit(struct tftp_listener *l, const struct sockaddr_in *peer, const char *shown,
                  const char *who)
{
    struct tftp_server *srv = l->srv;
    struct tftp_admit *a = &srv->admit;
    switch (tftp_admit_check(a, ntohl(peer->sin_addr.s_addr))) {
    case TFTP_ADMIT_OK:
        return true;
    case TFTP_ADMIT_BUSY:
        log_limited(&srv->rl_busy, LOG_WARN, "TFTP %s from %s refused: %u transfers running",
                    shown, who, a->sessions);
        send_error(srv, &l->udp, peer, TFTP_ERR_UNDEFINED, "server busy");
        return false;
    case TFTP_ADMIT_CLIENT_FULL:
        log_limited(&srv->rl_client, LOG_WARN, "TFTP %s from %s dropped: %u transfers from that "
                    "address (tftp.max-sessions-per-client); %llu dropped so far", shown, who,
                    a->lim.per_client, (unsigned long long)a->refused[TFTP_ADMIT_CLIENT_FULL]);
        return false;
    default:
        log_limited(&srv->rl_pending, LOG_WARN, "TFTP %s from %s dropped: %u transfers wait for "
                    "their client's first ACK (tftp.max-pending-sessions); %llu dropped so far",
                    shown, who, a->lim.pending,
                    (unsigned long long)a->refused[TFTP_ADMIT_PENDING_FULL]);
        return false;
    }
}

/* A failed request, as a report: the daemon makes it a tftp-failed event. */
static void report_failed(struct tftp_server *srv, const struct sockaddr_in *peer,
                          const char *rel, const char *error)
{
    if (!srv->report)
        return;
    const struct tftp_transfer_report r = {
        .client_ip = ntohl(peer->sin_addr.s_addr), .client_port = ntohs(peer->sin_port),
        .file = rel, .error = error
    };
    srv->report(&r, srv->ctx);
}

/* `rel` is not under the root: is `rel`.tmpl? Then it is rendered for this
 * client into *out (docs/templates.md). 0; 1 when there is no template;
 * a negative errno when it could not be rendered (logged with the
 * template's file:line:col). */
static int render_template(struct tftp_listener *l, const struct sockaddr_in *peer,
                           const char *rel, const char *who, char **out, size_t *len)
{
    struct tftp_server *srv = l->srv;
    struct tftp_tmpl_result r;
    int err = tftp_tmpl_render(srv->root_fd, rel, srv->vars, srv->vars_ctx,
                               ntohl(peer->sin_addr.s_addr), l->nif.addr, &r);
    if (err < 0) {
        char why[TFTP_MAX_FILENAME + 160];
        log_limited(&srv->rl_tmpl, LOG_WARN, "TFTP %s to %s: %s", rel, who,
                    tftp_tmpl_why(&r, err, why, sizeof why));
    }
    *out = r.data;
    *len = r.len;
    return err;
}

/* A request for the file of a running transfer, from its client's address
 * and port, is that client sending its request again: its timer (110 ms for
 * PXELINUX, 250 ms for iPXE) ran out before our first answer came, as it
 * does when a fleet powers on at once, and the repeat may be read after the
 * client has answered our first reply. A client starts each transfer from a
 * new port (RFC 1350 section 4), so the transfer running is the one it
 * asked for; a second one would hold a session (and a pending slot) until
 * it gave up, its replies ignored: 1,000 machines' repeated requests filled
 * tftp.max-pending-sessions and then tftp.max-sessions ("server busy").
 * Only a transfer none of whose data blocks were acknowledged can be
 * repeated so: past that, the same address and port is a new client that
 * the kernel gave a port a vanished one had (a fresh transfer for it). */
static bool is_repeated_request(const struct tftp_server *srv, const struct sockaddr_in *peer,
                                const char *rel)
{
    for (const struct tftp_xfer *x = srv->xfers; x; x = x->next)
        if (!x->finished && x->s.acked == 0 && x->tx.peer.sin_port == peer->sin_port &&
            x->tx.peer.sin_addr.s_addr == peer->sin_addr.s_addr && strcmp(x->file, rel) == 0)
            return true;
    return false;
}

static void start_transfer(struct tftp_listener *l, const struct sockaddr_in *peer,
                           const struct tftp_request *req)
{
    struct tftp_server *srv = l->srv;
    char rel[TFTP_MAX_FILENAME + 1], who[32], shown[3 * TFTP_MAX_FILENAME + 1];
    const char *why = NULL;
    uint64_t size = 0;

    peer_text(peer, who, sizeof who);
    log_escape(req->filename, req->filename_len, shown, sizeof shown);
    int err = tftp_path_clean(req->filename, req->filename_len, srv->cfg.map_backslash, rel,
                              sizeof rel);
    if (err == 0 && is_repeated_request(srv, peer, rel)) {
        log_limited(&srv->rl_req, LOG_DEBUG, "TFTP %s from %s: repeated request, already answered",
                    shown, who);
        return;
    }
    if (!admit(l, peer, shown, who))
        return;
    int fd = err < 0 ? err : tftp_path_open(srv->root_fd, rel, &size);
    char *mem = NULL;
    size_t mem_len = 0;
    int tmpl = fd == -ENOENT && err == 0 ? render_template(l, peer, rel, who, &mem, &mem_len) : 1;
    if (tmpl == 0) {
        if (tftp_xfer_start(l, peer, req, -1, mem, mem_len, rel, &why) < 0)
            send_error(srv, &l->udp, peer, TFTP_ERR_UNDEFINED, why);
    } else if (tmpl < 0) {
        send_error(srv, &l->udp, peer, TFTP_ERR_UNDEFINED, "template error");
        report_failed(srv, peer, rel, "template error");
    } else if (fd == -ENOENT) {
        log_limited(&srv->rl_req, LOG_DEBUG, "TFTP %s from %s: not found", shown, who);
        send_error(srv, &l->udp, peer, TFTP_ERR_NOT_FOUND, "file not found");
        /* Mostly probes; the daemon knows whose boot file it was. */
        if (srv->report && err == 0) {
            const struct tftp_transfer_report r = {
                .client_ip = ntohl(peer->sin_addr.s_addr), .client_port = ntohs(peer->sin_port),
                .file = rel, .not_found = true, .error = "file not found"
            };
            srv->report(&r, srv->ctx);
        }
    } else if (fd < 0) {
        log_limited(&srv->rl_req, LOG_WARN, "TFTP %s from %s refused: %s", shown, who,
                    fd == -EACCES ? "outside the root or not a regular file" : strerror(-fd));
        send_error(srv, &l->udp, peer, TFTP_ERR_ACCESS, "access violation");
    } else if (tftp_xfer_start(l, peer, req, fd, NULL, size, rel, &why) < 0) {
        send_error(srv, &l->udp, peer, TFTP_ERR_UNDEFINED, why);
    }
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
        send_error(srv, udp, peer, err == -ENAMETOOLONG ? TFTP_ERR_ACCESS : TFTP_ERR_ILLEGAL_OP,
                   reason);
        return;
    }
    if (req.opcode == TFTP_WRQ) {
        char shown[3 * TFTP_MAX_FILENAME + 1];
        log_escape(req.filename, req.filename_len, shown, sizeof shown);
        log_limited(&srv->rl_req, LOG_WARN, "TFTP write of %s from %s refused: read-only server",
                    shown, who);
        send_error(srv, udp, peer, TFTP_ERR_ACCESS, "read-only server");
        return;
    }
    start_transfer(l, peer, &req);
}

static void listener_closed_cb(uv_handle_t *h)
{
    struct tftp_listener *l = h->data;
    l->srv->handles_open--;
    tftp_server_maybe_free(l->srv);
}

static int listener_open(struct tftp_server *srv, struct tftp_listener *l, const char *ifname)
{
    int err;
    l->srv = srv;
    if ((err = netif_lookup(ifname, &l->nif)) < 0) {
        log_error("TFTP: interface %s: %s", ifname, strerror(-err));
        return err;
    }
    const struct udp_sock_opts opts = { 0 };
    int fd = udp_sock_bind(ifname, srv->cfg.port, &opts);
    if (fd < 0) {
        log_error("TFTP: port %u on %s: %s", srv->cfg.port, ifname, strerror(-fd));
        return fd;
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

static struct tftp_admit_limits admit_limits(const struct config_tftp *t)
{
    return (struct tftp_admit_limits){ t->max_sessions, t->max_sessions_per_client,
                                       t->max_pending_sessions };
}

/* Lines a remote sender can trigger are rate-limited: per limiter, at most
 * `burst` lines per `interval` seconds. */
static void init_limiters(struct tftp_server *srv)
{
    srv->rl_bad = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    srv->rl_busy = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 3);
    srv->rl_client = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 3);
    srv->rl_pending = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 3);
    srv->rl_req = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 50);
    srv->rl_done = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 1000);
    srv->rl_fail = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 50);
    srv->rl_tmpl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 20);
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
    init_limiters(srv);
    struct tftp_admit_limits lim = admit_limits(&cfg->tftp);
    int err = tftp_admit_init(&srv->admit, &lim);
    srv->sendbuf = malloc(sizeof *srv->sendbuf);
    srv->listeners = calloc(cfg->n_interfaces ? cfg->n_interfaces : 1, sizeof *srv->listeners);
    srv->root_fd = srv->root ? open_root(srv->root) : -ENOMEM;
    *out = srv;
    if (err < 0 || !srv->sendbuf || !srv->listeners || !srv->root)
        return -ENOMEM;
    if ((err = tftp_rlimit_fit(config_open_files_needed(cfg))) < 0)
        return err;
    if (srv->root_fd < 0) {
        log_error("TFTP root %s: %s", srv->root, strerror(-srv->root_fd));
        return srv->root_fd;
    }
    for (size_t i = 0; i < cfg->n_interfaces; i++) {
        err = listener_open(srv, &srv->listeners[srv->n_listeners], cfg->interfaces[i]);
        if (err < 0)
            return err;
        srv->n_listeners++;
    }
    return 0;
}

int tftp_server_reload(struct tftp_server *srv, const struct config *cfg)
{
    struct tftp_admit_limits lim = admit_limits(&cfg->tftp);
    int err = tftp_rlimit_fit(config_open_files_needed(cfg));
    if (err < 0 || (err = tftp_admit_set_limits(&srv->admit, &lim)) < 0) {
        log_error("SIGHUP: TFTP limits: %s (keeping the old ones)", strerror(-err));
        return err;
    }
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
            tftp_send_error_fd(x->tx.sock, &x->tx.peer, TFTP_ERR_UNDEFINED, "server shutting down");
            tftp_xfer_finish(x, false, "server shutting down", false);
        }
    }
    tftp_server_maybe_free(srv);
}

size_t tftp_server_foreach(const struct tftp_server *s,
                           void (*cb)(const struct tftp_transfer_info *t, void *ctx), void *ctx)
{
    size_t n = 0;
    if (!s)
        return 0;
    uint64_t now = uv_now(s->loop);
    for (const struct tftp_xfer *x = s->xfers; x; x = x->next) {
        if (x->finished)
            continue;
        uint64_t acked = (uint64_t)x->s.acked * x->s.blksize;
        struct tftp_transfer_info t = {
            .client_ip = ntohl(x->tx.peer.sin_addr.s_addr),
            .client_port = ntohs(x->tx.peer.sin_port), .file = x->file, .size = x->s.size,
            .bytes = acked < x->s.size ? acked : x->s.size,
            .seconds = (double)(now - x->start_ms) / 1000.0, .blksize = x->s.blksize,
            .windowsize = x->s.windowsize };
        cb(&t, ctx);
        n++;
    }
    return n;
}
