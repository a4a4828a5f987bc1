/* tftp_server.h - the running TFTP server's state, private to tftp/: the
 * listeners and the server (tftp_io.c) and the transfers (tftp_xfer.c).
 * Everything here runs on the loop thread. */
#ifndef NETBOOTD_TFTP_SERVER_H
#define NETBOOTD_TFTP_SERVER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "log.h"
#include "netif.h"
#include "tftp_admit.h"
#include "tftp_busy_poll.h"
#include "tftp_io.h"
#include "tftp_send.h"
#include "tftp_session.h"
#include "tftp_wire.h"

/* Requests are bounded by the receive buffer (a longer one arrives
 * truncated and is refused). */
#define TFTP_RX_BUF_BYTES 2048

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
    bool pending;               /* counted as pending (tftp_admit) */
    struct tftp_busy_poll_peer rhythm;
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
    unsigned n_xfers;           /* including those whose handles are closing */
    tftp_report_cb report;
    void *ctx;
    tftp_vars_cb vars;          /* NULL: no templates */
    void *vars_ctx;
    bool stopping;
    int handles_open;
    struct tftp_send_buf *sendbuf;  /* shared by all transfers (tftp_send.h) */
    /* Every receive callback consumes its datagram before returning, on
     * the one loop thread: all sockets share one receive buffer. */
    uint8_t rx_buf[TFTP_RX_BUF_BYTES];
    struct tftp_admit admit;    /* who may start a transfer; ERROR replies */
    struct log_ratelimit rl_bad, rl_busy, rl_client, rl_pending, rl_req, rl_done, rl_fail, rl_tmpl;
    uv_idle_t busy_poll;        /* active: the loop polls instead of sleeping */
    struct tftp_busy_poll bp;
};

/* tftp_io.c */
void tftp_server_maybe_free(struct tftp_server *srv);
/* A datagram of transfer x came: maybe poll for its next one. */
void tftp_server_rx_activity(struct tftp_server *srv, struct tftp_xfer *x);

/* tftp_xfer.c */
void tftp_send_error_fd(int fd, const struct sockaddr_in *to, uint16_t code, const char *msg);
/* Start sending the file `fd` (size bytes, `rel` under the root) to peer,
 * asked for by `req` on listener l; or, with fd -1, the size bytes at mem
 * (a rendered template, malloc'ed). Takes fd and mem. 0, or a negative
 * errno with *why the text of the ERROR to send (nothing is left open). */
int tftp_xfer_start(struct tftp_listener *l, const struct sockaddr_in *peer,
                    const struct tftp_request *req, int fd, char *mem, uint64_t size,
                    const char *rel, const char **why);
/* End the transfer: one log line, one report, its handles closed. */
void tftp_xfer_finish(struct tftp_xfer *x, bool ok, const char *error, bool quiet);

#endif
