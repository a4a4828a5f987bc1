/* dhcp_io.h - the libuv shell around the DHCP cores: one UDP :67 socket
 * per profile interface; datagrams in, decisions applied, replies out. */
#ifndef NETBOOTD_DHCP_IO_H
#define NETBOOTD_DHCP_IO_H

#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "lease.h"

struct dhcp_io;
struct lease_pool;

/* What the DHCP shell needs from the daemon around it: the loop, the pool
 * its decisions change, and where those changes go. */
struct dhcp_io_wiring {
    uv_loop_t *loop;
    struct lease_pool *pool;
    /* A lease the server changed: journal it. */
    void (*lease_changed)(const struct lease *l, void *ctx);
    /* An event for the hooks (its log line is already printed). */
    void (*event)(const struct netboot_event *ev, void *ctx);
    /* Call done(arg, 0) once every lease change so far is on disk, or
     * done(arg, -errno) when it cannot be: an ACK waits for this. */
    void (*when_durable)(void (*done)(void *arg, int status), void *arg, void *ctx);
    /* Wall-clock seconds for the decisions. */
    int64_t (*now)(void);
    void *ctx;
};

/* Open a socket on each cfg interface (needs root/CAP_NET_BIND_SERVICE).
 * `w` is copied; `cfg` must stay valid until the next dhcp_io_reload. */
int dhcp_io_start(const struct dhcp_io_wiring *w, const struct config *cfg,
                  struct dhcp_io **out);
/* Serve `cfg` from now on (it must stay valid until the next reload). The
 * same interfaces get their address and MTU refreshed; a changed list is
 * logged and ignored (it needs a restart). */
int dhcp_io_reload(struct dhcp_io *io, const struct config *cfg);
/* Close the sockets (replies still held are then dropped). */
void dhcp_io_stop(struct dhcp_io *io);
/* Free after the loop has closed the sockets and the lease store is closed. */
void dhcp_io_free(struct dhcp_io *io);

#endif
