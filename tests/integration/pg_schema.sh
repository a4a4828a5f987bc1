#!/bin/bash
# The PostgreSQL lease schema: `netbootd db init` on an empty database,
# `db upgrade` from the previous version (rows kept), both refusing what
# they must, and the database itself refusing to bind an address to two
# clients (netbootd_lease4_put). A real server from tests/lib/pg.sh.
. "$(dirname "$0")/../lib/prologue.sh"
. tests/lib/pg.sh
pg_need
LAB_TMP=$(mktemp -d /tmp/netbootd-pg.XXXXXX)
trap lab_down EXIT
pg_start
NB="$(netbootd_bin)"
mkdir -p "$LAB_TMP/root/bios" "$LAB_TMP/root/efi64"
touch "$LAB_TMP/root/boot.ipxe" "$LAB_TMP/root/bios/pxelinux.0" "$LAB_TMP/root/efi64/syslinux.efi"
DB=(--profile tests/fixtures/profiles/lab.yaml --set leases.backend=postgresql
    --set "leases.postgresql.conninfo=\"$PG_CONNINFO\"" --set tftp.root="$LAB_TMP/root")

"$NB" --check "${DB[@]}" --set interfaces=[lo] 2>/dev/null | grep -q "^leases: PostgreSQL \"host=" ||
    fail "--check does not name the database"
"$NB" db version "${DB[@]}" | grep -q "^schema version 0 " || fail "an empty database is not version 0"
"$NB" db upgrade "${DB[@]}" 2> "$LAB_TMP/err" && fail "db upgrade on an empty database succeeded"
grep -q "db init" "$LAB_TMP/err" || fail "db upgrade did not point at db init: $(cat "$LAB_TMP/err")"

# From empty to the latest version.
"$NB" db init "${DB[@]}" > "$LAB_TMP/out" || fail "db init failed"
grep -q "^schema version 2: " "$LAB_TMP/out" || fail "db init did not reach version 2: $(cat "$LAB_TMP/out")"
"$NB" db init "${DB[@]}" 2> "$LAB_TMP/err" && fail "db init ran twice"
grep -q "already has" "$LAB_TMP/err" || fail "second db init: $(cat "$LAB_TMP/err")"
"$NB" db upgrade "${DB[@]}" | grep -q "up to date" || fail "db upgrade at the latest version"
[ "$(pg_sql "SELECT version FROM netbootd_schema")" = 2 ] || fail "schema table not at 2"

# The database decides: client A binds .100; B cannot while A's lease lives,
# can once it expired; A renewing never shortens; A moving frees .100.
put() {  # ADDR MAC STATE EXPIRES NOW -> applied|state|mac
    pg_sql "SELECT left(applied::text, 1) || '|' || r_state || '|' || coalesce(encode(r_mac, 'hex'), '-')
            FROM netbootd_lease4_put($1, '\\x$2', NULL, $3::smallint, $4, 1000, '', -1, '',
                                     0::smallint, 0, '', 'test', $5)"
}
[ "$(put 3221226084 020000000001 2 2000 1000)" = "t|2|020000000001" ] || fail "A could not bind .100"
[ "$(put 3221226084 020000000002 2 2000 1500)" = "f|2|020000000001" ] || fail "B bound A's live .100"
[ "$(put 3221226084 020000000001 2 1800 1500)" = "t|2|020000000001" ] || fail "A renewing"
[ "$(pg_sql "SELECT expires FROM netbootd_lease4 WHERE address = 3221226084")" = 2000 ] ||
    fail "a renewal with an older expiry shortened the lease"
[ "$(put 3221226085 020000000001 2 2000 1500)" = "t|2|020000000001" ] || fail "A moving to .101"
[ "$(pg_sql "SELECT count(*) FROM netbootd_lease4 WHERE mac = '\\x020000000001'")" = 1 ] ||
    fail "A is bound to two addresses"
[ "$(put 3221226085 020000000002 2 3000 2001)" = "t|2|020000000002" ] || fail "B taking expired .101"
[ "$(put 3221226085 020000000001 4 2000 2001)" = "f|2|020000000002" ] ||
    fail "A's stale expiry overwrote B's lease"
