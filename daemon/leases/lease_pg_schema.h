/* lease_pg_schema.h - the PostgreSQL lease database's schema, as numbered
 * migrations (SQL text, nothing else: `netbootd db init` and `db upgrade`
 * run them, lease_pg_admin.c). */
#ifndef NETBOOTD_LEASE_PG_SCHEMA_H
#define NETBOOTD_LEASE_PG_SCHEMA_H

/* The version this build writes and needs. */
#define LEASE_PG_SCHEMA_LATEST 2

/* The SQL that takes a database from version v - 1 to v (1 <= v <=
 * LEASE_PG_SCHEMA_LATEST; version 0 is an empty database), or NULL. Each
 * one ends by recording its version in netbootd_schema. */
const char *lease_pg_migration(int v);

/* One line saying what version v brought (`netbootd db upgrade` prints it). */
const char *lease_pg_migration_title(int v);

#endif
