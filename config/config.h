/* config.h - the profile model: what `netbootd --profile FILE` loaded.
 *
 * The loader (config_load.c) turns one YAML file plus --set overrides into a
 * struct config, checks it (config_check.c) and reports every problem as
 * "file:line:column: key.path: what was expected". Everything else in the
 * daemon only reads this model.
 *
 * Conventions: every IPv4 address is a uint32_t in HOST byte order (so that
 * ranges and pools are plain integer arithmetic); 0 means "not set".
 * Strings are heap-allocated and NUL-terminated, NULL when not set. Paths are
 * already resolved against the profile's folder. Arrays are pointer + count. */
#ifndef NETBOOTD_CONFIG_H
#define NETBOOTD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_CONTROL_DEFAULT "/run/netbootd/control"

/* The control socket's path when the profile names none: "control" in
 * $RUNTIME_DIRECTORY (its first entry: systemd sets it for the unit's
 * RuntimeDirectory=), else CONFIG_CONTROL_DEFAULT. Allocated; NULL on
 * failure. The daemon and `netbootd status` agree on it this way. */
char *config_control_default(void);

struct config_pos {
    unsigned line;      /* 1-based; 0 = not from the file (default or --set) */
    unsigned column;    /* 1-based */
};

/* A DHCP option with its value already encoded in wire form: the DHCP
 * encoder copies `data` as is and never needs to know the option's type. */
struct config_option {
    uint8_t code;
    bool force;             /* send even when the client's PRL (55) omits it */
    uint8_t len;
    uint8_t data[255];
    struct config_pos pos;
};

/* Issue #23: `mode: proxy` hands out no addresses, only boot information
 * to PXE clients next to another DHCP server (PXE 2.1 proxyDHCP);
 * `clients:` says whom a subnet answers at all. */
enum config_subnet_mode { CONFIG_MODE_FULL = 0, CONFIG_MODE_PROXY };
enum config_clients {
    CONFIG_CLIENTS_ALL = 0,     /* everyone (full mode only) */
    CONFIG_CLIENTS_PXE,         /* PXE/HTTP boot firmware and iPXE only */
    CONFIG_CLIENTS_KNOWN,       /* `hosts:` entries only */
};

struct config_subnet {
    uint32_t network;       /* host order, masked */
    uint32_t netmask;
    unsigned prefix_len;
    uint32_t range_start;   /* 0/0 = no dynamic pool (reservations only) */
    uint32_t range_end;
    uint32_t *routers;      size_t n_routers;
    uint32_t *dns;          size_t n_dns;
    char *domain;
    uint32_t lease_time;    /* seconds; default 3600 */
    uint32_t max_lease_time;/* seconds; default 86400, >= lease_time */
    uint32_t min_lease_time;/* seconds; default 120, <= lease_time: floor for option 51 */
    bool bootp;             /* answer BOOTP (no option 53) clients */
    enum config_subnet_mode mode;   /* default full */
    enum config_clients clients;    /* default all (full), pxe (proxy) */
    struct config_option *options; size_t n_options;  /* subnet-wide extras */
    struct config_pos pos;
};

struct config_mac_match {
    uint8_t bytes[6];
    uint8_t len;            /* 1..6: a prefix of this many bytes */
};

/* A boot class. Within one match kind the values are alternatives (OR);
 * the kinds that are present must all match (AND). A class with no match
 * criteria matches every client (a catch-all, put it last). */
struct config_boot_class {
    char *name;
    uint16_t *arch;             size_t n_arch;          /* option 93 values */
    char **vendor_class;        size_t n_vendor_class;  /* option 60 prefix */
    char **user_class;          size_t n_user_class;    /* option 77, exact */
    struct config_mac_match *mac; size_t n_mac;

    char *filename;             /* BOOTP `file` / option 67 */
    struct config_pos filename_pos;
    uint32_t next_server;       /* siaddr; 0 = the ingress interface address */
    char *server_name;          /* BOOTP `sname` / option 66 */
    /* Extra options including PXELINUX 208-211: the `pxelinux:` block is
     * sugar that the loader turns into forced options here. */
    struct config_option *options; size_t n_options;
    struct config_pos pos;
};

/* One of a host's template variables (hosts[].vars, docs/templates.md). */
struct config_var {
    char *name;
    char *value;
};

struct config_host {
    uint8_t mac[6];
    uint32_t ip;                /* 0 = no fixed address (class override only) */
    char *hostname;
    char *boot;                 /* class name override, or NULL */
    int boot_index;             /* index into config.boot, -1 if none */
    struct config_var *vars;    size_t n_vars;
    struct config_pos pos;
};

