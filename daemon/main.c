/* main.c - netbootd's command line: parse options, load the profile, then
 * either check it (--check), print the lease table (--leases), ask the
 * running daemon (status, reload: ctl_client.c) or run the daemon
 * (netbootd.c). Nothing protocol-related lives here. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_machine.h"
#include "check_templates.h"
#include "config.h"
#include "ctl_client.h"
#include "lease_pg_admin.h"
#include "lease_table.h"
#include "log.h"
#include "netbootd.h"
#include "privdrop.h"


static void usage(FILE *out)
{
    fputs("usage: netbootd --profile FILE [options]\n"
          "       netbootd status [--json] [--profile FILE | --control PATH]\n"
          "       netbootd reload [--profile FILE | --control PATH]\n"
          "       netbootd db init|upgrade|version --profile FILE\n"
          "\n"
          "A PXE/netboot server: DHCPv4 with client classification and forced PXELINUX\n"
          "options, lease journal with event hooks, and a read-only TFTP server.\n"
          "\n"
          "  -p, --profile FILE      the YAML profile to serve (required)\n"
          "  -s, --set KEY=VALUE     override a profile key; VALUE in YAML flow syntax\n"
          "                          (e.g. --set interfaces=[eth1] --set tftp.root=/srv/tftp)\n"
          "  -c, --check             validate the profile and what it needs of this machine\n"
          "                          (interfaces, hook, folders), print a summary, exit 0 or 1\n"
          "      --strict            with --check: warnings are errors too (exit 1)\n"
          "  -L, --leases            print the current leases and boot progress, then exit\n"
          "  -j, --json              with --leases or status: the same data as JSON\n"
          "  -C, --control PATH      the running daemon's control socket (default: the\n"
          "                          profile's control:, else $RUNTIME_DIRECTORY/control,\n"
          "                          else " CONFIG_CONTROL_DEFAULT ")\n"
          "  -l, --log-level LEVEL   error, warn, info (default) or debug\n"
          "  -V, --version           print the version and exit\n"
          "  -h, --help              this text\n"
          "\n"
          "Commands: `status` prints what the running daemon is doing (uptime, pools,\n"
          "clients and their boot progress, transfers, hook queue, last errors);\n"
          "`reload` reloads its profile and prints the errors when it is refused.\n"
          "`db init` creates the PostgreSQL lease schema (leases.backend: postgresql),\n"
          "`db upgrade` migrates it to this version's, `db version` prints it\n"
          "(--schema-version N: init up to version N only, for upgrade tests).\n"
          "\n"
          "Signals: SIGHUP reloads the profile (a bad one is refused and the running one\n"
          "stays), SIGINT/SIGTERM stop gracefully (pending lease writes are flushed).\n",
          out);
}

/* One diagnostic: plain for --check and --leases; starting the daemon, a
 * log line (a timestamp, or the journal's priority). */
static void print_one(const struct config_diag *diag, const char *line, bool as_log)
{
    bool error = false;
    for (size_t i = 0; i < diag->n_errors; i++)
        error = error || diag->errors[i] == line;
    if (!as_log)
        fprintf(stderr, "%s\n", line);
    else if (error)
        log_error("%s", line);
    else
        log_warn("%s", line);
}

/* Print every diagnostic, one per line, errors and warnings in file order. */
static void print_diag(const struct config_diag *diag, const char *profile, bool as_log)
{
    char **all = config_diag_ordered(diag, profile);
    if (all) {
        for (size_t i = 0; i < diag->n_errors + diag->n_warnings; i++)
            print_one(diag, all[i], as_log);
        free(all);
        return;
    }
    for (size_t i = 0; i < diag->n_warnings; i++)
        print_one(diag, diag->warnings[i], as_log);
    for (size_t i = 0; i < diag->n_errors; i++)
        print_one(diag, diag->errors[i], as_log);
}

struct args {
    const char *profile;
    const char **sets;
    size_t n_sets;
    const char *control;
    bool check, strict, leases, json;
    bool ask;               /* status or reload: talk to the running daemon */
    const char *db;         /* db init|upgrade|version, or NULL */
    int schema_version;     /* --schema-version (db init), 0 = the latest */
    struct ctl_req req;
};

/* The command word after the options: status or reload. -1: go on; else
 * the exit status. */
