/* netbootd.h - the running netbootd: one libuv loop wiring DHCP (dhcp_io),
 * TFTP (tftp_io), IPv6 router solicitations (ra_io), the lease pool and
 * journal, and the event hooks. */
#ifndef NETBOOTD_NETBOOTD_H
#define NETBOOTD_NETBOOTD_H

#include <stddef.h>

#include "config.h"

/* The Makefile passes the git description; other builds (fuzzers) get this. */
#ifndef NETBOOTD_VERSION
#define NETBOOTD_VERSION "0.1"
#endif

/* Run until SIGINT/SIGTERM. Takes ownership of cfg. `profile` and `sets`
 * are kept to reload on SIGHUP. Returns 0 on a clean stop, -errno if the
 * daemon could not start. */
int netbootd_run(const char *profile, const char *const *sets, size_t n_sets,
                 struct config *cfg);

#endif
