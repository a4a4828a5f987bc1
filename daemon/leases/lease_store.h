/* lease_store.h - group commit of lease changes on the libuv loop.
 *
 * Every lease change of one loop turn goes into one batch; at the end of
 * the turn (uv_check) the batch is written and fdatasync()ed on a worker
 * thread while the loop keeps serving; when it is durable, every reply that
 * waited for it is released in order. One commit is in flight at a time, so
 * a burst of N clients costs one fsync, not N.
 *
 * When the file may lack a change memory has (a write or fdatasync failed,
 * or recording the change ran out of memory), the store is broken: no reply
 * is released as durable (waiters get an error) until the journal has been
 * rewritten from memory into a fresh file and synced, retried every second
 * with a rate-limited error. */
#ifndef NETBOOTD_LEASE_STORE_H
#define NETBOOTD_LEASE_STORE_H

#include <uv.h>

#include "lease_pool.h"
#include "lease_journal.h"

struct lease_store;

typedef void (*lease_store_durable_cb)(void *arg, int status);

/* Take over the journal `fd` in folder `dir_fd` (see lease_journal_open_fd)
 * and replay it into pool. */
int lease_store_open(uv_loop_t *loop, int dir_fd, int fd, const char *path,
                     struct lease_pool *pool, struct lease_store **out);

/* Record a change (a failure breaks the store, see above). */
void lease_store_append(struct lease_store *s, const struct lease *l);

/* Call cb once everything appended so far is durable (status 0) or could
 * not be written (status < 0: the reply must not be sent). */
void lease_store_when_durable(struct lease_store *s, lease_store_durable_cb cb, void *arg);

/* Tests: the journal (to swap its system calls), and whether the store is
 * waiting for a rewrite. */
struct lease_journal *lease_store_journal(struct lease_store *s);
bool lease_store_broken(const struct lease_store *s);

/* Write whatever is pending synchronously, then close (shutdown). Waiting
 * callbacks are called. */
void lease_store_close(struct lease_store *s);

#endif
