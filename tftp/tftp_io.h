/* tftp_io.h - the read-only TFTP server in the daemon's libuv loop: one
 * listener per interface on the TFTP port, one socket (a fresh TID) and one
 * timer per transfer, file data read with pread from a descriptor opened
 * beneath the root (tftp_path). */
#ifndef NETBOOTD_TFTP_IO_H
#define NETBOOTD_TFTP_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "tftp_tmpl.h"

struct tftp_server;

struct tftp_transfer_report {
    uint32_t client_ip;         /* host order */
    uint16_t client_port;
    const char *file;           /* as requested, relative to the root */
    uint64_t bytes;
    double seconds;
    bool ok;
    bool not_found;             /* no transfer: the file is not under the root */
    const char *error;          /* NULL when ok */
    uint16_t blksize, windowsize;
};

typedef void (*tftp_report_cb)(const struct tftp_transfer_report *r, void *ctx);

/* Bind UDP cfg->tftp.port on each interface (SO_BINDTODEVICE) and open the
 * root directory. Called as root, before privileges are dropped. */
int tftp_server_start(uv_loop_t *loop, const struct config *cfg, tftp_report_cb cb, void *ctx,
                      struct tftp_server **out);
/* Serve templates: a request for NAME where NAME is missing and NAME.tmpl
 * is there gets NAME.tmpl rendered with the client's variables, which cb
 * finds (tftp_tmpl.h, docs/templates.md). Without cb, NAME.tmpl is never
 * looked for. */
void tftp_server_set_vars(struct tftp_server *s, tftp_vars_cb cb, void *ctx);
/* SIGHUP: a new root and limits for new transfers; running ones finish. */
int tftp_server_reload(struct tftp_server *s, const struct config *cfg);
/* Transfers running now (for the service manager's one-line status). */
unsigned tftp_server_transfers(const struct tftp_server *s);
/* A transfer in flight, as `netbootd status` shows it. */
struct tftp_transfer_info {
    uint32_t client_ip;         /* host order */
    uint16_t client_port;
    const char *file;           /* as requested; valid during the callback only */
    uint64_t size;              /* bytes to send */
    uint64_t bytes;             /* acknowledged so far */
    double seconds;             /* since the request */
    uint16_t blksize, windowsize;
};

/* Call cb for each transfer in flight (read-only; cb must not stop the
 * server). Returns how many there were. */
size_t tftp_server_foreach(const struct tftp_server *s,
                           void (*cb)(const struct tftp_transfer_info *t, void *ctx), void *ctx);

/* Close listeners and transfers; frees everything once handles are closed. */
void tftp_server_stop(struct tftp_server *s);

#endif
