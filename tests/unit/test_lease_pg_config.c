/* test_lease_pg_config.c - leases.backend and leases.postgresql: what the
 * loader accepts, and every refusal with its position and reason. */
#include "test_util.h"

#define BASE "interfaces: [tap0]\ntftp: { root: /tmp }\n" \
             "subnets: [{ subnet: 192.0.2.0/24, range: 192.0.2.100-192.0.2.199 }]\n"

static struct config *load(const char *yaml, struct config_diag *diag)
{
    struct config *cfg = NULL;
    memset(diag, 0, sizeof *diag);
    config_load_buffer("p.yaml", "/etc/netbootd", yaml, strlen(yaml), NULL, 0, &cfg, diag);
    for (size_t i = 0; i < diag->n_errors; i++)
        print_message("got: %s\n", diag->errors[i]);
    return cfg;
}

static void expect_error(const char *yaml, const char *want)
{
    struct config_diag diag;
    struct config *cfg = load(yaml, &diag);
    assert_null(cfg);
    assert_int_equal(diag.n_errors, 1);
    assert_string_equal(diag.errors[0], want);
    config_diag_free(&diag);
}

static void test_default_is_file(void **state)
{
    (void)state;
    struct config_diag diag;
    struct config *cfg = load(BASE, &diag);
    assert_non_null(cfg);
    assert_int_equal(cfg->leases.backend, CONFIG_LEASES_FILE);
    assert_null(cfg->leases.pg_conninfo);
    config_free(cfg);
    config_diag_free(&diag);
}

static void test_postgresql_socket_and_password_file(void **state)
{
    (void)state;
    struct config_diag diag;
    struct config *cfg = load(BASE "leases:\n  backend: postgresql\n  postgresql:\n"
                              "    conninfo: \"host=/run/postgresql dbname=netbootd\"\n"
                              "    password-file: db-password\n", &diag);
    assert_non_null(cfg);
    assert_int_equal(cfg->leases.backend, CONFIG_LEASES_POSTGRESQL);
    assert_string_equal(cfg->leases.pg_conninfo, "host=/run/postgresql dbname=netbootd");
    assert_string_equal(cfg->leases.pg_password_file, "/etc/netbootd/db-password");
    config_free(cfg);
    config_diag_free(&diag);
}

static void test_hostaddr_with_name_is_fine(void **state)
{
    (void)state;
    struct config_diag diag;
    struct config *cfg = load(BASE "leases: { backend: postgresql, postgresql: { conninfo: "
                              "\"hostaddr=198.51.100.5 host=db.example port=5433\" } }\n", &diag);
    assert_non_null(cfg);
    config_free(cfg);
    config_diag_free(&diag);
}

static void test_refusals(void **state)
{
    (void)state;
    expect_error(BASE "leases: { backend: sqlite }\n",
                 "p.yaml:4:20: leases.backend: 'sqlite': expected file or postgresql");
    expect_error(BASE "leases:\n  backend: postgresql\n",
                 "p.yaml:5:12: leases.postgresql.conninfo: backend: postgresql needs a "
                 "connection string (e.g. conninfo: \"host=/run/postgresql dbname=netbootd\")");
    expect_error(BASE "leases:\n  backend: postgresql\n  postgresql:\n"
                 "    conninfo: \"host=db.example dbname=x\"\n",
                 "p.yaml:7:15: leases.postgresql.conninfo: host=db.example would need a DNS "
                 "lookup, which blocks: name a unix socket folder (host=/run/postgresql) or a "
                 "numeric hostaddr=");
    expect_error(BASE "leases:\n  backend: postgresql\n  postgresql:\n"
                 "    conninfo: \"host=/run/postgresql password=secret\"\n",
                 "p.yaml:7:15: leases.postgresql.conninfo: a password does not belong in the "
                 "profile: put it in leases.postgresql.password-file or PGPASSWORD");
    expect_error(BASE "leases:\n  backend: postgresql\n  postgresql:\n"
                 "    conninfo: \"host=/tmp bogus=1\"\n",
                 "p.yaml:7:15: leases.postgresql.conninfo: not a libpq connection string: "
                 "invalid connection option \"bogus\"");
    expect_error(BASE "leases:\n  postgresql: { conninfo: \"host=/tmp\", pasword-file: x }\n",
                 "p.yaml:5:40: leases.postgresql.pasword-file: unknown key (did you mean "
                 "password-file?)");
}

static void test_conninfo_check(void **state)
{
    (void)state;
    char why[256];
    assert_int_equal(config_pg_conninfo_check("dbname=x", why, sizeof why), 0);
    assert_int_equal(config_pg_conninfo_check("host=@abstract", why, sizeof why), 0);
    assert_int_equal(config_pg_conninfo_check("host=/a,/b", why, sizeof why), 0);
    assert_int_equal(config_pg_conninfo_check("host=/a,b", why, sizeof why), -1);
    assert_int_equal(config_pg_conninfo_check("postgresql://db.example/x", why, sizeof why), -1);
    assert_int_equal(config_pg_conninfo_check("postgresql:///x?host=/run/postgresql", why,
                                              sizeof why), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_is_file),
        cmocka_unit_test(test_postgresql_socket_and_password_file),
        cmocka_unit_test(test_hostaddr_with_name_is_fine),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_conninfo_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
