/* config_leases_pg.c - leases.backend and leases.postgresql: which store
 * the leases live in, and how to reach a shared PostgreSQL database.
 *
 * The connection string is checked here with libpq's own parser (no
 * network): a password inside it is refused (it would sit in a readable
 * profile and in --check's output; password-file or PGPASSWORD carry it),
 * and so is a host name, since libpq resolves names with a blocking
 * getaddrinfo() that would stall the daemon's loop: a unix socket folder
 * in host= or a numeric hostaddr= it must be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "config_ctx.h"

const char *const cfg_keys_leases_pg[] = { "conninfo", "password-file", NULL };

/* Is every comma-separated element of host= a unix socket folder (or an
 * abstract socket, '@')? An empty list means libpq's default socket. */
static bool hosts_are_sockets(const char *hosts)
{
    for (const char *p = hosts; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0 && p[0] != '/' && p[0] != '@')
            return false;
        p += n;
        if (*p == ',')
            p++;
    }
    return true;
}

int config_pg_conninfo_check(const char *conninfo, char *why, size_t size)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (!opts) {
        snprintf(why, size, "not a libpq connection string: %.*s",
                 err ? (int)strcspn(err, "\n") : 13, err ? err : "out of memory");
        PQfreemem(err);
        return -1;
    }
    const char *host = NULL, *hostaddr = NULL;
    bool has_password = false;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0 && o->val[0])
            hostaddr = o->val;
        else if (strcmp(o->keyword, "password") == 0)
            has_password = true;
    }
    int rc = 0;
    if (has_password) {
        snprintf(why, size, "a password does not belong in the profile: put it in "
                 "leases.postgresql.password-file or PGPASSWORD");
        rc = -1;
    } else if (!hostaddr && !hosts_are_sockets(host)) {
        snprintf(why, size, "host=%s would need a DNS lookup, which blocks: name a unix "
                 "socket folder (host=/run/postgresql) or a numeric hostaddr=", host);
        rc = -1;
    }
    PQconninfoFree(opts);
    return rc;
}

static void load_pg(struct cfg_ctx *c, const struct ynode *n, struct config_leases *l)
{
    const struct ynode *x;
    if (!cfg_check_keys(c, n, "leases.postgresql", cfg_keys_leases_pg))
        return;
    if ((x = ytree_get(n, "conninfo")) &&
        cfg_string(c, x, "leases.postgresql.conninfo", &l->pg_conninfo) && l->pg_conninfo) {
        char why[256];
        l->pg_conninfo_pos = (struct config_pos){ x->line, x->column };
        if (config_pg_conninfo_check(l->pg_conninfo, why, sizeof why) < 0)
            cfg_error(c, x, "leases.postgresql.conninfo", "%s", why);
    }
    if ((x = ytree_get(n, "password-file")) &&
        cfg_string(c, x, "leases.postgresql.password-file", &l->pg_password_file) &&
        l->pg_password_file && l->pg_password_file[0] != '/' && c->cfg->dir) {
        char *abs = NULL;
        if (asprintf(&abs, "%s/%s", c->cfg->dir, l->pg_password_file) >= 0) {
            free(l->pg_password_file);
            l->pg_password_file = abs;
        }
    }
}

void cfg_load_leases_backend(struct cfg_ctx *c, const struct ynode *leases,
                             struct config_leases *l)
{
    const struct ynode *x = ytree_get(leases, "backend"), *pg = ytree_get(leases, "postgresql");
    const char *v;
    if (x && cfg_scalar(c, x, "leases.backend", &v)) {
        if (strcmp(v, "file") == 0)
            l->backend = CONFIG_LEASES_FILE;
        else if (strcmp(v, "postgresql") == 0)
            l->backend = CONFIG_LEASES_POSTGRESQL;
        else
            cfg_error(c, x, "leases.backend", "'%s': expected file or postgresql", v);
    }
    if (pg)
        load_pg(c, pg, l);
    if (l->backend == CONFIG_LEASES_POSTGRESQL && !l->pg_conninfo)
        cfg_error(c, pg ? pg : x, "leases.postgresql.conninfo",
                  "backend: postgresql needs a connection string "
                  "(e.g. conninfo: \"host=/run/postgresql dbname=netbootd\")");
    else if (pg && l->backend == CONFIG_LEASES_FILE)
        cfg_warning(c, pg, "leases.postgresql", "ignored: leases.backend is file");
}
