/* lease_pg_schema.c - the lease database's migrations.
 *
 * Version 1: the lease table. One row per address (the PRIMARY KEY: an
 * address has one owner), the client as client-id or MAC, and the lease
 * state numbered as enum lease_state (lease.h). A partial UNIQUE index
 * holds each client to one bound address.
 *
 * Version 2: what the backend needs on top. netbootd_lease4_put() is the
 * one write a server makes, deciding in the database, row locked, whether
 * the change may happen (a live lease of another client refuses it: that
 * is what keeps two servers from binding one address to two clients); and
 * a change sequence (seq), so that each server pulls what the others
 * changed since it last looked.
 *
 * Kea's SQL backends keep the same shape (lease4 keyed by address, a
 * schema_version table, migrations run by kea-admin); netbootd differs in
 * deciding conflicts inside one function call rather than in the server. */
#include <stddef.h>

#include "lease.h"
#include "lease_pg_schema.h"

_Static_assert(LEASE_FREE == 0 && LEASE_OFFERED == 1 && LEASE_BOUND == 2 &&
               LEASE_RELEASED == 3 && LEASE_EXPIRED == 4 && LEASE_DECLINED == 5,
               "the database stores enum lease_state by number");

static const char v1[] =
    "CREATE TABLE netbootd_schema (version integer NOT NULL);\n"
    "INSERT INTO netbootd_schema VALUES (0);\n"
    "CREATE TABLE netbootd_lease4 (\n"
    "    address bigint PRIMARY KEY CHECK (address BETWEEN 0 AND 4294967295),\n"
    "    mac bytea NOT NULL CHECK (length(mac) = 6),\n"
    "    client_id bytea CHECK (length(client_id) BETWEEN 1 AND 64),\n"
    "    client bytea GENERATED ALWAYS AS (CASE WHEN client_id IS NULL\n"
    "        THEN '\\x6d'::bytea || mac ELSE '\\x63'::bytea || client_id END) STORED,\n"
    "    state smallint NOT NULL CHECK (state BETWEEN 0 AND 5),\n"
    "    expires bigint NOT NULL,\n"
    "    updated bigint NOT NULL,\n"
    "    hostname text NOT NULL DEFAULT '',\n"
    "    arch integer NOT NULL DEFAULT -1,\n"
    "    class text NOT NULL DEFAULT '',\n"
    "    stage smallint NOT NULL DEFAULT 0,\n"
    "    stage_time bigint NOT NULL DEFAULT 0,\n"
    "    stage_file text NOT NULL DEFAULT '',\n"
    "    server text NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE UNIQUE INDEX netbootd_lease4_bound_client ON netbootd_lease4 (client)\n"
    "    WHERE state = 2;\n"
    "CREATE INDEX netbootd_lease4_mac ON netbootd_lease4 (mac);\n"
    "UPDATE netbootd_schema SET version = 1;\n";

/* The write: p_* is the change a server made in its own pool. Whether it
 * may happen is decided on the locked row:
 *   BOUND     if the row is this client's, or nobody's (absent, free, an
 *             expired hold or quarantine, released or expired): the client
 *             then leaves every other address (one binding per client);
 *   DECLINED  the same (quarantine: the address in use by someone unknown);
 *   RELEASED  only this client's bound row;
 *   EXPIRED   only this client's bound row not renewed past p_expires (by
 *             another server);
 *   FREE      only this client's row.
 * A BOUND write never shortens this client's bound lease (another server
 * may have renewed it). Returns whether it happened and the row as it now
 * stands (state 0 = no row), for the server to correct its pool.
 * An address without a row gets a free one first (INSERT ... ON CONFLICT
 * DO NOTHING), so that two servers creating it at once are serialized on
 * that row's lock: the second decides on the first one's committed lease
 * instead of overwriting it. */
