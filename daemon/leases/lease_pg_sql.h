/* lease_pg_sql.h - the pure half of the PostgreSQL lease backend: the
 * statements, a lease as their text parameters, a result row back into a
 * lease, and the reconnect back-off. No libpq connection, no clock. */
#ifndef NETBOOTD_LEASE_PG_SQL_H
#define NETBOOTD_LEASE_PG_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lease.h"

/* One write (schema version 2): applied, then the row's columns as
 * LEASE_PG_ROW_COLS lists them. */
#define LEASE_PG_PUT_SQL \
    "SELECT * FROM netbootd_lease4_put($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, " \
    "$13, $14)"
#define LEASE_PG_PUT_NPARAMS 14
#define LEASE_PG_PUT_NAME "netbootd_put"     /* its prepared statement */

/* The row's columns, in the order lease_pg_row_decode reads them. */
#define LEASE_PG_ROW_COLS \
    "address, mac, client_id, state, expires, updated, hostname, arch, class, stage, " \
    "stage_time, stage_file"
#define LEASE_PG_ROW_NCOLS 12

/* Every row changed after sequence number $1, oldest first, with its seq
 * last (column LEASE_PG_ROW_NCOLS). $1 = -1: every row. */
#define LEASE_PG_PULL_SQL \
    "SELECT " LEASE_PG_ROW_COLS ", seq FROM netbootd_lease4 WHERE seq > $1 ORDER BY seq"

/* A lease as LEASE_PG_PUT_SQL's text parameters. The strings point into p. */
struct lease_pg_params {
    const char *values[LEASE_PG_PUT_NPARAMS];
    char address[16], mac[16], client_id[2 + 2 * LEASE_CLIENT_ID_MAX + 1], state[8],
         expires[24], updated[24], hostname[LEASE_HOSTNAME_MAX], arch[16],
         class_name[LEASE_CLASS_MAX], stage[8], stage_time[24], stage_file[LEASE_FILE_MAX],
         server[64], now[24];
};

/* `server` names the writer (its host name, shown in the database);
 * `now` is its clock, against which expiry is judged. Text that is not
 * printable ASCII (a client's host name, a requested file) is stored with
 * '?' in place of each such byte: the database's text must be valid. */
void lease_pg_put_params(const struct lease *l, const char *server, int64_t now,
                         struct lease_pg_params *p);

/* A result row (text format; vals[i] NULL for SQL NULL) back into a lease.
 * 0, or -EBADMSG for anything out of range (nothing trusted blindly: the
 * database is shared). A row of state 0 (FREE) is "no lease here". */
int lease_pg_row_decode(const char *const *vals, size_t n, struct lease *out);

/* How long to wait before reconnect attempt n (0 = the first): 250 ms,
 * doubling, at most 30 s. */
unsigned lease_pg_backoff_ms(unsigned attempt);

/* Rate limit for "database unreachable" lines: true (and *last = now) when
 * at least `interval` seconds passed since *last. */
bool lease_pg_log_due(int64_t *last, int64_t now, int64_t interval);

#endif
