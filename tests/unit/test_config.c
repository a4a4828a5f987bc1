/* test_config.c - the profile loader: the model it builds, every error
 * class with its exact message and position, --set overrides, and every
 * shipped profile in boot-profiles/ (its warnings: test_config_warnings.c). */
#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

static const char *const TMP_ROOT[] = { "tftp.root=/tmp" };

static const char full_profile[] =
    "interfaces: [tap0, eth1]\n"
    "subnets:\n"
    "  - subnet: 192.0.2.0/24\n"
    "    range: 192.0.2.100-192.0.2.199\n"
    "    router: 192.0.2.1\n"
    "    dns: [192.0.2.1, 192.0.2.2]\n"
    "    domain: lab.example\n"
    "    lease-time: 10m\n"
    "    max-lease-time: 2h\n"
    "    bootp: true\n"
    "hosts:\n"
    "  - { mac: \"52:54:00:00:00:42\", ip: 192.0.2.42, hostname: node42, boot: uefi64 }\n"
    "boot:\n"
    "  - name: bios\n"
    "    match: { arch: [bios] }\n"
    "    filename: bios/pxelinux.0\n"
    "    pxelinux: { magic: true, configfile: pxelinux.cfg/default, pathprefix: bios/, reboottime: 30 }\n"
    "  - name: uefi64\n"
    "    match: { arch: [7, efi-bc], vendor-class: PXEClient, mac: \"52:54:00:*\" }\n"
    "    filename: efi64/syslinux.efi\n"
    "    next-server: 192.0.2.5\n"
    "options:\n"
    "  - { code: 42, type: ip-list, value: [192.0.2.1], force: true }\n"
    "  - { code: tftp-server-name, value: boot.lab }\n"
    "tftp: { root: tftproot, max-block-size: 1432 }\n"
    "leases: { file: state/leases, on-event: hooks/provision.sh }\n";

static void test_full_model(void **state)
{
    (void)state;
    const char *const sets[] = { "tftp.root=/tmp" };
    struct config *cfg = load_profile(full_profile, sets, 1);
    assert_int_equal(cfg->n_interfaces, 2);
    assert_string_equal(cfg->interfaces[1], "eth1");
    assert_int_equal(cfg->n_subnets, 1);
    const struct config_subnet *s = &cfg->subnets[0];
    assert_int_equal(s->network, IP(192, 0, 2, 0));
    assert_int_equal(s->netmask, 0xffffff00u);
    assert_int_equal(s->range_start, IP(192, 0, 2, 100));
    assert_int_equal(s->range_end, IP(192, 0, 2, 199));
    assert_int_equal(s->n_dns, 2);
    assert_int_equal(s->dns[1], IP(192, 0, 2, 2));
    assert_int_equal(s->lease_time, 600);
    assert_int_equal(s->max_lease_time, 7200);
    assert_true(s->bootp);
    assert_false(cfg->answer_router_solicitations);     /* off unless asked for */
    assert_int_equal(cfg->n_hosts, 1);
    assert_int_equal(cfg->hosts[0].boot_index, 1);
    assert_int_equal(cfg->n_boot, 2);
    /* pxelinux: sugar -> forced 208-211 with wire-encoded values */
    const struct config_boot_class *b = &cfg->boot[0];
    assert_int_equal(b->n_options, 4);
    assert_int_equal(b->options[0].code, 208);
    assert_true(b->options[0].force);
    assert_memory_equal(b->options[0].data, "\xf1\x00\x74\x7e", 4);
    assert_int_equal(b->options[1].code, 209);
    assert_memory_equal(b->options[1].data, "pxelinux.cfg/default", 20);
    assert_int_equal(b->options[3].code, 211);
    assert_memory_equal(b->options[3].data, "\x00\x00\x00\x1e", 4);
    const struct config_boot_class *u = &cfg->boot[1];
    assert_int_equal(u->n_arch, 2);
    assert_int_equal(u->arch[0], 7);
    assert_int_equal(u->arch[1], 9);
    assert_string_equal(u->vendor_class[0], "PXEClient");
    assert_int_equal(u->mac[0].len, 3);
    assert_int_equal(u->next_server, IP(192, 0, 2, 5));
    assert_int_equal(cfg->n_options, 2);
    assert_int_equal(cfg->options[0].len, 4);
    assert_true(cfg->options[0].force);
    assert_int_equal(cfg->options[1].code, 66);
    assert_int_equal(cfg->tftp.max_block_size, 1432);
    assert_int_equal(cfg->tftp.max_window_size, 64);   /* default */
    assert_int_equal(cfg->tftp.busy_poll_us, 50);      /* default */
    assert_string_equal(cfg->leases.file, "/tmp/state/leases");
    assert_string_equal(cfg->leases.on_event, "/tmp/hooks/provision.sh");
    assert_int_equal(config_boot_index(cfg, "uefi64"), 1);
    assert_ptr_equal(config_subnet_for(cfg, IP(192, 0, 2, 77)), s);
    assert_null(config_subnet_for(cfg, IP(198, 51, 100, 1)));
    config_free(cfg);
}

