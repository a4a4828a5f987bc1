/* test_template_vars.c - hosts[].vars in the profile, a client's variables
 * (client_vars_fill: from its lease, or from its MAC and hosts: entry), and
 * what --check says of a template (check_template_text). */
#include "test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_templates.h"
#include "client_vars.h"
#include "tftp_send.h"
#include "tftp_session.h"
#include "tftp_tmpl.h"

static const char *const profile =
    "interfaces: [eth0]\n"
    "subnets: [{ subnet: 192.0.2.0/24, range: 192.0.2.100-192.0.2.199 }]\n"
    "hosts:\n"
    "  - { mac: \"52:54:00:00:00:01\", hostname: one, boot: bios,\n"
    "      vars: { role: worker, disk: /dev/sda, empty: \"\" } }\n"
    "  - { mac: \"52:54:00:00:00:02\", vars: { role: storage } }\n"
    "boot: [{ name: bios, match: { arch: [bios] }, filename: x }]\n"
    "tftp: { root: /tmp }\n";

static void profile_vars(void **state)
{
    (void)state;
    struct config *cfg = load_profile(profile, NULL, 0);
    assert_int_equal(cfg->hosts[0].n_vars, 3);
    assert_string_equal(cfg->hosts[0].vars[1].name, "disk");
    assert_string_equal(cfg->hosts[0].vars[1].value, "/dev/sda");
    assert_string_equal(cfg->hosts[0].vars[2].value, "");
    assert_int_equal(cfg->hosts[1].n_vars, 1);
    config_free(cfg);
}

/* A profile that must be refused, with `want` in an error. */
static void refused(const char *yaml, const char *want)
{
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    assert_int_equal(config_load_buffer("t.yaml", "/tmp", yaml, strlen(yaml), NULL, 0, &cfg,
                                        &diag), -EINVAL);
    bool found = false;
    for (size_t i = 0; i < diag.n_errors; i++)
        found |= strstr(diag.errors[i], want) != NULL;
    if (!found)
        fail_msg("no error with '%s' (%zu errors)", want, diag.n_errors);
    config_diag_free(&diag);
}

static void bad_vars_refused(void **state)
{
    (void)state;
    refused("hosts: [{ mac: \"52:54:00:00:00:01\", vars: { mac: x } }]\n", "is a fact");
    refused("hosts: [{ mac: \"52:54:00:00:00:01\", vars: { a-b: x } }]\n",
            "expected a variable name");
    refused("hosts: [{ mac: \"52:54:00:00:00:01\", vars: { a: [1, 2] } }]\n",
            "expected a single value");
    refused("hosts: [{ mac: \"52:54:00:00:00:01\", vars: [a] }]\n", "expected a mapping");
}

static const char *render(const struct tmpl_varset *set, const char *src)
{
    static char text[512];
    char *out;
    size_t len;
    struct tmpl_error err;
    int rc = tmpl_render(src, strlen(src), set, 4096, &out, &len, &err);
    if (rc < 0)
        return err.what;
    snprintf(text, sizeof text, "%s", out);
    free(out);
    return text;
}