struct config_tftp {
    bool enabled;               /* default true */
    char *root;                 /* resolved path, required when enabled */
    uint16_t port;              /* default 69 */
    uint16_t max_block_size;    /* default 1468 */
    uint16_t max_window_size;   /* default 64 */
    unsigned max_sessions;      /* default 1024 */
    unsigned max_sessions_per_client;   /* from one address; default 64 */
    unsigned max_pending_sessions;  /* whose client has acknowledged nothing yet; default 256 */
    unsigned timeout;           /* seconds, default retransmit timeout: 1 */
    unsigned retries;           /* default 5 */
    bool map_backslash;         /* default false */
    unsigned busy_poll_us;      /* poll this long after a transfer datagram before sleeping; default 50, 0 = off */
};

/* HTTP (http/http_server.h); off unless the profile has `http:`. */
struct config_http_listen {
    uint32_t ip;                /* host order; 0 = every address (IPv4) */
    uint16_t port;
    bool v6;                    /* an IPv6 listener ("[ADDR]:PORT"): ip6, not ip */
    uint8_t ip6[16];            /* network order; all zero = every address */
};

/* "192.0.2.1:80" or "[2001:db8::1]:80", into buf (size >= 56); returns buf. */
const char *config_http_listen_text(const struct config_http_listen *a, char *buf, size_t size);
/* The same address, family and port? */
bool config_http_listen_same(const struct config_http_listen *a, const struct config_http_listen *b);

struct config_http {
    bool enabled;               /* the profile has an http: key */
    char *root;                 /* resolved path; default tftp.root */
    struct config_http_listen *listen; size_t n_listen;    /* default 0.0.0.0:80 */
    unsigned max_connections;   /* per listener; default 1024 */
    unsigned max_connections_per_client;    /* from one address; default 64 */
    unsigned idle_timeout;      /* seconds a connection may be silent; default 30 */
    unsigned header_timeout;    /* seconds a request's headers may take in all; default 10 */
    unsigned max_header_size;   /* bytes of request line and headers; default 16384 */
};

/* Metrics (daemon/metrics_http.c); off unless the profile has `metrics:`. */
struct config_metrics {
    bool enabled;               /* the profile has metrics: with a listen address */
    struct config_http_listen listen;       /* no default: never a served interface unasked */
};

/* Where leases live: the journal of one box, or a PostgreSQL database
 * shared by several servers (docs/postgresql.md). */
enum config_lease_backend {
    CONFIG_LEASES_FILE = 0,
    CONFIG_LEASES_POSTGRESQL,
};

struct config_leases {
    enum config_lease_backend backend;  /* default file */
    char *pg_conninfo;          /* libpq connection string (no password, no host name) */
    char *pg_password_file;     /* the password's file, or NULL (then PGPASSWORD) */
    struct config_pos pg_conninfo_pos;
    char *file;                 /* default /var/lib/netbootd/leases */
    char *on_event;             /* hook command, or NULL */
    char *event_log;            /* JSON-lines file/FIFO, or NULL */
    unsigned hook_timeout;      /* seconds before a hook is killed; default 10 */
    unsigned hook_queue;        /* max queued events; default 16384 */
    unsigned offer_hold;        /* seconds an OFFERed address is held; default 30 */
    unsigned decline_time;      /* seconds a DECLINEd address is quarantined; default 600 */
    /* Where file, on-event and event-log were set, for --check's messages. */
    struct config_pos file_pos, on_event_pos, event_log_pos;
};

struct config {
    char *path;                 /* the profile file as given */
    char *dir;                  /* its folder, for relative paths */
    char **interfaces;          size_t n_interfaces;
    struct config_pos *interface_pos;   /* of each interfaces[i], for --check */
    struct config_subnet *subnets; size_t n_subnets;
    struct config_host *hosts;  size_t n_hosts;
    struct config_boot_class *boot; size_t n_boot;
    struct config_option *options; size_t n_options;  /* global extras */
    /* Relay agents whose giaddr is believed (by IP source address); none =
     * any relay that unicasts from port 67 (dhcp_server.c). */
    uint32_t *relays;           size_t n_relays;
    struct config_tftp tftp;
    struct config_http http;
    struct config_metrics metrics;
    struct config_leases leases;
    char *user;                 /* drop privileges to this user; default "netbootd" */
    struct config_pos user_pos;
    /* Answer IPv6 router solicitations with an advertisement that offers
     * nothing (ra_io.c): iPXE waits ~13 s for IPv6 autoconfiguration on a
     * link without an IPv6 router. Default off. */
    bool answer_router_solicitations;
    /* The control socket `netbootd status` and `netbootd reload` talk to;
     * default /run/netbootd/control. */
    char *control;
};