/* Load `yaml` and expect exactly these errors, in order. */
static void expect_errors(const char *yaml, const char *const *sets, size_t n_sets,
                          const char *const *want, size_t n_want)
{
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    int err = config_load_buffer("pxe.yaml", "/tmp", yaml, strlen(yaml), sets, n_sets, &cfg,
                                 &diag);
    assert_int_equal(err, -22);
    assert_null(cfg);
    for (size_t i = 0; i < diag.n_errors; i++)
        print_message("got: %s\n", diag.errors[i]);
    assert_int_equal(diag.n_errors, n_want);
    for (size_t i = 0; i < n_want; i++)
        assert_string_equal(diag.errors[i], want[i]);
    config_diag_free(&diag);
}

#define BASE "interfaces: [tap0]\ntftp: { root: /tmp }\n"

static void test_bad_address(void **state)
{
    (void)state;
    const char *want[] = { "pxe.yaml:5:12: subnets[0].range: 192.0.2.300 is not an IPv4 address" };
    expect_errors(BASE "subnets:\n"
                  "  - subnet: 192.0.2.0/24\n"
                  "    range: 192.0.2.100-192.0.2.300\n", NULL, 0, want, 1);
}

static void test_unknown_key_did_you_mean(void **state)
{
    (void)state;
    const char *want[] = {
        "pxe.yaml:5:5: subnets[0].lease-tme: unknown key (did you mean lease-time?)",
        "pxe.yaml:6:1: tfpt: unknown key (did you mean tftp?)",
        "pxe.yaml:7:1: colour: unknown key" };
    expect_errors(BASE "subnets:\n"
                  "  - subnet: 192.0.2.0/24\n"
                  "    lease-tme: 600\n"
                  "tfpt: {}\n"
                  "colour: blue\n", NULL, 0, want, 3);
}

static void test_wrong_types(void **state)
{
    (void)state;
    const char *want[] = {
        "pxe.yaml:4:12: subnets[0].bootp: expected true or false, not 'maybe'",
        "pxe.yaml:5:37: tftp.max-block-size: expected an integer between 8 and 65464, not '70000'",
        "pxe.yaml:7:12: boot[0].match: expected a mapping",
        "pxe.yaml:8:30: answer-router-solicitations: expected true or false, not 'yes please'" };
    expect_errors("interfaces: [tap0]\nsubnets:\n"
                  "  - subnet: 192.0.2.0/24\n"
                  "    bootp: maybe\n"
                  "tftp: { root: /tmp, max-block-size: 70000 }\n"
                  "boot:\n"
                  "  - match: [bios]\n"
                  "answer-router-solicitations: yes please\n", NULL, 0, want, 4);
}

static void test_lease_time_bounds(void **state)
{
    (void)state;
    const char *want[] = {
        "pxe.yaml:6:21: subnets[0].min-lease-time: 900 is more than lease-time 600",
        "pxe.yaml:7:21: subnets[0].max-lease-time: 300 is less than lease-time 600" };
    expect_errors(BASE "subnets:\n"
                  "  - subnet: 192.0.2.0/24\n"
                  "    lease-time: 600\n"
                  "    min-lease-time: 900\n"
                  "    max-lease-time: 300\n", NULL, 0, want, 2);
}

