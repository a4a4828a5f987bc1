/* check_machine.h - what `netbootd --check` sees on this machine beyond
 * the profile: interfaces that are missing or have no address in a subnet,
 * a hook the service user cannot run, lease and event-log folders it
 * cannot use. Each finding is a warning in the loader's format
 * ("file:line:col: warning: key: what"), added to the profile's diagnostics
 * so that everything prints in file order; --strict makes them fatal.
 *
 * --check runs as root, and access(2) answers only for the caller, so the
 * service user's rights are worked out from mode bits, owner and group
 * against its uid and groups (check_may_access). ACLs, capabilities and
 * security modules are not looked at. */
#ifndef NETBOOTD_CHECK_MACHINE_H
#define NETBOOTD_CHECK_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

struct check_user {
    uid_t uid;
    gid_t gid;                  /* primary group */
    const gid_t *groups;        /* supplementary groups */
    size_t n_groups;
};

#define CHECK_R 4
#define CHECK_W 2
#define CHECK_X 1

/* Pure: may `u` read/write/execute (CHECK_* bits in `want`) a file with
 * this mode, owner and group? The owner's bits apply to its owner, the
 * group's to a member, the others' to the rest (never a mix, as the kernel
 * does); uid 0 may read and write anything and execute what has any x bit. */
bool check_may_access(mode_t mode, uid_t owner, gid_t group, const struct check_user *u,
                      int want);

/* Pure: the program a hook command starts, for /bin/sh -c COMMAND: its
 * first word. 1 with the word in out; 0 when the command starts with
 * something the shell interprets (quotes, $, a redirection, VAR=...) or a
 * shell builtin, so there is no program to look at. */
int check_hook_program(const char *command, char *out, size_t size);

/* Run every check for cfg, adding warnings to diag. */
void check_machine(const struct config *cfg, struct config_diag *diag);

#endif
