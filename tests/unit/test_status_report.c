/* test_status_report.c - what `netbootd status` and `--leases --json`
 * print, from a pool, seen clients and error lines built here (no daemon,
 * no TFTP server: none in flight). */
#include "test_util.h"

#include "lease_json.h"
#include "status_report.h"

static const char profile[] =
    "interfaces: [tap0]\n"
    "subnets:\n"
    "  - subnet: 192.0.2.0/24\n"
    "    range: 192.0.2.100-192.0.2.109\n"
    "  - subnet: 198.51.100.0/24\n"
    "    mode: proxy\n"
    "tftp: { root: /tmp }\n";

struct fixture {
    struct config *cfg;
    struct lease_pool *pool;
    struct proxy_seen proxied, statics;
    struct log_ring errors;
    struct status_view v;
};

static struct fixture *fixture_new(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->cfg = load_profile(profile, NULL, 0);
    f->pool = lease_pool_new(f->cfg);
    assert_non_null(f->pool);
    struct lease_client c = { (const uint8_t *)"\x01\x52\x54", 3, { 0x52, 0x54, 0, 0, 0, 1 } };
    struct lease *l = lease_pool_bind(f->pool, IP(192, 0, 2, 101), &c, LEASE_BOUND, 1600, 1000);
    assert_non_null(l);
    snprintf(l->hostname, sizeof l->hostname, "node\"1\x01");   /* needs escaping in JSON */
    l->arch = 7;
    snprintf(l->class_name, sizeof l->class_name, "uefi64");
    l->stage = STAGE_TFTP_DONE;
    l->stage_time = 990;
    snprintf(l->stage_file, sizeof l->stage_file, "efi64/syslinux.efi");
    struct netboot_event ev = { .kind = EV_TFTP_DONE, .time = 995, .has_mac = true,
                                .mac = { 2, 0, 0, 0, 0, 9 }, .ip = IP(192, 0, 2, 250),
                                .arch = -1, .file = "bios/pxelinux.0" };
    proxy_seen_note(&f->statics, &ev);
    ev.mac[5] = 8;
    ev.ip = IP(198, 51, 100, 7);
    ev.kind = EV_PROXY_ACK;
    ev.arch = 0;
    proxy_seen_note(&f->proxied, &ev);
    log_ring_push(&f->errors, 998, "something \"bad\"");
    f->v = (struct status_view){ .now = 1000, .started = 900, .loaded = 950, .pid = 42,
                                 .version = "test", .profile = "/etc/netbootd/p.yaml",
                                 .cfg = f->cfg, .pool = f->pool, .proxied = &f->proxied,
                                 .statics = &f->statics, .errors = &f->errors,
                                 .hooks = { .queued = 3, .queue_max = 1024, .dropped = 1,
                                            .high_water = 700, .running = true,
                                            .enabled = true } };
    return f;
}

static void fixture_free(struct fixture *f)
{
    lease_pool_free(f->pool);
    config_free(f->cfg);
    free(f);
}

static void contains(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("missing: %s\nin:\n%s", want, text);
}

static void status_as_json(void **state)
{
    (void)state;
    struct fixture *f = fixture_new();
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(status_report_json(&f->v, &out, &len), 0);
    assert_int_equal(strlen(out), len);
    contains(out, "\"pid\":42,\"now\":1000,\"started\":900,\"uptime\":100,"
                  "\"profile\":{\"path\":\"/etc/netbootd/p.yaml\",\"loaded\":950}");
    contains(out, "{\"subnet\":\"192.0.2.0/24\",\"mode\":\"full\",\"size\":10,\"used\":1,\"free\":9}");
    contains(out, "{\"subnet\":\"198.51.100.0/24\",\"mode\":\"proxy\"");
    contains(out, "\"leases\":[{\"ip\":\"192.0.2.101\",\"mac\":\"52:54:00:00:00:01\",\"mode\":\"lease\","
                  "\"client_id\":\"015254\",\"hostname\":\"node\\\"1\\u0001\",\"arch\":\"efi-x64\","
                  "\"arch_code\":7,\"class\":\"uefi64\",\"state\":\"bound\",\"expires\":1600,"
                  "\"expires_in\":600,\"stage\":\"tftp-done\",\"stage_time\":990,"
                  "\"stage_file\":\"efi64/syslinux.efi\"}]");
    contains(out, "\"proxied\":[{\"ip\":\"198.51.100.7\",\"mac\":\"02:00:00:00:00:08\",\"mode\":\"proxy\"");
    contains(out, "\"static\":[{\"ip\":\"192.0.2.250\",\"mac\":\"02:00:00:00:00:09\",\"mode\":\"static\","
                  "\"hostname\":null,\"arch\":null,\"arch_code\":null,\"class\":null,"
                  "\"stage\":\"tftp-done\",\"stage_time\":995,\"stage_file\":\"bios/pxelinux.0\"}]");
    contains(out, "\"transfers\":[],\"hooks\":{\"enabled\":true,\"queued\":3,\"queue_max\":1024,"
                  "\"dropped\":1,\"high_water\":700,\"running\":true},\"errors_total\":1,"
                  "\"errors\":[{\"time\":998,\"message\":\"something \\\"bad\\\"\"}]}");
    free(out);
    fixture_free(f);
}

static void status_as_text(void **state)
{
    (void)state;
    struct fixture *f = fixture_new();
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(status_report_text(&f->v, &out, &len), 0);
    contains(out, "netbootd test, pid 42, up 0 d 00:01:40 (since 1970-01-01T00:15:00Z)\n");
    contains(out, "profile /etc/netbootd/p.yaml, loaded 1970-01-01T00:15:50Z (50 s ago)\n");
    contains(out, "192.0.2.0/24        full        10        1        9\n");
    contains(out, "192.0.2.101      52:54:00:00:00:01");
    contains(out, "other clients seen by TFTP (an address not from us):\n");
    contains(out, "192.0.2.250      02:00:00:00:00:09");
    contains(out, "transfers in flight:\n");
    contains(out, "(none)\n\nhooks: 3 queued of 1024 (at most 700), 1 dropped, one running\n");
    contains(out, "last errors (1 since start):\n1970-01-01T00:16:38Z  something \"bad\"\n");
    free(out);
    fixture_free(f);
}

/* A `leases` request: the clients only, text or the --leases --json document. */
static void leases_answers(void **state)
{
    (void)state;
    struct fixture *f = fixture_new();
    struct ctl_reply r = { 0 };
    struct ctl_req req = { CTL_LEASES, true };
    status_answer(&req, &f->v, &r);
    assert_true(r.ok);
    assert_non_null(r.body);
    assert_int_equal(strncmp(r.body, "{\"now\":1000,\"leases\":[{\"ip\":\"192.0.2.101\"", 41), 0);
    assert_int_equal(r.body[r.body_len - 1], '}');
    free(r.body);
    r = (struct ctl_reply){ 0 };
    req.json = false;
    status_answer(&req, &f->v, &r);
    assert_true(r.ok);
    assert_null(strstr(r.body, "transfers in flight"));
    contains(r.body, "192.0.2.101 ");
    free(r.body);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_as_json),
        cmocka_unit_test(status_as_text),
        cmocka_unit_test(leases_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
