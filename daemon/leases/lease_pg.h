/* lease_pg.h - leases in a PostgreSQL database shared by several netbootd
 * servers: the database counterpart of lease_store (group commit), on the
 * daemon's libuv loop with libpq's non-blocking API.
 *
 * Every lease change of one loop turn becomes one call of
 * netbootd_lease4_put() in one pipelined transaction (pipeline mode: a
 * burst of N ACKs costs one round trip and one commit); when it commits,
 * the replies that waited for it are released in order. The database
 * decides each change on the locked row: a change it refuses (another
 * server bound the address first) fails its waiter with -EADDRINUSE, and
 * the database's row replaces this server's idea of it, so the client's
 * next try is NAKed or given another address.
 *
 * The pool stays this server's working copy: decisions read it; it is
 * loaded at connect and then follows the others' changes by pulling the
 * rows whose change sequence moved (every second).
 *
 * Database unreachable: no change is vouched for (waiters get -ENOTCONN,
 * so no ACK, new or renewal), the pool keeps serving offers, TFTP and HTTP
 * are untouched, and the connection is retried with back-off (250 ms to
 * 30 s), said once per minute in the log. Reconnected, the pool is
 * reloaded from the database. */
#ifndef NETBOOTD_LEASE_PG_H
#define NETBOOTD_LEASE_PG_H

#include <stdbool.h>
#include <uv.h>

#include "config.h"
#include "lease_pool.h"

struct lease_pg;

typedef void (*lease_pg_durable_cb)(void *arg, int status);
/* A change's outcome: applied by the database or not (another server's
 * change came first). l is the change as sent. */
typedef void (*lease_pg_applied_cb)(const struct lease *l, bool applied, void *ctx);

/* Start connecting (never blocks: host must be a socket folder or a
 * hostaddr=, see config_pg_conninfo_check). password may be "" (copied). */
int lease_pg_open(uv_loop_t *loop, const struct config_leases *cfg, const char *password,
                  struct lease_pool *pool, struct lease_pg **out);

/* Record a change; cb (may be NULL) learns whether it was applied. */
void lease_pg_append(struct lease_pg *s, const struct lease *l, lease_pg_applied_cb cb,
                     void *ctx);

/* cb once everything appended so far is committed (0), or not (< 0: the
 * reply must not be sent). Never called from inside this call. */
void lease_pg_when_durable(struct lease_pg *s, lease_pg_durable_cb cb, void *arg);

/* Connected and the pool loaded from the database. */
bool lease_pg_ready(const struct lease_pg *s);

/* Close: waiting callbacks get -ESHUTDOWN; nothing blocks. */
void lease_pg_close(struct lease_pg *s);

#endif
