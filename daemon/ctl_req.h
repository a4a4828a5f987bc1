/* ctl_req.h - the control socket's requests and who may make them (pure).
 *
 * A request is one line of at most CTL_REQ_MAX bytes: a command word,
 * optionally followed by " json", ended by "\n" (a "\r" before it is
 * allowed). Commands: `status`, `leases` (with or without json), `reload`.
 * A peer may ask when it is root, the service user, or in the socket's
 * group (its primary group or one of its supplementary groups). */
#ifndef NETBOOTD_CTL_REQ_H
#define NETBOOTD_CTL_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CTL_REQ_MAX 256

enum ctl_cmd { CTL_STATUS, CTL_LEASES, CTL_RELOAD };

struct ctl_req {
    enum ctl_cmd cmd;
    bool json;
};

/* buf: the bytes received so far. > 0: a whole request was parsed (the
 * bytes it used, newline included); 0: no newline yet, wait for more;
 * -EMSGSIZE: CTL_REQ_MAX bytes without a newline; -EBADMSG: not a request
 * (unknown command or option, a byte that is not printable ASCII). */
int ctl_req_parse(const char *buf, size_t len, struct ctl_req *out);

/* The request line the client sends for req (with its newline). */
const char *ctl_req_line(const struct ctl_req *req);

struct ctl_peer {
    uid_t uid;
    gid_t gid;
    const gid_t *groups;    /* supplementary groups (SO_PEERGROUPS) */
    size_t n_groups;
};

bool ctl_peer_allowed(const struct ctl_peer *p, uid_t service_uid, gid_t socket_gid);

#endif
