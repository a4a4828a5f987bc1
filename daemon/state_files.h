/* state_files.h - may netbootd, still root, use this folder and this file?
 *
 * netbootd opens its state files (the lease journal, the event log) while
 * it is root and then writes them for the rest of its life. Whoever can
 * write in their folder (the service user, often shared) must not be able
 * to make root truncate or append to another file: so a state file is
 * never reached through a symbolic link, must be a regular file (the event
 * log may be a FIFO) owned by the service user or root with one name, and
 * its folder is used only if it belongs to the service user (root may own
 * the event log's folder). A missing folder is created 0750 for the service
 * user; an existing folder is never chowned: a folder that belongs to
 * someone else is refused with the fix in the message.
 *
 * Pure: the caller passes what lstat/fstat said; nothing here touches the
 * file system. The shell that opens the files is state_open.c. */
#ifndef NETBOOTD_STATE_FILES_H
#define NETBOOTD_STATE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum state_role {
    STATE_LEASE_FILE,   /* leases.file: the service user rewrites it in place (compaction) */
    STATE_EVENT_LOG,    /* leases.event-log: appended to; a FIFO is fine */
};

enum state_action {
    STATE_USE,          /* go ahead */
    STATE_CREATE,       /* missing: create it for the service user */
    STATE_REFUSE,       /* refuse to start; `why` says why and how to fix it */
};

/* What lstat (before opening) or fstat (after) said about a path. */
struct state_stat {
    bool exists;
    mode_t mode;        /* st_mode with the type bits (S_IFLNK for a link) */
    uid_t uid;
    nlink_t nlink;
};

/* Who netbootd runs as once started. */
struct state_owner {
    uid_t uid;
    gid_t gid;
    const char *name;
};

/* The profile key a role comes from ("leases.file", "leases.event-log"). */
const char *state_role_key(enum state_role role);

/* The folder `dir` that holds the role's file. */
enum state_action state_dir_decide(const struct state_stat *st, enum state_role role,
                                   const struct state_owner *o, const char *dir, char *why,
                                   size_t why_size);

/* The file itself: STATE_CREATE when missing, else USE or REFUSE. */
enum state_action state_file_decide(const struct state_stat *st, enum state_role role,
                                    const struct state_owner *o, const char *path, char *why,
                                    size_t why_size);

/* Split a state path into its folder ("." for a bare name) and file name;
 * -EINVAL for a path with no usable file name ("", "/", "x/", "x/.."). */
int state_path_split(const char *path, char *dir, size_t dir_size, char *base, size_t base_size);

#endif