static void from_lease_or_mac(void **state)
{
    (void)state;
    struct config *cfg = load_profile(profile, NULL, 0);
    static struct tmpl_varset set;
    /* A lease: its facts, then its host's vars. */
    struct lease l = { .ip = IP(192, 0, 2, 100), .mac = { 0x52, 0x54, 0, 0, 0, 1 }, .arch = 0 };
    snprintf(l.hostname, sizeof l.hostname, "fromlease");
    snprintf(l.class_name, sizeof l.class_name, "bios");
    tmpl_varset_init(&set);
    assert_int_equal(client_vars_fill(cfg, &l, NULL, NULL, l.ip, IP(192, 0, 2, 1), &set), 0);
    assert_string_equal(render(&set, "{{hostname}} {{mac_pxelinux}} {{ip}} {{server}} {{arch}} "
                               "{{class}} {{role}} {{disk}}[{{empty}}]"),
                        "fromlease 01-52-54-00-00-00-01 192.0.2.100 192.0.2.1 bios bios worker "
                        "/dev/sda[]");
    /* No lease: the MAC (neighbour table) finds the hosts: entry. */
    const uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, 1 };
    tmpl_varset_init(&set);
    assert_int_equal(client_vars_fill(cfg, NULL, mac, NULL, IP(192, 0, 2, 9), 0, &set), 0);
    assert_string_equal(render(&set, "{{hostname}} {{class}} {{mac}} {{role}}"),
                        "one bios 52:54:00:00:00:01 worker");
    assert_string_equal(render(&set, "{{arch}}"), "undefined variable");
    assert_string_equal(render(&set, "{{server}}"), "undefined variable");
    /* Neither: only the address. */
    tmpl_varset_init(&set);
    assert_int_equal(client_vars_fill(cfg, NULL, NULL, NULL, IP(192, 0, 2, 9), 0, &set), 0);
    assert_int_equal(set.n, 1);
    config_free(cfg);
}

