/* check_machine.c - see check_machine.h. */
#include "check_machine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "privdrop.h"
#include "state_files.h"

/* The PATH hooks.c gives a hook. */
#define HOOK_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct check {
    const struct config *cfg;
    struct config_diag *diag;
    struct check_user user;
    char name[64];              /* the service user's name */
    bool known;                 /* the service user exists */
};

bool check_may_access(mode_t mode, uid_t owner, gid_t group, const struct check_user *u,
                      int want)
{
    if (u->uid == 0)
        return !(want & CHECK_X) || (mode & 0111) || S_ISDIR(mode);
    unsigned shift = 0;                         /* others */
    bool member = group == u->gid;
    for (size_t i = 0; i < u->n_groups && !member; i++)
        member = u->groups[i] == group;
    if (owner == u->uid)
        shift = 6;
    else if (member)
        shift = 3;
    unsigned bits = ((unsigned)mode >> shift) & 7u;
    return (bits & (unsigned)want) == (unsigned)want;
}

int check_hook_program(const char *command, char *out, size_t size)
{
    static const char *const builtins[] = { "exec", "command", "eval", "true", "false", ":",
        ".", "set", "export", "cd", "exit", "test", "[", NULL };
    const char *p = command;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strcspn(p, " \t\n");
    if (len == 0 || len >= size || memchr(p, '=', len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (strchr("'\"$`\\;|&<>(){}*?[~#", p[i]) && !(len == 1 && p[i] == '['))
            return 0;
    memcpy(out, p, len);
    out[len] = '\0';
    for (size_t i = 0; builtins[i]; i++)
        if (strcmp(out, builtins[i]) == 0)
            return 0;
    return 1;
}

static void warn(struct check *c, struct config_pos pos, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn(struct check *c, struct config_pos pos, const char *key, const char *fmt, ...)
{
    char text[1024], *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    int n = pos.line ? asprintf(&msg, "%s:%u:%u: warning: %s%s%s", c->cfg->path, pos.line,
                                pos.column, key, *key ? ": " : "", text)
                     : asprintf(&msg, "%s: warning: %s%s%s", c->cfg->path, key,
                                *key ? ": " : "", text);
    if (n >= 0)
        config_diag_warning(c->diag, msg);
}

/* A message that already starts with "key: " loses it (warn adds it). */
static const char *without_key(const char *msg, const char *key)
{
    size_t n = strlen(key);
    return strncmp(msg, key, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ' ? msg + n + 2 : msg;
}

static unsigned prefix_len(uint32_t mask)
{
    unsigned n = 0;
    while (mask & 0x80000000u) {
        n++;
        mask <<= 1;
    }
    return n;
}

/* Each interface exists and has an IPv4 address inside a subnet: the
 * subnet of a request that was not relayed is the one holding the address
 * of the interface it came in on. */
static void check_interfaces(struct check *c)
{
    const struct config *cfg = c->cfg;
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) < 0)
        list = NULL;
    for (size_t i = 0; i < cfg->n_interfaces; i++) {
        const char *name = cfg->interfaces[i];
        struct config_pos pos = cfg->interface_pos ? cfg->interface_pos[i] : (struct config_pos){ 0, 0 };
        char key[32], have[256] = "", a[16];
        bool any = false, inside = false;
        snprintf(key, sizeof key, "interfaces[%zu]", i);
        if (if_nametoindex(name) == 0) {
            warn(c, pos, key, "interface %s does not exist on this machine (netbootd refuses "
                 "to start without it)", name);
            continue;
        }
        for (const struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
            if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET || !ifa->ifa_netmask ||
                strcmp(ifa->ifa_name, name) != 0)
                continue;
            uint32_t addr = ntohl(((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr.s_addr);
            uint32_t mask = ntohl(((const struct sockaddr_in *)(const void *)ifa->ifa_netmask)->sin_addr.s_addr);
            any = true;
            inside = inside || config_subnet_for(cfg, addr) != NULL;
            snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s/%u",
                     have[0] ? ", " : "", log_ipv4(addr, a, sizeof a), prefix_len(mask));
        }
        if (!any)
            warn(c, pos, key, "interface %s has no IPv4 address: clients on its link get no "
                 "answer until it has one inside a subnet of the profile", name);
        else if (!inside)
            warn(c, pos, key, "interface %s has no IPv4 address inside a subnet of the "
                 "profile (it has %s): clients on its link get no answer", name, have);
    }
    freeifaddrs(list);
}

static int lookup_passwd(const char *name, uid_t *uid, gid_t *gid)
{
    struct passwd *pw = getpwnam(name);
    if (!pw)
        return -ENOENT;
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

/* The user netbootd will run as. Supplementary groups are left out:
 * started as root, netbootd drops them (privdrop.c). */
static void resolve_user(struct check *c)
{
    char msg[512], self[64] = "";
    struct privdrop_user pu;
    struct passwd *pw = getpwuid(geteuid());
    if (pw)
        snprintf(self, sizeof self, "%s", pw->pw_name);
    int rc = privdrop_resolve_user(c->cfg->user, geteuid(), getegid(), pw ? self : NULL,
                                   lookup_passwd, &pu, msg, sizeof msg);
    if (rc != 0)
        warn(c, c->cfg->user_pos, "user", "%s", without_key(msg, "user"));
    if (rc < 0)
        return;
    c->known = true;
    c->user = (struct check_user){ .uid = pu.uid, .gid = pu.gid };
    snprintf(c->name, sizeof c->name, "%s", pu.name);
}

static bool is_script(const char *path)
{
    char head[2] = { 0, 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(head, 1, 2, f);
    fclose(f);
    return n == 2 && head[0] == '#' && head[1] == '!';
}

/* Where /bin/sh finds `prog`: itself when it names a path, else the first
 * regular file of that name on the hooks' PATH. */
static bool find_program(const char *prog, char *out, size_t size)
{
    if (strchr(prog, '/')) {
        snprintf(out, size, "%s", prog);
        return true;
    }
    const char *dir = HOOK_PATH;
    while (*dir) {
        size_t n = strcspn(dir, ":");
        struct stat st;
        snprintf(out, size, "%.*s/%s", (int)n, dir, prog);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
            return true;
        dir += n + (dir[n] == ':');
    }
    return false;
}

/* The first folder above `path` that the user cannot pass, or false. */
static bool blocked_folder(const struct check *c, const char *path, char *out, size_t size,
                           struct stat *st)
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        bool ok = stat(copy, st) != 0 ||
                  check_may_access(st->st_mode, st->st_uid, st->st_gid, &c->user, CHECK_X);
        if (!ok) {
            snprintf(out, size, "%s", copy);
            return true;
        }
        *slash = '/';
    }
    if (stat("/", st) == 0 && !check_may_access(st->st_mode, st->st_uid, st->st_gid, &c->user, CHECK_X)) {
        snprintf(out, size, "/");
        return true;
    }
    return false;
}

/* leases.on-event: the program exists and the service user may run it
 * (execute it, read it when it is a script, pass every folder above it). */
static void check_hook(struct check *c)
{
    const struct config_leases *l = &c->cfg->leases;
    char prog[PATH_MAX], path[PATH_MAX], real[PATH_MAX], folder[PATH_MAX];
    struct stat st;
    if (!l->on_event || !check_hook_program(l->on_event, prog, sizeof prog))
        return;
    if (!find_program(prog, path, sizeof path)) {
        warn(c, l->on_event_pos, "leases.on-event", "%s is not found on the hooks' PATH (%s)",
             prog, HOOK_PATH);
        return;
    }
    if (stat(path, &st) < 0) {
        warn(c, l->on_event_pos, "leases.on-event", "%s: %s", path, strerror(errno));
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        warn(c, l->on_event_pos, "leases.on-event", "%s is not a regular file", path);
        return;
    }
    if (!c->known)
        return;
    bool script = is_script(path);
    int want = CHECK_X | (script ? CHECK_R : 0);
    if (!check_may_access(st.st_mode, st.st_uid, st.st_gid, &c->user, want)) {
        warn(c, l->on_event_pos, "leases.on-event", "%s cannot run %s: %s (mode %04o, owner "
             "uid %u, group gid %u); hooks run as %s (uid %u, gid %u)", c->name, path,
             script ? "a script needs read and execute permission" : "no execute permission",
             (unsigned)(st.st_mode & 07777),
             (unsigned)st.st_uid, (unsigned)st.st_gid, c->name, (unsigned)c->user.uid,
             (unsigned)c->user.gid);
        return;
    }
    struct stat fst;
    if (realpath(path, real) && blocked_folder(c, real, folder, sizeof folder, &fst))
        warn(c, l->on_event_pos, "leases.on-event", "%s cannot reach %s: folder %s (mode "
             "%04o, owner uid %u, group gid %u) does not let it through", c->name, path,
             folder, (unsigned)(fst.st_mode & 07777), (unsigned)fst.st_uid,
             (unsigned)fst.st_gid);
}

static void to_state(const struct stat *st, bool exists, struct state_stat *out)
{
    memset(out, 0, sizeof *out);
    out->exists = exists;
    if (exists) {
        out->mode = st->st_mode;
        out->uid = st->st_uid;
        out->nlink = st->st_nlink;
    }
}

/* A folder netbootd would create needs its parent. */
static void check_parent(struct check *c, struct config_pos pos, const char *key, const char *dir)
{
    char copy[PATH_MAX];
    struct stat st;
    snprintf(copy, sizeof copy, "%s", dir);
    const char *parent = dirname(copy);
    if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
        warn(c, pos, key, "folder %s does not exist, and netbootd cannot create it: %s %s",
             dir, parent, stat(parent, &st) < 0 ? "does not exist" : "is not a folder");
}

/* leases.file and leases.event-log: the rules the daemon applies at start
 * (state_files.h), and what the service user must be able to write once
 * it runs: the lease folder (compaction makes a new journal there), the
 * event log (reopened as that user: a FIFO that had no reader, a path
 * changed by SIGHUP). */
static void check_state(struct check *c, enum state_role role, const char *path,
                        struct config_pos pos)
{
    const char *key = state_role_key(role);
    char dir[PATH_MAX], base[NAME_MAX + 1], file[PATH_MAX + NAME_MAX + 2], why[1024];
    struct stat st;
    struct state_stat ss;
    if (!path || !c->known || state_path_split(path, dir, sizeof dir, base, sizeof base) < 0)
        return;
    struct state_owner o = { c->user.uid, c->user.gid, c->name };
    bool exists = lstat(dir, &st) == 0;
    to_state(&st, exists, &ss);
    enum state_action a = state_dir_decide(&ss, role, &o, dir, why, sizeof why);
    if (a == STATE_REFUSE) {
        warn(c, pos, key, "%s", without_key(why, key));
        return;
    }
    if (a == STATE_CREATE) {
        check_parent(c, pos, key, dir);
        return;
    }
    if (role == STATE_LEASE_FILE &&
        !check_may_access(st.st_mode, st.st_uid, st.st_gid, &c->user, CHECK_W | CHECK_X)) {
        warn(c, pos, key, "%s cannot write in folder %s (mode %04o): it compacts the journal "
             "there; chmod u+rwx %s", c->name, dir, (unsigned)(st.st_mode & 07777), dir);
        return;
    }
    snprintf(file, sizeof file, "%s/%s", dir, base);
    exists = lstat(file, &st) == 0;
    to_state(&st, exists, &ss);
    if (state_file_decide(&ss, role, &o, file, why, sizeof why) == STATE_REFUSE)
        warn(c, pos, key, "%s", without_key(why, key));
    else if (exists && role == STATE_EVENT_LOG &&
             !check_may_access(st.st_mode, st.st_uid, st.st_gid, &c->user, CHECK_W))
        warn(c, pos, key, "%s cannot write %s (mode %04o, owner uid %u): opened as root at "
             "start, it is reopened as %s after SIGHUP or when a FIFO had no reader", c->name,
             file, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, c->name);
}

/* SIGHUP reloads read the profile as the service user. */
static void check_profile(struct check *c)
{
    char real[PATH_MAX], folder[PATH_MAX];
    struct stat st, fst;
    if (!c->known || !realpath(c->cfg->path, real) || stat(real, &st) < 0)
        return;
    if (!check_may_access(st.st_mode, st.st_uid, st.st_gid, &c->user, CHECK_R))
        warn(c, (struct config_pos){ 0, 0 }, "", "%s cannot read the profile (mode %04o, "
             "owner uid %u, group gid %u): a SIGHUP reload, which reads it as %s, would fail",
             c->name, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
             (unsigned)st.st_gid, c->name);
    else if (blocked_folder(c, real, folder, sizeof folder, &fst))
        warn(c, (struct config_pos){ 0, 0 }, "", "%s cannot reach the profile: folder %s "
             "(mode %04o, owner uid %u) does not let it through; a SIGHUP reload would fail",
             c->name, folder, (unsigned)(fst.st_mode & 07777), (unsigned)fst.st_uid);
}

/* TFTP opens a boot file below the root as the service user: every folder
 * from the root down must let it through and the file must be readable.
 * (A missing file is the loader's warning.) */
static void check_boot_files(struct check *c)
{
    const struct config *cfg = c->cfg;
    if (!c->known || !cfg->tftp.enabled || !cfg->tftp.root)
        return;
    for (size_t i = 0; i < cfg->n_boot; i++) {
        const struct config_boot_class *b = &cfg->boot[i];
        char path[PATH_MAX], key[48];
        struct stat st;
        if (!b->filename || strstr(b->filename, "://"))
            continue;
        snprintf(key, sizeof key, "boot[%zu].filename", i);
        int n = snprintf(path, sizeof path, "%s/", cfg->tftp.root);
        const char *rel = b->filename;
        while (*rel == '/')
            rel++;
        for (const char *p = rel; n > 0 && (size_t)n < sizeof path; ) {
            bool last = !strchr(p, '/');
            if (stat(path, &st) < 0)
                break;
            if (!check_may_access(st.st_mode, st.st_uid, st.st_gid, &c->user, CHECK_X)) {
                warn(c, b->filename_pos, key, "%s cannot reach %s: folder %s (mode %04o, owner "
                     "uid %u) does not let it through, and TFTP opens files as %s", c->name,
                     b->filename, path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
                     c->name);
                break;
            }
            size_t len = last ? strlen(p) : (size_t)(strchr(p, '/') - p) + 1;
            n += snprintf(path + n, sizeof path - (size_t)n, "%.*s", (int)len, p);
            p += len;
            if (last) {
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
                    !check_may_access(st.st_mode, st.st_uid, st.st_gid, &c->user, CHECK_R))
                    warn(c, b->filename_pos, key, "%s cannot read %s (mode %04o, owner uid %u), "
                         "and TFTP opens files as %s", c->name, b->filename,
                         (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, c->name);
                break;
            }
        }
    }
}

void check_machine(const struct config *cfg, struct config_diag *diag)
{
    struct check c = { .cfg = cfg, .diag = diag };
    check_interfaces(&c);
    resolve_user(&c);
    check_profile(&c);
    check_boot_files(&c);
    check_hook(&c);
    check_state(&c, STATE_LEASE_FILE, cfg->leases.file, cfg->leases.file_pos);
    check_state(&c, STATE_EVENT_LOG, cfg->leases.event_log, cfg->leases.event_log_pos);
}