pg_sql "INSERT INTO netbootd_lease4 (address, mac, state, expires, updated)
        VALUES (3221226086, '\\x020000000003', 2, 1, 1)" 2>/dev/null &&
    pg_sql "INSERT INTO netbootd_lease4 (address, mac, state, expires, updated)
            VALUES (3221226087, '\\x020000000003', 2, 1, 1)" 2>/dev/null &&
    fail "the table holds one client bound to two addresses"
pg_sql "INSERT INTO netbootd_lease4 (address, mac, state, expires, updated)
        VALUES (3221226085, '\\x020000000004', 2, 1, 1)" 2>/dev/null &&
    fail "the table holds two rows for one address"

# From the previous version: version 1 with a lease in it, then upgrade.
pg_sql "DROP TABLE netbootd_lease4; DROP TABLE netbootd_schema; DROP SEQUENCE netbootd_lease4_seq;
        DROP FUNCTION netbootd_lease4_put"
"$NB" db init --schema-version 1 "${DB[@]}" | grep -q "^schema version 1: " || fail "db init to 1"
pg_sql "INSERT INTO netbootd_lease4 (address, mac, state, expires, updated, hostname)
        VALUES (3221226084, '\\x525400000042', 2, 99999999999, 1000, 'node42')"
"$NB" db upgrade "${DB[@]}" > "$LAB_TMP/out" || fail "db upgrade from 1 failed"
grep -q "^schema version 2: " "$LAB_TMP/out" || fail "db upgrade did not run version 2"
[ "$(pg_sql "SELECT hostname || ' ' || (seq > 0) FROM netbootd_lease4")" = "node42 true" ] ||
    fail "the lease did not survive the upgrade with a sequence number"
[ "$(put 3221226084 020000000009 2 2000 1500)" = "f|2|525400000042" ] ||
    fail "after the upgrade the database let another client take node42's address"

# --leases reads the shared table.
"$NB" --leases "${DB[@]}" > "$LAB_TMP/table" || fail "--leases failed"
grep -qE "^192\.0\.2\.100 +52:54:00:00:00:42 .*bound" "$LAB_TMP/table" ||
    { cat "$LAB_TMP/table"; fail "--leases does not list the database's lease"; }
# A password: from leases.postgresql.password-file or PGPASSWORD, never shown.
pg_sql "CREATE ROLE nbpw LOGIN PASSWORD 'pw-$$-secret'"
sed -i '1i local all nbpw scram-sha-256' "$PG_DIR/pg_hba.conf"
pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR" reload > /dev/null
echo "pw-$$-secret" > "$LAB_TMP/pw"
chmod 600 "$LAB_TMP/pw"
PW=("${DB[@]}" --set "leases.postgresql.conninfo=\"host=$PG_SOCK dbname=postgres user=nbpw\"")
wait_for 5 "! '$NB' db version ${PW[*]@Q} > /dev/null 2>&1" || fail "connected without a password"
"$NB" db version "${PW[@]}" --set leases.postgresql.password-file="$LAB_TMP/pw" 2>&1 |
    grep -q "permission denied for table netbootd_schema" || fail "the password file was not used"
pg_sql "GRANT SELECT, INSERT, UPDATE, DELETE ON netbootd_lease4 TO nbpw;
        GRANT SELECT ON netbootd_schema TO nbpw; GRANT USAGE ON netbootd_lease4_seq TO nbpw"
"$NB" db version "${PW[@]}" --set leases.postgresql.password-file="$LAB_TMP/pw" > /dev/null 2>&1 ||
    fail "the password file was not used (with the grants)"
PGPASSWORD="pw-$$-secret" "$NB" db version "${PW[@]}" > /dev/null 2>&1 || fail "PGPASSWORD was not used"
PGPASSWORD="pw-$$-wrong" "$NB" db version "${PW[@]}" > "$LAB_TMP/out" 2>&1 && fail "a wrong password worked"
grep -q "pw-$$" "$LAB_TMP/out" && fail "the password appears in a message"
pg_stop
echo "result: db init from empty and db upgrade from version 1 work; the database refuses a double binding; the password comes from a file or PGPASSWORD"
exit 0
