/* tftp_tmpl.h - a missing NAME served from NAME.tmpl beneath the root,
 * rendered for the client that asked (docs/templates.md, lib/tmpl.h): the
 * one path the TFTP and the HTTP server both take. The client's variables
 * come from a callback the daemon provides; this layer knows no leases. */
#ifndef NETBOOTD_TFTP_TMPL_H
#define NETBOOTD_TFTP_TMPL_H

#include <stddef.h>
#include <stdint.h>

#include "tftp_wire.h"
#include "tmpl.h"

/* Fill `out` with the variables of the client at client_ip, served from
 * server_ip (both host order). 0, or a negative errno. */
typedef int (*tftp_vars_cb)(uint32_t client_ip, uint32_t server_ip, struct tmpl_varset *out,
                            void *ctx);

struct tftp_tmpl_result {
    char *data;                 /* rendered, malloc'ed: the caller frees it */
    size_t len;
    char path[TFTP_MAX_FILENAME + sizeof ".tmpl"];  /* NAME.tmpl, for messages */
    struct tmpl_error err;      /* where and why, when err.what is set */
};

/* `rel` (as tftp_path_clean made it) is not beneath root_fd: render
 * rel.tmpl, if it is there, with cb's variables. 0 (r->data holds it),
 * 1 (no template), or a negative errno: it could not be rendered
 * (tftp_tmpl_why says why). */
int tftp_tmpl_render(int root_fd, const char *rel, tftp_vars_cb cb, void *ctx,
                     uint32_t client_ip, uint32_t server_ip, struct tftp_tmpl_result *r);

/* "NAME.tmpl:2:8: undefined variable kernel" (or "NAME.tmpl: reason")
 * into buf, for a log line. Returns buf. */
const char *tftp_tmpl_why(const struct tftp_tmpl_result *r, int err, char *buf, size_t size);

#endif
