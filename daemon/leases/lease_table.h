/* lease_table.h - `netbootd --leases`: every lease and how far each
 * machine got in its boot, as an aligned table sorted by address. */
#ifndef NETBOOTD_LEASE_TABLE_H
#define NETBOOTD_LEASE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lease_pool.h"

/* 0, or -ENOMEM with nothing printed (never a table with leases missing). */
int lease_table_print(FILE *out, const struct lease_pool *pool, int64_t now);

/* Every lease of the pool sorted by address, in a malloc'd list (NULL
 * when empty) the caller frees. 0, or -ENOMEM. */
int lease_table_sorted(const struct lease_pool *pool, const struct lease ***items, size_t *n);

/* `netbootd --leases [--json]`: replay cfg's lease journal into a fresh
 * pool and print its table, and the proxied clients' below it (or both as
 * JSON, lease_json.h). 0, or -errno (after a message on stderr). */
int lease_table_print_file(FILE *out, const struct config *cfg, int64_t now, bool json);

/* "in 9m", "3m ago", "never" (for infinite leases), into buf. */
const char *lease_table_when(int64_t t, int64_t now, char *buf, size_t size);

#endif
