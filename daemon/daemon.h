/* daemon.h - the running netbootd: one libuv loop wiring DHCP (dhcp_io),
 * TFTP (tftp_io), the lease pool and journal, and the event hooks. */
#ifndef NETBOOTD_DAEMON_H
#define NETBOOTD_DAEMON_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Run until SIGINT/SIGTERM. Takes ownership of cfg. `profile` and `sets`
 * are kept to reload on SIGHUP. Returns 0 on a clean stop, -errno if the
 * daemon could not start. */
int daemon_run(const char *profile, const char *const *sets, size_t n_sets,
               struct config *cfg);

/* `netbootd --leases`: replay the lease journal and print the table. */
int daemon_print_leases(const struct config *cfg, FILE *out);

#endif
