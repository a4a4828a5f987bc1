/* ctl_sock.h - the control socket: a Unix stream socket in the daemon's
 * loop that `netbootd status` and `netbootd reload` connect to.
 *
 * Created as root before the privilege drop, mode 0660, owned by the
 * service user and its group (its folder made 0750 for the user when
 * missing). A stale socket left by a crash is replaced; one a running
 * daemon still answers on is left alone (-EADDRINUSE). Each connection:
 * the peer's credentials are checked (ctl_req.h), one request line of at
 * most CTL_REQ_MAX bytes is read, the answer is written with uv_write and
 * the connection closed. At most CTL_MAX_CLIENTS at a time; a client that
 * has not sent its request and read the whole answer within
 * CTL_DEADLINE_MS is cut off; answers not yet read are bounded in all
 * (CTL_PENDING_MAX). Nothing here blocks the loop.
 *
 * The answer's first line is "OK <text>" or "ERR <text>", then the body. */
#ifndef NETBOOTD_CTL_SOCK_H
#define NETBOOTD_CTL_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

#include "ctl_req.h"

#define CTL_MAX_CLIENTS 8
#define CTL_DEADLINE_MS 5000
/* Answers held for clients still reading them (a /16 pool's status as
 * JSON is tens of MiB): past this a new request is answered "busy". */
#define CTL_PENDING_MAX (64u << 20)

struct ctl_reply {
    bool ok;
    char head[256];         /* the first line's text */
    char *body;             /* malloc'd (taken over), or NULL */
    size_t body_len;
};

typedef void (*ctl_handler)(const struct ctl_req *req, struct ctl_reply *reply, void *ctx);

struct ctl_sock;

/* As root: make the socket at path for the service user uid:gid. */
int ctl_sock_start(uv_loop_t *loop, const char *path, uid_t uid, gid_t gid, ctl_handler h,
                   void *ctx, struct ctl_sock **out);
/* Close the listener and every connection, remove the socket file; freed
 * once its handles are closed. NULL is fine. */
void ctl_sock_stop(struct ctl_sock *s);

#endif
