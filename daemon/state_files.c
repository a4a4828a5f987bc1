/* state_files.c - see state_files.h. */
#include "state_files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *state_role_key(enum state_role role)
{
    return role == STATE_LEASE_FILE ? "leases.file" : "leases.event-log";
}

enum state_action state_dir_decide(const struct state_stat *st, enum state_role role,
                                   const struct state_owner *o, const char *dir, char *why,
                                   size_t why_size)
{
    const char *key = state_role_key(role);
    if (!st->exists)
        return STATE_CREATE;
    if (!S_ISDIR(st->mode)) {
        snprintf(why, why_size, "%s: %s is %s, not a folder; choose a real folder for %s", key,
                 dir, S_ISLNK(st->mode) ? "a symbolic link" : "a file", key);
        return STATE_REFUSE;
    }
    /* Writable by users other than its owner (and not sticky like /tmp):
     * anyone could swap the file between two starts. */
    if ((st->mode & S_IWOTH) && !(st->mode & S_ISVTX)) {
        snprintf(why, why_size, "%s: folder %s is writable by every user (mode %03o): "
                 "chmod o-w %s, or choose another folder for %s", key, dir,
                 (unsigned)(st->mode & 07777), dir, key);
        return STATE_REFUSE;
    }
    if (st->uid == o->uid)
        return STATE_USE;
    /* Root's folders are fine for the event log (appended to through the
     * descriptor opened now); the lease folder must be the service user's
     * own, because compaction creates and renames files in it. */
    if (st->uid == 0 && role == STATE_EVENT_LOG)
        return STATE_USE;
    snprintf(why, why_size, "%s: folder %s belongs to uid %u, not to %s (uid %u), and netbootd "
             "never takes over an existing folder: chown %s: %s, or name a folder that does "
             "not exist yet (netbootd creates it 0750 for %s)", key, dir, (unsigned)st->uid,
             o->name, (unsigned)o->uid, o->name, dir, o->name);
    return STATE_REFUSE;
}

enum state_action state_file_decide(const struct state_stat *st, enum state_role role,
                                    const struct state_owner *o, const char *path, char *why,
                                    size_t why_size)
{
    const char *key = state_role_key(role);
    if (!st->exists)
        return STATE_CREATE;
    if (S_ISLNK(st->mode)) {
        snprintf(why, why_size, "%s: %s is a symbolic link; netbootd writes its state only to "
                 "real files (remove the link)", key, path);
        return STATE_REFUSE;
    }
    bool fifo = S_ISFIFO(st->mode) && role == STATE_EVENT_LOG;
    if (!S_ISREG(st->mode) && !fifo) {
        snprintf(why, why_size, "%s: %s is not a regular file%s", key, path,
                 role == STATE_EVENT_LOG ? " or a FIFO" : "");
        return STATE_REFUSE;
    }
    if (st->uid != o->uid && st->uid != 0) {
        snprintf(why, why_size, "%s: %s belongs to uid %u, not to %s or root: remove it, or "
                 "chown %s: %s", key, path, (unsigned)st->uid, o->name, o->name, path);
        return STATE_REFUSE;
    }
    /* A second name would make it some other file (a hard link to a file
     * of root's, dropped into the service user's folder). */
    if (S_ISREG(st->mode) && st->nlink != 1) {
        snprintf(why, why_size, "%s: %s has %lu names (hard links); netbootd writes only to "
                 "a file with one name (copy it, then remove the link)", key, path,
                 (unsigned long)st->nlink);
        return STATE_REFUSE;
    }
    return STATE_USE;
}

int state_path_split(const char *path, char *dir, size_t dir_size, char *base, size_t base_size)
{
    if (!path)
        return -EINVAL;
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return -EINVAL;
    /* "leases" is in the working folder, "/leases" in the root folder. */
    const char *dir_start = slash ? path : ".";
    size_t dir_len = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    size_t name_len = strlen(name);
    if (dir_len >= dir_size || name_len >= base_size)
        return -ENAMETOOLONG;
    memcpy(dir, dir_start, dir_len);
    dir[dir_len] = '\0';
    memcpy(base, name, name_len + 1);
    return 0;
}
