/* lease_json.h - leases and seen clients as JSON, for `netbootd --leases
 * --json` and `netbootd status --json` (same field names in both). Pure:
 * writes into a json_wr, the time passed in. */
#ifndef NETBOOTD_LEASE_JSON_H
#define NETBOOTD_LEASE_JSON_H

#include <stdint.h>

#include "json_wr.h"
#include "lease_pool.h"
#include "proxy_seen.h"

/* One client: `mode` is "lease" (a lease of ours: state and expiry too),
 * "proxy" (a proxy subnet answered it) or "static" (seen by TFTP only). */
void lease_json(struct json_wr *w, const struct lease *l, int64_t now, const char *mode);

/* Inside an open object: "leases" (sorted by address), "proxied" and
 * "static" arrays (a NULL table gives an empty one). 0, or -ENOMEM. */
int lease_json_sections(struct json_wr *w, const struct lease_pool *pool,
                        const struct proxy_seen *proxied, const struct proxy_seen *statics,
                        int64_t now);

/* No document grows past this (a /16 of leases with long names fits). */
#define LEASE_JSON_MAX_BYTES (256u << 20)

/* The whole document {"now":..., "leases":[], "proxied":[], "static":[]}
 * in a malloc'd, NUL-terminated buffer. 0, or -ENOMEM/-EMSGSIZE. */
int lease_json_document(const struct lease_pool *pool, const struct proxy_seen *proxied,
                        const struct proxy_seen *statics, int64_t now, char **out, size_t *len);

#endif
