/* dhcp_io.h - the libuv shell around the DHCP cores: one UDP :67 socket
 * per profile interface; datagrams in, decisions applied, replies out. */
#ifndef NETBOOTD_DHCP_IO_H
#define NETBOOTD_DHCP_IO_H

#include "daemon_state.h"

/* Open a socket on each cfg interface (needs root/CAP_NET_BIND_SERVICE). */
int dhcp_io_start(struct netbootd *nb, struct dhcp_io **out);
/* First call (from dhcp_io_start): open a socket on each interface. On a
 * reload: the same interfaces get their address and MTU refreshed; a changed
 * list is logged and ignored (it needs a restart). */
int dhcp_io_reload(struct dhcp_io *io, const struct config *cfg);
/* Close the sockets (replies still held are then dropped). */
void dhcp_io_stop(struct dhcp_io *io);
/* Free after the loop has closed the sockets and the lease store is closed. */
void dhcp_io_free(struct dhcp_io *io);

#endif
