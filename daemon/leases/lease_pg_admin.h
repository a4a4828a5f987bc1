/* lease_pg_admin.h - the PostgreSQL lease database from the command line
 * (blocking libpq calls, never on the daemon's loop): `netbootd db init`,
 * `db upgrade`, `db version`, and `--leases` reading the shared table; and
 * the connection parameters the daemon's own (non-blocking) connection
 * uses too. */
#ifndef NETBOOTD_LEASE_PG_ADMIN_H
#define NETBOOTD_LEASE_PG_ADMIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <libpq-fe.h>

#include "config.h"
#include "lease_pool.h"

/* The password: leases.postgresql.password-file's first line, else
 * $PGPASSWORD, else "" (none). 0, or -errno (the file is unreadable). */
int lease_pg_password(const struct config_leases *l, char *buf, size_t size);

/* PQconnectStartParams/PQconnectdbParams keywords and values: the
 * conninfo expanded, then the password when there is one. */
struct lease_pg_conn_params {
    const char *keywords[4];
    const char *values[4];
};
void lease_pg_conn_params(const struct config_leases *l, const char *password,
                          struct lease_pg_conn_params *p);

/* The schema version of the connected database: 0 when it has none, or
 * -EIO (message on stderr). */
int lease_pg_schema_version(PGconn *conn);

/* `netbootd db CMD`: "init" (an empty database up to `target`, 0 = the
 * latest), "upgrade" (to the latest) or "version". Messages on out/err.
 * Returns the exit status. */
int lease_pg_db_command(const struct config *cfg, const char *cmd, int target, FILE *out,
                        FILE *err);

/* `--leases`: every row of the shared table into pool (its addresses
 * outside cfg's subnets are skipped). 0, or -errno after a message. */
int lease_pg_read_pool(const struct config *cfg, struct lease_pool *pool);

#endif
