/* lease_pg_admin.c - the lease database from the command line: schema
 * creation and migration in one transaction each, and reading the table
 * for --leases (lease_pg_admin.h). Blocking calls: never on the loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lease_pg_admin.h"
#include "lease_pg_schema.h"
#include "lease_pg_sql.h"

int lease_pg_password(const struct config_leases *l, char *buf, size_t size)
{
    buf[0] = '\0';
    if (l->pg_password_file) {
        int fd = open(l->pg_password_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return -errno;
        ssize_t n = read(fd, buf, size - 1);
        int e = errno;
        close(fd);
        if (n < 0)
            return -e;
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        return 0;
    }
    const char *env = getenv("PGPASSWORD");
    if (env && strlen(env) < size)
        memcpy(buf, env, strlen(env) + 1);
    return 0;
}

void lease_pg_conn_params(const struct config_leases *l, const char *password,
                          struct lease_pg_conn_params *p)
{
    size_t at = 0;
    p->keywords[at] = "dbname";
    p->values[at++] = l->pg_conninfo;
    p->keywords[at] = "application_name";
    p->values[at++] = "netbootd";
    if (password && *password) {
        p->keywords[at] = "password";
        p->values[at++] = password;
    }
    p->keywords[at] = NULL;
    p->values[at] = NULL;
}

static PGconn *connect_blocking(const struct config *cfg, FILE *err)
{
    char pw[1024];
    struct lease_pg_conn_params p;
    int e = lease_pg_password(&cfg->leases, pw, sizeof pw);
    if (e < 0) {
        fprintf(err, "netbootd: leases.postgresql.password-file %s: %s\n",
                cfg->leases.pg_password_file, strerror(-e));
        return NULL;
    }
    lease_pg_conn_params(&cfg->leases, pw, &p);
    PGconn *conn = PQconnectdbParams(p.keywords, p.values, 1);
    memset(pw, 0, sizeof pw);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        fprintf(err, "netbootd: database: %s", conn ? PQerrorMessage(conn) : "out of memory\n");
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

/* Run sql; false after a message when it did not succeed. */
static bool exec_ok(PGconn *conn, const char *sql, FILE *err)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(err, "netbootd: database: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

int lease_pg_schema_version(PGconn *conn)
{
    PGresult *r = PQexec(conn, "SELECT to_regclass('netbootd_schema') IS NOT NULL");
    int v = -EIO;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? 1 : 0;
    PQclear(r);
    if (v != 1)
        return v;
    r = PQexec(conn, "SELECT max(version) FROM netbootd_schema");
    v = -EIO;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = atoi(PQgetvalue(r, 0, 0));
    else
        fprintf(stderr, "netbootd: database: %s", PQresultErrorMessage(r));
    PQclear(r);
    return v;
}

/* Migrate from `from` to `to` in one transaction, the schema table locked
 * (two servers upgrading at once: one waits, then finds nothing to do). */
static int migrate(PGconn *conn, int to, bool init, FILE *out, FILE *err)
{
    if (!exec_ok(conn, "BEGIN", err))
        return 1;
    int from = lease_pg_schema_version(conn);
    if (from > 0 && !init) {
        if (!exec_ok(conn, "LOCK TABLE netbootd_schema IN EXCLUSIVE MODE", err))
            goto fail;
        from = lease_pg_schema_version(conn);   /* as the holder of the lock left it */
    }
    if (from < 0)
        goto fail;
    if (init && from > 0) {
        fprintf(err, "netbootd: the database already has netbootd's schema (version %d); "
                "`netbootd db upgrade` migrates it\n", from);
        goto fail;
    }
    if (!init && from == 0) {
        fprintf(err, "netbootd: the database has no netbootd schema: `netbootd db init`\n");
        goto fail;
    }
    if (from > LEASE_PG_SCHEMA_LATEST) {
        fprintf(err, "netbootd: the database's schema version %d is newer than this "
                "netbootd's (%d)\n", from, LEASE_PG_SCHEMA_LATEST);
        goto fail;
    }
    for (int v = from + 1; v <= to; v++) {
        if (!exec_ok(conn, lease_pg_migration(v), err))
            goto fail;
        fprintf(out, "schema version %d: %s\n", v, lease_pg_migration_title(v));
    }
    if (!exec_ok(conn, "COMMIT", err))
        return 1;
    if (from == to)
        fprintf(out, "schema version %d: up to date\n", to);
    return 0;
fail:
    exec_ok(conn, "ROLLBACK", err);
    return 1;
}

int lease_pg_db_command(const struct config *cfg, const char *cmd, int target, FILE *out,
                        FILE *err)
{
    if (cfg->leases.backend != CONFIG_LEASES_POSTGRESQL) {
        fprintf(err, "netbootd: db %s: the profile's leases.backend is not postgresql\n", cmd);
        return 1;
    }
    if (target < 0 || target > LEASE_PG_SCHEMA_LATEST) {
        fprintf(err, "netbootd: schema versions go from 1 to %d\n", LEASE_PG_SCHEMA_LATEST);
        return 2;
    }
    PGconn *conn = connect_blocking(cfg, err);
    if (!conn)
        return 1;
    int rc = 1;
    if (strcmp(cmd, "init") == 0) {
        rc = migrate(conn, target ? target : LEASE_PG_SCHEMA_LATEST, true, out, err);
    } else if (strcmp(cmd, "upgrade") == 0) {
        rc = migrate(conn, LEASE_PG_SCHEMA_LATEST, false, out, err);
    } else if (strcmp(cmd, "version") == 0) {
        int v = lease_pg_schema_version(conn);
        if (v >= 0)
            fprintf(out, "schema version %d (this netbootd: %d)\n", v, LEASE_PG_SCHEMA_LATEST);
        rc = v >= 0 ? 0 : 1;
    } else {
        fprintf(err, "netbootd: db %s: expected init, upgrade or version\n", cmd);
        rc = 2;
    }
    PQfinish(conn);
    return rc;
}

int lease_pg_read_pool(const struct config *cfg, struct lease_pool *pool)
{
    PGconn *conn = connect_blocking(cfg, stderr);
    if (!conn)
        return -EIO;
    int err = 0, v = lease_pg_schema_version(conn);
    if (v != LEASE_PG_SCHEMA_LATEST) {
        fprintf(stderr, "netbootd: database schema version %d, this netbootd needs %d "
                "(netbootd db init / db upgrade)\n", v, LEASE_PG_SCHEMA_LATEST);
        PQfinish(conn);
        return -EPROTO;
    }
    const char *params[1] = { "-1" };
    PGresult *r = PQexecParams(conn, LEASE_PG_PULL_SQL, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "netbootd: database: %s", PQresultErrorMessage(r));
        err = -EIO;
    }
    for (int i = 0; err == 0 && i < PQntuples(r); i++) {
        const char *vals[LEASE_PG_ROW_NCOLS];
        struct lease l;
        for (int c = 0; c < LEASE_PG_ROW_NCOLS; c++)
            vals[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
        if (lease_pg_row_decode(vals, LEASE_PG_ROW_NCOLS, &l) < 0)
            fprintf(stderr, "netbootd: database: row %d is malformed, skipped\n", i);
        else if (config_subnet_for(cfg, l.ip) && lease_pool_restore(pool, &l) == -ENOMEM)
            err = -ENOMEM;
    }
    PQclear(r);
    PQfinish(conn);
    return err;
}
