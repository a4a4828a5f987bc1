/* ctl_client.h - the command-line side of the control socket: `netbootd
 * status [--json]` and `netbootd reload` send one request to the running
 * daemon (ctl_sock.h) and print its answer. */
#ifndef NETBOOTD_CTL_CLIENT_H
#define NETBOOTD_CTL_CLIENT_H

#include <stdio.h>

#include "ctl_req.h"

/* How long the whole exchange may take (a reload loads the profile). */
#define CTL_CLIENT_TIMEOUT_MS 15000

/* Ask the daemon at path. After OK the answer's body goes to out (and a
 * reload's verdict line); after ERR the body and the reason go to err.
 * Returns the exit status: 0 when the daemon said OK, 1 otherwise. */
int ctl_client_run(const char *path, const struct ctl_req *req, FILE *out, FILE *err);

#endif
