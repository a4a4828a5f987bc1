/* check_templates.c - see check_templates.h. */
#include "check_templates.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpl.h"

struct tmpl_check {
    const struct config *cfg;
    const char *path;
    struct config_diag *diag;
    size_t errors;
};

/* How many hosts define `name` in their vars. */
static size_t hosts_defining(const struct config *cfg, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_hosts; i++)
        for (size_t j = 0; j < cfg->hosts[i].n_vars; j++)
            if (strcmp(cfg->hosts[i].vars[j].name, name) == 0) {
                n++;
                break;
            }
    return n;
}

static int check_var_cb(const char *name, unsigned line, unsigned col, void *ctx)
{
    struct tmpl_check *c = ctx;
    char *msg = NULL;
    if (tmpl_is_fact(name))
        return 0;
    size_t n = hosts_defining(c->cfg, name);
    if (n == 0) {
        if (asprintf(&msg, "%s:%u:%u: {{%s}}: undefined variable (neither a fact nor a key of "
                     "any hosts[].vars)", c->path, line, col, name) >= 0)
            config_diag_add(c->diag, msg);
        c->errors++;
    } else if (n < c->cfg->n_hosts) {
        if (asprintf(&msg, "%s:%u:%u: warning: {{%s}}: set in the vars of %zu of %zu hosts; "
                     "the others, and clients not in hosts:, get a TFTP error", c->path, line,
                     col, name, n, c->cfg->n_hosts) >= 0)
            config_diag_warning(c->diag, msg);
    }
    return 0;
}

size_t check_template_text(const struct config *cfg, const char *path, const char *src,
                           size_t len, struct config_diag *diag)
{
    struct tmpl_check c = { cfg, path, diag, 0 };
    struct tmpl_error err = { 0 };
    if (tmpl_scan(src, len, check_var_cb, &c, &err) < 0) {
        char *msg = NULL;
        if (asprintf(&msg, "%s:%u:%u: %s", path, err.line, err.column, err.what) >= 0)
            config_diag_add(diag, msg);
        c.errors++;
    }
    return c.errors;
}

struct walk {
    const struct config *cfg;
    struct config_diag *diag;
    size_t entries, errors;
    bool warned;
};

static void check_file(struct walk *w, int dir_fd, const char *name, const char *path)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    char *src = NULL;
    ssize_t got = -1;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= TMPL_IN_MAX &&
        (src = malloc((size_t)st.st_size + 1)))
        got = pread(fd, src, (size_t)st.st_size, 0);
    if (got < 0) {
        char *msg = NULL;
        if (asprintf(&msg, "%s: %s", path, fd < 0 ? strerror(errno) : st.st_size > TMPL_IN_MAX ?
                     "template too large" : "cannot be read") >= 0)
            config_diag_add(w->diag, msg);
        w->errors++;
    } else {
        w->errors += check_template_text(w->cfg, path, src, (size_t)got, w->diag);
    }
    free(src);
    if (fd >= 0)
        close(fd);
}

static bool is_template(const char *name)
{
    size_t len = strlen(name);
    return len > 5 && strcmp(name + len - 5, ".tmpl") == 0;
}

/* The folder open at dir_fd (taken), shown as `path`. */
static void walk_dir(struct walk *w, int dir_fd, const char *path, int depth)
{
    DIR *d = fdopendir(dir_fd);
    if (!d) {
        close(dir_fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (++w->entries > CHECK_TMPL_FILES) {
            if (!w->warned) {
                char *msg = NULL;
                if (asprintf(&msg, "%s: warning: more than %d files under the TFTP root: "
                             "templates past them were not checked", w->cfg->tftp.root,
                             CHECK_TMPL_FILES) >= 0)
                    config_diag_warning(w->diag, msg);
                w->warned = true;
            }
            break;
        }
        char sub[4096];
        struct stat st;
        if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < CHECK_TMPL_DEPTH) {
            int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
            if (fd >= 0)
                walk_dir(w, fd, sub, depth + 1);
        } else if (S_ISREG(st.st_mode) && is_template(e->d_name)) {
            check_file(w, dirfd(d), e->d_name, sub);
        }
    }
    closedir(d);
}

size_t check_templates(const struct config *cfg, struct config_diag *diag)
{
    if (!cfg->tftp.enabled || !cfg->tftp.root)
        return 0;
    int fd = open(cfg->tftp.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return 0;   /* check_machine reports a missing root */
    struct walk w = { cfg, diag, 0, 0, false };
    walk_dir(&w, fd, cfg->tftp.root, 0);
    return w.errors;
}
