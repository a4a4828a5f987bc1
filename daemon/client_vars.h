/* client_vars.h - a client's template variables (tmpl.h): its facts from
 * its lease, or for a client without one (static address, another DHCP
 * server, a proxied client) from the neighbour table's MAC and its
 * hosts: entry; then that entry's vars. The TFTP server asks for them
 * through its tftp_vars_cb (netbootd_client_vars, transfers.c); an HTTP
 * server can do the same. */
#ifndef NETBOOTD_CLIENT_VARS_H
#define NETBOOTD_CLIENT_VARS_H

#include <stdint.h>

#include "config.h"
#include "lease.h"
#include "tmpl.h"

struct lease_pool;
struct proxy_seen;

/* Pure: the variables of the client at ip (host order) served from server:
 * from its lease `l` if it has one, else from `mac` (NULL if unknown) and
 * `seen` (a proxied client's record, or NULL); then its hosts: entry's
 * vars. 0, or -ENOSPC (too many or too long). */
int client_vars_fill(const struct config *cfg, const struct lease *l, const uint8_t *mac,
                     const struct lease *seen, uint32_t ip, uint32_t server,
                     struct tmpl_varset *out);

/* The same, looking the client up: its lease in pool, else its MAC in the
 * kernel's neighbour table (and a proxied client's record). */
int client_vars_find(const struct config *cfg, const struct lease_pool *pool,
                     struct proxy_seen *proxied, uint32_t ip, uint32_t server,
                     struct tmpl_varset *out);

#endif
