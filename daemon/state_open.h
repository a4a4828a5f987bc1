/* state_open.h - open netbootd's state files (lease journal, event log)
 * while root, by the rules of state_files.h.
 *
 * Start-up calls state_file_check for every state file before it creates
 * anything (a start that fails creates nothing), then state_file_open once
 * the sockets are bound, and state_file_undo when a later step fails.
 * The file is opened with O_NOFOLLOW|O_CLOEXEC relative to a descriptor of
 * its folder (itself opened O_DIRECTORY|O_NOFOLLOW), and the decision that
 * counts is taken on what was opened (fstat), not on a path. */
#ifndef NETBOOTD_STATE_OPEN_H
#define NETBOOTD_STATE_OPEN_H

#include <stdbool.h>

#include "state_files.h"

struct state_file {
    enum state_role role;
    char dir[4096];         /* the folder ("." for a bare name) */
    char base[256];         /* the file name in it */
    int dir_fd;             /* the folder, O_DIRECTORY; -1 until opened */
    int fd;                 /* the file; -1 until opened (or a FIFO without reader) */
    bool made_dir, made_file;
};

/* Split the path; no file system access. */
int state_file_init(struct state_file *sf, enum state_role role, const char *path);
/* Would state_file_open succeed? Looks (lstat) and creates nothing; logs
 * the reason and returns -EPERM/-ENOTDIR/... when it would not. */
int state_file_check(const struct state_file *sf, const struct state_owner *o);
/* Create the folder if missing (0750, the owner's), open the file (the
 * lease file O_RDWR, the event log O_WRONLY|O_APPEND|O_NONBLOCK; both
 * O_CREAT 0640, handed to the owner when netbootd created it). An event-log
 * FIFO without a reader is fine: fd stays -1. 0 or -errno, logged. */
int state_file_open(struct state_file *sf, const struct state_owner *o);
/* Remove the file and folder this start created (a later step failed). */
void state_file_undo(struct state_file *sf);
/* Close the descriptors still held (set them to -1 when handed over). */
void state_file_close(struct state_file *sf);

#endif