static void test_semantics(void **state)
{
    (void)state;
    const char *want_semantic[] = {
        "pxe.yaml:5:12: subnets[0].range: start 192.0.2.200 is after end 192.0.2.100",
        "pxe.yaml:7:12: subnets[1].range: 198.51.100.10-198.51.101.20 is not inside subnet 198.51.100.0/24",
        "pxe.yaml:10:12: hosts[1].mac: 52:54:00:00:00:01 is already reserved by hosts[0] (line 9)",
        "pxe.yaml:10:37: hosts[1].ip: 192.0.2.5 is already reserved by hosts[0] (line 9)",
        "pxe.yaml:11:37: hosts[2].ip: 203.0.113.9 is not inside any subnet",
        "pxe.yaml:11:56: hosts[2].boot: no boot class is named 'nope'",
        "pxe.yaml:12:37: hosts[3].ip: 192.0.2.255 is the network or broadcast address of its subnet",
        "pxe.yaml:15:11: boot[1].name: class name 'a' is already used by boot[0] (line 14)",
    };
    expect_errors("interfaces: [tap0]\ntftp: { root: /tmp }\nsubnets:\n"
                  "  - subnet: 192.0.2.0/24\n"
                  "    range: 192.0.2.200-192.0.2.100\n"
                  "  - subnet: 198.51.100.0/24\n"
                  "    range: 198.51.100.10-198.51.101.20\n"
                  "hosts:\n"
                  "  - { mac: \"52:54:00:00:00:01\", ip: 192.0.2.5 }\n"
                  "  - { mac: \"52:54:00:00:00:01\", ip: 192.0.2.5 }\n"
                  "  - { mac: \"52:54:00:00:00:02\", ip: 203.0.113.9, boot: nope }\n"
                  "  - { mac: \"52:54:00:00:00:03\", ip: 192.0.2.255 }\n"
                  "boot:\n"
                  "  - name: a\n"
                  "  - name: a\n", NULL, 0, want_semantic, 8);
}

static void test_arch_and_options(void **state)
{
    (void)state;
    const char *want[] = {
        "pxe.yaml:5:38: boot[0].match.arch[1]: unknown architecture 'efi-x65' (expected a number 0-65535 or a name such as bios, efi-ia32, efi-x64, efi-bc, efi-arm64, efi-x64-http)",
        "pxe.yaml:6:35: boot[0].options[0].value: 300 is not an IPv4 address",
        "pxe.yaml:7:19: options[0].code: option 53 is set by the server itself and cannot be configured",
        "pxe.yaml:8:3: options[1]: option 200 needs a `type` (ip, ip-list, text, uint8, uint16, uint32, int32, bool or hex)",
    };
    expect_errors(BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n"
                  "boot:\n"
                  "  - { name: x, match: { arch: [bios, efi-x65] },\n"
                  "      options: [{ code: 3, value: 300 }] }\n"
                  "options: [{ code: 53, type: uint8, value: 1 },\n"
                  "  { code: 200, value: 1 }]\n", NULL, 0, want, 4);
}

static void test_yaml_syntax_error(void **state)
{
    (void)state;
    const char *want[] = {
        "pxe.yaml:2:3: did not find expected key while parsing a block mapping" };
    expect_errors("interfaces: [tap0]\n  bad: indent\nsubnets: []\n", NULL, 0, want, 1);
}

static void test_tftp_root_missing(void **state)
{
    (void)state;
    const char *want[] = {
        "pxe.yaml:2:15: tftp.root: /nonexistent/netbootd-root: No such file or directory" };
    expect_errors("interfaces: [tap0]\ntftp: { root: /nonexistent/netbootd-root }\n"
                  "subnets: [{ subnet: 192.0.2.0/24 }]\n", NULL, 0, want, 1);
}

static void test_missing_sections(void **state)
{
    (void)state;
    const char *want[] = {
        "pxe.yaml:1:1: interfaces: expected a list of interfaces to serve (e.g. interfaces: [eth1])",
        "pxe.yaml:1:1: subnets: expected at least one subnet" };
    expect_errors("tftp: { root: /tmp }\n", NULL, 0, want, 2);
}

/* tftp.max-sessions-per-client and tftp.max-pending-sessions: defaults,
 * values, range. */
