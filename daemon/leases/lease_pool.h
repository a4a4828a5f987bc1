/* lease_pool.h - the in-memory lease pool for every subnet (pure: time is
 * passed in, nothing touches files).
 *
 * A client is known by its client-id (option 61) when it sends one, else by
 * its MAC; a client that sent 61 once and later comes without it (PXE ROM
 * then syslinux.efi's own DHCP) is found by MAC, so it keeps its address.
 * Addresses: by index (O(1)); free ones come from a per-range bitmap with
 * a rotating cursor, so a /16 pool stays fast. Reserved addresses (hosts
 * with `ip:`) are never handed to anyone else. */
#ifndef NETBOOTD_LEASE_POOL_H
#define NETBOOTD_LEASE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lease.h"

struct lease_pool;

/* Who is asking: client-id bytes (may be NULL) and the MAC. */
struct lease_client {
    const uint8_t *client_id;
    size_t client_id_len;
    uint8_t mac[6];
};

struct lease_pool *lease_pool_new(const struct config *cfg);
void lease_pool_free(struct lease_pool *pool);

/* A new profile (SIGHUP): leases whose address is still inside a subnet are
 * kept, others dropped; reservations and ranges are rebuilt. 0, or -ENOMEM
 * with nothing changed (the old profile's ranges and reservations stay). */
int lease_pool_reconfigure(struct lease_pool *pool, const struct config *cfg);

/* The lease this client holds or held (any state but FREE), or NULL. */
struct lease *lease_pool_find_client(const struct lease_pool *pool, const struct lease_client *c);
struct lease *lease_pool_find_ip(const struct lease_pool *pool, uint32_t ip);

/* Is ip free for this client: not reserved for someone else, not
 * quarantined, not leased or offered to another client. Expired and released leases of
 * other clients still count as theirs. */
bool lease_pool_ip_available(const struct lease_pool *pool, uint32_t ip,
                             const struct lease_client *c);

/* Pick an address in subnet s for client c (RFC 2131 §4.3.1 order): its
 * reservation; its current or previous address; `requested` (0 = none) if
 * inside the range and available; the next never-used free address; else
 * the address released or expired longest ago. -ENOSPC when exhausted. */
int lease_pool_choose(struct lease_pool *pool, const struct config_subnet *s,
                      const struct lease_client *c, uint32_t requested, uint32_t *ip_out);

/* Create or update the record for ip, owned by client c, in `state` until
 * `expires`. Moves the client off any other address it held. The returned
 * pointer stays valid until the lease is freed. NULL on -ENOMEM. */
struct lease *lease_pool_bind(struct lease_pool *pool, uint32_t ip, const struct lease_client *c,
                              enum lease_state state, int64_t expires, int64_t now);

/* Forget the record for ip (the address becomes free). */
void lease_pool_remove(struct lease_pool *pool, uint32_t ip);

/* DECLINE (RFC 2131 §4.3.3): l becomes a quarantine until `until`, held
 * for no client: nobody is given the address, and the declining client's
 * later leases leave it alone. 0 or -ENOMEM. */
int lease_pool_decline(struct lease_pool *pool, struct lease *l, int64_t until, int64_t now);

/* How many addresses are quarantined after a DECLINE from this client (same
 * client-id or same MAC) and still are at `now`. */
size_t lease_pool_declined_by(const struct lease_pool *pool, const struct lease_client *c,
                              int64_t now);

/* Journal replay: put a record back as it was. Later records for the same
 * address replace earlier ones; FREE removes. 0 or -errno. */
int lease_pool_restore(struct lease_pool *pool, const struct lease *l);

/* Time passes: OFFERED holds and DECLINED quarantines past `now` are freed;
 * BOUND leases past `now` become EXPIRED (kept so the client gets the same
 * address back) and are reported through cb. Returns how many expired. */
size_t lease_pool_expire(struct lease_pool *pool, int64_t now,
                         void (*cb)(const struct lease *l, void *ctx), void *ctx);

void lease_pool_foreach(const struct lease_pool *pool,
                        void (*cb)(const struct lease *l, void *ctx), void *ctx);
size_t lease_pool_count(const struct lease_pool *pool);

/* Pool usage of one subnet: addresses in its range, and those in use. */
void lease_pool_usage(const struct lease_pool *pool, const struct config_subnet *s,
                      size_t *size, size_t *used);

#endif