/* Problems found while loading. Each message is complete and ready to print:
 * "pxe.yaml:14:12: subnets[0].range: 192.0.2.300 is not an IPv4 address". */
struct config_diag {
    char **errors;   size_t n_errors;
    char **warnings; size_t n_warnings;
};

void config_diag_free(struct config_diag *diag);

/* Add a finished warning ("file:line:col: warning: key: text"); takes
 * ownership of msg. For checks outside the loader (netbootd --check). */
void config_diag_warning(struct config_diag *diag, char *msg);
/* The same for a finished error ("file:line:col: what"). */
void config_diag_add(struct config_diag *diag, char *msg);

/* Every error and warning of `diag` in file order (messages of profile
 * `name` by line and column; those without a position first), as an array
 * of n_errors + n_warnings pointers into diag (free only the array), or
 * NULL when out of memory. */
char **config_diag_ordered(const struct config_diag *diag, const char *name);

/* Load a profile. `sets` are "key.path=value" overrides (value in YAML flow
 * syntax) applied over the file, in order. Returns 0 and *out on success
 * (warnings may still be in diag), or -EINVAL with every error in diag
 * (-errno if the file cannot be read, also described in diag). */
int config_load_file(const char *path, const char *const *sets, size_t n_sets,
                     struct config **out, struct config_diag *diag);

/* The same from memory; `name` stands for the file in messages and `dir`
 * is the folder relative paths resolve against. */
int config_load_buffer(const char *name, const char *dir, const char *buf, size_t len,
                       const char *const *sets, size_t n_sets,
                       struct config **out, struct config_diag *diag);

void config_free(struct config *cfg);

/* The one-screen summary `netbootd --check` prints. */
void config_print_summary(const struct config *cfg, FILE *out);

/* Lookups used by the daemon. */
const struct config_subnet *config_subnet_for(const struct config *cfg, uint32_t addr);
int config_boot_index(const struct config *cfg, const char *name);
/* Is any subnet a proxyDHCP one (mode: proxy)? */
bool config_has_proxy(const struct config *cfg);

/* Do two http: sections differ in what only a restart applies (on/off,
 * listeners, limits)? The root is applied by a reload. */
bool config_http_restart_needed(const struct config_http *a, const struct config_http *b);

/* Does class `a` match every client class `b` matches (so that `b`, after
 * `a`, can never match)? Does `b` match every client (no criteria)? */
bool config_class_covers(const struct config_boot_class *a, const struct config_boot_class *b);
bool config_class_matches_all(const struct config_boot_class *b);

/* Every key the loader accepts, as a full dotted path: "tftp.port",
 * "subnets[].lease-time", "boot[].match.arch" ("[]" stands for any list
 * item). The entries of a subnet's or a class's `options:` list are those
 * of the top-level one, listed once as "options[].code" etc. Returns a
 * NULL-terminated array (count in *n when n is not NULL), or NULL when out
 * of memory; free it with config_known_keys_free(). netbootd.yaml(5) must
 * document each of them (tests/unit/test_config_keys.c). */
/* leases.postgresql.conninfo: parsed by libpq (no network); -1 with the
 * reason in why when it holds a password or a host name that would need a
 * (blocking) DNS lookup. */
int config_pg_conninfo_check(const char *conninfo, char *why, size_t size);

char **config_known_keys(size_t *n);
void config_known_keys_free(char **keys);

/* Open files netbootd needs at most: each TFTP transfer and each HTTP
 * connection holds its socket and its file; each interface its DHCP (67, and 4011 for a proxy), TFTP and
 * RA sockets; the reserve covers the rest (the loop, signals, the lease journal and event log, a
 * running hook's pipes). RLIMIT_NOFILE must fit it (config_check.c refuses
 * a max-sessions that cannot; tftp_server_start raises the soft limit). */
#define CONFIG_FILES_PER_TFTP_SESSION 2
#define CONFIG_FILES_PER_HTTP_CONNECTION 2  /* its socket and the file it sends */
#define CONFIG_FILES_PER_INTERFACE 4
#define CONFIG_FILES_RESERVE 64
unsigned long config_open_files_needed(const struct config *cfg);

#endif