static const char v2[] =
    "ALTER TABLE netbootd_lease4 ADD COLUMN seq bigint NOT NULL DEFAULT 0;\n"
    "CREATE SEQUENCE netbootd_lease4_seq;\n"
    "UPDATE netbootd_lease4 SET seq = nextval('netbootd_lease4_seq');\n"
    "CREATE INDEX netbootd_lease4_seq_idx ON netbootd_lease4 (seq);\n"
    "CREATE FUNCTION netbootd_lease4_put(p_address bigint, p_mac bytea, p_client_id bytea,\n"
    "    p_state smallint, p_expires bigint, p_updated bigint, p_hostname text,\n"
    "    p_arch integer, p_class text, p_stage smallint, p_stage_time bigint,\n"
    "    p_stage_file text, p_server text, p_now bigint)\n"
    "RETURNS TABLE (applied boolean, r_address bigint, r_mac bytea, r_client_id bytea,\n"
    "    r_state smallint, r_expires bigint, r_updated bigint, r_hostname text,\n"
    "    r_arch integer, r_class text, r_stage smallint, r_stage_time bigint,\n"
    "    r_stage_file text)\n"
    "LANGUAGE plpgsql AS $fn$\n"
    "DECLARE\n"
    "    cur netbootd_lease4%ROWTYPE;\n"
    "    mine boolean := false;\n"
    "    nobodys boolean;\n"
    "    ok boolean;\n"
    "BEGIN\n"
    "    SELECT * INTO cur FROM netbootd_lease4 l WHERE l.address = p_address FOR UPDATE;\n"
    "    IF NOT FOUND AND p_state IN (2, 5) THEN\n"
    "        -- A free row to lock: a concurrent insert of this address makes\n"
    "        -- this wait for it, and the decision below sees its row.\n"
    "        INSERT INTO netbootd_lease4 (address, mac, state, expires, updated)\n"
    "            VALUES (p_address, p_mac, 0, 0, 0) ON CONFLICT (address) DO NOTHING;\n"
    "        SELECT * INTO cur FROM netbootd_lease4 l WHERE l.address = p_address FOR UPDATE;\n"
    "    END IF;\n"
    "    IF FOUND THEN\n"
    "        mine := cur.state NOT IN (0, 5) AND CASE\n"
    "            WHEN cur.client_id IS NOT NULL AND p_client_id IS NOT NULL\n"
    "            THEN cur.client_id = p_client_id ELSE cur.mac = p_mac END;\n"
    "        nobodys := cur.state IN (0, 3, 4) OR cur.expires <= p_now;\n"
    "        ok := CASE p_state\n"
    "            WHEN 2 THEN mine OR nobodys\n"
    "            WHEN 5 THEN mine OR nobodys\n"
    "            WHEN 3 THEN mine AND cur.state = 2\n"
    "            WHEN 4 THEN mine AND cur.state = 2 AND cur.expires <= p_expires\n"
    "            WHEN 0 THEN mine\n"
    "            ELSE false END;\n"
    "    ELSE\n"
    "        ok := false;        -- nothing there to release, expire or free\n"
    "    END IF;\n"
    "    IF ok AND p_state = 0 THEN\n"
    "        DELETE FROM netbootd_lease4 l WHERE l.address = p_address;\n"
    "    ELSIF ok AND p_state = 2 AND NOT (mine AND cur.state = 2) THEN\n"
    "        BEGIN               -- a new binding: the client leaves its other addresses\n"
    "            DELETE FROM netbootd_lease4 l WHERE l.address <> p_address\n"
    "                AND l.state <> 5 AND CASE\n"
    "                WHEN l.client_id IS NOT NULL AND p_client_id IS NOT NULL\n"
    "                THEN l.client_id = p_client_id\n"
    "                ELSE l.mac = p_mac AND (l.client_id IS NULL OR p_client_id IS NULL)\n"
    "                END;\n"
    "            UPDATE netbootd_lease4 l SET mac = p_mac, client_id = p_client_id,\n"
    "                state = p_state, expires = p_expires, updated = p_updated,\n"
    "                hostname = p_hostname, arch = p_arch, class = p_class, stage = p_stage,\n"
    "                stage_time = p_stage_time, stage_file = p_stage_file, server = p_server,\n"
    "                seq = nextval('netbootd_lease4_seq') WHERE l.address = p_address;\n"
    "        EXCEPTION WHEN unique_violation THEN\n"
    "            ok := false;    -- the client bound elsewhere by a concurrent write\n"
    "        END;\n"
    "    ELSIF ok THEN           -- a renewal, a release, an expiry, a quarantine\n"
    "        IF p_state = 2 AND cur.expires > p_expires THEN\n"
    "            p_expires := cur.expires;\n"
    "        END IF;\n"
    "        UPDATE netbootd_lease4 l SET mac = p_mac, client_id = p_client_id,\n"
    "            state = p_state, expires = p_expires, updated = p_updated,\n"
    "            hostname = p_hostname, arch = p_arch, class = p_class, stage = p_stage,\n"
    "            stage_time = p_stage_time, stage_file = p_stage_file, server = p_server,\n"
    "            seq = nextval('netbootd_lease4_seq') WHERE l.address = p_address;\n"
    "    END IF;\n"
    "    IF NOT ok AND cur.state = 0 THEN\n"
    "        DELETE FROM netbootd_lease4 l WHERE l.address = p_address AND l.state = 0;\n"
    "    END IF;\n"
    "    IF ok AND p_state <> 0 THEN\n"
    "        RETURN QUERY SELECT ok, p_address, p_mac, p_client_id, p_state, p_expires,\n"
    "            p_updated, p_hostname, p_arch, p_class, p_stage, p_stage_time, p_stage_file;\n"
    "        RETURN;\n"
    "    END IF;\n"
    "    RETURN QUERY SELECT ok, p_address, l.mac, l.client_id, l.state, l.expires,\n"
    "        l.updated, l.hostname, l.arch, l.class, l.stage, l.stage_time, l.stage_file\n"
    "        FROM netbootd_lease4 l WHERE l.address = p_address;\n"
    "    IF NOT FOUND THEN\n"
    "        RETURN QUERY SELECT ok, p_address, NULL::bytea, NULL::bytea, 0::smallint,\n"
    "            0::bigint, 0::bigint, ''::text, -1, ''::text, 0::smallint, 0::bigint, ''::text;\n"
    "    END IF;\n"
    "END\n"
    "$fn$;\n"
    "UPDATE netbootd_schema SET version = 2;\n";

static const struct {
    const char *sql, *title;
} migrations[] = {
    { v1, "the lease table, one row per address, one bound address per client" },
    { v2, "netbootd_lease4_put() and the change sequence the servers pull" },
};

_Static_assert(sizeof migrations / sizeof migrations[0] == LEASE_PG_SCHEMA_LATEST,
               "one migration per version");

const char *lease_pg_migration(int v)
{
    return v >= 1 && v <= LEASE_PG_SCHEMA_LATEST ? migrations[v - 1].sql : NULL;
}

const char *lease_pg_migration_title(int v)
{
    return v >= 1 && v <= LEASE_PG_SCHEMA_LATEST ? migrations[v - 1].title : NULL;
}