static void check_text(void **state)
{
    (void)state;
    struct config *cfg = load_profile(profile, NULL, 0);
    struct config_diag diag = { 0 };
    const char *ok = "#!ipxe\nchain ${x}/{{mac_plain}}/{{ role }} {{{{\n";
    assert_int_equal(check_template_text(cfg, "ok.tmpl", ok, strlen(ok), &diag), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_int_equal(diag.n_warnings, 0);
    const char *half = "a\n  {{disk}}\n";
    assert_int_equal(check_template_text(cfg, "half.tmpl", half, strlen(half), &diag), 0);
    assert_int_equal(diag.n_warnings, 1);
    assert_non_null(strstr(diag.warnings[0], "half.tmpl:2:3: warning: {{disk}}: set in the vars "
                           "of 1 of 2 hosts"));
    const char *bad = "x\ny {{kernel}} {{nope}}\n";
    assert_int_equal(check_template_text(cfg, "bad.tmpl", bad, strlen(bad), &diag), 2);
    assert_non_null(strstr(diag.errors[0], "bad.tmpl:2:3: {{kernel}}: undefined variable"));
    assert_non_null(strstr(diag.errors[1], "bad.tmpl:2:14: {{nope}}"));
    const char *broken = "{{mac";
    assert_int_equal(check_template_text(cfg, "b.tmpl", broken, strlen(broken), &diag), 1);
    assert_non_null(strstr(diag.errors[2], "b.tmpl:1:1: unterminated"));
    config_diag_free(&diag);
    config_free(cfg);
}

static int vars_cb(uint32_t ip, uint32_t server, struct tmpl_varset *out, void *ctx)
{
    const struct tmpl_facts f = { .ip = ip, .server = server, .arch = -1 };
    ++*(int *)ctx;
    return tmpl_facts_add(out, &f);
}

static void put_file(int dir, const char *name, const char *text)
{
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* The path both servers take: NAME.tmpl beneath the root, rendered. */
static void served_from_the_root(void **state)
{
    (void)state;
    char root[] = "/tmp/test_tmpl_XXXXXX";
    assert_non_null(mkdtemp(root));
    int dir = open(root, O_RDONLY | O_DIRECTORY);
    assert_true(dir >= 0);
    assert_int_equal(mkdirat(dir, "sub", 0755), 0);
    put_file(dir, "sub/a.cfg.tmpl", "ip={{ip}} from {{server}}\n");
    put_file(dir, "bad.tmpl", "x\n {{hostname}}\n");
    assert_int_equal(symlinkat("/etc/hostname", dir, "out.tmpl"), 0);
    int calls = 0;
    struct tftp_tmpl_result r;
    char why[256];
    assert_int_equal(tftp_tmpl_render(dir, "sub/a.cfg", vars_cb, &calls, IP(192, 0, 2, 7),
                                      IP(192, 0, 2, 1), &r), 0);
    assert_string_equal(r.data, "ip=192.0.2.7 from 192.0.2.1\n");
    assert_int_equal(r.len, strlen(r.data));
    free(r.data);
    assert_int_equal(tftp_tmpl_render(dir, "bad", vars_cb, &calls, 1, 2, &r), -ENOENT);
    assert_null(r.data);
    assert_string_equal(tftp_tmpl_why(&r, -ENOENT, why, sizeof why),
                        "bad.tmpl:2:2: undefined variable hostname");
    /* No template, a symlink out of the root, no callback: not there. */
    assert_int_equal(tftp_tmpl_render(dir, "none", vars_cb, &calls, 1, 2, &r), 1);
    assert_int_equal(tftp_tmpl_render(dir, "out", vars_cb, &calls, 1, 2, &r), 1);
    assert_int_equal(tftp_tmpl_render(dir, "sub/a.cfg", NULL, NULL, 1, 2, &r), 1);
    assert_int_equal(calls, 2);
    unlinkat(dir, "sub/a.cfg.tmpl", 0);
    unlinkat(dir, "sub", AT_REMOVEDIR);
    unlinkat(dir, "bad.tmpl", 0);
    unlinkat(dir, "out.tmpl", 0);
    close(dir);
    assert_int_equal(rmdir(root), 0);
}

/* A rendered file leaves from memory (no descriptor): windowed runs and
 * lock-step blocks carry its bytes; a session asking past its end is a
 * read error, not a read past the buffer. */
static void sent_from_memory(void **state)
{
    (void)state;
    enum { BLK = 512, SIZE = 20 * BLK + 77 };
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof addr;
    int rx = socket(AF_INET, SOCK_DGRAM, 0), txs = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(rx >= 0 && txs >= 0);
    int rcvbuf = 1 << 20;
    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    assert_int_equal(bind(rx, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&addr, &alen), 0);
    static struct tftp_send_buf shared;
    for (uint16_t window = 1; window <= 8; window += 7) {
        char *mem = malloc(SIZE);
        assert_non_null(mem);
        for (size_t i = 0; i < SIZE; i++)
            mem[i] = (char)('a' + i % 26);
        struct tftp_sender tx = { .sock = txs, .peer = addr, .file_fd = -1, .mem = mem,
                                  .mem_len = SIZE, .shared = &shared };
        tftp_sender_setup_gso(&tx, BLK, window);
        struct tftp_session s;
        struct tftp_send w;
        tftp_session_start(&s, SIZE, BLK, window, 1000, false, 5, false, 0, &w);
        uint32_t got = 0;
        while (s.state == TFTP_SESSION_DATA) {
            const char *why = NULL;
            assert_int_equal(tftp_send_blocks(&tx, &s, w.first, w.last, &why),
                             (long)(w.last - w.first + 1));
            for (uint32_t b = w.first; b <= w.last; b++) {
                uint8_t dgram[4 + BLK + 1];
                ssize_t n = recv(rx, dgram, sizeof dgram, MSG_DONTWAIT);
                assert_int_equal(n, 4 + (ssize_t)tftp_block_length(&s, b));
                assert_memory_equal(dgram + 4, mem + tftp_block_offset(&s, b), (size_t)n - 4);
                got += (uint32_t)n - 4;
            }
            tftp_session_on_ack(&s, (uint16_t)w.last, 1, &w);
        }
        assert_int_equal(got, SIZE);
        /* A session that believes the data is longer: refused at its end. */
        tftp_session_start(&s, SIZE + 2 * BLK, BLK, 1, 1000, false, 5, false, 0, &w);
        const char *why = NULL;
        assert_int_equal(tftp_send_blocks(&tx, &s, 22, 22, &why), -1);
        assert_non_null(why);
        tx.shared = NULL;
        tftp_sender_free(&tx);      /* frees mem */
        assert_null(tx.mem);
    }
    close(txs);
    close(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(profile_vars),
        cmocka_unit_test(bad_vars_refused),
        cmocka_unit_test(from_lease_or_mac),
        cmocka_unit_test(check_text),
        cmocka_unit_test(served_from_the_root),
        cmocka_unit_test(sent_from_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