static int parse_command(int argc, char **argv, struct args *a)
{
    if (optind >= argc)
        return -1;
    if (strcmp(argv[optind], "db") == 0) {
        if (optind + 2 != argc) {
            fprintf(stderr, "netbootd: db init|upgrade|version\n");
            return 2;
        }
        a->db = argv[optind + 1];
        return -1;
    }
    if (strcmp(argv[optind], "status") == 0)
        a->req.cmd = CTL_STATUS;
    else if (strcmp(argv[optind], "reload") == 0)
        a->req.cmd = CTL_RELOAD;
    else {
        fprintf(stderr, "netbootd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    a->ask = true;
    if (optind + 1 < argc) {
        fprintf(stderr, "netbootd: unexpected argument '%s'\n", argv[optind + 1]);
        return 2;
    }
    a->req.json = a->json;
    if (a->json && a->req.cmd == CTL_RELOAD) {
        fprintf(stderr, "netbootd: reload has no --json\n");
        return 2;
    }
    return -1;
}

/* -1: go on; else the exit status (--help, --version, a bad option). */
static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option longopts[] = {
        { "profile",   required_argument, NULL, 'p' },
        { "set",       required_argument, NULL, 's' },
        { "check",     no_argument,       NULL, 'c' },
        { "strict",    no_argument,       NULL, 'S' },
        { "leases",    no_argument,       NULL, 'L' },
        { "json",      no_argument,       NULL, 'j' },
        { "control",   required_argument, NULL, 'C' },
        { "log-level", required_argument, NULL, 'l' },
        { "version",   no_argument,       NULL, 'V' },
        { "help",      no_argument,       NULL, 'h' },
        { "schema-version", required_argument, NULL, 'D' },
        { NULL, 0, NULL, 0 },
    };
    int opt, level;
    while ((opt = getopt_long(argc, argv, "p:s:cLjC:l:Vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p': a->profile = optarg; break;
        case 's':
            if (!strchr(optarg, '=')) {
                fprintf(stderr, "netbootd: --set %s: expected KEY=VALUE\n", optarg);
                return 1;
            }
            a->sets[a->n_sets++] = optarg;
            break;
        case 'c': a->check = true; break;
        case 'S': a->strict = true; break;
        case 'L': a->leases = true; break;
        case 'j': a->json = true; break;
        case 'C': a->control = optarg; break;
        case 'l':
            level = log_level_from_name(optarg);
            if (level < 0) {
                fprintf(stderr, "netbootd: --log-level %s: expected error, warn, info or debug\n",
                        optarg);
                return 1;
            }
            log_set_level((enum log_level)level);
            break;
        case 'V': printf("netbootd %s\n", NETBOOTD_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        case 'D': a->schema_version = atoi(optarg); break;
        default: usage(stderr); return 2;
        }
    }
    int rc = parse_command(argc, argv, a);
    if (rc >= 0)
        return rc;
    if (a->json && !a->leases && !a->ask) {
        fprintf(stderr, "netbootd: --json goes with --leases or status\n");
        return 2;
    }
    if (a->strict && !a->check) {
        fprintf(stderr, "netbootd: --strict goes with --check\n");
        return 2;
    }
    if (!a->profile && !a->ask) {
        fprintf(stderr, "netbootd: --profile FILE is required\n");
        usage(stderr);
        return 2;
    }
    return -1;
}

static int run(const struct args *a)
{
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    int rc = 1;
    int err = config_load_file(a->profile, a->sets, a->n_sets, &cfg, &diag);
    if (err == 0 && a->check) {
        check_machine(cfg, &diag);
        if (check_templates(cfg, &diag) > 0)
            err = -EINVAL;
    }
    print_diag(&diag, a->profile, !a->check && !a->leases && !a->ask && !a->db);
    size_t warnings = diag.n_warnings;
    if (err < 0) {
        fprintf(stderr, "netbootd: %s: %zu error%s, profile refused\n", a->profile,
                diag.n_errors, diag.n_errors == 1 ? "" : "s");
        config_diag_free(&diag);
        config_free(cfg);   /* loaded, but a template failed --check */
        return 1;
    }
    config_diag_free(&diag);
    if (a->check && a->strict && warnings) {
        fprintf(stderr, "netbootd: %s: %zu warning%s, and --strict: profile refused\n",
                a->profile, warnings, warnings == 1 ? "" : "s");
    } else if (a->check) {
        config_print_summary(cfg, stdout);
        rc = 0;
    } else if (a->db) {
        rc = lease_pg_db_command(cfg, a->db, a->schema_version, stdout, stderr);
    } else if (a->leases) {
        rc = lease_table_print_file(stdout, cfg, (int64_t)time(NULL), a->json) < 0 ? 1 : 0;
    } else if (a->ask) {
        rc = ctl_client_run(cfg->control, &a->req, stdout, stderr);
    } else {
        rc = netbootd_run(a->profile, a->sets, a->n_sets, cfg) < 0 ? 1 : 0;
        cfg = NULL;     /* the daemon owns (and frees) every config it ran */
    }
    config_free(cfg);
    return rc;
}

int main(int argc, char **argv)
{
    struct args a = { .sets = calloc((size_t)argc + 1, sizeof *a.sets) };
    privdrop_close_inherited_fds();     /* none of them may reach a hook */
    if (!a.sets) {
        fprintf(stderr, "netbootd: out of memory\n");
        return 1;
    }
    int rc = parse_args(argc, argv, &a);
    if (rc < 0 && a.ask && (a.control || !a.profile)) {
        /* No profile to read the path from: --control, or the default. */
        char *fallback = a.control ? NULL : config_control_default();
        rc = ctl_client_run(a.control ? a.control : fallback ? fallback : CONFIG_CONTROL_DEFAULT,
                            &a.req, stdout, stderr);
        free(fallback);
    } else if (rc < 0) {
        /* Under systemd, stderr is the journal: use its priority prefixes
         * (it stamps the time itself); anywhere else, a timestamp. */
        log_set_journal(log_stderr_is_journal());
        rc = run(&a);
    }
    free(a.sets);
    return rc;
}