static void test_tftp_session_limits(void **state)
{
    (void)state;
    struct config *cfg = load_profile(BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n", NULL, 0);
    assert_int_equal(cfg->tftp.max_sessions_per_client, 64);
    assert_int_equal(cfg->tftp.max_pending_sessions, 256);
    config_free(cfg);
    const char *const sets[] = { "tftp.max-sessions-per-client=1024",
                                 "tftp.max-pending-sessions=1000" };
    cfg = load_profile(BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n", sets, 2);
    assert_int_equal(cfg->tftp.max_sessions_per_client, 1024);
    assert_int_equal(cfg->tftp.max_pending_sessions, 1000);
    config_free(cfg);
    const char *want[] = {
        "pxe.yaml:2:46: tftp.max-sessions-per-client: expected an integer between 1 and 100000, "
        "not '0'",
        "pxe.yaml:2:71: tftp.max-pending-sessions: expected an integer between 1 and 100000, "
        "not 'many'" };
    expect_errors("interfaces: [tap0]\n"
                  "tftp: { root: /tmp, max-sessions-per-client: 0, max-pending-sessions: many }\n"
                  "subnets: [{ subnet: 192.0.2.0/24 }]\n", NULL, 0, want, 2);
}

/* A max-sessions whose descriptors cannot fit under RLIMIT_NOFILE's hard
 * limit is refused (run in a child: lowering the hard limit is for good). */
static void test_tftp_sessions_need_open_files(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = { 2000, 2000 };
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            _exit(2);
        /* 1024 sessions x 2 + 1 interface x 4 + 64 = 2116 > 2000. */
        struct config *cfg = NULL;
        struct config_diag diag = { 0 };
        const char yaml[] = BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n";
        int err = config_load_buffer("pxe.yaml", "/tmp", yaml, strlen(yaml), NULL, 0, &cfg, &diag);
        const char want[] = "pxe.yaml:2:7: tftp.max-sessions: 1024 transfers need 2116 open files, "
                            "more than this process may open (RLIMIT_NOFILE hard limit 2000): lower "
                            "tftp.max-sessions or raise the limit (LimitNOFILE= in the service, "
                            "ulimit -Hn)";
        bool refused = err == -EINVAL && diag.n_errors == 1 && strcmp(diag.errors[0], want) == 0;
        if (!refused)
            for (size_t i = 0; i < diag.n_errors; i++)
                fprintf(stderr, "got: %s\n", diag.errors[i]);
        config_diag_free(&diag);
        /* 960 sessions fit: 1920 + 4 + 64 = 1988. */
        const char *const sets[] = { "tftp.max-sessions=960" };
        err = config_load_buffer("pxe.yaml", "/tmp", yaml, strlen(yaml), sets, 1, &cfg, &diag);
        bool fits = err == 0 && config_open_files_needed(cfg) == 1988;
        config_free(cfg);
        config_diag_free(&diag);
        _exit(refused && fits ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_set_overrides(void **state)
{
    (void)state;
    const char *const sets[] = {
        "interfaces=[eth1, eth2]",
        "subnets[0].range=192.0.2.10-192.0.2.20",
        "tftp.root=/tmp",
        "tftp.max-window-size=16",
        "leases.on-event=logger -t netbootd",
        "subnets[1]={ subnet: 198.51.100.0/24 }",
        "tftp.busy-poll=0",
        "answer-router-solicitations=true",
    };
    struct config *cfg = load_profile(full_profile, sets, 8);
    assert_int_equal(cfg->n_interfaces, 2);
    assert_string_equal(cfg->interfaces[0], "eth1");
    assert_int_equal(cfg->subnets[0].range_start, IP(192, 0, 2, 10));
    assert_int_equal(cfg->tftp.max_window_size, 16);
    assert_int_equal(cfg->tftp.busy_poll_us, 0);
    assert_true(cfg->answer_router_solicitations);
    assert_string_equal(cfg->leases.on_event, "logger -t netbootd");
    assert_int_equal(cfg->n_subnets, 2);
    assert_int_equal(cfg->subnets[1].network, IP(198, 51, 100, 0));
    config_free(cfg);
}

/* control: a path resolved against the profile's folder, the default
 * when absent, and no longer than a Unix socket address holds. */
static void test_control_socket(void **state)
{
    (void)state;
    unsetenv("RUNTIME_DIRECTORY");
    struct config *cfg = load_profile(full_profile, TMP_ROOT, 1);
    assert_string_equal(cfg->control, "/run/netbootd/control");
    config_free(cfg);
    /* systemd's RuntimeDirectory= (first entry), as the unit sets it */
    setenv("RUNTIME_DIRECTORY", "/run/nb-test:/run/other", 1);
    cfg = load_profile(full_profile, TMP_ROOT, 1);
    assert_string_equal(cfg->control, "/run/nb-test/control");
    config_free(cfg);
    unsetenv("RUNTIME_DIRECTORY");
    const char *const rel[] = { "tftp.root=/tmp", "control=run/ctl" };
    cfg = load_profile(full_profile, rel, 2);
    assert_string_equal(cfg->control, "/tmp/run/ctl");
    config_free(cfg);
    char yaml[512];
    snprintf(yaml, sizeof yaml, BASE "subnets: [{ subnet: 192.0.2.0/24 }]\ncontrol: /%0108d\n", 0);
    char want0[300];
    snprintf(want0, sizeof want0, "pxe.yaml:4:10: control: /%0108d: longer than 107 bytes, the "
             "limit of a Unix socket path", 0);
    const char *want[] = { want0 };
    expect_errors(yaml, NULL, 0, want, 1);
}

static void test_set_errors(void **state)
{
    (void)state;
    const char *const sets[] = { "tftp.port=99999", "subnets[5].range=x", "a..b=1", "tftp.busy-poll=5000" };
    const char *want[] = {
        "--set subnets[5].range=x: index [5] is past the end of a list of 1",
        "--set a..b=1: expected a key path like tftp.root or subnets[0].range",
        "--set: tftp.port: expected an integer between 1 and 65535, not '99999'",
        "--set: tftp.busy-poll: expected an integer between 0 and 1000, not '5000'",
    };
    expect_errors(BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n", sets, 4, want, 4);
}

/* Issue #23: mode and clients, their defaults, and the proxy mistakes. */
static void test_proxy_mode(void **state)
{
    (void)state;
    struct config *cfg = load_profile(BASE "subnets:\n"
                                      "  - subnet: 192.0.2.0/24\n"
                                      "    mode: proxy\n"
                                      "  - subnet: 198.51.100.0/24\n"
                                      "    clients: known\n"
                                      "  - subnet: 198.18.0.0/24\n"
                                      "boot: [{ name: x, match: { vendor-class: PXE }, filename: f }]\n",
                                      NULL, 0);
    assert_int_equal(cfg->subnets[0].mode, CONFIG_MODE_PROXY);
    assert_int_equal(cfg->subnets[0].clients, CONFIG_CLIENTS_PXE);   /* implied */
    assert_int_equal(cfg->subnets[1].mode, CONFIG_MODE_FULL);
    assert_int_equal(cfg->subnets[1].clients, CONFIG_CLIENTS_KNOWN);
    assert_int_equal(cfg->subnets[2].mode, CONFIG_MODE_FULL);
    assert_int_equal(cfg->subnets[2].clients, CONFIG_CLIENTS_ALL);
    config_free(cfg);

    const char *want[] = {
        "pxe.yaml:5:11: subnets[0].mode: expected full or proxy, not 'half'",
        "pxe.yaml:6:14: subnets[0].clients: expected all, pxe or known, not 'some'",
        "pxe.yaml:9:12: subnets[1].range: a proxy subnet leases no addresses (the other DHCP "
        "server does): remove the range or set mode: full",
        "pxe.yaml:10:14: subnets[1].clients: a proxy subnet answers PXE clients only (pxe or known)",
    };
    expect_errors(BASE "subnets:\n"
                  "  - subnet: 192.0.2.0/24\n"
                  "    mode: half\n"
                  "    clients: some\n"
                  "  - subnet: 198.51.100.0/24\n"
                  "    mode: proxy\n"
                  "    range: 198.51.100.10-198.51.100.20\n"
                  "    clients: all\n", NULL, 0, want, 4);
}

/* A proxy subnet whose classes give no PXE client a boot file answers
 * nobody; a reservation's address there is never handed out. */
/* Every profile we ship loads (against an empty TFTP root). */
static void test_shipped_profiles(void **state)
{
    (void)state;
    DIR *d = opendir("boot-profiles");
    struct dirent *e;
    int loaded = 0;
    if (!d)
        skip();
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "boot-profiles/%s", e->d_name);
        struct config *cfg = NULL;
        struct config_diag diag = { 0 };
        int err = config_load_file(path, TMP_ROOT, 1, &cfg, &diag);
        for (size_t i = 0; i < diag.n_errors; i++)
            print_error("%s\n", diag.errors[i]);
        assert_int_equal(err, 0);
        config_diag_free(&diag);
        config_free(cfg);
        loaded++;
    }
    closedir(d);
    assert_true(loaded >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_model),
        cmocka_unit_test(test_bad_address),
        cmocka_unit_test(test_unknown_key_did_you_mean),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_semantics),
        cmocka_unit_test(test_lease_time_bounds),
        cmocka_unit_test(test_arch_and_options),
        cmocka_unit_test(test_yaml_syntax_error),
        cmocka_unit_test(test_tftp_root_missing),
        cmocka_unit_test(test_missing_sections),
        cmocka_unit_test(test_tftp_session_limits),
        cmocka_unit_test(test_tftp_sessions_need_open_files),
        cmocka_unit_test(test_set_overrides),
        cmocka_unit_test(test_control_socket),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_proxy_mode),
        cmocka_unit_test(test_shipped_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
