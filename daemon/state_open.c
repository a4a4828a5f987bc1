/* state_open.c - see state_open.h. */
#include "state_open.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define WHY_MAX 1024

static void to_state(const struct stat *st, struct state_stat *out)
{
    out->exists = true;
    out->mode = st->st_mode;
    out->uid = st->st_uid;
    out->nlink = st->st_nlink;
}

/* lstat relative to dir_fd: a missing path is "exists = false", not an error. */
static int look(int dir_fd, const char *path, struct state_stat *out)
{
    struct stat st;
    memset(out, 0, sizeof *out);
    if (fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -errno;
    to_state(&st, out);
    return 0;
}

static int refuse(const char *why)
{
    log_error("%s", why);
    return -EPERM;
}

static int fail_errno(const struct state_file *sf, const char *what, const char *path, int err)
{
    log_error("%s: %s %s: %s", state_role_key(sf->role), what, path, strerror(-err));
    return err;
}

int state_file_init(struct state_file *sf, enum state_role role, const char *path)
{
    memset(sf, 0, sizeof *sf);
    sf->role = role;
    sf->dir_fd = sf->fd = -1;
    int err = state_path_split(path, sf->dir, sizeof sf->dir, sf->base, sizeof sf->base);
    if (err < 0)
        log_error("%s: '%s' does not name a file", state_role_key(role), path ? path : "");
    return err;
}

/* A folder to be created needs an existing parent folder. */
static int check_parent(const struct state_file *sf)
{
    char copy[sizeof sf->dir];
    struct stat st;
    snprintf(copy, sizeof copy, "%s", sf->dir);
    const char *parent = dirname(copy);
    if (stat(parent, &st) < 0)
        return fail_errno(sf, "cannot create folder", sf->dir, -errno);
    if (!S_ISDIR(st.st_mode))
        return fail_errno(sf, "cannot create folder", sf->dir, -ENOTDIR);
    return 0;
}

int state_file_check(const struct state_file *sf, const struct state_owner *o)
{
    char why[WHY_MAX], path[sizeof sf->dir + sizeof sf->base + 1];
    struct state_stat st;
    int err = look(AT_FDCWD, sf->dir, &st);
    if (err < 0)
        return fail_errno(sf, "folder", sf->dir, err);
    enum state_action a = state_dir_decide(&st, sf->role, o, sf->dir, why, sizeof why);
    if (a == STATE_REFUSE)
        return refuse(why);
    if (a == STATE_CREATE)
        return check_parent(sf);
    snprintf(path, sizeof path, "%s/%s", sf->dir, sf->base);
    err = look(AT_FDCWD, path, &st);
    if (err < 0)
        return fail_errno(sf, "file", path, err);
    if (state_file_decide(&st, sf->role, o, path, why, sizeof why) == STATE_REFUSE)
        return refuse(why);
    return 0;
}

static int open_dir(struct state_file *sf, const struct state_owner *o)
{
    char why[WHY_MAX];
    struct state_stat st;
    struct stat fst;
    int err = look(AT_FDCWD, sf->dir, &st);
    if (err < 0)
        return fail_errno(sf, "folder", sf->dir, err);
    enum state_action a = state_dir_decide(&st, sf->role, o, sf->dir, why, sizeof why);
    if (a == STATE_REFUSE)
        return refuse(why);
    if (a == STATE_CREATE) {
        if (mkdir(sf->dir, 0700) == 0)
            sf->made_dir = true;
        else if (errno != EEXIST)   /* created meanwhile: judged below, once open */
            return fail_errno(sf, "cannot create folder", sf->dir, -errno);
    }
    sf->dir_fd = open(sf->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sf->dir_fd < 0 || fstat(sf->dir_fd, &fst) < 0)
        return fail_errno(sf, "folder", sf->dir, -errno);
    if (sf->made_dir) {
        /* Our own new folder, still root's: the only one netbootd chowns. */
        if (fchown(sf->dir_fd, o->uid, o->gid) < 0 || fchmod(sf->dir_fd, 0750) < 0 ||
            fstat(sf->dir_fd, &fst) < 0)
            return fail_errno(sf, "cannot hand over folder", sf->dir, -errno);
        log_info("%s: created folder %s (0750, owner %s)", state_role_key(sf->role), sf->dir,
                 o->name);
    }
    to_state(&fst, &st);
    if (state_dir_decide(&st, sf->role, o, sf->dir, why, sizeof why) != STATE_USE)
        return refuse(why);
    return 0;
}

int state_file_open(struct state_file *sf, const struct state_owner *o)
{
    char why[WHY_MAX], path[sizeof sf->dir + sizeof sf->base + 1];
    struct state_stat st;
    struct stat fst;
    int err = open_dir(sf, o);
    if (err < 0)
        return err;
    snprintf(path, sizeof path, "%s/%s", sf->dir, sf->base);
    int flags = sf->role == STATE_LEASE_FILE ? O_RDWR : O_WRONLY | O_APPEND | O_NONBLOCK;
    flags |= O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
    /* O_EXCL first: then netbootd knows the file is its own creation. */
    sf->fd = openat(sf->dir_fd, sf->base, flags | O_CREAT | O_EXCL, 0640);
    if (sf->fd >= 0)
        sf->made_file = true;
    else if (errno == EEXIST)
        sf->fd = openat(sf->dir_fd, sf->base, flags);
    if (sf->fd < 0) {
        err = -errno;
        /* A link (ELOOP) or a FIFO without a reader (ENXIO): say which. */
        if (look(sf->dir_fd, sf->base, &st) == 0 &&
            state_file_decide(&st, sf->role, o, path, why, sizeof why) == STATE_REFUSE)
            return refuse(why);
        if (err == -ENXIO && sf->role == STATE_EVENT_LOG && S_ISFIFO(st.mode))
            return 0;       /* opened at the first event that finds a reader */
        return fail_errno(sf, "file", path, err);
    }
    if (fstat(sf->fd, &fst) < 0)
        return fail_errno(sf, "file", path, -errno);
    if (sf->made_file && fst.st_uid != o->uid) {
        if (fchown(sf->fd, o->uid, o->gid) < 0 || fstat(sf->fd, &fst) < 0)
            return fail_errno(sf, "cannot hand over file", path, -errno);
    }
    to_state(&fst, &st);
    if (state_file_decide(&st, sf->role, o, path, why, sizeof why) != STATE_USE)
        return refuse(why);
    return 0;
}

void state_file_undo(struct state_file *sf)
{
    char path[sizeof sf->dir + sizeof sf->base + 1];
    snprintf(path, sizeof path, "%s/%s", sf->dir, sf->base);
    /* The folder's descriptor may have gone to the journal already. */
    if (sf->made_file &&
        (sf->dir_fd >= 0 ? unlinkat(sf->dir_fd, sf->base, 0) : unlink(path)) == 0)
        log_info("%s: removed %s (start failed)", state_role_key(sf->role), path);
    sf->made_file = false;
    if (sf->made_dir && rmdir(sf->dir) == 0)
        log_info("%s: removed folder %s (start failed)", state_role_key(sf->role), sf->dir);
    sf->made_dir = false;
}

void state_file_close(struct state_file *sf)
{
    if (sf->fd >= 0)
        close(sf->fd);
    if (sf->dir_fd >= 0)
        close(sf->dir_fd);
    sf->fd = sf->dir_fd = -1;
}
